// The kernel's verdicts in the operator's words: the notices' text and the
// command errors a refusal becomes.
import type { CommandError } from '../../../shared/index.js';
import type { KernelOutcome } from '../kernel/kernel-port.js';

/** Kernel diagnostics that mean the input was malformed: nothing is journaled for them. */
const BOUNDARY_CODES = new Set(['INVALID_INTENT', 'INVALID_SLOT_ID']);

/** The common diagnostics in words, from the details the kernel gives them. */
const EXPLANATIONS: Partial<Record<string, (d: Record<string, string>) => string | undefined>> = {
  NO_FREE_SLOT: (d) => `no free slot (${d.maxSlots ?? '?'} in all)`,
  MODE_REJECTED: (d) =>
    d.closeReason
      ? `the ${d.closeReason} exit waits: trading is ${d.mode}`
      : `${d.action ?? 'this'} is refused while trading is ${d.mode}`,
  ILLEGAL_TRANSITION: (d) => (d.input && d.stage ? `${d.input} is not possible in ${d.stage}` : undefined),
  ORDER_REJECTED: (d) =>
    `the venue rejected order ${d.clientOrderId ?? '?'}` +
    (d.exitRetryInMs ? ` (the protective exit goes again in ${Number(d.exitRetryInMs) / 1000} s)` : ''),
  CANCEL_REJECTED: (d) => `the venue refused to cancel order ${d.clientOrderId ?? '?'}`,
  UNKNOWN_ORDER: (d) =>
    `the venue reported on order ${d.clientOrderId ?? '?'}, which this session never sent`,
};

/** What an outcome's diagnostic means, in words; `venueReason` is what the venue said, when it said why. */
export function explainOutcome(outcome: KernelOutcome, venueReason?: string): string {
  const details = outcome.details ?? {};
  const reason = details.reason ?? details.message;
  const where = details.field ? ` (${details.field} = ${details.value ?? '?'})` : '';
  const words =
    EXPLANATIONS[outcome.diagnosticCode]?.(details) ??
    (reason || where
      ? `${reason ?? 'refused'}${where}`
      : Object.entries(details)
          .map(([key, value]) => `${key} ${value}`)
          .join(', ') || outcome.diagnosticCode);
  return venueReason ? `${words}: ${venueReason}` : words;
}

function describeOutcome(outcome: KernelOutcome): string {
  const words = explainOutcome(outcome);
  return words === outcome.diagnosticCode ? words : `${outcome.diagnosticCode}: ${words}`;
}

/** The kernel's refusal as a command error: malformed input names its field; anything else is a business refusal. */
export function refusalOf(outcome: KernelOutcome): CommandError {
  const details = outcome.details ?? {};
  const field = details.field;
  if (!BOUNDARY_CODES.has(outcome.diagnosticCode)) {
    return {
      code: 'KERNEL_REJECTED',
      message: describeOutcome(outcome),
      diagnosticCode: outcome.diagnosticCode,
    };
  }
  const message = field
    ? `${field}: ${details.reason ?? 'rejected by the kernel'} (got ${details.value ?? '?'})`
    : describeOutcome(outcome);
  return {
    code: 'INVALID_REQUEST',
    message,
    ...(field ? { field } : {}),
    diagnosticCode: outcome.diagnosticCode,
  };
}

/** "1 position", "2 positions". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
