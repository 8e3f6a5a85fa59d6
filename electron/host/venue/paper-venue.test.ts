import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findInstrument } from '../../../shared/index.js';
import { PaperVenue } from './paper-venue.js';
import type { AccountReport, VenueOrderRequest, VenueReport } from './venue.js';

const btc = findInstrument('BTC/USDT')!;
let price = 100;
let reports: VenueReport[] = [];
let accountReports: AccountReport[] = [];

function venue(overrides: Partial<ConstructorParameters<typeof PaperVenue>[0]> = {}) {
  return new PaperVenue({
    instruments: [{ ...btc, lotStep: 0.001, tickSize: 0.01 }],
    latencyMs: 50,
    takerRate: 0.0005,
    makerRate: 0.0002,
    slippageBps: 0,
    marketFillSlices: 2,
    ordersPerSecond: 100,
    walletBalance: 1000,
    fundingRate: 0.001,
    fundingIntervalMs: 60_000,
    idPrefix: 't-',
    now: () => Date.now(),
    price: () => price,
    report: (batch) => reports.push(...batch),
    account: (batch) => accountReports.push(...batch),
    onFault: (error) => {
      throw error;
    },
    ...overrides,
  });
}

const order = (fields: Partial<VenueOrderRequest> = {}): VenueOrderRequest => ({
  kind: 'PLACE',
  clientOrderId: 'T1-E1',
  tradeId: 'T1',
  slotId: 0,
  asset: 'BTC/USDT',
  side: 'BUY',
  orderType: 'MARKET',
  size: 1,
  reduceOnly: false,
  ...fields,
});

beforeEach(() => {
  vi.useFakeTimers();
  price = 100;
  reports = [];
  accountReports = [];
});
afterEach(() => vi.useRealTimers());

