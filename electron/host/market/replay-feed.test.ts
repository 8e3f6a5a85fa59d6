import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MarkTick } from '../../../shared/index.js';
import { describeProblem, parseFeedCsv, type ParsedFeed } from './feed-csv.js';
import { ReplayFeed, type ReplayEnd } from './replay-feed.js';

function feedOf(csv: string): ParsedFeed {
  const parse = parseFeedCsv(csv, 'feed.csv');
  if (!parse.ok) throw new Error(describeProblem(parse.problem));
  return parse.feed;
}

/** Three symbols; SOL's rows fall between the others' and on a time of its own. */
const FEED = feedOf(
  [
    'ts,symbol,price',
    '60,BTC/USDT,100',
    '60,ETH/USDT,10',
    '90,SOL/USDT,1',
    '120,BTC/USDT,101',
    '180,ETH/USDT,11',
    '180,BTC/USDT,102',
  ].join('\n'),
);

function replay(symbols: string[], speed = 1) {
  const steps: MarkTick[][] = [];
  const ends: ReplayEnd[] = [];
  const feed = new ReplayFeed({
    feed: FEED,
    symbols,
    speed,
    now: () => 7,
    monotonic: () => 0,
    onTicks: (ticks) => steps.push(ticks),
    onEnd: (end) => ends.push(end),
  });
  return { feed, steps, ends };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a replayed feed', () => {
  it('opens each symbol at its first price, before any step', () => {
    const { feed, steps } = replay(['BTC/USDT', 'ETH/USDT']);
    expect(feed.marks()).toEqual({ 'BTC/USDT': 100, 'ETH/USDT': 10 });
    expect(steps).toEqual([]);
  });

  it("plays each time's rows as one step, paced by the rows' times over the speed, stamped with the host's clock", () => {
    const { feed, steps, ends } = replay(['BTC/USDT', 'ETH/USDT'], 2);
    // The rows are 60 s apart in seconds; at 2× a step is due every 30 000 ms of the pacing clock.
    expect(feed.playDue(0)).toBe(30_000);
    expect(steps).toEqual([
      [
        { asset: 'BTC/USDT', price: 100, ts: 7 },
        { asset: 'ETH/USDT', price: 10, ts: 7 },
      ],
    ]);
    expect(feed.playDue(29_999)).toBe(1);
    expect(feed.playDue(30_000)).toBe(30_000);
    expect(steps.at(-1)).toEqual([{ asset: 'BTC/USDT', price: 101, ts: 7 }]);
    expect(ends).toEqual([]);
    expect(feed.playDue(60_000)).toBeUndefined();
    expect(steps.at(-1)).toEqual([
      { asset: 'ETH/USDT', price: 11, ts: 7 },
      { asset: 'BTC/USDT', price: 102, ts: 7 },
    ]);
    expect(feed.marks()).toEqual({ 'BTC/USDT': 102, 'ETH/USDT': 11 });
    expect(ends).toEqual([{ steps: 3, lastRowAt: 180_000 }]);
    expect(feed.ended).toBe(true);
  });

  it('skips the rows of symbols the session does not trade, and starts at the first row of one it does', () => {
    const { feed, steps } = replay(['SOL/USDT']);
    expect(feed.marks()).toEqual({ 'SOL/USDT': 1 });
    expect(feed.playDue(0)).toBeUndefined();
    expect(steps).toEqual([[{ asset: 'SOL/USDT', price: 1, ts: 7 }]]);
  });

  it('plays every step that is due at once, late rather than skipping any, and tells its end once', () => {
    const { feed, steps, ends } = replay(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(feed.playDue(0)).toBe(30_000);
    expect(feed.playDue(10_000_000)).toBeUndefined();
    expect(steps.map((step) => step.map((tick) => tick.price))).toEqual([[100, 10], [1], [101], [11, 102]]);
    expect(feed.playDue(20_000_000)).toBeUndefined();
    expect(ends).toHaveLength(1);
  });

  it('runs on its timer from start, and stop holds it', () => {
    vi.useFakeTimers();
    let clock = 0;
    const steps: MarkTick[][] = [];
    const feed = new ReplayFeed({
      feed: FEED,
      symbols: ['BTC/USDT'],
      speed: 60,
      now: () => clock,
      monotonic: () => clock,
      onTicks: (ticks) => steps.push(ticks),
      onEnd: () => undefined,
    });
    feed.start();
    expect(steps).toHaveLength(1);
    clock = 1_000;
    vi.advanceTimersByTime(1_000);
    expect(steps.map((step) => step[0]?.price)).toEqual([100, 101]);
    feed.stop();
    clock = 5_000;
    vi.advanceTimersByTime(4_000);
    expect(steps).toHaveLength(2);
  });
});
