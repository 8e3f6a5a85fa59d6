// How the venue reads a ccxt error: what it says about the request it
// answered, and the words a trader may see. ccxt's messages carry the
// exchange's own answer (useful: "Margin is insufficient") and, for network
// errors, the request's URL with its signed query (not for the window).
import {
  AccountSuspended,
  AuthenticationError,
  BadRequest,
  BadSymbol,
  DDoSProtection,
  DuplicateOrderId,
  InsufficientFunds,
  InvalidOrder,
  MarketClosed,
  NetworkError,
  OperationRejected,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
} from 'ccxt';

export type ExchangeErrorMeaning =
  /** The exchange refused for now; the same request may go again after a wait. */
  | 'RATE_LIMITED'
  /** The exchange has no such order. */
  | 'NOT_FOUND'
  /** No answer came: the request may or may not have reached the exchange. */
  | 'UNCERTAIN'
  /** The exchange answered no. */
  | 'REFUSED';

export function meaningOf(error: unknown): ExchangeErrorMeaning {
  if (error instanceof RateLimitExceeded || error instanceof DDoSProtection) return 'RATE_LIMITED';
  if (error instanceof OrderNotFound) return 'NOT_FOUND';
  if (error instanceof NetworkError) return 'UNCERTAIN';
  return 'REFUSED';
}

/** The errors that say an order was not placed: the exchange judged it and said no. */
const REFUSALS = [
  InvalidOrder,
  InsufficientFunds,
  BadRequest,
  BadSymbol,
  AuthenticationError,
  PermissionDenied,
  AccountSuspended,
  OperationRejected,
  MarketClosed,
];

/**
 * What an error answering a new order says about it. Only a refusal means nothing was placed; any other
 * error (an answer ccxt could not read, an exchange's "system error", a duplicate client order id) may
 * come with the order placed, so it is UNCERTAIN until the exchange is asked.
 */
const DUPLICATE_CLIENT_ID = /"code":\s*-4116\b|ClientOrderId is duplicated/i;

export function submitMeaning(error: unknown): ExchangeErrorMeaning {
  const meaning = meaningOf(error);
  if (meaning === 'RATE_LIMITED') return meaning;
  // The client order id was taken: an earlier send of this order may have been placed. Binance answers
  // -4116, which ccxt raises as InvalidOrder, a refusal.
  if (error instanceof DuplicateOrderId || DUPLICATE_CLIENT_ID.test(reasonOf(error))) return 'UNCERTAIN';
  return REFUSALS.some((refusal) => error instanceof refusal) ? 'REFUSED' : 'UNCERTAIN';
}

/** The error as one the host log may keep: its reason, without URLs (a signed query) or a stack. */
export function withoutUrls(error: unknown): Error {
  const scrubbed = new Error(reasonOf(error));
  scrubbed.stack = scrubbed.message;
  return scrubbed;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * After a failed poll (the account's or the prices'): the wait to add before the next, doubling from the
 * interval up to 30 s. Network trouble and rate limits go to the host log; anything else is a fault, told
 * without its URLs.
 */
export function backoffAfter(
  error: unknown,
  previousMs: number,
  intervalMs: number,
  what: string,
  sinks: { log: (level: 'warn', message: string) => void; onFault: (error: Error) => void },
): number {
  const backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(intervalMs, previousMs * 2));
  const meaning = meaningOf(error);
  if (meaning === 'RATE_LIMITED' || meaning === 'UNCERTAIN') {
    sinks.log('warn', `${what} paused ${backoffMs} ms after ${reasonOf(error)}`);
  } else {
    sinks.onFault(withoutUrls(error));
  }
  return backoffMs;
}

const MAX_REASON = 200;

/** The error's class and message without any URL, cut to 200 characters: what a report's `reason` may carry. */
export function reasonOf(error: unknown): string {
  const name = error instanceof Error ? error.constructor.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const text = `${name}: ${message.replace(/\b(?:https?|wss?):\/\/\S+/g, '<url>')}`
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}
