// A test double of a ccxt exchange's testnet: an in-memory linear-perpetual
// exchange that answers ccxt's unified methods with ccxt's structures and
// throws ccxt's own error classes, numbering orders and trades per symbol and
// answering a trades query from a time oldest first, a page at a time, as
// Binance does. Market orders fill at once at the set price (taker), limit
// orders rest until the price crosses them (maker). One account in one-way
// mode. Tests steer it: prices, the next answer of a method (an error, or a
// lost answer after the work is done), how late trades show in the account's
// list, whether a market order's rest expires, whether the create answer has
// its time; and read every call made.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Balances, FundingHistory, Market, Order, Position, Ticker, Tickers, Trade } from 'ccxt';
import { InsufficientFunds, InvalidOrder, OrderNotFound, RequestTimeout } from 'ccxt';
import type { ExchangeAccess } from '../session/exchange-session.js';
import type { ExchangeClient } from '../venue/exchange/exchange-client.js';
import { PRECISION_MODE } from '../venue/exchange/exchange-markets.js';

export const TESTNET_SECRET = 'double-secret-never-shown';

/** The host's environment holding the double's credentials, as `COCKPIT_<ID>_API_KEY` and `_SECRET`. */
export const DOUBLE_CREDENTIALS = {
  COCKPIT_TESTNETDOUBLE_API_KEY: 'double-key',
  COCKPIT_TESTNETDOUBLE_SECRET: TESTNET_SECRET,
} as const;

/** A cockpit's way to this double (`CockpitOptions.exchanges`): its credentials in `env`, polled every 5 ms. */
export function doubleAccess(
  exchange: TestnetDouble,
  env: Readonly<Record<string, string>> = DOUBLE_CREDENTIALS,
): ExchangeAccess {
  return { env, open: () => exchange, pollIntervalMs: 5 };
}

interface DoubleOrder extends Order {
  symbol: string;
}

/** The account as `persistTo` writes it. */
interface DoubleState {
  wallet: number;
  clock: number;
  tradeQueries: number;
  prices: [string, number][];
  orders: DoubleOrder[];
  trades: [Trade, number][];
  funding: FundingHistory[];
  held: [string, { size: number; price: number }][];
  counters: [string, number][];
}

type Method =
  | 'createOrder'
  | 'cancelOrder'
  | 'fetchOrder'
  | 'fetchOpenOrders'
  | 'fetchMyTrades'
  | 'fetchPositions'
  | 'fetchBalance'
  | 'fetchTickers'
  | 'fetchFundingHistory'
  | 'loadMarkets';

function perpetual(base: string, tick: number, lot: number): Market {
  return {
    id: `${base}USDT`,
    symbol: `${base}/USDT:USDT`,
    base,
    quote: 'USDT',
    settle: 'USDT',
    baseId: base,
    quoteId: 'USDT',
    settleId: 'USDT',
    active: true,
    type: 'swap',
    spot: false,
    margin: false,
    swap: true,
    future: false,
    option: false,
    contract: true,
    linear: true,
    inverse: false,
    contractSize: 1,
    taker: 0.0005,
    maker: 0.0002,
    precision: { price: tick, amount: lot },
    limits: {},
    info: {},
  } as unknown as Market;
}

export class TestnetDouble implements ExchangeClient {
  readonly id = 'testnetdouble';
  readonly name = 'Testnet Double';
  readonly precisionMode = PRECISION_MODE.TICK_SIZE;
  readonly rateLimit = 50;
  readonly has: Record<string, boolean> = {
    createOrder: true,
    cancelOrder: true,
    fetchOrder: true,
    fetchOpenOrders: true,
    fetchMyTrades: true,
    fetchPositions: true,
    fetchBalance: true,
    fetchTickers: true,
    fetchTime: true,
    fetchFundingHistory: true,
  };
  readonly markets: Record<string, Market> = {
    'BTC/USDT:USDT': perpetual('BTC', 0.1, 0.001),
    'ETH/USDT:USDT': perpetual('ETH', 0.01, 0.001),
    'SOL/USDT:USDT': perpetual('SOL', 0.001, 0.01),
  };
  /** Every call, by method name, in order. */
  readonly calls: { method: Method; args: unknown[] }[] = [];
  wallet = 5_000;
  private readonly prices = new Map<string, number>([
    ['BTC/USDT:USDT', 64_000],
    ['ETH/USDT:USDT', 3_200],
    ['SOL/USDT:USDT', 150],
  ]);
  private readonly orders: DoubleOrder[] = [];
  private readonly trades: Trade[] = [];
  private readonly funding: FundingHistory[] = [];
  /** Signed size and average price, by symbol. */
  private readonly held = new Map<string, { size: number; price: number }>();
  private readonly scripted = new Map<Method, { error: unknown; afterWork: boolean }[]>();
  private hooks: { method: Method; left: number; action: () => void }[] = [];
  private readonly counters = new Map<string, number>();
  /** Calls of fetchMyTrades so far: a trade shows from the `tradeLag`-th call after it happened. */
  private tradeQueries = 0;
  private readonly visibleFrom = new Map<Trade, number>();
  clock = 1_700_000_000_000;
  /** How many trades queries pass before a new trade shows in them (0: at once). */
  tradeLag = 0;
  /** A market order fills this part of its size and the rest expires (1: all of it fills). */
  marketFillRatio = 1;
  /** The create answer leaves out the order's time, as some exchanges' do. */
  createAnswerWithoutTime = false;

