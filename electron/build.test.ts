// scripts/build-electron.mjs: the bundles Electron loads, built without an Electron binary.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist-electron');
let main = '';
let preload = '';

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs')], { cwd: root });
  main = readFileSync(path.join(out, 'main.js'), 'utf8');
  preload = readFileSync(path.join(out, 'preload.cjs'), 'utf8');
});

describe('npm run build:electron', () => {
  it('bundles the preload as one CommonJS file that requires nothing but electron (sandbox: true)', () => {
    const required = [...preload.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('exposeInMainWorld("cockpit"');
    expect(preload).toContain('"cockpit:invoke"');
  });

  it('bundles main as ESM with electron, packages and the native kernel left external', () => {
    const imported = new Set([...main.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]));
    expect(imported).toContain('electron');
    expect(imported).toContain('better-sqlite3');
    expect(imported).toContain('../native/index.js');
    for (const specifier of imported) {
      expect(specifier, specifier).toMatch(/^(node:|electron$|\.\.\/native\/index\.js$|[a-z@])/);
    }
    expect(main).not.toContain(root);
  });
});
