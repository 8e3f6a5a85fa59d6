// An exchange session whose host died is resumed, not forgotten: its
// positions and orders are live on the exchange. The host dies here by its
// journal being copied mid-session (the file and its -wal as a kill -9 leaves
// them: every append is committed before anything is told); a second host on
// the copy resumes against the same exchange double, which went on while the
// host was down.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExchangeNotAvailable, RateLimitExceeded } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CockpitEvent, CommandResults, JournalEvent } from '../../shared/index.js';
import { createCockpit, type CockpitHost } from './index.js';
import { Journal } from './journal/journal.js';
import { DOUBLE_CREDENTIALS, doubleAccess, lostAnswer, TestnetDouble } from './testing/testnet-double.js';

const PROFILE = 'resume';

type Err = { ok: false; error: { code: string; message: string; field?: string } };

let dirs: string[];
let exchange: TestnetDouble;

interface Host {
  cockpit: CockpitHost;
  dataDir: string;
  received: CockpitEvent[];
  call<N extends keyof CommandResults>(name: N, request?: object): Promise<{ ok: true } & CommandResults[N]>;
  refuse(name: string, request: unknown): Promise<Err>;
  events(sessionId: string): Promise<JournalEvent[]>;
}

/** A host on `dataDir`; `laterMs` puts its clock that far ahead (a host started days after the crash). */
function host(dataDir: string, env: Record<string, string> = DOUBLE_CREDENTIALS, laterMs = 0): Host {
  const cockpit = createCockpit({
    dataDir,
    profile: PROFILE,
    now: () => Date.now() + laterMs,
    exchanges: doubleAccess(exchange, env),
    log: () => undefined,
  });
  const received: CockpitEvent[] = [];
  cockpit.subscribe((batch) => received.push(...batch));
  const call = async <N extends keyof CommandResults>(name: N, request: object = {}) => {
    const response = (await cockpit.invoke(name, request)) as ({ ok: true } & CommandResults[N]) | Err;
    if (!response.ok) throw new Error(`${name} failed: ${JSON.stringify(response.error)}`);
    return response;
  };
  return {
    cockpit,
    dataDir,
    received,
    call,
    refuse: async (name, request) => (await cockpit.invoke(name, request)) as Err,
    events: async (sessionId) => (await call('journal.page', { sessionId, limit: 1000 })).events,
  };
}

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-resume-'));
  dirs.push(dir);
  return dir;
}

/** The journal as a host killed now leaves it (its writer lock aside: that names a live process here). */
function crashCopy(from: Host): string {
  const to = newDir();
  for (const suffix of ['', '-wal']) {
    const file = join(from.dataDir, `${PROFILE}.sqlite${suffix}`);
    if (existsSync(file)) copyFileSync(file, join(to, `${PROFILE}.sqlite${suffix}`));
  }
  return to;
}

const until = (done: () => boolean | Promise<boolean>) =>
  vi.waitFor(async () => expect(await done()).toBe(true), { timeout: 5_000 });

async function slotSizes(h: Host): Promise<Record<string, number>> {
  const { slots } = await h.call('snapshot');
  return Object.fromEntries(slots.filter((s) => s.size > 0).map((s) => [s.asset, s.size]));
}

/** A session holding a BTC long, with an ETH limit entry resting below the price. */
async function sessionWithPositionAndRestingEntry(a: Host) {
  const started = await a.call('session.start', {
    venue: 'ccxt',
    exchange: 'testnetdouble',
    symbols: ['BTC/USDT', 'ETH/USDT'],
  });
  const btc = await a.call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
  await until(async () => (await slotSizes(a))['BTC/USDT'] === 0.01);
  const eth = await a.call('intent.submit', {
    asset: 'ETH/USDT',
    side: 'LONG',
    targetSize: 0.1,
    orderType: 'LIMIT',
    limitPrice: 3_100,
  });
  await until(async () => (await a.call('snapshot')).openOrders.some((o) => o.venueOrderId !== ''));
  return { sessionId: started.sessionId, btc, eth };
}

/** `sessionWithPositionAndRestingEntry` on a host that is then lost: its journal as a kill -9 leaves it. */
async function lostWithPositionAndRestingEntry() {
  const a = host(newDir());
  const held = await sessionWithPositionAndRestingEntry(a);
  const copy = crashCopy(a);
  await a.cockpit.close();
  return { ...held, copy };
}

