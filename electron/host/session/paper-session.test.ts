import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import type { CockpitEvent, ParsedCommandRequest } from '../../../shared/index.js';
import { RiskEnvelope } from '../../../shared/index.js';
import { EventBus } from '../event-bus.js';
import { Journal } from '../journal/journal.js';
import { FeedLibrary } from '../market/feed-library.js';
import { startPaperSession } from './paper-session.js';
import type { TradingSession } from './trading-session.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Test double of the journal: a real one whose appends fail, as a locked or full disk makes them, once `failing`. */
class FailingJournalForTests extends Journal {
  failing = false;
  override append(...args: Parameters<Journal['append']>) {
    if (this.failing) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    return super.append(...args);
  }
}

/** A paper session on a throwaway journal, with what it publishes and logs collected; stopped after the test. */
function startTestSession(
  request: Omit<ParsedCommandRequest<'session.start'>, 'venue' | 'risk'>,
  clocks: { monotonic?: () => number } = {},
  risk: Partial<RiskEnvelope> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'paper-session-'));
  const journal = new FailingJournalForTests(join(dir, 'test.sqlite'));
  const bus = new EventBus(() => undefined);
  const published: CockpitEvent[] = [];
  bus.subscribe((batch) => published.push(...batch));
  const logged: string[] = [];
  const started = startPaperSession(
    { venue: 'paper', risk: RiskEnvelope.parse(risk), ...request },
    {
      journal,
      bus,
      now: Date.now,
      feeds: new FeedLibrary(join(dir, 'feeds')),
      ...clocks,
      log: (_level, message) => logged.push(message),
    },
  );
  if (!started.ok) throw new Error(started.error.message);
  const session = started.value;
  cleanups.push(() => {
    session.stop();
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { session, journal, bus, published, logged };
}

/** A MARKET entry of 0.1 ETH/USDT. */
function marketEntry(session: TradingSession) {
  return session.submitIntent({
    action: 'ENTER',
    asset: 'ETH/USDT',
    side: 'LONG',
    orderType: 'MARKET',
    targetSize: 0.1,
    leverage: 1,
    signalProvider: 'test',
  });
}

/** A LIMIT entry far below the market: it rests, unfilled, until cancelled. */
function restLimitEntry(session: TradingSession) {
  const entered = session.submitIntent({
    action: 'ENTER',
    asset: 'BTC/USDT',
    side: 'LONG',
    orderType: 'LIMIT',
    targetSize: 0.01,
    limitPrice: 1_000,
    leverage: 1,
    signalProvider: 'test',
  });
  if (!entered.ok) throw new Error(entered.error.message);
  return entered.value;
}

/**
 * In a one-slot session: a far BTC limit entry rests and is cancelled, an ETH market entry takes the slot, then
 * the venue reports a fill for the cancelled entry after all: an orphan position beside the open trade.
 */
async function orphanBesideAnOpenTrade(session: TradingSession) {
  const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 5_000 });
  const limit = restLimitEntry(session);
  await until(() => session.snapshot().openOrders.length === 1);
  const stale = session.snapshot().openOrders[0]!;
  expect(session.cancelOrder(stale.clientOrderId).ok).toBe(true);
  await until(() => session.snapshot().slots[0]!.free);
  const market = marketEntry(session);
  if (!market.ok) throw new Error(market.error.message);
  await until(() => session.snapshot().slots[0]!.state === 'OPEN');
  session.onVenueReports([
    {
      eventId: 'late-fill-1',
      kind: 'FILL',
      clientOrderId: stale.clientOrderId,
      price: 1_000,
      size: 0.01,
      ts: Date.now(),
    },
  ]);
  return { limit, stale, market };
}

