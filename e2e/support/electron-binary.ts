// Where the Electron binary is, if this machine has it. The `electron`
// package is an optional dependency whose binary download may not have run.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function findElectronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
