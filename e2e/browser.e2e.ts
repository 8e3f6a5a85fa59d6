// What an operator does, in the browser host (`npm run serve`), in Debian's Chromium.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../electron/host/journal/journal.js';
import { Kernel } from '../native/index.js';
import { buildLineage, lineageChanges, RiskEnvelope, type LineageGraph } from '../shared/index.js';
import { replaySteps } from '../renderer/src/lib/replay.js';
import { startBrowserHostProcess, type RunningHost } from './support/browser-host.js';
import { addTradeToSnapshots } from './support/host-stream.js';
import { collectConsoleErrors, launchChromium } from './support/chromium.js';
import {
  cockpitOn,
  eventually,
  fillTicket,
  marketRoundTrip,
  startSession,
  type Cockpit,
} from './support/flows.js';

let host: RunningHost;
let browser: Browser;
let page: Page;
let cockpit: Cockpit;
let consoleErrors: string[];

/** Credentials the host reads from its environment and must never show, send or journal. */
const EXCHANGE_KEY = 'e2e-key-never-shown';
const EXCHANGE_SECRET = 'e2e-secret-never-shown';

beforeAll(async () => {
  host = await startBrowserHostProcess({
    env: {
      COCKPIT_BINANCEUSDM_API_KEY: EXCHANGE_KEY,
      COCKPIT_BINANCEUSDM_SECRET: EXCHANGE_SECRET,
      COCKPIT_KRAKEN_API_KEY: EXCHANGE_KEY,
      COCKPIT_KRAKEN_SECRET: EXCHANGE_SECRET,
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  // npm dies with the signal; the host itself must have closed its windows and journal.
  expect(host.stderr()).toMatch(/\bstopped\b/);
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  consoleErrors = collectConsoleErrors(page);
  cockpit = cockpitOn(page);
  await page.goto(host.url);
  await eventually(() => page.getByTestId('session-status').textContent()).toBeTruthy();
  const { session } = await cockpit.snapshot();
  if (session && session.stoppedAt === undefined) await cockpit.invoke('session.stop');
});

afterEach(async () => {
  expect(consoleErrors).toEqual([]);
  await page.close();
});

/**
 * How a table sits in its panel: how far it scrolls sideways, the text of every cell that reaches past what
 * the panel shows without scrolling, and the headers displayed.
 */
async function tableLayout(page: Page, testId: string) {
  const body = page.locator(`.panel-body:has(> [data-testid="${testId}"])`);
  const { scrollWidth, clientWidth, clientHeight } = await body.evaluate((el) => {
    const box = el as unknown as { scrollWidth: number; clientWidth: number; clientHeight: number };
    return { scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, clientHeight: box.clientHeight };
  });
  // What the panel shows without scrolling (its scrollbars excluded).
  const { x: left, y: top } = (await body.boundingBox())!;
  const [right, bottom] = [left + clientWidth, top + clientHeight];
  const cut: string[] = [];
  for (const cell of await page.locator(`[data-testid="${testId}"] :is(th, td)`).all()) {
    const box = await cell.boundingBox();
    // null: not displayed at this width.
    if (box !== null && box.x + box.width > right + 0.5) cut.push(await cell.innerText());
  }
  const headers: string[] = [];
  for (const header of await page.locator(`[data-testid="${testId}"] thead th`).all()) {
    if ((await header.boundingBox()) !== null) headers.push((await header.textContent()) ?? '');
  }
  return { left, top, right, bottom, sideways: scrollWidth - clientWidth, cut, headers };
}

describe('browser host', () => {
  it('(a) a market intent becomes a signal, an order, fills and a trade; exiting realizes the PnL and frees the slot', async () => {
    const { sessionId, correlationId } = await marketRoundTrip(cockpit);

    // The journal holds every event in seq order, and the lineage rebuilt from it alone equals the live one.
    const events = await cockpit.journal();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const live = await cockpit.invoke<{ ok: true } & LineageGraph>('lineage', { correlationId });
    const journal = new Journal(host.journalPath, { readonly: true });
    try {
      const replayed = buildLineage(correlationId, journal.byCorrelation(sessionId, correlationId));
      expect(replayed.nodes).toEqual(live.nodes);
      expect(replayed.edges).toEqual(live.edges);
      expect(journal.page(sessionId, 0, 10_000).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    } finally {
      journal.close();
    }
    expect([...new Set(live.nodes.map((n) => n.kind))].sort()).toEqual([
      'fill',
      'intent',
      'order',
      'signal',
      'trade',
    ]);
  });

  it('(b) a limit order far from the price rests, is cancelled, and its graph shows the cancel', async () => {
    await startSession(cockpit);
    const mark = (await cockpit.snapshot()).marks['ETH/USDT']!;
    await fillTicket(page, { asset: 'ETH/USDT', type: 'LIMIT', size: '0.5', limit: (mark * 0.5).toFixed(2) });

    const rows = page.locator('[data-testid^="order-row-"]');
    await eventually(() => rows.count()).toBe(1);
    const { openOrders } = await cockpit.snapshot();
    expect(openOrders).toHaveLength(1);
    const [resting] = openOrders;
    expect(resting).toMatchObject({ asset: 'ETH/USDT', orderType: 'LIMIT', side: 'BUY', filledSize: 0 });

    // The slot holds nothing yet: it offers to cancel its entry order, not to exit.
    await eventually(() => page.getByTestId('slot-cancel-0').count()).toBe(1);
    expect(await page.getByTestId('slot-exit-0').count()).toBe(0);

    await page.getByTestId(`order-cancel-${resting!.clientOrderId}`).click();
    await eventually(() => rows.count()).toBe(0);
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('IDLE');
    const after = await cockpit.snapshot();
    expect(after.openOrders).toEqual([]);
    expect(after.slots.every((s) => s.free)).toBe(true);

    const graph = await cockpit.invoke<{ ok: true } & LineageGraph>('lineage', {
      correlationId: resting!.correlationId,
    });
    expect(graph.nodes.find((n) => n.kind === 'order')?.state).toBe('CANCELED');
    await eventually(() => page.getByTestId('lineage-node-order').getAttribute('data-state')).toBe(
      'CANCELED',
    );
    await eventually(() => page.getByTestId('lineage-node-fill').count()).toBe(0);
  });

  it('(c) a bad intent gets a clear error on screen and changes nothing in slots or journal', async () => {
    await startSession(cockpit);
    const before = await cockpit.snapshot();
    const journalBefore = await cockpit.journal();
    const error = () => page.getByTestId('ticket-error').textContent();

    await fillTicket(page, { asset: 'BTC/USDT', size: '-1' });
    await eventually(error).toContain('targetSize');
    await eventually(error).toContain('-1');

    await fillTicket(page, { asset: 'BTC/USDT', type: 'LIMIT', size: '0.01', limit: 'NaN' });
    await eventually(error).toContain('limitPrice');
    await eventually(error).toContain('NaN');

    await fillTicket(page, { asset: 'XYZ/USDT', size: '0.01' });
    await eventually(error).toContain('asset');
    await eventually(error).toContain('XYZ/USDT');

    // The host refuses the same bad values from any window, not only the ticket's own checks.
    const direct = await cockpit.invoke<{
      ok: false;
      error: { code: string; field: string; message: string };
    }>('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: -1 });
    expect(direct).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'targetSize' } });
    expect(direct.error.message).toContain('-1');

    expect((await cockpit.snapshot()).slots).toEqual(before.slots);
    expect(await cockpit.journal()).toEqual(journalBefore);
  });

  it('(d) REDUCING pauses entries on the ticket; the kill switch, confirmed, flattens the book and halts', async () => {
    await startSession(cockpit);
    await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
    await eventually(() => page.getByTestId('control-plane').getAttribute('data-mode')).toBe('ACTIVE');

    await page.getByTestId('mode-REDUCING').click();
    await eventually(() => page.getByTestId('control-plane').getAttribute('data-mode')).toBe('REDUCING');
    const submit = page.getByTestId('ticket-submit');
    await eventually(() => submit.isDisabled()).toBe(true);
    await eventually(() => submit.textContent()).toContain('Entries paused: REDUCING');
    await page.getByTestId('mode-ACTIVE').click();
    await eventually(() => submit.isEnabled()).toBe(true);

    // One click only arms it; the book is untouched until the second.
    const kill = page.getByTestId('kill-switch');
    await kill.click();
    await eventually(() => kill.textContent()).toContain('Confirm');
    expect((await cockpit.snapshot()).control).toEqual({ mode: 'ACTIVE' });
    await kill.click();

    await eventually(() => page.getByTestId('control-plane').getAttribute('data-mode')).toBe('HALTED');
    await eventually(() => page.getByTestId('kill-switch-fired').isVisible()).toBe(true);
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('IDLE');
    const after = await cockpit.snapshot();
    expect(after.control?.mode).toBe('HALTED');
    expect(after.trades[0]).toMatchObject({ state: 'CLOSED', closeReason: 'KILL_SWITCH' });
    await eventually(() => page.getByTestId('notices').textContent()).toContain('Kill switch');
    expect((await cockpit.journal()).some((e) => e.type === 'KillSwitchEngaged')).toBe(true);
  });

  it("(g) supervised: a strategy's entries wait in the Supervisor panel; Grant places one, Reject drops one, a gate refuses by name", async () => {
    await page.getByTestId('session-risk').click();
    await page.getByTestId('session-supervised').check();
    await page.getByTestId('session-strategy').selectOption('breakout');
    await page.getByTestId('session-max-order-notional').fill('2000');
    await page.getByTestId('session-strategy-lookback').fill('30');
    await page.getByTestId('session-strategy-cooldown').fill('10');
    await page.getByTestId('session-order-type-limit').uncheck();
    await startSession(cockpit);
    const started = await cockpit.snapshot();
    expect(started.risk).toMatchObject({
      supervised: true,
      maxOrderNotional: 2000,
      allowedOrderTypes: ['MARKET'],
    });
    expect(started.strategy).toMatchObject({ name: 'breakout', lookbackTicks: 30, cooldownMs: 10_000 });
    await eventually(() => page.getByTestId('supervisor-mode').getAttribute('data-mode')).toBe('supervised');

    // Any caller naming a provider other than the operator is supervised: here, a test's own strategy.
    const propose = (asset: string) =>
      cockpit.invoke<{ ok: true; intentId: string; correlationId: string; pendingUntil: number }>(
        'intent.submit',
        { asset, side: 'LONG', targetSize: 0.01, signalProvider: 'e2e-strategy', reason: 'a test proposal' },
      );
    const granted = await propose('BTC/USDT');
    expect(granted.pendingUntil).toBeGreaterThan(Date.now());
    const row = page.locator(`[data-testid="pending-intent"][data-intent-id="${granted.intentId}"]`);
    await eventually(() => row.count()).toBe(1);
    await eventually(() => row.textContent()).toContain('a test proposal');
    await eventually(() => row.getByTestId('pending-intent-expires').textContent()).toMatch(/\d/);
    await row.click();
    await eventually(() => page.getByTestId('lineage-node-intent').getAttribute('data-state')).toBe(
      'AWAITING',
    );
    expect((await cockpit.snapshot()).openOrders.filter((o) => o.asset === 'BTC/USDT')).toEqual([]);

    // A screen reader hears what the buttons act on.
    expect(await row.getByRole('button', { name: 'Grant LONG BTC/USDT' }).count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Reject LONG BTC/USDT' }).count()).toBe(1);
    await page.getByTestId(`intent-grant-${granted.intentId}`).click();
    await eventually(() => row.count()).toBe(0);
    await eventually(async () =>
      (await cockpit.snapshot()).trades.some((t) => t.correlationId === granted.correlationId),
    ).toBe(true);
    await eventually(() => page.getByTestId('lineage-node-intent').getAttribute('data-state')).toBe(
      'GRANTED',
    );
    await eventually(() => page.getByTestId('lineage-node-trade').count()).toBe(1);

    const rejected = await propose('ETH/USDT');
    const rejectRow = page.locator(`[data-testid="pending-intent"][data-intent-id="${rejected.intentId}"]`);
    await eventually(() => rejectRow.count()).toBe(1);
    await page.getByTestId(`intent-reject-${rejected.intentId}`).click();
    await eventually(() => rejectRow.count()).toBe(0);
    const journal = await cockpit.journal();
    expect(journal.filter((e) => e.correlationId === rejected.correlationId).map((e) => e.type)).toEqual([
      'TradingSignalIntentCreated',
      'TradingSignalIntentRejected',
    ]);
    expect(
      journal.find(
        (e) => e.correlationId === granted.correlationId && e.type === 'TradingSignalIntentGranted',
      ),
    ).toMatchObject({ payload: { grantedBy: 'operator', mode: 'supervised' } });

    // The operator's own ticket does not wait, but it meets the gates: 1 BTC is over the 2 000 a single order may be,
    // and this session's entries are MARKET only.
    await fillTicket(page, { asset: 'BTC/USDT', size: '1' });
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain('static gate');
    await eventually(() => page.getByTestId('notices').textContent()).toContain('static gate');
    await fillTicket(page, { asset: 'SOL/USDT', type: 'LIMIT', size: '0.1', limit: '100' });
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain(
      'LIMIT entries are not allowed',
    );

    // The breakout strategy proposes entries of its own, and they wait for the operator too.
    await expect
      .poll(() => page.locator('[data-testid="pending-intent"]').filter({ hasText: 'breakout' }).count(), {
        timeout: 30_000,
        interval: 200,
      })
      .toBeGreaterThan(0);
    await cockpit.invoke('session.stop');
    await eventually(() => page.getByTestId('supervisor').count()).toBe(0);
  });

  it('(f) an earlier session is reviewed from its journal, and a trade of it replayed event by event', async () => {
    const { sessionId: earlier, correlationId } = await marketRoundTrip(cockpit);
    const { trades } = await cockpit.snapshot();
    const trade = trades.find((t) => t.correlationId === correlationId)!;
    await cockpit.invoke('session.stop');
    await startSession(cockpit);

    // The blotter lists the running session's trades until the earlier one is picked.
    const table = page.getByTestId('trades-table');
    expect(await table.getAttribute('data-session')).toBe('live');
    expect(await page.getByTestId(`trade-row-${trade.tradeId}`).count()).toBe(0);
    await page.getByTestId('trades-session').selectOption(earlier);
    await eventually(() => table.getAttribute('data-session')).toBe(earlier);
    const row = page.getByTestId(`trade-row-${trade.tradeId}`);
    await eventually(() => row.getAttribute('data-state')).toBe('CLOSED');

    // Its lineage, from the earlier session, while the new one runs.
    await row.click();
    await eventually(() => page.getByTestId('lineage-node-trade').getAttribute('data-state')).toBe('CLOSED');
    const graph = await cockpit.invoke<{ ok: true } & LineageGraph>('lineage', {
      correlationId,
      sessionId: earlier,
    });
    const steps = replaySteps(graph);
    const intentBoxWhole = await page.getByTestId('lineage-node-intent').first().boundingBox();

    // Replay from the first event: the intent alone, then each step as it stood, in place.
    await page.getByTestId('replay-start').click();
    const position = page.getByTestId('replay-position');
    await eventually(() => position.textContent()).toBe(`1/${steps.length}`);
    expect(await page.getByTestId('replay-event').textContent()).toBe('TradingSignalIntentCreated');
    await eventually(() => page.locator('[data-testid^="lineage-node-"]').count()).toBe(1);
    expect(await page.getByTestId('lineage-node-intent').getAttribute('data-current')).toBe('true');
    expect(await page.getByTestId('replay-details').getAttribute('data-type')).toBe(
      'TradingSignalIntentCreated',
    );
    await eventually(() => page.getByTestId('lineage-node-intent').boundingBox()).toEqual(intentBoxWhole);

    // The keys: → one event, Shift+→ to the next change, Home back to the first.
    await page.keyboard.press('ArrowRight');
    await eventually(() => position.textContent()).toBe(`2/${steps.length}`);
    const changes = lineageChanges(correlationId, steps);
    const nextChange = steps.findIndex((e) => e.seq === changes.find((seq) => seq > steps[1]!.seq));
    await page.keyboard.press('Shift+ArrowRight');
    await eventually(() => position.textContent()).toBe(`${nextChange + 1}/${steps.length}`);
    await page.keyboard.press('Home');
    await eventually(() => position.textContent()).toBe(`1/${steps.length}`);

    const placed = steps.findIndex((e) => e.type === 'OrderPlaced');
    await page.getByTestId('replay-range').fill(String(placed));
    await eventually(() => position.textContent()).toBe(`${placed + 1}/${steps.length}`);
    await eventually(() => page.getByTestId('lineage-node-order').getAttribute('data-state')).toBe('PLACED');
    expect(await page.getByTestId('lineage-node-trade').count()).toBe(0);
    await page.getByTestId('replay-next').click();
    await eventually(() => position.textContent()).toBe(`${placed + 2}/${steps.length}`);
    expect(await page.getByTestId('replay-event').textContent()).toBe(steps[placed + 1]!.type);

    await page.getByTestId('replay-last').click();
    await eventually(() => position.textContent()).toBe(`${steps.length}/${steps.length}`);
    await eventually(() => page.getByTestId('lineage-node-trade').getAttribute('data-state')).toBe('CLOSED');
    // Change by change: back to the last step that changed the graph, past those that did not.
    await page.getByTestId('replay-prev-change').click();
    const lastChange = steps.findIndex((e) => e.seq === changes.findLast((seq) => seq < steps.at(-1)!.seq));
    await eventually(() => position.textContent()).toBe(`${lastChange + 1}/${steps.length}`);
    await page.getByTestId('replay-last').click();
    await page.getByTestId('replay-exit').click();
    await eventually(() => page.getByTestId('replay-bar').getAttribute('data-replaying')).toBe('false');
    await page.getByTestId('replay-start').click();
    await eventually(() => page.getByTestId('replay-bar').getAttribute('data-replaying')).toBe('true');
    await page.keyboard.press('Escape');
    await eventually(() => page.getByTestId('replay-bar').getAttribute('data-replaying')).toBe('false');

    await page.getByTestId('trades-session').selectOption('');
    await eventually(() => table.getAttribute('data-session')).toBe('live');
  });
  it('(h) a session replays a CSV file from the feeds folder: chosen in the form, filled at its prices, paused and sped up, its end told', async () => {
    // BTC holds at 61 000 for twenty minutes while ETH climbs; at ×1 the second row is a minute away.
    const feeds = join(host.dataDir, 'feeds');
    mkdirSync(feeds, { recursive: true });
    const rows = Array.from({ length: 20 }, (_, minute) => {
      const ts = new Date(Date.UTC(2024, 2, 1, 0, minute)).toISOString();
      return [`${ts},BTC/USDT,61000`, `${ts},ETH/USDT,${3400 + minute}`];
    }).flat();
    const march = ['ts,symbol,price', ...rows].join('\n');
    writeFileSync(join(feeds, 'march.csv'), march);
    writeFileSync(join(feeds, 'broken.csv'), 'ts,symbol,price\nnoon,BTC/USDT,1\n');

    await page.getByTestId('session-market-refresh').click();
    const market = page.getByTestId('session-market');
    const option = (name: string) => market.locator(`option[value="${name}"]`);
    await eventually(() => option('march.csv').textContent()).toContain('BTC ETH · 40 rows');
    expect(await option('broken.csv').isDisabled()).toBe(true);
    expect(await option('broken.csv').textContent()).toContain('line 2, column ts');
    expect(await page.getByTestId('session-market-folder').getAttribute('label')).toBe(
      `CSV files in ${feeds}`,
    );

    await market.selectOption('march.csv');
    await eventually(() => page.getByTestId('session-symbols').inputValue()).toBe('BTC/USDT,ETH/USDT');
    expect(await page.getByTestId('session-seed').count()).toBe(0);
    await page.getByTestId('session-speed').fill('1');
    await page.getByTestId('session-start').click();
    await eventually(() => page.getByTestId('session-status').textContent()).toContain('running');
    expect(await page.getByTestId('session-market-label').textContent()).toBe('replay of march.csv ×1');
    const { session } = await cockpit.snapshot();
    expect(session?.market).toMatchObject({ kind: 'replay', feed: 'march.csv', speed: 1, rows: 40 });
    expect(session?.market).toMatchObject({ sha256: createHash('sha256').update(march).digest('hex') });

    // The venue fills at the file's price (plus its 1 bp of slippage), not the walk's.
    await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
    await eventually(
      async () => (await cockpit.snapshot()).slots.find((s) => s.size > 0)?.entryPrice,
    ).toBeCloseTo(61_006.1, 6);

    // Paused, the prices hold; at ×3600 and resumed, the rest of the file plays out.
    const pause = page.getByTestId('replay-pause');
    await pause.click();
    await eventually(() => pause.getAttribute('data-paused')).toBe('true');
    await eventually(() => page.getByTestId('notices').textContent()).toContain(
      'The replay of march.csv is paused at 2024-03-01T00:00:00.000Z',
    );
    expect(await page.getByTestId('market-replay-position').textContent()).toContain('2024-03-01 00:00');
    await page.getByTestId('replay-speed').selectOption('3600');
    await eventually(() => page.getByTestId('session-market-label').textContent()).toBe(
      'replay of march.csv ×3600',
    );
    expect((await cockpit.snapshot()).marks).toEqual({ 'BTC/USDT': 61_000, 'ETH/USDT': 3400 });
    await pause.click();
    await eventually(() => page.getByTestId('notices').textContent()).toContain(
      'The replay of march.csv ended',
    );
    await eventually(() => page.getByTestId('market-replay-position').textContent()).toBe('ended');
    const controls = (await cockpit.journal()).filter((e) => e.type === 'MarketReplaySet');
    expect(controls.map((e) => [e.payload.paused, e.payload.speed])).toEqual([
      [true, 1],
      [true, 3600],
      [false, 3600],
    ]);
    expect((await cockpit.snapshot()).marks).toEqual({ 'BTC/USDT': 61_000, 'ETH/USDT': 3419 });
    await eventually(() => page.getByTestId('mark-ETH').textContent()).toBe('3419.00');
    const ended = (await cockpit.journal()).filter((e) => e.type === 'MarketReplayEnded');
    expect(ended.map((e) => e.payload)).toEqual([
      { feed: 'march.csv', steps: 20, lastRowAt: Date.UTC(2024, 2, 1, 0, 19) },
    ]);

    // Back to synthetic prices; the session picker says what the earlier session replayed.
    await cockpit.invoke('session.stop');
    await market.selectOption('synthetic');
    await startSession(cockpit);
    const earlier = page.getByTestId('trades-session').locator(`option[value="${session?.sessionId}"]`);
    await eventually(() => earlier.textContent({ timeout: 1_000 })).toContain('replay of march.csv ×1');
  });

  it("(i) an exchange's testnet is offered from the host's credentials, never showing them; a start the exchange does not answer is refused, naming it", async () => {
    await page.getByTestId('session-venue-refresh').click();
    const venue = page.getByTestId('session-venue');
    const option = (id: string) => venue.locator(`option[value="${id}"]`);
    await eventually(() => option('binanceusdm').textContent()).toBe('Binance USDⓈ-M testnet');
    expect(await option('binanceusdm').isDisabled()).toBe(false);
    expect(await option('kraken').isDisabled()).toBe(true);
    expect(await option('kraken').textContent()).toContain('no testnet');

    await venue.selectOption('binanceusdm');
    expect(await page.getByTestId('session-seed').count()).toBe(0);
    expect(await page.getByTestId('session-market').count()).toBe(0);
    const before = (await cockpit.invoke('session.list')) as { sessions: unknown[] };
    await page.getByTestId('session-start').click();
    // This machine has no route to the testnet: ccxt's request fails, and the start is refused with its words.
    await eventually(() => page.getByTestId('session-error').textContent()).toContain(
      "Binance USDⓈ-M's testnet did not answer as asked: NetworkError",
    );
    expect(await page.getByTestId('session-error').textContent()).not.toContain('https://');
    expect(((await cockpit.invoke('session.list')) as { sessions: unknown[] }).sessions).toEqual(
      before.sessions,
    );
    const everything = [
      await page.content(),
      JSON.stringify(await cockpit.invoke('exchange.list')),
      readFileSync(host.journalPath).toString('latin1'),
      host.stderr(),
    ];
    for (const text of everything) {
      expect(text).not.toContain(EXCHANGE_KEY);
      expect(text).not.toContain(EXCHANGE_SECRET);
    }
    await venue.selectOption('paper');
    await eventually(() => page.getByTestId('session-seed').count()).toBe(1);
  });

  it('(j) an exchange session the host lost waits in the interrupted strip: a resume the exchange does not answer is refused and changes nothing; Abandon, confirmed, closes it', async () => {
    // A journal as a host killed mid-session leaves it: an open ccxt session with its checkpoint.
    const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-e2e-interrupted-'));
    const sessionId = 'S20261123-101500-abc123';
    const journal = new Journal(join(dataDir, 'e2e.sqlite'));
    journal.createSession({
      sessionId,
      startedAt: Date.now() - 60_000,
      venue: 'ccxt',
      symbols: ['BTC/USDT'],
      seed: 0,
      seedCapital: 5_000,
      maxSlots: 4,
      exchange: { id: 'binanceusdm', name: 'Binance USDⓈ-M', testnet: true },
    });
    const kernel = new Kernel({ maxSlots: 4, seedCapital: 5_000, idPrefix: 'abc123-' });
    journal.append(
      sessionId,
      [
        {
          eventId: 'abc123-h1',
          type: 'RiskLimitsSet',
          source: 'host',
          correlationId: sessionId,
          causationId: 'abc123-h1',
          ts: Date.now() - 30_000,
          payload: { risk: RiskEnvelope.parse({}) },
        },
      ],
      () => ({ kernel: kernel.snapshot(), host: JSON.stringify({ ids: { h: 1 } }) }),
    );
    journal.close();
    const lost = await startBrowserHostProcess({
      dataDir,
      env: { COCKPIT_BINANCEUSDM_API_KEY: EXCHANGE_KEY, COCKPIT_BINANCEUSDM_SECRET: EXCHANGE_SECRET },
    });
    const lostPage = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const lostErrors = collectConsoleErrors(lostPage);
    try {
      await lostPage.goto(lost.url);
      const row = lostPage.getByTestId(`interrupted-session-${sessionId}`);
      await eventually(() => row.textContent()).toContain(
        `Session ${sessionId} on Binance USDⓈ-M testnet was interrupted at`,
      );
      await row.getByTestId('interrupted-resume').click();
      // No route to the testnet here: the resume is refused in the exchange's words, and nothing runs.
      await eventually(() => row.textContent()).toContain(
        "Resume refused: sessionId: Binance USDⓈ-M's testnet did not answer as asked: NetworkError",
      );
      const lostCockpit = cockpitOn(lostPage);
      expect((await lostCockpit.snapshot()).session).toBeNull();
      const listed = (await lostCockpit.invoke('session.list')) as {
        sessions: { sessionId: string; interruptedAt?: number; endReason?: string }[];
      };
      expect(listed.sessions).toEqual([
        expect.objectContaining({ sessionId, interruptedAt: expect.any(Number) }),
      ]);
      expect(await lostPage.getByTestId('trades-session').textContent()).toContain('(interrupted)');

      const abandon = row.getByTestId('interrupted-abandon');
      await abandon.click();
      await eventually(() => abandon.textContent()).toBe('Abandon — sure?');
      await abandon.click();
      await eventually(() => lostPage.getByTestId('interrupted-sessions').count()).toBe(0);
      const after = (await lostCockpit.invoke('session.list')) as typeof listed;
      expect(after.sessions).toEqual([expect.objectContaining({ sessionId, endReason: 'ABANDONED' })]);
      expect(after.sessions[0]?.interruptedAt).toBeUndefined();
      expect(lostErrors).toEqual([]);
    } finally {
      await lostPage.close();
      await lost.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("(k) the keyboard opens what a click does, in a window opened mid-trade; a stopped session's rows offer no action", async () => {
    await startSession(cockpit);
    expect(await page.getByTestId('session-summary').textContent()).toContain('capital 10000.00');
    await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
    const mark = (await cockpit.snapshot()).marks['ETH/USDT']!;
    await fillTicket(page, { asset: 'ETH/USDT', type: 'LIMIT', size: '0.5', limit: (mark * 0.5).toFixed(2) });
    await eventually(async () => (await cockpit.snapshot()).openOrders.length).toBe(1);
    const { slots, openOrders } = await cockpit.snapshot();
    const tradeId = slots.find((slot) => slot.slotId === 0)!.tradeId!;
    const resting = openOrders[0]!;
    const lastSeq = (await cockpit.journal()).at(-1)!.seq;

    // Opened after the trade began, the window has seen none of its first events live.
    await page.reload();
    const slotRow = page.getByTestId('slot-row-0');
    await eventually(() => slotRow.getAttribute('data-state')).toBe('OPEN');
    await slotRow.focus();
    await page.keyboard.press('Enter');
    await eventually(() => page.getByTestId('lineage-node-trade').getAttribute('data-state')).toBe('OPEN');
    // Once its monitoring ticks have come live, its events are still listed whole, from the intent on.
    const tape = page.getByTestId('lineage-tape');
    const newestSeq = async () => Number(await tape.locator('tbody tr td').first().textContent());
    await eventually(newestSeq).toBeGreaterThan(lastSeq);
    expect(await tape.textContent()).toContain('TradingSignalIntentCreated');

    // In the graph the nodes take the focus and the arrows do not; Enter on a node opens it, as a click does.
    expect(await page.locator('.react-flow__edge').count()).toBeGreaterThan(0);
    expect(await page.locator('.react-flow__edge[tabindex]').count()).toBe(0);
    await page
      .locator('.react-flow__node', { has: page.getByTestId('lineage-node-fill') })
      .first()
      .focus();
    await page.keyboard.press('Enter');
    await eventually(() => page.getByTestId('node-details').getAttribute('data-kind')).toBe('fill');

    await page.getByTestId(`order-row-${resting.clientOrderId}`).focus();
    await page.keyboard.press(' ');
    await eventually(() => page.getByTestId('lineage-node-order').getAttribute('data-state')).toBe('PLACED');

    // A screen reader hears what a row's button acts on.
    expect(await page.getByRole('button', { name: `Exit trade ${tradeId} BTC/USDT` }).count()).toBe(1);
    expect(
      await page.getByRole('button', { name: `Cancel order ${resting.clientOrderId} BUY ETH/USDT` }).count(),
    ).toBe(1);

    // Stopped, the session's position and order stay on screen; the host would refuse any command on them.
    await page.getByTestId('session-stop').click();
    await eventually(() => page.getByTestId('session-status').textContent()).toContain('stopped');
    for (const testId of ['slot-exit-0', `order-cancel-${resting.clientOrderId}`, 'ticket-submit']) {
      const button = page.getByTestId(testId);
      await eventually(() => button.isDisabled()).toBe(true);
      expect(await button.getAttribute('title')).toBe('no session is running');
    }
  });

  it('(l) at 1100 px a waiting entry keeps its notional, TP / SL and buttons in sight; at 1024 px End replay stays in its panel', async () => {
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.getByTestId('session-risk').click();
    await page.getByTestId('session-supervised').check();
    await startSession(cockpit);
    const proposed = await cockpit.invoke<{ intentId: string }>('intent.submit', {
      asset: 'SOL/USDT',
      side: 'LONG',
      targetSize: 1,
      takeProfit: 999,
      stopLoss: 1,
      signalProvider: 'e2e-strategy',
      reason: 'a test proposal',
    });
    const row = page.locator(`[data-testid="pending-intent"][data-intent-id="${proposed.intentId}"]`);
    await eventually(() => row.count()).toBe(1);
    const box = async (locator: ReturnType<Page['locator']>) => (await locator.boundingBox())!;
    const [exits, buttons, rows] = [
      await box(row.locator('td').nth(4)),
      await box(row.locator('td').nth(5)),
      await box(page.locator('.sup-rows')),
    ];
    expect(buttons.x).toBeGreaterThanOrEqual(exits.x + exits.width - 1);
    const grant = await box(page.getByTestId(`intent-grant-${proposed.intentId}`));
    const reject = await box(page.getByTestId(`intent-reject-${proposed.intentId}`));
    expect(Math.max(grant.x + grant.width, reject.x + reject.width)).toBeLessThanOrEqual(rows.x + rows.width);

    await page.setViewportSize({ width: 1024, height: 768 });
    await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
    await page.getByTestId('slot-row-0').click();
    await page.getByTestId('replay-start').click();
    const panel = await box(page.locator('.panel.lineage'));
    const end = await box(page.getByTestId('replay-exit'));
    expect(end.x + end.width).toBeLessThanOrEqual(panel.x + panel.width);
    await page.getByTestId('replay-exit').click();
    await eventually(() => page.getByTestId('replay-bar').getAttribute('data-replaying')).toBe('false');
  });

  it('(m) the token leaves the address bar for the tab: a reload reconnects; a new tab on the bare address says what to open', async () => {
    // beforeEach opened the printed address; the window took the token out of it.
    expect(page.url()).toBe(`${host.origin}/`);
    const sessionId = await startSession(cockpit);
    await page.reload();
    expect(page.url()).toBe(`${host.origin}/`);
    await eventually(() => page.getByTestId('connection').getAttribute('data-state')).toBe('open');
    expect((await cockpit.snapshot()).session?.sessionId).toBe(sessionId);
    await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');

    // The same browser (so the asset cookie), a new tab (so no token): the page loads and says what to open.
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    try {
      await context.addCookies(await page.context().cookies());
      const tab = await context.newPage();
      const tabErrors = collectConsoleErrors(tab);
      const sockets: string[] = [];
      tab.on('websocket', (ws) => sockets.push(ws.url()));
      await tab.goto(`${host.origin}/`);
      const banner = tab.getByTestId('connection-banner');
      await eventually(() => banner.textContent()).toContain('This window has no token');
      expect(await banner.textContent()).toContain('Cockpit: http://127.0.0.1:PORT/?token=');
      expect(await tab.getByTestId('ticket-submit').isDisabled()).toBe(true);
      expect(sockets).toEqual([]);
      await tab.goto(host.url);
      await eventually(() => tab.getByTestId('connection').getAttribute('data-state')).toBe('open');
      expect(tab.url()).toBe(`${host.origin}/`);
      expect(await tab.getByTestId('connection-banner').count()).toBe(0);
      expect(tabErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("(n) at 1024 px a slot's Exit and Cancel are in sight without a sideways scroll, and no slot cell is cut; at 1600 px the mark is a column again", async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByTestId('session-symbols').fill('BTC/USDT,ETH/USDT,DOGE/USDT');
    await startSession(cockpit);
    await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
    await fillTicket(page, { asset: 'DOGE/USDT', side: 'SHORT', size: '20000' });
    await eventually(() => page.getByTestId('slot-row-1').getAttribute('data-state')).toBe('OPEN');
    const mark = (await cockpit.snapshot()).marks['ETH/USDT']!;
    await fillTicket(page, { asset: 'ETH/USDT', type: 'LIMIT', size: '0.5', limit: (mark * 0.5).toFixed(2) });
    await eventually(() => page.getByTestId('slot-cancel-2').count()).toBe(1);

    const layout = () => tableLayout(page, 'slots-table');
    const narrow = await layout();
    expect(narrow.sideways).toBe(0);
    expect(narrow.cut).toEqual([]);
    expect(narrow.headers).toEqual(['#', 'stage', 'asset', 'side', 'size', 'entry', 'unrl. PnL', '']);
    for (const action of ['slot-exit-0', 'slot-exit-1', 'slot-cancel-2']) {
      const button = (await page.getByTestId(action).boundingBox())!;
      expect(button.x + button.width, action).toBeLessThanOrEqual(narrow.right);
    }
    // The mark column is gone, not its figure: the PnL cell names it.
    const doge = page.getByTestId('slot-row-1').locator('td');
    expect(await doge.nth(2).innerText()).toBe('DOGE');
    expect(await doge.nth(7).getAttribute('title')).toMatch(/^at the mark 0\.\d{5}$/);

    await page.setViewportSize({ width: 1600, height: 1000 });
    const wide = await layout();
    expect(wide.sideways).toBe(0);
    expect(wide.cut).toEqual([]);
    expect(wide.headers).toEqual(['#', 'stage', 'asset', 'side', 'size', 'entry', 'mark', 'unrl. PnL', '']);
    expect(await doge.nth(2).innerText()).toBe('DOGE/USDT');
  });

  it("(o) at 1024 px an open order's Cancel, an orphan's Close and every trade figure are in sight without a sideways scroll; at 1600 px every column is back", async () => {
    // The widest blotter row: an orphan position (its Close) holding 6 digits of DOGE, with a 4-digit realized
    // PnL and 3-digit fees (its close filled in part). The paper venue cannot leave one, so the host's
    // snapshots are handed it as the host lists one after a late fill: an open trade no slot holds.
    const orphanId = 'e2e-orphan-T1';
    await addTradeToSnapshots(page, (session) => ({
      tradeId: orphanId,
      correlationId: orphanId,
      slotId: 0,
      asset: 'DOGE/USDT',
      side: 'SHORT',
      size: 400_000,
      entrySize: 900_000,
      entryPrice: 0.1501235,
      exitPrice: 0.1522083,
      realizedPnl: -1042.4,
      fees: 105.61,
      state: 'OPEN',
      openedAt: session.startedAt,
    }));
    await page.reload();
    await eventually(() => page.getByTestId('connection').getAttribute('data-state')).toBe('open');
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByTestId('session-symbols').fill('BTC/USDT,ETH/USDT,DOGE/USDT');
    await startSession(cockpit);
    // A closed trade (exit price, PnL, fees, reason), a cancelled entry, an open trade, and a resting entry order.
    await fillTicket(page, { asset: 'DOGE/USDT', side: 'SHORT', size: '20000' });
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
    await page.getByTestId('slot-exit-0').click();
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('IDLE');
    const far = (await cockpit.snapshot()).marks['ETH/USDT']! * 0.5;
    await fillTicket(page, { asset: 'ETH/USDT', type: 'LIMIT', size: '0.5', limit: far.toFixed(2) });
    await eventually(async () => (await cockpit.snapshot()).openOrders.length).toBe(1);
    await page.getByTestId('slot-cancel-0').click();
    await eventually(async () => (await cockpit.snapshot()).trades.some((t) => t.state === 'CANCELED')).toBe(
      true,
    );
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('IDLE');
    await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
    await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
    const mark = (await cockpit.snapshot()).marks['ETH/USDT']!;
    await fillTicket(page, { asset: 'ETH/USDT', type: 'LIMIT', size: '0.5', limit: (mark * 0.5).toFixed(2) });
    await eventually(async () => (await cockpit.snapshot()).openOrders.length).toBe(1);
    const { openOrders, trades } = await cockpit.snapshot();
    const resting = openOrders[0]!;
    const closed = trades.find((trade) => trade.state === 'CLOSED')!;
    const cancel = page.getByTestId(`order-cancel-${resting.clientOrderId}`);
    await cancel.waitFor();

    const narrowOrders = await tableLayout(page, 'orders-table');
    expect(narrowOrders.sideways).toBe(0);
    expect(narrowOrders.cut).toEqual([]);
    expect(narrowOrders.headers).toEqual(['asset', 'side', 'size', 'filled', 'limit', 'status', '']);
    const button = (await cancel.boundingBox())!;
    expect(button.x).toBeGreaterThanOrEqual(narrowOrders.left);
    expect(button.x + button.width).toBeLessThanOrEqual(narrowOrders.right);
    expect(button.y).toBeGreaterThanOrEqual(narrowOrders.top);
    expect(button.y + button.height).toBeLessThanOrEqual(narrowOrders.bottom);
    // The time and type columns are gone, not what they said: the row's title says them.
    const order = page.getByTestId(`order-row-${resting.clientOrderId}`);
    expect(await order.getAttribute('title')).toMatch(/ · LIMIT · placed \d\d:\d\d:\d\d$/);
    expect(await order.locator('td').nth(1).innerText()).toBe('ETH');

    const narrowTrades = await tableLayout(page, 'trades-table');
    expect(narrowTrades.sideways).toBe(0);
    expect(narrowTrades.cut).toEqual([]);
    expect(narrowTrades.headers).toEqual(['state', 'asset', 'side', 'size', 'entry', 'real. PnL', 'fees']);
    // The exit price and the reason are in the titles of the PnL and the state, the opening time in the row's.
    const closedRow = page.getByTestId(`trade-row-${closed.tradeId}`);
    const trade = closedRow.locator('td');
    expect(await trade.nth(7).getAttribute('title')).toMatch(/^exit at 0\.\d{5,}$/);
    expect(await trade.nth(1).getAttribute('title')).toBe('reason: MANUAL');
    expect(await closedRow.getAttribute('title')).toMatch(/ · opened \d\d:\d\d:\d\d$/);
    // The orphan's figures are all shown, and its Close is in sight.
    const orphan = page.getByTestId(`trade-row-${orphanId}`).locator('td');
    const shown = [4, 7, 8].map((column) => orphan.nth(column).innerText());
    expect(await Promise.all(shown)).toEqual(['400000', '-1042.40', '105.61']);
    const close = (await page.getByTestId(`trade-exit-${orphanId}`).boundingBox())!;
    expect(close.x).toBeGreaterThanOrEqual(narrowTrades.left);
    expect(close.x + close.width).toBeLessThanOrEqual(narrowTrades.right);

    await page.setViewportSize({ width: 1280, height: 800 });
    for (const table of ['orders-table', 'trades-table']) {
      const { sideways, cut } = await tableLayout(page, table);
      expect({ table, sideways, cut }).toEqual({ table, sideways: 0, cut: [] });
    }

    await page.setViewportSize({ width: 1600, height: 1000 });
    const wideOrders = await tableLayout(page, 'orders-table');
    expect(wideOrders.sideways).toBe(0);
    expect(wideOrders.cut).toEqual([]);
    expect(wideOrders.headers).toEqual([
      'time',
      'asset',
      'side',
      'type',
      'size',
      'filled',
      'limit',
      'status',
      '',
    ]);
    const wideTrades = await tableLayout(page, 'trades-table');
    expect(wideTrades.sideways).toBe(0);
    expect(wideTrades.cut).toEqual([]);
    expect(wideTrades.headers).toEqual([
      'opened',
      'state',
      'asset',
      'side',
      'size',
      'entry',
      'exit',
      'real. PnL',
      'fees',
      'reason',
    ]);
    expect(await trade.nth(9).innerText()).toBe('MANUAL');
  });
});
