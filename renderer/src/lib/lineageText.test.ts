import { describe, expect, it } from 'vitest';
import type { EventType, JournalEvent, LineageNode } from '../../../shared/index.js';
import { nodeText } from './lineageText.js';

let seq = 0;
const event = (type: EventType, payload: Record<string, unknown>): JournalEvent => ({
  seq: ++seq,
  eventId: `e${seq}`,
  sessionId: 's1',
  correlationId: 'c1',
  causationId: 'c1',
  type,
  source: 'kernel',
  ts: 1_000 + seq,
  payload,
});

const node = (
  kind: LineageNode['kind'],
  state: string,
  label: string,
  events: JournalEvent[],
): LineageNode => ({
  id: `${kind}:x`,
  kind,
  state,
  label,
  events,
});

describe('lineage node text', () => {
  it("says what an order is (side, size, type, limit at the symbol's tick), not its id", () => {
    const order = node('order', 'PLACED', 'BUY 0.5 LIMIT T4-E1', [
      event('OrderRequested', {
        clientOrderId: 'T4-E1',
        asset: 'ETH/USDT',
        orderSide: 'BUY',
        orderType: 'LIMIT',
        size: 0.5,
        price: 1600.08,
        reduceOnly: false,
      }),
      event('OrderPlaced', { clientOrderId: 'T4-E1' }),
    ]);
    expect(nodeText(order)).toEqual({ label: 'BUY 0.5 LIMIT @ 1600.08' });
  });

  it('adds what filled and at what average', () => {
    const order = node('order', 'PARTIALLY_FILLED', 'SELL 2 MARKET T2-E1', [
      event('OrderRequested', {
        asset: 'SOL/USDT',
        orderSide: 'SELL',
        orderType: 'MARKET',
        size: 2,
        price: 149.9,
      }),
      event('OrderPartiallyFilled', { filledSize: 1, avgPrice: 149.94 }),
    ]);
    expect(nodeText(order)).toEqual({ label: 'SELL 2 MARKET', detail: 'filled 1/2 @ 149.940' });
    order.events.push(event('OrderFilled', { filledSize: 2, avgPrice: 149.9471 }));
    expect(nodeText(order).detail).toBe('filled 2 @ 149.947');
  });

  it('marks a reduce-only order and falls back to the host label without a request', () => {
    const exit = node('order', 'PLACED', 'SELL 0.01 MARKET X1', [
      event('OrderRequested', {
        asset: 'BTC/USDT',
        orderSide: 'SELL',
        orderType: 'MARKET',
        size: 0.01,
        reduceOnly: true,
      }),
    ]);
    expect(nodeText(exit).label).toBe('SELL 0.01 MARKET RO');
    expect(nodeText(node('order', 'CANCELED', 'BUY 1 LIMIT X2', [event('OrderCanceled', {})]))).toEqual({
      label: 'BUY 1 LIMIT X2',
    });
  });

  it("shows a closed trade's realized PnL, and nothing for an open one that realized none", () => {
    const open = node('trade', 'OPEN', 'T1 LONG BTC/USDT', [event('TradeOpened', { realizedPnl: 0 })]);
    expect(nodeText(open)).toEqual({ label: 'T1 LONG BTC/USDT' });
    const closed = node('trade', 'CLOSED', 'T1 LONG BTC/USDT', [
      event('TradeClosed', { realizedPnl: -0.15 }),
    ]);
    expect(nodeText(closed)).toEqual({ label: 'T1 LONG BTC/USDT', detail: 'realized -0.15' });
  });

  it('says until when an intent held for the operator waits', () => {
    const expiresAt = new Date(2026, 0, 1, 9, 30, 5).getTime();
    const held = node('intent', 'AWAITING', 'ENTER LONG 0.01 BTC/USDT MARKET', [
      event('TradingSignalIntentCreated', { awaiting: 'supervisor', expiresAt }),
    ]);
    expect(nodeText(held)).toEqual({
      label: 'ENTER LONG 0.01 BTC/USDT MARKET',
      detail: 'awaiting grant until 09:30:05',
    });
  });

  it('names the gate that refused an intent, and its reason', () => {
    const refused = node('intent', 'REJECTED', 'ENTER SHORT 1 ETH/USDT MARKET', [
      event('TradingSignalIntentCreated', {}),
      event('TradingSignalIntentRejected', { gate: 'short_side', reason: 'shorting is disabled' }),
    ]);
    expect(nodeText(refused).detail).toBe('short_side: shorting is disabled');
  });

  it("keeps the host's label for intents, signals and fills", () => {
    const intent = node('intent', 'GRANTED', 'ENTER SHORT 2 SOL/USDT MARKET', []);
    expect(nodeText(intent)).toEqual({ label: 'ENTER SHORT 2 SOL/USDT MARKET' });
  });
});
