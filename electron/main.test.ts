// main.ts wired to a stand-in 'electron' module and a test double of the host: the security
// checklist as main applies it, without an Electron binary.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENTS, IPC_INVOKE } from '../shared/index.js';
import type { CockpitEvent } from '../shared/index.js';
import { fileURLToPath } from 'node:url';
import type * as Host from './host/index.js';
import type * as StaticFiles from './shell/static-files.js';
import { dataDirFrom } from './shell/config.js';

type Handler = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const appHandlers = new Map<string, Handler[]>();
  const ipcHandlers = new Map<string, Handler>();
  const windows: FakeWindow[] = [];
  const sessionCalls = {
    permissionRequest: null as Handler | null,
    permissionCheck: null as Handler | null,
    device: null as Handler | null,
    beforeRequest: null as Handler | null,
    protocolHandlers: new Map<string, Handler>(),
  };
  const eventHandlers = new Set<(batch: unknown[]) => void>();
  const hostCalls: { name: string; request: unknown }[] = [];
  const cockpitOptions: unknown[] = [];
  let closed = 0;

  class FakeContents {
    readonly sent: unknown[][] = [];
    readonly handlers = new Map<string, Handler>();
    windowOpenHandler: Handler | null = null;
    readonly mainFrame = { processId: 7, routingId: 1, url: 'app://cockpit/' };
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    on(event: string, handler: Handler) {
      this.handlers.set(event, handler);
      return this;
    }
    isDestroyed() {
      return false;
    }
    setWindowOpenHandler(handler: Handler) {
      this.windowOpenHandler = handler;
    }
  }

  class FakeWindow {
    readonly webContents = new FakeContents();
    loaded: string | null = null;
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      windows.push(this);
      for (const h of appHandlers.get('web-contents-created') ?? []) h({}, this.webContents);
    }
    static getAllWindows() {
      return windows;
    }
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
    once() {}
    on() {}
    isDestroyed() {
      return false;
    }
  }

  const app = {
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: () => true,
    on(event: string, handler: Handler) {
      appHandlers.set(event, [...(appHandlers.get(event) ?? []), handler]);
    },
    whenReady: () => Promise.resolve(),
    paths: new Map<string, string>([['appData', '/fake/appData']]),
    getPath(name: string) {
      return this.paths.get(name) ?? `/fake/${name}`;
    },
    setPath(name: string, value: string) {
      this.paths.set(name, value);
    },
    setName: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
  };

  return {
    appHandlers,
    ipcHandlers,
    windows,
    sessionCalls,
    eventHandlers,
    hostCalls,
    cockpitOptions,
    closedCount: () => closed,
    FakeContents,
    electron: {
      app,
      BrowserWindow: FakeWindow,
      dialog: { showErrorBox: vi.fn() },
      ipcMain: { handle: (channel: string, handler: Handler) => ipcHandlers.set(channel, handler) },
      Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
      protocol: { registerSchemesAsPrivileged: vi.fn() },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (h: Handler) => (sessionCalls.permissionRequest = h),
          setPermissionCheckHandler: (h: Handler) => (sessionCalls.permissionCheck = h),
          setDevicePermissionHandler: (h: Handler) => (sessionCalls.device = h),
          webRequest: { onBeforeRequest: (h: Handler) => (sessionCalls.beforeRequest = h) },
          protocol: { handle: (scheme: string, h: Handler) => sessionCalls.protocolHandlers.set(scheme, h) },
        },
      },
    },
    createCockpit(options: unknown) {
      cockpitOptions.push(options);
      return {
        async invoke(name: string, request: unknown) {
          hostCalls.push({ name, request });
          return { ok: true };
        },
        subscribe(handler: (batch: unknown[]) => void) {
          eventHandlers.add(handler);
          return () => eventHandlers.delete(handler);
        },
        async close() {
          closed += 1;
        },
      };
    },
  };
});

vi.mock('electron', () => fake.electron);
vi.mock('./host/index.js', async (original) => ({
  ...(await original<typeof Host>()),
  createCockpit: fake.createCockpit,
}));
vi.mock('./shell/static-files.js', async (original) => ({
  ...(await original<typeof StaticFiles>()),
  assertRendererBuilt: () => {},
}));

const ELECTRON_SQLITE = fileURLToPath(
  new URL(
    '../node_modules/.cache/trading-cockpit/electron-x/build/Release/better_sqlite3.node',
    import.meta.url,
  ),
);
process.env.COCKPIT_SQLITE_BINDING = ELECTRON_SQLITE;
process.env.COCKPIT_TESTEX_API_KEY = 'key-main-test';
process.env.COCKPIT_TESTEX_SECRET = 'secret-main-test';
await import('./main.js');
await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
const win = fake.windows[0]!;
const contents = win.webContents;

afterAll(() => {
  delete process.env.COCKPIT_SQLITE_BINDING;
  delete process.env.COCKPIT_TESTEX_API_KEY;
  delete process.env.COCKPIT_TESTEX_SECRET;
});

