// A session on an exchange's testnet through the ccxt venue, driven through
// the same `invoke` the windows use, against a test double of the exchange
// (no network here). The double answers with ccxt's structures and errors.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError, ExchangeNotAvailable, InsufficientFunds } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CockpitEvent, CommandResults, JournalEvent } from '../../shared/index.js';
import { createCockpit, type CockpitHost } from './index.js';
import { DOUBLE_CREDENTIALS, TESTNET_SECRET, TestnetDouble } from './testing/testnet-double.js';
import type { ExchangeFactory } from './venue/exchange/open-exchange.js';

let dataDir: string;
let cockpit: CockpitHost;
let received: CockpitEvent[];
let exchange: TestnetDouble;
let opened: { id: string; apiKey: string; secret: string }[];
const logged: string[] = [];

const ENV = {
  ...DOUBLE_CREDENTIALS,
  COCKPIT_NOTESTNET_API_KEY: 'k',
  COCKPIT_NOTESTNET_SECRET: 's',
  COCKPIT_HALFSET_API_KEY: 'only a key',
  PATH: '/usr/bin',
};

type Err = { ok: false; error: { code: string; message: string; field?: string } };

async function call<N extends keyof CommandResults>(name: N, request: object = {}) {
  const response = (await cockpit.invoke(name, request)) as ({ ok: true } & CommandResults[N]) | Err;
  if (!response.ok) throw new Error(`${name} failed: ${JSON.stringify(response.error)}`);
  return response;
}
const refuse = async (name: string, request: unknown) => (await cockpit.invoke(name, request)) as Err;
const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 5_000 });

async function events(sessionId: string): Promise<JournalEvent[]> {
  return (await call('journal.page', { sessionId, limit: 1000 })).events;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cockpit-exchange-test-'));
  exchange = new TestnetDouble();
  opened = [];
  const open: ExchangeFactory = (id, credentials) => {
    opened.push({ id, ...credentials });
    if (id === 'notestnet') throw new Error('notestnet does not have a sandbox URL');
    return exchange;
  };
  cockpit = createCockpit({
    dataDir,
    profile: 'test',
    exchanges: { env: ENV, open, pollIntervalMs: 5 },
    log: (_level, message) => logged.push(message),
  });
  received = [];
  cockpit.subscribe((batch) => received.push(...batch));
});

