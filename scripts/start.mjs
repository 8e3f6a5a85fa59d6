// `npm start`: the Electron app where its binary is installed; otherwise the browser host and a
// Chromium window in app mode. Says which it did. Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const RENDERER_INDEX = path.join(root, 'dist', 'renderer', 'index.html');
const MAIN_BUNDLE = path.join(root, 'dist-electron', 'main.js');
const READY_LINE = /^Cockpit: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const say = (line) => process.stdout.write(`${line}\n`);
const note = (line) => process.stderr.write(`start: ${line}\n`);

/** The Electron executable if the optional dependency's binary is installed, else null. */
function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** One attempt at Electron's own binary download (it fails fast without network). */
function tryElectronDownload() {
  const installer = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer) || process.env.COCKPIT_SKIP_ELECTRON_DOWNLOAD) return;
  note('the Electron binary is missing: trying its download once');
  const result = spawnSync(process.execPath, [installer], { cwd: root, stdio: 'ignore', timeout: 60_000 });
  if (result.status !== 0) note('the Electron download did not succeed (no network?)');
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(
      `${[command, ...args].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
  }
}

function ensureRendererBuilt() {
  if (existsSync(RENDERER_INDEX)) return;
  note('the window is not built yet: npm run build:renderer');
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:renderer']);
}

/** An environment without npm's nodedir (it points node-gyp at Node's headers, not Electron's). */
function envForElectronBuild() {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(key)) delete env[key];
  return env;
}

function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath &&
      path.join(
        path.dirname(process.env.npm_execpath),
        '..',
        'node_modules',
        'node-gyp',
        'bin',
        'node-gyp.js',
      ),
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/**
 * better-sqlite3 built for Electron's ABI, in its own folder under node_modules/.cache so the
 * Node build the tests use is left alone. A prebuilt binary first, node-gyp + Electron headers
 * otherwise. Returns the .node path handed to the app as COCKPIT_SQLITE_BINDING.
 */
function electronSqliteBinding(electronVersion) {
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')).version;
  const cacheRoot = path.join(root, 'node_modules', '.cache', 'trading-cockpit');
  const name = `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${process.platform}-${process.arch}`;
  const target = path.join(cacheRoot, name);
  const binding = path.join(target, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;

  note(
    `building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once, into ${path.relative(root, target)})`,
  );
  const work = `${target}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(cacheRoot, { recursive: true });
  cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(path.join(source, 'build')) });
  const env = envForElectronBuild();
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  try {
    const prebuild = path.join(root, 'node_modules', 'prebuild-install', 'bin.js');
    if (existsSync(prebuild)) {
      spawnSync(
        process.execPath,
        [
          prebuild,
          '--runtime=electron',
          `--target=${electronVersion}`,
          `--arch=${process.arch}`,
          `--platform=${process.platform}`,
        ],
        { cwd: work, env, stdio: 'inherit', timeout: 120_000 },
      );
    }
    if (!existsSync(built)) {
      const gyp = nodeGypScript();
      if (!gyp) throw new Error('node-gyp not found');
      run(
        process.execPath,
        [
          gyp,
          'rebuild',
          '--release',
          `--target=${electronVersion}`,
          `--arch=${process.arch}`,
          '--dist-url=https://electronjs.org/headers',
        ],
        { cwd: work, env, timeout: 600_000 },
      );
    }
    if (!existsSync(built)) throw new Error('no better_sqlite3.node was produced');
    rmSync(target, { recursive: true, force: true });
    renameSync(work, target);
    return binding;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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

function startElectron(binary, sqliteBinding) {
  run(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs')]);
  const env = { ...process.env, COCKPIT_SQLITE_BINDING: sqliteBinding };
  delete env.ELECTRON_RUN_AS_NODE;
  const args = [MAIN_BUNDLE];
  if (isRoot) {
    note(
      "running as root: Chromium's OS sandbox cannot start for root, so Electron gets --no-sandbox; run as a normal user to keep it",
    );
    args.push('--no-sandbox');
  }
  say('Starting the Electron app');
  const child = spawn(binary, args, { cwd: root, env, stdio: 'inherit' });
  onStopSignal((signal) => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
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

  const browser = findChromium();
  if (browser === null) {
    say(
      `${reason}: started the browser host at ${url}, but found no Chromium: open that address in a browser`,
    );
    return;
  }
  profileDir = mkdtempSync(path.join(os.tmpdir(), 'cockpit-chromium-'));
  const args = [
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
  ];
  if (isRoot) args.push('--no-sandbox');
  chromium = spawn(browser, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
  let binary = electronBinary();
  if (binary === null) {
    tryElectronDownload();
    binary = electronBinary();
  }
  if (binary === null) return startBrowser('Electron binary not installed');

  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  let sqliteBinding;
  try {
    sqliteBinding = electronSqliteBinding(electronVersion);
  } catch (error) {
    note(`better-sqlite3 could not be built for Electron ${electronVersion}: ${error.message}`);
    return startBrowser('Electron is installed but its SQLite addon could not be built');
  }
  startElectron(binary, sqliteBinding);
}

main().catch((error) => {
  note(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