it('reports a fault in a timer-driven input instead of crashing, and keeps the session running', () => {
  const {
    session,
    bus,
    published: seen,
    logged,
  } = startTestSession({
    seedCapital: 1_000,
    maxSlots: 1,
    tickIntervalMs: 60_000,
  });

  expect(() =>
    session.guarded('venue reports', () => {
      throw new Error('decoder out of step');
    }),
  ).not.toThrow();
  bus.flush();
  // The log has the exception under a reference; the window gets the reference, not the text.
  const reference = /^venue reports failed \[([0-9a-f]{8})\]: Error: decoder out of step/.exec(
    logged[0] ?? '',
  )?.[1];
  expect(reference, logged[0]).toBeDefined();
  const notice = seen.find((e) => e.type === 'notice' && e.code === 'HOST_FAULT');
  expect(notice).toMatchObject({ level: 'error', message: expect.stringContaining(`[${reference}]`) });
  expect(JSON.stringify(notice)).not.toContain('decoder out of step');
  expect(session.snapshot().session?.sessionId).toBe(session.sessionId);
});

it('fails closed when the journal refuses a write: kernel HALTED, venue stopped, nothing carried out, commands refused', async () => {
  const { session, journal, bus, published, logged } = startTestSession({
    seedCapital: 10_000,
    maxSlots: 2,
    tickIntervalMs: 60_000,
  });
  restLimitEntry(session);
  await vi.waitFor(() => expect(session.snapshot().openOrders.map((o) => o.status)).toEqual(['OPEN']));
  const [order] = session.snapshot().openOrders;
  const journaled = journal.page(session.sessionId, 0, 1_000).length;

  journal.failing = true;
  expect(() => session.cancelOrder(order!.clientOrderId)).toThrow('database is locked');
  journal.failing = false;

  const after = session.snapshot();
  expect(after.control?.mode).toBe('HALTED');
  // The kernel asked for a cancel that the journal never held: it was not sent.
  expect(after.openOrders.map((o) => o.status)).toEqual(['OPEN']);
  expect(journal.page(session.sessionId, 0, 1_000)).toHaveLength(journaled);
  const refused = marketEntry(session);
  expect(refused).toMatchObject({ ok: false, error: { code: 'JOURNAL_FAILED' } });
  expect(session.killSwitch(undefined)).toMatchObject({ ok: false, error: { code: 'JOURNAL_FAILED' } });
  expect(journal.page(session.sessionId, 0, 1_000)).toHaveLength(journaled);
  bus.flush();
  // The window is told SQLite's code and a reference into the log, which has the error's text.
  const told = published.find((e) => e.type === 'notice' && e.code === 'JOURNAL_FAILED');
  expect(told).toMatchObject({ level: 'error', message: expect.stringContaining('SQLITE_BUSY') });
  expect(JSON.stringify([told, refused])).not.toContain('database is locked');
  const reference = /\[([0-9a-f]{8})\]/.exec(session.journalFailure ?? '')?.[1];
  expect(logged.find((line) => line.includes(`[${reference}]`))).toContain('database is locked');
  // A timer's input that meets the same refusal is not told again as a HOST_FAULT.
  session.guarded('market step', () => {
    throw new Error('database is locked');
  });
  bus.flush();
  expect(published.filter((e) => e.type === 'notice' && e.code === 'HOST_FAULT')).toEqual([]);
  expect(session.journalFailure).toMatch(/^SQLITE_BUSY; the host log has the details under \[[0-9a-f]{8}\]$/);
});

