// The command map: name → request schema → response. One map serves every
// transport (Electron IPC, WebSocket); the host validates every request
// against it whichever window sent it.
import { z } from 'zod';
import type { AccountSnapshot, ControlState, OpenOrder, SlotSnapshot, TradeSummary } from './domain.js';
import {
  EpochMs,
  FreeText,
  Id,
  IntentRequest,
  MarkTick,
  MAX_SYMBOLS,
  Positive,
  Symbol,
  TradingMode,
  VenueName,
} from './domain.js';
import type { Failure } from './errors.js';
import type { JournalEvent, LineageGraph } from './journal.js';
import type { ExchangeListing } from './exchange.js';
import { ExchangeId, SessionExchange } from './exchange.js';
import type { FeedListing, ReplayState } from './market.js';
import { MarketSource, ReplaySetRequest, SessionMarket } from './market.js';
import type { PendingIntent } from './risk.js';
import { RiskEnvelope, StrategyConfig } from './risk.js';

export const MAX_SLOTS = 64;
export const MAX_PAGE = 1000;
/** The trades blotter keeps this many trades, the newest. */
export const MAX_BLOTTER_TRADES = 500;

export const SessionStartRequest = z.strictObject({
  venue: VenueName.default('paper'),
  /** For venue `ccxt`: the exchange whose testnet the session trades on (the host must hold its credentials). */
  exchange: ExchangeId.optional(),
  symbols: z
    .array(Symbol)
    .min(1)
    .max(MAX_SYMBOLS)
    .refine((s) => new Set(s).size === s.length, { message: 'symbols must not repeat' })
    .optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  /** The paper account's wallet (at most the kernel's 1e10). A ccxt session's is the exchange's wallet at the start, whatever this says. */
  seedCapital: Positive.max(1e10).default(10_000),
  maxSlots: z.number().int().min(1).max(MAX_SLOTS).default(4),
  /** Paper venue latency between an order and its first report. */
  latencyMs: z.number().int().min(0).max(10_000).optional(),
  /** Paper venue order rate limit: new orders per second before RATE_LIMITED. */
  ordersPerSecond: z.number().int().min(1).max(1000).optional(),
  /** Paper venue funding interval (8 h by default; shorter to watch funding in a session). */
  fundingIntervalMs: z
    .number()
    .int()
    .min(1_000)
    .max(7 * 24 * 3_600_000)
    .optional(),
  /** Market data tick interval per symbol (synthetic prices). */
  tickIntervalMs: z.number().int().min(10).max(60_000).optional(),
  /** Where prices come from: the seeded walk (the default) or a feed file replayed. */
  market: MarketSource.optional(),
  /** The limits every entry is checked against, and whether a strategy's entries wait for the operator. */
  risk: RiskEnvelope.prefault({}),
  /** A built-in strategy proposing entries on this session's marks; none by default. */
  strategy: StrategyConfig.optional(),
});

export const Empty = z.strictObject({});

export const TradeExitRequest = z.union([
  z.strictObject({ tradeId: Id }),
  z.strictObject({ slotId: z.number().int().nonnegative() }),
]);

export const OrderCancelRequest = z.strictObject({ clientOrderId: Id });

/** Why the operator changed the control plane: journaled with the change. */
const OperatorReason = FreeText(256);
/** The trading mode to set (MODE_MEANING says what each lets through). */
export const ControlSetRequest = z.strictObject({ mode: TradingMode, reason: OperatorReason.optional() });
/** HALTED at once, every working order cancelled, every open position closed at market. */
export const KillSwitchRequest = z.strictObject({ reason: OperatorReason.optional() });
/** The operator grants an entry waiting in supervised mode: it goes through the gates again, then to the kernel. */
export const IntentGrantRequest = z.strictObject({ intentId: Id });
/** The operator rejects an entry waiting in supervised mode. */
export const IntentRejectRequest = z.strictObject({ intentId: Id, reason: OperatorReason.optional() });
/** `sessionId` names the session to look in (a past one, say); without it, the running session's, else the one the id belongs to. */
export const LineageRequest = z.strictObject({ correlationId: Id, sessionId: Id.optional() });
/** An exchange session the host stopped running without a stop (a crash): resume it, or close it as abandoned. */
export const InterruptedSessionRequest = z.strictObject({ sessionId: Id });
/** The trades blotter of any session, the running one or a past one, rebuilt from its journal. */
export const SessionTradesRequest = z.strictObject({ sessionId: Id });
export const JournalPageRequest = z.strictObject({
  sessionId: Id.optional(),
  afterSeq: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(MAX_PAGE).default(200),
});

