// What an operator does, in the browser host, in Debian's Chromium.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../electron/host/journal/journal.js';
import { buildLineage } from '../electron/host/lineage/lineage.js';
import type { JournalEvent, LineageGraph, Snapshot } from '../shared/index.js';
import { startBrowserHostProcess, type RunningHost } from './support/browser-host.js';
import { collectConsoleErrors, launchChromium } from './support/chromium.js';

let host: RunningHost;
let browser: Browser;
let page: Page;
let consoleErrors: string[];

async function invoke<T>(name: string, request: object = {}): Promise<T> {
  return page.evaluate(
    ([n, r]) =>
      (
        globalThis as unknown as { cockpit: { invoke(n: string, r: object): Promise<unknown> } }
      ).cockpit.invoke(n, r),
    [name, request] as const,
  ) as Promise<T>;
}

const snapshot = () => invoke<{ ok: true } & Snapshot>('snapshot');
const journalPage = () =>
  invoke<{ ok: true; events: JournalEvent[]; nextSeq: number | null }>('journal.page', { limit: 1000 });

async function startSession(): Promise<string> {
  await page.getByTestId('session-seed').fill('7');
  await page.getByTestId('session-start').click();
  await eventually(() => page.getByTestId('session-status').textContent()).toContain('running');
  const snap = await snapshot();
  expect(snap.session).not.toBeNull();
  return snap.session!.sessionId;
}

async function fillTicket(fields: {
  asset: string;
  side?: string;
  type?: string;
  size: string;
  limit?: string;
}) {
  await page.getByTestId('ticket-asset').fill(fields.asset);
  await page.getByTestId('ticket-side').selectOption(fields.side ?? 'LONG');
  await page.getByTestId('ticket-type').selectOption(fields.type ?? 'MARKET');
  await page.getByTestId('ticket-size').fill(fields.size);
  if (fields.limit !== undefined) await page.getByTestId('ticket-limit').fill(fields.limit);
  await page.getByTestId('ticket-submit').click();
}

