import { describe, expect, it } from 'vitest';
import { findInstrument, IntentRequest, StrategyConfig, type MarkTick } from '../../../shared/index.js';
import { onGrid } from '../market/grid.js';
import { Breakout } from './breakout.js';
import type { StrategyView } from './strategy.js';

/** The schema's defaults, then a short window; the cooldown below the schema's floor, to see each breakout. */
const config = (extra: Partial<StrategyConfig> = {}): StrategyConfig => ({
  ...StrategyConfig.parse({ name: 'breakout' }),
  lookbackTicks: 5,
  cooldownMs: 1_000,
  notional: 200,
  ...extra,
});
const instruments = [findInstrument('BTC/USDT')!, findInstrument('SOL/USDT')!];
const idle: StrategyView = { busy: () => false };

/** Feeds `prices` of `asset`, one tick each 100 ms, and collects what the strategy proposes. */
function feed(strategy: Breakout, asset: string, prices: number[], view = idle, from = 0) {
  return prices.flatMap((price, i) => {
    const tick: MarkTick = { asset, price, ts: from + i * 100 };
    return strategy.onMarks([tick], view).map((p) => ({ at: i, ...p }));
  });
}

describe('the breakout strategy', () => {
  it('proposes a LONG on a new high and a SHORT on a new low, only over a full window', () => {
    const strategy = new Breakout(config({ cooldownMs: 0 }), instruments);
    const proposals = feed(strategy, 'SOL/USDT', [150, 151, 149, 150, 150.5, 152, 151, 148, 150]);
    expect(proposals.map((p) => [p.at, p.side])).toEqual([
      [5, 'LONG'],
      [7, 'SHORT'],
    ]);
  });

  it('sizes each entry to at most its notional on the lot grid, with TP and SL on the tick grid', () => {
    const strategy = new Breakout(config({ takeProfitPct: 1, stopLossPct: 0.5 }), instruments);
    const [long] = feed(strategy, 'SOL/USDT', [150, 150, 150, 150, 150, 151.234]);
    const sol = findInstrument('SOL/USDT')!;
    expect(long).toMatchObject({
      side: 'LONG',
      orderType: 'MARKET',
      signalProvider: 'breakout',
      referencePrice: 151.234,
    });
    expect(long!.targetSize).toBe(1.32);
    expect(long!.targetSize * 151.234).toBeLessThanOrEqual(200);
    expect(onGrid(long!.targetSize, sol.lotStep)).toBe(true);
    expect(long!.takeProfit).toBeCloseTo(151.234 * 1.01, 2);
    expect(long!.stopLoss).toBeCloseTo(151.234 * 0.995, 2);
    expect(onGrid(long!.takeProfit!, sol.tickSize) && onGrid(long!.stopLoss!, sol.tickSize)).toBe(true);
    // What it proposes is a valid intent request.
    const { at: _at, ...request } = long!;
    expect(IntentRequest.safeParse(request).success).toBe(true);
  });

  it('waits out its cooldown, skips a busy asset, and proposes nothing worth less than one lot', () => {
    const strategy = new Breakout(config({ cooldownMs: 1_000 }), instruments);
    const rising = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17].map((x) => 150 + x);
    expect(feed(strategy, 'SOL/USDT', rising).map((p) => p.at)).toEqual([5, 15]);
    const busy = new Breakout(config({ cooldownMs: 0 }), instruments);
    expect(feed(busy, 'SOL/USDT', rising, { busy: (asset) => asset === 'SOL/USDT' })).toEqual([]);
    // One BTC lot (0.001) at 64 000 is 64 USDT: a notional of 50 buys none.
    const small = new Breakout(config({ notional: 50, cooldownMs: 0 }), instruments);
    expect(feed(small, 'BTC/USDT', [64_000, 64_000, 64_000, 64_000, 64_000, 64_100])).toEqual([]);
    // An asset it does not trade is ignored.
    expect(feed(small, 'DOGE/USDT', rising)).toEqual([]);
  });

  it('proposes the same entries for the same marks', () => {
    const marks = Array.from({ length: 300 }, (_, i) => 150 + 5 * Math.sin(i / 7) + (i % 11) / 10);
    const run = () => feed(new Breakout(config(), instruments), 'SOL/USDT', marks);
    expect(run().length).toBeGreaterThan(2);
    expect(run()).toEqual(run());
  });
});