it('counts a late fill for a cancelled order as an orphan position, tells the operator, and leaves the slot to its own trade', async () => {
  const { session, journal, bus, published } = startTestSession({
    seedCapital: 100_000,
    maxSlots: 1,
    latencyMs: 5,
    tickIntervalMs: 20,
  });
  const notices = () => published.flatMap((e) => (e.type === 'notice' ? [e.code] : []));
  const slot = () => session.snapshot().slots[0]!;
  const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 5_000 });

  const { limit, stale, market } = await orphanBesideAnOpenTrade(session);
  bus.flush();
  expect(notices()).toContain('LATE_FILL');
  expect(session.snapshot().account).toMatchObject({ orphanPositions: 1 });

  // The slot keeps its own trade; the revived one is journaled under its own lineage.
  expect(slot()).toMatchObject({
    state: 'OPEN',
    asset: 'ETH/USDT',
    correlationId: market.value.correlationId,
  });
  const lateFill = journal
    .page(session.sessionId, 0, 10_000)
    .find((e) => e.type === 'OrderFilled' && e.payload.clientOrderId === stale.clientOrderId);
  expect(lateFill?.correlationId).toBe(limit.correlationId);

  // The operator closes the orphan by its trade id: a reduce-only market order under the orphan's own
  // lineage, while the slot keeps its trade. (This paper venue never made the injected fill, so it holds
  // no such position and refuses the reduce-only order: the operator is told, and the orphan stays.)
  const orphanTradeId = lateFill?.payload.tradeId as string;
  const exit = session.exitTrade({ tradeId: orphanTradeId });
  if (!exit.ok) throw new Error(exit.error.message);
  expect(exit.value.tradeId).toBe(orphanTradeId);
  const orphanEvents = () =>
    journal.page(session.sessionId, 0, 10_000).filter((e) => e.payload.tradeId === orphanTradeId);
  const close = orphanEvents().find((e) => e.type === 'OrderRequested' && e.payload.reduceOnly === true);
  expect(close).toMatchObject({
    correlationId: limit.correlationId,
    payload: { orderType: 'MARKET', size: 0.01, closeReason: 'MANUAL' },
  });
  await until(() => orphanEvents().some((e) => e.type === 'OrderRejected'));
  bus.flush();
  expect(notices()).toContain('ORDER_REJECTED');
  expect(session.snapshot().account).toMatchObject({ orphanPositions: 1 });
  expect(slot()).toMatchObject({ state: 'OPEN', correlationId: market.value.correlationId });
});

it("counts an entry on its way to the venue in the exposure caps: the kernel's slots say what works, not the venue's book", () => {
  // A second's latency: no entry is in the venue's book yet when the next arrives.
  const { session } = startTestSession(
    { seedCapital: 100_000, maxSlots: 3, latencyMs: 1_000, tickIntervalMs: 60_000 },
    {},
    { maxAssetNotional: 700 },
  );
  expect(marketEntry(session).ok).toBe(true);
  expect(marketEntry(session).ok).toBe(true);
  expect(session.snapshot().openOrders).toEqual([]);
  // ~320 USDT each: a third takes ETH to ~960, over 700.
  const third = marketEntry(session);
  expect(third).toMatchObject({ ok: false, error: { code: 'RISK_REJECTED', gate: 'position_risk' } });
});

it('counts an orphan position in the exposure caps', async () => {
  const { session } = startTestSession(
    { seedCapital: 100_000, maxSlots: 1, latencyMs: 5, tickIntervalMs: 20 },
    {},
    { maxGrossNotional: 1_100 },
  );
  await orphanBesideAnOpenTrade(session);
  expect(session.snapshot().account).toMatchObject({ orphanPositions: 1 });
  // ~640 USDT of BTC held by the orphan and ~320 of ETH in the slot: another ~320 of ETH is over 1 100 in all.
  const next = marketEntry(session);
  expect(next).toMatchObject({ ok: false, error: { code: 'RISK_REJECTED', gate: 'position_risk' } });
  if (!next.ok) expect(next.error.message).toContain('in all');
});

it("cancels only the order named: not another trade's order in the slot the named one's trade has left", async () => {
  const { session } = startTestSession({
    seedCapital: 100_000,
    maxSlots: 1,
    latencyMs: 5,
    tickIntervalMs: 20,
  });
  const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 5_000 });
  const working = () => session.snapshot().openOrders.map((o) => o.clientOrderId);
  const first = restLimitEntry(session);
  await until(() => working().length === 1);
  const [stale] = working() as [string];
  // The kernel is told the entry was cancelled (the venue still lists it): its slot goes to the next trade.
  session.onVenueReports([{ eventId: 'cancel-1', kind: 'CANCELED', clientOrderId: stale, ts: Date.now() }]);
  await until(() => session.snapshot().slots[0]!.free);
  const second = restLimitEntry(session);
  await until(() => working().length === 2);
  expect(session.snapshot().slots[0]).toMatchObject({ tradeId: second.tradeId });

  const cancel = session.cancelOrder(stale);
  expect(cancel).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'clientOrderId' } });
  if (!cancel.ok) expect(cancel.error.message).toContain(`no longer works ${stale} (trade ${first.tradeId})`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(working()).toHaveLength(2);
  expect(session.snapshot().slots[0]).toMatchObject({ tradeId: second.tradeId, state: 'ENTRY_WORKING' });
});

