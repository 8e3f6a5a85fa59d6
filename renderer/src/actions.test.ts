// The lineage re-fetch: at most one request in flight per lineage, and at most
// one more per frame however many journal events arrive meanwhile.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CockpitEvent, JournalEvent, PendingIntent, SessionInfo, Snapshot } from '../../shared/index.js';
import {
  abandonSession,
  afterBatch,
  command,
  grantIntent,
  noteArrival,
  refreshSnapshot,
  rejectIntent,
  resumeSession,
  reviewSession,
  selectLineage,
  setLineageScheduler,
  setReplay,
  setSnapshotSink,
} from './actions.js';
import { useCockpit } from './store/store.js';

type Call = { name: string; request: object; resolve: (value: unknown) => void };

let calls: Call[];
let frames: (() => void)[];

const journal = (correlationId: string, seq: number): CockpitEvent => ({
  type: 'journal',
  event: {
    sessionId: 's',
    seq,
    eventId: `e${seq}`,
    type: 'OrderPlaced',
    source: 'kernel',
    correlationId,
    causationId: 'x',
    ts: seq,
    payload: {},
  } satisfies JournalEvent,
});

const graph = (correlationId: string, state: string) => ({
  ok: true,
  correlationId,
  nodes: [{ id: 'order:1', kind: 'order', state, label: 'o', events: [] }],
  edges: [],
});

/** The read model of a host with no session, with `over` in place of what a test needs. */
const snapshot = (over: Partial<Snapshot>): Snapshot => ({
  session: null,
  slots: [],
  account: null,
  openOrders: [],
  trades: [],
  marks: {},
  control: null,
  risk: null,
  strategy: null,
  pendingIntents: [],
  replay: null,
  ...over,
});

const flushPromises = () => new Promise((r) => setTimeout(r, 0));

/** The lineage re-fetches wait in `frames` for a test to run them, frame by frame. */
const scheduleOnFrames = (options: Parameters<typeof setLineageScheduler>[1]) =>
  setLineageScheduler((cb) => {
    frames.push(cb);
    return () => {
      frames = frames.filter((f) => f !== cb);
    };
  }, options);

beforeEach(() => {
  calls = [];
  frames = [];
  (globalThis as { window?: unknown }).window = {
    cockpit: {
      invoke: (name: string, request: object) =>
        new Promise((resolve) => calls.push({ name, request, resolve })),
      subscribe: () => () => {},
    },
  };
  scheduleOnFrames({ minIntervalMs: 0 });
  useCockpit.getState().setLineageSelection(null);
  useCockpit.getState().clearNotices();
});

afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
});

describe('lineage re-fetch', () => {
  it('fetches on selection, then once more after a burst of its journal events', async () => {
    selectLineage('c1');
    expect(calls.map((c) => [c.name, c.request])).toEqual([['lineage', { correlationId: 'c1' }]]);
    expect(useCockpit.getState().lineage.status).toBe('loading');

    afterBatch([journal('c1', 1)]);
    afterBatch([journal('c1', 2), journal('other', 3)]);
    afterBatch([journal('c1', 4)]);
    expect(calls).toHaveLength(1); // still in flight: no second request yet

    calls[0]!.resolve(graph('c1', 'PLACED'));
    await flushPromises();
    expect(useCockpit.getState().lineage.graph?.nodes[0]?.state).toBe('PLACED');
    expect(calls).toHaveLength(1);
    expect(frames).toHaveLength(1); // the follow-up waits for the next frame

    frames.shift()!();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(graph('c1', 'CANCELED'));
    await flushPromises();
    expect(useCockpit.getState().lineage.graph?.nodes[0]?.state).toBe('CANCELED');
    expect(frames).toHaveLength(0);
  });

  it('ignores events of other lineages and drops a stale answer after the selection moved', async () => {
    selectLineage('a');
    afterBatch([journal('zzz', 1)]);
    selectLineage('b');
    expect(calls.map((c) => (c.request as { correlationId: string }).correlationId)).toEqual(['a', 'b']);
    calls[0]!.resolve(graph('a', 'FILLED'));
    calls[1]!.resolve(graph('b', 'PLACED'));
    await flushPromises();
    const { lineage } = useCockpit.getState();
    expect(lineage.correlationId).toBe('b');
    expect(lineage.graph?.correlationId).toBe('b');
    expect(frames).toHaveLength(0);
  });

  it('shows a failed lineage request on the graph, not as a notice', async () => {
    selectLineage('gone');
    calls[0]!.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'no such lineage' } });
    await flushPromises();
    expect(useCockpit.getState().lineage).toMatchObject({ status: 'error', error: 'no such lineage' });
    expect(useCockpit.getState().notices.items).toHaveLength(0);
  });
});