export const SessionInfo = z.object({
  sessionId: z.string(),
  startedAt: EpochMs,
  stoppedAt: EpochMs.optional(),
  venue: VenueName,
  symbols: z.array(z.string()),
  seed: z.number(),
  seedCapital: z.number(),
  maxSlots: z.number(),
  /** Left out by sessions journaled before markets could be replayed: those ran on the synthetic walk. */
  market: SessionMarket.optional(),
  /** The exchange of a `ccxt` session. */
  exchange: SessionExchange.optional(),
  /**
   * A ccxt session the host stopped running without a stop (a kill -9, a journal that refused a write): the
   * time of its last fact. Its positions and orders may still be live on the exchange, so it stays open until
   * the operator resumes it (`session.resume`) or closes it (`session.abandon`). Paper sessions left so are
   * closed as ABANDONED at the next start: their venue was in the host's memory.
   */
  interruptedAt: EpochMs.optional(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export interface Snapshot {
  session: SessionInfo | null;
  slots: SlotSnapshot[];
  account: AccountSnapshot | null;
  openOrders: OpenOrder[];
  trades: TradeSummary[];
  marks: Record<string, number>;
  /** The running session's control plane; null when no session runs. */
  control: ControlState | null;
  /** The session's risk envelope; null when no session runs. */
  risk: RiskEnvelope | null;
  /** The strategy proposing entries, if the session runs one. */
  strategy: StrategyConfig | null;
  /** Entries waiting for the operator's grant, oldest first. */
  pendingIntents: PendingIntent[];
  /** The running session's replay; null for synthetic prices or no session. */
  replay: ReplayState | null;
}

/** Request schemas and success payloads, by command name. */
export const commandRequests = {
  'session.start': SessionStartRequest,
  'session.stop': Empty,
  'session.list': Empty,
  'session.resume': InterruptedSessionRequest,
  'session.abandon': InterruptedSessionRequest,
  'intent.submit': IntentRequest,
  'intent.grant': IntentGrantRequest,
  'intent.reject': IntentRejectRequest,
  'trade.exit': TradeExitRequest,
  'order.cancel': OrderCancelRequest,
  'control.set': ControlSetRequest,
  'control.killSwitch': KillSwitchRequest,
  snapshot: Empty,
  lineage: LineageRequest,
  'journal.page': JournalPageRequest,
  'session.trades': SessionTradesRequest,
  'feed.list': Empty,
  'replay.set': ReplaySetRequest,
  'exchange.list': Empty,
} as const;

export interface CommandResults {
  'session.start': { sessionId: string; symbols: string[] };
  'session.stop': { sessionId: string };
  'session.list': { sessions: SessionInfo[] };
  /**
   * The session runs again from its last checkpoint, after the exchange's fills of the time between were
   * read and its open orders and positions compared with the kernel's (`differences` of them; any puts the
   * session in REDUCING until the operator looks).
   */
  'session.resume': { sessionId: string; symbols: string[]; differences: number; mode: TradingMode };
  /** Closed as ABANDONED: whatever it left on the exchange stays there, for the operator. */
  'session.abandon': { sessionId: string };
  /** `pendingUntil`: the entry waits for the operator's grant until then (supervised mode); nothing was placed yet. */
  'intent.submit': {
    intentId: string;
    correlationId: string;
    tradeId?: string;
    slotId?: number;
    pendingUntil?: number;
  };
  'intent.grant': { intentId: string; correlationId: string; tradeId?: string; slotId?: number };
  'intent.reject': { intentId: string };
  'trade.exit': { tradeId: string };
  'order.cancel': { clientOrderId: string };
  /** `changed` is false when the mode already was the one asked for: nothing is journaled then. */
  'control.set': { control: ControlState; changed: boolean };
  /** How many working orders it asked the venue to cancel, and how many positions it is closing. */
  'control.killSwitch': { control: ControlState; cancels: number; closes: number };
  snapshot: Snapshot;
  lineage: Omit<LineageGraph, 'correlationId'> & { correlationId: string };
  'journal.page': { sessionId: string; events: JournalEvent[]; nextSeq: number | null };
  /** Newest first; the newest `MAX_BLOTTER_TRADES` of them. */
  'session.trades': { sessionId: string; trades: TradeSummary[] };
  /** The feed files a session can replay: `folder` is where to put them. */
  'feed.list': { folder: string; feeds: FeedListing[] };
  /** `changed` is false when the replay already was as asked: nothing is journaled then. */
  'replay.set': { replay: ReplayState; changed: boolean };
  /** The exchanges the host holds testnet credentials for, and the variables it reads them from. */
  'exchange.list': {
    exchanges: ExchangeListing[];
    variables: { apiKey: string; secret: string; password: string };
  };
}

export type CommandName = keyof typeof commandRequests;
export const commandNames = Object.keys(commandRequests) as CommandName[];

export type CommandRequest<N extends CommandName> = z.input<(typeof commandRequests)[N]>;
export type ParsedCommandRequest<N extends CommandName> = z.output<(typeof commandRequests)[N]>;
export type CommandSuccess<N extends CommandName> = { ok: true } & CommandResults[N];
export type CommandResponse<N extends CommandName> = CommandSuccess<N> | Failure;

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commandRequests, name);
}

export { MarkTick };
