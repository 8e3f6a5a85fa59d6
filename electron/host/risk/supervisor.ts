// The supervisor gate (DOMAIN.md): in supervised mode a strategy's entry
// waits here for the operator to grant or reject it, and expires after its
// TTL. The operator's own ticket is the operator's decision already, and exits
// and cancels reduce exposure: neither waits.
import type { ParsedIntentRequest, PendingIntent, RiskEnvelope } from '../../../shared/index.js';
import { entryPrice } from './gates.js';

/** Who the operator is, as `signalProvider` names them. */
export const OPERATOR = 'operator';

/** An entry held for the operator, with what the host assigned it when it arrived. */
export interface HeldIntent {
  request: ParsedIntentRequest;
  intentId: string;
  correlationId: string;
  /** The `TradingSignalIntentCreated` event: what a grant, a rejection or the expiry is caused by. */
  createdEventId: string;
  referencePrice: number;
  /** The host's mark when it arrived (else its reference price, before the first tick): what it is valued at. */
  mark: number;
  createdAt: number;
  expiresAt: number;
}

export class SupervisorQueue {
  /** By intent id, in arrival order (a Map keeps insertion order), so the oldest is listed and expires first. */
  private readonly held = new Map<string, HeldIntent>();

  constructor(private readonly envelope: RiskEnvelope) {}

  /** Whether this intent must wait for the operator. */
  holds(request: ParsedIntentRequest): boolean {
    return this.envelope.supervised && request.action === 'ENTER' && request.signalProvider !== OPERATOR;
  }

  /** When an entry arriving at `now` expires. */
  expiryOf(now: number): number {
    return now + this.envelope.supervisorTtlMs;
  }

  hold(entry: HeldIntent): void {
    this.held.set(entry.intentId, entry);
  }

  /** The entry waiting under this id; it stays until `take`. */
  find(intentId: string): HeldIntent | undefined {
    return this.held.get(intentId);
  }

  /** Takes the entry out, once its ending (granted, rejected, expired) is journaled. */
  take(intentId: string): void {
    this.held.delete(intentId);
  }

  /** Every entry whose time is up at `now`, oldest first; each stays until `take`. */
  expired(now: number): HeldIntent[] {
    return [...this.held.values()].filter((entry) => entry.expiresAt <= now);
  }

  /** Every entry, oldest first. */
  all(): HeldIntent[] {
    return [...this.held.values()];
  }

  /** Takes out every entry, once their cancellation is journaled (the session stops, the kill switch fires). */
  takeAll(): void {
    this.held.clear();
  }

  /** When the next entry expires, if any waits. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const entry of this.held.values()) next = Math.min(next ?? entry.expiresAt, entry.expiresAt);
    return next;
  }

  /** Whether `provider` has an entry waiting in `asset` (a strategy proposes one at a time per asset). */
  waitingIn(asset: string, provider: string): boolean {
    for (const entry of this.held.values()) {
      if (entry.request.asset === asset && entry.request.signalProvider === provider) return true;
    }
    return false;
  }

  list(): PendingIntent[] {
    return [...this.held.values()].map(pendingOf);
  }
}

function pendingOf(entry: HeldIntent): PendingIntent {
  const { request } = entry;
  return {
    intentId: entry.intentId,
    correlationId: entry.correlationId,
    signalProvider: request.signalProvider,
    asset: request.asset,
    side: request.side,
    orderType: request.orderType,
    targetSize: request.targetSize,
    referencePrice: entry.referencePrice,
    ...(request.limitPrice !== undefined ? { limitPrice: request.limitPrice } : {}),
    ...(request.takeProfit !== undefined ? { takeProfit: request.takeProfit } : {}),
    ...(request.stopLoss !== undefined ? { stopLoss: request.stopLoss } : {}),
    leverage: request.leverage,
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    notional: request.targetSize * entryPrice(request, entry.mark),
    createdAt: entry.createdAt,
    expiresAt: entry.expiresAt,
  };
}
