// A paper session on recorded prices: the feeds folder, session.start with a
// replay, the venue filling at the file's prices, and the end of the file,
// through the same `invoke` the windows use.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CockpitEvent, CommandResults, JournalEvent, Snapshot } from '../../shared/index.js';
import { createCockpit, type CockpitHost } from './index.js';

let dataDir: string;
let feedsDir: string;
let cockpit: CockpitHost;
let received: CockpitEvent[];

type Err = { ok: false; error: { code: string; message: string; field?: string } };

async function call<N extends keyof CommandResults>(name: N, request: object = {}) {
  const response = (await cockpit.invoke(name, request)) as ({ ok: true } & CommandResults[N]) | Err;
  if (!response.ok) throw new Error(`${name} failed: ${JSON.stringify(response.error)}`);
  return response;
}
const refuse = async (name: string, request: unknown) => (await cockpit.invoke(name, request)) as Err;

/** BTC and ETH once a minute for five minutes; BTC climbs 10 a minute, ETH stays. */
const MINUTES = [
  'ts,symbol,price',
  ...[0, 1, 2, 3, 4].flatMap((minute) => [
    `2024-03-01T00:0${minute}:00Z,BTC/USDT,${61_000 + 10 * minute}`,
    `2024-03-01T00:0${minute}:00Z,ETH/USDT,3400`,
  ]),
].join('\n');

function writeFeed(name: string, text: string): void {
  writeFileSync(join(feedsDir, name), text);
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cockpit-replay-test-'));
  feedsDir = join(dataDir, 'feeds');
  mkdirSync(feedsDir);
  cockpit = createCockpit({ dataDir, profile: 'test' });
  received = [];
  cockpit.subscribe((batch) => received.push(...batch));
});

afterEach(async () => {
  await cockpit.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the feeds folder', () => {
  it('lists its CSV files with what each holds, or why it cannot be replayed', async () => {
    writeFeed('minutes.csv', MINUTES);
    writeFeed('broken.csv', 'ts,symbol,price\n2024-03-01,BTC/USDT,abc\n');
    writeFeed('notes.txt', 'not a feed');
    writeFeed('.hidden.csv', MINUTES);
    const { folder, feeds } = await call('feed.list');
    expect(folder).toBe(feedsDir);
    expect(feeds.map((feed) => feed.name)).toEqual(['broken.csv', 'minutes.csv']);
    expect(feeds[0]).toMatchObject({
      problem:
        'line 2, column price: "abc" is not a price of BTC/USDT (a number above 0, at most 1000000000000)',
    });
    expect(feeds[0]?.contents).toBeUndefined();
    expect(feeds[1]).toMatchObject({
      bytes: MINUTES.length,
      contents: {
        symbols: ['BTC/USDT', 'ETH/USDT'],
        rows: 10,
        from: Date.UTC(2024, 2, 1),
        to: Date.UTC(2024, 2, 1, 0, 4),
        snappedPrices: 0,
      },
    });
    // A file changed since it was listed is read again.
    writeFeed('broken.csv', 'ts,symbol,price\n2024-03-01,BTC/USDT,5\n');
    expect((await call('feed.list')).feeds[0]).toMatchObject({ contents: { rows: 1 } });
  });

  it('lists what the window cannot name, or must not read, with why', async () => {
    writeFeed('BTCUSDT-1m-2024-03-01 (1).csv', MINUTES);
    writeFeed('minutes.csv', MINUTES);
    symlinkSync(join(dataDir, 'test.sqlite'), join(feedsDir, 'journal.csv'));
    mkdirSync(join(feedsDir, 'folder.csv'));
    const { feeds } = await call('feed.list');
    expect(feeds.map((feed) => [feed.name, feed.problem ?? 'ok'])).toEqual([
      [
        'BTCUSDT-1m-2024-03-01 (1).csv',
        'rename it: a feed name is letters, digits, space, ".", "_" or "-", at most 100 characters, ending .csv',
      ],
      ['folder.csv', 'not a file'],
      ['journal.csv', 'a link: the host reads only files in the feeds folder, so copy the file here'],
      ['minutes.csv', 'ok'],
    ]);
    const { error } = await refuse('session.start', { market: { kind: 'replay', feed: 'journal.csv' } });
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', field: 'market.feed' });
    expect(error.message).toContain('journal.csv cannot be replayed: a link');
  });

  it('is listed only while no session runs: reading a file would hold one up', async () => {
    writeFeed('minutes.csv', MINUTES);
    await call('session.start', { market: { kind: 'replay', feed: 'minutes.csv' } });
    expect((await refuse('feed.list', {})).error).toMatchObject({ code: 'SESSION_ACTIVE' });
    await call('session.stop');
    expect((await call('feed.list')).feeds).toHaveLength(1);
  });

  it('is made when missing, so the trader can find it', async () => {
    rmSync(feedsDir, { recursive: true });
    expect(await call('feed.list')).toMatchObject({ folder: feedsDir, feeds: [] });
  });

  it('says so when it cannot be made', async () => {
    rmSync(feedsDir, { recursive: true });
    writeFileSync(feedsDir, 'a file where the folder should be');
    expect((await refuse('feed.list', {})).error).toEqual({
      code: 'NOT_FOUND',
      message: `the feeds folder ${feedsDir} cannot be made or read (EEXIST)`,
    });
  });
});

