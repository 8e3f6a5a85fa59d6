// The launcher: its refusal to run a window as root without its OS sandbox unless the operator asks,
// and the e2e driver's own copy of Electron.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { driverElectron, isRoot, NO_SANDBOX_OPT_IN, prepareElectronLaunch } from './launch-electron.mjs';

it.runIf(isRoot)(
  'refuses to launch Electron as root without the opt-in, before building or touching the binary',
  () => {
    const saved = process.env[NO_SANDBOX_OPT_IN];
    delete process.env[NO_SANDBOX_OPT_IN];
    try {
      // No such binary: had the launch gone on, setting its fuses would have failed on the missing file.
      expect(() => prepareElectronLaunch({ executable: '/nonexistent/electron' })).toThrow(
        /running as root, Chromium's OS sandbox cannot start: .*COCKPIT_ALLOW_NO_SANDBOX=1/,
      );
    } finally {
      if (saved !== undefined) process.env[NO_SANDBOX_OPT_IN] = saved;
    }
  },
);

it("copies Electron's dist folder once for the e2e driver, and hands back the executable in the copy", () => {
  const base = mkdtempSync(path.join(tmpdir(), 'cockpit-driver-'));
  try {
    const dist = path.join(base, 'dist');
    mkdirSync(path.join(dist, 'locales'), { recursive: true });
    writeFileSync(path.join(dist, 'electron'), 'the binary');
    writeFileSync(path.join(dist, 'locales', 'en-US.pak'), 'a resource');
    const cache = path.join(base, 'cache');
    const copy = driverElectron(path.join(dist, 'electron'), { dist, cache, version: '9.9.9' });
    expect(copy).toBe(path.join(cache, 'electron-9.9.9-driver', 'electron'));
    expect(readFileSync(copy, 'utf8')).toBe('the binary');
    expect(readFileSync(path.join(cache, 'electron-9.9.9-driver', 'locales', 'en-US.pak'), 'utf8')).toBe(
      'a resource',
    );
    // Made once: a second launch takes the copy as it is (its fuses set), not a fresh one.
    writeFileSync(copy, 'the copy, its fuses set');
    expect(driverElectron(path.join(dist, 'electron'), { dist, cache, version: '9.9.9' })).toBe(copy);
    expect(readFileSync(copy, 'utf8')).toBe('the copy, its fuses set');
    expect(() => driverElectron('/usr/bin/electron', { dist, cache, version: '9.9.9' })).toThrow(
      /not in Electron's dist folder/,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
