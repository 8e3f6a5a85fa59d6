import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MarkTick } from '../../../shared/index.js';
import { describeProblem, parseFeedCsv, type ParsedFeed } from './feed-csv.js';
import { CLOCK_INTERVAL_MS, MAX_STEPS_PER_TURN, ReplayFeed, type ReplayEnd } from './replay-feed.js';

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

/** A BTC/USDT replay on a clock the test moves (`at`): the prices it plays, and the clock's ticks. */
function clockedReplay(speed: number, feed: ParsedFeed = FEED) {
  const state = { at: 0, prices: [] as number[], ticks: 0 };
  const replayFeed = new ReplayFeed({
    feed,
    symbols: ['BTC/USDT'],
    speed,
    now: () => state.at,
    monotonic: () => state.at,
    onTicks: (ticks) => state.prices.push(...ticks.map((tick) => tick.price)),
    onEnd: () => undefined,
    onClock: () => state.ticks++,
  });
  return { feed: replayFeed, state };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('a replayed feed', () => {
  it("has the first step's prices before it plays, and none of a symbol whose rows begin later", () => {
    const { feed, steps } = replay(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(feed.marks()).toEqual({ 'BTC/USDT': 100, 'ETH/USDT': 10 });
    // SOL's first row is 30 s in: its price then must not be known before.
    expect(feed.price('SOL/USDT')).toBeUndefined();
    expect(feed.firstPrice('SOL/USDT')).toBe(1);
    expect(steps).toEqual([]);
    feed.playDue(0);
    feed.playDue(30_000);
    expect(feed.price('SOL/USDT')).toBe(1);
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
    const { feed, steps, ends } = replay(['SOL/USDT']);
    expect(feed.marks()).toEqual({ 'SOL/USDT': 1 });
    expect(feed.playDue(0)).toBeUndefined();
    expect(steps).toEqual([[{ asset: 'SOL/USDT', price: 1, ts: 7 }]]);
    // Its end names the last row it played, not the file's last (another symbol's).
    expect(ends).toEqual([{ steps: 1, lastRowAt: 90_000 }]);
  });

  it('plays every step that is due at once, late rather than skipping any, and tells its end once', () => {
    const { feed, steps, ends } = replay(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(feed.playDue(0)).toBe(30_000);
    expect(feed.playDue(10_000_000)).toBeUndefined();
    expect(steps.map((step) => step.map((tick) => tick.price))).toEqual([[100, 10], [1], [101], [11, 102]]);
    expect(feed.playDue(20_000_000)).toBeUndefined();
    expect(ends).toHaveLength(1);
  });

  it(`plays at most ${MAX_STEPS_PER_TURN} steps a turn, and the rest on the next, none skipped`, () => {
    const rows = Array.from({ length: MAX_STEPS_PER_TURN + 20 }, (_, i) => `${i},BTC/USDT,${100 + i}`);
    const played: number[] = [];
    const feed = new ReplayFeed({
      feed: feedOf(['ts,symbol,price', ...rows].join('\n')),
      symbols: ['BTC/USDT'],
      speed: 1_000,
      now: () => 0,
      onTicks: (ticks) => played.push(...ticks.map((tick) => tick.price)),
      onEnd: () => undefined,
    });
    expect(feed.playDue(0)).toBe(1);
    expect(feed.playDue(1_000_000)).toBe(0);
    expect(played).toHaveLength(1 + MAX_STEPS_PER_TURN);
    expect(feed.playDue(1_000_000)).toBeUndefined();
    expect(played).toEqual(rows.map((_, i) => 100 + i));
  });

  it('stops for good when stopped inside a step, as a journal fault stops a session', () => {
    vi.useFakeTimers();
    const played: number[] = [];
    const feed: ReplayFeed = new ReplayFeed({
      feed: feedOf(
        ['ts,symbol,price', ...Array.from({ length: 10 }, (_, i) => `${i},BTC/USDT,${100 + i}`)].join('\n'),
      ),
      symbols: ['BTC/USDT'],
      speed: 1_000,
      now: () => 0,
      // The faked clock: a row a second apart at ×1000 is a step a millisecond.
      monotonic: () => Date.now(),
      onTicks: (ticks) => {
        played.push(...ticks.map((tick) => tick.price));
        if (played.length === 2) feed.stop();
      },
      onEnd: () => undefined,
    });
    feed.start();
    vi.advanceTimersByTime(10_000);
    expect(played).toEqual([100, 101]);
    expect(vi.getTimerCount()).toBe(0);
    feed.start();
    expect(played).toHaveLength(2);
  });

  it('waits out a gap longer than a timer can hold in parts, not in a busy loop', () => {
    vi.useFakeTimers();
    const delays: number[] = [];
    const setTimer = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return setTimer(fn, ms);
    }) as typeof setTimeout);
    // Two monthly rows: 30 days apart at ×1, more than setTimeout's 2^31 - 1 ms.
    const { feed, state } = clockedReplay(
      1,
      feedOf('ts,symbol,price\n2024-01-01,BTC/USDT,100\n2024-01-31,BTC/USDT,101\n'),
    );
    feed.start();
    expect(delays).toEqual([2 ** 31 - 1]);
    state.at = 2 ** 31 - 1;
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(state.prices).toEqual([100]);
    expect(delays).toEqual([2 ** 31 - 1, 30 * 86_400_000 - (2 ** 31 - 1)]);
    feed.stop();
  });

  it("pauses the file's clock where it is, resumes from there, and changes speed without a jump", () => {
    vi.useFakeTimers();
    const { feed, state } = clockedReplay(1);
    // Rows at 60 s, 120 s and 180 s of file time: the first plays at once.
    expect(feed.playDue(0)).toBe(60_000);
    state.at = 20_000;
    feed.pause();
    expect(feed.paused).toBe(true);
    // Paused, the file's clock holds at 80 s however long the pause.
    state.at = 1_000_000;
    expect(feed.playDue(state.at)).toBeUndefined();
    expect(state.prices).toEqual([100]);
    feed.resume();
    // 40 s of file time left to the next row.
    expect(feed.playDue(state.at)).toBe(40_000);
    // 2 s later (82 s of file time) at ×10: the 38 s of file time left take 3.8 s.
    state.at += 2_000;
    feed.setSpeed(10);
    expect(feed.speed).toBe(10);
    expect(feed.playDue(state.at)).toBe(3_800);
    state.at += 3_800;
    expect(feed.playDue(state.at)).toBe(6_000);
    expect(state.prices).toEqual([100, 101]);
    expect(feed.position).toBe(120_000);
    feed.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('on its timers: resumes on the next turn, not inside the call, and ticks the clock paused or not', () => {
    vi.useFakeTimers();
    const { feed, state } = clockedReplay(60);
    feed.start();
    expect(state.prices).toEqual([100]);
    feed.pause();
    // Paused for 5 s: no step (the next is due 1 s in at ×60), and the clock ticks on.
    state.at = 5_000;
    vi.advanceTimersByTime(5_000);
    expect(state.prices).toEqual([100]);
    expect(state.ticks).toBe(5_000 / CLOCK_INTERVAL_MS);
    feed.resume();
    // The row 60 s of file time on is due 1 s after the resume; nothing plays inside the call.
    expect(state.prices).toEqual([100]);
    state.at = 6_000;
    vi.advanceTimersByTime(1_000);
    expect(state.prices).toEqual([100, 101]);
    feed.stop();
    vi.advanceTimersByTime(10_000);
    expect(state.ticks).toBe(6_000 / CLOCK_INTERVAL_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs on its timer from start, and stop holds it', () => {
    vi.useFakeTimers();
    const { feed, state } = clockedReplay(60);
    feed.start();
    expect(state.prices).toEqual([100]);
    state.at = 1_000;
    vi.advanceTimersByTime(1_000);
    expect(state.prices).toEqual([100, 101]);
    feed.stop();
    state.at = 5_000;
    vi.advanceTimersByTime(4_000);
    expect(state.prices).toEqual([100, 101]);
  });
});
