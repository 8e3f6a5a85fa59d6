// Replays a feed file's prices: every row of the session's symbols, in time
// order, each run of rows of one time as one market step, paced by the rows'
// times divided by the speed. Prices come from the file; time is the host's
// (the venue's latency, TTLs and funding run on it), so ticks carry now().
// The operator may pause it and change its speed: the file's clock is an
// anchor (the file's time at a moment of the pacing clock) moved at each.
import type { MarkTick } from '../../../shared/index.js';
import type { ParsedFeed } from './feed-csv.js';
import type { MarketFeed } from './market-feed.js';

/** At most this many steps in one turn of the event loop: a replay too fast for the host runs late, it skips nothing. */
export const MAX_STEPS_PER_TURN = 500;
/** The longest delay setTimeout keeps; a longer one fires at once. A gap longer than this is waited in parts. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * How often the session's clock ticks between steps. A synthetic feed's steps (every 100 ms) are the kernel's clock;
 * a replay's rows may be minutes apart, paused or over, and ack timeouts and rate-limit retries must still come due.
 */
export const CLOCK_INTERVAL_MS = 500;

export interface ReplayEnd {
  /** Steps played, and the recorded time of the last one played. */
  steps: number;
  lastRowAt: number;
}

export interface ReplayFeedOptions {
  feed: ParsedFeed;
  /** The session's symbols: rows of others are skipped. */
  symbols: readonly string[];
  speed: number;
  now: () => number;
  /** The clock that paces the replay; `performance.now` by default. */
  monotonic?: () => number;
  onTicks: (ticks: MarkTick[]) => void;
  /** Once, after the last step: prices then hold where the file left them. */
  onEnd: (end: ReplayEnd) => void;
  /** Every CLOCK_INTERVAL_MS from start to stop, steps or none. */
  onClock?: () => void;
}

