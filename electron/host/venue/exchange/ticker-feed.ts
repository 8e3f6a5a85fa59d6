// An exchange's prices as the session's market: its tickers polled through
// ccxt, the last trade price (else the mid) of each perpetual, on the
// market's tick. A symbol has no price until the exchange has quoted it.
import type { Ticker } from 'ccxt';
import type { MarkTick } from '../../../../shared/index.js';
import { roundToStep } from '../../market/grid.js';
import type { MarketFeed } from '../../market/market-feed.js';
import type { ExchangeClient } from './exchange-client.js';
import { backoffAfter } from './exchange-errors.js';
import type { ExchangeMarket } from './exchange-markets.js';

export interface TickerFeedOptions {
  exchange: ExchangeClient;
  markets: ReadonlyMap<string, ExchangeMarket>;
  intervalMs: number;
  now: () => number;
  onTicks: (ticks: MarkTick[]) => void;
  /** A poll with no price moved: the kernel's clock goes on (ack timeouts, retries) all the same. */
  onClock: () => void;
  /** A poll that failed on something other than the network or a rate limit (its URLs taken out). */
  onFault: (error: Error) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class TickerFeed implements MarketFeed {
  private readonly prices = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private backoffMs = 0;
  private readonly exchangeSymbols: string[];

  constructor(private readonly options: TickerFeedOptions) {
    this.exchangeSymbols = [...options.markets.values()].map((m) => m.exchangeSymbol);
  }

  /** Prices read before the session starts (its opening quotes), so the first entry has a mark. */
  seed(tickers: Record<string, Ticker>): void {
    this.read(tickers);
  }

  marks(): Record<string, number> {
    return Object.fromEntries(this.prices);
  }

  price(symbol: string): number | undefined {
    return this.prices.get(symbol);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    try {
      const tickers = await this.options.exchange.fetchTickers(this.exchangeSymbols);
      if (!this.running) return;
      const ticks = this.read(tickers);
      this.backoffMs = 0;
      if (ticks.length > 0) this.options.onTicks(ticks);
      else this.options.onClock();
    } catch (error) {
      if (!this.running) return;
      const what = `${this.options.exchange.id}: prices`;
      this.backoffMs = backoffAfter(error, this.backoffMs, this.options.intervalMs, what, this.options);
    }
    if (this.running) this.schedule(this.options.intervalMs + this.backoffMs);
  }

  /** The tickers' prices that moved, as ticks. */
  private read(tickers: Record<string, Ticker>): MarkTick[] {
    const ticks: MarkTick[] = [];
    const ts = this.options.now();
    for (const market of this.options.markets.values()) {
      const ticker = tickers[market.exchangeSymbol];
      const raw =
        ticker?.last ??
        (ticker?.bid != null && ticker.ask != null ? (ticker.bid + ticker.ask) / 2 : undefined);
      if (raw == null || !Number.isFinite(raw) || raw <= 0) continue;
      const price = Math.max(market.tickSize, roundToStep(raw, market.tickSize));
      if (this.prices.get(market.symbol) === price) continue;
      this.prices.set(market.symbol, price);
      ticks.push({ asset: market.symbol, price, ts });
    }
    return ticks;
  }
}