beforeEach(() => {
  dirs = [];
  exchange = new TestnetDouble();
});

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('an exchange session the host stopped running without a stop', () => {
  it('is resumed from its checkpoint: the fills of the time it was down are read, and the exchange agrees with the kernel', async () => {
    const a = host(newDir());
    const { sessionId, btc, eth } = await sessionWithPositionAndRestingEntry(a);
    // A funding payment on the BTC long, reported before the crash: counted once, whatever is read again.
    exchange.payFunding(0.0001);
    await until(async () => (await a.events(sessionId)).some((e) => e.type === 'FundingFeeSettled'));
    const before = await a.events(sessionId);
    const copy = crashCopy(a);
    await a.cockpit.close();

    // While the host is down, the price crosses the resting entry: it fills on the exchange.
    exchange.setPrice('ETH/USDT:USDT', 3_090);
    const b = host(copy);
    try {
      const listed = (await b.call('session.list')).sessions.find((s) => s.sessionId === sessionId);
      expect(listed).toMatchObject({ venue: 'ccxt', interruptedAt: before.at(-1)?.ts });
      expect(listed?.stoppedAt).toBeUndefined();
      expect((await b.call('snapshot')).session).toBeNull();

      const resumed = await b.call('session.resume', { sessionId });
      expect(resumed).toMatchObject({ sessionId, differences: 0, mode: 'ACTIVE' });
      expect(await slotSizes(b)).toEqual({ 'BTC/USDT': 0.01, 'ETH/USDT': 0.1 });
      await until(() => exchange.calledTimes('fetchFundingHistory') >= 3);
      expect((await b.call('snapshot')).account?.fundingNet).toBe(-0.064);

      const after = (await b.events(sessionId)).slice(before.length);
      // The journal goes on where it stopped: no seq twice, no event id twice.
      const all = await b.events(sessionId);
      expect(all.map((e) => e.seq)).toEqual(all.map((_, index) => index + 1));
      expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
      expect(after[0]).toMatchObject({ type: 'SessionResumed', payload: { checkpointSeq: before.length } });
      const fill = after.find((e) => e.type === 'OrderFilled');
      expect(fill).toMatchObject({ correlationId: eth.correlationId, payload: { price: 3_100, size: 0.1 } });
      expect(after.find((e) => e.type === 'VenueReconciled')?.payload).toMatchObject({
        differences: 0,
        mode: 'ACTIVE',
        positions: 2,
        openOrders: 0,
      });
      // What was known before the crash is still the session's: its trade is exited by its id.
      await b.call('trade.exit', { tradeId: btc.tradeId as string });
      await until(async () => (await slotSizes(b))['BTC/USDT'] === undefined);
      expect((await exchange.fetchPositions(['BTC/USDT:USDT'])).length).toBe(0);
      const trades = (await b.call('snapshot')).trades;
      expect(trades.find((t) => t.tradeId === btc.tradeId)).toMatchObject({ state: 'CLOSED' });
      await until(() => b.received.some((e) => e.type === 'notice' && e.code === 'RECONCILE_OK'));

      // Lost a second time: the second resume goes on from the first one's checkpoints and ids.
      const again = crashCopy(b);
      const c = host(again);
      try {
        expect(await c.call('session.resume', { sessionId })).toMatchObject({
          differences: 0,
          mode: 'ACTIVE',
        });
        await c.call('trade.exit', { tradeId: eth.tradeId as string });
        await until(async () => Object.keys(await slotSizes(c)).length === 0);
        const twice = await c.events(sessionId);
        expect(twice.filter((e) => e.type === 'SessionResumed')).toHaveLength(2);
        expect(twice.filter((e) => e.type === 'FundingFeeSettled')).toHaveLength(1);
        expect(new Set(twice.map((e) => e.eventId)).size).toBe(twice.length);
        // The kernel numbers its events on from where the checkpoint left it, across both resumes.
        const kernelSeqs = twice.flatMap((e) =>
          typeof e.payload.kernelSeq === 'number' ? [e.payload.kernelSeq] : [],
        );
        expect(kernelSeqs).toEqual(kernelSeqs.map((_, index) => index + 1));
        await c.call('session.stop');
        const stopped = (await c.call('session.list')).sessions.find((s) => s.sessionId === sessionId);
        expect(stopped?.stoppedAt).toBeDefined();
        expect(stopped?.interruptedAt).toBeUndefined();
      } finally {
        await c.cockpit.close();
      }
    } finally {
      await b.cockpit.close();
    }
  });

  it('reads a fill that lands while it compares before it compares: nothing is adopted twice', async () => {
    const { sessionId, copy } = await lostWithPositionAndRestingEntry();
    // The resting entry fills after the catch-up read the trades, just before the holdings are read
    // (the resume's third position query: its wallet, the catch-up's poll, the holdings).
    exchange.beforeCall('fetchPositions', 3, () => exchange.setPrice('ETH/USDT:USDT', 3_090));
    const b = host(copy);
    try {
      expect(await b.call('session.resume', { sessionId })).toMatchObject({ differences: 0, mode: 'ACTIVE' });
      // Two more polls of the venue on its own: a fill it had not read before comparing would show now.
      const polled = exchange.calledTimes('fetchMyTrades');
      await until(() => exchange.calledTimes('fetchMyTrades') >= polled + 2);
      const { slots } = await b.call('snapshot');
      const held = slots.filter((slot) => slot.size > 0).map((slot) => [slot.asset, slot.size]);
      expect(held.sort()).toEqual([
        ['BTC/USDT', 0.01],
        ['ETH/USDT', 0.1],
      ]);
      const opened = (await b.events(sessionId)).filter((e) => e.type === 'TradeOpened');
      expect(opened.map((e) => [e.payload.asset, e.payload.reason ?? 'filled'])).toEqual([
        ['BTC/USDT', 'filled'],
        ['ETH/USDT', 'filled'],
      ]);
    } finally {
      await b.cockpit.close();
    }
  });

  it('asks for an order sent again after a rate limit whose answer never came, and does not send it a third time', async () => {
    const a = host(newDir());
    const { sessionId } = await a.call('session.start', {
      venue: 'ccxt',
      exchange: 'testnetdouble',
      symbols: ['BTC/USDT'],
    });
    exchange.failNext(
      'createOrder',
      new RateLimitExceeded('testnetdouble {"code":-1003,"msg":"Too many requests"}'),
    );
    exchange.failNext('createOrder', lostAnswer(), true);
    await a.call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
    // The kernel waits out the rate limit, then sends the entry again: journaled before it goes.
    await until(async () => (await a.events(sessionId)).some((e) => e.type === 'OrderResent'));
    await until(() => exchange.calledTimes('createOrder') === 2);
    const copy = crashCopy(a);
    await a.cockpit.close();

    const b = host(copy);
    try {
      expect(await b.call('session.resume', { sessionId })).toMatchObject({ differences: 0, mode: 'ACTIVE' });
      expect(await slotSizes(b)).toEqual({ 'BTC/USDT': 0.01 });
      expect(exchange.calledTimes('createOrder')).toBe(2);
      const resent = (await b.events(sessionId)).find((e) => e.type === 'OrderResent');
      expect(resent?.payload).toMatchObject({ command: 'PLACE', reason: "the rate limit's wait is over" });
    } finally {
      await b.cockpit.close();
    }
  });

  it('asks the exchange for every submit whose answer never came: one it never got is rejected, one it filled is the trade', async () => {
    const a = host(newDir());
    const started = await a.call('session.start', {
      venue: 'ccxt',
      exchange: 'testnetdouble',
      symbols: ['BTC/USDT', 'ETH/USDT'],
    });
    const { sessionId } = started;
    exchange.failNext('createOrder', lostAnswer());
    const lost = await a.call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
    exchange.failNext('createOrder', lostAnswer(), true);
    const filledUnseen = await a.call('intent.submit', { asset: 'ETH/USDT', side: 'SHORT', targetSize: 0.1 });
    await until(() => exchange.calledTimes('createOrder') === 2);
    const copy = crashCopy(a);
    await a.cockpit.close();

    const b = host(copy);
    try {
      const resumed = await b.call('session.resume', { sessionId });
      expect(resumed).toMatchObject({ differences: 0, mode: 'ACTIVE' });
      expect(await slotSizes(b)).toEqual({ 'ETH/USDT': 0.1 });
      const events = await b.events(sessionId);
      const ofTrade = (tradeId: unknown) =>
        events.filter((e) => e.payload.tradeId === tradeId).map((e) => e.type);
      expect(ofTrade(lost.tradeId)).toEqual(expect.arrayContaining(['OrderRejected', 'TradeCanceled']));
      expect(ofTrade(filledUnseen.tradeId)).toEqual(
        expect.arrayContaining(['OrderPlaced', 'OrderFilled', 'TradeOpened']),
      );
      const rejected = events.find((e) => e.type === 'OrderRejected');
      expect(String(rejected?.payload.reason)).toMatch(/has no order/);
      // Neither was sent again: the exchange was asked for them by their client order ids.
      expect(exchange.calledTimes('createOrder')).toBe(2);
    } finally {
      await b.cockpit.close();
    }
  });

  it('flags what changed on the exchange while it was down, and trades only to reduce until the operator looks', async () => {
    const { sessionId, copy } = await lostWithPositionAndRestingEntry();

    // The operator closed the BTC long and cancelled the ETH entry on the exchange's own site.
    exchange.placeOutside('BTC/USDT:USDT', 'sell', 0.01);
    const resting = (await exchange.fetchOpenOrders('ETH/USDT:USDT'))[0];
    await exchange.cancelOrder(String(resting?.id), 'ETH/USDT:USDT');
    const b = host(copy);
    try {
      const resumed = await b.call('session.resume', { sessionId });
      expect(resumed).toMatchObject({ differences: 1, mode: 'REDUCING' });
      const reconciled = (await b.events(sessionId)).find((e) => e.type === 'VenueReconciled');
      expect(reconciled?.payload.findings).toEqual([
        expect.objectContaining({
          code: 'POSITION_NOT_AT_VENUE',
          message: 'the kernel holds 0.01 BTC/USDT LONG that the venue does not report',
        }),
      ]);
      // The cancel made on the site is read as the exchange reports it: the entry ended, nothing guessed.
      expect((await b.events(sessionId)).some((e) => e.type === 'OrderCanceled')).toBe(true);
      expect((await b.call('snapshot')).control?.mode).toBe('REDUCING');
      const told = (code: string) => b.received.some((e) => e.type === 'notice' && e.code === code);
      await until(() => told('POSITION_NOT_AT_VENUE') && told('RECONCILE_MISMATCH'));
      const entry = await b.refuse('intent.submit', { asset: 'ETH/USDT', side: 'LONG', targetSize: 0.1 });
      expect(entry.error).toMatchObject({ code: 'KERNEL_REJECTED', diagnosticCode: 'MODE_REJECTED' });
    } finally {
      await b.cockpit.close();
    }
  });

  it('reads an entry cancelled on the exchange days ago, which the exchange no longer keeps, as expired', async () => {
    const { sessionId, eth, copy } = await lostWithPositionAndRestingEntry();
    const resting = (await exchange.fetchOpenOrders('ETH/USDT:USDT'))[0];
    await exchange.cancelOrder(String(resting?.id), 'ETH/USDT:USDT');
    // Four days on, the exchange has forgotten the cancelled entry (no fills): asked for it, it has no such order.
    const fourDays = 4 * 24 * 3_600_000;
    exchange.clock += fourDays;
    const b = host(copy, DOUBLE_CREDENTIALS, fourDays);
    try {
      expect(await b.call('session.resume', { sessionId })).toMatchObject({ differences: 0, mode: 'ACTIVE' });
      const events = await b.events(sessionId);
      const expired = events.find((e) => e.type === 'OrderExpired');
      expect(expired).toMatchObject({ correlationId: eth.correlationId });
      expect(String(expired?.payload.reason)).toMatch(
        /no longer keeps order \d+: it left the book unfilled, over 3 days ago/,
      );
      expect(events.some((e) => e.type === 'TradeCanceled' && e.payload.tradeId === eth.tradeId)).toBe(true);
      expect(b.received.some((e) => e.type === 'notice' && e.code === 'HOST_FAULT')).toBe(false);
    } finally {
      await b.cockpit.close();
    }
  });

  it('keeps the gates it ran with: the drawdown peak and the intent ids seen go on after a resume', async () => {
    const a = host(newDir());
    const started = await a.call('session.start', {
      venue: 'ccxt',
      exchange: 'testnetdouble',
      symbols: ['BTC/USDT', 'ETH/USDT'],
      risk: { maxDrawdown: 0.01 },
    });
    const { sessionId } = started;
    await a.call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01, intentId: 'I-first' });
    await until(async () => (await slotSizes(a))['BTC/USDT'] === 0.01);
    const equity = async (h: Host) => (await h.call('snapshot')).account?.equity ?? Number.NaN;
    // The position gains 60 USDT: the peak; a fact after it carries it into the checkpoint.
    exchange.setPrice('BTC/USDT:USDT', 70_000);
    await until(async () => (await equity(a)) > 5_050);
    const resting = {
      asset: 'ETH/USDT',
      side: 'LONG',
      targetSize: 0.1,
      orderType: 'LIMIT',
      limitPrice: 3_000,
    };
    await a.call('intent.submit', resting);
    // Down 90 from the peak: 1.8 % below it, but 0.6 % below the seed capital.
    exchange.setPrice('BTC/USDT:USDT', 61_000);
    await until(async () => (await equity(a)) < 4_980);
    const copy = crashCopy(a);
    await a.cockpit.close();

    const b = host(copy);
    try {
      await b.call('session.resume', { sessionId });
      await until(async () => (await equity(b)) < 4_980);
      const halted = await b.refuse('intent.submit', resting);
      expect(halted.error).toMatchObject({ code: 'RISK_REJECTED' });
      expect(halted.error.message).toMatch(/below its peak 5,0[56]\d/);
      const again = await b.refuse('intent.submit', {
        asset: 'BTC/USDT',
        side: 'LONG',
        targetSize: 0.01,
        intentId: 'I-first',
      });
      expect(again.error).toMatchObject({ field: 'intentId' });
      expect(again.error.message).toMatch(/I-first was already submitted/);
    } finally {
      await b.cockpit.close();
    }
  });

  it('waits out a rate limit or a lost answer met while catching up, and resumes', async () => {
    const { sessionId, copy } = await lostWithPositionAndRestingEntry();

    const b = host(copy);
    try {
      exchange.failNext(
        'fetchMyTrades',
        new RateLimitExceeded('testnetdouble {"code":-1003,"msg":"Too many requests"}'),
      );
      exchange.failNext(
        'fetchOpenOrders',
        new ExchangeNotAvailable('testnetdouble GET https://x/openOrders 503'),
      );
      exchange.failNext(
        'fetchOpenOrders',
        new ExchangeNotAvailable('testnetdouble GET https://x/openOrders 503'),
      );
      const before = exchange.calledTimes('fetchOpenOrders');
      expect(await b.call('session.resume', { sessionId })).toMatchObject({ differences: 0, mode: 'ACTIVE' });
      expect(exchange.calledTimes('fetchOpenOrders') - before).toBeGreaterThanOrEqual(4);
      expect(await slotSizes(b)).toEqual({ 'BTC/USDT': 0.01 });
    } finally {
      await b.cockpit.close();
    }
  });

  it('refuses a resume it cannot carry out, saying why, and the session stays interrupted until it can', async () => {
    const { sessionId, copy } = await lostWithPositionAndRestingEntry();

    const keyless = host(copy, {});
    try {
      const refused = await keyless.refuse('session.resume', { sessionId });
      expect(refused.error).toMatchObject({ code: 'VENUE_REJECTED', field: 'sessionId' });
      expect(refused.error.message).toMatch(/COCKPIT_TESTNETDOUBLE_API_KEY and COCKPIT_TESTNETDOUBLE_SECRET/);
      expect((await keyless.refuse('session.resume', { sessionId: 'S-none' })).error).toMatchObject({
        code: 'NOT_FOUND',
        field: 'sessionId',
      });
    } finally {
      await keyless.cockpit.close();
    }

    const b = host(copy);
    try {
      // The exchange goes down in the middle of the catch-up and stays down through every try: what was read
      // is kept, the session stays interrupted.
      for (let tries = 0; tries < 4; tries++) {
        exchange.failNext(
          'fetchOpenOrders',
          new ExchangeNotAvailable('testnetdouble GET https://x/openOrders 503'),
        );
      }
      const down = await b.refuse('session.resume', { sessionId });
      expect(down.error).toMatchObject({ code: 'VENUE_REJECTED', field: 'sessionId' });
      expect(down.error.message).toMatch(
        /did not answer as asked while .* caught up: ExchangeNotAvailable.*resume it again/,
      );
      expect(down.error.message).not.toContain('https://');
      expect((await b.call('session.list')).sessions[0]?.interruptedAt).toBeDefined();
      expect((await b.call('snapshot')).session).toBeNull();

      const resuming = b.cockpit.invoke('session.resume', { sessionId });
      // Not abandoned under a resume: it would run on in a journal that says it ended.
      expect((await b.refuse('session.abandon', { sessionId })).error).toMatchObject({
        code: 'SESSION_ACTIVE',
      });
      expect(await resuming).toMatchObject({ ok: true, differences: 0, mode: 'ACTIVE' });
      const again = await b.refuse('session.resume', { sessionId });
      expect(again.error).toMatchObject({ code: 'SESSION_ACTIVE' });
      const abandonRunning = await b.refuse('session.abandon', { sessionId });
      expect(abandonRunning.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'sessionId' });
      await b.call('session.stop');
      const ended = await b.refuse('session.resume', { sessionId });
      expect(ended.error.message).toMatch(/has ended \(STOPPED\)/);
    } finally {
      await b.cockpit.close();
    }
  });

  it('is closed as abandoned when the operator gives it up; a paper session left open is closed at the start', async () => {
    const { sessionId, copy } = await lostWithPositionAndRestingEntry();
    const b = host(copy);
    try {
      // A new session on the exchange is refused (its account holds what the lost one left), and told why.
      const blocked = await b.refuse('session.start', { venue: 'ccxt', exchange: 'testnetdouble' });
      expect(blocked.error.code).toBe('VENUE_REJECTED');
      expect(blocked.error.message).toMatch(
        new RegExp(
          `interrupted session ${sessionId} on this exchange may hold them: resume or abandon first`,
        ),
      );
      expect(await b.call('session.abandon', { sessionId })).toMatchObject({ sessionId });
      const listed = (await b.call('session.list')).sessions.find((s) => s.sessionId === sessionId);
      expect(listed).toMatchObject({ endReason: 'ABANDONED' });
      expect(listed?.interruptedAt).toBeUndefined();
      expect((await b.refuse('session.resume', { sessionId })).error.message).toMatch(
        /has ended \(ABANDONED\)/,
      );
      const paper = await b.call('session.start', { venue: 'paper', seed: 1 });
      const paperCopy = crashCopy(b);
      await b.cockpit.close();
      const c = host(paperCopy);
      try {
        const closed = (await c.call('session.list')).sessions.find((s) => s.sessionId === paper.sessionId);
        expect(closed).toMatchObject({ endReason: 'ABANDONED' });
      } finally {
        await c.cockpit.close();
      }
    } finally {
      await b.cockpit.close();
    }
  });
});

