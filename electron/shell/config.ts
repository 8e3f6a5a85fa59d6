// Settings of both shells (the Electron app and the browser host) from the environment, checked before
// anything starts.
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'trading-cockpit';

export interface PlatformInfo {
  platform: NodeJS.Platform;
  homedir: string;
}

/** COCKPIT_DATA_DIR, else the per-user data folder of the platform (XDG on Linux). */
export function dataDirFrom(
  env: NodeJS.ProcessEnv,
  { platform, homedir }: PlatformInfo = { platform: process.platform, homedir: os.homedir() },
): string {
  if (env.COCKPIT_DATA_DIR) return path.resolve(env.COCKPIT_DATA_DIR);
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(homedir, 'AppData', 'Roaming'), APP_DIR_NAME);
  }
  if (platform === 'darwin') return path.join(homedir, 'Library', 'Application Support', APP_DIR_NAME);
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir, '.local', 'share');
  return path.join(base, APP_DIR_NAME);
}

const PROFILE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** COCKPIT_PROFILE or 'default'; a profile names a file, so only [A-Za-z0-9_-]. */
export function profileFrom(env: NodeJS.ProcessEnv): string {
  const profile = env.COCKPIT_PROFILE ?? 'default';
  if (!PROFILE.test(profile)) {
    throw new Error(
      `COCKPIT_PROFILE=${JSON.stringify(profile)} is not a profile name: use 1-64 letters, digits, '-' or '_'`,
    );
  }
  return profile;
}

/** COCKPIT_PORT or 0 (any free port). */
export function portFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.COCKPIT_PORT;
  if (raw === undefined || raw === '') return 0;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port > 65535) {
    throw new Error(`COCKPIT_PORT=${JSON.stringify(raw)} is not a port: use 0-65535 (0 = any free port)`);
  }
  return port;
}

/**
 * COCKPIT_SQLITE_BINDING: the better-sqlite3 build for Electron's ABI that scripts/launch-electron.mjs
 * makes, or undefined. Only a `better_sqlite3.node` in the launcher's cache under `root` is taken: the
 * file is loaded into the main process, and an environment variable must not load any other code there
 * (what the NODE_OPTIONS fuse is off for).
 */
export function sqliteBindingFrom(env: NodeJS.ProcessEnv, root: string): string | undefined {
  const raw = env.COCKPIT_SQLITE_BINDING;
  if (raw === undefined || raw === '') return undefined;
  const cache = path.resolve(root, 'node_modules', '.cache', APP_DIR_NAME);
  const binding = path.resolve(raw);
  const inCache = path.relative(cache, binding);
  if (
    path.basename(binding) !== 'better_sqlite3.node' ||
    inCache.startsWith('..') ||
    path.isAbsolute(inCache)
  ) {
    throw new Error(
      `COCKPIT_SQLITE_BINDING=${JSON.stringify(raw)} is not a better_sqlite3.node under ${cache}: ` +
        'unset it, or launch with npm start, which builds one there',
    );
  }
  return binding;
}

export type LogLevel = 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;

/** Log lines on stderr (stdout carries only the URL line). */
export const stderrLog: Log = (level, message) => {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
};
