import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ELECTRON_CSP, appProtocolResponse } from './app-protocol.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'cockpit-app-'));
const root = path.join(base, 'renderer');
mkdirSync(path.join(root, 'assets'), { recursive: true });
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>cockpit</title>');
writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'export {}');
writeFileSync(path.join(base, 'secret.txt'), 'secret');
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('app://cockpit/ protocol handler', () => {
  it('serves the window at / and its assets, with the CSP and nosniff', async () => {
    const page = await appProtocolResponse('app://cockpit/', 'GET', root);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>cockpit</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(ELECTRON_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');

    const script = await appProtocolResponse('app://cockpit/assets/index-abc.js', 'GET', root);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('has no WebSocket or remote origin in its CSP', () => {
    expect(ELECTRON_CSP).toContain("connect-src 'self';");
    expect(ELECTRON_CSP).not.toMatch(/ws:|https?:/);
  });

  it('refuses traversal, other hosts, missing files and writes', async () => {
    expect((await appProtocolResponse('app://cockpit/assets/..%2f..%2fsecret.txt', 'GET', root)).status).toBe(
      400,
    );
    // URL parsing already folds %2e%2e into `..` and drops it: what remains is looked up inside the root.
    const folded = await appProtocolResponse('app://cockpit/%2e%2e/secret.txt', 'GET', root);
    expect(folded.status).toBe(404);
    expect(await folded.text()).not.toContain('secret');
    expect((await appProtocolResponse('app://other/index.html', 'GET', root)).status).toBe(404);
    expect((await appProtocolResponse('app://cockpit/missing.js', 'GET', root)).status).toBe(404);
    expect((await appProtocolResponse('app://cockpit/', 'POST', root)).status).toBe(405);
  });
});
