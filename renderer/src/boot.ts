// Startup outside React (so StrictMode's double effects cannot subscribe
// twice): install the WebSocket transport when no preload gave us
// `window.cockpit`, pump events into the store once per frame, hydrate.
import type { CockpitEvent } from '../../shared/index.js';
import { afterBatch, hydrate, noteArrival, setSnapshotSink } from './actions.js';
import { EventPump } from './store/pump.js';
import { useCockpit } from './store/store.js';
import { tabStorage, takePageToken, tokenizedPageUrl } from './transport/page-token.js';
import { probeHost, watchReconnects } from './transport/probe.js';
import { browserHostUrl, createWebSocketTransport, type WebSocketTransport } from './transport/websocket.js';

let booted = false;

export function boot(): void {
  if (booted) return;
  booted = true;
  const store = useCockpit.getState;

  let browser: { transport: WebSocketTransport; probeUrl: string } | null = null;
  if (!window.cockpit) {
    const token = takePageToken(window.location, tabStorage(), (url) =>
      window.history.replaceState(window.history.state, '', url),
    );
    if (token === null) {
      // Knocking without a token can only be refused: say what to open instead.
      store().setConnection('closed');
      store().setHostProblem('no-token');
      return;
    }
    browser = {
      transport: createWebSocketTransport({ url: browserHostUrl(window.location.host, token) }),
      // The token, not the page's address: that no longer holds it.
      probeUrl: tokenizedPageUrl(window.location.origin, token),
    };
    window.cockpit = browser.transport.api;
  }
  const api = window.cockpit!;

  const pump = new EventPump((batch: CockpitEvent[]) => {
    store().applyEvents(batch, Date.now());
    afterBatch(batch);
  });
  setSnapshotSink((batch) => pump.push(batch));
  api.subscribe((batch) => {
    noteArrival(batch);
    pump.push(batch);
  });

  if (!browser) {
    store().setConnection('native');
    void hydrate();
    return;
  }
  const { transport, probeUrl } = browser;
  let everOpen = false;
  let lost = false;
  const watch = watchReconnects({
    probe: () => probeHost(probeUrl),
    onProblem: (problem) => store().setHostProblem(problem),
    onRestarted: () => {
      // Its token is gone for good: stop knocking, say what to do.
      transport.close();
      store().notify({
        level: 'error',
        code: 'HOST_RESTARTED',
        message: 'the host was restarted with a new token: open the new address it printed',
      });
    },
  });
  store().setConnection(transport.state());
  transport.onState((state) => {
    store().setConnection(state);
    watch(state);
    if (state === 'open') {
      if (lost) store().notify({ level: 'info', code: 'RECONNECTED', message: 'reconnected to the host' });
      everOpen = true;
      lost = false;
      void hydrate();
    } else if (state === 'closed' && everOpen && !lost) {
      lost = true;
      store().notify({
        level: 'warning',
        code: 'CONNECTION_LOST',
        message: 'connection to the host lost; reconnecting',
      });
    }
  });
  if (transport.state() === 'open') void hydrate();
}
