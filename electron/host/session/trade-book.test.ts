import { describe, expect, it } from 'vitest';
import type { EventType, JournalEvent } from '../../../shared/index.js';
import { TradeBook } from './trade-book.js';

let seq = 0;
const event = (type: EventType, payload: Record<string, unknown>, ts = 1_000 + seq): JournalEvent => ({
  sessionId: 'S1',
  seq: ++seq,
  eventId: `e${seq}`,
  type,
  source: 'kernel',
  correlationId: `c-${String(payload.tradeId)}`,
  causationId: 'x',
  ts,
  payload,
});

const requested = (tradeId: string, leg: string, ts?: number) =>
  event('OrderRequested', { tradeId, clientOrderId: `${tradeId}-${leg}`, slotId: 0 }, ts);
const fill = (tradeId: string, leg: string, size: number, price: number, reduceOnly: boolean) =>
  event('OrderFilled', { tradeId, clientOrderId: `${tradeId}-${leg}`, size, price, fee: 0.1, reduceOnly });
const opened = (tradeId: string, size: number, avgPrice: number) =>
  event('TradeOpened', {
    tradeId,
    slotId: 0,
    asset: 'BTC/USDT',
    side: 'LONG',
    size,
    avgPrice,
    filledSize: size,
  });

function book(...events: JournalEvent[]): TradeBook {
  const b = new TradeBook();
  for (const e of events) b.apply(e);
  return b;
}

describe('the trades blotter', () => {
  it('shows the average of the exit fills and the size the trade was, once closed', () => {
    const b = book(
      requested('T1', 'E1'),
      fill('T1', 'E1', 0.01, 100, false),
      opened('T1', 0.01, 100),
      requested('T1', 'X1'),
      fill('T1', 'X1', 0.005, 110, true),
      event('TradeReduced', { tradeId: 'T1', size: 0.005, price: 110, realizedPnl: 0.05 }),
      fill('T1', 'X1', 0.005, 106, true),
      event('TradeClosed', { tradeId: 'T1', size: 0, realizedPnl: 0.08, closeReason: 'MANUAL' }),
    );
    const [trade] = b.list();
    expect(trade).toMatchObject({ state: 'CLOSED', size: 0, entrySize: 0.01, entryPrice: 100 });
    expect(trade!.exitPrice).toBeCloseTo(108, 9);
    expect(trade!.realizedPnl).toBe(0.08);
    expect(trade!.fees).toBeCloseTo(0.3, 9);
  });

  it('has an exit price when one fill closes the whole trade', () => {
    const b = book(
      requested('T2', 'E1'),
      fill('T2', 'E1', 1, 50, false),
      opened('T2', 1, 50),
      requested('T2', 'X1'),
      fill('T2', 'X1', 1, 49, true),
      event('TradeClosed', { tradeId: 'T2', size: 0, realizedPnl: -1, closeReason: 'SL' }),
    );
    expect(b.list()[0]).toMatchObject({ exitPrice: 49, entrySize: 1, closeReason: 'SL' });
  });

  it('dates an entry cancelled before any fill from when it was asked for', () => {
    const b = book(requested('T3', 'E1', 500), event('TradeCanceled', { tradeId: 'T3', slotId: 0 }, 900));
    expect(b.list()[0]).toMatchObject({ state: 'CANCELED', openedAt: 500, closedAt: 900, entrySize: 0 });
  });

  it("keeps 500 trades, forgetting an ended trade's orders with it but never an open one's", () => {
    const b = book(requested('OPEN', 'E1'), fill('OPEN', 'E1', 1, 10, false), opened('OPEN', 1, 10));
    for (let n = 0; n < 500; n++) {
      b.apply(requested(`T${n}`, 'E1'));
      b.apply(event('TradeCanceled', { tradeId: `T${n}`, slotId: 0 }));
    }
    expect(b.list()).toHaveLength(500);
    expect(b.trade('OPEN')).toBeUndefined();
    // Off the blotter, but its working orders can still be found and cancelled.
    expect(b.order('OPEN-E1')).toMatchObject({ tradeId: 'OPEN' });
    b.apply(requested('T500', 'E1'));
    b.apply(event('TradeCanceled', { tradeId: 'T500', slotId: 0 }));
    expect(b.trade('T0')).toBeUndefined();
    expect(b.order('T0-E1')).toBeUndefined();
    expect(b.order('T1-E1')).toMatchObject({ tradeId: 'T1' });
    // The open trade the blotter dropped closes later: its orders go then.
    b.apply(requested('OPEN', 'X1'));
    b.apply(fill('OPEN', 'X1', 1, 11, true));
    b.apply(event('TradeClosed', { tradeId: 'OPEN', size: 0, realizedPnl: 1, closeReason: 'MANUAL' }));
    expect(b.order('OPEN-E1')).toBeUndefined();
    expect(b.order('OPEN-X1')).toBeUndefined();
    expect(b.trade('OPEN')).toBeUndefined();
  });
});
