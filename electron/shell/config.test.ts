import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirFrom, portFrom, profileFrom, sqliteBindingFrom } from './config.js';

const linux = { platform: 'linux' as const, homedir: '/home/op' };

describe('browser host settings from the environment', () => {
  it('puts the journal in COCKPIT_DATA_DIR, else the per-user data folder', () => {
    expect(dataDirFrom({ COCKPIT_DATA_DIR: '/tmp/j' }, linux)).toBe('/tmp/j');
    expect(dataDirFrom({ COCKPIT_DATA_DIR: 'rel' }, linux)).toBe(path.resolve('rel'));
    expect(dataDirFrom({}, linux)).toBe('/home/op/.local/share/trading-cockpit');
    expect(dataDirFrom({ XDG_DATA_HOME: '/data' }, linux)).toBe('/data/trading-cockpit');
    expect(dataDirFrom({ XDG_DATA_HOME: 'relative' }, linux)).toBe('/home/op/.local/share/trading-cockpit');
    expect(dataDirFrom({}, { platform: 'darwin', homedir: '/Users/op' })).toBe(
      '/Users/op/Library/Application Support/trading-cockpit',
    );
  });

  it("uses COCKPIT_PROFILE or 'default', refusing names that are not a plain file name", () => {
    expect(profileFrom({})).toBe('default');
    expect(profileFrom({ COCKPIT_PROFILE: 'desk-2_b' })).toBe('desk-2_b');
    for (const bad of ['', '../x', 'a/b', '.hidden', 'x'.repeat(65), 'a b']) {
      expect(() => profileFrom({ COCKPIT_PROFILE: bad }), bad).toThrow(/COCKPIT_PROFILE/);
    }
  });

  it('uses COCKPIT_PORT or 0 (any free port), refusing anything but 0-65535', () => {
    expect(portFrom({})).toBe(0);
    expect(portFrom({ COCKPIT_PORT: '' })).toBe(0);
    expect(portFrom({ COCKPIT_PORT: '8123' })).toBe(8123);
    for (const bad of ['-1', '65536', '80.5', 'http', ' 80', '0x50']) {
      expect(() => portFrom({ COCKPIT_PORT: bad }), bad).toThrow(/COCKPIT_PORT/);
    }
  });

  it("loads COCKPIT_SQLITE_BINDING only from the Electron launcher's cache under the root, as better_sqlite3.node", () => {
    const root = '/opt/cockpit';
    const built = '/opt/cockpit/node_modules/.cache/trading-cockpit/b-12/build/Release/better_sqlite3.node';
    expect(sqliteBindingFrom({}, root)).toBeUndefined();
    expect(sqliteBindingFrom({ COCKPIT_SQLITE_BINDING: '' }, root)).toBeUndefined();
    expect(sqliteBindingFrom({ COCKPIT_SQLITE_BINDING: built }, root)).toBe(built);
    for (const bad of [
      '/tmp/better_sqlite3.node',
      '/opt/cockpit/node_modules/.cache/trading-cockpit/../../evil/better_sqlite3.node',
      '/opt/cockpit/node_modules/.cache/trading-cockpit/b-12/build/Release/evil.node',
      '/opt/cockpit/node_modules/.cache/trading-cockpit-x/better_sqlite3.node',
      'better_sqlite3.node',
    ]) {
      expect(() => sqliteBindingFrom({ COCKPIT_SQLITE_BINDING: bad }, root), bad).toThrow(
        /COCKPIT_SQLITE_BINDING/,
      );
    }
  });
});
