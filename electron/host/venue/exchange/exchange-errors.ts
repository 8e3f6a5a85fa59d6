// How the venue reads a ccxt error: what it says about the request it
// answered, and the words a trader may see. ccxt's messages carry the
// exchange's own answer (useful: "Margin is insufficient") and, for network
// errors, the request's URL with its signed query (not for the window).
import { DDoSProtection, NetworkError, OrderNotFound, RateLimitExceeded } from 'ccxt';

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
