import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INSTRUMENTS } from '../../../shared/index.js';
import {
  cellsOf,
  describeProblem,
  epochMsOf,
  instrumentOfCell,
  instrumentOfFileName,
  parseFeedCsv,
  type FeedParse,
} from './feed-csv.js';
import { onGrid } from './grid.js';

function rowsOf(parse: FeedParse) {
  if (!parse.ok) throw new Error(describeProblem(parse.problem));
  const { feed } = parse;
  return Array.from(feed.times, (ts, row) => ({
    ts,
    symbol: feed.instruments[feed.symbolOf[row] ?? 0]?.symbol,
    price: feed.prices[row],
  }));
}

function problemOf(parse: FeedParse): string {
  if (parse.ok) throw new Error('the file was read');
  return describeProblem(parse.problem);
}

describe('the feed file reader', () => {
  it('reads a long file of several symbols, in time order', () => {
    const csv = [
      'ts,symbol,price',
      '2024-03-01T00:00:00Z,BTC/USDT,61234.5',
      '2024-03-01T00:00:00Z,ETH/USDT,3400.12',
      '2024-03-01T00:01:00Z,BTC/USDT,61250',
    ].join('\n');
    const parse = parseFeedCsv(csv, 'march.csv');
    expect(rowsOf(parse)).toEqual([
      { ts: Date.UTC(2024, 2, 1), symbol: 'BTC/USDT', price: 61234.5 },
      { ts: Date.UTC(2024, 2, 1), symbol: 'ETH/USDT', price: 3400.12 },
      { ts: Date.UTC(2024, 2, 1, 0, 1), symbol: 'BTC/USDT', price: 61250 },
    ]);
    expect(parse.ok && parse.feed.contents).toEqual({
      symbols: ['BTC/USDT', 'ETH/USDT'],
      rows: 3,
      from: Date.UTC(2024, 2, 1),
      to: Date.UTC(2024, 2, 1, 0, 1),
      snappedPrices: 0,
    });
  });

  it("reads Binance's headerless kline files, the symbol from the file name and the close as the price", () => {
    const csv = [
      '1709251200000,61000.00,61300.00,60900.00,61234.50,120.5,1709251259999,7371500.1,1500,60.2,3685750.0,0',
      '1709251260000,61234.50,61400.00,61200.00,61250.00,98.1,1709251319999,6008812.5,1200,49.0,3001406.2,0',
    ].join('\r\n');
    expect(rowsOf(parseFeedCsv(csv, 'BTCUSDT-1m-2024-03-01.csv'))).toEqual([
      { ts: 1709251200000, symbol: 'BTC/USDT', price: 61234.5 },
      { ts: 1709251260000, symbol: 'BTC/USDT', price: 61250 },
    ]);
  });

  it('finds its columns by name in any order and case, with quotes, a BOM, comments and blank lines', () => {
    const csv =
      '\uFEFF# exported 2024-03-02\nOpen,High,Low,"Close",Volume,Date\n\n1,2,0.5,"3,400.5",9,2024-03-01\n';
    // "3,400.5" is one quoted cell: a thousands separator is not a number.
    expect(problemOf(parseFeedCsv(csv, 'ETH-USDT.csv'))).toBe(
      'line 4, column close: "3,400.5" is not a price of ETH/USDT (a number above 0, at most 1000000000000)',
    );
    const fixed = csv.replace('"3,400.5"', '"3400.5"');
    expect(rowsOf(parseFeedCsv(fixed, 'ETH-USDT.csv'))).toEqual([
      { ts: Date.UTC(2024, 2, 1), symbol: 'ETH/USDT', price: 3400.5 },
    ]);
  });

  it('reads semicolon files', () => {
    expect(rowsOf(parseFeedCsv('time;pair;last\n1709251200;sol_usdt;150.125\n', 'x.csv'))).toEqual([
      { ts: 1709251200000, symbol: 'SOL/USDT', price: 150.125 },
    ]);
  });

  it('sorts rows by time, keeping the order of rows of one time', () => {
    const csv = 'ts,symbol,price\n3000,BTC/USDT,3\n1000,ETH/USDT,1\n1000,BTC/USDT,2\n2000,ETH/USDT,4\n';
    expect(rowsOf(parseFeedCsv(csv, 'x.csv')).map((row) => [row.ts, row.symbol])).toEqual([
      [1_000_000, 'ETH/USDT'],
      [1_000_000, 'BTC/USDT'],
      [2_000_000, 'ETH/USDT'],
      [3_000_000, 'BTC/USDT'],
    ]);
  });

  it("snaps prices to the symbol's tick and counts them", () => {
    const parse = parseFeedCsv('ts,symbol,price\n1,BTC/USDT,61234.56\n2,BTC/USDT,61234.5\n', 'x.csv');
    expect(rowsOf(parse).map((row) => row.price)).toEqual([61234.6, 61234.5]);
    expect(parse.ok && parse.feed.contents.snappedPrices).toBe(1);
  });

  it.each([
    ['', 'the file holds no rows'],
    ['ts,symbol,price\n', 'the file holds a header and no rows'],
    [
      'when,symbol,price\n1,BTC/USDT,1',
      'line 1: no time column (one of ts, timestamp, time, datetime, date, open_time)',
    ],
    ['ts,symbol,size\n1,BTC/USDT,1', 'line 1: no price column (one of price, mark, close, last)'],
    [
      'ts,price\n1,1',
      'line 1: no symbol column (one of symbol, asset, pair, instrument), and the file name names no symbol the paper venue lists',
    ],
    [
      'ts,symbol,price\nyesterday,BTC/USDT,1',
      'line 2, column ts: "yesterday" is not a time (epoch s, ms, µs or ns, or ISO 8601)',
    ],
    [
      'ts,symbol,price\n2024-02-30,BTC/USDT,1',
      'line 2, column ts: "2024-02-30" is not a time (epoch s, ms, µs or ns, or ISO 8601)',
    ],
    [
      'ts,symbol,price\n1,ABC/USDT,1',
      'line 2, column symbol: the paper venue does not list "ABC/USDT" (it lists BTC/USDT, ETH/USDT, SOL/USDT, XRP/USDT, DOGE/USDT)',
    ],
    [
      'ts,symbol,price\n1,BTC/USDT,-5',
      'line 2, column price: "-5" is not a price of BTC/USDT (a number above 0, at most 1000000000000)',
    ],
    [
      'ts,symbol,price\n1,BTC/USDT,NaN',
      'line 2, column price: "NaN" is not a price of BTC/USDT (a number above 0, at most 1000000000000)',
    ],
    [
      'ts,symbol,price\n1,BTC/USDT,',
      'line 2, column price: "" is not a price of BTC/USDT (a number above 0, at most 1000000000000)',
    ],
    ['ts,symbol,price\n1,BTC/USDT,0.01', "line 2, column price: 0.01 is below half of BTC/USDT's tick 0.1"],
    ['ts,symbol,price\n1,BTC/USDT,"1', 'line 2: an unclosed quote, or text after a quoted cell'],
    [
      'ts,symbol,price\n1,BTC/USDT,1\n2,ETH/USDT,1\n1,BTC/USDT,2',
      'line 4: BTC/USDT at 1970-01-01T00:00:01.000Z again (first on line 2)',
    ],
    ['1709251200000,1,2,3,4\n', 'line 1: no header, and 5 columns are too few for the kline layout (6+)'],
    // DOGE's tick is 0.00001: above 10^10 a double cannot hold every price on it.
    [
      'ts,symbol,price\n1,DOGE/USDT,95000000000.5',
      'line 2, column price: "95000000000.5" is not a price of DOGE/USDT (a number above 0, at most 10000000000)',
    ],
  ])('refuses %j: %s', (csv, problem) => {
    expect(problemOf(parseFeedCsv(csv, 'feed.csv'))).toBe(problem);
  });

  it('refuses a headerless file whose name names no symbol', () => {
    expect(problemOf(parseFeedCsv('1709251200000,1,2,3,4,5\n', 'klines.csv'))).toMatch(
      /^a file without a symbol column names its symbol first/,
    );
  });
});