afterEach(async () => {
  await cockpit.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('lists the exchanges the environment holds both credentials for, with what stops a session there', async () => {
  const listed = await call('exchange.list');
  expect(listed.exchanges).toEqual([
    { id: 'notestnet', name: 'notestnet', problem: 'notestnet does not have a sandbox URL' },
    { id: 'testnetdouble', name: 'Testnet Double' },
  ]);
  expect(listed.variables).toEqual({
    apiKey: 'COCKPIT_<ID>_API_KEY',
    secret: 'COCKPIT_<ID>_SECRET',
    password: 'COCKPIT_<ID>_PASSWORD',
  });
  expect(JSON.stringify(listed)).not.toContain(TESTNET_SECRET);
});

describe('a session on the testnet', () => {
  it('trades through the exchange: entry, fill at its price, exit, flat; the credentials are nowhere the window or the journal can see', async () => {
    const started = await call('session.start', {
      venue: 'ccxt',
      exchange: 'testnetdouble',
      symbols: ['BTC/USDT', 'ETH/USDT'],
    });
    expect(opened).toEqual([{ id: 'testnetdouble', apiKey: 'double-key', secret: TESTNET_SECRET }]);
    const { session } = await call('snapshot');
    expect(session).toMatchObject({
      venue: 'ccxt',
      exchange: { id: 'testnetdouble', name: 'Testnet Double', testnet: true },
      seedCapital: 5_000,
      symbols: ['BTC/USDT', 'ETH/USDT'],
    });
    await until(() => received.some((e) => e.type === 'snapshot' && e.snapshot.marks['BTC/USDT'] === 64_000));
    const entry = await call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
    await until(() =>
      received.some((e) => e.type === 'snapshot' && e.snapshot.slots.some((s) => s.size === 0.01)),
    );
    const filled = (await events(started.sessionId)).find((e) => e.type === 'OrderFilled');
    expect(filled?.payload).toMatchObject({
      price: 64_000,
      venueEventId: expect.stringMatching(/-trade-BTCUSDTUSDT-t1$/),
      liquidity: 'TAKER',
    });
    exchange.setPrice('BTC/USDT:USDT', 64_500);
    await until(() => received.some((e) => e.type === 'snapshot' && e.snapshot.marks['BTC/USDT'] === 64_500));
    await call('trade.exit', { tradeId: entry.tradeId as string });
    await until(() =>
      received.some((e) => e.type === 'snapshot' && e.snapshot.trades.some((t) => t.state === 'CLOSED')),
    );
    const closed = await call('snapshot');
    expect(closed.slots.every((slot) => slot.size === 0)).toBe(true);
    expect(exchange.calls.filter((c) => c.method === 'createOrder').map((c) => c.args.slice(0, 4))).toEqual([
      ['BTC/USDT:USDT', 'market', 'buy', 0.01],
      ['BTC/USDT:USDT', 'market', 'sell', 0.01],
    ]);
    const types = (await events(started.sessionId)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['OrderRequested', 'OrderPlaced', 'OrderFilled', 'TradeClosed']),
    );
    await call('session.stop');
    const listed = (await call('session.list')).sessions.find((s) => s.sessionId === started.sessionId);
    expect(listed?.exchange).toEqual({ id: 'testnetdouble', name: 'Testnet Double', testnet: true });
    // The journal runs in WAL mode: this session's rows may still be in the -wal file.
    const journalText = ['test.sqlite', 'test.sqlite-wal']
      .map((name) => readFileSync(join(dataDir, name)).toString('latin1'))
      .join('');
    expect(journalText).toContain('OrderFilled');
    for (const seen of [journalText, JSON.stringify(received), logged.join('\n')]) {
      expect(seen).not.toContain(TESTNET_SECRET);
      expect(seen).not.toContain('double-key');
    }
  });

  it('ends an order the exchange refuses in long words: the kernel takes them cut, the journal keeps them whole', async () => {
    const started = await call('session.start', {
      venue: 'ccxt',
      exchange: 'testnetdouble',
      symbols: ['BTC/USDT'],
    });
    const words = `Margin is insufficient for this order: ${'the account lacks the initial margin; '.repeat(4)}`;
    exchange.failNext('createOrder', new InsufficientFunds(`testnetdouble {"code":-2019,"msg":"${words}"}`));
    const entry = await call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
    await until(() => received.some((e) => e.type === 'journal' && e.event.type === 'TradeCanceled'));
    const journal = await events(started.sessionId);
    const report = journal.find((e) => e.type === 'VenueReport' && e.payload.kind === 'REJECTED');
    const rejected = journal.find((e) => e.type === 'OrderRejected');
    expect(String(report?.payload.reason).length).toBeGreaterThan(128);
    expect(String(rejected?.payload.reason)).toHaveLength(128);
    expect(String(report?.payload.reason).startsWith(String(rejected?.payload.reason).slice(0, 127))).toBe(
      true,
    );
    expect((await call('snapshot')).slots.every((slot) => slot.free)).toBe(true);
    expect(entry.tradeId).toBe(rejected?.payload.tradeId);
  });

  it("checks an entry against the exchange's own lot and tick, not the paper venue's, before anything is journaled", async () => {
    // The exchange trades SOL in whole coins and BTC to a dollar; the paper grids are 0.01 SOL and 0.1 USDT.
    exchange.markets['SOL/USDT:USDT']!.precision = { price: 0.01, amount: 1 };
    exchange.markets['BTC/USDT:USDT']!.precision = { price: 1, amount: 0.001 };
    const started = await call('session.start', {
      venue: 'ccxt',
      exchange: 'testnetdouble',
      symbols: ['BTC/USDT', 'SOL/USDT'],
    });
    const before = (await events(started.sessionId)).length;
    const lot = await refuse('intent.submit', { asset: 'SOL/USDT', side: 'LONG', targetSize: 1.5 });
    expect(lot.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'targetSize' });
    expect(lot.error.message).toContain("SOL/USDT's lot step 1 (got 1.5)");
    const tick = await refuse('intent.submit', {
      asset: 'BTC/USDT',
      side: 'LONG',
      targetSize: 0.01,
      orderType: 'LIMIT',
      limitPrice: 60_000.5,
    });
    expect(tick.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'limitPrice' });
    expect((await events(started.sessionId)).length).toBe(before);
    expect(exchange.calledTimes('createOrder')).toBe(0);
    await call('intent.submit', { asset: 'SOL/USDT', side: 'LONG', targetSize: 2 });
    await until(() => exchange.calledTimes('createOrder') === 1);
  });

  it("counts the exchange's funding in the kernel's own ledger, so it agrees with the wallet", async () => {
    const started = await call('session.start', {
      venue: 'ccxt',
      exchange: 'testnetdouble',
      symbols: ['BTC/USDT'],
    });
    await call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
    await until(() =>
      received.some((e) => e.type === 'snapshot' && e.snapshot.slots.some((s) => s.size === 0.01)),
    );
    exchange.payFunding(0.0001);
    await until(() => received.some((e) => e.type === 'journal' && e.event.type === 'FundingFeeSettled'));
    await until(() =>
      received.some((e) => e.type === 'snapshot' && e.snapshot.account?.walletBalance === exchange.wallet),
    );
    const { account } = await call('snapshot');
    expect(account).toMatchObject({ fundingNet: -0.064, reconcileStatus: 'OK' });
    const paid = (await events(started.sessionId)).find((e) => e.type === 'FundingFeeSettled');
    expect(paid?.payload).toMatchObject({ kind: 'FUNDING_FEE', amount: -0.064, asset: 'BTC/USDT' });
  });

  it('refuses what a ccxt session cannot do, naming the field, and starts nothing', async () => {
    const cases: [object, string, string, RegExp][] = [
      [{ venue: 'ccxt' }, 'INVALID_REQUEST', 'exchange', /names its exchange/],
      [{ venue: 'ccxt', exchange: 'testnetdouble', seed: 7 }, 'INVALID_REQUEST', 'seed', /leave seed out/],
      [
        { venue: 'ccxt', exchange: 'testnetdouble', market: { kind: 'synthetic' } },
        'INVALID_REQUEST',
        'market',
        /market/,
      ],
      [
        { venue: 'ccxt', exchange: 'halfset' },
        'VENUE_REJECTED',
        'exchange',
        /COCKPIT_HALFSET_API_KEY and COCKPIT_HALFSET_SECRET/,
      ],
      [{ venue: 'ccxt', exchange: 'notestnet' }, 'VENUE_REJECTED', 'exchange', /sandbox URL/],
      [{ venue: 'ccxt', exchange: 'Bad-Id' }, 'INVALID_REQUEST', 'exchange', /ccxt exchange id/],
      [
        { venue: 'ccxt', exchange: 'testnetdouble', symbols: ['BTC/USDT', 'XRP/USDT'] },
        'UNKNOWN_ASSET',
        'symbols.1',
        /lists no linear perpetual XRP\/USDT:USDT/,
      ],
      [
        { venue: 'ccxt', exchange: 'testnetdouble', symbols: ['ABC/USDT'] },
        'UNKNOWN_ASSET',
        'symbols.0',
        /not one the cockpit quotes/,
      ],
      [{ venue: 'paper', exchange: 'testnetdouble' }, 'INVALID_REQUEST', 'exchange', /venue: 'ccxt'/],
      [
        { venue: 'ccxt', exchange: 'testnetdouble', strategy: { name: 'breakout', notional: 1 } },
        'INVALID_REQUEST',
        'strategy.notional',
        /less than one lot/,
      ],
    ];
    for (const [request, code, field, message] of cases) {
      const refused = await refuse('session.start', request);
      expect(refused.ok, JSON.stringify(request)).toBe(false);
      expect(refused.error, JSON.stringify(request)).toMatchObject({ code, field });
      expect(refused.error.message, JSON.stringify(request)).toMatch(message);
    }
    expect((await call('session.list')).sessions).toEqual([]);
    expect(exchange.calledTimes('createOrder')).toBe(0);
  });

  it('refuses an account that is not flat, an unreachable exchange and bad keys, saying which', async () => {
    exchange.placeOutside('BTC/USDT:USDT', 'buy', 0.002);
    const held = await refuse('session.start', { venue: 'ccxt', exchange: 'testnetdouble' });
    expect(held.error).toMatchObject({ code: 'VENUE_REJECTED', field: 'exchange' });
    expect(held.error.message).toBe(
      "exchange: Testnet Double's testnet account holds a long position of 0.002 BTC/USDT:USDT: a session starts flat, so close or cancel them there first",
    );
    exchange = new TestnetDouble();
    exchange.failNext(
      'loadMarkets',
      new ExchangeNotAvailable('testnetdouble GET https://testnet.example/fapi/v1/exchangeInfo 503'),
    );
    const down = await refuse('session.start', { venue: 'ccxt', exchange: 'testnetdouble' });
    expect(down.error.message).toBe(
      "exchange: Testnet Double's testnet did not answer as asked: ExchangeNotAvailable: testnetdouble GET <url> 503",
    );
    exchange.failNext(
      'fetchPositions',
      new AuthenticationError('testnetdouble {"code":-2015,"msg":"Invalid API-key"}'),
    );
    const keys = await refuse('session.start', { venue: 'ccxt', exchange: 'testnetdouble' });
    expect(keys.error.message).toMatch(/AuthenticationError: .*Invalid API-key/);
    expect((await call('session.list')).sessions).toEqual([]);
  });

  it('refuses a second start while the first is still asking the exchange', async () => {
    const first = cockpit.invoke('session.start', { venue: 'ccxt', exchange: 'testnetdouble' });
    const second = await refuse('session.start', { venue: 'paper' });
    expect(second.error).toMatchObject({
      code: 'SESSION_ACTIVE',
      message: 'a session is starting: wait for it',
    });
    expect(await first).toMatchObject({ ok: true });
  });
});
