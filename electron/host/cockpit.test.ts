// The host end to end in plain Node: the real kernel, the paper venue, the
// SQLite journal, driven through the same `invoke` the windows use.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  buildLineage,
  type CockpitEvent,
  type JournalEvent,
  type LineageGraph,
  type Snapshot,
  type TradeSummary,
} from '../../shared/index.js';
import { createCockpit, type CockpitHost } from './index.js';
import { Journal } from './journal/journal.js';

let dataDir: string;
let cockpit: CockpitHost;
let received: CockpitEvent[];

type Ok<T> = { ok: true } & T;
type Err = { ok: false; error: { code: string; message: string; field?: string; diagnosticCode?: string } };

async function call<T>(name: string, request: object = {}): Promise<Ok<T>> {
  const response = (await cockpit.invoke(name, request)) as Ok<T> | Err;
  if (!response.ok) throw new Error(`${name} failed: ${JSON.stringify(response.error)}`);
  return response;
}
const refuse = async (name: string, request: unknown) => (await cockpit.invoke(name, request)) as Err;
const snapshot = () => call<Snapshot>('snapshot');
const allEvents = async () =>
  (await call<{ events: JournalEvent[] }>('journal.page', { limit: 1000 })).events;

async function startSession(extra: object = {}) {
  return call<{ sessionId: string }>('session.start', {
    seed: 11,
    latencyMs: 5,
    tickIntervalMs: 10,
    ...extra,
  });
}

async function openTrade(size = 0.01) {
  const intent = await call<{ intentId: string; correlationId: string }>('intent.submit', {
    asset: 'BTC/USDT',
    side: 'LONG',
    targetSize: size,
  });
  await vi.waitFor(async () => expect((await snapshot()).slots[0]).toMatchObject({ state: 'OPEN', size }), {
    timeout: 5_000,
  });
  return intent;
}

/** A LIMIT entry at half the mark: it rests, unfilled, until cancelled. */
async function restLimitEntry() {
  const mark = (await snapshot()).marks['ETH/USDT']!;
  return call<{ correlationId: string; tradeId: string }>('intent.submit', {
    asset: 'ETH/USDT',
    side: 'LONG',
    orderType: 'LIMIT',
    targetSize: 0.5,
    limitPrice: Math.round(mark * 50) / 100,
  });
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cockpit-host-test-'));
  cockpit = createCockpit({ dataDir, profile: 'test' });
  received = [];
  cockpit.subscribe((batch) => received.push(...batch));
});

