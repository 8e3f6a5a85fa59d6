// Pure reducers from host events to the window's read model. No DOM, no
// clock (the caller passes `now`), no store: tested directly with vitest.
import type {
  AccountSnapshot,
  CockpitEvent,
  JournalEvent,
  MarkTick,
  SessionInfo,
  Snapshot,
} from '../../../shared/index.js';
import { lttbMulti } from '../lib/lttb.js';
import {
  LIMITS,
  PNL_SERIES,
  type BookState,
  type DataState,
  type JournalState,
  type LineageState,
  type MarketState,
  type Notice,
  type NoticesState,
  type PnlPoint,
  type PnlState,
  type ReviewState,
  type SessionState,
} from './types.js';

export function initialData(): DataState {
  return {
    session: {
      current: null,
      sessions: [],
      connection: 'connecting',
      everOpen: false,
      lostAt: null,
      hostProblem: null,
      viewsOf: null,
    },
    market: { marks: {} },
    book: emptyBook(false),
    journal: emptyJournal(),
    lineage: NO_LINEAGE,
    review: NO_REVIEW,
    pnl: { points: [] },
    notices: { items: [], nextId: 1 },
  };
}

/** No lineage selected. */
export const NO_LINEAGE: LineageState = {
  correlationId: null,
  sessionId: null,
  graph: null,
  selectedNodeId: null,
  status: 'idle',
  error: null,
  replaySeq: null,
};

/** No earlier session under review: the blotter is the live one. */
export const NO_REVIEW: ReviewState = { sessionId: null, trades: [], status: 'idle', error: null };

/** A book with no session's rows: `hydrated` says whether a snapshot was ever applied. */
function emptyBook(hydrated: boolean): BookState {
  return {
    slots: [],
    account: null,
    openOrders: [],
    trades: [],
    control: null,
    risk: null,
    strategy: null,
    pendingIntents: [],
    replay: null,
    hydrated,
  };
}

function emptyJournal(): JournalState {
  return { byCorrelation: {}, order: [], tape: [], sessionId: null, lastSeq: 0 };
}

// ---------------------------------------------------------------------------
// Batch compaction (what the per-frame buffer keeps)

/**
 * Accumulates events between two frames. Journal, session and notice events
 * are kept in order, never dropped; a snapshot replaces the previous pending
 * one (each is the full read model) at the position of the newest; mark ticks
 * are coalesced to the latest per asset and delivered last.
 */
export class EventCompactor {
  private events: (CockpitEvent | null)[] = [];
  private snapshotAt = -1;
  private ticks = new Map<string, MarkTick>();

  push(batch: readonly CockpitEvent[]): this {
    for (const event of batch) {
      if (event.type === 'marks') {
        for (const tick of event.ticks) {
          const seen = this.ticks.get(tick.asset);
          if (!seen || tick.ts >= seen.ts) this.ticks.set(tick.asset, tick);
        }
      } else if (event.type === 'snapshot') {
        if (this.snapshotAt >= 0) this.events[this.snapshotAt] = null;
        this.snapshotAt = this.events.length;
        this.events.push(event);
      } else {
        this.events.push(event);
      }
    }
    return this;
  }

  get size(): number {
    return this.events.length + this.ticks.size;
  }

  /** The compacted batch, in application order; empties the compactor. */
  drain(): CockpitEvent[] {
    const out = this.events.filter((e): e is CockpitEvent => e !== null);
    if (this.ticks.size > 0) out.push({ type: 'marks', ticks: [...this.ticks.values()] });
    this.events = [];
    this.snapshotAt = -1;
    this.ticks = new Map();
    return out;
  }
}

export function compactBatch(batch: readonly CockpitEvent[]): CockpitEvent[] {
  return new EventCompactor().push(batch).drain();
}

// ---------------------------------------------------------------------------
// Slices

