// Feed benchmark: what reading a feed file costs when a replay session starts
// (the host reads it whole, synchronously: nothing else runs then). It writes
// generated files of BENCH_FEED_ROWS rows (1 000 000) in three layouts to a
// temporary feeds folder and times FeedLibrary.load on each (read, SHA-256,
// parse, sort check), rounds alternating, and reports the memory the parsed
// columns hold. The prices are a random walk: only the format matters here.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { FeedLibrary } from '../electron/host/market/feed-library.js';

const ROWS = Number(process.env.BENCH_FEED_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_FEED_ROUNDS ?? 3);
const START = Date.UTC(2024, 0, 1);
/** A Binance kline row is ~150 bytes: MAX_FEED_BYTES (64 MiB) holds about 440 000 of them. */
const KLINE_ROWS = Math.min(ROWS, 400_000);

/** The layouts a trader's files come in: long with ISO times, long with epoch ms, Binance's klines. */
const LAYOUTS: Record<string, { name: string; rows: number; text: () => string }> = {
  'long, ISO 8601 times': {
    name: 'long-iso.csv',
    rows: ROWS,
    text: () => longFile((ts) => new Date(ts).toISOString()),
  },
  'long, epoch ms': {
    name: 'long-ms.csv',
    rows: ROWS,
    text: () => longFile((ts) => String(ts)),
  },
  'Binance klines, no header': {
    name: 'BTCUSDT-1s-klines.csv',
    rows: KLINE_ROWS,
    text: () => {
      const lines: string[] = [];
      // In tenths (BTC's tick), written with Binance's eight decimals: every price takes the rounding path.
      let tenths = 600_000;
      const px = (t: number) => (t / 10).toFixed(8);
      for (let row = 0; row < KLINE_ROWS; row++) {
        tenths = Math.max(10, tenths + Math.round((Math.random() - 0.5) * 40));
        const ts = START + row * 1_000;
        lines.push(
          `${ts},${px(tenths)},${px(tenths + 50)},${px(tenths - 50)},${px(tenths)},1.23456000,${ts + 999},` +
            '75501.21234567,1500,0.61728300,37750.60617283,0',
        );
      }
      return lines.join('\n');
    },
  },
};

/** Three symbols a second, each row its own line. */
function longFile(time: (ts: number) => string): string {
  const symbols: [string, number][] = [
    ['BTC/USDT', 60_000],
    ['ETH/USDT', 3_000],
    ['SOL/USDT', 150],
  ];
  const lines = ['ts,symbol,price'];
  for (let row = 0; row < ROWS; row++) {
    const index = row % symbols.length;
    const entry = symbols[index] as [string, number];
    entry[1] = Math.max(1, Math.round(entry[1] * (1 + (Math.random() - 0.5) * 1e-3) * 100) / 100);
    lines.push(`${time(START + Math.floor(row / symbols.length) * 1_000)},${entry[0]},${entry[1]}`);
  }
  return lines.join('\n');
}

const folder = mkdtempSync(join(os.tmpdir(), 'bench-feed-'));
try {
  const library = new FeedLibrary(folder);
  for (const { name, text } of Object.values(LAYOUTS)) writeFileSync(join(folder, name), text());
  const times = new Map<string, number[]>(Object.keys(LAYOUTS).map((layout) => [layout, []]));
  const held = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [layout, { name, rows }] of Object.entries(LAYOUTS)) {
      const start = process.hrtime.bigint();
      const loaded = library.load(name, 'market.feed');
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (!loaded.ok) throw new Error(`${layout}: ${loaded.error.message}`);
      if (loaded.value.feed.contents.rows !== rows)
        throw new Error(`${layout}: read ${loaded.value.feed.contents.rows} rows`);
      times.get(layout)?.push(ms);
      const { times: t, symbolOf, prices } = loaded.value.feed;
      held.set(layout, t.byteLength + symbolOf.byteLength + prices.byteLength);
    }
  }
  console.log(`${ROUNDS} rounds alternating, FeedLibrary.load (read, SHA-256, parse)`);
  console.log('| layout | rows | file MiB | load ms (each round) | rows/s (best) | columns held MiB |');
  console.log('|---|---|---|---|---|---|');
  for (const [layout, { name, rows }] of Object.entries(LAYOUTS)) {
    const rounds = times.get(layout) ?? [];
    const best = Math.min(...rounds);
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.log(
      `| ${layout} | ${rows.toLocaleString('en')} | ${mib(statSync(join(folder, name)).size)} | ${rounds.map((ms) => ms.toFixed(0)).join(', ')} | ` +
        `${Math.round(rows / (best / 1000)).toLocaleString('en')} | ${mib(held.get(layout) ?? 0)} |`,
    );
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
