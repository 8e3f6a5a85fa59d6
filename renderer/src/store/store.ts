// One bound zustand store built from slices (session, market, book, journal,
// lineage, pnl, notices). Host events reach it only through `applyEvents`,
// called once per animation frame by the event pump; views read selectors.
import { create, type StateCreator } from 'zustand';
import type { LineageGraph, SessionInfo, TradeSummary } from '../../../shared/index.js';
import { applyBatch, initialData, NO_LINEAGE, NO_REVIEW, pushNotice, upsertSession } from './apply.js';
import type {
  BookState,
  ConnectionStatus,
  DataState,
  HostProblem,
  JournalState,
  LineageState,
  MarketState,
  Notice,
  NoticesState,
  PnlState,
  ReviewState,
  SessionState,
} from './types.js';
import type { CockpitEvent } from '../../../shared/index.js';

export interface SessionSlice {
  session: SessionState;
  /** The transport's state; `now` stamps the moment an open connection was lost. */
  setConnection(connection: ConnectionStatus, now?: number): void;
  setHostProblem(problem: HostProblem | null): void;
  setSessions(sessions: SessionInfo[]): void;
}
export interface MarketSlice {
  market: MarketState;
}
export interface BookSlice {
  book: BookState;
}
export interface JournalSlice {
  journal: JournalState;
}
export interface LineageSlice {
  lineage: LineageState;
  /**
   * Selects a lineage (null clears), in `sessionId` when it is not the running session's; keeps the graph
   * when it is the same one.
   */
  setLineageSelection(correlationId: string | null, sessionId?: string | null): void;
  setLineageLoading(correlationId: string): void;
  setLineageGraph(correlationId: string, graph: LineageGraph): void;
  setLineageError(correlationId: string, message: string): void;
  selectNode(nodeId: string | null): void;
  /** Draws the graph as of journal seq `seq` (null: whole). */
  setReplaySeq(seq: number | null): void;
}
export interface ReviewSlice {
  review: ReviewState;
  /** Starts reviewing `sessionId` (null: back to the running session's blotter). */
  setReviewLoading(sessionId: string | null): void;
  setReviewTrades(sessionId: string, trades: TradeSummary[]): void;
  setReviewError(sessionId: string, message: string): void;
}
export interface PnlSlice {
  pnl: PnlState;
}
export interface NoticesSlice {
  notices: NoticesState;
  notify(notice: Omit<Notice, 'id' | 'ts'> & { ts?: number }): void;
  clearNotices(): void;
}
export interface RootActions {
  /** Applies one frame's worth of host events (see apply.ts). */
  applyEvents(batch: readonly CockpitEvent[], now: number): void;
}

export type CockpitStore = SessionSlice &
  MarketSlice &
  BookSlice &
  JournalSlice &
  LineageSlice &
  ReviewSlice &
  PnlSlice &
  NoticesSlice &
  RootActions;

type Slice<T> = StateCreator<CockpitStore, [], [], T>;

const initial: DataState = initialData();

const sessionSlice: Slice<SessionSlice> = (set) => ({
  session: initial.session,
  setConnection: (connection, now = Date.now()) =>
    set((s) => {
      if (s.session.connection === connection) return s;
      const up = connection === 'open' || connection === 'native';
      const lostAt = up ? null : (s.session.lostAt ?? (s.session.everOpen ? now : null));
      return {
        session: { ...s.session, connection, everOpen: s.session.everOpen || up, lostAt },
      };
    }),
  setHostProblem: (hostProblem) =>
    set((s) => (s.session.hostProblem === hostProblem ? s : { session: { ...s.session, hostProblem } })),
  setSessions: (sessions) =>
    set((s) => {
      let merged = s.session.sessions;
      for (const info of sessions) merged = upsertSession(merged, info);
      return { session: { ...s.session, sessions: merged } };
    }),
});

const marketSlice: Slice<MarketSlice> = () => ({ market: initial.market });
const bookSlice: Slice<BookSlice> = () => ({ book: initial.book });
const journalSlice: Slice<JournalSlice> = () => ({ journal: initial.journal });
const pnlSlice: Slice<PnlSlice> = () => ({ pnl: initial.pnl });

const lineageSlice: Slice<LineageSlice> = (set) => ({
  lineage: initial.lineage,
  setLineageSelection: (correlationId, sessionId = null) =>
    set((s) =>
      s.lineage.correlationId === correlationId && s.lineage.sessionId === sessionId
        ? s
        : {
            lineage: {
              ...NO_LINEAGE,
              correlationId,
              sessionId: correlationId ? sessionId : null,
              status: correlationId ? 'loading' : 'idle',
            },
          },
    ),
  setLineageLoading: (correlationId) =>
    set((s) =>
      s.lineage.correlationId !== correlationId || s.lineage.graph
        ? s
        : { lineage: { ...s.lineage, status: 'loading', error: null } },
    ),
  setLineageGraph: (correlationId, graph) =>
    set((s) => {
      if (s.lineage.correlationId !== correlationId) return s; // a stale answer
      const keep = s.lineage.selectedNodeId;
      const selectedNodeId = keep && graph.nodes.some((n) => n.id === keep) ? keep : null;
      return { lineage: { ...s.lineage, graph, selectedNodeId, status: 'ready', error: null } };
    }),
  setLineageError: (correlationId, message) =>
    set((s) =>
      s.lineage.correlationId !== correlationId
        ? s
        : { lineage: { ...s.lineage, status: 'error', error: message } },
    ),
  selectNode: (nodeId) =>
    set((s) =>
      s.lineage.selectedNodeId === nodeId ? s : { lineage: { ...s.lineage, selectedNodeId: nodeId } },
    ),
  setReplaySeq: (replaySeq) =>
    set((s) => (s.lineage.replaySeq === replaySeq ? s : { lineage: { ...s.lineage, replaySeq } })),
});

const reviewSlice: Slice<ReviewSlice> = (set) => ({
  review: initial.review,
  setReviewLoading: (sessionId) =>
    set({ review: sessionId ? { ...NO_REVIEW, sessionId, status: 'loading' } : NO_REVIEW }),
  setReviewTrades: (sessionId, trades) =>
    set((s) =>
      s.review.sessionId !== sessionId ? s : { review: { sessionId, trades, status: 'ready', error: null } },
    ),
  setReviewError: (sessionId, message) =>
    set((s) =>
      s.review.sessionId !== sessionId ? s : { review: { ...s.review, status: 'error', error: message } },
    ),
});

const noticesSlice: Slice<NoticesSlice> = (set) => ({
  notices: initial.notices,
  notify: (notice) =>
    set((s) => ({ notices: pushNotice(s.notices, { ...notice, ts: notice.ts ?? Date.now() }) })),
  clearNotices: () => set((s) => ({ notices: { items: [], nextId: s.notices.nextId } })),
});

const rootActions: Slice<RootActions> = (set, get) => ({
  applyEvents: (batch, now) => {
    const changed = applyBatch(get(), batch, now);
    if (Object.keys(changed).length > 0) set(changed);
  },
});

export const useCockpit = create<CockpitStore>()((...a) => ({
  ...sessionSlice(...a),
  ...marketSlice(...a),
  ...bookSlice(...a),
  ...journalSlice(...a),
  ...lineageSlice(...a),
  ...reviewSlice(...a),
  ...pnlSlice(...a),
  ...noticesSlice(...a),
  ...rootActions(...a),
}));
