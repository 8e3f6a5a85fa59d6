import { describe, expect, it } from 'vitest';
import type { CockpitEvent } from '../../../shared/index.js';
import { browserHostUrl, createWebSocketTransport, type SocketLike } from './websocket.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  frames() {
    return this.sent.map((s) => JSON.parse(s) as { id: number; name: string; request: unknown });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const transport = createWebSocketTransport({
    url: 'ws://h/ws?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      const i = timers.indexOf(t as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const fire = () => timers.splice(0).forEach((t) => t.fn());
  return { transport, sockets, timers, fire, last: () => sockets[sockets.length - 1]! };
}

describe('WebSocket transport', () => {
  it('builds the socket URL from the page host and token', () => {
    expect(browserHostUrl('127.0.0.1:4000', 'a b/c')).toBe('ws://127.0.0.1:4000/ws?token=a%20b%2Fc');
  });

  it('queues invokes until the socket opens, then resolves them by id', async () => {
    const { transport, last } = setup();
    const a = transport.api.invoke('snapshot', {});
    const b = transport.api.invoke('session.list', {});
    expect(last().sent).toHaveLength(0);
    last().open();
    const frames = last().frames();
    expect(frames.map((f) => f.name)).toEqual(['snapshot', 'session.list']);
    last().receive({ kind: 'response', id: frames[1]!.id, response: { ok: true, sessions: [] } });
    last().receive({ kind: 'response', id: frames[0]!.id, response: { ok: true, slots: [] } });
    await expect(a).resolves.toEqual({ ok: true, slots: [] });
    await expect(b).resolves.toEqual({ ok: true, sessions: [] });
    expect(transport.state()).toBe('open');
  });

  it('delivers event batches to every subscriber until it unsubscribes', () => {
    const { transport, last } = setup();
    last().open();
    const seen: CockpitEvent[][] = [];
    const off = transport.api.subscribe((b) => seen.push(b));
    const batch: CockpitEvent[] = [{ type: 'marks', ticks: [{ asset: 'BTC/USDT', price: 1, ts: 1 }] }];
    last().receive({ kind: 'events', batch });
    off();
    last().receive({ kind: 'events', batch });
    expect(seen).toEqual([batch]);
  });

  it('reports a protocol error as an error notice and ignores unreadable frames', () => {
    const { transport, last } = setup();
    last().open();
    const seen: CockpitEvent[] = [];
    transport.api.subscribe((b) => seen.push(...b));
    last().onmessage?.({ data: 'not json' });
    last().receive({ kind: 'protocol-error', message: 'bad frame' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'notice', level: 'error', code: 'PROTOCOL_ERROR' });
  });

  it('fails pending invokes when the socket drops, then reconnects with backoff', async () => {
    const { transport, sockets, timers, fire, last } = setup();
    const states: string[] = [];
    transport.onState((s) => states.push(s));
    last().open();
    const pending = transport.api.invoke('snapshot', {});
    last().drop();
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'OUTCOME_UNKNOWN' } });
    // While disconnected, an invoke fails at once instead of hanging.
    await expect(transport.api.invoke('snapshot', {})).resolves.toMatchObject({ ok: false });
    expect(timers.map((t) => t.ms)).toEqual([250]);
    fire();
    expect(sockets).toHaveLength(2);
    last().drop();
    expect(timers.map((t) => t.ms)).toEqual([500]);
    fire();
    last().open();
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
    // Backoff resets after a successful open.
    last().drop();
    expect(timers.map((t) => t.ms)).toEqual([250]);
  });

  it('says a call the drop cut off after it was sent may have been carried out, and one never sent was not', async () => {
    const { transport, fire, last } = setup();
    const queued = transport.api.invoke('order.cancel', { clientOrderId: 'T1-E1' });
    last().open();
    // Sent once the socket opened: the host may have cancelled it before the drop.
    const sent = transport.api.invoke('trade.exit', { slotId: 0 });
    last().drop();
    const unknown = {
      ok: false,
      error: { code: 'OUTCOME_UNKNOWN', message: 'the connection dropped before the host answered' },
    };
    await expect(queued).resolves.toEqual(unknown);
    await expect(sent).resolves.toEqual(unknown);
    await expect(transport.api.invoke('trade.exit', { slotId: 0 })).resolves.toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'connection lost: not sent' },
    });
    expect(
      last()
        .frames()
        .map((f) => f.name),
    ).toEqual(['order.cancel', 'trade.exit']);
    // Nothing is sent again by itself: a second exit could close more than was meant.
    fire();
    last().open();
    expect(last().sent).toEqual([]);
  });

  it('close() stops reconnecting and fails what is pending', async () => {
    const { transport, timers, last } = setup();
    const pending = transport.api.invoke('snapshot', {});
    transport.close();
    // Still in the outbox: it never reached the host.
    await expect(pending).resolves.toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: 'connection lost: not sent' },
    });
    expect(timers).toHaveLength(0);
    expect(last().readyState).toBe(3);
  });
});