export class ReplayFeed implements MarketFeed {
  private readonly latest = new Map<string, number>();
  /** Per instrument index of the file, whether the session trades it. */
  private readonly traded: boolean[];
  private readonly monotonic: () => number;
  private next = 0;
  private steps = 0;
  private endTold = false;
  private stopped = false;
  private lastPlayedAt: number;
  private currentSpeed: number;
  private isPaused = false;
  /** The file's time at a moment of the pacing clock; set when the replay starts, moved by a pause or a new speed. */
  private anchor: { at: number; fileTime: number } | undefined;
  /** The recorded time the replay starts from: the first row of a symbol the session trades. */
  private readonly origin: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private clock: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: ReplayFeedOptions) {
    const { feed, symbols } = options;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.traded = feed.instruments.map((instrument) => symbols.includes(instrument.symbol));
    this.skipUntraded();
    this.origin = feed.times[this.next] ?? 0;
    this.lastPlayedAt = this.origin;
    this.currentSpeed = options.speed;
    // The first step's prices are the marks before it plays (it plays at start). A symbol whose rows begin later
    // has no price until its first row: a price from later in the file would let an order fill in the future.
    for (let row = this.next; row < feed.times.length && feed.times[row] === this.origin; row++) {
      const symbol = this.symbolAt(row);
      if (symbol !== undefined) this.latest.set(symbol, feed.prices[row] ?? 0);
    }
  }

  /** The file's first price of `symbol`, wherever it is: for checking a session's settings, never for trading. */
  firstPrice(symbol: string): number | undefined {
    const { feed } = this.options;
    const index = feed.instruments.findIndex((instrument) => instrument.symbol === symbol);
    const row = feed.symbolOf.indexOf(index);
    return index < 0 || row < 0 ? undefined : feed.prices[row];
  }

  marks(): Record<string, number> {
    return Object.fromEntries(this.latest);
  }

  price(symbol: string): number | undefined {
    return this.latest.get(symbol);
  }

  /** Whether every step has been played. */
  get ended(): boolean {
    return this.next >= this.options.feed.times.length;
  }

  get speed(): number {
    return this.currentSpeed;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** The recorded time of the last step played: where the replay stands in its file. */
  get position(): number {
    return this.lastPlayedAt;
  }

  start(): void {
    if (this.stopped) return;
    const { onClock } = this.options;
    if (onClock) this.clock ??= setInterval(onClock, CLOCK_INTERVAL_MS).unref();
    if (this.timer !== undefined || this.ended) return;
    this.anchor ??= { at: this.monotonic(), fileTime: this.origin };
    this.turn();
  }

  /** Holds the file's clock where the prices are; `resume` goes on from there. */
  pause(): void {
    if (this.isPaused) return;
    this.reanchor();
    this.isPaused = true;
    this.clearTimer();
  }

  resume(): void {
    if (!this.isPaused) return;
    // Paused, the anchor's file time holds: moved to now, it is where the file's clock goes on from.
    this.reanchor();
    this.isPaused = false;
    if (this.anchor) this.schedule();
  }

  /** From now on, `speed` times faster than recorded; the file's time reached so far stays. */
  setSpeed(speed: number): void {
    this.reanchor();
    this.currentSpeed = speed;
    if (this.anchor && !this.isPaused) this.schedule();
  }

  /** For good: a step under way when it is called (a fault inside `onTicks`) is the last. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    if (this.clock !== undefined) clearInterval(this.clock);
    this.clock = undefined;
  }

  /**
   * Plays every step due at `at` on the pacing clock (the first call starts the file's clock), at most
   * MAX_STEPS_PER_TURN; returns the delay until the next is due, or undefined once the replay has ended, is paused
   * or was stopped.
   */
  playDue(at: number): number | undefined {
    const { times } = this.options.feed;
    const anchor = (this.anchor ??= { at, fileTime: this.origin });
    if (this.isPaused) return undefined;
    const fileTime = this.fileTimeAt(anchor, at);
    for (let played = 0; played < MAX_STEPS_PER_TURN && !this.ended && !this.stopped; played++) {
      const rowTime = times[this.next] ?? 0;
      if (rowTime > fileTime) return (rowTime - fileTime) / this.currentSpeed;
      this.playStep();
    }
    if (this.stopped) return undefined;
    if (!this.ended) return 0;
    if (this.endTold) return undefined;
    this.endTold = true;
    this.options.onEnd({ steps: this.steps, lastRowAt: this.lastPlayedAt });
    return undefined;
  }

  private fileTimeAt(anchor: { at: number; fileTime: number }, at: number): number {
    return this.isPaused ? anchor.fileTime : anchor.fileTime + (at - anchor.at) * this.currentSpeed;
  }

  /**
   * Moves the anchor to now, so what follows (a pause, a new speed) starts from the file's time reached, but no
   * further than the next row not yet played: a replay running late goes on from where its prices are.
   */
  private reanchor(): void {
    if (!this.anchor) return;
    const at = this.monotonic();
    const next = this.options.feed.times[this.next] ?? Number.POSITIVE_INFINITY;
    this.anchor = { at, fileTime: Math.min(this.fileTimeAt(this.anchor, at), next) };
  }

  /** The next turn, on the event loop: never inside the command that resumed or sped up the replay. */
  private schedule(): void {
    if (this.stopped) return;
    this.clearTimer();
    this.timer = setTimeout(() => this.turn(), 0).unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private turn(): void {
    this.timer = undefined;
    const wait = this.playDue(this.monotonic());
    // Unref'd: a replay must not hold a host that is shutting down.
    if (wait !== undefined && !this.stopped && !this.isPaused) {
      this.timer = setTimeout(() => this.turn(), Math.min(wait, MAX_TIMER_MS)).unref();
    }
  }

  /** One step: the rows of the next time, of the session's symbols. */
  private playStep(): void {
    const { times, prices } = this.options.feed;
    const time = times[this.next] ?? 0;
    this.lastPlayedAt = time;
    const ts = this.options.now();
    const ticks: MarkTick[] = [];
    for (; this.next < times.length && times[this.next] === time; this.next++) {
      const asset = this.symbolAt(this.next);
      if (asset === undefined) continue;
      const price = prices[this.next] ?? 0;
      this.latest.set(asset, price);
      ticks.push({ asset, price, ts });
    }
    this.skipUntraded();
    this.steps++;
    this.options.onTicks(ticks);
  }

  /** Moves past rows of symbols the session does not trade, so every step played has ticks. */
  private skipUntraded(): void {
    const { times } = this.options.feed;
    while (this.next < times.length && this.symbolAt(this.next) === undefined) this.next++;
  }

  private symbolAt(row: number): string | undefined {
    const index = this.options.feed.symbolOf[row] ?? 0;
    return this.traded[index] ? this.options.feed.instruments[index]?.symbol : undefined;
  }
}
