// Faults the operator is told of by reference. An exception's text can carry file paths, or a venue
// library's request URL with its credentials, so it goes to the host log only, under a short reference
// that the window shows.
import { randomUUID } from 'node:crypto';

export type HostLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * Logs `error` (its stack when it has one) as `what [reference]: …`, and returns what the window is
 * told instead: `the host log has the details under [reference]`.
 */
export function logFault(log: HostLog, what: string, error: unknown): string {
  const reference = randomUUID().slice(0, 8);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  log('error', `${what} [${reference}]: ${detail}`);
  return `the host log has the details under [${reference}]`;
}

/** SQLite's error code (SQLITE_FULL, SQLITE_BUSY, …) when `error` carries one: safe to show, and says what to do. */
export function sqliteCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_[A-Z_]+$/.test(code) ? code : undefined;
}
