// The browser host: `npm run serve` (tsx electron/serve.ts). The cockpit API over loopback
// HTTP + WebSocket for a window in an ordinary browser; the same CockpitHost as the Electron
// app. Prints one line, `Cockpit: http://127.0.0.1:PORT/?token=…`, logs to stderr, and serves
// until SIGINT/SIGTERM, then closes the host (flushing the journal) and exits 0.
//
// Environment: COCKPIT_PORT (0 = any free port), COCKPIT_DATA_DIR (journal folder; default the
// per-user data folder), COCKPIT_PROFILE ('default').
import { mkdirSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCockpit, openTestnet, takeCredentials, type CockpitHost } from './host/index.js';
import { startBrowserHost } from './shell/browser-host.js';
import type { BrowserHost } from './shell/browser-host.js';
import { dataDirFrom, portFrom, profileFrom, stderrLog } from './shell/config.js';
import { assertRendererBuilt } from './shell/static-files.js';

export { startBrowserHost } from './shell/browser-host.js';
export type { BrowserHost, BrowserHostOptions } from './shell/browser-host.js';

/** The built window: dist/renderer at the repository root. */
export const RENDERER_DIR = fileURLToPath(new URL('../dist/renderer/', import.meta.url));

/** How long a stop may take before the process gives up on a clean shutdown. */
const STOP_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const log = stderrLog;
  let port: number;
  let profile: string;
  let dataDir: string;
  try {
    port = portFrom(process.env);
    profile = profileFrom(process.env);
    dataDir = dataDirFrom(process.env);
    assertRendererBuilt(RENDERER_DIR);
  } catch (error) {
    log('error', (error as Error).message);
    process.exit(1);
  }

  mkdirSync(dataDir, { recursive: true });
  let host: CockpitHost;
  try {
    // The host alone holds the exchange credentials; no child of this process inherits them.
    host = createCockpit({
      dataDir,
      profile,
      log,
      exchanges: { env: takeCredentials(process.env), open: openTestnet },
    });
  } catch (error) {
    // Most often another cockpit holds the journal (JournalInUse says which and what to do).
    log('error', `could not open the journal: ${(error as Error).message}`);
    process.exit(1);
  }
  let browser: BrowserHost;
  try {
    browser = await startBrowserHost({ host, port, staticDir: RENDERER_DIR, log });
  } catch (error) {
    log('error', `could not start the browser host: ${(error as Error).message}`);
    await host.close();
    process.exit(1);
  }

  process.stdout.write(`Cockpit: ${browser.url}\n`);
  log('info', `serving ${RENDERER_DIR} on ${browser.origin}; journal ${dataDir} (profile ${profile})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // npm, tsx and a process-group kill may each deliver the same signal: stop once.
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: closing windows and the journal`);
    setTimeout(() => {
      log('error', `shutdown took longer than ${STOP_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    void (async () => {
      try {
        await browser.close();
        await host.close();
        log('info', 'stopped');
        process.exit(0);
      } catch (error) {
        log('error', `shutdown failed: ${String(error)}`);
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((error: unknown) => {
    stderrLog(
      'error',
      `browser host failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  });
}
