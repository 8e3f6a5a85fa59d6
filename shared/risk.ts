// Pre-trade risk (DOMAIN.md, "Risk gates"): the limits a session's gates check
// every entry against, the strategy that may propose entries, and the entries
// waiting for the operator's grant in supervised mode.
import { z } from 'zod';
import { EpochMs, Id, OrderType, Positive, Symbol, TradeSide } from './domain.js';

/** The gates in the order they run; the first that refuses names itself in the rejection. */
export const GATE_NAMES = [
  'idempotency',
  'static',
  'short_side',
  'position_risk',
  'drawdown_halt',
  'supervisor',
] as const;
export type GateName = (typeof GATE_NAMES)[number];

/** A limit in quote currency (USDT for every paper symbol). */
const Notional = Positive.max(1e12);

/**
 * The session's risk envelope. A limit left out is not checked. Entries are checked; exits and cancels
 * reduce exposure, so no limit ever holds them back (only the idempotency gate sees them).
 */
export const RiskEnvelope = z.strictObject({
  /** static: the most one entry may be worth, valued at the host's mark (a limit entry at its limit, or worse). */
  maxOrderNotional: Notional.optional(),
  /** static: the order types entries may use. */
  allowedOrderTypes: z
    .array(OrderType)
    .min(1)
    .refine((types) => new Set(types).size === types.length, { message: 'order types must not repeat' })
    .optional(),
  /** short_side: SHORT entries are refused. */
  shortingDisabled: z.boolean().default(false),
  /** position_risk: the most the positions and working entries in one asset may be worth, this entry included. */
  maxAssetNotional: Notional.optional(),
  /** position_risk: the most all positions and working entries together may be worth, this entry included. */
  maxGrossNotional: Notional.optional(),
  /** drawdown_halt: entries are refused once equity is this fraction (0.1 = 10 %) below its session peak. */
  maxDrawdown: z.number().gt(0).lt(1).optional(),
  /** supervisor: a strategy's entries wait for the operator to grant or reject them. */
  supervised: z.boolean().default(false),
  /** supervisor: how long an entry waits before it expires. */
  supervisorTtlMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
});
export type RiskEnvelope = z.output<typeof RiskEnvelope>;
export type RiskEnvelopeRequest = z.input<typeof RiskEnvelope>;

/** The built-in strategies a paper session can run; each proposes entries through the same gates as the ticket. */
export const StrategyName = z.enum(['breakout']);
export type StrategyName = z.infer<typeof StrategyName>;

/**
 * `breakout`: when an asset's mark makes a new high (low) over its last `lookbackTicks` marks, it proposes a
 * LONG (SHORT) market entry worth `notional`, with a take-profit and a stop-loss `takeProfitPct` and
 * `stopLossPct` away; at most one open or waiting entry per asset, and none within `cooldownMs` of its last.
 */
export const StrategyConfig = z.strictObject({
  name: StrategyName,
  notional: Positive.max(1e9).default(100),
  lookbackTicks: z.number().int().min(5).max(10_000).default(50),
  /** At least 5 s: a gate that keeps refusing its entries must not flood the journal and the notices. */
  cooldownMs: z.number().int().min(5_000).max(3_600_000).default(30_000),
  /** At least 0.05 %: a tighter one rounds onto the entry price on a coarse tick grid. */
  takeProfitPct: z.number().min(0.05).max(50).default(0.5),
  stopLossPct: z.number().min(0.05).max(50).default(0.25),
});
export type StrategyConfig = z.output<typeof StrategyConfig>;
export type StrategyConfigRequest = z.input<typeof StrategyConfig>;

/** An entry waiting for the operator (supervised mode), as the window lists it. */
export const PendingIntent = z.object({
  intentId: Id,
  correlationId: Id,
  signalProvider: z.string(),
  asset: Symbol,
  side: TradeSide,
  orderType: OrderType,
  targetSize: z.number(),
  referencePrice: z.number(),
  limitPrice: z.number().optional(),
  takeProfit: z.number().optional(),
  stopLoss: z.number().optional(),
  leverage: z.number(),
  /** Why the strategy proposes it, in its words. */
  reason: z.string().optional(),
  /** What the gates value it at, in quote currency: targetSize × the mark (a limit: see `entryPrice` in the host). */
  notional: z.number(),
  createdAt: EpochMs,
  expiresAt: EpochMs,
});
export type PendingIntent = z.infer<typeof PendingIntent>;
