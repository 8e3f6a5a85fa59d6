// The symbols the paper venue lists, with their grids: the host's feed and
// venue trade them, the window quotes their prices at their tick. To add one,
// add a row; nothing else changes.
export interface Instrument {
  /** Unified `BASE/QUOTE` form. */
  symbol: string;
  /** Price the synthetic walk starts from. */
  startPrice: number;
  /** Annualised volatility of the random walk (0.6 = 60 %/year). */
  annualVolatility: number;
  /** Smallest price increment the venue quotes. */
  tickSize: number;
  /** Smallest size increment the venue accepts. */
  lotStep: number;
}

export const INSTRUMENTS: readonly Instrument[] = [
  { symbol: 'BTC/USDT', startPrice: 64_000, annualVolatility: 0.55, tickSize: 0.1, lotStep: 0.001 },
  { symbol: 'ETH/USDT', startPrice: 3_200, annualVolatility: 0.7, tickSize: 0.01, lotStep: 0.001 },
  { symbol: 'SOL/USDT', startPrice: 150, annualVolatility: 0.9, tickSize: 0.001, lotStep: 0.01 },
  { symbol: 'XRP/USDT', startPrice: 0.6, annualVolatility: 0.85, tickSize: 0.0001, lotStep: 1 },
  { symbol: 'DOGE/USDT', startPrice: 0.15, annualVolatility: 1.0, tickSize: 0.00001, lotStep: 1 },
];

export const DEFAULT_SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] as const;

export function findInstrument(symbol: string): Instrument | undefined {
  return INSTRUMENTS.find((instrument) => instrument.symbol === symbol);
}

/** The decimals a price of `symbol` is quoted in (its tick's), or undefined for a symbol not listed. */
export function priceDecimalsOf(symbol: string): number | undefined {
  const tick = findInstrument(symbol)?.tickSize;
  return tick === undefined ? undefined : Math.max(0, Math.round(-Math.log10(tick)));
}
