import { describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS, findInstrument, INSTRUMENTS } from '../../../shared/index.js';
import { roundToStep } from './grid.js';
import { createPriceWalk, SyntheticFeed } from './synthetic-feed.js';

const btc = findInstrument('BTC/USDT')!;

describe('synthetic market data', () => {
  it('gives the same prices for the same seed and different prices for another', () => {
    const path = (seed: number) => {
      const walk = createPriceWalk(btc, seed, 100);
      return Array.from({ length: 50 }, () => walk.next());
    };
    expect(path(42)).toEqual(path(42));
    expect(path(42)).not.toEqual(path(43));
  });

  it('moves each symbol independently of which other symbols trade', () => {
    const ticks = (symbols: string[]) => {
      const seen: number[] = [];
      const feed = new SyntheticFeed({
        instruments: symbols.map((s) => findInstrument(s)!),
        seed: 9,
        tickIntervalMs: 100,
        now: () => 0,
        onTicks: (batch) => seen.push(...batch.filter((t) => t.asset === 'ETH/USDT').map((t) => t.price)),
      });
      for (let i = 0; i < 20; i++) feed.step();
      return seen;
    };
    expect(ticks(['ETH/USDT'])).toEqual(ticks(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']));
  });

  it('has realistic volatility: the annualised stdev of log returns matches the instrument', () => {
    const walk = createPriceWalk(btc, 1, 1000);
    let previous = walk.price;
    const returns: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const next = walk.next();
      returns.push(Math.log(next / previous));
      previous = next;
    }
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
    const annualised = Math.sqrt(variance * ((365 * 24 * 3600 * 1000) / 1000));
    expect(annualised).toBeGreaterThan(btc.annualVolatility * 0.9);
    expect(annualised).toBeLessThan(btc.annualVolatility * 1.1);
  });

  it('quotes on each instrument tick grid and stays positive', () => {
    for (const instrument of INSTRUMENTS) {
      const walk = createPriceWalk(instrument, 3, 100);
      for (let i = 0; i < 500; i++) {
        const price = walk.next();
        expect(price).toBeGreaterThan(0);
        expect(roundToStep(price, instrument.tickSize)).toBe(price);
      }
    }
  });

  it('lists at least three default symbols, all in the catalogue', () => {
    expect(DEFAULT_SYMBOLS.length).toBeGreaterThanOrEqual(3);
    for (const symbol of DEFAULT_SYMBOLS) expect(findInstrument(symbol)).toBeDefined();
  });
});
