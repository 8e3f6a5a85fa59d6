// Number and time formatting for a dense terminal: fixed decimals, no
// thousands separators (tests and people parse these), monospace figures.
import { priceDecimalsOf } from '../../../shared/index.js';

export const DASH = '—';

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Money: always 2 decimals, e.g. "10000.00", "-12.34"; what rounds to zero is "0.00", never "-0.00". */
export function money(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  const text = value.toFixed(2);
  return text === '-0.00' ? '0.00' : text;
}

/** Signed money for PnL: "+12.34", "-12.34", "0.00". */
export function signedMoney(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  const text = money(value);
  return value >= 0.005 ? `+${text}` : text;
}

/** Decimals for a price of an unknown symbol: about 6 significant digits, 2 to 8 decimals. */
export function decimalsByMagnitude(value: number): number {
  const abs = Math.abs(value);
  if (!Number.isFinite(abs) || abs === 0) return 2;
  return Math.min(8, Math.max(2, 5 - Math.floor(Math.log10(abs))));
}

/** The decimals a price of `symbol` is shown with: its tick's, else by magnitude. */
function priceDecimals(value: number, symbol?: string): number {
  const known = symbol === undefined ? undefined : priceDecimalsOf(symbol);
  return known ?? decimalsByMagnitude(value);
}

/**
 * Prices, with the decimals the instrument is quoted in: "64006.4" (BTC, tick
 * 0.1), "149.912" (SOL, tick 0.001), "0.6002" (XRP, tick 0.0001). One symbol's
 * prices always have the same decimals, so a right-aligned monospace column lines
 * up on the point. Unknown symbols: about 6 significant digits.
 */
export function price(value: number | null | undefined, symbol?: string): string {
  if (!finite(value)) return DASH;
  return value.toFixed(priceDecimals(value, symbol));
}

/**
 * An average of fill prices, which falls between ticks: two decimals past the tick, trailing zeros trimmed
 * back to the tick ("64017.85", "64017.8", "150.0305"). Rounding it to the tick hid what the fills cost.
 */
export function avgPrice(value: number | null | undefined, symbol?: string): string {
  if (!finite(value)) return DASH;
  const tick = priceDecimals(value, symbol);
  const text = value.toFixed(tick + 2);
  const trimmed = text.replace(/0{1,2}$/, '');
  return tick === 0 ? trimmed.replace(/\.$/, '') : trimmed;
}

/** Quantities: up to 6 decimals, trailing zeros trimmed. */
export function qty(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  const text = value.toFixed(6).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

export function pnlClass(value: number | null | undefined): string {
  if (!finite(value) || Math.abs(value) < 0.005) return 'flat';
  return value > 0 ? 'up' : 'down';
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Local wall time "HH:MM:SS". */
export function clock(ts: number): string {
  if (!finite(ts)) return DASH;
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local wall time with milliseconds "HH:MM:SS.mmm". */
export function clockMs(ts: number): string {
  if (!finite(ts)) return DASH;
  return `${clock(ts)}.${pad(new Date(ts).getMilliseconds(), 3)}`;
}

/** Time left, counting down in whole seconds: "42s", "1:05"; "0s" once it is due. */
export function countdown(ms: number): string {
  if (!finite(ms)) return DASH;
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}:${pad(seconds % 60)}`;
}

/** Local date and wall time "YYYY-MM-DD HH:MM". */
export function dateTime(ts: number): string {
  if (!finite(ts)) return DASH;
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "BTC" of "BTC/USDT" (and of "BTC/USDT:USDT"). */
export function baseOf(symbol: string): string {
  const slash = symbol.indexOf('/');
  return slash > 0 ? symbol.slice(0, slash) : symbol;
}

export function shortId(id: string | undefined, keep = 8): string {
  if (!id) return DASH;
  return id.length > keep + 1 ? `${id.slice(0, keep)}…` : id;
}

/** Digit runs longer than this are shown in exponent form. */
const LONG_DIGITS = 15;

/**
 * A long number in a message, compact: "1000…000" (300 digits) → "1e+300",
 * "123456789012345678" → "1.235e+17". Ids and short numbers are left alone.
 */
export function compactNumbers(text: string): string {
  return text.replace(/(?<![\w.])-?\d[\d.]*(?:e[+-]?\d+)?(?![\w.])/gi, (match) => {
    const digits = match.replace(/[^\d]/g, '').length;
    if (digits <= LONG_DIGITS) return match;
    const value = Number(match);
    return Number.isFinite(value) ? Number(value.toPrecision(4)).toExponential() : match;
  });
}
