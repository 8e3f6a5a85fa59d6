// `npm start`: the Electron app where its binary is installed; otherwise the browser host and a
// Chromium window in app mode. Says which it did. Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  electronVersion,
  findElectronBinary,
  isRoot,
  launchElectron,
  NO_SANDBOX_OPT_IN,
  prepareElectronLaunch,
  root,
  ROOT_WITHOUT_SANDBOX,
  run,
} from './launch-electron.mjs';

const RENDERER_INDEX = path.join(root, 'dist', 'renderer', 'index.html');
const READY_LINE = /^Cockpit: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m;

const say = (line) => process.stdout.write(`${line}\n`);
const note = (line) => process.stderr.write(`start: ${line}\n`);

function ensureRendererBuilt() {
  if (existsSync(RENDERER_INDEX)) return;
  note('the window is not built yet: npm run build:renderer');
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:renderer']);
}

/** Stops children on Ctrl-C / SIGTERM, once. */
function onStopSignal(stop) {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop(signal);
    });
  }
}

function findChromium() {
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // next
      }
    }
  }
  return null;
}

/** Runs `electron/serve.ts` and resolves with its URL once it prints the Cockpit line. */
function startBrowserHostProcess() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'electron', 'serve.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = READY_LINE.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`the browser host exited (code ${code}) before it was ready`)),
    );
  });
  return { child, ready };
}

async function startBrowser(reason) {
  const { child: server, ready } = startBrowserHostProcess();
  const exited = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  let url;
  try {
    url = await ready;
  } catch (error) {
    note(error.message);
    process.exit(1);
  }

  let chromium = null;
  let profileDir = null;
  const stopAll = async (signal = 'SIGTERM') => {
    if (chromium && chromium.exitCode === null) chromium.kill('SIGTERM');
    if (server.exitCode === null) server.kill(signal);
    const code = await exited;
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    process.exit(code ?? 0);
  };
  onStopSignal((signal) => void stopAll(signal));

  if (isRoot && process.env[NO_SANDBOX_OPT_IN] !== '1') {
    say(
      `${reason}: started the browser host at ${url}; no window: ${ROOT_WITHOUT_SANDBOX}, or open that address in a browser`,
    );
    return;
  }
  const browser = findChromium();
  if (browser === null) {
    say(`${reason}: started the browser host at ${url}; no Chromium found, open that address in a browser`);
    return;
  }
  profileDir = mkdtempSync(path.join(os.tmpdir(), 'cockpit-chromium-'));
  // The token stays off Chromium's command line, which any local user can read in /proc: the window opens a
  // page in the private profile folder (0700, the file 0600) that forwards to the tokened address.
  const launcher = path.join(profileDir, 'open.html');
  writeFileSync(launcher, `<!doctype html><meta http-equiv="refresh" content="0;url=${url}">`, {
    mode: 0o600,
  });
  const args = [
    `--app=${pathToFileURL(launcher).href}`,
    `--user-data-dir=${profileDir}`,
    '--window-size=1600,1000',
    '--no-first-run',
    '--no-default-browser-check',
  ];
  if (isRoot) args.push('--no-sandbox');
  // The window's browser needs none of the cockpit's settings, and must not inherit its exchange keys.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('COCKPIT_')),
  );
  chromium = spawn(browser, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let chromiumErr = '';
  chromium.stderr.setEncoding('utf8');
  chromium.stderr.on('data', (chunk) => (chromiumErr = (chromiumErr + chunk).slice(-2000)));
  chromium.on('error', (error) => note(`could not start ${browser}: ${error.message}`));
  say(`${reason}: started the browser host and a Chromium app window at ${url}`);
  chromium.on('exit', (code, signal) => {
    if (code === 0 || signal) {
      // The operator closed the window: stop the host (it flushes the journal) and leave.
      void stopAll('SIGTERM');
      return;
    }
    const lastLine = chromiumErr.trim().split('\n').pop() ?? '';
    note(`Chromium could not open a window (exit ${code}${lastLine ? `: ${lastLine}` : ''})`);
    say(`The browser host keeps serving: open ${url} in a browser; Ctrl-C stops it`);
  });
}

async function main() {
  ensureRendererBuilt();
  const binary = findElectronBinary({ tryDownload: true });
  if (binary === null) return startBrowser('Electron binary not installed');
  let launch;
  try {
    launch = prepareElectronLaunch({ executable: binary });
  } catch (error) {
    note(`the Electron app cannot start: ${error.message}`);
    return startBrowser(`Electron ${electronVersion()} is installed but its launch could not be prepared`);
  }
  say('Starting the Electron app');
  launchElectron(launch);
}

main().catch((error) => {
  note(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
