import { describe, expect, it } from 'vitest';
import type {
  AccountSnapshot,
  CockpitEvent,
  JournalEvent,
  PendingIntent,
  ReplayState,
  RiskEnvelope,
  SessionInfo,
  SlotSnapshot,
  Snapshot,
} from '../../../shared/index.js';
import {
  appendJournal,
  appendPnl,
  applyBatch,
  compactBatch,
  initialData,
  isRunning,
  pushNotice,
  shareRows,
  lineageTouch,
} from './apply.js';
import { LIMITS, type DataState } from './types.js';

const session = (id = 's1', extra: Partial<SessionInfo> = {}): SessionInfo => ({
  sessionId: id,
  startedAt: 1_000,
  venue: 'paper',
  symbols: ['BTC/USDT', 'ETH/USDT'],
  seed: 1,
  seedCapital: 10_000,
  maxSlots: 2,
  ...extra,
});

const account = (equity = 10_000, realized = 0, unrealized = 0): AccountSnapshot => ({
  seedCapital: 10_000,
  capital: 10_000,
  equity,
  realizedPnl: realized,
  unrealizedPnl: unrealized,
  feesPaid: 0,
  fundingNet: 0,
  availableCapital: 10_000,
  reconcileStatus: 'OK',
  reconcileDelta: 0,
  reconcileExplanation: 'no exchange report yet',
});

const slot = (slotId: number, extra: Partial<SlotSnapshot> = {}): SlotSnapshot => ({
  slotId,
  state: 'IDLE',
  free: true,
  size: 0,
  initialSize: 0,
  entryPrice: 0,
  markPrice: 0,
  unrealizedPnl: 0,
  realizedPnl: 0,
  fees: 0,
  leverage: 1,
  ...extra,
});

const snapshot = (extra: Partial<Snapshot> = {}): Snapshot => ({
  session: session(),
  slots: [slot(0), slot(1)],
  account: account(),
  openOrders: [],
  trades: [],
  marks: { 'BTC/USDT': 100 },
  control: { mode: 'ACTIVE' },
  risk: risk(),
  strategy: null,
  pendingIntents: [],
  replay: null,
  ...extra,
});

const replay = (extra: Partial<ReplayState> = {}): ReplayState => ({
  feed: 'march.csv',
  paused: false,
  speed: 60,
  position: Date.UTC(2024, 2, 1, 0, 14),
  ended: false,
  ...extra,
});

const risk = (extra: Partial<RiskEnvelope> = {}): RiskEnvelope => ({
  shortingDisabled: false,
  supervised: false,
  supervisorTtlMs: 60_000,
  ...extra,
});

const pending = (intentId: string, extra: Partial<PendingIntent> = {}): PendingIntent => ({
  intentId,
  correlationId: `c-${intentId}`,
  signalProvider: 'breakout',
  asset: 'BTC/USDT',
  side: 'LONG',
  orderType: 'MARKET',
  targetSize: 0.01,
  referencePrice: 100,
  leverage: 1,
  notional: 1,
  createdAt: 1_000,
  expiresAt: 61_000,
  ...extra,
});

let seq = 0;
const journal = (correlationId: string, extra: Partial<JournalEvent> = {}): JournalEvent => ({
  sessionId: 's1',
  seq: ++seq,
  eventId: `e${seq}`,
  type: 'OrderPlaced',
  source: 'kernel',
  correlationId,
  causationId: 'c',
  ts: 1_000 + seq,
  payload: {},
  ...extra,
});

const apply = (state: DataState, batch: CockpitEvent[], now = 5_000): DataState => ({
  ...state,
  ...applyBatch(state, batch, now),
});

