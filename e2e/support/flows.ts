// What an operator does, written once, run in every window (browser host, Electron).
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { JournalEvent, Snapshot } from '../../shared/index.js';

export interface Cockpit {
  page: Page;
  invoke<T>(name: string, request?: object): Promise<T>;
  snapshot(): Promise<{ ok: true } & Snapshot>;
  journal(): Promise<JournalEvent[]>;
}

export function cockpitOn(page: Page): Cockpit {
  const invoke = <T>(name: string, request: object = {}) =>
    page.evaluate(
      ([n, r]) =>
        (
          globalThis as unknown as { cockpit: { invoke(n: string, r: object): Promise<unknown> } }
        ).cockpit.invoke(n, r),
      [name, request] as const,
    ) as Promise<T>;
  return {
    page,
    invoke,
    snapshot: () => invoke('snapshot'),
    journal: async () => (await invoke<{ events: JournalEvent[] }>('journal.page', { limit: 1000 })).events,
  };
}

/** Retries a read of the page until the expectation holds (the window updates asynchronously). */
export const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 50 });

export async function startSession(cockpit: Cockpit): Promise<string> {
  const { page } = cockpit;
  await page.getByTestId('session-seed').fill('7');
  await page.getByTestId('session-start').click();
  await eventually(() => page.getByTestId('session-status').textContent()).toContain('running');
  const snap = await cockpit.snapshot();
  expect(snap.session).not.toBeNull();
  return snap.session!.sessionId;
}

export async function fillTicket(
  page: Page,
  fields: { asset: string; side?: string; type?: string; size: string; limit?: string },
) {
  await page.getByTestId('ticket-asset').fill(fields.asset);
  await page.getByTestId('ticket-side').selectOption(fields.side ?? 'LONG');
  await page.getByTestId('ticket-type').selectOption(fields.type ?? 'MARKET');
  await page.getByTestId('ticket-size').fill(fields.size);
  if (fields.limit !== undefined) await page.getByTestId('ticket-limit').fill(fields.limit);
  await page.getByTestId('ticket-submit').click();
}

/**
 * Flow (a): a market intent becomes a signal, an order, fills and a trade;
 * exiting realizes the PnL and frees the slot. Returns the lineage it made.
 */
export async function marketRoundTrip(
  cockpit: Cockpit,
): Promise<{ sessionId: string; correlationId: string }> {
  const { page } = cockpit;
  const sessionId = await startSession(cockpit);
  await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
  await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');

  const open = await cockpit.snapshot();
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
  await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('IDLE');
  const closed = await cockpit.snapshot();
  expect(closed.slots[0]).toMatchObject({ free: true });
  const trade = closed.trades.find((t) => t.correlationId === correlationId)!;
  expect(trade).toMatchObject({ state: 'CLOSED', closeReason: 'MANUAL' });
  expect(closed.account!.realizedPnl).toBeCloseTo(trade.realizedPnl, 9);
  await eventually(async () => (await page.getByTestId('account-realized').textContent())?.trim()).toBe(
    closed.account!.realizedPnl.toFixed(2),
  );
  await eventually(() => page.getByTestId(`trade-row-${trade.tradeId}`).getAttribute('data-state')).toBe(
    'CLOSED',
  );
  return { sessionId, correlationId };
}
