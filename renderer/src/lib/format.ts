// Number and time formatting for a dense terminal: fixed decimals, no
// thousands separators (tests and people parse these), monospace figures.

export const DASH = '—';

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Money: always 2 decimals, e.g. "10000.00", "-12.34". */
export function money(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  return value.toFixed(2);
}

/** Signed money for PnL: "+12.34", "-12.34", "0.00". */
export function signedMoney(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  const text = money(value);
  return value >= 0.005 ? `+${text}` : text;
}

/** Prices: decimals by magnitude (2 for ≥1000, 4 for ≥1, 6 below). */
export function price(value: number | null | undefined): string {
  if (!finite(value) || value === 0) return finite(value) ? '0' : DASH;
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 2 : abs >= 1 ? 4 : 6;
  return value.toFixed(digits);
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

/** "BTC" of "BTC/USDT" (and of "BTC/USDT:USDT"). */
export function baseOf(symbol: string): string {
  const slash = symbol.indexOf('/');
  return slash > 0 ? symbol.slice(0, slash) : symbol;
}

export function shortId(id: string | undefined, keep = 8): string {
  if (!id) return DASH;
  return id.length > keep + 1 ? `${id.slice(0, keep)}…` : id;
}