describe('compactBatch (the per-frame buffer)', () => {
  it('keeps journal events in order, never drops them, and coalesces marks to the latest per asset', () => {
    const j = [journal('a'), journal('b'), journal('a')];
    const out = compactBatch([
      { type: 'marks', ticks: [{ asset: 'BTC/USDT', price: 1, ts: 1 }] },
      { type: 'journal', event: j[0]! },
      {
        type: 'marks',
        ticks: [
          { asset: 'BTC/USDT', price: 2, ts: 2 },
          { asset: 'ETH/USDT', price: 9, ts: 2 },
        ],
      },
      { type: 'journal', event: j[1]! },
      { type: 'marks', ticks: [{ asset: 'BTC/USDT', price: 0.5, ts: 1 }] },
      { type: 'journal', event: j[2]! },
    ]);
    expect(
      out.filter((e) => e.type === 'journal').map((e) => (e.type === 'journal' ? e.event : null)),
    ).toEqual(j);
    const marks = out.filter((e) => e.type === 'marks');
    expect(marks).toHaveLength(1);
    expect(out[out.length - 1]).toEqual({
      type: 'marks',
      ticks: [
        { asset: 'BTC/USDT', price: 2, ts: 2 },
        { asset: 'ETH/USDT', price: 9, ts: 2 },
      ],
    });
  });

  it('keeps only the newest snapshot, at its own position relative to session events', () => {
    const first = snapshot();
    const last = snapshot({ session: session('s1', { stoppedAt: 9 }) });
    const stopped: CockpitEvent = {
      type: 'session',
      state: 'stopped',
      session: session('s1', { stoppedAt: 9 }),
    };
    const out = compactBatch([
      { type: 'snapshot', snapshot: first },
      stopped,
      { type: 'snapshot', snapshot: last },
    ]);
    expect(out).toEqual([stopped, { type: 'snapshot', snapshot: last }]);
  });
});