describe('lineage re-fetch interval', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts fetches of one lineage at least the interval apart, then on a frame', async () => {
    vi.useFakeTimers();
    let now = 1_000;
    scheduleOnFrames({ minIntervalMs: 200, now: () => now });
    selectLineage('slow');
    calls[0]!.resolve(graph('slow', 'PLACED'));
    await vi.advanceTimersByTimeAsync(0);
    now += 50;
    afterBatch([journal('slow', 1)]);
    afterBatch([journal('slow', 2)]);
    expect(calls).toHaveLength(1);
    expect(frames).toHaveLength(0); // waiting out the interval first
    now += 150;
    await vi.advanceTimersByTimeAsync(150);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(calls).toHaveLength(2);
    // A different lineage is fetched at once, whatever the interval.
    selectLineage('fast');
    expect(calls).toHaveLength(3);
  });
});

describe("a long-lived trade's monitoring ticks", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const tick = (correlationId: string, seq: number): CockpitEvent => {
    const event = journal(correlationId, seq);
    return event.type === 'journal'
      ? { ...event, event: { ...event.event, type: 'TradeMonitoringTick' } }
      : event;
  };

  it('fetch its graph again at most once per tick interval; any other event of it at once', async () => {
    vi.useFakeTimers();
    let now = 10_000;
    scheduleOnFrames({ minIntervalMs: 200, tickIntervalMs: 5_000, now: () => now });
    const lineages = () => calls.filter((c) => c.name === 'lineage');
    const second = async (seq: number, event = tick('held', seq)) => {
      now += 1_000;
      await vi.advanceTimersByTimeAsync(1_000);
      frames.splice(0).forEach((run) => run());
      afterBatch([event]);
      frames.splice(0).forEach((run) => run());
      lineages().at(-1)?.resolve(graph('held', 'OPEN'));
      await vi.advanceTimersByTimeAsync(0);
    };
    selectLineage('held');
    calls[0]!.resolve(graph('held', 'OPEN'));
    await vi.advanceTimersByTimeAsync(0);

    // A tick a second: one fetch in the first 5 s after the last, not five.
    for (let seq = 1; seq <= 4; seq++) await second(seq);
    expect(lineages()).toHaveLength(1);
    await second(5);
    await second(6);
    expect(lineages()).toHaveLength(2);

    // A fill, a cancel, an exit: at once, whatever the ticks wait for.
    await second(7, journal('held', 7));
    expect(lineages()).toHaveLength(3);
    for (let seq = 8; seq <= 12; seq++) await second(seq);
    expect(lineages()).toHaveLength(4);

    // An answer that comes after another lineage was selected is still dropped.
    afterBatch([journal('held', 13)]);
    now += 200;
    await vi.advanceTimersByTimeAsync(200);
    frames.splice(0).forEach((run) => run());
    const late = lineages().at(-1)!;
    selectLineage('other');
    lineages().at(-1)!.resolve(graph('other', 'PLACED'));
    late.resolve(graph('held', 'CLOSED'));
    await vi.advanceTimersByTimeAsync(10_000);
    frames.splice(0).forEach((run) => run());
    expect(useCockpit.getState().lineage.graph?.correlationId).toBe('other');
    expect(lineages().map((c) => (c.request as { correlationId: string }).correlationId)).toEqual([
      ...Array<string>(5).fill('held'),
      'other',
    ]);
  });
});

