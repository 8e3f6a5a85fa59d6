// What the cockpit uses of a ccxt exchange: its unified API, typed by ccxt's
// own structures. A structural interface, so the venue and the feed take any
// object of this shape: a ccxt instance in the app, a test double in tests.
import type { Balances, FundingHistory, Market, Order, Position, Tickers, Trade } from 'ccxt';

export interface ExchangeClient {
  readonly id: string;
  readonly name?: string;
  /** ccxt's precision mode: how `market.precision` is written (ccxt's DECIMAL_PLACES, SIGNIFICANT_DIGITS or TICK_SIZE). */
  readonly precisionMode: number;
  /** What the exchange offers through ccxt (`true`, `'emulated'` or missing), by method name. */
  readonly has: Readonly<Record<string, boolean | string | undefined>>;
  /** Milliseconds ccxt waits between two requests to this exchange. */
  readonly rateLimit: number;
  loadMarkets(): Promise<Record<string, Market>>;
  createOrder(
    symbol: string,
    type: 'market' | 'limit',
    side: 'buy' | 'sell',
    amount: number,
    price?: number,
    params?: Record<string, unknown>,
  ): Promise<Order>;
  cancelOrder(id: string, symbol?: string, params?: Record<string, unknown>): Promise<unknown>;
  fetchOrder(id: string, symbol?: string, params?: Record<string, unknown>): Promise<Order>;
  fetchOpenOrders(symbol?: string): Promise<Order[]>;
  fetchMyTrades(symbol?: string, since?: number, limit?: number): Promise<Trade[]>;
  fetchPositions(symbols?: string[]): Promise<Position[]>;
  fetchBalance(): Promise<Balances>;
  fetchTickers(symbols?: string[]): Promise<Tickers>;
  /** The account's funding payments from `since` (its clock), where the exchange tells them (`has.fetchFundingHistory`). */
  fetchFundingHistory?(symbol?: string, since?: number, limit?: number): Promise<FundingHistory[]>;
  /** The exchange's clock, where it tells it (`has.fetchTime`). */
  fetchTime?(): Promise<number | undefined>;
  /** Ends the client's connections; ccxt's instances have it. */
  close?(): Promise<unknown>;
}
