// The Electron entry: window, menu, IPC wiring, nothing else. Every decision (origins, the
// sender check, the CSP, serving files) lives in ./shell as plain functions with tests; this
// file applies Electron's security checklist and connects the window to one CockpitHost.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron';
import type { IpcMainInvokeEvent, MenuItemConstructorOptions, Session, WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { failure, IPC_EVENTS, IPC_INVOKE } from '../shared/index.js';
import { createCockpit, openTestnet, takeCredentials } from './host/index.js';
import type { CockpitHost, CockpitOptions } from './host/index.js';
import { appProtocolResponse } from './shell/app-protocol.js';
import { dataDirFrom, profileFrom, sqliteBindingFrom, stderrLog } from './shell/config.js';
import {
  APP_ORIGIN,
  APP_SCHEME,
  checkIpcSender,
  isBlockedRequest,
  isSameOrigin,
  originOf,
  parseInvokeArgs,
  unauthorizedSender,
} from './shell/policy.js';
import type { IpcSenderFacts } from './shell/policy.js';
import { assertRendererBuilt } from './shell/static-files.js';

// electron/main.ts and its bundle dist-electron/main.js both sit one level below the root.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(HERE, '..', 'dist', 'renderer');
const PRELOAD = path.join(HERE, 'preload.cjs');
const WINDOW_URL = `${APP_ORIGIN}/`;
const log = stderrLog;
// Out of process.env before any window exists: Electron copies the main process's environment into each
// sandboxed window's preload. The host alone holds them.
const credentials = takeCredentials(process.env);

// Before ready: app://cockpit is a standard, secure origin (fetch, modules, storage work as on https).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
// Launched as `electron dist-electron/main.js`, Electron would call the app "Electron" and keep
// its data in ~/.config/Electron: name it, and pin userData, before anything reads it.
app.setName('Trading Cockpit');
app.setPath('userData', path.join(app.getPath('appData'), 'trading-cockpit'));

let host: CockpitHost | null = null;
let mainWindow: BrowserWindow | null = null;

/** Navigation, redirects, new windows and webviews: only our own origin, never a new window. */
function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    log('warn', `refused to open a window for ${originOf(url) ?? 'an opaque URL'}`);
    return { action: 'deny' };
  });
  const guard = (kind: string) => (event: { url: string; preventDefault(): void }) => {
    if (isSameOrigin(event.url, APP_ORIGIN)) return;
    event.preventDefault();
    log('warn', `refused ${kind} to ${originOf(event.url) ?? 'an opaque URL'}`);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-frame-navigate', guard('frame navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('warn', 'refused to attach a webview');
  });
}

/** Permissions denied, network and disk requests cancelled, the window served from app://cockpit. */
function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log('warn', `refused permission ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = isBlockedRequest(details.url);
    if (cancel) log('warn', `blocked a request to ${originOf(details.url) ?? 'an opaque URL'}`);
    callback({ cancel });
  });
  ses.protocol.handle(APP_SCHEME, (request) =>
    appProtocolResponse(request.url, request.method, RENDERER_DIR),
  );
}

function senderFacts(event: IpcMainInvokeEvent): IpcSenderFacts {
  const contents = mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
  const top = contents?.mainFrame ?? null;
  const frame = event.senderFrame;
  return {
    fromOurWindow: contents !== null && event.sender === contents,
    isMainFrame:
      frame !== null &&
      top !== null &&
      frame.processId === top.processId &&
      frame.routingId === top.routingId,
    frameUrl: frame?.url ?? null,
  };
}

function registerIpc(): void {
  ipcMain.handle(IPC_INVOKE, async (event, name: unknown, request: unknown) => {
    const verdict = checkIpcSender(senderFacts(event), APP_ORIGIN);
    if (!verdict.ok) {
      log('warn', `refused an IPC request: ${verdict.reason}`);
      return unauthorizedSender(verdict.reason);
    }
    const args = parseInvokeArgs(name, request);
    if (!args.ok) {
      log('warn', `refused an IPC request: ${args.error.message}`);
      return args;
    }
    if (host === null) return failure('INTERNAL', 'the cockpit is shutting down');
    try {
      return await host.invoke(args.name, args.request);
    } catch (error) {
      log('error', `${args.name} threw: ${String(error)}`);
      return failure('INTERNAL', `${args.name} failed unexpectedly`);
    }
  });
}

function createWindow(cockpit: CockpitHost): void {
  const win = new BrowserWindow({
    width: 1600,
    height: 1000,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'Trading Cockpit',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: process.env.COCKPIT_DEVTOOLS === '1',
    },
  });
  mainWindow = win;
  const unsubscribe = cockpit.subscribe((batch) => {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(IPC_EVENTS, batch);
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('render-process-gone', (_event, details) =>
    log('error', `window process gone: ${details.reason}`),
  );
  win.on('closed', () => {
    unsubscribe();
    if (mainWindow === win) mainWindow = null;
  });
  win
    .loadURL(WINDOW_URL)
    .catch((error: unknown) => log('error', `could not load the window: ${String(error)}`));
}

function buildMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

function start(): void {
  assertRendererBuilt(RENDERER_DIR);
  hardenSession(session.defaultSession);
  Menu.setApplicationMenu(buildMenu());
  const options: CockpitOptions = {
    // The same journal as the browser host's, so both shells show one trading history.
    dataDir: dataDirFrom(process.env),
    profile: profileFrom(process.env),
    log,
    exchanges: { env: credentials, open: openTestnet },
  };
  // better-sqlite3 rebuilt for Electron's ABI by scripts/launch-electron.mjs; Node's build otherwise.
  const sqliteNativeBinding = sqliteBindingFrom(process.env, path.join(HERE, '..'));
  if (sqliteNativeBinding) options.sqliteNativeBinding = sqliteNativeBinding;
  host = createCockpit(options);
  log('info', `journal in ${options.dataDir} (profile ${options.profile})`);
  registerIpc();
  createWindow(host);
}

if (!app.requestSingleInstanceLock()) {
  // One process per journal: a second launch focuses the first window instead.
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('activate', () => {
    if (host !== null && BrowserWindow.getAllWindows().length === 0) createWindow(host);
  });
  app.on('window-all-closed', () => app.quit());
  // Close the host (stop the session, flush the journal) before the process goes.
  let closing = false;
  app.on('before-quit', (event) => {
    if (host === null) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    const cockpit = host;
    host = null;
    cockpit
      .close()
      .catch((error: unknown) => log('error', `closing the journal failed: ${String(error)}`))
      .finally(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log('error', `the cockpit could not start: ${message}`);
      dialog.showErrorBox('Trading Cockpit could not start', message);
      app.exit(1);
    });
}
