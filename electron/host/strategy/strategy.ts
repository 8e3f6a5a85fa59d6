// A strategy proposes entries; it never places orders. Its intents go through
// the same schema, gates and (in supervised mode) the operator's grant as the
// ticket's, named by its `signalProvider`.
import type { Instrument, IntentRequest, MarkTick, StrategyConfig } from '../../../shared/index.js';
import { Breakout } from './breakout.js';

/** What a strategy may ask of the session. */
export interface StrategyView {
  /** Whether `asset` has an open position, a working entry or an entry waiting for the operator. */
  busy(asset: string): boolean;
}

export interface Strategy {
  /** Its `signalProvider` on every intent it proposes. */
  readonly name: string;
  onMarks(ticks: readonly MarkTick[], view: StrategyView): IntentRequest[];
}

/** The built-in strategy a session's config names, over the session's instruments (their venue's grids). */
export function createStrategy(config: StrategyConfig, instruments: readonly Instrument[]): Strategy {
  switch (config.name) {
    case 'breakout':
      return new Breakout(config, instruments);
  }
}
