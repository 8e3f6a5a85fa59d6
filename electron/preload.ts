// The bridge: exposes `window.cockpit` ({ invoke, subscribe }) to the sandboxed window and
// nothing else. Neither ipcRenderer nor the IPC event object ever reaches the page.
// Bundled to one CommonJS file (dist-electron/preload.cjs) so it runs with sandbox: true.
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { CockpitApi, CockpitEvent } from '../shared/events.js';
import { IPC_EVENTS, IPC_INVOKE } from '../shared/channels.js';

const handlers = new Set<(batch: CockpitEvent[]) => void>();

/** The one ipcRenderer listener: fans each batch out to the page's handlers, without the event. */
function deliver(_event: IpcRendererEvent, batch: CockpitEvent[]): void {
  for (const handler of [...handlers]) {
    try {
      handler(batch);
    } catch (error) {
      console.error('cockpit event handler failed', error);
    }
  }
}

const cockpit: CockpitApi = {
  invoke(name: string, request: object): Promise<unknown> {
    return ipcRenderer.invoke(IPC_INVOKE, name, request);
  },
  subscribe(handler: (batch: CockpitEvent[]) => void): () => void {
    if (typeof handler !== 'function') throw new TypeError('cockpit.subscribe needs a function');
    // Each subscription is its own entry, so subscribing one function twice needs two unsubscribes.
    const entry = (batch: CockpitEvent[]) => handler(batch);
    if (handlers.size === 0) ipcRenderer.on(IPC_EVENTS, deliver);
    handlers.add(entry);
    return () => {
      if (!handlers.delete(entry)) return;
      if (handlers.size === 0) ipcRenderer.removeListener(IPC_EVENTS, deliver);
    };
  },
};

contextBridge.exposeInMainWorld('cockpit', cockpit);
