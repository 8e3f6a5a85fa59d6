// The launcher's refusal to run a window as root without its OS sandbox unless the operator asks.
import { expect, it } from 'vitest';
import { isRoot, NO_SANDBOX_OPT_IN, prepareElectronLaunch } from './launch-electron.mjs';

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