it("sizes a trade's exit legs on its symbol's lot, not the kernel's finer one: no leg is off the venue's grid", async () => {
  // BTC's lot (0.001) is the kernel's; SOL trades in 0.01.
  const { session, journal } = startTestSession({
    seedCapital: 100_000,
    maxSlots: 1,
    latencyMs: 5,
    tickIntervalMs: 20,
    symbols: ['BTC/USDT', 'SOL/USDT'],
  });
  const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 5_000 });
  const entry = session.submitIntent({
    action: 'ENTER',
    asset: 'SOL/USDT',
    side: 'LONG',
    orderType: 'MARKET',
    targetSize: 0.05,
    leverage: 1,
    exitLegRatios: [0.5, 0.5],
    signalProvider: 'test',
  });
  if (!entry.ok) throw new Error(entry.error.message);
  await until(() => session.snapshot().slots[0]!.state === 'OPEN');
  const exits = () =>
    journal
      .page(session.sessionId, 0, 10_000)
      .filter((e) => e.type === 'OrderRequested' && e.payload.reduceOnly === true)
      .map((e) => e.payload.size);
  expect(session.exitTrade({ tradeId: entry.value.tradeId! }).ok).toBe(true);
  await until(() => session.snapshot().slots[0]!.size === 0.03);
  expect(session.exitTrade({ tradeId: entry.value.tradeId! }).ok).toBe(true);
  await until(() => session.snapshot().slots[0]!.free);
  // Half of 0.05 is 0.025: the first leg goes down to 0.02, the last takes the 0.03 left.
  expect(exits()).toEqual([0.02, 0.03]);
  const flags = journal
    .page(session.sessionId, 0, 10_000)
    .filter((e) => JSON.stringify(e.payload).includes('OVERFILL'));
  expect(flags).toEqual([]);
});

it("refuses an exit's limit price off its symbol's tick, finer ticks of other symbols notwithstanding", async () => {
  const { session, journal } = startTestSession({
    seedCapital: 100_000,
    maxSlots: 1,
    latencyMs: 5,
    tickIntervalMs: 20,
  });
  const entry = marketEntry(session);
  if (!entry.ok) throw new Error(entry.error.message);
  await vi.waitFor(() => expect(session.snapshot().slots[0]!.state).toBe('OPEN'), { timeout: 5_000 });
  const facts = () =>
    journal.page(session.sessionId, 0, 10_000).filter((e) => e.type !== 'TradeMonitoringTick').length;
  const before = facts();
  // SOL's tick (0.001) is the kernel's; ETH trades on 0.01.
  const exit = session.submitIntent({
    action: 'EXIT',
    asset: 'ETH/USDT',
    side: 'LONG',
    orderType: 'LIMIT',
    limitPrice: 3_000.005,
    targetSize: 0.1,
    leverage: 1,
    tradeId: entry.value.tradeId!,
    signalProvider: 'operator',
  });
  expect(exit).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'limitPrice' } });
  expect(facts()).toBe(before);
});

it('sends the window at most one snapshot per 100 ms, the last one after the last change', () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'setImmediate', 'Date', 'performance'] });
  try {
    const { session, bus } = startTestSession({
      seedCapital: 100_000,
      maxSlots: 6,
      latencyMs: 60_000,
      tickIntervalMs: 60_000,
    });
    const sent: { at: number; busy: number }[] = [];
    bus.subscribe((batch) => {
      for (const event of batch) {
        if (event.type === 'snapshot') {
          sent.push({ at: performance.now(), busy: event.snapshot.slots.filter((s) => !s.free).length });
        }
      }
    });
    const start = performance.now();
    // Six commands 30 ms apart, each a change the window must see.
    for (let i = 0; i < 6; i++) {
      restLimitEntry(session);
      vi.advanceTimersByTime(30);
    }
    vi.advanceTimersByTime(300);
    // The first goes at once (the bus delivers on the next turn), the others on the interval; the last shows all six.
    expect(sent.map((s) => s.busy)).toEqual([1, 4, 6]);
    expect(sent[0]!.at - start).toBeLessThanOrEqual(1);
    expect(sent.slice(1).map((s, i) => s.at - sent[i]!.at)).toEqual([100, 100]);
  } finally {
    vi.useRealTimers();
  }
});