describe('PaperVenue', () => {
  it('answers only after its latency, then fills a market order in slices at the taker fee', () => {
    const v = venue();
    v.submit(order());
    vi.advanceTimersByTime(49);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(100);
    expect(reports.map((r) => r.kind)).toEqual(['ACK', 'PARTIAL_FILL', 'FILL']);
    const fills = reports.filter((r) => r.kind !== 'ACK');
    expect(fills.reduce((sum, r) => sum + (r.size ?? 0), 0)).toBeCloseTo(1, 9);
    expect(fills[0]).toMatchObject({ price: 100, liquidity: 'TAKER', fee: 0.5 * 100 * 0.0005 });
    expect(v.positions()).toEqual([{ asset: 'BTC/USDT', size: 1, averagePrice: 100 }]);
  });

  it('is idempotent on the client order id', () => {
    const v = venue();
    v.submit(order());
    v.submit(order());
    vi.advanceTimersByTime(500);
    expect(reports.filter((r) => r.kind === 'ACK')).toHaveLength(1);
  });

  it('rests a limit order until the price crosses it, then fills it at the limit as maker', () => {
    const v = venue();
    v.submit(order({ orderType: 'LIMIT', limitPrice: 90 }));
    vi.advanceTimersByTime(50);
    expect(reports.map((r) => r.kind)).toEqual(['ACK']);
    v.onMarks([{ asset: 'BTC/USDT', price: 95, ts: 0 }]);
    expect(v.openOrders()).toHaveLength(1);
    v.onMarks([{ asset: 'BTC/USDT', price: 89.5, ts: 0 }]);
    expect(reports.at(-1)).toMatchObject({ kind: 'FILL', price: 90, liquidity: 'MAKER', size: 1 });
    expect(v.openOrders()).toEqual([]);
  });

  it('cancels a resting order after its latency', () => {
    const v = venue();
    v.submit(order({ orderType: 'LIMIT', limitPrice: 50 }));
    vi.advanceTimersByTime(50);
    v.cancel('T1-E1');
    expect(v.openOrders()[0]?.status).toBe('CANCEL_PENDING');
    vi.advanceTimersByTime(50);
    expect(reports.at(-1)).toMatchObject({ kind: 'CANCELED', clientOrderId: 'T1-E1' });
    expect(v.openOrders()).toEqual([]);
  });

  it('lets a fill win the race against a cancel still in flight, and rejects the cancel', () => {
    const v = venue();
    v.submit(order({ orderType: 'LIMIT', limitPrice: 90 }));
    vi.advanceTimersByTime(50);
    v.cancel('T1-E1');
    v.onMarks([{ asset: 'BTC/USDT', price: 80, ts: 0 }]);
    vi.advanceTimersByTime(50);
    expect(reports.map((r) => r.kind)).toEqual(['ACK', 'FILL', 'CANCEL_REJECTED']);
  });

  it('trims a reduce-only order to the position and refuses one that would not reduce it', () => {
    const v = venue({ marketFillSlices: 1 });
    v.submit(order({ size: 0.4 }));
    vi.advanceTimersByTime(50);
    v.submit(order({ clientOrderId: 'T1-X1', side: 'SELL', size: 1, reduceOnly: true }));
    vi.advanceTimersByTime(50);
    expect(reports.at(-1)).toMatchObject({ kind: 'FILL', size: 0.4 });
    v.submit(order({ clientOrderId: 'T1-X2', side: 'SELL', size: 1, reduceOnly: true }));
    vi.advanceTimersByTime(50);
    expect(reports.at(-1)).toMatchObject({
      kind: 'REJECTED',
      reason: 'reduce-only order would not reduce the position',
    });
  });

  it('keeps a long and a short of one symbol apart (hedge mode): each reduce-only order closes its own side', () => {
    const v = venue({ marketFillSlices: 1 });
    v.submit(order({ clientOrderId: 'T1-E1', side: 'SELL', size: 2 }));
    v.submit(order({ clientOrderId: 'T2-E1', side: 'BUY', size: 1 }));
    vi.advanceTimersByTime(50);
    expect(v.positions()).toEqual([
      { asset: 'BTC/USDT', size: -2, averagePrice: 100 },
      { asset: 'BTC/USDT', size: 1, averagePrice: 100 },
    ]);
    // The long's take-profit: a reduce-only SELL. On a netted venue it would find a net short and be refused.
    price = 110;
    v.submit(order({ clientOrderId: 'T2-X1', side: 'SELL', size: 1, reduceOnly: true }));
    vi.advanceTimersByTime(50);
    expect(reports.at(-1)).toMatchObject({ kind: 'FILL', clientOrderId: 'T2-X1', size: 1, price: 110 });
    // The short's exit is not trimmed by the long that was there.
    v.submit(order({ clientOrderId: 'T1-X1', side: 'BUY', size: 2, reduceOnly: true }));
    vi.advanceTimersByTime(50);
    expect(reports.at(-1)).toMatchObject({ kind: 'FILL', clientOrderId: 'T1-X1', size: 2 });
    expect(v.positions()).toEqual([]);
  });

  it('hands a fault in its own timers to onFault instead of throwing out of the timer', () => {
    const faults: unknown[] = [];
    const v = venue({
      report: () => {
        throw new Error('report sink broke');
      },
      onFault: (error) => faults.push(error),
    });
    v.submit(order());
    expect(() => vi.advanceTimersByTime(200)).not.toThrow();
    expect(faults).toEqual([new Error('report sink broke')]);
    v.close();
  });

  it('rejects orders for symbols it does not list', () => {
    const v = venue();
    v.submit(order({ asset: 'XYZ/USDT' }));
    vi.advanceTimersByTime(50);
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'REJECTED', reason: 'unknown symbol XYZ/USDT' }),
    ]);
  });

  it('refuses an order off its grid, as an exchange does, instead of rounding and filling more than ordered', () => {
    const v = venue();
    v.submit(order({ clientOrderId: 'lot', size: 0.0025 }));
    v.submit(order({ clientOrderId: 'tick', orderType: 'LIMIT', limitPrice: 60_000.005 }));
    vi.advanceTimersByTime(50);
    expect(reports).toEqual([
      expect.objectContaining({
        kind: 'REJECTED',
        clientOrderId: 'lot',
        reason: "size 0.0025 is not a multiple of the paper venue's lot step 0.001 for BTC/USDT",
      }),
      expect.objectContaining({
        kind: 'REJECTED',
        clientOrderId: 'tick',
        reason: "limit price 60000.005 is off the paper venue's tick 0.01 for BTC/USDT",
      }),
    ]);
  });

  it('refuses orders over its rate limit with a retry delay, and takes the same order when retried', () => {
    const v = venue({ ordersPerSecond: 2, marketFillSlices: 1 });
    for (const id of ['A', 'B', 'C'])
      v.submit(order({ clientOrderId: id, orderType: 'LIMIT', limitPrice: 50 }));
    vi.advanceTimersByTime(50);
    expect(reports.map((r) => `${r.clientOrderId}:${r.kind}`)).toEqual(['A:ACK', 'B:ACK', 'C:RATE_LIMITED']);
    const limited = reports.at(-1)!;
    expect(limited.retryAfterMs).toBe(500);
    vi.advanceTimersByTime(limited.retryAfterMs!);
    v.submit(order({ clientOrderId: 'C', orderType: 'LIMIT', limitPrice: 50 }));
    vi.advanceTimersByTime(50);
    expect(reports.at(-1)).toMatchObject({ clientOrderId: 'C', kind: 'ACK' });
  });

  it('settles realized PnL and fees into its wallet, and reports the wallet after the fills', () => {
    const v = venue({ marketFillSlices: 1 });
    v.submit(order({ size: 1 }));
    vi.advanceTimersByTime(50);
    price = 110;
    v.submit(order({ clientOrderId: 'T1-X1', side: 'SELL', size: 1, reduceOnly: true }));
    vi.advanceTimersByTime(50);
    const fees = 100 * 0.0005 + 110 * 0.0005;
    expect(accountReports.map((r) => r.kind)).toEqual(['ACCOUNT_UPDATE', 'ACCOUNT_UPDATE']);
    expect(accountReports.at(-1)!.walletBalance).toBeCloseTo(1000 + 10 - fees, 9);
    expect(accountReports.at(-1)!.causedBy).toBe(reports.at(-1)!.eventId);
  });

  it('charges funding on open positions at its interval: longs pay a positive rate', () => {
    const v = venue({ marketFillSlices: 1, fundingIntervalMs: 1_000 });
    v.submit(order({ size: 2 }));
    vi.advanceTimersByTime(50);
    accountReports = [];
    vi.advanceTimersByTime(1_000);
    expect(accountReports[0]).toMatchObject({
      kind: 'FUNDING_FEE',
      asset: 'BTC/USDT',
      amount: -2 * 100 * 0.001,
    });
    expect(accountReports[1]).toMatchObject({ kind: 'ACCOUNT_UPDATE' });
    expect(accountReports[1]!.walletBalance).toBeCloseTo(1000 - 2 * 100 * 0.0005 - 0.2, 9);
    v.close();
  });
});
