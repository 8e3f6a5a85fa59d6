// Where a paper session's prices come from: the seeded synthetic walk, or a
// CSV file of recorded prices replayed at a chosen speed. Files live in the
// host's feeds folder; the window names one by its file name, never by path.
import { z } from 'zod';
import { EpochMs } from './domain.js';

/** A feed file's name in the feeds folder: no folders, no dot files, `.csv`. */
export const FeedName = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*\.csv$/i, {
    message: 'a feed is a .csv file name in the feeds folder: letters, digits, space, ".", "_" or "-"',
  });

/** How much faster than recorded a replay runs: 60 plays an hour of prices in a minute. */
export const MIN_REPLAY_SPEED = 1;
export const MAX_REPLAY_SPEED = 100_000;
/** A feed file is read whole when a session starts: these bound the time and memory that takes. */
export const MAX_FEED_BYTES = 64 * 1024 * 1024;
export const MAX_FEED_ROWS = 2_000_000;

export const ReplaySpeed = z.number().min(MIN_REPLAY_SPEED).max(MAX_REPLAY_SPEED);

export const MarketSource = z.discriminatedUnion('kind', [
  /** Prices from the seeded random walk (`seed`, `tickIntervalMs`). */
  z.strictObject({ kind: z.literal('synthetic') }),
  /** Prices from a feed file, row by row, paced by the rows' times divided by `speed`. */
  z.strictObject({
    kind: z.literal('replay'),
    feed: FeedName,
    speed: ReplaySpeed.default(1),
  }),
]);
export type MarketSource = z.output<typeof MarketSource>;

/** What a feed file holds, as read when it was listed or loaded. */
export const FeedContents = z.object({
  /** Paper symbols, in the order they first appear. */
  symbols: z.array(z.string()),
  rows: z.number().int().nonnegative(),
  /** The first and last row's time (epoch ms, UTC). */
  from: EpochMs,
  to: EpochMs,
  /** Prices off their symbol's tick, rounded to the nearest tick when read. */
  snappedPrices: z.number().int().nonnegative(),
});
export type FeedContents = z.infer<typeof FeedContents>;

/** One file in the feeds folder: what it holds, or why it cannot be replayed. */
export interface FeedListing {
  name: string;
  bytes: number;
  modifiedAt: number;
  contents?: FeedContents;
  /** Why the file cannot be replayed (line, column and value), when it cannot. */
  problem?: string;
}

/** The running replay's controls: pause it (prices hold, the session runs on), resume it, change its speed. */
export const ReplaySetRequest = z
  .strictObject({ paused: z.boolean().optional(), speed: ReplaySpeed.optional() })
  .refine((request) => request.paused !== undefined || request.speed !== undefined, {
    message: 'say paused, speed or both',
    path: ['paused'],
  });

/** Where a running replay stands. */
export interface ReplayState {
  feed: string;
  paused: boolean;
  speed: number;
  /** The recorded time (epoch ms, UTC) of the last row played: the prices shown are as of then. */
  position: number;
  /** Every row has played; prices hold at the last. */
  ended: boolean;
}

/** The market a session ran on, recorded with it. A synthetic session's is its `seed`. */
export const SessionMarket = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('synthetic') }),
  z.object({
    kind: z.literal('replay'),
    feed: z.string(),
    /** The file's SHA-256 when the session read it: the same name may hold other prices later. */
    sha256: z.string(),
    speed: z.number(),
    ...FeedContents.shape,
  }),
]);
export type SessionMarket = z.infer<typeof SessionMarket>;