  /** Where the account is written after every change (`persistTo`): the exchange outlives a host killed in a test. */
  private persistPath: string | undefined;

  constructor(readonly credentials?: { apiKey: string; secret: string }) {}

  /** Writes the account to `path` now and after every change, whole (write, then rename). */
  persistTo(path: string): void {
    this.persistPath = path;
    this.persist();
  }

  /** The account a double wrote (`persistTo`), in a new double: the same exchange, seen by another process. */
  static load(path: string): TestnetDouble {
    const state = JSON.parse(readFileSync(path, 'utf8')) as DoubleState;
    const double = new TestnetDouble();
    double.wallet = state.wallet;
    double.clock = state.clock;
    double.tradeQueries = state.tradeQueries;
    for (const [key, value] of state.prices) double.prices.set(key, value);
    double.orders.push(...state.orders);
    state.trades.forEach(([trade, visibleFrom]) => {
      double.trades.push(trade);
      double.visibleFrom.set(trade, visibleFrom);
    });
    double.funding.push(...state.funding);
    for (const [key, value] of state.held) double.held.set(key, value);
    for (const [key, value] of state.counters) double.counters.set(key, value);
    return double;
  }

  private persist(): void {
    if (!this.persistPath) return;
    const state: DoubleState = {
      wallet: this.wallet,
      clock: this.clock,
      tradeQueries: this.tradeQueries,
      prices: [...this.prices],
      orders: this.orders,
      trades: this.trades.map((trade) => [trade, this.visibleFrom.get(trade) ?? 0]),
      funding: this.funding,
      held: [...this.held],
      counters: [...this.counters],
    };
    writeFileSync(`${this.persistPath}.tmp`, JSON.stringify(state));
    renameSync(`${this.persistPath}.tmp`, this.persistPath);
  }

