// A breakout strategy for paper sessions: a new high over the last N marks
// proposes a LONG, a new low a SHORT, each a market entry of a fixed notional
// with a take-profit and a stop-loss. Deterministic: the same marks give the
// same proposals, so a seeded session proposes the same entries every run.
import type { Instrument, IntentRequest, MarkTick, StrategyConfig } from '../../../shared/index.js';
import { roundToStep } from '../market/grid.js';
import type { Strategy, StrategyView } from './strategy.js';

interface AssetWindow {
  instrument: Instrument;
  /** The last `lookbackTicks` marks, as a ring. */
  marks: number[];
  next: number;
  /** When this asset's last entry was proposed. */
  proposedAt: number;
}

export class Breakout implements Strategy {
  readonly name = 'breakout';
  private readonly assets = new Map<string, AssetWindow>();

  constructor(
    private readonly config: StrategyConfig,
    instruments: readonly Instrument[],
  ) {
    for (const instrument of instruments) {
      this.assets.set(instrument.symbol, {
        instrument,
        marks: [],
        next: 0,
        proposedAt: Number.NEGATIVE_INFINITY,
      });
    }
  }

  onMarks(ticks: readonly MarkTick[], view: StrategyView): IntentRequest[] {
    const proposals: IntentRequest[] = [];
    for (const tick of ticks) {
      const window = this.assets.get(tick.asset);
      if (!window) continue;
      const side = this.breakoutOf(window, tick.price);
      remember(window, tick.price, this.config.lookbackTicks);
      if (!side || tick.ts - window.proposedAt < this.config.cooldownMs || view.busy(tick.asset)) continue;
      const proposal = this.entry(window.instrument, side, tick.price);
      if (!proposal) continue;
      window.proposedAt = tick.ts;
      proposals.push(proposal);
    }
    return proposals;
  }

  /** LONG above every mark of a full window, SHORT below every one. */
  private breakoutOf(window: AssetWindow, price: number): 'LONG' | 'SHORT' | undefined {
    if (window.marks.length < this.config.lookbackTicks) return undefined;
    if (price > Math.max(...window.marks)) return 'LONG';
    if (price < Math.min(...window.marks)) return 'SHORT';
    return undefined;
  }

  /** A market entry worth at most `notional`, on the instrument's grids; none when one lot is worth more. */
  private entry(instrument: Instrument, side: 'LONG' | 'SHORT', price: number): IntentRequest | undefined {
    const { lotStep, tickSize } = instrument;
    const targetSize = roundToStep(Math.floor(this.config.notional / price / lotStep) * lotStep, lotStep);
    if (targetSize <= 0) return undefined;
    const up = side === 'LONG' ? 1 : -1;
    const takeProfit = roundToStep(price * (1 + (up * this.config.takeProfitPct) / 100), tickSize);
    const stopLoss = roundToStep(price * (1 - (up * this.config.stopLossPct) / 100), tickSize);
    return {
      action: 'ENTER',
      asset: instrument.symbol,
      side,
      orderType: 'MARKET',
      targetSize,
      referencePrice: price,
      takeProfit,
      stopLoss,
      reason: `${side === 'LONG' ? 'new high' : 'new low'} over the last ${this.config.lookbackTicks} marks`,
      signalProvider: this.name,
    };
  }
}

function remember(window: AssetWindow, price: number, lookback: number): void {
  if (window.marks.length < lookback) window.marks.push(price);
  else window.marks[window.next] = price;
  window.next = (window.next + 1) % lookback;
}