it('spends at most a tenth of its time on snapshots when one is slow to build', () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'setImmediate', 'Date'] });
  try {
    // The session's monotonic clock: the fake timers' time plus what the slow snapshots took.
    let built = 0;
    const monotonic = () => Date.now() + built;
    const { session } = startTestSession(
      { seedCapital: 100_000, maxSlots: 3, latencyMs: 60_000, tickIntervalMs: 60_000 },
      { monotonic },
    );
    // A test double of a large book: each snapshot takes 30 ms to build.
    const startedAt: number[] = [];
    const busy: number[] = [];
    const build = session.snapshot.bind(session);
    session.snapshot = () => {
      startedAt.push(monotonic());
      built += 30;
      const snapshot = build();
      busy.push(snapshot.slots.filter((s) => !s.free).length);
      return snapshot;
    };
    for (let i = 0; i < 3; i++) {
      restLimitEntry(session);
      vi.advanceTimersByTime(40);
    }
    vi.advanceTimersByTime(1_000);
    // The first at once; the next no sooner than 10 × 30 ms after the first started, and it shows all three.
    expect(busy).toEqual([1, 3]);
    expect(startedAt[1]! - startedAt[0]!).toBe(300);
  } finally {
    vi.useRealTimers();
  }
});

it("news of a closed trade's order, after its slot went to the next trade, leaves the slot the next trade's", async () => {
  // The venue answers in 200 ms: the reports below overtake its own.
  const { session, journal } = startTestSession({
    seedCapital: 100_000,
    maxSlots: 1,
    latencyMs: 200,
    tickIntervalMs: 20,
  });
  const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 5_000 });
  const working = () => session.snapshot().openOrders.map((o) => o.clientOrderId);
  const entry = marketEntry(session);
  if (!entry.ok) throw new Error(entry.error.message);
  await until(() => session.snapshot().slots[0]!.state === 'OPEN');
  const farExit = () => {
    const exit = session.submitIntent({
      action: 'EXIT',
      asset: 'ETH/USDT',
      side: 'LONG',
      orderType: 'LIMIT',
      limitPrice: 100_000,
      targetSize: 0.1,
      leverage: 1,
      tradeId: entry.value.tradeId!,
      signalProvider: 'operator',
    });
    if (!exit.ok) throw new Error(exit.error.message);
  };
  farExit();
  await until(() => session.snapshot().slots[0]!.state === 'EXIT_WORKING');
  const [first] = working() as [string];
  expect(session.cancelOrder(first).ok).toBe(true);
  await until(() => session.snapshot().slots[0]!.state === 'OPEN');
  farExit();
  await until(() => session.snapshot().slots[0]!.state === 'EXIT_WORKING');
  const second = working().find((id) => id !== first)!;
  const report = (
    eventId: string,
    kind: 'FILL' | 'ACK' | 'CANCELED' | 'CANCEL_REJECTED',
    clientOrderId: string,
  ) =>
    session.onVenueReports([
      {
        eventId,
        kind,
        clientOrderId,
        ts: Date.now(),
        ...(kind === 'FILL' ? { price: 3_000, size: 0.1 } : {}),
      },
    ]);
  // The cancelled exit filled after all: the trade closes under the second exit, which the kernel cancels.
  report('late-exit-fill', 'FILL', first);
  const next = restLimitEntry(session);
  report('next-ack', 'ACK', `${next.tradeId}-E1`);
  // The venue's word on that second exit comes once the slot holds the next trade: news, no stage change.
  report('old-exit-canceled', 'CANCELED', second);
  // Then a refusal of a cancel never asked, about the next trade's entry: told under the next trade's lineage.
  report('stray-refusal', 'CANCEL_REJECTED', `${next.tradeId}-E1`);
  const told = journal.page(session.sessionId, 0, 10_000).filter((e) => e.type === 'KernelDiagnostic');
  expect(told.map((e) => [e.correlationId, e.payload.diagnosticCode])).toEqual([
    [next.correlationId, 'ILLEGAL_TRANSITION'],
  ]);
});
