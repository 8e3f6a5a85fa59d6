import {
  DDoSProtection,
  DuplicateOrderId,
  ExchangeError,
  InsufficientFunds,
  InvalidOrder,
  NotSupported,
  RateLimitExceeded,
} from 'ccxt';
import type { Balances, Position } from 'ccxt';
import { afterEach, expect, it, vi } from 'vitest';
import { lostAnswer, TestnetDouble } from '../../testing/testnet-double.js';
import type { AccountReport, VenueOrderRequest, VenueReport } from '../venue.js';
import { CcxtVenue, walletOf } from './ccxt-venue.js';
import { reasonOf } from './exchange-errors.js';
import { perpetualOf, PRECISION_MODE, type ExchangeMarket } from './exchange-markets.js';

const venues: CcxtVenue[] = [];
afterEach(() => venues.splice(0).forEach((venue) => venue.close()));

function setUp(options: { uncertainGraceMs?: number } = {}) {
  const exchange = new TestnetDouble();
  const markets = new Map<string, ExchangeMarket>();
  for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
    const choice = perpetualOf(exchange.markets, symbol, exchange.precisionMode);
    if (!choice.ok) throw new Error(choice.problem);
    markets.set(symbol, choice.market);
  }
  const reports: VenueReport[] = [];
  const account: AccountReport[] = [];
  const faults: unknown[] = [];
  const venue = new CcxtVenue({
    exchange,
    markets,
    pollIntervalMs: 5,
    fundingPollMs: 5,
    uncertainGraceMs: options.uncertainGraceMs ?? 0,
    walletBalance: exchange.wallet,
    clockOffsetMs: exchange.clock - Date.now(),
    idPrefix: 'x-',
    // The host's clock, years apart from the double's: the venue must read trades by the exchange's time.
    now: Date.now,
    report: (batch) => reports.push(...batch),
    account: (batch) => account.push(...batch),
    onFault: (error) => faults.push(error),
    log: () => undefined,
  });
  venue.start();
  venues.push(venue);
  const kinds = (clientOrderId: string) =>
    reports.filter((r) => r.clientOrderId === clientOrderId).map((r) => r.kind);
  return { exchange, venue, reports, account, faults, kinds };
}

const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 3_000 });

function order(clientOrderId: string, overrides: Partial<VenueOrderRequest> = {}): VenueOrderRequest {
  return {
    kind: 'PLACE',
    clientOrderId,
    tradeId: clientOrderId.split('-')[0] as string,
    slotId: 0,
    asset: 'BTC/USDT',
    side: 'BUY',
    orderType: 'MARKET',
    size: 0.01,
    reduceOnly: false,
    ...overrides,
  };
}

it('places a market order with its client order id, and reports ACK then the fill from the account trades', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('FILL'));
  expect(exchange.calls[0]).toEqual({
    method: 'createOrder',
    args: ['BTC/USDT:USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'T1-E1' }],
  });
  expect(kinds('T1-E1')).toEqual(['ACK', 'FILL']);
  const fill = reports.find((r) => r.kind === 'FILL');
  expect(fill).toMatchObject({
    eventId: 'x-trade-BTCUSDTUSDT-t1',
    venueOrderId: '1001',
    venueTradeId: 't1',
    price: 64_000,
    size: 0.01,
    liquidity: 'TAKER',
  });
  expect(fill?.fee).toBeCloseTo(0.32, 9);
  expect(venue.openOrders()).toEqual([]);
  await until(() => venue.positions().length === 1);
  expect(venue.positions()).toEqual([{ asset: 'BTC/USDT', size: 0.01, averagePrice: 64_000 }]);
});

it('submits a client order id once, however often the kernel sends it', async () => {
  const { exchange, venue, kinds } = setUp();
  venue.submit(order('T1-E1'));
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('FILL'));
  venue.submit(order('T1-E1'));
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(exchange.calledTimes('createOrder')).toBe(1);
  expect(kinds('T1-E1')).toEqual(['ACK', 'FILL']);
});

