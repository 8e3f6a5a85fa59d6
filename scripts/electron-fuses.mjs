// Electron's fuses (security checklist: "check which fuses you can change"): features turned
// off in the binary itself, so that no environment variable or command-line flag turns them
// back on. The launch path applies the policy to the Electron binary it runs. Packaging, when
// it exists, applies it to the binary it ships, and turns off the fuses listed below as left.
//
//   node scripts/electron-fuses.mjs <electron binary> [--driver]    sets the policy (or the
//   driver's, on the e2e's own copy of Electron), says what it changed
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const FUSE_POLICY = {
  version: FuseVersion.V1,
  // ELECTRON_RUN_AS_NODE would make the app's binary a plain Node with the user's rights.
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS would let anyone who can start the app load code into its main process.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // The window loads from the app:// protocol, never from file://.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  // --inspect, and SIGUSR1 from any process of the same user, would open a debugger on the main
  // process, which holds the exchange keys and the journal.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Left as Electron ships them: EnableEmbeddedAsarIntegrityValidation and OnlyLoadAppFromAsar,
  // because they need the app in an asar archive, which only packaging makes.
};

/**
 * The e2e variant's own copy of Electron (never the binary `npm start` runs): Playwright's
 * Electron driver attaches through --inspect=0 and times out without it.
 */
export const DRIVER_FUSE_POLICY = { ...FUSE_POLICY, [FuseV1Options.EnableNodeCliInspectArguments]: true };

// A fuse on the wire is the character '1' or '0', or 'r' once Electron has removed it.
const [ON, OFF, REMOVED] = ['1', '0', 'r'].map((c) => c.charCodeAt(0));

/**
 * Sets FUSE_POLICY on `binary`. The file is rewritten only when a fuse differs (a running
 * binary cannot be written, and an unchanged one need not be). Returns the names of the fuses
 * it changed; a fuse this Electron has removed is left alone.
 */
export async function applyFusePolicy(binary, policy = FUSE_POLICY) {
  const wire = await getCurrentFuseWire(binary);
  const settable = Object.entries(policy).filter(([key]) => key !== 'version' && wire[key] !== REMOVED);
  const changed = settable.filter(([index, on]) => wire[index] !== (on ? ON : OFF));
  // flipFuses would write a removed fuse too: it is given only the ones that still exist.
  if (changed.length > 0) {
    await flipFuses(binary, {
      version: policy.version,
      ...Object.fromEntries(settable),
      // Rewriting the framework breaks its ad-hoc signature, without which Apple silicon will not run it.
      resetAdHocDarwinSignature: process.platform === 'darwin' && process.arch === 'arm64',
    });
  }
  return changed.map(([index]) => FuseV1Options[Number(index)]);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const binary = process.argv[2];
  try {
    if (!binary) throw new Error('usage: node scripts/electron-fuses.mjs <electron binary> [--driver]');
    const driver = process.argv.includes('--driver');
    const changed = await applyFusePolicy(binary, driver ? DRIVER_FUSE_POLICY : FUSE_POLICY);
    if (changed.length > 0) process.stderr.write(`start: Electron fuses set: ${changed.join(', ')}\n`);
  } catch (error) {
    process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
