// A command a dropped connection cut off after it was sent (OUTCOME_UNKNOWN):
// the host may have carried it out or not, and its answer is gone. Said as
// unknown, never as refused, with where to look once the window is back; never
// sent again by itself (a second exit could close more than was meant).
import type { CommandError, CommandName } from '../../../shared/index.js';
import { compactNumbers } from './format.js';

/** Where the window shows whether a command that changes something was carried out. */
const WHERE_TO_CHECK: Partial<Record<CommandName, string>> = {
  'session.start': 'the session bar',
  'session.stop': 'the session bar',
  'session.resume': 'the interrupted sessions',
  'session.abandon': 'the interrupted sessions',
  'intent.submit': 'the slots and orders',
  'intent.grant': 'the slots and orders',
  'intent.reject': 'the supervisor',
  'trade.exit': 'the slots and trades',
  'order.cancel': 'the open orders',
  'control.set': 'the trading mode',
  'control.killSwitch': 'the trading mode, the slots and orders',
  'replay.set': 'the replay',
};

export function isOutcomeUnknown(error: Pick<CommandError, 'code'>): boolean {
  return error.code === 'OUTCOME_UNKNOWN';
}

/**
 * "the connection dropped before the host answered — it may have been carried out; check the open orders once
 * reconnected". A read only lost its answer: nothing to check.
 */
export function outcomeUnknownText(name: CommandName): string {
  const check = WHERE_TO_CHECK[name];
  const lost = 'the connection dropped before the host answered';
  return check ? `${lost} — it may have been carried out; check ${check} once reconnected` : lost;
}

/** What a form says of a failed command: unknown when a drop cut it off, else the refusal (as `explain` words it). */
export function failureText(
  name: CommandName,
  error: CommandError,
  explain?: (error: CommandError) => string,
): string {
  if (isOutcomeUnknown(error)) return outcomeUnknownText(name);
  return explain ? explain(error) : compactNumbers(error.message);
}