it('sends reduce-only exits as reduce-only, and a resting limit order is cancelled only once the exchange confirms', async () => {
  const { exchange, venue, kinds } = setUp();
  venue.submit(order('T1-E1', { orderType: 'LIMIT', limitPrice: 60_000 }));
  await until(() => kinds('T1-E1').includes('ACK'));
  expect(venue.openOrders()).toMatchObject([
    { clientOrderId: 'T1-E1', venueOrderId: '1001', status: 'OPEN', limitPrice: 60_000 },
  ]);
  venue.cancel('T1-E1');
  expect(venue.openOrders()[0]?.status).toBe('CANCEL_PENDING');
  await until(() => kinds('T1-E1').includes('CANCELED'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'CANCELED']);
  venue.submit(order('T2-E1'));
  await until(() => kinds('T2-E1').includes('FILL'));
  venue.submit(order('T2-X1', { side: 'SELL', reduceOnly: true }));
  await until(() => kinds('T2-X1').includes('FILL'));
  expect(
    exchange.calls.find(
      (c) => c.method === 'createOrder' && (c.args[5] as { clientOrderId: string }).clientOrderId === 'T2-X1',
    )?.args[5],
  ).toEqual({
    clientOrderId: 'T2-X1',
    reduceOnly: true,
  });
});

it('reports a limit order filled on the exchange as a maker fill, and a cancel that lost the race as CANCEL_REJECTED', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  venue.submit(order('T1-E1', { orderType: 'LIMIT', limitPrice: 63_000 }));
  await until(() => kinds('T1-E1').includes('ACK'));
  exchange.setPrice('BTC/USDT:USDT', 62_900);
  venue.cancel('T1-E1');
  await until(() => kinds('T1-E1').includes('CANCEL_REJECTED') && kinds('T1-E1').includes('FILL'));
  expect(reports.find((r) => r.kind === 'FILL')).toMatchObject({ price: 63_000, liquidity: 'MAKER' });
  expect(reports.find((r) => r.kind === 'CANCEL_REJECTED')?.reason).toMatch(
    /^OrderNotFound: .*Unknown order sent/,
  );
  expect(kinds('T1-E1')).not.toContain('CANCELED');
});

it('reports a rate limit as RATE_LIMITED with a wait, and the same client order id may go again', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  exchange.failNext('createOrder', new RateLimitExceeded('testnetdouble 429 Too Many Requests'));
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('RATE_LIMITED'));
  expect(reports[0]).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: 1_000 });
  exchange.failNext('createOrder', new DDoSProtection('testnetdouble 418'));
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').length === 2);
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('FILL'));
  expect(kinds('T1-E1')).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'ACK', 'FILL']);
});

it("reports the exchange's refusal with its words and without any URL", async () => {
  const { exchange, venue, reports, kinds } = setUp();
  exchange.failNext(
    'createOrder',
    new InsufficientFunds(
      'testnetdouble POST https://testnet.example/fapi/v1/order?signature=ab12 {"msg":"Margin is insufficient."}',
    ),
  );
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('REJECTED'));
  expect(reports[0]?.reason).toBe(
    'InsufficientFunds: testnetdouble POST <url> {"msg":"Margin is insufficient."}',
  );
});

it('refuses, without sending, a size off the lot step, a price off the tick, an asset the session does not trade, and an entry against its own position', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  venue.submit(order('T1-E1', { size: 0.0105 }));
  venue.submit(order('T2-E1', { orderType: 'LIMIT', limitPrice: 60_000.05 }));
  venue.submit(order('T3-E1', { asset: 'SOL/USDT' }));
  await until(() => reports.length === 3);
  expect(reports.map((r) => r.reason)).toEqual([
    "size 0.0105 is not a multiple of testnetdouble's lot step 0.001 for BTC/USDT:USDT",
    "limit price 60000.05 is off testnetdouble's tick 0.1 for BTC/USDT:USDT",
    'the session does not trade SOL/USDT',
  ]);
  expect(exchange.calledTimes('createOrder')).toBe(0);
  venue.submit(order('T4-E1'));
  await until(() => kinds('T4-E1').includes('FILL'));
  venue.submit(order('T5-E1', { side: 'SELL' }));
  await until(() => kinds('T5-E1').includes('REJECTED'));
  expect(reports.at(-1)?.reason).toMatch(/one-way mode.*holds the other side/);
  venue.submit(order('T6-E1', { asset: 'ETH/USDT', orderType: 'LIMIT', limitPrice: 3_000 }));
  await until(() => kinds('T6-E1').includes('ACK'));
  venue.submit(order('T7-E1', { asset: 'ETH/USDT', side: 'SELL' }));
  await until(() => kinds('T7-E1').includes('REJECTED'));
  expect(reports.at(-1)?.reason).toMatch(/entry T6-E1 on the other side is working/);
  expect(exchange.calledTimes('createOrder')).toBe(2);
});

it('finds an order whose submit answer was lost in the open book, and its fill', async () => {
  const { exchange, venue, kinds } = setUp({ uncertainGraceMs: 60_000 });
  exchange.failNext('createOrder', lostAnswer(), true);
  venue.submit(order('T1-E1', { orderType: 'LIMIT', limitPrice: 63_000 }));
  await until(() => kinds('T1-E1').includes('ACK'));
  exchange.setPrice('BTC/USDT:USDT', 62_000);
  await until(() => kinds('T1-E1').includes('FILL'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'FILL']);
});

