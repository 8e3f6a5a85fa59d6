import { describe, expect, it } from 'vitest';
import type { FeedListing, ReplayState, SessionInfo } from '../../../shared/index.js';
import {
  feedChoices,
  feedLabel,
  folderWords,
  marketSymbols,
  marketWords,
  REPLAY_SPEEDS,
  replayLabel,
  replayPosition,
  speedChoices,
  SYNTHETIC,
  SYNTHETIC_CHOICE,
  utcRange,
  type FeedShelf,
} from './market.js';

const btc: FeedListing = {
  name: 'btc-eth.csv',
  bytes: 123_456,
  modifiedAt: Date.UTC(2024, 2, 3),
  contents: {
    symbols: ['BTC/USDT', 'ETH/USDT'],
    rows: 2880,
    from: Date.UTC(2024, 2, 1),
    to: Date.UTC(2024, 2, 2, 23, 59, 30),
    snappedPrices: 4,
  },
};
const broken: FeedListing = {
  name: 'broken.csv',
  bytes: 10,
  modifiedAt: Date.UTC(2024, 2, 3),
  problem: `line 3, column price: ${'"abc" is not a number '.repeat(6)}`,
};
const shelf: FeedShelf = { folder: '/data/feeds', feeds: [btc, broken] };

const info = (over: Partial<SessionInfo> = {}): SessionInfo => ({
  sessionId: 'S20261122-2030-08f364',
  startedAt: Date.UTC(2026, 10, 22, 20, 30),
  venue: 'paper',
  symbols: ['BTC/USDT'],
  seed: 7,
  seedCapital: 10_000,
  maxSlots: 4,
  ...over,
});

describe('feed files in words', () => {
  it('says a date range in UTC, the day once when it is one day', () => {
    expect(utcRange(Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 2, 23, 59))).toBe(
      '2024-03-01 00:00 → 2024-03-02 23:59 UTC',
    );
    expect(utcRange(Date.UTC(2024, 2, 1, 9, 30), Date.UTC(2024, 2, 1, 17, 5))).toBe(
      '2024-03-01 09:30 → 17:05 UTC',
    );
  });

  it('lists a file by name, its symbols, rows and date range', () => {
    expect(feedLabel(btc)).toBe(
      'btc-eth.csv — BTC ETH · 2,880 rows · 2024-03-01 00:00 → 2024-03-02 23:59 UTC',
    );
  });

  it('says why a file cannot be replayed, cut short in the list', () => {
    const label = feedLabel(broken);
    expect(
      label.startsWith('broken.csv — cannot be replayed: line 3, column price: "abc" is not a number'),
    ).toBe(true);
    expect(label.endsWith('…')).toBe(true);
  });
});

describe('market choices', () => {
  it('lists every file; one that cannot be replayed is shown, not choosable', () => {
    const choices = feedChoices(shelf, SYNTHETIC);
    expect(choices.map(({ value, disabled }) => [value, disabled])).toEqual([
      ['btc-eth.csv', false],
      ['broken.csv', true],
    ]);
    expect(SYNTHETIC_CHOICE).toMatchObject({ value: SYNTHETIC, label: 'Synthetic (seed)', disabled: false });
    // The whole problem is in the title; the symbols in full and the rounded prices too.
    expect(choices[1]?.title).toBe(`broken.csv (10 bytes) cannot be replayed: ${broken.problem}`);
    expect(choices[0]?.title).toBe(
      'btc-eth.csv (123,456 bytes): BTC/USDT ETH/USDT · 2880 rows · 2024-03-01 00:00 → 2024-03-02 23:59 UTC · 4 prices rounded to their tick',
    );
  });

  it('offers no file before the host listed any', () => {
    expect(feedChoices(null, SYNTHETIC)).toEqual([]);
  });

  it('keeps a chosen file the folder no longer has, not choosable, so the select shows what is chosen', () => {
    expect(feedChoices({ folder: '/data/feeds', feeds: [] }, 'btc-eth.csv')).toEqual([
      {
        value: 'btc-eth.csv',
        label: 'btc-eth.csv — not in the folder any more',
        title: 'no feed btc-eth.csv in /data/feeds',
        disabled: true,
      },
    ]);
  });

  it('heads the files with the folder to put them in, or why it could not be listed', () => {
    expect(folderWords(shelf, null)).toBe('CSV files in /data/feeds');
    expect(folderWords(null, null)).toBe('listing the feeds folder…');
    expect(folderWords(shelf, 'EACCES')).toBe('the feeds folder could not be listed: EACCES');
  });

  it("fills the symbols field with a feed's own symbols, and the default ones for the synthetic walk", () => {
    expect(marketSymbols('btc-eth.csv', shelf)).toBe('BTC/USDT,ETH/USDT');
    expect(marketSymbols(SYNTHETIC, shelf)).toBe('BTC/USDT,ETH/USDT,SOL/USDT');
  });
});

