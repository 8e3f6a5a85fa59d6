// Read models the window lists, materialized from kernel events: the trades
// blotter and which lineage each venue order belongs to. Never the source of
// truth; rebuilt from the journal the same way.
import {
  MAX_BLOTTER_TRADES,
  type EventType,
  type JournalEvent,
  type TradeSide,
  type TradeSummary,
} from '../../../shared/index.js';
import { payloadNumber as num, payloadString as str } from '../../../shared/index.js';

export interface OrderLineage {
  correlationId: string;
  /** The event that asked for the order: venue reports about it are caused by this. */
  requestEventId: string;
  /** The latest cancel request, which the venue's answer to a cancel is caused by. */
  cancelEventId?: string;
  tradeId: string;
  slotId: number;
  /** What was ordered: the exposure counts a working entry's unfilled part from it. */
  size: number;
  limitPrice?: number;
  reduceOnly: boolean;
}

/** The events the blotter is made of: the only ones `apply` reads (a review reads only these from the journal). */
export const TRADE_BOOK_EVENTS: readonly EventType[] = [
  'OrderRequested',
  'OrderCancelRequested',
  'OrderFilled',
  'OrderPartiallyFilled',
  'TradeOpened',
  'TradeIncreased',
  'TradeReduced',
  'TradeClosed',
  'TradeMonitoringClosed',
  'TradeCanceled',
];
const READS = new Set(TRADE_BOOK_EVENTS);

export class TradeBook {
  private readonly trades = new Map<string, TradeSummary>();
  private readonly orders = new Map<string, OrderLineage>();
  /** Fees ride on the order's fill events, which come before the trade they open. */
  private readonly fees = new Map<string, number>();
  /** Per trade, its exit fills so far (quantity, Σ quantity × price): the blotter's exit price is their average. */
  private readonly exits = new Map<string, { qty: number; notional: number }>();
  /** Per trade, when its entry was asked for: the opening time of an entry cancelled before any fill. */
  private readonly requestedAt = new Map<string, number>();
  /** Per trade, its orders' ids, forgotten with the trade. */
  private readonly ordersOf = new Map<string, string[]>();

  order(clientOrderId: string): OrderLineage | undefined {
    return this.orders.get(clientOrderId);
  }

  trade(tradeId: string): Readonly<TradeSummary> | undefined {
    return this.trades.get(tradeId);
  }

  /** The trades with a position open now, oldest first. */
  *openTrades(): Iterable<Readonly<TradeSummary>> {
    for (const trade of this.trades.values()) if (trade.state === 'OPEN' && trade.size > 0) yield trade;
  }

  list(): TradeSummary[] {
    return [...this.trades.values()]
      .reverse()
      .map((trade) => ({ ...trade, fees: this.fees.get(trade.tradeId) ?? 0 }));
  }