it('asks the exchange by client order id for a lost submit no longer in the book: a filled one is adopted with its fill', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  exchange.failNext('createOrder', lostAnswer(), true);
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('FILL'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'FILL']);
  expect(exchange.calls.find((c) => c.method === 'fetchOrder')?.args).toEqual([
    '',
    'BTC/USDT:USDT',
    { clientOrderId: 'T1-E1' },
  ]);
  expect(reports.find((r) => r.kind === 'FILL')?.size).toBe(0.01);
});

it('rejects a lost submit the exchange never received, and a cancel asked meanwhile gets that answer', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  exchange.failNext('createOrder', lostAnswer());
  venue.submit(order('T1-E1'));
  venue.cancel('T1-E1');
  await until(() => kinds('T1-E1').includes('REJECTED'));
  expect(reports[0]?.reason).toBe("the submit's answer was lost and testnetdouble has no order T1-E1");
  expect(exchange.calledTimes('cancelOrder')).toBe(0);
});

it('cancels after the ACK when the kernel asked before the exchange answered', async () => {
  const { venue, kinds } = setUp();
  venue.submit(order('T1-E1', { orderType: 'LIMIT', limitPrice: 60_000 }));
  venue.cancel('T1-E1');
  await until(() => kinds('T1-E1').includes('CANCELED'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'CANCELED']);
});

it('reports an order the exchange cancelled on its own, and the wallet as it moves', async () => {
  const { exchange, venue, account, kinds } = setUp();
  venue.submit(order('T1-E1', { orderType: 'LIMIT', limitPrice: 60_000 }));
  await until(() => kinds('T1-E1').includes('ACK'));
  await exchange.cancelOrder('1001');
  await until(() => kinds('T1-E1').includes('CANCELED'));
  venue.submit(order('T2-E1'));
  await until(() => account.length > 0);
  expect(account[0]).toMatchObject({ kind: 'ACCOUNT_UPDATE', walletBalance: exchange.wallet });
  expect(account[0]?.walletBalance).toBeCloseTo(5_000 - 0.32, 9);
});

it("reports the exchange's funding payments on the session's symbols once each, before the wallet they moved", async () => {
  const { exchange, venue, account, kinds, faults } = setUp();
  // Funding before the session held anything is not read at all.
  expect(exchange.calledTimes('fetchFundingHistory')).toBe(0);
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('FILL'));
  // A funding time passes just before the venue's next read of the funding.
  exchange.beforeCall('fetchFundingHistory', 1, () => {
    exchange.placeOutside('SOL/USDT:USDT', 'buy', 1);
    exchange.payFunding(0.0001);
  });
  await until(() => account.some((r) => r.kind === 'FUNDING_FEE'));
  const polled = exchange.calledTimes('fetchFundingHistory');
  await until(() => exchange.calledTimes('fetchFundingHistory') > polled + 2);
  const funding = account.filter((r) => r.kind === 'FUNDING_FEE');
  // SOL/USDT is the account's, not the session's: its payment is not reported.
  expect(funding).toEqual([
    {
      eventId: expect.stringMatching(/^x-funding-BTCUSDTUSDT-\d+$/),
      kind: 'FUNDING_FEE',
      amount: -0.064,
      asset: 'BTC/USDT',
      ts: expect.any(Number),
    },
  ]);
  const at = account.indexOf(funding[0] as AccountReport);
  expect(account[at + 1]).toMatchObject({ kind: 'ACCOUNT_UPDATE', walletBalance: exchange.wallet });
  // An exchange that will not tell its funding is a fault told, not a stop of the fills' poll.
  exchange.failNext(
    'fetchFundingHistory',
    new NotSupported('testnetdouble fetchFundingHistory() is not supported'),
  );
  venue.submit(order('T2-E1', { asset: 'ETH/USDT' }));
  await until(() => kinds('T2-E1').includes('FILL'));
  expect(faults.map(String)).toEqual([expect.stringContaining('NotSupported')]);
  venue.close();
});

it('backs off when polling meets the network, and tells of other faults', async () => {
  const { exchange, faults } = setUp();
  exchange.failNext('fetchPositions', lostAnswer());
  exchange.failNext('fetchPositions', new InsufficientFunds('testnetdouble odd'));
  await until(() => faults.length === 1);
  expect(faults).toEqual([new Error('InsufficientFunds: testnetdouble odd')]);
});

