// Test data the binding's test files share, so that each states only where it departs from it.
import type { AccountSnapshot, Intent, VenueEvent } from '../index.js';

/** What `enter` sends unless told otherwise: no take-profit, stop-loss or exit legs. */
const enterDefaults = {
  action: 'ENTER',
  asset: 'BTC/USDT',
  side: 'LONG',
  orderType: 'MARKET',
  targetSize: 1,
  referencePrice: 100,
  leverage: 2,
  ts: 1,
} satisfies Omit<Intent, 'intentId'>;

/** An ENTER intent: `enterDefaults` under `over`. */
export const enter = (intentId: string, over: Partial<Intent> = {}): Intent => ({
  intentId,
  ...enterDefaults,
  ...over,
});

// Keyed by the binding's own union (native/index.d.ts), so the typecheck fails when the
// kernel gains a venue event kind this lacks, or drops one it has. That union is a hand-written
// ts_type in native/src/binding.rs; a cargo test holds it equal to the kernel's enum.
const venueKindSet = {
  ACK: true,
  PARTIAL_FILL: true,
  FILL: true,
  CANCELED: true,
  REJECTED: true,
  RATE_LIMITED: true,
  CANCEL_REJECTED: true,
  EXPIRED: true,
} satisfies Record<VenueEvent['kind'], true>;

/** Every venue event kind the kernel takes. */
export const venueEventKinds = Object.keys(venueKindSet) as VenueEvent['kind'][];

/** The equity the ledger identity gives: seed + realized − fees + funding + unrealized. */
export const ledgerEquity = (a: AccountSnapshot): number =>
  a.seedCapital + a.realizedPnl - a.feesPaid + a.fundingNet + a.unrealizedPnl;
