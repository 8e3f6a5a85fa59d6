// Which of an exchange's markets a session trades: for each unified symbol
// (`BTC/USDT`) the exchange's linear perpetual settled in its quote
// (`BTC/USDT:USDT`), the only kind the kernel models (long and short, funding,
// sizes in the base asset). Its grid and fee rates come from ccxt's market.
import type { Market } from 'ccxt';

/** ccxt's precision modes (its DECIMAL_PLACES and TICK_SIZE constants; SIGNIFICANT_DIGITS is not a grid). */
export const PRECISION_MODE = { DECIMAL_PLACES: 2, SIGNIFICANT_DIGITS: 3, TICK_SIZE: 4 } as const;

export interface ExchangeMarket {
  /** The cockpit's unified symbol, `BASE/QUOTE`. */
  symbol: string;
  /** ccxt's symbol of the perpetual, `BASE/QUOTE:SETTLE`. */
  exchangeSymbol: string;
  /** The currency fills, fees and the wallet are counted in. */
  settle: string;
  tickSize: number;
  lotStep: number;
  takerRate: number;
  makerRate: number;
}

export type MarketChoice = { ok: true; market: ExchangeMarket } | { ok: false; problem: string };

export function perpetualOf(
  markets: Record<string, Market>,
  symbol: string,
  precisionMode: number,
): MarketChoice {
  const [base, quote] = symbol.split('/');
  const market = markets[`${symbol}:${quote}`];
  if (!market || !market.swap || !market.linear || market.base !== base || market.settle !== quote) {
    return { ok: false, problem: `lists no linear perpetual ${symbol}:${quote}` };
  }
  if (market.active === false) return { ok: false, problem: `has ${market.symbol} suspended` };
  if (market.contractSize !== undefined && market.contractSize !== 1) {
    return {
      ok: false,
      problem: `counts ${market.symbol} in contracts of ${market.contractSize} ${base}; only contracts of 1 ${base} are supported`,
    };
  }
  const tickSize = stepOf(market.precision.price, precisionMode);
  const lotStep = stepOf(market.precision.amount, precisionMode);
  if (tickSize === undefined || lotStep === undefined) {
    return { ok: false, problem: `gives ${market.symbol} no price or amount grid ccxt can state as a step` };
  }
  return {
    ok: true,
    market: {
      symbol,
      exchangeSymbol: market.symbol,
      settle: quote as string,
      tickSize,
      lotStep,
      takerRate: market.taker ?? 0,
      makerRate: market.maker ?? 0,
    },
  };
}

function stepOf(precision: number | undefined, precisionMode: number): number | undefined {
  if (precision === undefined || !Number.isFinite(precision)) return undefined;
  if (precisionMode === PRECISION_MODE.TICK_SIZE) return precision > 0 ? precision : undefined;
  if (precisionMode === PRECISION_MODE.DECIMAL_PLACES) {
    return Number.isInteger(precision) && precision >= 0 && precision <= 15 ? 10 ** -precision : undefined;
  }
  return undefined;
}
