// Runs the browser host exactly as an operator does (`npm run serve`), with a
// throwaway data folder, and reads the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningHost {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  journalPath: string;
  stderr: () => string;
  /** Ctrl-C, as an operator stops it; resolves once the process group is gone. */
  stop: () => Promise<void>;
}

const READY_LINE = /^Cockpit: (http:\/\/127\.0\.0\.1:\d+\/\?token=(\S+))$/m;

export interface HostOptions {
  /** A port to listen on (default any free one). */
  port?: number;
  /** A data folder the caller owns and removes (default a throwaway one, removed on stop). */
  dataDir?: string;
  /** More of the host's environment (exchange credentials, say). */
  env?: Record<string, string>;
}

export async function startBrowserHostProcess(options: HostOptions = {}): Promise<RunningHost> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cockpit-e2e-'));
  const child: ChildProcess = spawn('npm', ['run', '--silent', 'serve'], {
    env: {
      ...process.env,
      COCKPIT_DATA_DIR: dataDir,
      COCKPIT_PROFILE: 'e2e',
      COCKPIT_PORT: String(options.port ?? 0),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`browser host did not start:\n${stdout}\n${stderr}`)),
      30_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = READY_LINE.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    journalPath: join(dataDir, 'e2e.sqlite'),
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        const done = () => {
          if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('close', done);
        process.kill(-child.pid!, 'SIGINT');
      }),
  };
}