describe('commands', () => {
  it('reports a failed command in words in the notices', async () => {
    const pending = command('order.cancel', { clientOrderId: 'x' });
    calls[0]!.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'order x is not open' } });
    await expect(pending).resolves.toMatchObject({ ok: false });
    expect(useCockpit.getState().notices.items[0]).toMatchObject({
      level: 'error',
      code: 'NOT_FOUND',
      message: 'order.cancel: order x is not open',
    });
  });

  it('says a command a drop cut off may have been carried out, as a warning, not as a refusal', async () => {
    const pending = command('trade.exit', { slotId: 2 });
    calls[0]!.resolve({
      ok: false,
      error: { code: 'OUTCOME_UNKNOWN', message: 'the connection dropped before the host answered' },
    });
    await pending;
    const [notice] = useCockpit.getState().notices.items;
    expect(notice).toMatchObject({ level: 'warning', code: 'OUTCOME_UNKNOWN' });
    expect(notice?.message).toBe(
      'trade.exit: the connection dropped before the host answered — it may have been carried out; check the slots and trades once reconnected',
    );
  });

  it('turns a malformed or thrown answer into a typed INTERNAL failure', async () => {
    const pending = command('snapshot', {}, { quiet: true });
    calls[0]!.resolve('nonsense');
    await expect(pending).resolves.toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'the host sent no answer' },
    });
  });
});

describe('the supervisor gate', () => {
  it('grants a waiting entry and opens its lineage; a refusal is answered, not added to the notices', async () => {
    const granted = grantIntent({ intentId: 'I1', correlationId: 'C1' });
    expect(calls.map((c) => [c.name, c.request])).toEqual([['intent.grant', { intentId: 'I1' }]]);
    calls[0]!.resolve({ ok: true, intentId: 'I1', correlationId: 'C1', tradeId: 'T1', slotId: 0 });
    await expect(granted).resolves.toMatchObject({ ok: true, correlationId: 'C1' });
    expect(useCockpit.getState().lineage.correlationId).toBe('C1');

    const refused = grantIntent({ intentId: 'I2', correlationId: 'C2' });
    calls.at(-1)!.resolve({
      ok: false,
      error: { code: 'RISK_REJECTED', gate: 'position_risk', message: 'gross notional over 5000' },
    });
    await expect(refused).resolves.toMatchObject({ ok: false, error: { gate: 'position_risk' } });
    expect(useCockpit.getState().lineage.correlationId).toBe('C1');
    // The panel shows it in the row's place, and the host tells a gate's refusal itself: a third copy would be noise.
    expect(useCockpit.getState().notices.items).toEqual([]);
  });

  it('opens the lineage of an entry whose grant a drop cut off, to show once reconnected whether it went through', async () => {
    const cut = grantIntent({ intentId: 'I4', correlationId: 'C4' });
    calls[0]!.resolve({
      ok: false,
      error: { code: 'OUTCOME_UNKNOWN', message: 'the connection dropped before the host answered' },
    });
    await expect(cut).resolves.toMatchObject({ ok: false, error: { code: 'OUTCOME_UNKNOWN' } });
    expect(useCockpit.getState().lineage.correlationId).toBe('C4');
    expect(calls.map((c) => c.name)).toEqual(['intent.grant', 'lineage']);
    // Not granted again by itself.
    expect(calls.filter((c) => c.name === 'intent.grant')).toHaveLength(1);
  });

  it('rejects a waiting entry by its id', async () => {
    const rejected = rejectIntent('I3');
    expect(calls.map((c) => [c.name, c.request])).toEqual([['intent.reject', { intentId: 'I3' }]]);
    calls[0]!.resolve({ ok: true, intentId: 'I3' });
    await expect(rejected).resolves.toEqual({ ok: true, intentId: 'I3' });
  });

  it("passes a fetched snapshot's limits, strategy and waiting entries on to the store", async () => {
    const batches: CockpitEvent[][] = [];
    setSnapshotSink((batch) => batches.push(batch));
    const done = refreshSnapshot();
    const risk = { shortingDisabled: true, supervised: true, supervisorTtlMs: 60_000 };
    const waiting = [{ intentId: 'I1', correlationId: 'C1', expiresAt: 9 }];
    calls[0]!.resolve({ ok: true, ...snapshot({ risk, pendingIntents: waiting as PendingIntent[] }) });
    calls[1]!.resolve({ ok: true, sessions: [] });
    await done;
    const [event] = batches[0]!;
    expect(event?.type === 'snapshot' && event.snapshot).toMatchObject({ risk, pendingIntents: waiting });
    expect(event?.type === 'snapshot' && 'ok' in event.snapshot).toBe(false);
  });
});

