// The journal's vocabulary: every type a fact can have, by who makes it. A
// comparison with a type not listed here does not compile; docs/KERNEL.md
// has the kernel's payloads, DECISIONS.md why the host journals its own.

/** Domain events the kernel emits (`EventType` in native/src/kernel/types.rs; a binding test checks the two agree). */
export const KERNEL_EVENT_TYPES = [
  'OrderRequested',
  'OrderPlaced',
  'OrderPartiallyFilled',
  'OrderFilled',
  'OrderCanceled',
  'OrderRejected',
  'OrderExpired',
  'OrderCancelRequested',
  'OrderCancelRejected',
  'OrderRateLimited',
  'OrderTimedOut',
  'TradeOpened',
  'TradeIncreased',
  'TradeReduced',
  'TradeClosed',
  'TradeCanceled',
  'ProfitRealized',
  'TradeMonitoringTick',
  'TradeMonitoringClosed',
] as const;
export type KernelEventType = (typeof KERNEL_EVENT_TYPES)[number];

/** What the host journals of a kernel outcome besides its events: a slot's move, a refusal or warning. */
export const OUTCOME_EVENT_TYPES = ['SlotTransition', 'KernelDiagnostic'] as const;

/** The venue's reports on orders, and on the account (wallet and margin, funding). */
export const VENUE_EVENT_TYPES = ['VenueReport', 'AccountUpdated', 'FundingFeeSettled'] as const;

/** An intent's way through the gates and the supervisor: created, then at most one ending. */
export const INTENT_EVENT_TYPES = [
  'TradingSignalIntentCreated',
  'TradingSignalIntentGranted',
  'TradingSignalIntentRejected',
  'TradingSignalIntentExpired',
  'TradingSignalIntentCanceled',
] as const;
export type IntentEventType = (typeof INTENT_EVENT_TYPES)[number];

/**
 * The host's own facts: the session's settings and control plane, signals, the operator's cancels, a request
 * the kernel sends again after a rate limit (it has no event of its own), the market.
 */
export const HOST_EVENT_TYPES = [
  ...INTENT_EVENT_TYPES,
  'RiskLimitsSet',
  'SessionResumed',
  'VenueReconciled',
  'TradingSignalCreated',
  'OrderCancelRequested',
  'OrderResent',
  'TradingModeChanged',
  'KillSwitchEngaged',
  'MarketReplayEnded',
  'MarketReplaySet',
] as const;
export type HostEventType = (typeof HOST_EVENT_TYPES)[number];

export const EVENT_TYPES = [
  ...new Set([...KERNEL_EVENT_TYPES, ...OUTCOME_EVENT_TYPES, ...VENUE_EVENT_TYPES, ...HOST_EVENT_TYPES]),
] as [EventType, ...EventType[]];
export type EventType =
  KernelEventType | (typeof OUTCOME_EVENT_TYPES)[number] | (typeof VENUE_EVENT_TYPES)[number] | HostEventType;

const KERNEL_EVENT_TYPE_SET: ReadonlySet<string> = new Set(KERNEL_EVENT_TYPES);

export function isKernelEventType(type: string): type is KernelEventType {
  return KERNEL_EVENT_TYPE_SET.has(type);
}