  /** The next call of `method` throws `error`; with `afterWork`, the call does its work first (an answer lost on the way back). */
  failNext(method: Method, error: unknown, afterWork = false): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), { error, afterWork }]);
  }

  /** Runs `action` just before the `nth` next call of `method` (1: the next), as the exchange moves on meanwhile. */
  beforeCall(method: Method, nth: number, action: () => void): void {
    this.hooks.push({ method, left: nth, action });
  }

  /** Moves the price; a resting limit it crosses fills, in whole or in the `part` given. */
  setPrice(symbol: string, price: number, part = 1): void {
    this.prices.set(symbol, price);
    for (const order of this.orders) {
      if (order.status !== 'open' || order.symbol !== symbol || order.price == null) continue;
      if (order.side === 'buy' ? price <= order.price : price >= order.price) {
        this.fill(order, order.price, 'maker', Number(((order.remaining ?? 0) * part).toFixed(9)));
      }
    }
    this.persist();
  }

  /** A funding time: every open position pays (longs, at a positive rate) or receives its notional × rate. */
  payFunding(rate: number): void {
    this.clock += 1;
    for (const [symbol, held] of this.held) {
      if (held.size === 0) continue;
      const amount = Number((-held.size * (this.prices.get(symbol) ?? 0) * rate).toFixed(8));
      this.wallet += amount;
      const id = String(this.count('funding'));
      this.funding.push({
        info: {},
        symbol,
        code: 'USDT',
        timestamp: this.clock,
        id,
        amount,
      } as FundingHistory);
    }
    this.persist();
  }

  /** Places an order on the account that no session sent, as an operator would on the exchange's site. */
  placeOutside(symbol: string, side: 'buy' | 'sell', amount: number): Order {
    const placed = this.place(symbol, 'market', side, amount, undefined, {});
    this.persist();
    return placed;
  }

  calledTimes(method: Method): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  async loadMarkets(): Promise<Record<string, Market>> {
    return this.answer('loadMarkets', [], () => this.markets);
  }

  async createOrder(
    symbol: string,
    type: 'market' | 'limit',
    side: 'buy' | 'sell',
    amount: number,
    price?: number,
    params: Record<string, unknown> = {},
  ): Promise<Order> {
    return this.answer('createOrder', [symbol, type, side, amount, price, params], () => {
      if (!this.markets[symbol]) throw new OrderNotFound(`${this.id} no market ${symbol}`);
      if (this.orders.some((o) => o.clientOrderId === params.clientOrderId)) {
        // As Binance answers a client order id it already has, and as ccxt raises it.
        throw new InvalidOrder(`${this.id} {"code":-4116,"msg":"ClientOrderId is duplicated."}`);
      }
      if (!params.reduceOnly && amount * (this.prices.get(symbol) ?? 0) > this.wallet * 20) {
        throw new InsufficientFunds(`${this.id} {"code":-2019,"msg":"Margin is insufficient."}`);
      }
      const placed = { ...this.place(symbol, type, side, amount, price, params) };
      return this.createAnswerWithoutTime ? { ...placed, timestamp: undefined } : placed;
    });
  }

  async cancelOrder(id: string, symbol?: string): Promise<Order> {
    return this.answer('cancelOrder', [id, symbol], () => {
      const order = this.orders.find(
        (o) => o.id === id && (!symbol || o.symbol === symbol) && o.status === 'open',
      );
      if (!order) throw new OrderNotFound(`${this.id} {"code":-2011,"msg":"Unknown order sent."}`);
      order.status = 'canceled';
      return { ...order };
    });
  }

  async fetchOrder(id: string, symbol?: string, params: Record<string, unknown> = {}): Promise<Order> {
    return this.answer('fetchOrder', [id, symbol, params], () => {
      const wanted = params.clientOrderId;
      // Ids are numbered per symbol, so the symbol tells two orders of one id apart.
      const order = this.orders.find(
        (o) => (!symbol || o.symbol === symbol) && (wanted ? o.clientOrderId === wanted : o.id === id),
      );
      // As Binance: a cancelled or expired order without fills is forgotten 3 days after its creation.
      const forgotten =
        order &&
        (order.status === 'canceled' || order.status === 'expired') &&
        !order.filled &&
        this.clock - (order.timestamp ?? 0) > 3 * 24 * 3_600_000;
      if (!order || forgotten)
        throw new OrderNotFound(`${this.id} {"code":-2013,"msg":"Order does not exist."}`);
      return { ...order };
    });
  }

  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    return this.answer('fetchOpenOrders', [symbol], () =>
      this.orders
        .filter((o) => o.status === 'open' && (!symbol || o.symbol === symbol))
        .map((o) => ({ ...o })),
    );
  }

  async fetchMyTrades(symbol?: string, since?: number, limit = 500): Promise<Trade[]> {
    return this.answer('fetchMyTrades', [symbol, since, limit], () => {
      this.tradeQueries += 1;
      return this.trades
        .filter((t) => (this.visibleFrom.get(t) ?? 0) <= this.tradeQueries)
        .filter(
          (t) => (!symbol || t.symbol === symbol) && (since === undefined || (t.timestamp ?? 0) >= since),
        )
        .slice(0, limit)
        .map((t) => ({ ...t }));
    });
  }

  async fetchPositions(symbols?: string[]): Promise<Position[]> {
    return this.answer('fetchPositions', [symbols], () =>
      [...this.held.entries()]
        .filter(([symbol, p]) => p.size !== 0 && (!symbols || symbols.includes(symbol)))
        .map(
          ([symbol, p]) =>
            ({
              symbol,
              side: p.size > 0 ? 'long' : 'short',
              contracts: Math.abs(p.size),
              contractSize: 1,
              entryPrice: p.price,
              info: {},
            }) as Position,
        ),
    );
  }

  async fetchBalance(): Promise<Balances> {
    return this.answer(
      'fetchBalance',
      [],
      () => ({ info: {}, USDT: { free: this.wallet, used: 0, total: this.wallet } }) as unknown as Balances,
    );
  }

  async fetchFundingHistory(symbol?: string, since?: number, limit = 100): Promise<FundingHistory[]> {
    return this.answer('fetchFundingHistory', [symbol, since, limit], () =>
      this.funding
        .filter(
          (f) => (!symbol || f.symbol === symbol) && (since === undefined || (f.timestamp ?? 0) >= since),
        )
        .slice(0, limit)
        .map((f) => ({ ...f })),
    );
  }

  async fetchTime(): Promise<number> {
    return this.clock;
  }

  async fetchTickers(symbols?: string[]): Promise<Tickers> {
    return this.answer('fetchTickers', [symbols], () => {
      const tickers: Record<string, Ticker> = {};
      for (const [symbol, last] of this.prices) {
        if (!symbols || symbols.includes(symbol)) tickers[symbol] = { symbol, last, info: {} } as Ticker;
      }
      return tickers as unknown as Tickers;
    });
  }

  private answer<T>(method: Method, args: unknown[], work: () => T): Promise<T> {
    for (const hook of this.hooks) if (hook.method === method) hook.left -= 1;
    for (const hook of this.hooks.filter((h) => h.left === 0)) hook.action();
    this.hooks = this.hooks.filter((h) => h.left > 0);
    this.calls.push({ method, args });
    const script = this.scripted.get(method)?.shift();
    if (script && !script.afterWork) return Promise.reject(script.error);
    try {
      const result = work();
      this.persist();
      return script ? Promise.reject(script.error) : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private place(
    symbol: string,
    type: 'market' | 'limit',
    side: 'buy' | 'sell',
    amount: number,
    price: number | undefined,
    params: Record<string, unknown>,
  ): DoubleOrder {
    this.clock += 1;
    const id = this.count(`order ${symbol}`);
    const order = {
      id: String(1000 + id),
      clientOrderId: typeof params.clientOrderId === 'string' ? params.clientOrderId : `outside-${id}`,
      timestamp: this.clock,
      status: 'open',
      symbol,
      type,
      side,
      price: price ?? null,
      amount,
      filled: 0,
      remaining: amount,
      reduceOnly: params.reduceOnly === true,
      trades: [],
      info: {},
    } as unknown as DoubleOrder;
    this.orders.push(order);
    const mark = this.prices.get(symbol) as number;
    if (type === 'market') {
      this.fill(order, mark, 'taker', Number((amount * this.marketFillRatio).toFixed(9)));
      if (order.status === 'open') order.status = 'expired';
    } else if (price != null && (side === 'buy' ? mark <= price : mark >= price)) {
      this.fill(order, mark, 'taker', amount);
    }
    return order;
  }

  private fill(order: DoubleOrder, price: number, takerOrMaker: 'taker' | 'maker', amount: number): void {
    this.clock += 1;
    const fee = amount * price * (takerOrMaker === 'taker' ? 0.0005 : 0.0002);
    const trade = {
      id: `t${this.count(`trade ${order.symbol}`)}`,
      order: order.id,
      symbol: order.symbol,
      side: order.side,
      price,
      amount,
      cost: amount * price,
      timestamp: this.clock,
      takerOrMaker,
      fee: { cost: fee, currency: 'USDT' },
      info: {},
    } as unknown as Trade;
    this.trades.push(trade);
    this.visibleFrom.set(trade, this.tradeQueries + 1 + this.tradeLag);
    order.filled = Number(((order.filled ?? 0) + amount).toFixed(9));
    order.remaining = Number(((order.amount ?? 0) - order.filled).toFixed(9));
    if (order.remaining <= 0) order.status = 'closed';
    this.wallet -= fee;
    this.book(order.symbol, order.side === 'buy' ? amount : -amount, price);
  }

  /** Numbers per symbol, from 1, as Binance numbers its orders and trades. */
  private count(what: string): number {
    const next = (this.counters.get(what) ?? 0) + 1;
    this.counters.set(what, next);
    return next;
  }

  /** One-way mode: a fill against the position realizes PnL on what it closes; one with it averages in. */
  private book(symbol: string, signed: number, price: number): void {
    const held = this.held.get(symbol) ?? { size: 0, price: 0 };
    const size = Number((held.size + signed).toFixed(9));
    if (held.size !== 0 && Math.sign(held.size) !== Math.sign(signed)) {
      this.wallet +=
        (price - held.price) * Math.min(Math.abs(signed), Math.abs(held.size)) * Math.sign(held.size);
      this.held.set(symbol, { size, price: size === 0 ? 0 : held.price });
    } else {
      this.held.set(symbol, {
        size,
        price: (held.price * Math.abs(held.size) + price * Math.abs(signed)) / Math.abs(size),
      });
    }
  }
}

/** A RequestTimeout as ccxt throws it, its message carrying the signed URL. */
export function lostAnswer(): RequestTimeout {
  return new RequestTimeout(
    'testnetdouble POST https://testnet.example/fapi/v1/order?symbol=BTCUSDT&signature=0f9a request timed out (10000 ms)',
  );
}