it('stops for good at close: no report after it', async () => {
  const { exchange, venue, reports } = setUp();
  venue.submit(order('T1-E1'));
  venue.close();
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(reports).toEqual([]);
  expect(exchange.calledTimes('fetchMyTrades')).toBe(0);
});

it('tells trades of two symbols apart when the exchange numbers them per symbol', async () => {
  const { venue, reports, kinds } = setUp();
  venue.submit(order('T1-E1'));
  venue.submit(order('T2-E1', { asset: 'ETH/USDT', size: 0.1 }));
  await until(() => kinds('T1-E1').includes('FILL') && kinds('T2-E1').includes('FILL'));
  const fills = reports.filter((r) => r.kind === 'FILL');
  expect(fills.map((r) => [r.clientOrderId, r.venueTradeId, r.eventId, r.size])).toEqual(
    expect.arrayContaining([
      ['T1-E1', 't1', 'x-trade-BTCUSDTUSDT-t1', 0.01],
      ['T2-E1', 't1', 'x-trade-ETHUSDTUSDT-t1', 0.1],
    ]),
  );
});

it("reports a market order's unfilled rest as EXPIRED after its partial fill", async () => {
  const { exchange, venue, reports, kinds } = setUp();
  exchange.marketFillRatio = 0.5;
  venue.submit(order('T1-E1', { size: 0.02 }));
  await until(() => kinds('T1-E1').includes('EXPIRED'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'PARTIAL_FILL', 'EXPIRED']);
  expect(reports.find((r) => r.kind === 'PARTIAL_FILL')?.size).toBe(0.01);
});

it('reports CANCELED only after a fill the exchange lists late, though the cancel was confirmed before', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  venue.submit(order('T1-E1', { orderType: 'LIMIT', limitPrice: 63_000 }));
  await until(() => kinds('T1-E1').includes('ACK'));
  exchange.tradeLag = 4;
  exchange.setPrice('BTC/USDT:USDT', 62_900, 0.5);
  venue.cancel('T1-E1');
  await until(() => kinds('T1-E1').includes('CANCELED'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'PARTIAL_FILL', 'CANCELED']);
  expect(reports.find((r) => r.kind === 'PARTIAL_FILL')).toMatchObject({ size: 0.005, price: 63_000 });
});

it("reads the fills of an order whose create answer has no time, by the exchange's clock", async () => {
  const { exchange, venue, kinds } = setUp();
  exchange.createAnswerWithoutTime = true;
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('FILL'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'FILL']);
});

it('rejects a rate-limited entry the kernel meanwhile asked to cancel; a rate-limited cancel is RATE_LIMITED', async () => {
  const { exchange, venue, reports, kinds } = setUp();
  exchange.failNext('createOrder', new RateLimitExceeded('testnetdouble 429'));
  venue.submit(order('T1-E1'));
  venue.cancel('T1-E1');
  await until(() => kinds('T1-E1').length === 1);
  expect(reports[0]).toMatchObject({ kind: 'REJECTED', reason: 'RateLimitExceeded: testnetdouble 429' });
  venue.submit(order('T2-E1', { orderType: 'LIMIT', limitPrice: 60_000 }));
  await until(() => kinds('T2-E1').includes('ACK'));
  exchange.failNext('cancelOrder', new RateLimitExceeded('testnetdouble 429'));
  venue.cancel('T2-E1');
  await until(() => kinds('T2-E1').includes('RATE_LIMITED'));
  expect(venue.openOrders()[0]?.status).toBe('OPEN');
  venue.cancel('T2-E1');
  await until(() => kinds('T2-E1').includes('CANCELED'));
  expect(kinds('T2-E1')).toEqual(['ACK', 'RATE_LIMITED', 'CANCELED']);
});

it('sends a cancel again while its lost answer leaves the order in the book', async () => {
  const { exchange, venue, kinds } = setUp();
  venue.submit(order('T1-E1', { orderType: 'LIMIT', limitPrice: 60_000 }));
  await until(() => kinds('T1-E1').includes('ACK'));
  exchange.failNext('cancelOrder', lostAnswer());
  venue.cancel('T1-E1');
  await until(() => kinds('T1-E1').includes('CANCELED'));
  expect(exchange.calledTimes('cancelOrder')).toBe(2);
  expect(kinds('T1-E1')).toEqual(['ACK', 'CANCELED']);
});

