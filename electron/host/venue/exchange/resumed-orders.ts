// What a resumed exchange session's venue knew, rebuilt from the session's
// journal: every order the kernel asked for, what the exchange answered of
// it, which trades were counted, and where the trade queries stood. The
// journal holds every answer that reached the kernel, so nothing here is
// guessed: an order with no answer in it is UNCERTAIN, and the exchange is
// asked for it by its client order id.
import type { JournalEvent } from '../../../../shared/index.js';
import { OrderSide, OrderType } from '../../../../shared/index.js';
import type { VenueOrderRequest } from '../venue.js';
import type { TrackedStatus } from './ccxt-venue.js';
import type { ExchangeMarket } from './exchange-markets.js';
import { payloadNumber as num, payloadString as str } from '../../../../shared/index.js';

export interface ResumedOrder {
  request: VenueOrderRequest;
  /** Never SUBMITTING: a submit whose answer the journal does not hold is UNCERTAIN. */
  status: Exclude<TrackedStatus, 'SUBMITTING'>;
  venueOrderId?: string;
  filled: number;
  /** The host's clock when the kernel asked for it. */
  placedAt: number;
  /** The kernel asked for a cancel. */
  cancelRequested: boolean;
}

export interface VenueResume {
  orders: ResumedOrder[];
  /** `exchange symbol|trade id` of every trade counted. */
  tradesSeen: string[];
  /** Per exchange symbol, the exchange's time of the newest trade counted. */
  tradesSince: Record<string, number>;
  /** The highest number in the venue's own event ids so far: new ones go on from it, never repeating one. */
  eventCounter: number;
  /** Event ids of the funding payments reported, and the exchange's time of the newest. */
  fundingSeen: string[];
  fundingSince?: number;
}

/** The venue's state as a session's journal leaves it; `idPrefix` is the one its venue numbered its reports with. */
export function resumedOrdersOf(
  events: Iterable<JournalEvent>,
  markets: ReadonlyMap<string, ExchangeMarket>,
  idPrefix: string,
): VenueResume {
  const orders = new Map<string, ResumedOrder & { rateLimited?: boolean }>();
  const tradesSeen: string[] = [];
  const tradesSince: Record<string, number> = {};
  let eventCounter = 0;
  const fundingSeen: string[] = [];
  let fundingSince: number | undefined;
  const numbered = new RegExp(`^${idPrefix.replace(/[^A-Za-z0-9]/g, '\\$&')}[a-z_]+-(\\d+)$`);
  for (const event of events) {
    const p = event.payload;
    if (event.source === 'venue') {
      const n = numbered.exec(event.eventId)?.[1];
      if (n !== undefined) eventCounter = Math.max(eventCounter, Number(n));
    }
    if (event.type === 'FundingFeeSettled' && event.source === 'venue') {
      fundingSeen.push(event.eventId);
      fundingSince = Math.max(fundingSince ?? event.ts, event.ts);
      continue;
    }
    const clientOrderId = str(p.clientOrderId);
    if (!clientOrderId) continue;
    if (event.type === 'OrderRequested' && event.source === 'kernel') {
      const side = OrderSide.safeParse(p.orderSide);
      const orderType = OrderType.safeParse(p.orderType);
      const asset = str(p.asset);
      const size = num(p.size);
      if (!side.success || !orderType.success || !asset || size === undefined) continue;
      const limitPrice = num(p.price);
      orders.set(clientOrderId, {
        request: {
          kind: 'PLACE',
          clientOrderId,
          tradeId: str(p.tradeId) ?? '',
          slotId: num(p.slotId) ?? -1,
          asset,
          side: side.data,
          orderType: orderType.data,
          size,
          ...(orderType.data === 'LIMIT' && limitPrice !== undefined ? { limitPrice } : {}),
          reduceOnly: p.reduceOnly === true,
        },
        status: 'UNCERTAIN',
        filled: 0,
        placedAt: event.ts,
        cancelRequested: false,
      });
      continue;
    }
    const order = orders.get(clientOrderId);
    if (!order) continue;
    if (event.type === 'OrderResent') {
      // Sent again after a rate limit, and the answer is not in the journal: the exchange is asked.
      if (p.command === 'CANCEL') {
        order.cancelRequested = true;
        if (order.status === 'OPEN') order.status = 'CANCEL_PENDING';
      } else if (order.rateLimited) {
        order.rateLimited = false;
        order.status = 'UNCERTAIN';
      }
      continue;
    }
    if (event.type === 'OrderCancelRequested' && event.source === 'kernel') {
      order.cancelRequested = true;
      if (order.status === 'OPEN') order.status = 'CANCEL_PENDING';
      continue;
    }
    if (event.type !== 'VenueReport') continue;
    const venueOrderId = str(p.venueOrderId);
    if (venueOrderId) order.venueOrderId = venueOrderId;
    switch (p.kind) {
      case 'ACK':
        order.rateLimited = false;
        if (order.status === 'UNCERTAIN') order.status = order.cancelRequested ? 'CANCEL_PENDING' : 'OPEN';
        break;
      case 'PARTIAL_FILL':
      case 'FILL': {
        order.filled += num(p.size) ?? 0;
        const symbol = markets.get(order.request.asset)?.exchangeSymbol;
        const tradeId = str(p.venueTradeId);
        if (symbol && tradeId) {
          tradesSeen.push(`${symbol}|${tradeId}`);
          tradesSince[symbol] = Math.max(tradesSince[symbol] ?? event.ts, event.ts);
        }
        if (order.status === 'UNCERTAIN') order.status = 'OPEN';
        if (p.kind === 'FILL') order.status = 'DONE';
        break;
      }
      case 'CANCELED':
      case 'EXPIRED':
      case 'REJECTED':
        order.status = 'DONE';
        break;
      case 'CANCEL_REJECTED':
        if (order.status === 'CANCEL_PENDING') order.status = 'OPEN';
        order.cancelRequested = false;
        break;
      case 'RATE_LIMITED':
        // A refused submit placed nothing: the kernel sends it again when the wait is over (OrderResent).
        if (order.status === 'UNCERTAIN') order.rateLimited = true;
        break;
    }
  }
  return {
    orders: [...orders.values()]
      .filter((order) => !order.rateLimited || order.status !== 'UNCERTAIN')
      .map(({ rateLimited: _, ...order }) => order),
    tradesSeen,
    tradesSince,
    eventCounter,
    fundingSeen,
    ...(fundingSince !== undefined ? { fundingSince } : {}),
  };
}
