// Launching the Electron app from this checkout, shared by `npm start` and the e2e Electron
// variant: where the binary is, its fuses (scripts/electron-fuses.mjs), better-sqlite3 built for
// Electron's ABI (kept apart from the Node build the tests use), fresh bundles, and the command line.
//
//   node scripts/launch-electron.mjs    launches the app (fails if the binary is not installed)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN_BUNDLE = path.join(root, 'dist-electron', 'main.js');
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/**
 * Chromium's OS sandbox cannot start for root, so a window run as root runs without it: only when the
 * operator says so, with this variable set to 1.
 */
export const NO_SANDBOX_OPT_IN = 'COCKPIT_ALLOW_NO_SANDBOX';
export const ROOT_WITHOUT_SANDBOX =
  `running as root, Chromium's OS sandbox cannot start: run as a normal user, ` +
  `or set ${NO_SANDBOX_OPT_IN}=1 to run the window without that sandbox`;
const require = createRequire(import.meta.url);
const note = (line) => process.stderr.write(`start: ${line}\n`);

function installedBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/**
 * The Electron executable if the optional dependency's binary is installed, else null. With
 * `tryDownload`, a missing binary gets one attempt at Electron's own download (which fails fast
 * without network; COCKPIT_SKIP_ELECTRON_DOWNLOAD=1 skips it).
 */
export function findElectronBinary({ tryDownload = false } = {}) {
  const found = installedBinary();
  if (found !== null || !tryDownload) return found;
  const installer = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer) || process.env.COCKPIT_SKIP_ELECTRON_DOWNLOAD) return null;
  note('the Electron binary is missing: trying its download once');
  const result = spawnSync(process.execPath, [installer], { cwd: root, stdio: 'ignore', timeout: 60_000 });
  if (result.status !== 0) note('the Electron download did not succeed (no network?)');
  return installedBinary();
}

/**
 * The e2e variant's own copy of Electron's dist folder, made once per version under the launcher's cache,
 * and its executable there: Playwright's driver needs --inspect, which the fuses of the binary `npm start`
 * runs keep off (scripts/electron-fuses.mjs sets the driver's policy on the copy only).
 */
