// The preload against a stand-in 'electron' module: what the page gets, and what it never gets.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CockpitApi, CockpitEvent } from '../shared/index.js';
import { IPC_EVENTS, IPC_INVOKE } from '../shared/index.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<Listener>>();
  const exposed = new Map<string, unknown>();
  return {
    listeners,
    exposed,
    module: {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: vi.fn(async (...args: unknown[]) => ({ ok: true, args })),
        on(channel: string, listener: Listener) {
          if (!listeners.has(channel)) listeners.set(channel, new Set());
          listeners.get(channel)?.add(listener);
        },
        removeListener(channel: string, listener: Listener) {
          listeners.get(channel)?.delete(listener);
        },
      },
    },
  };
});

vi.mock('electron', () => electron.module);

async function loadPreload(): Promise<CockpitApi> {
  vi.resetModules();
  electron.exposed.clear();
  electron.listeners.clear();
  await import('./preload.js');
  return electron.exposed.get('cockpit') as CockpitApi;
}

function send(batch: CockpitEvent[]): void {
  const secretEvent = { sender: 'ipc internals', senderFrame: 'frame' };
  for (const listener of electron.listeners.get(IPC_EVENTS) ?? []) listener(secretEvent, batch);
}

describe('preload bridge', () => {
  beforeEach(() => electron.module.ipcRenderer.invoke.mockClear());

  it('exposes exactly window.cockpit with invoke and subscribe', async () => {
    const api = await loadPreload();
    expect([...electron.exposed.keys()]).toEqual(['cockpit']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'subscribe']);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
  });

  it('invokes on the cockpit:invoke channel with the name and the request, returning the reply', async () => {
    const api = await loadPreload();
    const reply = await api.invoke('session.start', { venue: 'paper' });
    expect(electron.module.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_INVOKE, 'session.start', {
      venue: 'paper',
    });
    expect(reply).toEqual({ ok: true, args: [IPC_INVOKE, 'session.start', { venue: 'paper' }] });
  });

  it('delivers event batches without the IPC event object, through one listener', async () => {
    const api = await loadPreload();
    const seen: unknown[][] = [];
    const offA = api.subscribe((...args) => seen.push(args));
    const offB = api.subscribe((...args) => seen.push(args));
    expect(electron.listeners.get(IPC_EVENTS)?.size).toBe(1);
    const batch: CockpitEvent[] = [{ type: 'marks', ticks: [] }];
    send(batch);
    expect(seen).toEqual([[batch], [batch]]);

    offA();
    offA();
    send(batch);
    expect(seen).toHaveLength(3);
    offB();
    expect(electron.listeners.get(IPC_EVENTS)?.size).toBe(0);
  });

  it('keeps delivering to other handlers when one throws', async () => {
    const api = await loadPreload();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: CockpitEvent[][] = [];
    api.subscribe(() => {
      throw new Error('bad handler');
    });
    api.subscribe((batch) => seen.push(batch));
    send([{ type: 'marks', ticks: [] }]);
    expect(seen).toHaveLength(1);
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });
});