function invokeEvent(overrides: Record<string, unknown> = {}) {
  return { sender: contents, senderFrame: { ...contents.mainFrame }, ...overrides };
}

describe('Electron main process wiring', () => {
  it('registers app:// as a privileged standard scheme and enables the sandbox for every renderer', () => {
    expect(fake.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.electron.app.enableSandbox).toHaveBeenCalled();
    expect(fake.sessionCalls.protocolHandlers.has('app')).toBe(true);
  });

  it('creates the window on the security checklist and loads it from app://cockpit/', () => {
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(String(win.options.webPreferences.preload)).toMatch(/preload\.cjs$/);
    expect(win.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(win.loaded).toBe('app://cockpit/');
  });

  it("creates one host on the browser host's journal folder with the Electron build of better-sqlite3", () => {
    expect(fake.electron.app.getPath('userData')).toBe('/fake/appData/trading-cockpit');
    expect(fake.cockpitOptions).toEqual([
      expect.objectContaining({
        dataDir: dataDirFrom(process.env),
        profile: 'default',
        sqliteNativeBinding: ELECTRON_SQLITE,
      }),
    ]);
  });

  it('takes the exchange credentials out of the environment a window would copy, and hands them to the host', () => {
    expect(process.env.COCKPIT_TESTEX_API_KEY).toBeUndefined();
    expect(process.env.COCKPIT_TESTEX_SECRET).toBeUndefined();
    const [options] = fake.cockpitOptions as { exchanges: { env: Record<string, string> } }[];
    expect(options?.exchanges.env).toEqual({
      COCKPIT_TESTEX_API_KEY: 'key-main-test',
      COCKPIT_TESTEX_SECRET: 'secret-main-test',
    });
  });

  it('denies new windows, foreign navigation and redirects, and webviews', () => {
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://cockpit/other' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const foreign = { url: 'https://evil.example/', preventDefault: vi.fn() };
      contents.handlers.get(event)?.(foreign);
      expect(foreign.preventDefault, event).toHaveBeenCalled();
      const ours = { url: 'app://cockpit/index.html', preventDefault: vi.fn() };
      contents.handlers.get(event)?.(ours);
      expect(ours.preventDefault, event).not.toHaveBeenCalled();
    }
    const webview = { preventDefault: vi.fn() };
    contents.handlers.get('will-attach-webview')?.(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('denies every permission and cancels network and disk requests', () => {
    const callback = vi.fn();
    fake.sessionCalls.permissionRequest?.(contents, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(fake.sessionCalls.permissionCheck?.()).toBe(false);
    expect(fake.sessionCalls.device?.()).toBe(false);
    const decide = (url: string) => {
      const cb = vi.fn();
      fake.sessionCalls.beforeRequest?.({ url }, cb);
      return cb.mock.calls[0]?.[0];
    };
    expect(decide('https://evil.example/x.js')).toEqual({ cancel: true });
    expect(decide('app://cockpit/assets/a.js')).toEqual({ cancel: false });
  });

  it('answers IPC from the window main frame on our origin, and refuses everyone else with UNAUTHORIZED', async () => {
    const handle = fake.ipcHandlers.get(IPC_INVOKE)!;
    expect(await handle(invokeEvent(), 'snapshot', {})).toEqual({ ok: true });
    expect(fake.hostCalls).toEqual([{ name: 'snapshot', request: {} }]);

    const refused = [
      invokeEvent({ sender: new fake.FakeContents() }),
      invokeEvent({ senderFrame: { processId: 7, routingId: 2, url: 'app://cockpit/' } }),
      invokeEvent({ senderFrame: { ...contents.mainFrame, url: 'https://evil.example/' } }),
      invokeEvent({ senderFrame: null }),
    ];
    for (const event of refused) {
      expect(await handle(event, 'session.stop', {})).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHORIZED' },
      });
    }
    expect(fake.hostCalls).toHaveLength(1);
  });

  it('refuses malformed invoke arguments with a typed error and does not reach the host', async () => {
    const handle = fake.ipcHandlers.get(IPC_INVOKE)!;
    expect(await handle(invokeEvent(), 'snapshot', 'not an object')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', field: 'request' },
    });
    expect(await handle(invokeEvent(), 42, {})).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(fake.hostCalls).toHaveLength(1);
  });

  it('forwards host events to the window on cockpit:events', () => {
    const batch: CockpitEvent[] = [{ type: 'marks', ticks: [] }];
    for (const handler of fake.eventHandlers) handler(batch);
    expect(contents.sent).toEqual([[IPC_EVENTS, batch]]);
  });

  it('closes the host before quitting', async () => {
    const event = { preventDefault: vi.fn() };
    for (const h of fake.appHandlers.get('before-quit') ?? []) h(event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.electron.app.quit).toHaveBeenCalled());
    expect(fake.closedCount()).toBe(1);
    const again = { preventDefault: vi.fn() };
    for (const h of fake.appHandlers.get('before-quit') ?? []) h(again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    expect(await fake.ipcHandlers.get(IPC_INVOKE)!(invokeEvent(), 'snapshot', {})).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });
});
