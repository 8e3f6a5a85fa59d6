// Seeded synthetic market data: a geometric random walk per symbol, one tick
// per symbol per interval. Prices depend only on (seed, symbol, tick interval,
// tick index), never on wall time, so a session replays with the same prices.
import type { MarkTick } from '../../../shared/index.js';
import type { Instrument } from '../../../shared/index.js';
import { roundToStep } from './grid.js';
import type { MarketFeed } from './market-feed.js';
import { gaussian, mulberry32, streamSeed } from './prng.js';

const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

export interface PriceWalk {
  readonly instrument: Instrument;
  readonly price: number;
  next(): number;
}

export function createPriceWalk(instrument: Instrument, seed: number, tickIntervalMs: number): PriceWalk {
  const normal = gaussian(mulberry32(streamSeed(seed, instrument.symbol)));
  const sigma = instrument.annualVolatility * Math.sqrt(tickIntervalMs / MS_PER_YEAR);
  let price = instrument.startPrice;
  return {
    instrument,
    get price() {
      return price;
    },
    next() {
      // Drift-free GBM step (−σ²/2 keeps the expected price flat), snapped to the tick grid.
      const raw = price * Math.exp(-0.5 * sigma * sigma + sigma * normal());
      price = Math.max(instrument.tickSize, roundToStep(raw, instrument.tickSize));
      return price;
    },
  };
}

export interface SyntheticFeedOptions {
  instruments: readonly Instrument[];
  seed: number;
  tickIntervalMs: number;
  now: () => number;
  onTicks: (ticks: MarkTick[]) => void;
}

/** Drives the walks on a timer; `step()` is the timer body, callable directly in tests. */
export class SyntheticFeed implements MarketFeed {
  private readonly walks: PriceWalk[];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: SyntheticFeedOptions) {
    this.walks = options.instruments.map((i) => createPriceWalk(i, options.seed, options.tickIntervalMs));
  }

  /** The latest price of each symbol. */
  marks(): Record<string, number> {
    return Object.fromEntries(this.walks.map((walk) => [walk.instrument.symbol, walk.price]));
  }

  price(symbol: string): number | undefined {
    return this.walks.find((walk) => walk.instrument.symbol === symbol)?.price;
  }

  start(): void {
    this.timer ??= setInterval(() => this.step(), this.options.tickIntervalMs);
  }

  step(): MarkTick[] {
    const ts = this.options.now();
    const ticks = this.walks.map((walk) => ({ asset: walk.instrument.symbol, price: walk.next(), ts }));
    this.options.onTicks(ticks);
    return ticks;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
