// The browser host's transport: `window.cockpit` over one WebSocket.
// Requests go out as ClientFrames `{id, name, request}`; the host answers with
// ServerFrames. Pending invokes resolve by id; when the socket drops, one
// already sent fails as OUTCOME_UNKNOWN (the host may have carried it out), one
// never sent as `connection lost`, and the socket reconnects with backoff.
import type { ClientFrame, CockpitApi, CockpitEvent, Failure, ServerFrame } from '../../../shared/index.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The part of the DOM WebSocket this transport uses (so tests can pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WebSocketTransportOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** First reconnect delay; doubles up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface WebSocketTransport {
  api: CockpitApi;
  state(): ConnectionState;
  /** Called on every state change; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

const OPEN = 1;

/** A call that never left the window: the host cannot have carried it out. */
export function connectionLost(): Failure {
  return { ok: false, error: { code: 'INTERNAL', message: 'connection lost: not sent' } };
}

/** A call the host may have received and carried out: only its answer is known to be lost. Never retried. */
function outcomeUnknown(): Failure {
  return {
    ok: false,
    error: { code: 'OUTCOME_UNKNOWN', message: 'the connection dropped before the host answered' },
  };
}

function isServerFrame(value: unknown): value is ServerFrame {
  if (value === null || typeof value !== 'object') return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'response' || kind === 'events' || kind === 'protocol-error';
}

export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5_000;

  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let backoff = minBackoff;
  let retryTimer: unknown = null;
  let closed = false;
  /** Invokes awaiting a response, by frame id; `sent` once written to an open socket. */
  const pending = new Map<number, { resolve: (response: unknown) => void; sent: boolean }>();
  /** Frames written while the socket was still connecting. */
  let outbox: { id: number; text: string }[] = [];
  const handlers = new Set<(batch: CockpitEvent[]) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  }

  function deliver(batch: CockpitEvent[]): void {
    for (const handler of [...handlers]) {
      try {
        handler(batch);
      } catch (error) {
        // A faulty subscriber must not break the others or the socket.
        console.error('cockpit event handler failed', error);
      }
    }
  }

  function failPending(): void {
    const waiting = [...pending.values()];
    pending.clear();
    outbox = [];
    for (const call of waiting) call.resolve(call.sent ? outcomeUnknown() : connectionLost());
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!isServerFrame(frame)) return;
    if (frame.kind === 'response') {
      const call = pending.get(frame.id);
      if (!call) return;
      pending.delete(frame.id);
      call.resolve(frame.response);
    } else if (frame.kind === 'events') {
      if (Array.isArray(frame.batch) && frame.batch.length > 0) deliver(frame.batch);
    } else {
      deliver([
        {
          type: 'notice',
          level: 'error',
          code: 'PROTOCOL_ERROR',
          message: `host could not read a frame: ${String(frame.message)}`,
          ts: Date.now(),
        },
      ]);
    }
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer !== null) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, maxBackoff);
    retryTimer = setTimer(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function connect(): void {
    if (closed) return;
    setState('connecting');
    let ws: SocketLike;
    try {
      ws = createSocket(options.url);
    } catch {
      setState('closed');
      failPending();
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      backoff = minBackoff;
      const queued = outbox;
      outbox = [];
      for (const { id, text } of queued) {
        ws.send(text);
        const call = pending.get(id);
        if (call) call.sent = true;
      }
      setState('open');
    };
    ws.onmessage = (event) => {
      if (socket === ws) onMessage(event.data);
    };
    ws.onerror = () => {
      // A close event always follows; reconnect happens there.
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failPending();
      setState('closed');
      scheduleReconnect();
    };
  }

  const api: CockpitApi = {
    invoke(name: string, request: object): Promise<unknown> {
      if (closed) return Promise.resolve(connectionLost());
      const id = nextId++;
      const frame: ClientFrame = { id, name, request: request as Record<string, unknown> };
      let text: string;
      try {
        text = JSON.stringify(frame);
      } catch (error) {
        return Promise.resolve({
          ok: false,
          error: { code: 'INVALID_REQUEST', message: `request cannot be sent: ${String(error)}` },
        } satisfies Failure);
      }
      return new Promise((resolve) => {
        const call = { resolve, sent: false };
        pending.set(id, call);
        if (socket && socket.readyState === OPEN) {
          socket.send(text);
          call.sent = true;
        } else if (socket) outbox.push({ id, text });
        else {
          // Between a drop and the next attempt: nothing to wait on.
          pending.delete(id);
          resolve(connectionLost());
        }
      });
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },
  };

  connect();

  return {
    api,
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      closed = true;
      if (retryTimer !== null) clearTimer(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      failPending();
      ws?.close();
      setState('closed');
    },
  };
}

/** `ws://<host>/ws?token=<token>` for the page's own host and its token. */
export function browserHostUrl(host: string, token: string): string {
  return `ws://${host}/ws?token=${encodeURIComponent(token)}`;
}