describe('applyBatch', () => {
  it('hydrates the book, the session and the marks from a snapshot, and samples PnL', () => {
    const state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot() }]);
    expect(state.book.hydrated).toBe(true);
    expect(state.book.slots).toHaveLength(2);
    expect(state.session.current?.sessionId).toBe('s1');
    expect(isRunning(state.session.current)).toBe(true);
    expect(state.session.sessions.map((s) => s.sessionId)).toEqual(['s1']);
    expect(state.market.marks['BTC/USDT']?.price).toBe(100);
    expect(state.pnl.points).toEqual([{ t: 5_000, equity: 10_000, realized: 0, unrealized: 0 }]);
  });

  it('returns only the slices that changed', () => {
    const state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot() }]);
    const changed = applyBatch(
      state,
      [{ type: 'marks', ticks: [{ asset: 'BTC/USDT', price: 101, ts: 6_000 }] }],
      6_000,
    );
    expect(Object.keys(changed)).toEqual(['market']);
    expect(changed.market?.marks['BTC/USDT']).toEqual({ price: 101, prev: 100, ts: 6_000 });
    expect(applyBatch(state, [], 7_000)).toEqual({});
  });

  it('ignores a mark older than the one it has', () => {
    let state = apply(initialData(), [{ type: 'marks', ticks: [{ asset: 'ETH/USDT', price: 10, ts: 50 }] }]);
    state = apply(state, [{ type: 'marks', ticks: [{ asset: 'ETH/USDT', price: 9, ts: 40 }] }]);
    expect(state.market.marks['ETH/USDT']?.price).toBe(10);
  });

  it('keeps unchanged slot objects so memoized rows do not re-render', () => {
    const state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot() }]);
    const busy = slot(1, { state: 'OPEN', free: false, size: 1, asset: 'BTC/USDT', correlationId: 'c1' });
    const next = apply(state, [{ type: 'snapshot', snapshot: snapshot({ slots: [slot(0), busy] }) }]);
    expect(next.book.slots[0]).toBe(state.book.slots[0]);
    expect(next.book.slots[1]).not.toBe(state.book.slots[1]);
    const same = apply(next, [{ type: 'snapshot', snapshot: snapshot({ slots: [slot(0), { ...busy }] }) }]);
    expect(same.book.slots).toBe(next.book.slots);
  });

  it('applies journal events in order, grouped by lineage, skipping seqs already seen', () => {
    const a1 = journal('a');
    const b1 = journal('b');
    const a2 = journal('a');
    let state = apply(initialData(), [
      { type: 'journal', event: a1 },
      { type: 'journal', event: b1 },
      { type: 'journal', event: a2 },
    ]);
    state = apply(state, [{ type: 'journal', event: a2 }]);
    expect(state.journal.byCorrelation.a).toEqual([a1, a2]);
    expect(state.journal.byCorrelation.b).toEqual([b1]);
    expect(state.journal.tape).toEqual([a1, b1, a2]);
    expect(state.journal.order).toEqual(['b', 'a']);
    expect(state.journal.lastSeq).toBe(a2.seq);
  });

  it('bounds the events kept per lineage and the lineages kept', () => {
    const many = Array.from({ length: LIMITS.journalPerLineage + 10 }, () => journal('x'));
    const j = appendJournal(initialData().journal, many);
    expect(j.byCorrelation.x).toHaveLength(LIMITS.journalPerLineage);
    expect(j.byCorrelation.x![0]).toBe(many[10]);
    const lineages = Array.from({ length: LIMITS.journalLineages + 5 }, (_, i) => journal(`l${i}`));
    const k = appendJournal(initialData().journal, lineages);
    expect(k.order).toHaveLength(LIMITS.journalLineages);
    expect(k.byCorrelation.l0).toBeUndefined();
    expect(k.byCorrelation[`l${LIMITS.journalLineages + 4}`]).toHaveLength(1);
    expect(k.tape.length).toBeLessThanOrEqual(LIMITS.tape);
  });

  it('turns notices into newest-first items, bounded', () => {
    let state = initialData();
    for (let i = 0; i < LIMITS.notices + 3; i++) {
      state = apply(state, [
        { type: 'notice', level: 'warning', code: 'LATE_FILL', message: `n${i}`, ts: i },
      ]);
    }
    expect(state.notices.items).toHaveLength(LIMITS.notices);
    expect(state.notices.items[0]?.message).toBe(`n${LIMITS.notices + 2}`);
  });

  it('marks the session stopped on a session event', () => {
    let state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot() }]);
    state = apply(state, [
      { type: 'session', state: 'stopped', session: session('s1', { stoppedAt: 9_000 }) },
    ]);
    expect(isRunning(state.session.current)).toBe(false);
    expect(state.session.sessions[0]?.stoppedAt).toBe(9_000);
  });

  it('clears per-session views (and ends a review) when another session starts, but keeps its early events', () => {
    let state = apply(initialData(), [
      { type: 'snapshot', snapshot: snapshot() },
      { type: 'journal', event: journal('old') },
    ]);
    state = {
      ...state,
      lineage: { ...state.lineage, correlationId: 'old', status: 'ready' },
      review: { sessionId: 's0', trades: [], status: 'ready', error: null },
    };
    const early = journal('new', { sessionId: 's2', seq: 1 });
    state = apply(state, [
      { type: 'journal', event: early },
      { type: 'session', state: 'started', session: session('s2', { startedAt: 2_000 }) },
    ]);
    expect(state.session.current?.sessionId).toBe('s2');
    expect(state.session.sessions.map((s) => s.sessionId)).toEqual(['s2', 's1']);
    expect(state.pnl.points).toEqual([]);
    expect(state.lineage.correlationId).toBeNull();
    expect(state.review.sessionId).toBeNull();
    expect(state.journal.byCorrelation).toEqual({ new: [early] });
    expect(state.book.slots).toEqual([]);
    expect(state.book.account).toBeNull();
    expect(state.book.control).toBeNull();
  });

  it("clears the old session's limits, strategy and waiting entries when another session starts", () => {
    let state = apply(initialData(), [
      {
        type: 'snapshot',
        snapshot: snapshot({
          risk: risk({ supervised: true }),
          strategy: {
            name: 'breakout',
            notional: 100,
            lookbackTicks: 50,
            cooldownMs: 30_000,
            takeProfitPct: 0.5,
            stopLossPct: 0.25,
          },
          pendingIntents: [pending('I1')],
        }),
      },
    ]);
    expect(state.book.pendingIntents.map((p) => p.intentId)).toEqual(['I1']);
    state = apply(state, [
      { type: 'session', state: 'started', session: session('s2', { startedAt: 2_000 }) },
    ]);
    expect(state.book.risk).toBeNull();
    expect(state.book.strategy).toBeNull();
    expect(state.book.pendingIntents).toEqual([]);
    expect(state.book.hydrated).toBe(true);
  });

  it('clears the old PnL curve when a session starts after a spell with none (a restarted host)', () => {
    let state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot() }], 5_000);
    expect(state.pnl.points).toHaveLength(1);
    state = apply(state, [
      { type: 'snapshot', snapshot: snapshot({ session: null, slots: [], account: null }) },
    ]);
    expect(state.session.current).toBeNull();
    state = apply(
      state,
      [{ type: 'snapshot', snapshot: snapshot({ session: session('s2', { startedAt: 9_000 }) }) }],
      9_500,
    );
    expect(state.session.viewsOf).toBe('s2');
    expect(state.pnl.points.map((p) => p.t)).toEqual([9_500]);
  });

  it('takes the trading mode from each snapshot, keeping the object while it is unchanged', () => {
    const state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot() }]);
    expect(state.book.control).toEqual({ mode: 'ACTIVE' });
    const same = apply(state, [{ type: 'snapshot', snapshot: snapshot({ control: { mode: 'ACTIVE' } }) }]);
    expect(same.book.control).toBe(state.book.control);
    const killed = { mode: 'HALTED' as const, killSwitchAt: 4_000 };
    const halted = apply(same, [{ type: 'snapshot', snapshot: snapshot({ control: killed }) }]);
    expect(halted.book.control).toEqual(killed);
    const stopped = apply(halted, [{ type: 'snapshot', snapshot: snapshot({ control: null }) }]);
    expect(stopped.book.control).toBeNull();
  });

  it('takes the risk envelope, the strategy and the waiting entries from each snapshot', () => {
    const envelope = risk({ supervised: true, maxOrderNotional: 500, allowedOrderTypes: ['MARKET'] });
    const strategy = {
      name: 'breakout' as const,
      notional: 250,
      lookbackTicks: 50,
      cooldownMs: 30_000,
      takeProfitPct: 0.5,
      stopLossPct: 0.25,
    };
    const state = apply(initialData(), [
      {
        type: 'snapshot',
        snapshot: snapshot({ risk: envelope, strategy, pendingIntents: [pending('I1'), pending('I2')] }),
      },
    ]);
    expect(state.book.risk).toEqual(envelope);
    expect(state.book.strategy).toEqual(strategy);
    expect(state.book.pendingIntents.map((p) => p.intentId)).toEqual(['I1', 'I2']);

    // The same settings and rows again (new objects, as every snapshot brings): the old ones are kept.
    const again = apply(state, [
      {
        type: 'snapshot',
        snapshot: snapshot({
          risk: { ...envelope, allowedOrderTypes: ['MARKET'] },
          strategy: { ...strategy },
          pendingIntents: [pending('I1'), pending('I2')],
        }),
      },
    ]);
    expect(again.book.risk).toBe(state.book.risk);
    expect(again.book.strategy).toBe(state.book.strategy);
    expect(again.book.pendingIntents).toBe(state.book.pendingIntents);

    // I1 granted, I3 proposed: I2's row object is kept, in the host's order.
    const moved = apply(again, [
      {
        type: 'snapshot',
        snapshot: snapshot({ risk: envelope, strategy, pendingIntents: [pending('I2'), pending('I3')] }),
      },
    ]);
    expect(moved.book.pendingIntents.map((p) => p.intentId)).toEqual(['I2', 'I3']);
    expect(moved.book.pendingIntents[0]).toBe(state.book.pendingIntents[1]);

    const changed = apply(moved, [
      {
        type: 'snapshot',
        snapshot: snapshot({ risk: { ...envelope, allowedOrderTypes: ['MARKET', 'LIMIT'] } }),
      },
    ]);
    expect(changed.book.risk?.allowedOrderTypes).toEqual(['MARKET', 'LIMIT']);
    expect(changed.book.strategy).toBeNull();
    expect(changed.book.pendingIntents).toEqual([]);
  });

  it('reads a snapshot without risk fields (a host without risk gates) as none set', () => {
    const { risk: _risk, strategy: _strategy, pendingIntents: _pending, ...old } = snapshot();
    const state = apply(initialData(), [{ type: 'snapshot', snapshot: old as Snapshot }]);
    expect(state.book.risk).toBeNull();
    expect(state.book.strategy).toBeNull();
    expect(state.book.pendingIntents).toEqual([]);
  });

  it("takes the replay's state from each snapshot, keeping the object while it stands still", () => {
    const state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot({ replay: replay() }) }]);
    expect(state.book.replay).toEqual(replay());
    const same = apply(state, [{ type: 'snapshot', snapshot: snapshot({ replay: replay() }) }]);
    expect(same.book.replay).toBe(state.book.replay);
    const paused = apply(same, [
      { type: 'snapshot', snapshot: snapshot({ replay: replay({ paused: true, speed: 600 }) }) },
    ]);
    expect(paused.book.replay).toMatchObject({ paused: true, speed: 600 });
    const later = Date.UTC(2024, 2, 1, 0, 19);
    const ended = apply(paused, [
      { type: 'snapshot', snapshot: snapshot({ replay: replay({ position: later, ended: true }) }) },
    ]);
    expect(ended.book.replay).toMatchObject({ position: later, ended: true, paused: false });
    // The host's last snapshot of a stopped session, and a synthetic session's, carry none.
    const stopped = apply(ended, [
      {
        type: 'snapshot',
        snapshot: snapshot({ session: session('s1', { stoppedAt: 9_000 }), control: null, replay: null }),
      },
    ]);
    expect(stopped.book.replay).toBeNull();
  });

  it("drops the old session's replay when another session starts, and reads a host that sends none as none", () => {
    let state = apply(initialData(), [{ type: 'snapshot', snapshot: snapshot({ replay: replay() }) }]);
    state = apply(state, [
      { type: 'session', state: 'started', session: session('s2', { startedAt: 2_000 }) },
    ]);
    expect(state.book.replay).toBeNull();
    const { replay: _replay, ...old } = snapshot({ session: session('s2', { startedAt: 2_000 }) });
    state = apply(state, [{ type: 'snapshot', snapshot: old as Snapshot }]);
    expect(state.book.replay).toBeNull();
  });

  it('takes one PnL sample per frame from the newest snapshot', () => {
    const state = apply(initialData(), [
      { type: 'snapshot', snapshot: snapshot({ account: account(10_001, 1, 0) }) },
      { type: 'snapshot', snapshot: snapshot({ account: account(10_005, 1, 4) }) },
    ]);
    expect(state.pnl.points).toEqual([{ t: 5_000, equity: 10_005, realized: 1, unrealized: 4 }]);
  });

  it('tells whether a batch touched a lineage, and whether by its monitoring ticks alone', () => {
    const tick = (correlationId: string): CockpitEvent => ({
      type: 'journal',
      event: journal(correlationId, { type: 'TradeMonitoringTick' }),
    });
    const marks: CockpitEvent = { type: 'marks', ticks: [] };
    expect(lineageTouch([{ type: 'journal', event: journal('q') }, marks], 'q')).toBe('change');
    expect(lineageTouch([tick('q'), tick('q'), { type: 'journal', event: journal('r') }], 'q')).toBe('tick');
    expect(lineageTouch([tick('q'), { type: 'journal', event: journal('q') }, tick('q')], 'q')).toBe(
      'change',
    );
    expect(lineageTouch([tick('r'), marks], 'q')).toBeNull();
  });
});

