import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertRendererBuilt, contentTypeOf, readStaticFile, resolveStaticPath } from './static-files.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'cockpit-static-'));
const root = path.join(base, 'renderer');
mkdirSync(path.join(root, 'assets'), { recursive: true });
writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(base, 'secret.txt'), 'secret');
symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveStaticPath', () => {
  it('maps a URL path to a file under the root', () => {
    expect(resolveStaticPath(root, '/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveStaticPath(root, '/assets/my%20file.js')).toBe(path.join(root, 'assets', 'my file.js'));
  });

  it('refuses every form of path traversal', () => {
    for (const attempt of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
      '/..\\secret.txt',
      '/assets/./app.js',
      '/C:/Windows/win.ini',
      '/assets/app.js%00.png',
      '/%E0%A4%A', // malformed percent-encoding
      'assets/app.js', // not origin-form
      `//${base}/secret.txt`,
    ]) {
      const resolved = resolveStaticPath(root, attempt);
      if (resolved !== null) expect(resolved.startsWith(root + path.sep), attempt).toBe(true);
      if (attempt.includes('..') || attempt.includes('%2e') || attempt.includes('%2E')) {
        expect(resolved, attempt).toBeNull();
      }
    }
    expect(resolveStaticPath(root, `//${base}/secret.txt`)).toBe(
      path.join(root, ...base.split('/'), 'secret.txt'),
    );
  });
});

describe('readStaticFile', () => {
  it('reads a file with its content type', async () => {
    const file = await readStaticFile(root, path.join(root, 'assets', 'app.js'));
    expect(file?.body.toString()).toBe('console.log(1)');
    expect(file?.contentType).toBe('text/javascript; charset=utf-8');
  });

  it('refuses a symbolic link leading outside the root, a folder, and a missing file', async () => {
    expect(await readStaticFile(root, path.join(root, 'assets', 'link.txt'))).toBeNull();
    expect(await readStaticFile(root, path.join(root, 'assets'))).toBeNull();
    expect(await readStaticFile(root, path.join(root, 'nope.js'))).toBeNull();
  });
});

describe('content types and the build check', () => {
  it('knows the window file types; anything else is an opaque download', () => {
    expect(contentTypeOf('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('a.SVG')).toBe('image/svg+xml');
    expect(contentTypeOf('a.exe')).toBe('application/octet-stream');
  });

  it('tells to run npm run build:renderer when dist/renderer is missing', () => {
    expect(() => assertRendererBuilt(root)).not.toThrow();
    expect(() => assertRendererBuilt(path.join(base, 'nothing'))).toThrow(/npm run build:renderer/);
  });
});