describe('the checkpoint', () => {
  it('is written in the transaction of the facts it follows, and goes with the stop', () => {
    const dir = newDir();
    const journal = new Journal(join(dir, 'j.sqlite'));
    try {
      const info = {
        sessionId: 'A',
        startedAt: 1,
        venue: 'ccxt' as const,
        symbols: [],
        seed: 0,
        seedCapital: 1,
        maxSlots: 1,
      };
      journal.createSession(info);
      const draft = (eventId: string) => ({
        eventId,
        type: 'RiskLimitsSet' as const,
        source: 'host' as const,
        correlationId: 'A',
        causationId: eventId,
        ts: 2,
        payload: {},
      });
      journal.append('A', [draft('e1'), draft('e2')], () => ({ kernel: 'k1', host: '{}' }));
      expect(journal.checkpoint('A')).toEqual({ seq: 2, kernel: 'k1', host: '{}' });
      // The second row cannot be written (its payload has no JSON): the first and the checkpoint roll back.
      expect(() =>
        journal.append('A', [draft('e3'), { ...draft('e4'), payload: { size: 1n } }], () => ({
          kernel: 'k2',
          host: '{}',
        })),
      ).toThrow(/BigInt/);
      // Neither the fact nor a checkpoint: the two are durable together or not at all.
      expect(journal.all('A').map((e) => e.eventId)).toEqual(['e1', 'e2']);
      expect(journal.checkpoint('A')?.seq).toBe(2);
      journal.createSession({ ...info, sessionId: 'B' });
      journal.append('B', [draft('b1')], () => ({ kernel: 'kb', host: '{}' }));
      expect(journal.closeAbandonedSessions((id) => id === 'A')).toEqual(['B']);
      expect(journal.hasCheckpoint('A')).toBe(true);
      expect(journal.hasCheckpoint('B')).toBe(false);
      journal.stopSession('A', 9);
      expect(journal.hasCheckpoint('A')).toBe(false);
    } finally {
      journal.close();
    }
  });
});
