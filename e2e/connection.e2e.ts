// Flow (e): the host goes away under an open window, then comes back on the same port with a new
// token, as a restarted `npm run serve` does; the session from before is read back from the journal.
// Its own host processes: it stops and restarts them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBrowserHostProcess } from './support/browser-host.js';
import { collectConsoleErrors, launchChromium } from './support/chromium.js';
import { cockpitOn, eventually, fillTicket, startSession } from './support/flows.js';

/** What Chromium logs by itself while the host is down or refuses the old token. */
const NETWORK_NOISE = /WebSocket connection to .* failed|Failed to load resource/;

describe('connection to the host', () => {
  it('(e) a lost host is said and commands wait; a host restarted with a new token is told apart, and reads back the session from before', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-e2e-restart-'));
    let host = await startBrowserHostProcess({ dataDir });
    const port = Number(new URL(host.url).port);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const consoleErrors = collectConsoleErrors(page);
      const cockpit = cockpitOn(page);
      await page.goto(host.url);
      const sessionId = await startSession(cockpit);
      await fillTicket(page, { asset: 'BTC/USDT', size: '0.01' });
      await eventually(() => page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
      expect(await page.getByTestId('connection-banner').count()).toBe(0);

      await host.stop();
      const banner = page.getByTestId('connection-banner');
      await eventually(() => banner.textContent()).toContain('Connection to the host lost');
      expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);
      expect(await page.getByTestId('slot-exit-0').isDisabled()).toBe(true);
      // What was live stays on screen, said to be as of the drop.
      expect(await page.getByTestId('slot-row-0').getAttribute('data-state')).toBe('OPEN');
      expect(await banner.textContent()).toContain('Everything shown is as of');

      host = await startBrowserHostProcess({ dataDir, port });
      // The old token is refused: retrying cannot help, and the window says what to do instead.
      await expect
        .poll(() => banner.textContent(), { timeout: 20_000, interval: 100 })
        .toContain('The host was restarted');
      expect(await page.getByTestId('ticket-submit').isDisabled()).toBe(true);

      await page.goto(host.url);
      await eventually(() => page.getByTestId('connection').getAttribute('data-state')).toBe('open');
      expect(await banner.count()).toBe(0);
      expect(await page.getByTestId('session-start').isEnabled()).toBe(true);
      // The trade made before the restart is in the journal the new host reads.
      const journal = await cockpit.journal();
      expect(journal.filter((e) => e.sessionId === sessionId).map((e) => e.type)).toContain('TradeOpened');
      // And the window reads it back: the session's trade, open when the host went away, and its lineage.
      await eventually(() => page.getByTestId('trades-empty').textContent()).toContain('pick an earlier one');
      await page.getByTestId('trades-session').selectOption(sessionId);
      const row = page.locator('[data-testid^="trade-row-"]');
      await eventually(() => row.getAttribute('data-state')).toBe('OPEN');
      await row.click();
      await eventually(() => page.getByTestId('lineage-node-trade').getAttribute('data-state')).toBe('OPEN');
      await eventually(() => page.locator('[data-testid="lineage-tape"] tbody tr').count()).toBeGreaterThan(
        5,
      );
      expect(consoleErrors.filter((e) => !NETWORK_NOISE.test(e))).toEqual([]);
    } finally {
      await browser.close();
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
