// Typed command errors. Only `message` survives an Error crossing IPC, so
// failures travel as values: `{ ok: false, error: { code, message, field? } }`.
import { z } from 'zod';
import { GATE_NAMES } from './risk.js';

export const ErrorCode = z.enum([
  'INVALID_REQUEST',
  'UNKNOWN_COMMAND',
  'NO_SESSION',
  'SESSION_ACTIVE',
  'UNKNOWN_ASSET',
  'NOT_FOUND',
  'KERNEL_REJECTED',
  /** A risk gate refused an entry (`gate` names it). */
  'RISK_REJECTED',
  'VENUE_REJECTED',
  'UNAUTHORIZED',
  /** The journal refused a write: the session is halted until the cockpit restarts. */
  'JOURNAL_FAILED',
  /**
   * The answer was lost with the connection: the command may or may not have been carried out. The host never
   * returns it; the window's transport does, for a call a drop cut off after it was sent.
   */
  'OUTCOME_UNKNOWN',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const CommandError = z.object({
  code: ErrorCode,
  message: z.string(),
  field: z.string().optional(),
  /** For KERNEL_REJECTED: the kernel's diagnostic code (e.g. NO_FREE_SLOT). */
  diagnosticCode: z.string().optional(),
  /** For RISK_REJECTED: the gate that refused. */
  gate: z.enum(GATE_NAMES).optional(),
});
export type CommandError = z.infer<typeof CommandError>;

export interface Failure {
  ok: false;
  error: CommandError;
}

export function failure(
  code: ErrorCode,
  message: string,
  extra: { field?: string; diagnosticCode?: string } = {},
): Failure {
  return { ok: false, error: { code, message, ...extra } };
}

/** How a bad value is shown to the operator: NaN, -1, "XYZ/USDT", null, … */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return String(value);
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The first schema issue as a typed error naming the field and the value it got. */
export function fromZodError(error: z.ZodError, input: unknown): Failure {
  const issue = error.issues[0];
  if (!issue) return failure('INVALID_REQUEST', 'request rejected');
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const field = path.map(String).join('.');
  const value = valueAt(input, path);
  const where = field === '' ? 'request' : field;
  const message =
    issue.code === 'unrecognized_keys'
      ? `${where}: unknown field`
      : `${where}: ${issue.message} (got ${describeValue(value)})`;
  return failure('INVALID_REQUEST', message, field === '' ? {} : { field });
}