describe('appendPnl', () => {
  it('stays bounded and keeps the whole session: the older half is thinned, its first point and a spike kept', () => {
    let pnl = { points: [] as DataState['pnl']['points'] };
    const total = LIMITS.pnlPoints * 4;
    // A drawdown early in the session: one point far below the rest.
    const equity = (i: number) => (i === 700 ? 5_000 : 10_000 + (i % 7));
    for (let i = 0; i < total; i++) pnl = appendPnl(pnl, account(equity(i)), i * 10);
    expect(pnl.points.length).toBeLessThanOrEqual(LIMITS.pnlPoints);
    expect(pnl.points[0]?.t).toBe(0);
    expect(pnl.points.at(-1)?.t).toBe((total - 1) * 10);
    expect(pnl.points.some((p) => p.equity === 5_000)).toBe(true);
    // The newest stretch is whole: every point of the last thousand.
    expect(pnl.points.slice(-1_000).map((p) => p.t)).toEqual(
      Array.from({ length: 1_000 }, (_, k) => (total - 1_000 + k) * 10),
    );
  });

  it('skips an unchanged value within a second and never goes back in time', () => {
    let pnl = appendPnl({ points: [] }, account(1), 1_000);
    expect(appendPnl(pnl, account(1), 1_500)).toBe(pnl);
    expect(appendPnl(pnl, account(1), 2_100).points).toHaveLength(2);
    pnl = appendPnl(pnl, account(2), 900);
    expect(pnl.points).toEqual([{ t: 1_000, equity: 2, realized: 0, unrealized: 0 }]);
  });

  it('ignores non-finite accounts', () => {
    const pnl = { points: [] };
    expect(appendPnl(pnl, account(Number.NaN), 1)).toBe(pnl);
    expect(appendPnl(pnl, null, 1)).toBe(pnl);
  });
});

describe('helpers', () => {
  it('shareRows returns the previous array when nothing changed', () => {
    const prev = [{ id: 'a', v: 1 }];
    expect(shareRows(prev, [{ id: 'a', v: 1 }], (r) => r.id)).toBe(prev);
    expect(shareRows(prev, [{ id: 'a', v: 2 }], (r) => r.id)).not.toBe(prev);
  });

  it('pushNotice numbers notices', () => {
    const n = pushNotice(initialData().notices, { level: 'info', code: 'X', message: 'm', ts: 1 });
    expect(n.items[0]?.id).toBe(1);
    expect(n.nextId).toBe(2);
  });
});