export function driverElectron(
  executable,
  {
    dist = path.join(path.dirname(require.resolve('electron/package.json')), 'dist'),
    cache = path.join(root, 'node_modules', '.cache', 'trading-cockpit'),
    version = electronVersion(),
  } = {},
) {
  const inDist = path.relative(dist, executable);
  if (inDist.startsWith('..') || path.isAbsolute(inDist)) {
    throw new Error(`${executable} is not in Electron's dist folder ${dist}`);
  }
  const target = path.join(cache, `electron-${version}-driver`);
  if (!existsSync(path.join(target, inDist))) {
    // Copied aside, then moved in whole: a copy cut short is never taken for a finished one.
    const work = `${target}.tmp-${process.pid}`;
    mkdirSync(cache, { recursive: true });
    rmSync(work, { recursive: true, force: true });
    cpSync(dist, work, { recursive: true, verbatimSymlinks: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(work, target);
  }
  return path.join(target, inDist);
}

export function electronVersion() {
  return JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(
      `${[command, ...args].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
  }
}

/** npm's environment without the settings that would point node-gyp at Node's own headers. */
function envForElectronBuild() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch)$/i.test(key)) delete env[key];
  }
  return env;
}

function nodeGypScript() {
  const tail = ['node_modules', 'node-gyp', 'bin', 'node-gyp.js'];
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', ...tail),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', ...tail),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/**
 * better-sqlite3 built for Electron's ABI, once, in its own folder under node_modules/.cache:
 * node_modules/better-sqlite3 (Node's build, used by the tests) is never touched. A prebuilt
 * binary first (prebuild-install), node-gyp with Electron's headers otherwise. Returns the
 * .node path main.ts hands to createCockpit as `sqliteNativeBinding` (env COCKPIT_SQLITE_BINDING).
 */
export function electronSqliteBinding(version = electronVersion()) {
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')).version;
  const cacheRoot = path.join(root, 'node_modules', '.cache', 'trading-cockpit');
  const name = `better-sqlite3-${sqliteVersion}-electron-${version}-${process.platform}-${process.arch}`;
  const target = path.join(cacheRoot, name);
  const binding = path.join(target, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;

  note(
    `building better-sqlite3 ${sqliteVersion} for Electron ${version} (once, into ${path.relative(root, target)})`,
  );
  const work = `${target}.tmp-${process.pid}`;
  const buildDir = path.join(source, 'build');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(cacheRoot, { recursive: true });
  cpSync(source, work, {
    recursive: true,
    filter: (p) => p !== buildDir && !p.startsWith(buildDir + path.sep),
  });
  const env = envForElectronBuild();
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  try {
    const prebuild = path.join(root, 'node_modules', 'prebuild-install', 'bin.js');
    if (existsSync(prebuild)) {
      const args = [
        '--runtime=electron',
        `--target=${version}`,
        `--arch=${process.arch}`,
        `--platform=${process.platform}`,
      ];
      spawnSync(process.execPath, [prebuild, ...args], {
        cwd: work,
        env,
        stdio: 'inherit',
        timeout: 120_000,
      });
    }
    if (!existsSync(built)) {
      const gyp = nodeGypScript();
      if (!gyp) throw new Error('no prebuilt binary, and node-gyp was not found');
      const args = ['rebuild', '--release', `--target=${version}`, `--arch=${process.arch}`];
      run(process.execPath, [gyp, ...args, '--dist-url=https://electronjs.org/headers'], {
        cwd: work,
        env,
        timeout: 600_000,
      });
    }
    if (!existsSync(built)) throw new Error('no better_sqlite3.node was produced');
    rmSync(target, { recursive: true, force: true });
    renameSync(work, target);
    return binding;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Everything needed to launch the app: fresh bundles, the binary's fuses, the SQLite addon for
 * Electron, and the command line. `env` extends process.env (e.g. COCKPIT_DATA_DIR for a throwaway journal).
 * `driver`: launch the e2e's own copy of Electron, whose fuses let Playwright's driver attach (`driverElectron`).
 */
export function prepareElectronLaunch({ executable = findElectronBinary(), env = {}, driver = false } = {}) {
  if (!executable)
    throw new Error('the Electron binary is not installed (node_modules/electron/path.txt is missing)');
  const withoutSandbox = isRoot && { ...process.env, ...env }[NO_SANDBOX_OPT_IN] === '1';
  if (isRoot && !withoutSandbox) throw new Error(ROOT_WITHOUT_SANDBOX);
  run(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs')]);
  const binary = driver ? driverElectron(executable) : executable;
  run(process.execPath, [
    path.join(root, 'scripts', 'electron-fuses.mjs'),
    binary,
    ...(driver ? ['--driver'] : []),
  ]);
  const launchEnv = { ...process.env, ...env, COCKPIT_SQLITE_BINDING: electronSqliteBinding() };
  delete launchEnv.ELECTRON_RUN_AS_NODE;
  const args = [MAIN_BUNDLE];
  if (withoutSandbox) {
    note(`running as root with ${NO_SANDBOX_OPT_IN}=1: Electron gets --no-sandbox`);
    args.push('--no-sandbox');
  }
  return { executable: binary, args, env: launchEnv };
}

/** Launches the app in the foreground; Ctrl-C / SIGTERM are passed on; exits with it. */
export function launchElectron(launch) {
  const child = spawn(launch.executable, launch.args, { cwd: root, env: launch.env, stdio: 'inherit' });
  let forwarded = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (forwarded) return;
      forwarded = true;
      child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
  return child;
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  try {
    launchElectron(prepareElectronLaunch());
  } catch (error) {
    note(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