describe('feed cells', () => {
  it.each([
    ['1709251200', 1709251200000],
    ['1709251200.5', 1709251200500],
    // 1709251200.008 / 1e-3 is 1709251200007.9998 in doubles: the text is cut, not divided.
    ['1709251200.008', 1709251200008],
    ['1709251200.0089', 1709251200008],
    // Above 2^53: divided, it would round up to …808.
    ['1710115836807999975', 1710115836807],
    ['1709251200000', 1709251200000],
    ['1709251200000123', 1709251200000],
    ['1709251200000123456', 1709251200000],
    ['0', 0],
    ['2024-03-01', Date.UTC(2024, 2, 1)],
    ['2024-03-01 12:30', Date.UTC(2024, 2, 1, 12, 30)],
    ['2024-03-01T12:30:15.250Z', Date.UTC(2024, 2, 1, 12, 30, 15, 250)],
    ['2024-03-01T12:30:15+02:00', Date.UTC(2024, 2, 1, 10, 30, 15)],
    ['2024-03-01T12:30:15-0530', Date.UTC(2024, 2, 1, 18, 0, 15)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00-01:00', 3_600_000],
  ])('reads the time %s', (cell, ms) => {
    expect(epochMsOf(cell)).toBe(ms);
  });

  it.each([
    '',
    '-1',
    '1e12',
    '12345678901234567890',
    '1709251200000.5',
    '2024-13-01',
    '2023-02-29',
    '1969-12-31',
    '2024-03-01T25:00',
    // An offset that puts the time before 1970, and offsets no place has.
    '1970-01-01T00:00:00+01:00',
    '2024-03-01T12:00+15:00',
    '2024-03-01T12:00+05:60',
  ])('refuses the time %j', (cell) => {
    expect(epochMsOf(cell)).toBeUndefined();
  });

  it('matches symbols written the ways exchanges write them', () => {
    for (const cell of ['BTC/USDT', 'btcusdt', 'BTC-USDT', 'BTC_USDT', 'BTC/USDT:USDT']) {
      expect(instrumentOfCell(cell)?.symbol).toBe('BTC/USDT');
    }
    expect(instrumentOfCell('BTC/EUR')).toBeUndefined();
    expect(instrumentOfFileName('DOGEUSDT-1s-2024-03-01.csv')?.symbol).toBe('DOGE/USDT');
    expect(instrumentOfFileName('eth_usdt.csv')?.symbol).toBe('ETH/USDT');
    expect(instrumentOfFileName('prices.csv')).toBeUndefined();
  });

  it('splits quoted cells', () => {
    expect(cellsOf('a, "b,c" ,"d""e",', ',')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(cellsOf('"a"b', ',')).toBeUndefined();
  });
});

describe('the feed file reader on any input', () => {
  it('never throws: it reads the file or names a line, and what it reads is sorted, positive and on the tick', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('BTC/USDT', 'eth-usdt', '"', '""', ',', ';', '\r', '\n'),
      fc.double().map(String),
      fc.integer({ min: 0, max: 2 ** 53 }).map(String),
    );
    const line = fc.array(cell, { maxLength: 7 }).map((cells) => cells.join(','));
    const file = fc.tuple(
      fc.constantFrom('ts,symbol,price', 'time;pair;close', 'date,price', '', '1709251200000,1,2,3,4,5'),
      fc.array(line, { maxLength: 30 }),
    );
    fc.assert(
      fc.property(file, fc.constantFrom('feed.csv', 'BTCUSDT-1m.csv'), ([header, lines], name) => {
        const parse = parseFeedCsv([header, ...lines].join('\n'), name);
        if (!parse.ok) {
          expect(describeProblem(parse.problem)).not.toBe('');
          return;
        }
        const { times, prices, symbolOf, instruments, contents } = parse.feed;
        expect(contents.rows).toBe(times.length);
        for (let row = 0; row < times.length; row++) {
          if (row > 0) expect(times[row]).toBeGreaterThanOrEqual(times[row - 1] ?? 0);
          const instrument = instruments[symbolOf[row] ?? 0];
          expect(prices[row]).toBeGreaterThan(0);
          expect(onGrid(prices[row] ?? 0, instrument?.tickSize ?? 1)).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads back exactly the rows written, in any of the layouts it accepts', () => {
    const row = fc.record({
      ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      instrument: fc.constantFrom(...INSTRUMENTS),
      ticks: fc.integer({ min: 1, max: 10_000_000 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(row, {
          minLength: 1,
          maxLength: 40,
          selector: (r) => `${r.ts}:${r.instrument.symbol}`,
        }),
        fc.constantFrom('ms', 'iso'),
        (rows, timeFormat) => {
          const priceOf = (r: (typeof rows)[number]) =>
            Number((r.ticks * r.instrument.tickSize).toFixed(Math.round(-Math.log10(r.instrument.tickSize))));
          const cellOf = (ts: number) =>
            timeFormat === 'ms' ? String(ts).padStart(13, '0') : new Date(ts).toISOString();
          const csv = [
            'symbol,close,timestamp',
            ...rows.map((r) => `${r.instrument.symbol},${priceOf(r)},${cellOf(r.ts)}`),
          ].join('\n');
          const expected = rows
            .map((r, index) => ({ ts: r.ts, symbol: r.instrument.symbol, price: priceOf(r), index }))
            .sort((a, b) => a.ts - b.ts || a.index - b.index)
            .map(({ ts, symbol, price }) => ({ ts, symbol, price }));
          expect(rowsOf(parseFeedCsv(csv, 'feed.csv'))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
