// Flow (a) in the Electron app itself. Runs where the Electron binary is
// installed; elsewhere it reports itself skipped and says why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findElectronBinary,
  NO_SANDBOX_OPT_IN,
  prepareElectronLaunch,
  root,
} from '../scripts/launch-electron.mjs';
import { collectConsoleErrors } from './support/chromium.js';
import { cockpitOn, marketRoundTrip } from './support/flows.js';

const binary = findElectronBinary();
if (!binary) console.info('Electron e2e skipped: the Electron binary is not installed on this machine');

describe.skipIf(!binary)('electron app', () => {
  let app: ElectronApplication;
  let dataDir: string;
  let launch: ReturnType<typeof prepareElectronLaunch>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cockpit-electron-e2e-'));
    // A test machine may run as root, where the window runs without Chromium's OS sandbox only when asked.
    // Playwright's driver attaches through --inspect: the e2e runs its own copy of Electron that allows it.
    launch = prepareElectronLaunch({
      env: { COCKPIT_DATA_DIR: dataDir, COCKPIT_PROFILE: 'e2e', [NO_SANDBOX_OPT_IN]: '1' },
      driver: true,
    });
    app = await electron.launch({
      executablePath: launch.executable,
      args: launch.args,
      env: launch.env as Record<string, string>,
      cwd: root,
    });
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs its own copy of Electron with the launch's fuses, --inspect on for the driver alone", async () => {
    expect(launch.executable).not.toBe(binary);
    const wire = await getCurrentFuseWire(launch.executable);
    const on = (fuse: FuseV1Options) => String.fromCharCode(Number(wire[fuse]));
    expect(on(FuseV1Options.RunAsNode)).toBe('0');
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(on(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe('0');
    expect(on(FuseV1Options.EnableCookieEncryption)).toBe('1');
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe('1');
  });

  it('(a) runs a market intent to a closed trade in the app window, with the window API sandboxed', async () => {
    const page = await app.firstWindow();
    const consoleErrors = collectConsoleErrors(page);
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(
      await page.evaluate(() => Object.keys((globalThis as unknown as { cockpit: object }).cockpit).sort()),
    ).toEqual(['invoke', 'subscribe']);
    await marketRoundTrip(cockpitOn(page));
    expect(consoleErrors).toEqual([]);
  });
});
