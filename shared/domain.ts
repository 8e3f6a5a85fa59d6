// The domain vocabulary both sides speak (see DOMAIN.md). zod schemas are the
// single source of runtime validation; the TypeScript types are inferred.
import { z } from 'zod';

/** Ids are bounded so a hostile window cannot grow the journal without limit. */
export const MAX_ID_LENGTH = 128;
export const MAX_EXIT_LEGS = 10;
export const MAX_SYMBOLS = 20;

/**
 * Ids are printable ASCII without spaces, as every id the host, the kernel and the venues make. A lone UTF-16
 * surrogate would reach SQLite as invalid UTF-8 in one place and as U+FFFD (through the kernel) in another,
 * splitting one lineage in two.
 */
export const Id = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces');

/** Text a person or a strategy wrote (a reason, a provider's name): no control characters, no lone surrogates. */
export function FreeText(maxLength: number, minLength = 0) {
  return z
    .string()
    .min(minLength)
    .max(maxLength)
    .refine(
      (text) => !/[\p{Cc}\p{Cs}]/u.test(text),
      'must not contain control characters or lone surrogates',
    );
}
/** Unified symbol form `BASE/QUOTE`, e.g. `BTC/USDT`. */
export const Symbol = z
  .string()
  .max(32)
  .regex(/^[A-Z0-9]{1,12}\/[A-Z0-9]{1,12}$/, 'must be a unified symbol like BTC/USDT');
export type Symbol = z.infer<typeof Symbol>;

/** Finite, strictly positive: prices, sizes, capital. zod 4 numbers reject NaN and ±Infinity. */
export const Positive = z.number().positive();
export const EpochMs = z.number().int().nonnegative();

export const TradeSide = z.enum(['LONG', 'SHORT']);
export type TradeSide = z.infer<typeof TradeSide>;
export const OrderSide = z.enum(['BUY', 'SELL']);
export type OrderSide = z.infer<typeof OrderSide>;
export const OrderType = z.enum(['MARKET', 'LIMIT']);
export type OrderType = z.infer<typeof OrderType>;
export const IntentAction = z.enum(['ENTER', 'EXIT', 'CANCEL']);
export type IntentAction = z.infer<typeof IntentAction>;
export const Liquidity = z.enum(['MAKER', 'TAKER']);
export type Liquidity = z.infer<typeof Liquidity>;
export const TradingMode = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);
export type TradingMode = z.infer<typeof TradingMode>;
/** What each trading mode lets through, in the words the operator is told. */
export const MODE_MEANING: Record<TradingMode, string> = {
  ACTIVE: 'entries, exits and cancels pass',
  REDUCING: 'new entries are refused; exits and cancels pass',
  HALTED: 'only cancels pass',
};
/** `ccxt`: a real exchange's testnet, named by the request's `exchange`. */
export const VenueName = z.enum(['paper', 'ccxt']);
export type VenueName = z.infer<typeof VenueName>;

const LEG_SUM_TOLERANCE = 1e-9;

export const ExitLegRatios = z
  .array(Positive.max(1))
  .min(1)
  .max(MAX_EXIT_LEGS)
  .refine((legs) => Math.abs(legs.reduce((a, b) => a + b, 0) - 1) <= LEG_SUM_TOLERANCE, {
    message: 'exit leg ratios must sum to 1',
  });

/**
 * What the ticket (or a strategy) asks for: the kernel's Intent without the
 * ids and time the host assigns. Cross-field rules live in the refinement so
 * every caller gets the same answer.
 */