const slotRow = (slotId: number) => page.getByTestId(`slot-row-${slotId}`);
/** Retries a read of the page until the expectation holds (the window updates asynchronously). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 50 });

beforeAll(async () => {
  host = await startBrowserHostProcess();
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
  await page.goto(host.url);
  await eventually(() => page.getByTestId('session-status').textContent()).toBeTruthy();
  const current = await snapshot();
  if (current.session) await invoke('session.stop');
});

afterEach(async () => {
  expect(consoleErrors).toEqual([]);
  await page.close();
});

describe('browser host', () => {
  it('(a) a market intent becomes a signal, an order, fills and a trade; exiting realizes the PnL and frees the slot', async () => {
    const sessionId = await startSession();
    await fillTicket({ asset: 'BTC/USDT', size: '0.01' });
    await eventually(() => slotRow(0).getAttribute('data-state')).toBe('OPEN');

    const open = await snapshot();
    const slot = open.slots.find((s) => s.slotId === 0)!;
    expect(slot).toMatchObject({ asset: 'BTC/USDT', side: 'LONG', size: 0.01, free: false });
    expect(slot.entryPrice).toBeGreaterThan(0);
    const correlationId = slot.correlationId!;

    for (const kind of ['intent', 'signal', 'order', 'fill', 'trade']) {
      await page.getByTestId(`lineage-node-${kind}`).first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    await page.getByTestId('lineage-node-fill').first().click();
    await eventually(() => page.getByTestId('node-details').textContent()).toContain('OrderPartiallyFilled');

    await page.getByTestId('slot-exit-0').click();
    await eventually(() => slotRow(0).getAttribute('data-state')).toBe('IDLE');
    const closed = await snapshot();
    expect(closed.slots[0]).toMatchObject({ free: true });
    const trade = closed.trades.find((t) => t.correlationId === correlationId)!;
    expect(trade.state).toBe('CLOSED');
    expect(closed.account!.realizedPnl).toBeCloseTo(trade.realizedPnl, 9);
    expect(closed.account!.realizedPnl).not.toBe(0);
    await eventually(async () => (await page.getByTestId('account-realized').textContent())?.trim()).toBe(
      closed.account!.realizedPnl.toFixed(2),
    );
    await eventually(() => page.getByTestId(`trade-row-${trade.tradeId}`).getAttribute('data-state')).toBe(
      'CLOSED',
    );

    // The journal holds every event in seq order, and the lineage rebuilt from it alone equals the live one.
    const { events } = await journalPage();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const live = await invoke<{ ok: true } & LineageGraph>('lineage', { correlationId });
    const journal = new Journal(host.journalPath, { readonly: true });
    try {
      const replayed = buildLineage(correlationId, journal.byCorrelation(sessionId, correlationId));
      expect(replayed.nodes).toEqual(live.nodes);
      expect(replayed.edges).toEqual(live.edges);
      expect(journal.page(sessionId, 0, 10_000).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    } finally {
      journal.close();
    }
    const kinds = new Set(live.nodes.map((n) => n.kind));
    expect([...kinds].sort()).toEqual(['fill', 'intent', 'order', 'signal', 'trade']);
  });

  it('(b) a limit order far from the price rests, is cancelled, and its graph shows the cancel', async () => {
    await startSession();
    const mark = (await snapshot()).marks['ETH/USDT']!;
    await fillTicket({ asset: 'ETH/USDT', type: 'LIMIT', size: '0.5', limit: (mark * 0.5).toFixed(2) });

    const rows = page.locator('[data-testid^="order-row-"]');
    await eventually(() => rows.count()).toBe(1);
    const { openOrders } = await snapshot();
    expect(openOrders).toHaveLength(1);
    const [resting] = openOrders;
    expect(resting).toMatchObject({ asset: 'ETH/USDT', orderType: 'LIMIT', side: 'BUY', filledSize: 0 });

    await page.getByTestId(`order-cancel-${resting!.clientOrderId}`).click();
    await eventually(() => rows.count()).toBe(0);
    await eventually(() => slotRow(0).getAttribute('data-state')).toBe('IDLE');
    const after = await snapshot();
    expect(after.openOrders).toEqual([]);
    expect(after.slots.every((s) => s.free)).toBe(true);

    const graph = await invoke<{ ok: true } & LineageGraph>('lineage', {
      correlationId: resting!.correlationId,
    });
    expect(graph.nodes.find((n) => n.kind === 'order')?.state).toBe('CANCELED');
    await eventually(() => page.getByTestId('lineage-node-order').getAttribute('data-state')).toBe(
      'CANCELED',
    );
    await eventually(() => page.getByTestId('lineage-node-fill').count()).toBe(0);
  });

  it('(c) a bad intent gets a clear error on screen and changes nothing in slots or journal', async () => {
    await startSession();
    const before = await snapshot();
    const journalBefore = await journalPage();

    await fillTicket({ asset: 'BTC/USDT', size: '-1' });
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain('targetSize');
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain('-1');

    await fillTicket({ asset: 'BTC/USDT', type: 'LIMIT', size: '0.01', limit: 'NaN' });
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain('limitPrice');
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain('NaN');

    await fillTicket({ asset: 'XYZ/USDT', size: '0.01' });
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain('asset');
    await eventually(() => page.getByTestId('ticket-error').textContent()).toContain('XYZ/USDT');

    // The host refuses the same bad values from any window, not only the ticket's own checks.
    const direct = await invoke<{ ok: false; error: { code: string; field: string; message: string } }>(
      'intent.submit',
      { asset: 'BTC/USDT', side: 'LONG', targetSize: -1 },
    );
    expect(direct).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'targetSize' } });
    expect(direct.error.message).toContain('-1');

    const after = await snapshot();
    expect(after.slots).toEqual(before.slots);
    expect((await journalPage()).events).toEqual(journalBefore.events);
  });
});