function shallowEqual(a: object, b: object): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * Keeps the previous object for every row whose fields did not change, and the
 * previous array when no row changed, so memoized rows skip their render.
 */
export function shareRows<T extends object>(
  prev: readonly T[],
  next: readonly T[],
  key: (row: T) => string,
): T[] {
  const byKey = new Map<string, T>();
  for (const row of prev) byKey.set(key(row), row);
  let same = prev.length === next.length;
  const out = next.map((row, i) => {
    const old = byKey.get(key(row));
    const kept = old && shallowEqual(old, row) ? old : row;
    if (kept !== prev[i]) same = false;
    return kept;
  });
  return same ? (prev as T[]) : out;
}

/** Equal as plain data (numbers, strings, booleans, arrays and objects of them): a session's settings. */
function samePlain(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => samePlain((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The previous value while the next one is the same data, so views reading it skip their render. */
function keepSame<T>(prev: T, next: T): T {
  return samePlain(prev, next) ? prev : next;
}

function sameSession(a: SessionInfo | null, b: SessionInfo | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.sessionId === b.sessionId && a.stoppedAt === b.stoppedAt && a.startedAt === b.startedAt;
}

export function upsertSession(list: readonly SessionInfo[], session: SessionInfo): SessionInfo[] {
  const rest = list.filter((s) => s.sessionId !== session.sessionId);
  return [session, ...rest].sort((a, b) => b.startedAt - a.startedAt);
}

export function applyBook(book: BookState, snapshot: Snapshot): BookState {
  return {
    slots: shareRows(book.slots, snapshot.slots ?? [], (s) => String(s.slotId)),
    account:
      snapshot.account && book.account && shallowEqual(book.account, snapshot.account)
        ? book.account
        : (snapshot.account ?? null),
    openOrders: shareRows(book.openOrders, snapshot.openOrders ?? [], (o) => o.clientOrderId),
    trades: shareRows(book.trades, snapshot.trades ?? [], (t) => t.tradeId),
    control:
      snapshot.control && book.control && shallowEqual(book.control, snapshot.control)
        ? book.control
        : (snapshot.control ?? null),
    // A host without risk gates sends none of these.
    risk: keepSame(book.risk, snapshot.risk ?? null),
    strategy: keepSame(book.strategy, snapshot.strategy ?? null),
    pendingIntents: shareRows(book.pendingIntents, snapshot.pendingIntents ?? [], (p) => p.intentId),
    // Kept while it stands still (paused, or between two steps); a host without replay controls sends none.
    replay: keepSame(book.replay, snapshot.replay ?? null),
    hydrated: true,
  };
}

export function applyTicks(market: MarketState, ticks: readonly MarkTick[]): MarketState {
  let marks: Record<string, MarketState['marks'][string]> | null = null;
  for (const tick of ticks) {
    if (!Number.isFinite(tick.price)) continue;
    const current = (marks ?? market.marks)[tick.asset];
    if (current && tick.ts < current.ts) continue;
    if (current && current.price === tick.price) continue;
    marks ??= { ...market.marks };
    marks[tick.asset] = { price: tick.price, prev: current ? current.price : null, ts: tick.ts };
  }
  return marks ? { marks } : market;
}

/** Snapshot marks carry no time: they fill in assets and stale prices, stamped `now`. */
export function applySnapshotMarks(
  market: MarketState,
  marks: Record<string, number>,
  now: number,
): MarketState {
  const ticks: MarkTick[] = [];
  for (const [asset, price] of Object.entries(marks ?? {})) {
    const current = market.marks[asset];
    if (!current || current.price !== price)
      ticks.push({ asset, price, ts: Math.max(now, current?.ts ?? 0) });
  }
  return ticks.length ? applyTicks(market, ticks) : market;
}

export function appendJournal(journal: JournalState, events: readonly JournalEvent[]): JournalState {
  if (events.length === 0) return journal;
  let { sessionId, lastSeq } = journal;
  let byCorrelation = journal.byCorrelation;
  let order = journal.order;
  const tape = journal.tape.slice();
  const copied = new Set<string>();
  let changed = false;
  for (const event of events) {
    if (event.sessionId !== sessionId) {
      // Another session's stream: start over.
      sessionId = event.sessionId;
      byCorrelation = {};
      order = [];
      tape.length = 0;
      copied.clear();
    } else if (event.seq <= lastSeq) {
      continue; // already seen (seq is gap-free and ordered per session)
    }
    changed = true;
    lastSeq = event.seq;
    if (byCorrelation === journal.byCorrelation) byCorrelation = { ...journal.byCorrelation };
    const id = event.correlationId;
    let list = byCorrelation[id];
    if (!copied.has(id)) {
      list = list ? list.slice() : [];
      copied.add(id);
    }
    list!.push(event);
    if (list!.length > LIMITS.journalPerLineage) list!.splice(0, list!.length - LIMITS.journalPerLineage);
    byCorrelation[id] = list!;
    if (order[order.length - 1] !== id) order = [...order.filter((c) => c !== id), id];
    tape.push(event);
  }
  if (!changed) return journal;
  if (order.length > LIMITS.journalLineages) {
    const dropped = order.slice(0, order.length - LIMITS.journalLineages);
    order = order.slice(order.length - LIMITS.journalLineages);
    for (const id of dropped) delete byCorrelation[id];
  }
  if (tape.length > LIMITS.tape) tape.splice(0, tape.length - LIMITS.tape);
  return { byCorrelation, order, tape, sessionId, lastSeq };
}

const PNL_SAME_VALUE_INTERVAL_MS = 1_000;

export function appendPnl(pnl: PnlState, account: AccountSnapshot | null, now: number): PnlState {
  if (!account) return pnl;
  const point = {
    t: now,
    equity: account.equity,
    realized: account.realizedPnl,
    unrealized: account.unrealizedPnl,
  };
  if (![point.equity, point.realized, point.unrealized].every(Number.isFinite)) return pnl;
  const points = pnl.points;
  const last = points[points.length - 1];
  if (last) {
    const unchanged =
      last.equity === point.equity &&
      last.realized === point.realized &&
      last.unrealized === point.unrealized;
    if (unchanged && now - last.t < PNL_SAME_VALUE_INTERVAL_MS) return pnl;
    if (now <= last.t) return { points: [...points.slice(0, -1), { ...point, t: last.t }] };
  }
  const next = points.length >= LIMITS.pnlPoints ? thinned(points) : points.slice();
  next.push(point);
  return { points: next };
}

/**
 * A full series keeps its whole session: the older half is thinned to an eighth of the limit per series
 * (LTTB on each, so a spike or a drawdown in any survives; at most three eighths in all), the newer half is
 * kept whole. The chart then spans the session, its older part at a coarser step; dropping the oldest showed
 * only the last ~8 minutes of a session with a position open, and said nothing.
 */
function thinned(points: readonly PnlPoint[]): PnlPoint[] {
  const half = Math.floor(points.length / 2);
  const older = lttbMulti(points.slice(0, half), Math.floor(LIMITS.pnlPoints / 8), (p) => p.t, PNL_SERIES);
  return [...older, ...points.slice(half)];
}

export function pushNotice(notices: NoticesState, notice: Omit<Notice, 'id'>): NoticesState {
  const item: Notice = { ...notice, id: notices.nextId };
  const items = [item, ...notices.items];
  if (items.length > LIMITS.notices) items.length = LIMITS.notices;
  return { items, nextId: notices.nextId + 1 };
}

// ---------------------------------------------------------------------------
// The batch

/**
 * Applies one frame's events in order and returns the slices that changed.
 * A different session (by event or by snapshot) clears the per-session views:
 * journal, PnL series, the lineage selection and a review of an earlier session.
 */
export function applyBatch(
  state: DataState,
  batch: readonly CockpitEvent[],
  now: number,
): Partial<DataState> {
  let session: SessionState = state.session;
  let market = state.market;
  let book = state.book;
  let journal = state.journal;
  let pnl = state.pnl;
  let notices = state.notices;
  let lineage = state.lineage;
  let review = state.review;
  let sampled: AccountSnapshot | null | undefined;
  let journalRun: JournalEvent[] = [];

  const flushJournal = () => {
    if (journalRun.length) journal = appendJournal(journal, journalRun);
    journalRun = [];
  };

  const switchSession = (next: SessionInfo | null) => {
    const prev = session.current;
    // Against the session the views show, not `current`: a host that had no session in between (restarted,
    // or stopped and read as none) must not leave the old curve joined to the new one.
    const shown = session.viewsOf ?? prev?.sessionId ?? null;
    if (shown && next && shown !== next.sessionId) {
      flushJournal();
      // Events of the new session may already be here (they carry their sessionId).
      if (journal.sessionId !== next.sessionId) journal = emptyJournal();
      pnl = { points: [] };
      market = { marks: {} };
      // The other session's rows must not linger (their buttons would act on nothing).
      book = emptyBook(book.hydrated);
      sampled = undefined;
      lineage = NO_LINEAGE;
      // A new session's trades must show: a review of an earlier one would hide them (and their Close).
      review = NO_REVIEW;
    }
    if (!sameSession(prev, next) || (next && session.viewsOf !== next.sessionId)) {
      session = {
        ...session,
        current: next,
        sessions: next ? upsertSession(session.sessions, next) : session.sessions,
        viewsOf: next?.sessionId ?? session.viewsOf,
      };
    }
  };

  for (const event of batch) {
    switch (event.type) {
      case 'journal':
        journalRun.push(event.event);
        break;
      case 'marks':
        market = applyTicks(market, event.ticks);
        break;
      case 'snapshot': {
        const snap = event.snapshot;
        switchSession(snap.session ?? null);
        book = applyBook(book, snap);
        market = applySnapshotMarks(market, snap.marks, now);
        sampled = snap.account ?? null;
        break;
      }
      case 'session':
        switchSession(event.session);
        break;
      case 'notice':
        notices = pushNotice(notices, {
          level: event.level,
          code: event.code,
          message: event.message,
          ts: event.ts,
          ...(event.correlationId ? { correlationId: event.correlationId } : {}),
        });
        break;
      default:
        break; // unknown event kinds from a newer host are ignored
    }
  }
  flushJournal();
  if (sampled !== undefined) pnl = appendPnl(pnl, sampled, now);

  const out: Partial<DataState> = {};
  if (session !== state.session) out.session = session;
  if (market !== state.market) out.market = market;
  if (book !== state.book) out.book = book;
  if (journal !== state.journal) out.journal = journal;
  if (pnl !== state.pnl) out.pnl = pnl;
  if (notices !== state.notices) out.notices = notices;
  if (lineage !== state.lineage) out.lineage = lineage;
  if (review !== state.review) out.review = review;
  return out;
}

/**
 * How a batch touched one lineage (to re-fetch the selected graph): by its monitoring ticks alone ('tick', a
 * long-lived trade's steady stream), by any other event ('change'), or not at all (null).
 */
export function lineageTouch(
  batch: readonly CockpitEvent[],
  correlationId: string,
): 'tick' | 'change' | null {
  let touch: 'tick' | null = null;
  for (const event of batch) {
    if (event.type !== 'journal' || event.event.correlationId !== correlationId) continue;
    if (event.event.type !== 'TradeMonitoringTick') return 'change';
    touch = 'tick';
  }
  return touch;
}

/** Whether a session is running (started and not stopped). */
export function isRunning(session: SessionInfo | null): boolean {
  return session !== null && session.stoppedAt == null;
}