describe('a replay session', () => {
  it('plays the file to its end, records what it replayed, and says when the prices stop', async () => {
    writeFeed('minutes.csv', MINUTES);
    const { sessionId, symbols } = await call('session.start', {
      market: { kind: 'replay', feed: 'minutes.csv', speed: 100_000 },
    });
    expect(symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    await vi.waitFor(() =>
      expect(received.some((e) => e.type === 'notice' && e.code === 'REPLAY_ENDED')).toBe(true),
    );
    const btc = received
      .flatMap((e) => (e.type === 'marks' ? e.ticks : []))
      .filter((t) => t.asset === 'BTC/USDT');
    expect(btc.map((tick) => tick.price)).toEqual([61_000, 61_010, 61_020, 61_030, 61_040]);
    expect((await call('snapshot')).marks).toEqual({ 'BTC/USDT': 61_040, 'ETH/USDT': 3400 });

    const { events } = await call('journal.page', { limit: 1000 });
    const ended = events.filter((e: JournalEvent) => e.type === 'MarketReplayEnded');
    expect(ended).toHaveLength(1);
    expect(ended[0]?.payload).toEqual({
      feed: 'minutes.csv',
      steps: 5,
      lastRowAt: Date.UTC(2024, 2, 1, 0, 4),
    });
    const [listed] = (await call('session.list')).sessions;
    expect(listed).toMatchObject({
      sessionId,
      seed: 0,
      market: {
        kind: 'replay',
        feed: 'minutes.csv',
        sha256: createHash('sha256').update(MINUTES).digest('hex'),
        speed: 100_000,
        rows: 10,
      },
    });
  });

  it("fills at the file's prices, and trades only the symbols asked for", async () => {
    writeFeed('minutes.csv', MINUTES);
    await call('session.start', {
      market: { kind: 'replay', feed: 'minutes.csv' },
      symbols: ['BTC/USDT'],
      latencyMs: 5,
    });
    expect((await call('snapshot')).marks).toEqual({ 'BTC/USDT': 61_000 });
    await call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
    await vi.waitFor(async () => expect((await call('snapshot')).slots[0]).toMatchObject({ state: 'OPEN' }), {
      timeout: 5_000,
    });
    const slot = (await call('snapshot')).slots[0] as Snapshot['slots'][number];
    // The paper venue's 1 bp of slippage on the file's first price, at 1× (the next row is a minute away).
    expect(slot.entryPrice).toBeCloseTo(61_006.1, 6);
    expect(
      (await refuse('intent.submit', { asset: 'ETH/USDT', side: 'LONG', targetSize: 0.1 })).error,
    ).toMatchObject({
      code: 'UNKNOWN_ASSET',
      field: 'asset',
    });
  });

  it('refuses what a replay cannot run, naming the field, and starts nothing', async () => {
    writeFeed('minutes.csv', MINUTES);
    writeFeed('broken.csv', 'ts,symbol,price\n2024-03-01,BTC/USDT,1\n2024-03-01,BTC/USDT,2\n');
    const replay = (extra: object = {}) => ({ market: { kind: 'replay', feed: 'minutes.csv', ...extra } });
    const cases: [object, string, string, RegExp][] = [
      [replay({ feed: 'absent.csv' }), 'NOT_FOUND', 'market.feed', /no feed "absent.csv" in /],
      [
        replay({ feed: 'broken.csv' }),
        'INVALID_REQUEST',
        'market.feed',
        /broken.csv cannot be replayed: line 3: BTC\/USDT at/,
      ],
      [replay({ feed: '../test.sqlite' }), 'INVALID_REQUEST', 'market.feed', /\.csv file name/],
      [replay({ feed: 'minutes.txt' }), 'INVALID_REQUEST', 'market.feed', /\.csv file name/],
      [replay({ speed: 0 }), 'INVALID_REQUEST', 'market.speed', /./],
      [replay({ speed: Number.NaN }), 'INVALID_REQUEST', 'market.speed', /./],
      [{ ...replay(), seed: 5 }, 'INVALID_REQUEST', 'seed', /leave seed out/],
      [{ ...replay(), tickIntervalMs: 100 }, 'INVALID_REQUEST', 'tickIntervalMs', /leave tickIntervalMs out/],
      [
        { ...replay(), symbols: ['BTC/USDT', 'SOL/USDT'] },
        'UNKNOWN_ASSET',
        'symbols.1',
        /minutes.csv has no prices of SOL\/USDT/,
      ],
      [{ market: { kind: 'csv' } }, 'INVALID_REQUEST', 'market.kind', /./],
      [{ market: { kind: 'synthetic', feed: 'minutes.csv' } }, 'INVALID_REQUEST', 'market.feed', /./],
      // A strategy's notional must buy a lot at the file's price (0.001 BTC ≈ 61 USDT), not the walk's.
      [
        { ...replay(), strategy: { name: 'breakout', notional: 60 } },
        'INVALID_REQUEST',
        'strategy.notional',
        /at about 61000 = 61 USDT/,
      ],
    ];
    for (const [request, code, field, message] of cases) {
      const { error } = await refuse('session.start', request);
      expect({ request, code: error.code, field: error.field }).toEqual({ request, code, field });
      expect(error.message).toMatch(message);
    }
    expect((await call('session.list')).sessions).toEqual([]);
    expect((await call('snapshot')).session).toBeNull();
  });

  it('is paused, resumed and sped up by the operator, each change journaled before it is told', async () => {
    writeFeed('minutes.csv', MINUTES);
    // At ×1 the second row is a minute away: nothing moves on its own during the test.
    await call('session.start', { market: { kind: 'replay', feed: 'minutes.csv' } });
    expect((await call('snapshot')).replay).toEqual({
      feed: 'minutes.csv',
      paused: false,
      speed: 1,
      position: Date.UTC(2024, 2, 1),
      ended: false,
    });
    const paused = await call('replay.set', { paused: true });
    expect(paused).toMatchObject({ changed: true, replay: { paused: true, speed: 1 } });
    expect(await call('replay.set', { paused: true })).toMatchObject({ changed: false });
    // Paused at ×100 000 the rest of the file is due at once, and none of it plays.
    await call('replay.set', { speed: 100_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await call('snapshot')).marks['BTC/USDT']).toBe(61_000);
    await call('replay.set', { paused: false });
    await vi.waitFor(async () => expect((await call('snapshot')).replay).toMatchObject({ ended: true }));
    expect((await call('snapshot')).marks['BTC/USDT']).toBe(61_040);

    const { events } = await call('journal.page', { limit: 1000 });
    expect(events.filter((e) => e.type === 'MarketReplaySet').map((e) => e.payload)).toEqual([
      { feed: 'minutes.csv', paused: true, speed: 1, position: Date.UTC(2024, 2, 1) },
      { feed: 'minutes.csv', paused: true, speed: 100_000, previousSpeed: 1, position: Date.UTC(2024, 2, 1) },
      { feed: 'minutes.csv', paused: false, speed: 100_000, position: Date.UTC(2024, 2, 1) },
    ]);
    // Each fact reached the window before the notice that tells it.
    const told = received.flatMap((e) =>
      e.type === 'notice' && e.code.startsWith('REPLAY_')
        ? [e.code]
        : e.type === 'journal' && e.event.type.startsWith('MarketReplay')
          ? [e.event.type]
          : [],
    );
    expect(told).toEqual([
      'MarketReplaySet',
      'REPLAY_PAUSED',
      'MarketReplaySet',
      'REPLAY_SPEED',
      'MarketReplaySet',
      'REPLAY_RESUMED',
      'MarketReplayEnded',
      'REPLAY_ENDED',
    ]);
    // Once the file has run out there is nothing left to pause.
    expect((await refuse('replay.set', { paused: true })).error).toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'paused',
      message: 'paused: the replay of minutes.csv has ended; prices hold at its last row',
    });
  });

  it("says so when the market moved past a waiting entry's stop-loss before the grant", async () => {
    writeFeed('minutes.csv', MINUTES);
    // At ×1 BTC holds at 61 000 for a minute: a short's stop-loss at 61 005 is on the right side when proposed.
    await call('session.start', {
      market: { kind: 'replay', feed: 'minutes.csv' },
      risk: { supervised: true },
    });
    const held = await call('intent.submit', {
      asset: 'BTC/USDT',
      side: 'SHORT',
      targetSize: 0.01,
      stopLoss: 61_005,
      signalProvider: 'test-strategy',
    });
    expect(held.pendingUntil).toBeDefined();
    await call('replay.set', { speed: 100_000 });
    await vi.waitFor(async () => expect((await call('snapshot')).replay).toMatchObject({ ended: true }));
    const refused = await refuse('intent.grant', { intentId: held.intentId });
    expect(refused.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'stopLoss' });
    expect(refused.error.message).toMatch(/^the market moved to 61040 while it waited, past its stop-loss: /);
    const { events } = await call('journal.page', { limit: 1000 });
    expect(events.filter((e) => e.correlationId === held.correlationId).map((e) => e.type)).toEqual([
      'TradingSignalIntentCreated',
      'TradingSignalIntentRejected',
    ]);
    expect((await call('snapshot')).pendingIntents).toEqual([]);
  });

  it('refuses replay controls that name nothing, a bad speed, or a session with no replay', async () => {
    expect((await refuse('replay.set', { paused: true })).error).toMatchObject({ code: 'NO_SESSION' });
    await call('session.start', { seed: 3 });
    const cases: [unknown, string, string | undefined, RegExp][] = [
      [{}, 'INVALID_REQUEST', 'paused', /say paused, speed or both/],
      [{ speed: 0 }, 'INVALID_REQUEST', 'speed', /./],
      [{ speed: 1e6 }, 'INVALID_REQUEST', 'speed', /./],
      [{ paused: 'yes' }, 'INVALID_REQUEST', 'paused', /./],
      [{ paused: true, seek: 5 }, 'INVALID_REQUEST', 'seek', /./],
      [{ paused: true }, 'INVALID_REQUEST', 'paused', /runs on synthetic prices, not a replay/],
    ];
    for (const [request, code, field, message] of cases) {
      const { error } = await refuse('replay.set', request);
      expect({ request, code: error.code, field: error.field }).toEqual({ request, code, field });
      expect(error.message).toMatch(message);
    }
    const { events } = await call('journal.page', { limit: 1000 });
    expect(events.filter((e) => e.type === 'MarketReplaySet')).toEqual([]);
    expect((await call('snapshot')).replay).toBeNull();
  });

  it('leaves synthetic sessions as they were, their market recorded', async () => {
    await call('session.start', { seed: 3 });
    expect((await call('session.list')).sessions[0]).toMatchObject({
      seed: 3,
      market: { kind: 'synthetic' },
    });
  });
});
