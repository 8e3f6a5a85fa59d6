// `npm run serve` as an operator runs it: the script in a child process, with the real host.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cockpit-serve-script-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function serve(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'electron', 'serve.ts')], {
    cwd: root,
    env: { ...process.env, COCKPIT_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

describe('npm run serve (electron/serve.ts)', () => {
  it('prints exactly one Cockpit line, serves, and exits 0 on SIGTERM after closing the journal', async () => {
    expect(existsSync(path.join(root, 'dist', 'renderer', 'index.html')), 'run npm run build:renderer').toBe(
      true,
    );
    const run = serve({ COCKPIT_PROFILE: 'serve-test', COCKPIT_PORT: '0' });
    await expect.poll(run.stdout, { timeout: 15_000 }).toMatch(/\n$/);
    const lines = run.stdout().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const match = /^Cockpit: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43}))$/.exec(
      lines[0] ?? '',
    );
    expect(match, lines[0]).not.toBeNull();
    const [, url = '', , token = ''] = match ?? [];

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect((await fetch(url.replace(token, 'wrong'))).status).toBe(401);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stdout().split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr()).toContain('refused page load');
    expect(run.stderr()).not.toContain(token);
    expect(existsSync(path.join(dataDir, 'serve-test.sqlite'))).toBe(true);
    // Closed, not just stopped: the journal's writer lock goes with its close.
    expect(run.stderr()).toMatch(/\bstopped\b/);
    expect(existsSync(path.join(dataDir, 'serve-test.sqlite.lock'))).toBe(false);
  });

  it('refuses a bad COCKPIT_PORT or COCKPIT_PROFILE with a message and exit 1, printing no URL', async () => {
    const bad: Record<string, string>[] = [{ COCKPIT_PORT: 'eighty' }, { COCKPIT_PROFILE: '../etc' }];
    for (const env of bad) {
      const run = serve(env);
      expect(await run.exit).toBe(1);
      expect(run.stdout()).toBe('');
      expect(run.stderr()).toMatch(/COCKPIT_(PORT|PROFILE)=/);
    }
  });
});
