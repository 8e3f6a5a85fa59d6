// The window's read model: plain data, one part per slice. Reducers over it
// are pure (apply.ts) so they are tested without a DOM.
import type {
  AccountSnapshot,
  ControlState,
  JournalEvent,
  LineageGraph,
  NoticeLevel,
  OpenOrder,
  PendingIntent,
  ReplayState,
  RiskEnvelope,
  SessionInfo,
  SlotSnapshot,
  StrategyConfig,
  TradeSummary,
} from '../../../shared/index.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'native';

/**
 * What is known about a connection that keeps failing: `restarted` when the
 * host answers but refuses this window's token (it was restarted, with a new
 * token: only a new address helps), `unreachable` when nothing has answered for
 * several attempts, `no-token` when the window has no token to connect with (a
 * new tab on the address without it: only the printed address helps).
 */
export type HostProblem = 'unreachable' | 'restarted' | 'no-token';

export interface SessionState {
  /** The host's current session (running or last stopped), null when none. */
  current: SessionInfo | null;
  sessions: SessionInfo[];
  connection: ConnectionStatus;
  /** Whether the connection was ever open: a window that was never connected has nothing stale to show. */
  everOpen: boolean;
  /** When the open connection was lost (null while open): what is shown is as of then. */
  lostAt: number | null;
  hostProblem: HostProblem | null;
  /** The session the per-session views (journal, PnL, lineage, book) show, kept when `current` goes null. */
  viewsOf: string | null;
}

export interface MarkState {
  price: number;
  /** The previous different price, to colour an up/down tick. */
  prev: number | null;
  ts: number;
}

export interface MarketState {
  marks: Record<string, MarkState>;
}

export interface BookState {
  slots: SlotSnapshot[];
  account: AccountSnapshot | null;
  openOrders: OpenOrder[];
  trades: TradeSummary[];
  /** The running session's trading mode and kill switch; null when no session runs. */
  control: ControlState | null;
  /** The limits the session's gates check every entry against; null when no session runs. */
  risk: RiskEnvelope | null;
  /** The built-in strategy proposing entries, if the session runs one. */
  strategy: StrategyConfig | null;
  /** Entries waiting for the operator's grant (supervised mode), oldest first as the host lists them. */
  pendingIntents: PendingIntent[];
  /** Where the session's replay of a feed file stands; null for synthetic prices or when no session runs. */
  replay: ReplayState | null;
  hydrated: boolean;
}

export interface JournalState {
  /** Recent events per lineage, in seq order, bounded per lineage. */
  byCorrelation: Record<string, JournalEvent[]>;
  /** Lineages from least to most recently touched, bounded. */
  order: string[];
  /** The newest events across lineages, newest last, bounded. */
  tape: JournalEvent[];
  sessionId: string | null;
  lastSeq: number;
}

export interface LineageState {
  correlationId: string | null;
  /** The session to look in, when it is not the running one (a reviewed session's lineage). */
  sessionId: string | null;
  graph: LineageGraph | null;
  selectedNodeId: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Replaying: the graph is drawn as of this journal seq (one of the graph's events); null draws it whole. */
  replaySeq: number | null;
}

/** An earlier session's trades blotter, rebuilt by the host from its journal. */
export interface ReviewState {
  /** The reviewed session; null shows the running (or last) session's own blotter. */
  sessionId: string | null;
  trades: TradeSummary[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
}

export interface PnlPoint {
  t: number;
  equity: number;
  realized: number;
  unrealized: number;
}

/** The series a PnL point carries: what the chart draws, and what thinning keeps the shape of. */
export const PNL_SERIES: ReadonlyArray<(p: PnlPoint) => number> = [
  (p) => p.equity,
  (p) => p.realized,
  (p) => p.unrealized,
];

export interface PnlState {
  points: PnlPoint[];
}

export interface Notice {
  id: number;
  level: NoticeLevel;
  code: string;
  message: string;
  ts: number;
  correlationId?: string;
}

export interface NoticesState {
  items: Notice[];
  nextId: number;
}

export interface DataState {
  session: SessionState;
  market: MarketState;
  book: BookState;
  journal: JournalState;
  lineage: LineageState;
  review: ReviewState;
  pnl: PnlState;
  notices: NoticesState;
}

export const LIMITS = {
  pnlPoints: 5_000,
  notices: 200,
  journalPerLineage: 500,
  journalLineages: 200,
  tape: 200,
} as const;