describe('a snapshot fetched after a reconnect', () => {
  const read = (mode: 'ACTIVE' | 'HALTED') => snapshot({ control: { mode } });

  it('is pushed as soon as it is answered, not after the session list', async () => {
    const batches: CockpitEvent[][] = [];
    setSnapshotSink((batch) => batches.push(batch));
    const done = refreshSnapshot();
    expect(calls.map((c) => c.name)).toEqual(['snapshot', 'session.list']);
    calls[0]!.resolve({ ok: true, ...read('ACTIVE') });
    await flushPromises();
    expect(batches).toHaveLength(1);
    calls[1]!.resolve({ ok: true, sessions: [] });
    await done;
  });

  it("is dropped when one of the host's arrived meanwhile: that one may be newer", async () => {
    const batches: CockpitEvent[][] = [];
    setSnapshotSink((batch) => batches.push(batch));
    const done = refreshSnapshot();
    // The kill switch fired meanwhile: the host's own snapshot says HALTED, the answer may be from before.
    noteArrival([{ type: 'snapshot', snapshot: read('HALTED') }]);
    calls[0]!.resolve({ ok: true, ...read('ACTIVE') });
    calls[1]!.resolve({ ok: true, sessions: [] });
    await done;
    expect(batches).toEqual([]);
    // Other events say nothing about the read model as a whole.
    const again = refreshSnapshot();
    noteArrival([journal('c1', 1), { type: 'marks', ticks: [] }]);
    calls[2]!.resolve({ ok: true, ...read('HALTED') });
    calls[3]!.resolve({ ok: true, sessions: [] });
    await again;
    expect(batches).toHaveLength(1);
  });
});

describe("a replay's controls", () => {
  it('sends the state wanted, and puts a refusal in the notices like the other bar commands', async () => {
    const paused = setReplay({ paused: true });
    expect(calls.map((c) => [c.name, c.request])).toEqual([['replay.set', { paused: true }]]);
    const state = { feed: 'march.csv', paused: true, speed: 60, position: 1, ended: false };
    calls[0]!.resolve({ ok: true, replay: state, changed: true });
    await expect(paused).resolves.toEqual({ ok: true, replay: state, changed: true });

    const refused = setReplay({ speed: 600 });
    expect(calls.at(-1)!.request).toEqual({ speed: 600 });
    const message = 'speed: the replay of march.csv has ended; prices hold at its last row';
    calls.at(-1)!.resolve({ ok: false, error: { code: 'INVALID_REQUEST', field: 'speed', message } });
    await expect(refused).resolves.toMatchObject({ ok: false, error: { field: 'speed' } });
    expect(useCockpit.getState().notices.items.map((n) => [n.code, n.message])).toEqual([
      ['INVALID_REQUEST', `replay.set: ${message}`],
    ]);
  });
});

describe('reviewing an earlier session', () => {
  const trade = (tradeId: string) => ({ tradeId, correlationId: `c-${tradeId}`, state: 'CLOSED' });

  it("lists the picked session's trades, drops an answer for a session no longer picked, and goes back", async () => {
    void reviewSession('S1');
    void reviewSession('S2');
    expect(calls.map((c) => [c.name, c.request])).toEqual([
      ['session.trades', { sessionId: 'S1' }],
      ['session.trades', { sessionId: 'S2' }],
    ]);
    expect(useCockpit.getState().review).toMatchObject({ sessionId: 'S2', status: 'loading', trades: [] });
    calls[1]!.resolve({ ok: true, sessionId: 'S2', trades: [trade('T2')] });
    calls[0]!.resolve({ ok: true, sessionId: 'S1', trades: [trade('T1')] });
    await flushPromises();
    expect(useCockpit.getState().review).toMatchObject({ sessionId: 'S2', status: 'ready' });
    expect(useCockpit.getState().review.trades.map((t) => t.tradeId)).toEqual(['T2']);

    await reviewSession(null);
    expect(useCockpit.getState().review).toMatchObject({ sessionId: null, status: 'idle', trades: [] });
    expect(calls).toHaveLength(2);
  });

  it("says why a session's trades could not be read", async () => {
    void reviewSession('S9');
    calls[0]!.resolve({
      ok: false,
      error: { code: 'NOT_FOUND', field: 'sessionId', message: 'sessionId: no session S9' },
    });
    await flushPromises();
    expect(useCockpit.getState().review).toMatchObject({
      status: 'error',
      error: 'sessionId: no session S9',
    });
  });

  it('asks for a reviewed lineage in its own session, and a replay starts over with a new selection', async () => {
    selectLineage('c-T1', 'S1');
    expect(calls.at(-1)!.request).toEqual({ correlationId: 'c-T1', sessionId: 'S1' });
    calls.at(-1)!.resolve(graph('c-T1', 'FILLED'));
    await flushPromises();
    useCockpit.getState().setReplaySeq(4);
    // A refresh of the graph keeps the replay on its event, and still asks in the reviewed session.
    afterBatch([journal('c-T1', 9)]);
    await flushPromises();
    frames.splice(0).forEach((run) => run());
    expect(calls.at(-1)!.request).toEqual({ correlationId: 'c-T1', sessionId: 'S1' });
    calls.at(-1)!.resolve(graph('c-T1', 'CANCELED'));
    await flushPromises();
    expect(useCockpit.getState().lineage.graph?.nodes[0]?.state).toBe('CANCELED');
    expect(useCockpit.getState().lineage.replaySeq).toBe(4);

    selectLineage('c-live');
    expect(calls.at(-1)!.request).toEqual({ correlationId: 'c-live' });
    expect(useCockpit.getState().lineage).toMatchObject({ sessionId: null, replaySeq: null, graph: null });
  });
});

