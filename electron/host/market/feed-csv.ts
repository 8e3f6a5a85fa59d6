// Reads a feed file: recorded prices as CSV, one row per (time, symbol). Pure:
// text in, the rows sorted by time (columns, not objects: a feed may hold
// millions) or the first problem out, naming its line, column and value.
// docs/MARKET_DATA.md is the format's reference; keep the two in step.
import {
  describeValue,
  INSTRUMENTS,
  MAX_FEED_ROWS,
  type FeedContents,
  type Instrument,
} from '../../../shared/index.js';
import { roundToStep } from './grid.js';

export interface ParsedFeed {
  contents: FeedContents;
  /** The paper instruments the rows name; `symbolOf` indexes this. */
  instruments: Instrument[];
  /** Per row, in time order (ties keep the file's order): epoch ms, instrument index, price on the tick grid. */
  times: Float64Array;
  symbolOf: Uint8Array;
  prices: Float64Array;
}

export interface FeedProblem {
  /** 1-based line of the file; absent for a problem of the whole file. */
  line?: number;
  column?: string;
  message: string;
}

export type FeedParse = { ok: true; feed: ParsedFeed } | { ok: false; problem: FeedProblem };

export function describeProblem(problem: FeedProblem): string {
  const where = [
    problem.line === undefined ? '' : `line ${problem.line}`,
    problem.column === undefined ? '' : `column ${problem.column}`,
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${problem.message}` : problem.message;
}

/** Header names each column is recognised by (case-insensitive), the first present wins. */
const TIME_COLUMNS = ['ts', 'timestamp', 'time', 'datetime', 'date', 'open_time'];
const PRICE_COLUMNS = ['price', 'mark', 'close', 'last'];
const SYMBOL_COLUMNS = ['symbol', 'asset', 'pair', 'instrument'];
/** A file whose first line is all numbers has no header: it is read as Binance's kline layout. */
const KLINE_TIME = 0;
const KLINE_CLOSE = 4;
/** open_time, open, high, low, close, volume: the kline columns every exchange's export has. */
const KLINE_MIN_COLUMNS = 6;

const NUMBER = /^\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH = /^(\d+)(\.\d+)?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const MAX_PRICE = 1e12;

/** 10^n at most 2^52 ticks: above that a double no longer holds every price on the tick, so none is taken. */
function maxPriceOf(instrument: Instrument): number {
  return Math.min(MAX_PRICE, 10 ** Math.floor(Math.log10(instrument.tickSize * 2 ** 52)));
}

/** An instrument's symbol without separators, upper case: how file names and symbol cells are matched. */
function compact(symbol: string): string {
  return symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** `BTC/USDT`, `BTCUSDT`, `btc-usdt`, ccxt's `BTC/USDT:USDT` (the settle currency is dropped). */
export function instrumentOfCell(cell: string): Instrument | undefined {
  const key = compact(cell.split(':')[0] ?? '');
  return INSTRUMENTS.find((instrument) => compact(instrument.symbol) === key);
}

/** The instrument a file name starts with (`BTCUSDT-1m-2024-03-01.csv`, `eth_usdt.csv`), the longest match. */
export function instrumentOfFileName(fileName: string): Instrument | undefined {
  const key = compact(fileName);
  return INSTRUMENTS.filter((instrument) => key.startsWith(compact(instrument.symbol))).sort(
    (a, b) => compact(b.symbol).length - compact(a.symbol).length,
  )[0];
}

/**
 * Epoch ms (UTC) of a time cell: epoch seconds, ms, µs or ns told apart by their digits as written (≤ 10, ≤ 13, ≤ 16,
 * ≤ 19; seconds may have a fraction), or ISO 8601, UTC when it names no offset. Sub-millisecond parts are
 * dropped (floor).
 */
export function epochMsOf(cell: string): number | undefined {
  const epoch = EPOCH.exec(cell);
  if (epoch) {
    const whole = epoch[1] ?? '';
    const fraction = epoch[2];
    // Digits as written: a zero-padded 13-digit cell is milliseconds.
    const digits = whole.length;
    if (fraction !== undefined && digits > 10) return undefined;
    // Cut in the text, not divided: a float division drops a millisecond of 1709251200.008, and 19 digits of
    // nanoseconds are more than a double holds exactly.
    if (digits <= 10) return Number(whole) * 1000 + Number(`${(fraction ?? '.').slice(1)}000`.slice(0, 3));
    if (digits <= 13) return Number(whole);
    if (digits <= 16) return Number(whole.slice(0, -3));
    if (digits <= 19) return Number(whole.slice(0, -6));
    return undefined;
  }
  const iso = ISO.exec(cell);
  if (!iso) return undefined;
  const y = Number(iso[1]);
  const mo = Number(iso[2]);
  const d = Number(iso[3]);
  const h = Number(iso[4] ?? 0);
  const mi = Number(iso[5] ?? 0);
  const sec = Number(iso[6] ?? 0);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59) {
    return undefined;
  }
  const fraction = iso[7] ? Math.floor(Number(`0${iso[7]}`) * 1000) : 0;
  const utc = Date.UTC(y, mo - 1, d, h, mi, sec, fraction);
  const offset = iso[8];
  if (offset === undefined || offset.toUpperCase() === 'Z') return utc;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digitsOnly = offset.slice(1).replace(':', '');
  const offsetHours = Number(digitsOnly.slice(0, 2));
  const offsetMinutes = Number(digitsOnly.slice(2));
  // Real offsets run from -12:00 to +14:00.
  if (offsetHours > 14 || offsetMinutes > 59) return undefined;
  const ms = utc - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return ms < 0 ? undefined : ms;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** One line's cells: split on the delimiter, `"…"` quoting with `""` for a quote (a cell may not span lines). */
export function cellsOf(line: string, delimiter: string): string[] | undefined {
  if (!line.includes('"')) return line.split(delimiter).map((cell) => cell.trim());
  const cells: string[] = [];
  let at = 0;
  for (;;) {
    while (line[at] === ' ' || line[at] === '\t') at++;
    let cell = '';
    if (line[at] === '"') {
      at++;
      for (;;) {
        const quote = line.indexOf('"', at);
        if (quote < 0) return undefined;
        cell += line.slice(at, quote);
        at = quote + 1;
        if (line[at] !== '"') break;
        cell += '"';
        at++;
      }
      while (line[at] === ' ' || line[at] === '\t') at++;
      if (at < line.length && line[at] !== delimiter) return undefined;
    } else {
      const end = line.indexOf(delimiter, at);
      cell = (end < 0 ? line.slice(at) : line.slice(at, end)).trim();
      at = end < 0 ? line.length : end;
    }
    cells.push(cell);
    if (at >= line.length) return cells;
    at++;
  }
}

interface Layout {
  time: number;
  price: number;
  /** The symbol column, or the one instrument the file name names. */
  symbol: number | Instrument;
  timeName: string;
  priceName: string;
  symbolName: string;
  /** The first line of data. */
  dataFrom: number;
}

function layoutOf(
  header: string[],
  headerIndex: number,
  fileName: string,
): { ok: true; layout: Layout } | { ok: false; problem: FeedProblem } {
  const line = headerIndex + 1;
  const fromName = instrumentOfFileName(fileName);
  if (header.every((cell) => NUMBER.test(cell))) {
    if (header.length < KLINE_MIN_COLUMNS) {
      return {
        ok: false,
        problem: {
          line,
          message: `no header, and ${header.length} columns are too few for the kline layout (${KLINE_MIN_COLUMNS}+)`,
        },
      };
    }
    if (!fromName) {
      return {
        ok: false,
        problem: {
          message: `a file without a symbol column names its symbol first (BTCUSDT-1m-….csv); ${describeValue(fileName)} names none the paper venue lists`,
        },
      };
    }
    return {
      ok: true,
      layout: {
        time: KLINE_TIME,
        price: KLINE_CLOSE,
        symbol: fromName,
        timeName: 'open_time',
        priceName: 'close',
        symbolName: 'file name',
        dataFrom: headerIndex,
      },
    };
  }
  const names = header.map((cell) => cell.toLowerCase());
  const find = (aliases: string[]) => {
    const name = aliases.find((alias) => names.includes(alias));
    return name === undefined ? undefined : { name, index: names.indexOf(name) };
  };
  const time = find(TIME_COLUMNS);
  const price = find(PRICE_COLUMNS);
  const symbol = find(SYMBOL_COLUMNS);
  if (!time) {
    return { ok: false, problem: { line, message: `no time column (one of ${TIME_COLUMNS.join(', ')})` } };
  }
  if (!price) {
    return { ok: false, problem: { line, message: `no price column (one of ${PRICE_COLUMNS.join(', ')})` } };
  }
  if (!symbol && !fromName) {
    return {
      ok: false,
      problem: {
        line,
        message: `no symbol column (one of ${SYMBOL_COLUMNS.join(', ')}), and the file name names no symbol the paper venue lists`,
      },
    };
  }
  return {
    ok: true,
    layout: {
      time: time.index,
      price: price.index,
      symbol: symbol ? symbol.index : (fromName as Instrument),
      timeName: time.name,
      priceName: price.name,
      symbolName: symbol?.name ?? 'file name',
      dataFrom: headerIndex + 1,
    },
  };
}

/** Reads `text`, the contents of the feed file `fileName` (whose name may give the symbol). */
export function parseFeedCsv(text: string, fileName: string): FeedParse {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '' && !line.startsWith('#'));
  if (headerIndex < 0) return { ok: false, problem: { message: 'the file holds no rows' } };
  const headerLine = lines[headerIndex] ?? '';
  // `;` where `,` is the decimal mark: a header with semicolons and no commas says so.
  const delimiter = headerLine.includes(';') && !headerLine.includes(',') ? ';' : ',';
  const header = cellsOf(headerLine, delimiter);
  if (!header) return { ok: false, problem: { line: headerIndex + 1, message: 'an unclosed quote' } };
  const shaped = layoutOf(header, headerIndex, fileName);
  if (!shaped.ok) return shaped;
  const { layout } = shaped;

  const instruments: Instrument[] = [];
  const indexOf = new Map<Instrument, number>();
  const capacity = Math.min(MAX_FEED_ROWS, lines.length);
  const times = new Float64Array(capacity);
  const symbolOf = new Uint8Array(capacity);
  const prices = new Float64Array(capacity);
  const lineOf = new Uint32Array(capacity);
  const symbolOfCell = new Map<string, Instrument | undefined>();
  let rows = 0;
  let snappedPrices = 0;
  let sorted = true;
  for (let index = layout.dataFrom; index < lines.length; index++) {
    const text = lines[index] ?? '';
    if (text.trim() === '' || text.startsWith('#')) continue;
    const line = index + 1;
    if (rows === MAX_FEED_ROWS) {
      return { ok: false, problem: { line, message: `more than ${MAX_FEED_ROWS} rows; split the file` } };
    }
    const cells = cellsOf(text, delimiter);
    if (!cells)
      return { ok: false, problem: { line, message: 'an unclosed quote, or text after a quoted cell' } };
    const timeCell = cells[layout.time] ?? '';
    const ts = epochMsOf(timeCell);
    if (ts === undefined) {
      return {
        ok: false,
        problem: {
          line,
          column: layout.timeName,
          message: `${describeValue(timeCell)} is not a time (epoch s, ms, µs or ns, or ISO 8601)`,
        },
      };
    }
    let instrument: Instrument;
    if (typeof layout.symbol === 'number') {
      const symbolCell = cells[layout.symbol] ?? '';
      // A file names a handful of symbols millions of times: each spelling is matched once.
      let named = symbolOfCell.get(symbolCell);
      if (named === undefined && !symbolOfCell.has(symbolCell)) {
        named = instrumentOfCell(symbolCell);
        symbolOfCell.set(symbolCell, named);
      }
      if (!named) {
        return {
          ok: false,
          problem: {
            line,
            column: layout.symbolName,
            message: `the paper venue does not list ${describeValue(symbolCell)} (it lists ${INSTRUMENTS.map((i) => i.symbol).join(', ')})`,
          },
        };
      }
      instrument = named;
    } else {
      instrument = layout.symbol;
    }
    const priceCell = cells[layout.price] ?? '';
    const raw = NUMBER.test(priceCell) ? Number(priceCell) : Number.NaN;
    const maxPrice = maxPriceOf(instrument);
    if (!(raw > 0 && raw <= maxPrice)) {
      return {
        ok: false,
        problem: {
          line,
          column: layout.priceName,
          message: `${describeValue(priceCell)} is not a price of ${instrument.symbol} (a number above 0, at most ${maxPrice})`,
        },
      };
    }
    const price = onTickAsWritten(priceCell, instrument) ? raw : roundToStep(raw, instrument.tickSize);
    if (price <= 0) {
      return {
        ok: false,
        problem: {
          line,
          column: layout.priceName,
          message: `${raw} is below half of ${instrument.symbol}'s tick ${instrument.tickSize}`,
        },
      };
    }
    if (price !== raw) snappedPrices++;
    let symbolIndex = indexOf.get(instrument);
    if (symbolIndex === undefined) {
      symbolIndex = instruments.length;
      indexOf.set(instrument, symbolIndex);
      instruments.push(instrument);
    }
    if (rows > 0 && ts < (times[rows - 1] ?? 0)) sorted = false;
    times[rows] = ts;
    symbolOf[rows] = symbolIndex;
    prices[rows] = price;
    lineOf[rows] = line;
    rows++;
  }
  if (rows === 0) return { ok: false, problem: { message: 'the file holds a header and no rows' } };

  const order = sorted ? undefined : timeOrder(times.subarray(0, rows));
  /** A column's first `rows` entries, in time order. */
  const inOrder = <A extends Float64Array | Uint8Array | Uint32Array>(column: A): A => {
    const used = column.subarray(0, rows) as A;
    return order ? (used.map((_, i) => used[order[i] ?? 0] ?? 0) as A) : used;
  };
  const orderedTimes = inOrder(times);
  const feed: ParsedFeed = {
    contents: {
      symbols: instruments.map((instrument) => instrument.symbol),
      rows,
      from: orderedTimes[0] ?? 0,
      to: orderedTimes[rows - 1] ?? 0,
      snappedPrices,
    },
    instruments,
    times: orderedTimes,
    symbolOf: inOrder(symbolOf),
    prices: inOrder(prices),
  };
  const twin = sameTimeTwin(feed, inOrder(lineOf));
  if (twin) return { ok: false, problem: twin };
  return { ok: true, feed };
}