it('takes an unclear answer to a submit (a system error, a duplicate id) as unknown, not as a refusal', async () => {
  const { exchange, venue, kinds } = setUp();
  exchange.failNext(
    'createOrder',
    new ExchangeError('testnetdouble {"code":10016,"msg":"System error"}'),
    true,
  );
  venue.submit(order('T1-E1'));
  await until(() => kinds('T1-E1').includes('FILL'));
  expect(kinds('T1-E1')).toEqual(['ACK', 'FILL']);
  exchange.failNext('createOrder', new DuplicateOrderId('testnetdouble duplicate'));
  venue.submit(order('T2-E1'));
  await until(() => kinds('T2-E1').includes('REJECTED'));
  expect(kinds('T2-E1')).toEqual(['REJECTED']);
  // Binance's answer to a client order id it has: ccxt raises InvalidOrder (-4116), and the order is asked for.
  exchange.failNext(
    'createOrder',
    new InvalidOrder('binanceusdm {"code":-4116,"msg":"ClientOrderId is duplicated."}'),
  );
  venue.submit(order('T3-E1'));
  await until(() => kinds('T3-E1').includes('REJECTED'));
  expect(exchange.calls.filter((c) => c.method === 'fetchOrder').map((c) => c.args[2])).toEqual([
    { clientOrderId: 'T1-E1' },
    { clientOrderId: 'T2-E1' },
    { clientOrderId: 'T3-E1' },
  ]);
});

it("reads the wallet without the positions' unrealized PnL", () => {
  const binance = {
    info: { assets: [{ asset: 'USDT', walletBalance: '4990.5', marginBalance: '5010.5' }] },
    USDT: { free: 4000, used: 1010.5, total: 5010.5 },
  } as unknown as Balances;
  const open = [{ symbol: 'BTC/USDT:USDT', unrealizedPnl: 20 }] as unknown as Position[];
  expect(walletOf(binance, 'USDT', open)).toBe(4990.5);
  const plain = { info: {}, USDT: { free: 4000, used: 1010.5, total: 5010.5 } } as unknown as Balances;
  expect(walletOf(plain, 'USDT', open)).toBe(4990.5);
  expect(walletOf(plain, 'USDC', open)).toBeUndefined();
});

it('reads a reason without URLs, and cuts it to 200 characters', () => {
  expect(reasonOf(lostAnswer())).toBe(
    'RequestTimeout: testnetdouble POST <url> request timed out (10000 ms)',
  );
  expect(reasonOf(new Error('x'.repeat(500)))).toHaveLength(200);
  expect(reasonOf('plain')).toBe('Error: plain');
});

it('chooses the linear perpetual settled in the quote, and states its grid in both precision modes', () => {
  const exchange = new TestnetDouble();
  expect(perpetualOf(exchange.markets, 'BTC/USDT', PRECISION_MODE.TICK_SIZE)).toEqual({
    ok: true,
    market: {
      symbol: 'BTC/USDT',
      exchangeSymbol: 'BTC/USDT:USDT',
      settle: 'USDT',
      tickSize: 0.1,
      lotStep: 0.001,
      takerRate: 0.0005,
      makerRate: 0.0002,
    },
  });
  const inDecimals = {
    'BTC/USDT:USDT': { ...exchange.markets['BTC/USDT:USDT'], precision: { price: 1, amount: 3 } },
  };
  expect(perpetualOf(inDecimals as never, 'BTC/USDT', PRECISION_MODE.DECIMAL_PLACES)).toMatchObject({
    ok: true,
    market: { tickSize: 0.1, lotStep: 0.001 },
  });
  expect(perpetualOf(exchange.markets, 'BTC/USDT', PRECISION_MODE.SIGNIFICANT_DIGITS)).toEqual({
    ok: false,
    problem: 'gives BTC/USDT:USDT no price or amount grid ccxt can state as a step',
  });
  expect(perpetualOf(exchange.markets, 'XRP/USDT', PRECISION_MODE.TICK_SIZE)).toEqual({
    ok: false,
    problem: 'lists no linear perpetual XRP/USDT:USDT',
  });
  const contracts = { 'BTC/USDT:USDT': { ...exchange.markets['BTC/USDT:USDT'], contractSize: 0.01 } };
  expect(perpetualOf(contracts as never, 'BTC/USDT', PRECISION_MODE.TICK_SIZE)).toEqual({
    ok: false,
    problem: 'counts BTC/USDT:USDT in contracts of 0.01 BTC; only contracts of 1 BTC are supported',
  });
  const suspended = { 'BTC/USDT:USDT': { ...exchange.markets['BTC/USDT:USDT'], active: false } };
  expect(perpetualOf(suspended as never, 'BTC/USDT', PRECISION_MODE.TICK_SIZE)).toEqual({
    ok: false,
    problem: 'has BTC/USDT:USDT suspended',
  });
});
