// The venue's orders as a resumed session's journal leaves them: each in the
// state its last answer put it in, and an order with no answer UNCERTAIN.
import { describe, expect, it } from 'vitest';
import type { EventSource, EventType, JournalEvent } from '../../../../shared/index.js';
import type { ExchangeMarket } from './exchange-markets.js';
import { resumedOrdersOf } from './resumed-orders.js';

const MARKETS = new Map<string, ExchangeMarket>([
  ['BTC/USDT', { symbol: 'BTC/USDT', exchangeSymbol: 'BTC/USDT:USDT' } as ExchangeMarket],
  ['ETH/USDT', { symbol: 'ETH/USDT', exchangeSymbol: 'ETH/USDT:USDT' } as ExchangeMarket],
]);

let seq = 0;
function fact(
  type: EventType,
  source: EventSource,
  payload: Record<string, unknown>,
  eventId = `e${seq + 1}`,
) {
  seq += 1;
  return {
    sessionId: 'S',
    seq,
    eventId,
    type,
    source,
    correlationId: 'c',
    causationId: 'c',
    ts: 1_000 + seq,
    payload,
  } satisfies JournalEvent;
}
const requested = (clientOrderId: string, asset = 'BTC/USDT', extra: Record<string, unknown> = {}) =>
  fact('OrderRequested', 'kernel', {
    clientOrderId,
    asset,
    tradeId: clientOrderId.split('-E')[0],
    slotId: 0,
    orderSide: 'BUY',
    orderType: 'MARKET',
    size: 0.02,
    reduceOnly: false,
    ...extra,
  });
const report = (kind: string, clientOrderId: string, extra: Record<string, unknown> = {}, eventId?: string) =>
  fact('VenueReport', 'venue', { kind, clientOrderId, ...extra }, eventId);

describe('resumedOrdersOf', () => {
  it('puts each order where its last answer left it, and counts every fill once', () => {
    const events = [
      requested('t1-E1'),
      report('ACK', 't1-E1', { venueOrderId: '1001' }, 'ab-ack-1'),
      report('PARTIAL_FILL', 't1-E1', { venueTradeId: 't1', size: 0.01 }, 'ab-trade-BTCUSDTUSDT-t1'),
      requested('t2-E1', 'ETH/USDT', { orderType: 'LIMIT', price: 3_100 }),
      report('ACK', 't2-E1', { venueOrderId: '1001' }, 'ab-ack-2'),
      fact('OrderCancelRequested', 'kernel', { clientOrderId: 't2-E1' }),
      requested('t3-E1'),
      requested('t4-E1'),
      report('ACK', 't4-E1', { venueOrderId: '1002' }, 'ab-ack-7'),
      report('FILL', 't4-E1', { venueTradeId: 't9', size: 0.02 }, 'ab-trade-BTCUSDTUSDT-t9'),
      requested('t5-E1'),
      report('RATE_LIMITED', 't5-E1', { retryAfterMs: 1_000 }, 'ab-rate_limited-8'),
      requested('t6-E1'),
      fact('OrderCancelRequested', 'kernel', { clientOrderId: 't6-E1' }),
      report('UNKNOWN', 'nobody', {}, 'ab-wallet-9'),
      fact('FundingFeeSettled', 'venue', { kind: 'FUNDING_FEE', amount: -0.06 }, 'ab-funding-BTCUSDTUSDT-4'),
    ];
    const resumed = resumedOrdersOf(events, MARKETS, 'ab-');
    const byId = Object.fromEntries(resumed.orders.map((o) => [o.request.clientOrderId, o]));
    expect(Object.keys(byId).sort()).toEqual(['t1-E1', 't2-E1', 't3-E1', 't4-E1', 't6-E1']);
    expect(byId['t1-E1']).toMatchObject({ status: 'OPEN', venueOrderId: '1001', filled: 0.01 });
    expect(byId['t2-E1']).toMatchObject({ status: 'CANCEL_PENDING', cancelRequested: true });
    expect(byId['t2-E1']?.request).toMatchObject({
      asset: 'ETH/USDT',
      orderType: 'LIMIT',
      limitPrice: 3_100,
    });
    // No answer in the journal: the exchange is asked; a cancel asked for goes with it.
    expect(byId['t3-E1']).toMatchObject({ status: 'UNCERTAIN', cancelRequested: false });
    expect(byId['t6-E1']).toMatchObject({ status: 'UNCERTAIN', cancelRequested: true });
    expect(byId['t4-E1']).toMatchObject({ status: 'DONE', filled: 0.02 });
    expect(resumed.tradesSeen).toEqual(['BTC/USDT:USDT|t1', 'BTC/USDT:USDT|t9']);
    expect(resumed.tradesSince).toEqual({ 'BTC/USDT:USDT': events[9]?.ts });
    // Trade ids are not the venue's numbering; its own ids go on from the highest.
    expect(resumed.eventCounter).toBe(9);
    // Funding payments are known by their event ids, and read on from the newest.
    expect(resumed.fundingSeen).toEqual(['ab-funding-BTCUSDTUSDT-4']);
    expect(resumed.fundingSince).toBe(events.at(-1)?.ts);
  });

  it('skips what it cannot read rather than guess an order', () => {
    const resumed = resumedOrdersOf(
      [
        requested('t1-E1', 'BTC/USDT', { orderSide: 'UP' }),
        requested('t2-E1', 'BTC/USDT', { size: 'big' }),
        report('ACK', 't9-E1', { venueOrderId: '5' }),
      ],
      MARKETS,
      'ab-',
    );
    expect(resumed.orders).toEqual([]);
  });
});
