// Where a session's prices come from, in words: the session form's Market
// choices (the synthetic walk, or a feed file the host listed), the market
// a running or past session ran on, and where a running replay stands.
import {
  DEFAULT_SYMBOLS,
  type CommandResults,
  type FeedContents,
  type FeedListing,
  type ReplayState,
  type SessionInfo,
} from '../../../shared/index.js';
import { baseOf } from './format.js';

/** The Market choice of the seeded synthetic walk; every other choice is a feed file's name. */
export const SYNTHETIC = 'synthetic';

/** What `feed.list` answered: the folder the host reads feeds from, and the files in it. */
export type FeedShelf = CommandResults['feed.list'];

/** A problem is cut to this in the choice's text; its title holds all of it. */
const MAX_PROBLEM_CHARS = 90;

export interface MarketChoice {
  value: string;
  label: string;
  title: string;
  disabled: boolean;
}

/** A file the host read whole and found nothing wrong with. */
export const isReplayable = (feed: FeedListing): feed is FeedListing & { contents: FeedContents } =>
  feed.contents !== undefined && feed.problem === undefined;

/** Why a file cannot be replayed: the host says it with every file it could not read. */
export const problemOf = (feed: FeedListing): string => feed.problem ?? 'it could not be read';

export function feedOf(shelf: FeedShelf | null, name: string): FeedListing | undefined {
  return shelf?.feeds.find((feed) => feed.name === name);
}

/** "YYYY-MM-DD HH:MM" in UTC: a feed's rows are recorded in UTC, whatever the trader's clock says. */
function utc(ts: number): string {
  return new Date(ts).toISOString().slice(0, 16).replace('T', ' ');
}

/** "2024-03-01 00:00 → 2024-03-02 00:00 UTC"; a range within one day names the day once. */
export function utcRange(from: number, to: number): string {
  const [start, end] = [utc(from), utc(to)];
  const sameDay = start.slice(0, 10) === end.slice(0, 10);
  return `${start} → ${sameDay ? end.slice(11) : end} UTC`;
}

const cut = (text: string): string =>
  text.length > MAX_PROBLEM_CHARS ? `${text.slice(0, MAX_PROBLEM_CHARS)}…` : text;

/** "btc.csv — BTC ETH · 1,440 rows · 2024-03-01 00:00 → 23:59 UTC", or why it cannot be replayed. */
export function feedLabel(feed: FeedListing): string {
  if (!isReplayable(feed)) return `${feed.name} — cannot be replayed: ${cut(problemOf(feed))}`;
  const { symbols, rows, from, to } = feed.contents;
  return `${feed.name} — ${symbols.map(baseOf).join(' ')} · ${rows.toLocaleString('en-US')} rows · ${utcRange(from, to)}`;
}

/** The whole of it, for the tooltip: full symbols, size, and prices rounded to their tick when read. */
function feedTitle(feed: FeedListing): string {
  const size = `${feed.bytes.toLocaleString('en-US')} bytes`;
  if (!isReplayable(feed)) return `${feed.name} (${size}) cannot be replayed: ${problemOf(feed)}`;
  const { symbols, rows, from, to, snappedPrices } = feed.contents;
  const snapped = snappedPrices > 0 ? ` · ${snappedPrices} prices rounded to their tick` : '';
  return `${feed.name} (${size}): ${symbols.join(' ')} · ${rows} rows · ${utcRange(from, to)}${snapped}`;
}

/** The seeded synthetic walk: the Market select's first choice. */
export const SYNTHETIC_CHOICE: MarketChoice = {
  value: SYNTHETIC,
  label: 'Synthetic (seed)',
  title: 'prices from the seeded random walk: the same seed gives the same prices',
  disabled: false,
};

/**
 * The listed files as Market choices, those that cannot be replayed shown but not choosable. A chosen file the
 * last listing no longer has stays, not choosable, so the select never claims another.
 */
export function feedChoices(shelf: FeedShelf | null, chosen: string): MarketChoice[] {
  const choices = (shelf?.feeds ?? []).map((feed) => ({
    value: feed.name,
    label: feedLabel(feed),
    title: feedTitle(feed),
    disabled: !isReplayable(feed),
  }));
  if (chosen !== SYNTHETIC && !feedOf(shelf, chosen)) {
    choices.push({
      value: chosen,
      label: `${chosen} — not in the folder any more`,
      title: shelf ? `no feed ${chosen} in ${shelf.folder}` : `no feed ${chosen}`,
      disabled: true,
    });
  }
  return choices;
}

/** What heads the files in the Market list: where to put them, or why they could not be listed. */
export function folderWords(shelf: FeedShelf | null, error: string | null): string {
  if (error) return `the feeds folder could not be listed: ${error}`;
  return shelf ? `CSV files in ${shelf.folder}` : 'listing the feeds folder…';
}

/** The symbols field for a Market choice, as typed: a feed's own symbols, or the synthetic session's default ones. */
export function marketSymbols(choice: string, shelf: FeedShelf | null): string {
  const contents = choice === SYNTHETIC ? undefined : feedOf(shelf, choice)?.contents;
  return (contents?.symbols ?? DEFAULT_SYMBOLS).join(',');
}

/**
 * "replay of btc.csv ×60" for a replay session, at `speed` when given (the running replay's, which the trader may
 * have changed) else the one it started at; null for the synthetic walk (its seed says where prices came from).
 */
export function replayLabel(info: SessionInfo, speed?: number): string | null {
  const market = info.market;
  return market?.kind === 'replay' ? `replay of ${market.feed} ×${speed ?? market.speed}` : null;
}

/** Where a session's prices came from, in a few words: "seed 7" or "replay of btc.csv ×60". */
export function marketWords(info: SessionInfo, speed?: number): string {
  return replayLabel(info, speed) ?? `seed ${info.seed}`;
}

/** Speeds a trader reaches for: as recorded, and 10 s, a minute, 10 minutes or an hour of prices a second. */
export const REPLAY_SPEEDS: readonly number[] = [1, 10, 60, 600, 3600];

/** A running replay's speed choices: the usual ones, and its own when it is none of them (typed at its start). */
export function speedChoices(current: number): number[] {
  return REPLAY_SPEEDS.includes(current)
    ? [...REPLAY_SPEEDS]
    : [...REPLAY_SPEEDS, current].sort((a, b) => a - b);
}

/**
 * Where a running replay stands: the recorded UTC minute of the last row played ("2024-03-01 00:14 UTC"), or
 * "ended"; the title has the exact time, and says whether prices hold there.
 */
export function replayPosition(replay: ReplayState): { text: string; title: string } {
  const at = new Date(replay.position).toISOString();
  if (replay.ended) {
    return {
      text: 'ended',
      title: `the replay of ${replay.feed} ended at its last row, ${at}: prices hold there`,
    };
  }
  const state = replay.paused ? 'paused: prices hold' : 'prices';
  return { text: `${utc(replay.position)} UTC`, title: `${state} as recorded at ${at} in ${replay.feed}` };
}
