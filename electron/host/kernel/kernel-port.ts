// What the host needs of the execution kernel. The napi `Kernel` class
// satisfies it structurally; naming the subset keeps the host honest about
// which parts of the kernel surface it depends on. Bursts (venue reports,
// market steps) go through the packed bulk path, the measured fast one
// (docs/BENCHMARKS.md); single commands through the typed calls.
import type { Kernel } from '../../../native/index.js';

export type KernelPort = Pick<
  Kernel,
  | 'submitIntent'
  | 'checkIntent'
  | 'onVenueEventsPacked'
  | 'markPricesPacked'
  | 'packedWords'
  | 'tick'
  | 'onAccountEvent'
  | 'setControl'
  | 'control'
  | 'killSwitch'
  | 'slots'
  | 'slot'
  | 'account'
  | 'snapshot'
  | 'reconcile'
>;
export type KernelOutcome = ReturnType<Kernel['submitIntent']>;
export type KernelIntent = Parameters<Kernel['submitIntent']>[0];
export type KernelDomainEvent = KernelOutcome['events'][number];
export type KernelVenueCommand = KernelOutcome['venueCommands'][number];
export type KernelSlot = ReturnType<Kernel['slots']>[number];
export type KernelReconcileInput = Parameters<Kernel['reconcile']>[0];
