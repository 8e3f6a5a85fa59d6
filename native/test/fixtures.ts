// Test data the binding's test files share, so that each states only where it departs from it.
import { expect } from 'vitest';
import type { AccountSnapshot, Intent, Outcome, VenueEvent } from '../index.js';

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

/** The paths a random session must reach often enough for a property over it to mean something. */
export const sessionPaths = ['fill', 'close', 'late fill', 'duplicate', 'cancel', 'reordered'] as const;
export type SessionPath = (typeof sessionPaths)[number];

/** The paths one session's outcomes reached. */
export function pathsReached(outs: Outcome[]): Set<SessionPath> {
  const got = new Set<SessionPath>();
  const types = new Set(outs.filter((o) => o.accepted).flatMap((o) => o.events.map((e) => e.type)));
  if (types.has('OrderFilled') || types.has('OrderPartiallyFilled')) got.add('fill');
  if (types.has('TradeClosed')) got.add('close');
  if (types.has('TradeCanceled')) got.add('cancel');
  if (outs.some((o) => o.accepted && o.flags.includes('LATE_FILL'))) got.add('late fill');
  if (outs.some((o) => o.diagnosticCode === 'DUPLICATE_EVENT')) got.add('duplicate');
  if (outs.some((o) => o.flags.includes('FILL_BEFORE_ACK'))) got.add('reordered');
  return got;
}

/**
 * Counts, over a property's runs, the sessions that reached each of `paths`. `check` asserts
 * each was reached in at least a tenth of them: the generators reach each in a fifth or more,
 * so a generator that stops reaching one fails, and chance alone (fast-check's seed changes
 * every run) does not.
 */
export function reachTally<P extends string>(paths: readonly P[]) {
  const counts = new Map<P, number>();
  let runs = 0;
  return {
    add(got: Set<P>) {
      runs += 1;
      for (const p of got) counts.set(p, (counts.get(p) ?? 0) + 1);
    },
    check() {
      for (const p of paths) {
        expect(counts.get(p) ?? 0, `sessions reaching "${p}" of ${runs}`).toBeGreaterThanOrEqual(runs / 10);
      }
    },
  };
}
