// The fuse policy set on a stand-in Electron binary: filler bytes around Electron's fuse wire
// as Electron ships it, read back with @electron/fuses itself.
import { getCurrentFuseWire } from '@electron/fuses';
import { SENTINEL } from '@electron/fuses/dist/constants.js';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyFusePolicy, DRIVER_FUSE_POLICY } from './electron-fuses.mjs';

// RunAsNode, EnableCookieEncryption, EnableNodeOptionsEnvironmentVariable,
// EnableNodeCliInspectArguments, EnableEmbeddedAsarIntegrityValidation, OnlyLoadAppFromAsar,
// LoadBrowserProcessSpecificV8Snapshot, GrantFileProtocolExtraPrivileges: Electron's defaults.
const AS_SHIPPED = '10110001';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function standInBinary(wire: string, withSentinel = true): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cockpit-fuses-'));
  dirs.push(dir);
  const file = path.join(dir, 'electron');
  const filler = Buffer.alloc(4096, 0x90);
  const fuses = withSentinel
    ? Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire)])
    : Buffer.alloc(0);
  writeFileSync(file, Buffer.concat([filler, fuses, filler]));
  return file;
}

async function wireOf(file: string): Promise<string> {
  const current = await getCurrentFuseWire(file);
  return Array.from({ length: 8 }, (_, i) => String.fromCharCode(Number(current[i as 0]))).join('');
}

describe('the Electron fuse policy', () => {
  it('turns off run-as-node, NODE_OPTIONS, --inspect and file:// privileges, and turns on cookie encryption', async () => {
    const binary = standInBinary(AS_SHIPPED);
    expect(await applyFusePolicy(binary)).toEqual([
      'RunAsNode',
      'EnableCookieEncryption',
      'EnableNodeOptionsEnvironmentVariable',
      'EnableNodeCliInspectArguments',
      'GrantFileProtocolExtraPrivileges',
    ]);
    // The asar fuses and the V8 snapshot fuse stay as shipped (the app is not packaged in an asar).
    expect(await wireOf(binary)).toBe('01000000');
  });

  it("leaves --inspect on in the driver's policy alone, for the e2e's own copy of Electron", async () => {
    const binary = standInBinary(AS_SHIPPED);
    expect(await applyFusePolicy(binary, DRIVER_FUSE_POLICY)).not.toContain('EnableNodeCliInspectArguments');
    expect(await wireOf(binary)).toBe('01010000');
  });

  it('leaves a binary that already has the policy untouched', async () => {
    const binary = standInBinary('01000000');
    const before = readFileSync(binary);
    const { mtimeMs } = statSync(binary);
    expect(await applyFusePolicy(binary)).toEqual([]);
    expect(readFileSync(binary).equals(before)).toBe(true);
    expect(statSync(binary).mtimeMs).toBe(mtimeMs);
  });

  it('leaves a fuse this Electron removed alone', async () => {
    const binary = standInBinary('r0110001');
    expect(await applyFusePolicy(binary)).not.toContain('RunAsNode');
    expect((await wireOf(binary))[0]).toBe('r');
  });

  it('refuses a file without a fuse wire, saying so', async () => {
    const binary = standInBinary(AS_SHIPPED, false);
    await expect(applyFusePolicy(binary)).rejects.toThrow(/sentinel/);
  });
});