describe("a session's market in words", () => {
  const replay = info({
    seed: 0,
    market: {
      kind: 'replay',
      feed: 'btc-eth.csv',
      sha256: 'ab'.repeat(32),
      speed: 60,
      symbols: ['BTC/USDT'],
      rows: 2880,
      from: 0,
      to: 1,
      snappedPrices: 0,
    },
  });

  it('says what a replay replayed and how fast, instead of its meaningless seed', () => {
    expect(replayLabel(replay)).toBe('replay of btc-eth.csv ×60');
    expect(marketWords(replay)).toBe('replay of btc-eth.csv ×60');
  });

  it('says the speed the replay runs at now, when the trader changed it', () => {
    expect(replayLabel(replay, 600)).toBe('replay of btc-eth.csv ×600');
    expect(marketWords(replay, 1)).toBe('replay of btc-eth.csv ×1');
    expect(marketWords(info(), 600)).toBe('seed 7');
  });

  it('keeps the seed of a synthetic session, and of one journaled before markets were recorded', () => {
    expect(replayLabel(info({ market: { kind: 'synthetic' } }))).toBeNull();
    expect(marketWords(info({ market: { kind: 'synthetic' } }))).toBe('seed 7');
    expect(marketWords(info())).toBe('seed 7');
  });
});

describe('a running replay', () => {
  const state = (over: Partial<ReplayState> = {}): ReplayState => ({
    feed: 'march.csv',
    paused: false,
    speed: 60,
    position: Date.UTC(2024, 2, 1, 0, 14, 30, 250),
    ended: false,
    ...over,
  });

  it('offers the usual speeds, and one typed at the start among them in order', () => {
    expect(REPLAY_SPEEDS).toEqual([1, 10, 60, 600, 3600]);
    expect(speedChoices(60)).toEqual([1, 10, 60, 600, 3600]);
    expect(speedChoices(120)).toEqual([1, 10, 60, 120, 600, 3600]);
    expect(speedChoices(2.5)).toEqual([1, 2.5, 10, 60, 600, 3600]);
    expect(speedChoices(100_000)).toEqual([1, 10, 60, 600, 3600, 100_000]);
  });

  it('says where it stands as the recorded UTC minute, the exact time in the title', () => {
    expect(replayPosition(state())).toEqual({
      text: '2024-03-01 00:14 UTC',
      title: 'prices as recorded at 2024-03-01T00:14:30.250Z in march.csv',
    });
  });

  it('says prices hold while paused, and that it ended once every row played', () => {
    expect(replayPosition(state({ paused: true })).title).toBe(
      'paused: prices hold as recorded at 2024-03-01T00:14:30.250Z in march.csv',
    );
    expect(replayPosition(state({ ended: true, position: Date.UTC(2024, 2, 1, 0, 19) }))).toEqual({
      text: 'ended',
      title: 'the replay of march.csv ended at its last row, 2024-03-01T00:19:00.000Z: prices hold there',
    });
  });
});