describe('interrupted sessions', () => {
  const exchangeSession = (sessionId: string, over: Partial<SessionInfo> = {}): SessionInfo => ({
    sessionId,
    startedAt: 1_000,
    venue: 'ccxt',
    exchange: { id: 'binanceusdm', name: 'Binance USDⓈ-M', testnet: true },
    symbols: ['BTC/USDT'],
    seed: 0,
    seedCapital: 10_000,
    maxSlots: 4,
    ...over,
  });
  const names = () => calls.map((c) => c.name);

  it('resumes one, says how many differences the exchange showed, then reads the snapshot and the list', async () => {
    const resumed = resumeSession('S-R1');
    expect(calls.map((c) => [c.name, c.request])).toEqual([['session.resume', { sessionId: 'S-R1' }]]);
    calls[0]!.resolve({
      ok: true,
      sessionId: 'S-R1',
      symbols: ['BTC/USDT'],
      differences: 2,
      mode: 'REDUCING',
    });
    await expect(resumed).resolves.toMatchObject({ ok: true, differences: 2 });
    expect(useCockpit.getState().notices.items.map((n) => [n.level, n.code, n.message])).toEqual([
      [
        'warning',
        'SESSION_RESUMED',
        'Resumed S-R1: 2 differences — trading is REDUCING until you have looked',
      ],
    ]);
    expect(names()).toEqual(['session.resume', 'snapshot', 'session.list']);
  });

  it('puts a refused resume in the notices and reads the list again, which may be behind', async () => {
    const refused = resumeSession('S-R2');
    const message = "Binance USDⓈ-M's testnet did not answer";
    calls[0]!.resolve({ ok: false, error: { code: 'VENUE_REJECTED', message } });
    await expect(refused).resolves.toMatchObject({ ok: false, error: { code: 'VENUE_REJECTED' } });
    expect(useCockpit.getState().notices.items.map((n) => [n.code, n.message])).toEqual([
      ['VENUE_REJECTED', `session.resume: ${message}`],
    ]);
    expect(names()).toEqual(['session.resume', 'session.list']);
  });

  it('abandons one, then reads the list, where it is closed: no session event tells of it', async () => {
    useCockpit.getState().setSessions([exchangeSession('S-A1', { interruptedAt: 2_000 })]);
    const abandoned = abandonSession('S-A1');
    expect(calls.map((c) => [c.name, c.request])).toEqual([['session.abandon', { sessionId: 'S-A1' }]]);
    calls[0]!.resolve({ ok: true, sessionId: 'S-A1' });
    await expect(abandoned).resolves.toEqual({ ok: true, sessionId: 'S-A1' });
    expect(names()).toEqual(['session.abandon', 'session.list']);
    calls[1]!.resolve({ ok: true, sessions: [exchangeSession('S-A1', { stoppedAt: 3_000 })] });
    await flushPromises();
    const listed = useCockpit.getState().session.sessions.find((info) => info.sessionId === 'S-A1');
    expect(listed).toMatchObject({ stoppedAt: 3_000 });
    expect(listed).not.toHaveProperty('interruptedAt');
  });

  it('reads the list again when a session event arrives, not on other events', () => {
    afterBatch([journal('c-other', 1)]);
    expect(calls).toEqual([]);
    afterBatch([{ type: 'session', state: 'started', session: exchangeSession('S-E1') }]);
    expect(names()).toEqual(['session.list']);
  });
});