/** Whether a price cell is on its tick as written, no rounding needed: a tick of 10^-n and at most n decimals. */
function onTickAsWritten(cell: string, instrument: Instrument): boolean {
  const decimals = TICK_DECIMALS.get(instrument);
  if (decimals === undefined || cell.includes('e') || cell.includes('E')) return false;
  const point = cell.indexOf('.');
  return point < 0 || cell.length - point - 1 <= decimals;
}

/** n for the instruments whose tick is 10^-n (all the paper venue lists); the rest always round. */
const TICK_DECIMALS = new Map(
  INSTRUMENTS.flatMap((instrument) => {
    const decimals = Math.round(-Math.log10(instrument.tickSize));
    return decimals >= 0 && Number((10 ** -decimals).toFixed(decimals)) === instrument.tickSize
      ? [[instrument, decimals] as const]
      : [];
  }),
);

/** Row indexes in time order; rows of one time keep the file's order. */
function timeOrder(times: Float64Array): Uint32Array {
  const order = Uint32Array.from(times, (_, i) => i);
  return order.sort((a, b) => (times[a] ?? 0) - (times[b] ?? 0) || a - b);
}

/** Two rows of one symbol at one time: which price would hold is a guess, so the file is refused. */
function sameTimeTwin(feed: ParsedFeed, lineOf: Uint32Array): FeedProblem | undefined {
  const { times, symbolOf, instruments } = feed;
  let stepStart = 0;
  for (let row = 1; row <= times.length; row++) {
    if (row < times.length && times[row] === times[stepStart]) continue;
    for (let a = stepStart; a < row; a++) {
      for (let b = a + 1; b < row; b++) {
        if (symbolOf[a] === symbolOf[b]) {
          return {
            line: lineOf[b] ?? 0,
            message: `${instruments[symbolOf[b] ?? 0]?.symbol} at ${new Date(times[b] ?? 0).toISOString()} again (first on line ${lineOf[a]})`,
          };
        }
      }
    }
    stepStart = row;
  }
  return undefined;
}