afterEach(async () => {
  await cockpit.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a paper session through the host', () => {
  it('turns a market intent into a signal, an order, fills and an open trade, journaled in seq order', async () => {
    const { sessionId } = await startSession();
    const { correlationId } = await openTrade();

    const events = await allEvents();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const types = events.filter((e) => e.correlationId === correlationId).map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'TradingSignalIntentCreated',
      'TradingSignalIntentGranted',
      'TradingSignalCreated',
      'OrderRequested',
    ]);
    expect(types).toEqual(
      expect.arrayContaining(['VenueReport', 'OrderPlaced', 'OrderFilled', 'TradeOpened']),
    );

    const graph = await call<LineageGraph>('lineage', { correlationId });
    expect(new Set(graph.nodes.map((n) => n.kind))).toEqual(
      new Set(['intent', 'signal', 'order', 'fill', 'trade']),
    );
    const kindOf = (id: string) => graph.nodes.find((n) => n.id === id)?.kind;
    const arrows = new Set(graph.edges.map((e) => `${kindOf(e.from)}->${kindOf(e.to)}`));
    expect(arrows).toEqual(new Set(['intent->signal', 'signal->order', 'order->fill', 'fill->trade']));

    const journal = new Journal(join(dataDir, 'test.sqlite'), { readonly: true });
    try {
      const replayed = buildLineage(correlationId, journal.byCorrelation(sessionId, correlationId));
      expect(replayed.nodes).toEqual(graph.nodes);
      expect(replayed.edges).toEqual(graph.edges);
    } finally {
      journal.close();
    }
    expect(received.some((e) => e.type === 'journal' && e.event.type === 'TradeOpened')).toBe(true);
    expect(received.some((e) => e.type === 'snapshot')).toBe(true);
    expect(received.some((e) => e.type === 'marks')).toBe(true);
  });

  it("journals a kernel event's own fields as its payload: no empty ones, the header in columns, kernelSeq", async () => {
    await startSession();
    await openTrade();
    await vi.waitFor(() => expect(received.some((e) => e.type === 'journal')).toBe(true));
    // As published to the window, before any JSON round trip could hide an undefined field.
    const kernelEvents = received.flatMap((e) =>
      e.type === 'journal' && e.event.source === 'kernel' && e.event.type !== 'SlotTransition'
        ? [e.event]
        : [],
    );
    expect(kernelEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining(['OrderRequested', 'TradeOpened']),
    );
    for (const event of kernelEvents) {
      const fields = Object.keys(event.payload);
      for (const header of ['type', 'eventId', 'seq', 'correlationId', 'causationId', 'ts']) {
        expect(fields, `${event.type} ${header}`).not.toContain(header);
      }
      expect(Object.values(event.payload).every((v) => v !== null && v !== undefined)).toBe(true);
      expect(event.payload).toMatchObject({ kernelSeq: expect.any(Number), slotId: 0 });
    }
    const seqs = kernelEvents.map((e) => e.payload.kernelSeq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('exits a trade: realized PnL in the account and the blotter, the slot free again', async () => {
    await startSession();
    const { correlationId } = await openTrade();
    const { slots } = await snapshot();
    await call('trade.exit', { tradeId: slots[0]!.tradeId });
    await vi.waitFor(async () => expect((await snapshot()).slots[0]).toMatchObject({ free: true }), {
      timeout: 5_000,
    });
    const after = await snapshot();
    const trade = after.trades.find((t) => t.correlationId === correlationId)!;
    expect(trade).toMatchObject({ state: 'CLOSED', asset: 'BTC/USDT', side: 'LONG', closeReason: 'MANUAL' });
    expect(after.account!.realizedPnl).toBeCloseTo(trade.realizedPnl, 9);
    expect(after.account!.feesPaid).toBeGreaterThan(0);
    expect(trade.fees).toBeCloseTo(after.account!.feesPaid, 9);
    const account = after.account!;
    expect(account.equity).toBeCloseTo(
      account.seedCapital +
        account.realizedPnl -
        account.feesPaid +
        account.fundingNet +
        account.unrealizedPnl,
      6,
    );
    const graph = await call<LineageGraph>('lineage', { correlationId });
    expect(graph.nodes.filter((n) => n.kind === 'intent')).toHaveLength(2);
    expect(graph.nodes.find((n) => n.kind === 'trade')?.state).toBe('CLOSED');
  });

  it('tells the operator when a take-profit or stop-loss fires and the kernel closes the trade', async () => {
    await startSession();
    const mark = (await snapshot()).marks['BTC/USDT']!;
    await call('intent.submit', {
      asset: 'BTC/USDT',
      side: 'LONG',
      targetSize: 0.01,
      takeProfit: mark * 1.0002,
      stopLoss: mark * 0.9998,
    });
    await vi.waitFor(
      () =>
        expect(
          received.some((e) => e.type === 'notice' && (e.code === 'TAKE_PROFIT' || e.code === 'STOP_LOSS')),
        ).toBe(true),
      { timeout: 8_000 },
    );
    const notice = received.find(
      (e) => e.type === 'notice' && (e.code === 'TAKE_PROFIT' || e.code === 'STOP_LOSS'),
    );
    expect(notice).toMatchObject({
      level: 'info',
      message: expect.stringMatching(/hit at [\d.]+: closing BTC\/USDT LONG in slot 0/),
    });
    await vi.waitFor(async () => expect((await snapshot()).slots[0]).toMatchObject({ free: true }), {
      timeout: 5_000,
    });
  });

  it('rests a far limit order until it is cancelled, and the graph shows the cancel', async () => {
    await startSession();
    const { correlationId } = await restLimitEntry();
    await vi.waitFor(async () => expect((await snapshot()).openOrders).toHaveLength(1), { timeout: 5_000 });
    const [order] = (await snapshot()).openOrders;
    expect(order).toMatchObject({ orderType: 'LIMIT', side: 'BUY', filledSize: 0, correlationId });
    await call('order.cancel', { clientOrderId: order!.clientOrderId });
    await vi.waitFor(async () => expect((await snapshot()).openOrders).toEqual([]), { timeout: 5_000 });
    await vi.waitFor(async () => expect((await snapshot()).slots.every((s) => s.free)).toBe(true));
    const graph = await call<LineageGraph>('lineage', { correlationId });
    expect(graph.nodes.find((n) => n.kind === 'order')?.state).toBe('CANCELED');
    expect(graph.nodes.some((n) => n.kind === 'fill')).toBe(false);
  });

  it('finds the slot of a trade that has not filled yet, and the kernel answers for its stage', async () => {
    await startSession();
    const { tradeId } = await restLimitEntry();
    // No fill, so the trade book has no trade yet; the kernel's OrderRequested put it in its slot.
    const refused = await refuse('trade.exit', { tradeId });
    expect(refused).toMatchObject({ ok: false, error: { diagnosticCode: 'ILLEGAL_TRANSITION' } });
  });

  it('rides out the venue rate limit: refused orders are retried by the kernel until they trade', async () => {
    await startSession({ ordersPerSecond: 1, maxSlots: 3 });
    for (const asset of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) {
      await call('intent.submit', { asset, side: 'LONG', targetSize: 1 });
    }
    await vi.waitFor(
      async () => expect((await snapshot()).slots.map((s) => s.state)).toEqual(['OPEN', 'OPEN', 'OPEN']),
      {
        timeout: 8_000,
      },
    );
    const events = await allEvents();
    const limited = events.filter((e) => e.type === 'VenueReport' && e.payload.kind === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(0);
    expect(received.some((e) => e.type === 'notice' && e.code === 'RATE_LIMITED')).toBe(true);
  });

  it('reconciles its own ledger against the venue wallet after fills and funding', async () => {
    await startSession({ fundingIntervalMs: 1_000 });
    await openTrade(0.5);
    await vi.waitFor(async () => expect((await snapshot()).account!.fundingNet).toBeLessThan(0), {
      timeout: 5_000,
    });
    const { account } = await snapshot();
    expect(account).toMatchObject({ reconcileStatus: 'OK' });
    expect(account!.walletBalance).toBeCloseTo(account!.capital, 6);
    const types = new Set((await allEvents()).map((e) => e.type));
    expect(types).toContain('AccountUpdated');
    expect(types).toContain('FundingFeeSettled');
  });

  it('refuses a second cockpit on the same journal, leaving the running session alone', async () => {
    const { sessionId } = await startSession();
    expect(() => createCockpit({ dataDir, profile: 'test' })).toThrow(/in use by another cockpit/);
    const { sessions } = await call<{ sessions: { sessionId: string; stoppedAt?: number }[] }>(
      'session.list',
    );
    expect(sessions.find((s) => s.sessionId === sessionId)?.stoppedAt).toBeUndefined();
    // Another profile is another journal.
    await createCockpit({ dataDir, profile: 'other' }).close();
  });

  it('keeps showing a stopped session as it ended, and warns of what it left open', async () => {
    const { sessionId } = await startSession();
    const { correlationId } = await openTrade();
    await call('session.stop');
    const after = await snapshot();
    expect(after.session).toMatchObject({ sessionId, stoppedAt: expect.any(Number) });
    expect(after.control).toBeNull();
    expect(after.slots[0]).toMatchObject({ state: 'OPEN', correlationId });
    expect(after.trades.map((t) => t.correlationId)).toEqual([correlationId]);
    await vi.waitFor(() =>
      expect(received).toContainEqual(
        expect.objectContaining({
          type: 'notice',
          code: 'SESSION_STOPPED_OPEN',
          message: expect.stringContaining('1 open position and 0 working orders'),
        }),
      ),
    );
    const next = await startSession();
    expect((await snapshot()).session?.sessionId).toBe(next.sessionId);
    expect((await snapshot()).trades).toEqual([]);
  });

  it('lists sessions and pages their journal after a stop', async () => {
    const { sessionId } = await startSession();
    await openTrade();
    await call('session.stop');
    const { sessions } = await call<{ sessions: { sessionId: string; stoppedAt?: number }[] }>(
      'session.list',
    );
    expect(sessions[0]).toMatchObject({ sessionId });
    expect(sessions[0]!.stoppedAt).toBeGreaterThan(0);
    const first = await call<{ events: JournalEvent[]; nextSeq: number | null }>('journal.page', {
      sessionId,
      limit: 3,
    });
    expect(first.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(first.nextSeq).toBe(3);
    const second = await call<{ events: JournalEvent[] }>('journal.page', {
      sessionId,
      afterSeq: 3,
      limit: 3,
    });
    expect(second.events[0]?.seq).toBe(4);
  });

  it('reviews an earlier session while another runs: its blotter as it ended, its lineages by id', async () => {
    const first = await startSession();
    const { correlationId } = await openTrade();
    await call('trade.exit', { slotId: 0 });
    await vi.waitFor(async () => expect((await snapshot()).slots[0]).toMatchObject({ free: true }), {
      timeout: 5_000,
    });
    await openTrade();
    await call('session.stop');
    const { trades: shownAtStop } = await snapshot();
    expect(shownAtStop.map((t) => t.state)).toEqual(['OPEN', 'CLOSED']);

    const second = await startSession({ seed: 12 });
    const { correlationId: running } = await openTrade();

    const review = await call<{ sessionId: string; trades: TradeSummary[] }>('session.trades', {
      sessionId: first.sessionId,
    });
    expect(review.sessionId).toBe(first.sessionId);
    expect(review.trades).toEqual(shownAtStop);
    expect(
      (await call<{ trades: TradeSummary[] }>('session.trades', { sessionId: second.sessionId })).trades,
    ).toEqual((await snapshot()).trades);

    const earlier = await call<LineageGraph>('lineage', { correlationId });
    expect(earlier.nodes.find((n) => n.kind === 'trade')?.state).toBe('CLOSED');
    expect(earlier.nodes.every((n) => n.events.every((e) => e.sessionId === first.sessionId))).toBe(true);
    expect(await call<LineageGraph>('lineage', { correlationId, sessionId: first.sessionId })).toEqual(
      earlier,
    );
    expect(await refuse('lineage', { correlationId, sessionId: second.sessionId })).toMatchObject({
      error: { code: 'NOT_FOUND', field: 'correlationId' },
    });
    expect(
      (await call<LineageGraph>('lineage', { correlationId: running })).nodes.some((n) => n.kind === 'trade'),
    ).toBe(true);
  });
});

describe('the control plane', () => {
  type Control = { control: { mode: string; killSwitchAt?: number }; changed: boolean };
  const modeChanges = async () => (await allEvents()).filter((e) => e.type === 'TradingModeChanged');
  const notices = (code: string) =>
    received.flatMap((e) => (e.type === 'notice' && e.code === code ? [e.message] : []));

  it('REDUCING refuses new entries and lets exits through; each change is journaled once, then told', async () => {
    const { sessionId } = await startSession();
    await openTrade();
    const set = await call<Control>('control.set', { mode: 'REDUCING', reason: 'drawdown' });
    expect(set).toMatchObject({ control: { mode: 'REDUCING' }, changed: true });
    expect((await snapshot()).control).toEqual({ mode: 'REDUCING' });
    const [change] = await modeChanges();
    expect(change).toMatchObject({
      source: 'host',
      correlationId: sessionId,
      payload: { mode: 'REDUCING', previousMode: 'ACTIVE', reason: 'drawdown', by: 'operator' },
    });
    await vi.waitFor(() =>
      expect(notices('MODE_REDUCING')).toEqual([
        'Trading mode REDUCING: new entries are refused; exits and cancels pass (drawdown)',
      ]),
    );
    // Asking for the mode it already has changes nothing and journals nothing.
    expect(await call<Control>('control.set', { mode: 'REDUCING' })).toMatchObject({ changed: false });
    expect(await modeChanges()).toHaveLength(1);

    const entry = await refuse('intent.submit', { asset: 'ETH/USDT', side: 'LONG', targetSize: 0.1 });
    expect(entry.error).toMatchObject({ code: 'KERNEL_REJECTED', diagnosticCode: 'MODE_REJECTED' });
    const rejected = (await allEvents()).filter((e) => e.type === 'TradingSignalIntentRejected');
    expect(rejected.map((e) => e.payload.diagnosticCode)).toEqual(['MODE_REJECTED']);

    await call('trade.exit', { slotId: 0 });
    await vi.waitFor(async () => expect((await snapshot()).slots[0]).toMatchObject({ free: true }), {
      timeout: 5_000,
    });
    await call<Control>('control.set', { mode: 'ACTIVE' });
    await openTrade();
    expect((await modeChanges()).map((e) => e.payload.mode)).toEqual(['REDUCING', 'ACTIVE']);
  });

  it('HALTED lets only cancels through', async () => {
    await startSession({ maxSlots: 2 });
    await openTrade();
    await restLimitEntry();
    await vi.waitFor(async () => expect((await snapshot()).openOrders).toHaveLength(1), { timeout: 5_000 });
    await call<Control>('control.set', { mode: 'HALTED' });
    const exit = await refuse('trade.exit', { slotId: 0 });
    expect(exit.error).toMatchObject({ code: 'KERNEL_REJECTED', diagnosticCode: 'MODE_REJECTED' });
    const [order] = (await snapshot()).openOrders;
    await call('order.cancel', { clientOrderId: order!.clientOrderId });
    await vi.waitFor(async () => expect((await snapshot()).openOrders).toEqual([]), { timeout: 5_000 });
    expect((await snapshot()).slots[0]).toMatchObject({ state: 'OPEN' });
  });

  it('the kill switch halts, cancels every working order and closes every position, journaled before it acts', async () => {
    await startSession({ maxSlots: 2 });
    const open = await openTrade();
    const resting = await restLimitEntry();
    await vi.waitFor(async () => expect((await snapshot()).openOrders).toHaveLength(1), { timeout: 5_000 });

    const killed = await call<{ control: Control['control']; cancels: number; closes: number }>(
      'control.killSwitch',
      { reason: 'venue outage' },
    );
    expect(killed).toMatchObject({ control: { mode: 'HALTED' }, cancels: 1, closes: 1 });
    expect(killed.control.killSwitchAt).toBeGreaterThan(0);
    await vi.waitFor(() =>
      expect(notices('KILL_SWITCH')).toEqual([
        'Kill switch: trading HALTED; 1 working order being cancelled, 1 position closing at market (venue outage)',
      ]),
    );

    await vi.waitFor(
      async () => {
        const after = await snapshot();
        expect(after.slots.every((s) => s.free)).toBe(true);
        expect(after.openOrders).toEqual([]);
      },
      { timeout: 5_000 },
    );
    const after = await snapshot();
    expect(after.control).toEqual(killed.control);
    expect(after.trades.find((t) => t.correlationId === open.correlationId)).toMatchObject({
      state: 'CLOSED',
      closeReason: 'KILL_SWITCH',
    });
    expect(after.trades.some((t) => t.correlationId === resting.correlationId && t.state === 'OPEN')).toBe(
      false,
    );

    const events = await allEvents();
    const engaged = events.find((e) => e.type === 'KillSwitchEngaged')!;
    expect(engaged.payload).toMatchObject({
      previousMode: 'ACTIVE',
      reason: 'venue outage',
      cancels: 1,
      closes: 1,
    });
    // Journal first, then act: every venue report of the close and the cancel comes after it.
    const acted = events.filter(
      (e) =>
        e.type === 'VenueReport' &&
        [open.correlationId, resting.correlationId].includes(e.correlationId) &&
        e.ts >= engaged.ts &&
        ['FILL', 'CANCELED'].includes(String(e.payload.kind)),
    );
    expect(acted.length).toBeGreaterThanOrEqual(2);
    expect(acted.every((e) => e.seq > engaged.seq)).toBe(true);

    const entry = await refuse('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
    expect(entry.error).toMatchObject({ diagnosticCode: 'MODE_REJECTED' });
    // A person re-arms trading; the kill switch's time goes with the HALT.
    expect(await call<Control>('control.set', { mode: 'ACTIVE' })).toMatchObject({
      control: { mode: 'ACTIVE' },
    });
    expect((await snapshot()).control).toEqual({ mode: 'ACTIVE' });
  });
});

describe('risk gates and the supervisor', () => {
  const types = async (correlationId: string) =>
    (await allEvents()).filter((e) => e.correlationId === correlationId).map((e) => e.type);
  /** An entry as a strategy would propose it: the operator's grant is asked for in supervised mode. */
  const strategyEntry = (extra: object = {}) =>
    cockpit.invoke('intent.submit', {
      asset: 'BTC/USDT',
      side: 'LONG',
      targetSize: 0.01,
      signalProvider: 'test-strategy',
      ...extra,
    }) as Promise<Ok<{ intentId: string; correlationId: string; pendingUntil?: number }> | Err>;

  it('journals the envelope first, and a gate refusal names its gate, journaled, with nothing placed', async () => {
    await startSession({
      risk: { maxOrderNotional: 1_000, shortingDisabled: true, allowedOrderTypes: ['MARKET'] },
    });
    const [first] = await allEvents();
    expect(first).toMatchObject({
      seq: 1,
      type: 'RiskLimitsSet',
      payload: { risk: { maxOrderNotional: 1_000 } },
    });
    const cases: [object, string, string | undefined][] = [
      [{ targetSize: 1 }, 'static', 'targetSize'],
      [{ side: 'SHORT' }, 'short_side', 'side'],
      [{ orderType: 'LIMIT', limitPrice: 1_000 }, 'static', 'orderType'],
    ];
    for (const [change, gate, field] of cases) {
      const response = (await cockpit.invoke('intent.submit', {
        asset: 'BTC/USDT',
        side: 'LONG',
        targetSize: 0.01,
        ...change,
      })) as Err;
      expect(response, JSON.stringify(change)).toMatchObject({
        ok: false,
        error: { code: 'RISK_REJECTED', gate, field },
      });
      expect(response.error.message).toContain(`${gate} gate:`);
      const rejected = (await allEvents()).at(-1)!;
      expect(rejected).toMatchObject({ type: 'TradingSignalIntentRejected', payload: { gate } });
      expect(await types(rejected.correlationId)).toEqual([
        'TradingSignalIntentCreated',
        'TradingSignalIntentRejected',
      ]);
    }
    await vi.waitFor(() =>
      expect(received.filter((e) => e.type === 'notice' && e.code === 'RISK_REJECTED')).toHaveLength(3),
    );
    const state = await snapshot();
    expect(state.slots.every((slot) => slot.free)).toBe(true);
    expect(state.openOrders).toEqual([]);
    // An entry inside the envelope passes every gate, and the grant lists them.
    const ok = await call<{ correlationId: string }>('intent.submit', {
      asset: 'BTC/USDT',
      side: 'LONG',
      targetSize: 0.01,
    });
    const granted = (await allEvents()).find(
      (e) => e.correlationId === ok.correlationId && e.type === 'TradingSignalIntentGranted',
    );
    expect(granted?.payload).toMatchObject({
      gates: ['idempotency', 'static', 'short_side', 'position_risk', 'drawdown_halt'],
      mode: 'unsupervised',
      grantedBy: 'gates',
    });
    // An entry is valued at the host's mark, whatever price the caller names: 0.01 BTC is ~640 USDT.
    await call('session.stop');
    await startSession({ risk: { maxOrderNotional: 100 } });
    for (const lowball of [{ referencePrice: 0.1 }, { side: 'SHORT', orderType: 'LIMIT', limitPrice: 0.1 }]) {
      expect(
        await refuse('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01, ...lowball }),
        JSON.stringify(lowball),
      ).toMatchObject({ error: { code: 'RISK_REJECTED', gate: 'static' } });
    }
  });

  it('refuses an intent id it has seen, and caps the exposure per asset and in all', async () => {
    await startSession({ risk: { maxAssetNotional: 1_500, maxGrossNotional: 1_800 } });
    const mark = (await snapshot()).marks['BTC/USDT']!;
    const first = { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01, intentId: 'client-1' };
    await call('intent.submit', first);
    // A resubmission has no effect, not even in the journal: it would write into the first one's lineage.
    const journaled = (await allEvents()).filter((e) => e.type !== 'TradeMonitoringTick').length;
    expect(await refuse('intent.submit', first)).toMatchObject({
      error: { code: 'RISK_REJECTED', gate: 'idempotency', field: 'intentId' },
    });
    await vi.waitFor(async () => expect((await snapshot()).slots[0]).toMatchObject({ state: 'OPEN' }), {
      timeout: 5_000,
    });
    expect(
      (await allEvents()).filter(
        (e) => e.correlationId === 'client-1' && e.type.startsWith('TradingSignalIntent'),
      ),
    ).toHaveLength(2);
    expect((await allEvents()).filter((e) => e.type !== 'TradeMonitoringTick').length).toBeGreaterThanOrEqual(
      journaled,
    );
    await vi.waitFor(async () => expect((await snapshot()).slots[0]).toMatchObject({ state: 'OPEN' }), {
      timeout: 5_000,
    });
    // ~640 USDT of BTC open: another 0.02 (~1 280) would take BTC over 1 500.
    expect(mark * 0.01).toBeLessThan(1_000);
    expect(
      await refuse('intent.submit', { asset: 'BTC/USDT', side: 'SHORT', targetSize: 0.02 }),
    ).toMatchObject({
      error: { code: 'RISK_REJECTED', gate: 'position_risk' },
    });
    // ~1 280 USDT of ETH is under the asset cap but takes the session over 1 800 in all.
    const response = await refuse('intent.submit', { asset: 'ETH/USDT', side: 'LONG', targetSize: 0.4 });
    expect(response).toMatchObject({ error: { code: 'RISK_REJECTED', gate: 'position_risk' } });
    expect(response.error.message).toContain('in all');
    // Exits reduce exposure: no cap holds them back.
    const tradeId = (await snapshot()).slots[0]!.tradeId!;
    await call('trade.exit', { tradeId });
  });

  it("answers a strategy's malformed entry at once, as the kernel would, instead of holding or journaling it", async () => {
    await startSession({ risk: { supervised: true, maxOrderNotional: 100 } });
    const mark = (await snapshot()).marks['BTC/USDT']!;
    const journaled = (await allEvents()).length;
    // A take-profit below a long's price would close it at once; a gate's refusal would journal it too.
    for (const malformed of [{ takeProfit: Math.round(mark / 2) }, { stopLoss: Math.round(mark * 2) }]) {
      const answer = await strategyEntry(malformed);
      expect(answer, JSON.stringify(malformed)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_REQUEST', field: Object.keys(malformed)[0] },
      });
    }
    expect((await snapshot()).pendingIntents).toEqual([]);
    expect((await allEvents()).filter((e) => e.type !== 'TradeMonitoringTick')).toHaveLength(journaled);
  });

  it("holds a strategy's entry for the operator; a grant runs the gates again and places it", async () => {
    await startSession({ risk: { supervised: true } });
    const held = await strategyEntry({ intentId: 'strategy-1' });
    if (!held.ok) throw new Error(held.error.message);
    expect(held.pendingUntil).toBeGreaterThan(Date.now() + 50_000);
    let state = await snapshot();
    expect(state.pendingIntents).toMatchObject([
      { intentId: held.intentId, signalProvider: 'test-strategy', asset: 'BTC/USDT', targetSize: 0.01 },
    ]);
    expect(state.openOrders).toEqual([]);
    expect(await types(held.correlationId)).toEqual(['TradingSignalIntentCreated']);
    await vi.waitFor(() =>
      expect(received).toContainEqual(expect.objectContaining({ type: 'notice', code: 'INTENT_AWAITING' })),
    );
    const graph = await call<LineageGraph>('lineage', { correlationId: held.correlationId });
    expect(graph.nodes).toMatchObject([{ kind: 'intent', state: 'AWAITING' }]);
    // The same id again, while it waits: refused, and nothing is written into its lineage.
    expect(await strategyEntry({ intentId: held.intentId })).toMatchObject({
      ok: false,
      error: { code: 'RISK_REJECTED', gate: 'idempotency' },
    });
    expect(await types(held.correlationId)).toEqual(['TradingSignalIntentCreated']);
    // The operator's own ticket is the operator's decision: it does not wait.
    const own = await call<{ pendingUntil?: number }>('intent.submit', {
      asset: 'ETH/USDT',
      side: 'LONG',
      targetSize: 0.01,
    });
    expect(own.pendingUntil).toBeUndefined();

    const granted = await call<{ tradeId: string; correlationId: string }>('intent.grant', {
      intentId: held.intentId,
    });
    expect(granted.correlationId).toBe(held.correlationId);
    await vi.waitFor(async () => expect(await types(held.correlationId)).toContain('TradeOpened'), {
      timeout: 5_000,
    });
    const events = (await allEvents()).filter((e) => e.correlationId === held.correlationId);
    expect(events.find((e) => e.type === 'TradingSignalIntentGranted')?.payload).toMatchObject({
      gates: ['idempotency', 'static', 'short_side', 'position_risk', 'drawdown_halt', 'supervisor'],
      mode: 'supervised',
      grantedBy: 'operator',
    });
    const signal = events.find((e) => e.type === 'TradingSignalCreated')!.payload;
    expect(Number(signal.prmGrantedAt)).toBeGreaterThanOrEqual(Number(signal.createdAt));
    state = await snapshot();
    expect(state.pendingIntents).toEqual([]);
    // Decided once: a second grant finds nothing waiting.
    expect(await refuse('intent.grant', { intentId: held.intentId })).toMatchObject({
      error: { code: 'NOT_FOUND', field: 'intentId' },
    });
  });

  it('a rejection, an expiry, the kill switch and a stop each end a waiting entry in the journal', async () => {
    await startSession({ risk: { supervised: true, supervisorTtlMs: 1_000 } });
    const rejected = (await strategyEntry()) as Ok<{ intentId: string; correlationId: string }>;
    await call('intent.reject', { intentId: rejected.intentId, reason: 'not in this market' });
    expect((await allEvents()).at(-1)).toMatchObject({
      type: 'TradingSignalIntentRejected',
      payload: { gate: 'supervisor', reason: 'not in this market', by: 'operator' },
    });

    const expiring = (await strategyEntry({ asset: 'ETH/USDT' })) as Ok<{
      intentId: string;
      correlationId: string;
    }>;
    await vi.waitFor(
      async () => expect(await types(expiring.correlationId)).toContain('TradingSignalIntentExpired'),
      {
        timeout: 3_000,
      },
    );
    await vi.waitFor(() =>
      expect(received).toContainEqual(expect.objectContaining({ type: 'notice', code: 'INTENT_EXPIRED' })),
    );
    expect((await snapshot()).pendingIntents).toEqual([]);
    expect(await refuse('intent.grant', { intentId: expiring.intentId })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });

    const killed = (await strategyEntry({ asset: 'SOL/USDT', targetSize: 1 })) as Ok<{
      correlationId: string;
    }>;
    await call('control.killSwitch', {});
    expect(await types(killed.correlationId)).toEqual([
      'TradingSignalIntentCreated',
      'TradingSignalIntentCanceled',
    ]);
    await call('control.set', { mode: 'ACTIVE' });

    const stopped = (await strategyEntry()) as Ok<{ correlationId: string }>;
    await call('session.stop');
    expect((await allEvents()).filter((e) => e.correlationId === stopped.correlationId).at(-1)).toMatchObject(
      {
        type: 'TradingSignalIntentCanceled',
        payload: { reason: 'the session stopped' },
      },
    );
    expect((await snapshot()).pendingIntents).toEqual([]);
  });

  it('expires an entry whose time is up when a grant comes before its timer does', async () => {
    let clock = Date.now();
    const clockDir = mkdtempSync(join(tmpdir(), 'cockpit-clock-'));
    const clocked = createCockpit({ dataDir: clockDir, profile: 'clock', now: () => clock });
    try {
      await clocked.invoke('session.start', {
        seed: 11,
        latencyMs: 5,
        tickIntervalMs: 10,
        risk: { supervised: true },
      });
      const held = (await clocked.invoke('intent.submit', {
        asset: 'BTC/USDT',
        side: 'LONG',
        targetSize: 0.01,
        signalProvider: 'test-strategy',
      })) as Ok<{ intentId: string; correlationId: string }>;
      // The host's clock passes the TTL; the timer, set for a minute of real time, has not run.
      clock += 61_000;
      expect(await clocked.invoke('intent.grant', { intentId: held.intentId })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND', field: 'intentId' },
      });
      const page = (await clocked.invoke('journal.page', {})) as Ok<{ events: JournalEvent[] }>;
      expect(page.events.filter((e) => e.correlationId === held.correlationId).map((e) => e.type)).toEqual([
        'TradingSignalIntentCreated',
        'TradingSignalIntentExpired',
      ]);
    } finally {
      await clocked.close();
      rmSync(clockDir, { recursive: true, force: true });
    }
  });

  it('ends, as cancelled, the entries a crashed host left waiting, when the next host closes its session', async () => {
    const crashedDir = mkdtempSync(join(tmpdir(), 'cockpit-crashed-'));
    try {
      // What a host killed while two entries waited leaves behind: one decided, one still waiting.
      const journal = new Journal(join(crashedDir, 'crashed.sqlite'));
      journal.createSession({
        sessionId: 'S-crashed',
        startedAt: 1_000,
        venue: 'paper',
        symbols: ['BTC/USDT'],
        seed: 1,
        seedCapital: 10_000,
        maxSlots: 4,
      });
      const waiting = (intentId: string, ts: number) => ({
        eventId: `h-${intentId}`,
        type: 'TradingSignalIntentCreated' as const,
        source: 'host' as const,
        correlationId: intentId,
        causationId: intentId,
        ts,
        payload: { intentId, awaiting: 'supervisor', expiresAt: ts + 60_000 },
      });
      journal.append('S-crashed', [
        waiting('I-decided', 2_000),
        waiting('I-waiting', 3_000),
        {
          eventId: 'h-rejected',
          type: 'TradingSignalIntentRejected',
          source: 'host',
          correlationId: 'I-decided',
          causationId: 'h-I-decided',
          ts: 4_000,
          payload: { intentId: 'I-decided', gate: 'supervisor', reason: 'no' },
        },
      ]);
      journal.close();

      const logged: string[] = [];
      const next = createCockpit({
        dataDir: crashedDir,
        profile: 'crashed',
        log: (_level, message) => logged.push(message),
      });
      try {
        const page = (await next.invoke('journal.page', { sessionId: 'S-crashed' })) as Ok<{
          events: JournalEvent[];
        }>;
        expect(page.events.map((e) => [e.type, e.correlationId])).toEqual([
          ['TradingSignalIntentCreated', 'I-decided'],
          ['TradingSignalIntentCreated', 'I-waiting'],
          ['TradingSignalIntentRejected', 'I-decided'],
          ['TradingSignalIntentCanceled', 'I-waiting'],
        ]);
        // As of the session's last fact, when it was closed as abandoned.
        expect(page.events.at(-1)).toMatchObject({ ts: 4_000, causationId: 'h-I-waiting' });
        const graph = (await next.invoke('lineage', {
          correlationId: 'I-waiting',
          sessionId: 'S-crashed',
        })) as Ok<LineageGraph>;
        expect(graph.nodes).toMatchObject([{ kind: 'intent', state: 'CANCELED' }]);
        expect(logged.join('\n')).toContain('cancelled 1 entry still waiting for a grant');
      } finally {
        await next.close();
      }
    } finally {
      rmSync(crashedDir, { recursive: true, force: true });
    }
  });

  it('runs the breakout strategy: its entries go through the gates and wait for the operator', async () => {
    await startSession({
      seed: 7,
      risk: { supervised: true },
      strategy: { name: 'breakout', lookbackTicks: 5, cooldownMs: 5_000, notional: 200 },
    });
    await vi.waitFor(async () => expect((await snapshot()).pendingIntents.length).toBeGreaterThan(0), {
      timeout: 5_000,
    });
    const [pending] = (await snapshot()).pendingIntents;
    expect(pending).toMatchObject({ signalProvider: 'breakout', orderType: 'MARKET' });
    expect(pending!.notional).toBeLessThanOrEqual(200);
    expect(pending!.takeProfit).toBeDefined();
    expect(pending!.stopLoss).toBeDefined();
    // One waiting entry per asset at most.
    const assets = (await snapshot()).pendingIntents.map((p) => p.asset);
    expect(new Set(assets).size).toBe(assets.length);
    const created = (await allEvents()).find((e) => e.type === 'TradingSignalIntentCreated');
    expect(created?.payload).toMatchObject({ signalProvider: 'breakout', awaiting: 'supervisor' });
    expect((await snapshot()).strategy).toMatchObject({ name: 'breakout', lookbackTicks: 5 });
    // While entries are refused it proposes none (the kill switch also cancelled what waited).
    await call('control.killSwitch', {});
    const proposed = async () =>
      (await allEvents()).filter((e) => e.type === 'TradingSignalIntentCreated').length;
    const before = await proposed();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await proposed()).toBe(before);
    expect((await snapshot()).pendingIntents).toEqual([]);
  });
});

describe('bad input', () => {
  it('answers every malformed request with a typed error and leaves kernel and journal unchanged', async () => {
    await startSession();
    await openTrade();
    const slotsBefore = (await snapshot()).slots;
    const eventsBefore = await allEvents();
    const cases: [string, unknown, string, string | undefined][] = [
      ['intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: -1 }, 'INVALID_REQUEST', 'targetSize'],
      [
        'intent.submit',
        { asset: 'BTC/USDT', side: 'LONG', targetSize: Number.NaN },
        'INVALID_REQUEST',
        'targetSize',
      ],
      [
        'intent.submit',
        { asset: 'BTC/USDT', side: 'LONG', targetSize: 1, orderType: 'LIMIT', limitPrice: Number.NaN },
        'INVALID_REQUEST',
        'limitPrice',
      ],
      ['intent.submit', { asset: 'XYZ/USDT', side: 'LONG', targetSize: 1 }, 'UNKNOWN_ASSET', 'asset'],
      [
        'intent.submit',
        { asset: 'BTC/USDT', side: 'LONG', targetSize: 1, slotId: 99 },
        'INVALID_REQUEST',
        'slotId',
      ],
      // Off the symbol's own grid (BTC/USDT: lot 0.001, tick 0.1), though on the kernel's finer one.
      [
        'intent.submit',
        { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.0015 },
        'INVALID_REQUEST',
        'targetSize',
      ],
      [
        'intent.submit',
        { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01, orderType: 'LIMIT', limitPrice: 50_000.03 },
        'INVALID_REQUEST',
        'limitPrice',
      ],
      [
        'intent.submit',
        { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01, ts: 0 },
        'INVALID_REQUEST',
        'ts',
      ],
      ['trade.exit', { tradeId: 'nope' }, 'NOT_FOUND', 'tradeId'],
      ['order.cancel', { clientOrderId: 'nope' }, 'NOT_FOUND', 'clientOrderId'],
      ['order.cancel', { clientOrderId: 'x'.repeat(500) }, 'INVALID_REQUEST', 'clientOrderId'],
      ['session.start', {}, 'SESSION_ACTIVE', undefined],
      ['control.set', { mode: 'PAUSED' }, 'INVALID_REQUEST', 'mode'],
      ['control.set', { mode: 'HALTED', reason: 'x'.repeat(300) }, 'INVALID_REQUEST', 'reason'],
      ['control.killSwitch', { now: true }, 'INVALID_REQUEST', 'now'],
      ['lineage', { correlationId: 'nope' }, 'NOT_FOUND', 'correlationId'],
      ['lineage', { correlationId: 'nope', sessionId: 'x'.repeat(500) }, 'INVALID_REQUEST', 'sessionId'],
      ['session.trades', { sessionId: 'nope' }, 'NOT_FOUND', 'sessionId'],
      ['lineage', { correlationId: 'nope', sessionId: 'nope' }, 'NOT_FOUND', 'sessionId'],
      ['session.trades', {}, 'INVALID_REQUEST', 'sessionId'],
      ['intent.grant', { intentId: 'nope' }, 'NOT_FOUND', 'intentId'],
      ['intent.grant', {}, 'INVALID_REQUEST', 'intentId'],
      ['intent.reject', { intentId: 'nope' }, 'NOT_FOUND', 'intentId'],
      ['intent.reject', { intentId: 'nope', reason: 'x'.repeat(300) }, 'INVALID_REQUEST', 'reason'],
      ['session.start', { risk: { maxDrawdown: 2 } }, 'INVALID_REQUEST', 'risk.maxDrawdown'],
      ['session.start', { risk: { supervisorTtlMs: 10 } }, 'INVALID_REQUEST', 'risk.supervisorTtlMs'],
      ['session.start', { strategy: { name: 'martingale' } }, 'INVALID_REQUEST', 'strategy.name'],
      [
        'session.start',
        { strategy: { name: 'breakout', cooldownMs: 0 } },
        'INVALID_REQUEST',
        'strategy.cooldownMs',
      ],
      ['session.start', { seedCapital: 1e11 }, 'INVALID_REQUEST', 'seedCapital'],
      ['no.such.command', {}, 'UNKNOWN_COMMAND', 'name'],
      ['snapshot', 'not an object', 'INVALID_REQUEST', 'request'],
      ['snapshot', { extra: 1 }, 'INVALID_REQUEST', 'extra'],
    ];
    for (const [name, request, code, field] of cases) {
      const response = await refuse(name, request);
      expect(response, `${name} ${JSON.stringify(request)}`).toMatchObject({ ok: false, error: { code } });
      expect(response.error.field).toBe(field);
      expect(response.error.message.length).toBeGreaterThan(5);
    }
    expect((await snapshot()).slots.map(({ markPrice: _m, unrealizedPnl: _u, ...rest }) => rest)).toEqual(
      slotsBefore.map(({ markPrice: _m, unrealizedPnl: _u, ...rest }) => rest),
    );
    expect((await snapshot()).control).toEqual({ mode: 'ACTIVE' });
    // An intent id in the host's own namespace would collide with one it mints later.
    const hostId = (await allEvents()).find((e) => e.type === 'TradingSignalIntentCreated')!.payload.intentId;
    const tag = String(hostId).split('-')[0];
    expect(
      await refuse('intent.submit', {
        asset: 'BTC/USDT',
        side: 'LONG',
        targetSize: 0.01,
        intentId: `${tag}-I99`,
      }),
    ).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'intentId' } });
    // Nor may a new lineage take the name of the session's own, or of the host's stand-ins for unknowns.
    const { sessionId } = (await snapshot()).session!;
    // A take-profit on the wrong side of the market, behind a price the caller names, is refused all the same.
    const mark = (await snapshot()).marks['BTC/USDT']!;
    expect(
      await refuse('intent.submit', {
        asset: 'BTC/USDT',
        side: 'LONG',
        targetSize: 0.01,
        referencePrice: 10,
        takeProfit: Math.round(mark / 2),
      }),
    ).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'takeProfit' } });
    for (const intentId of [sessionId, 'unknown:T1-E1', 'slot:0']) {
      expect(
        await refuse('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01, intentId }),
        intentId,
      ).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'intentId' } });
    }
    const eventsAfter = await allEvents();
    expect(eventsAfter.filter((e) => e.type !== 'TradeMonitoringTick')).toEqual(
      eventsBefore.filter((e) => e.type !== 'TradeMonitoringTick'),
    );
  });

  it('answers any intent request without throwing, and journals only what the operator is told', async () => {
    await startSession({ tickIntervalMs: 60_000, maxSlots: 3 });
    const count = async () => (await allEvents()).length;
    // Mostly well-formed requests (they reach the kernel, fill the slots, then meet NO_FREE_SLOT), and
    // as many with one field spoilt or anything at all in it.
    const valid = fc.record({
      asset: fc.constantFrom('BTC/USDT', 'ETH/USDT'),
      side: fc.constantFrom('LONG', 'SHORT'),
      orderType: fc.constant('LIMIT'),
      targetSize: fc.constantFrom(0.001, 0.01, 0.5),
      limitPrice: fc.constantFrom(1_000, 1_500.5),
      leverage: fc.constantFrom(1, 2),
    });
    const spoilt = fc
      .tuple(
        valid,
        fc.constantFrom(
          'asset',
          'side',
          'orderType',
          'targetSize',
          'limitPrice',
          'leverage',
          'exitLegRatios',
          'slotId',
        ),
        fc.oneof(
          fc.constantFrom('XYZ/USDT', '', -1, 0, Number.NaN, 1e300, 0.0015, 1_000.03, [0.5, 0.4]),
          fc.anything(),
        ),
      )
      .map(([request, field, value]) => ({ ...request, [field]: value }));
    const unlisted = valid.map((request) => ({ ...request, asset: 'XYZ/USDT' }));
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(valid, spoilt, unlisted), async (request) => {
        const before = await count();
        const response = (await cockpit.invoke('intent.submit', request)) as Ok<object> | Err;
        const path = response.ok ? 'accepted' : response.error.code;
        seen.set(path, (seen.get(path) ?? 0) + 1);
        const grew = (await count()) - before;
        if (response.ok) expect(grew).toBeGreaterThan(0);
        // A business refusal is a fact the operator is told: the intent and its rejection. Malformed input is not.
        else if (response.error.code === 'KERNEL_REJECTED') expect(grew).toBe(2);
        else expect(grew).toBe(0);
        if (!response.ok) expect(response.error.message.length).toBeGreaterThan(5);
      }),
      { numRuns: 300 },
    );
    for (const path of ['accepted', 'INVALID_REQUEST', 'UNKNOWN_ASSET', 'KERNEL_REJECTED']) {
      expect(seen.get(path) ?? 0, `${path} in ${JSON.stringify([...seen])}`).toBeGreaterThanOrEqual(3);
    }
  });

  it('answers an unexpected fault with a log reference, never the exception text', async () => {
    const logged: string[] = [];
    let clockFails = false;
    const faultDir = mkdtempSync(join(tmpdir(), 'cockpit-fault-'));
    const faulty = createCockpit({
      dataDir: faultDir,
      profile: 'fault',
      // A clock that throws, as a stand-in for any fault: its text is what a venue library might put in an error.
      now: () => {
        if (clockFails) throw new Error('GET https://venue.example/api?apiKey=SECRET-KEY failed');
        return Date.now();
      },
      log: (_level, line) => logged.push(line),
    });
    try {
      clockFails = true;
      const response = (await faulty.invoke('session.start', {})) as Err;
      expect(response).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(response.error.message).not.toContain('SECRET');
      const reference = /\[([0-9a-f]{8})\]/.exec(response.error.message)?.[1];
      expect(reference, response.error.message).toBeDefined();
      expect(logged.find((line) => line.includes(`[${reference}]`))).toContain('apiKey=SECRET-KEY');
    } finally {
      await faulty.close();
      rmSync(faultDir, { recursive: true, force: true });
    }
  });

  it('answers INTERNAL once closed, and closing twice is harmless', async () => {
    await cockpit.close();
    expect(await refuse('snapshot', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    await cockpit.close();
  });

  it('answers a review still reading when the cockpit closes with "closing", not a fault', async () => {
    await cockpit.close();
    const journal = new Journal(join(dataDir, 'test.sqlite'));
    journal.createSession({
      sessionId: 'S-long',
      startedAt: 1_000,
      venue: 'paper',
      symbols: ['BTC/USDT'],
      seed: 1,
      seedCapital: 10_000,
      maxSlots: 1,
    });
    journal.append(
      'S-long',
      Array.from({ length: 5_000 }, (_, i) => ({
        eventId: `e${i}`,
        type: 'TradeOpened',
        source: 'kernel' as const,
        correlationId: `c${i}`,
        causationId: `c${i}`,
        ts: 2_000 + i,
        payload: { tradeId: `T${i}`, slotId: 0, asset: 'BTC/USDT', side: 'LONG', size: 1 },
      })),
    );
    journal.stopSession('S-long', 9_000);
    journal.close();
    const logged: string[] = [];
    cockpit = createCockpit({ dataDir, profile: 'test', log: (_level, message) => logged.push(message) });
    const reading = cockpit.invoke('session.trades', { sessionId: 'S-long' });
    await cockpit.close();
    expect(await reading).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'the cockpit is closing' },
    });
    expect(logged.filter((m) => m.includes('failed'))).toEqual([]);
  });

  it('refuses commands that need a session when none runs', async () => {
    expect(await refuse('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 1 })).toMatchObject({
      error: { code: 'NO_SESSION' },
    });
    expect(await refuse('session.stop', {})).toMatchObject({ error: { code: 'NO_SESSION' } });
    expect(await refuse('control.set', { mode: 'HALTED' })).toMatchObject({ error: { code: 'NO_SESSION' } });
    expect(await refuse('control.killSwitch', {})).toMatchObject({ error: { code: 'NO_SESSION' } });
    expect((await snapshot()).control).toBeNull();
    expect(await refuse('session.start', { symbols: ['BTC/USDT', 'NOPE/USDT'] })).toMatchObject({
      error: { code: 'UNKNOWN_ASSET', field: 'symbols.1' },
    });
    // One lot of BTC (0.001) is ~64 USDT: a strategy entering with 50 never could.
    const lot = await refuse('session.start', { strategy: { name: 'breakout', notional: 50 } });
    expect(lot).toMatchObject({ error: { code: 'INVALID_REQUEST', field: 'strategy.notional' } });
    expect(lot.error.message).toContain('one lot of BTC/USDT');
    expect((await snapshot()).session).toBeNull();
    expect(await refuse('intent.grant', { intentId: 'I1' })).toMatchObject({ error: { code: 'NO_SESSION' } });
  });
});