  apply(event: JournalEvent): void {
    if (!READS.has(event.type)) return;
    const p = event.payload;
    const tradeId = str(p.tradeId);
    const clientOrderId = str(p.clientOrderId);
    if (event.type === 'OrderRequested' && clientOrderId && tradeId) {
      this.orders.set(clientOrderId, {
        correlationId: event.correlationId,
        requestEventId: event.eventId,
        tradeId,
        slotId: num(p.slotId) ?? -1,
        size: num(p.size) ?? 0,
        ...(num(p.price) !== undefined ? { limitPrice: num(p.price) } : {}),
        reduceOnly: p.reduceOnly === true,
      });
      const ids = this.ordersOf.get(tradeId);
      if (ids) ids.push(clientOrderId);
      else this.ordersOf.set(tradeId, [clientOrderId]);
      if (!this.requestedAt.has(tradeId)) this.requestedAt.set(tradeId, event.ts);
      return;
    }
    if (event.type === 'OrderCancelRequested' && clientOrderId) {
      const order = this.orders.get(clientOrderId);
      if (order) order.cancelEventId = event.eventId;
      return;
    }
    if (!tradeId) return;
    if (event.type === 'OrderFilled' || event.type === 'OrderPartiallyFilled') {
      this.fees.set(tradeId, (this.fees.get(tradeId) ?? 0) + (num(p.fee) ?? 0));
      const qty = num(p.size);
      const price = num(p.price);
      if (p.reduceOnly === true && qty !== undefined && price !== undefined) {
        const exit = this.exits.get(tradeId) ?? { qty: 0, notional: 0 };
        exit.qty += qty;
        exit.notional += qty * price;
        this.exits.set(tradeId, exit);
        const trade = this.trades.get(tradeId);
        if (trade) trade.exitPrice = exit.notional / exit.qty;
      }
      return;
    }
    const trade = this.trades.get(tradeId);
    switch (event.type) {
      case 'TradeOpened':
        this.trades.set(tradeId, {
          tradeId,
          correlationId: event.correlationId,
          slotId: num(p.slotId) ?? -1,
          asset: str(p.asset) ?? '?',
          side: (str(p.side) as TradeSide | undefined) ?? 'LONG',
          size: num(p.size) ?? 0,
          entrySize: num(p.filledSize) ?? num(p.size) ?? 0,
          entryPrice: num(p.avgPrice) ?? num(p.price) ?? 0,
          realizedPnl: 0,
          fees: 0,
          state: 'OPEN',
          openedAt: event.ts,
        });
        this.evictOldest();
        return;
      case 'TradeIncreased':
        if (!trade) return;
        trade.size = num(p.size) ?? trade.size;
        trade.entrySize = num(p.filledSize) ?? trade.entrySize;
        trade.entryPrice = num(p.avgPrice) ?? trade.entryPrice;
        return;
      case 'TradeReduced':
      case 'TradeClosed':
        if (!trade) {
          // A trade the blotter dropped while it was open: what the book kept for it goes now.
          if (event.type === 'TradeClosed') this.release(tradeId);
          return;
        }
        trade.size = num(p.size) ?? trade.size;
        trade.realizedPnl = num(p.realizedPnl) ?? trade.realizedPnl;
        if (event.type === 'TradeClosed') {
          trade.state = 'CLOSED';
          trade.closedAt = event.ts;
          trade.closeReason = str(p.closeReason) ?? str(p.reason) ?? trade.closeReason;
        }
        return;
      case 'TradeMonitoringClosed':
        if (trade) trade.closeReason = str(p.closeReason) ?? trade.closeReason;
        return;
      case 'TradeCanceled':
        this.trades.set(tradeId, {
          ...(trade ?? {
            tradeId,
            correlationId: event.correlationId,
            slotId: num(p.slotId) ?? -1,
            asset: str(p.asset) ?? '?',
            side: (str(p.side) as TradeSide | undefined) ?? 'LONG',
            size: 0,
            entrySize: 0,
            entryPrice: 0,
            realizedPnl: 0,
            fees: 0,
            openedAt: this.requestedAt.get(tradeId) ?? event.ts,
          }),
          state: 'CANCELED',
          closedAt: event.ts,
          closeReason: str(p.reason) ?? 'CANCELED',
        });
        this.evictOldest();
        return;
    }
  }

  private evictOldest(): void {
    while (this.trades.size > MAX_BLOTTER_TRADES) {
      const oldest = this.trades.keys().next().value;
      if (oldest === undefined) return;
      this.forget(oldest);
    }
  }

  /**
   * Drops a trade from the blotter. Once it has ended, what the book keeps for it goes too (a late venue
   * report then lands in an unknown lineage); an open trade's stays until it closes, so its working orders
   * can still be cancelled.
   */
  private forget(tradeId: string): void {
    const ended = this.trades.get(tradeId)?.state !== 'OPEN';
    this.trades.delete(tradeId);
    if (ended) this.release(tradeId);
  }

  /** What the book keeps for a trade beside its row: fees, exits, when it was asked for, its orders' lineage. */
  private release(tradeId: string): void {
    this.fees.delete(tradeId);
    this.exits.delete(tradeId);
    this.requestedAt.delete(tradeId);
    for (const id of this.ordersOf.get(tradeId) ?? []) this.orders.delete(id);
    this.ordersOf.delete(tradeId);
  }
}