export const IntentRequest = z
  .strictObject({
    action: IntentAction.default('ENTER'),
    asset: Symbol,
    side: TradeSide,
    orderType: OrderType.default('MARKET'),
    targetSize: Positive,
    /** Defaults to the current mark of `asset`. */
    referencePrice: Positive.optional(),
    limitPrice: Positive.optional(),
    leverage: Positive.max(125).default(1),
    exitLegRatios: ExitLegRatios.optional(),
    takeProfit: Positive.optional(),
    stopLoss: Positive.optional(),
    slotId: z.number().int().nonnegative().optional(),
    tradeId: Id.optional(),
    reason: FreeText(256).optional(),
    signalProvider: FreeText(64, 1).default('operator'),
    intentId: Id.optional(),
    ts: EpochMs.optional(),
  })
  .superRefine((intent, ctx) => {
    if (intent.orderType === 'LIMIT' && intent.limitPrice === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['limitPrice'],
        message: 'a LIMIT order needs a limit price',
        input: intent.limitPrice,
      });
    }
    if (intent.orderType === 'MARKET' && intent.limitPrice !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['limitPrice'],
        message: 'a MARKET order takes no limit price',
        input: intent.limitPrice,
      });
    }
  });
export type IntentRequest = z.input<typeof IntentRequest>;
export type ParsedIntentRequest = z.output<typeof IntentRequest>;

/** One venue order as the host's order book sees it. */
export const OpenOrder = z.object({
  clientOrderId: Id,
  venueOrderId: z.string().optional(),
  tradeId: z.string(),
  slotId: z.number().int(),
  asset: Symbol,
  side: OrderSide,
  orderType: OrderType,
  size: z.number(),
  filledSize: z.number(),
  limitPrice: z.number().optional(),
  reduceOnly: z.boolean(),
  status: z.enum(['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'CANCEL_PENDING']),
  placedAt: EpochMs,
  correlationId: z.string(),
});
export type OpenOrder = z.infer<typeof OpenOrder>;

export const SlotSnapshot = z.object({
  slotId: z.number().int(),
  state: z.string(),
  free: z.boolean(),
  tradeId: z.string().optional(),
  correlationId: z.string().optional(),
  asset: z.string().optional(),
  side: TradeSide.optional(),
  size: z.number(),
  initialSize: z.number(),
  entryPrice: z.number(),
  markPrice: z.number(),
  unrealizedPnl: z.number(),
  realizedPnl: z.number(),
  fees: z.number(),
  leverage: z.number(),
});
export type SlotSnapshot = z.infer<typeof SlotSnapshot> & Record<string, unknown>;

export const AccountSnapshot = z.object({
  seedCapital: z.number(),
  capital: z.number(),
  equity: z.number(),
  realizedPnl: z.number(),
  unrealizedPnl: z.number(),
  feesPaid: z.number(),
  fundingNet: z.number(),
  availableCapital: z.number(),
  reconcileStatus: z.string(),
  /** The exchange's wallet (the E ledger), once it has reported one. */
  walletBalance: z.number().optional(),
  /** E walletBalance − K capital (0 without E). */
  reconcileDelta: z.number(),
  reconcileExplanation: z.string(),
});
export type AccountSnapshot = z.infer<typeof AccountSnapshot> & Record<string, unknown>;

/** A closed or open trade as the blotter lists it (materialized from events). */
export const TradeSummary = z.object({
  tradeId: z.string(),
  correlationId: z.string(),
  slotId: z.number().int(),
  asset: z.string(),
  side: TradeSide,
  /** Open now (0 once closed). */
  size: z.number(),
  /** What the entry filled in all: the size the trade was. */
  entrySize: z.number(),
  /** Average of the entry fills. */
  entryPrice: z.number(),
  /** Average of the exit fills so far. */
  exitPrice: z.number().optional(),
  realizedPnl: z.number(),
  fees: z.number(),
  state: z.enum(['OPEN', 'CLOSED', 'CANCELED']),
  openedAt: EpochMs,
  closedAt: EpochMs.optional(),
  closeReason: z.string().optional(),
});
export type TradeSummary = z.infer<typeof TradeSummary>;

export const MarkTick = z.object({ asset: z.string(), price: z.number(), ts: EpochMs });
export type MarkTick = z.infer<typeof MarkTick>;

/** The kernel's control plane as the window sees it. */
export const ControlState = z.object({
  mode: TradingMode,
  /** When the kill switch fired, while the kernel is still HALTED by it. */
  killSwitchAt: EpochMs.optional(),
});
export type ControlState = z.infer<typeof ControlState>;
