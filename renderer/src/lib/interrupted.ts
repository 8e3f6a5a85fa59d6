// Exchange sessions the host stopped running without a stop (a kill -9, a
// crash): the journal keeps them open, interrupted, because their positions and
// orders may still be live on the exchange. Which they are, and what the window
// says about them and about resuming one.
import type { CommandError, CommandResults, NoticeLevel, SessionInfo } from '../../../shared/index.js';
import { compactNumbers, dateTime } from './format.js';
import { venueWords } from './venue.js';

/** How the Trades panel's picker marks an interrupted session. */
export const INTERRUPTED_TAG = '(interrupted)';

/** A session the operator must resume or abandon; `interruptedAt` is the time of its last fact. */
export type InterruptedSession = SessionInfo & { interruptedAt: number };

export const isInterrupted = (info: SessionInfo): info is InterruptedSession =>
  info.interruptedAt !== undefined;

/** The interrupted sessions of the list, in its order (newest first). */
export function interruptedSessions(sessions: readonly SessionInfo[]): InterruptedSession[] {
  return sessions.filter(isInterrupted);
}

/** What the warning strip says about one: where it traded, when it stopped (local time), and what that leaves. */
export function interruptedWords(info: InterruptedSession): string {
  return (
    `Session ${info.sessionId} on ${venueWords(info)} was interrupted at ${dateTime(info.interruptedAt)}: ` +
    'its positions and orders may still be live on the exchange.'
  );
}

/** A refused resume or abandon, in the session's row: which of the two, and the host's reason. */
export function refusalWords(verb: 'resume' | 'abandon', error: Pick<CommandError, 'message'>): string {
  return `${verb === 'resume' ? 'Resume' : 'Abandon'} refused: ${compactNumbers(error.message)}`;
}

/**
 * The notice a resume leaves: whether the exchange agreed with the kernel, or how many differences it found
 * (the host explains each in a notice of its own) and the trading mode they put the session in.
 */
export function resumedNotice(result: CommandResults['session.resume']): {
  level: NoticeLevel;
  code: string;
  message: string;
} {
  const { sessionId, differences, mode } = result;
  if (differences === 0) {
    return {
      level: 'info',
      code: 'SESSION_RESUMED',
      message: `Resumed ${sessionId}: the exchange agrees with the kernel`,
    };
  }
  const counted = differences === 1 ? '1 difference' : `${differences} differences`;
  return {
    level: 'warning',
    code: 'SESSION_RESUMED',
    message: `Resumed ${sessionId}: ${counted} — trading is ${mode} until you have looked`,
  };
}
