// The browser host against a test double of the CockpitHost: what it refuses, what it serves,
// and that commands and events cross the WebSocket intact.
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CockpitEvent, ServerFrame } from '../../shared/index.js';
import type { CockpitHost } from '../host/api.js';
import { HARD_MAX_FRAME_BYTES, startBrowserHost } from './browser-host.js';
import type { BrowserHost } from './browser-host.js';

/** A test double for the CockpitHost: records commands, lets the test push events. */
function fakeHostForTests() {
  const handlers = new Set<(batch: CockpitEvent[]) => void>();
  const calls: { name: string; request: unknown }[] = [];
  const host: CockpitHost = {
    async invoke(name, request) {
      calls.push({ name, request });
      if (name === 'explode') throw new Error('boom');
      if (name === 'slow') await new Promise((resolve) => setTimeout(resolve, 50));
      return { ok: true, echo: { name, request } };
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {},
  };
  return {
    host,
    calls,
    subscribers: () => handlers.size,
    emit: (batch: CockpitEvent[]) => handlers.forEach((h) => h(batch)),
  };
}

const base = mkdtempSync(path.join(os.tmpdir(), 'cockpit-serve-'));
const staticDir = path.join(base, 'renderer');
mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>cockpit window</title>');
writeFileSync(path.join(staticDir, 'assets', 'index-1.js'), 'export const x = 1;');
writeFileSync(path.join(base, 'secret.txt'), 'journal secret');
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP GET: the path goes out exactly as written (no client-side normalisation). */
function get(
  port: number,
  rawPath: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: rawPath, method, headers: { Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that queues what it receives. */
class Client {
  readonly ws: WebSocket;
  private readonly queue: ServerFrame[] = [];
  private readonly waiting: ((frame: ServerFrame) => void)[] = [];
  readonly opened: Promise<void>;

  constructor(url: string, origin: string | undefined) {
    this.ws = new WebSocket(url, origin === undefined ? {} : { origin });
    this.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      const waiter = this.waiting.shift();
      if (waiter) waiter(frame);
      else this.queue.push(frame);
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  next(): Promise<ServerFrame> {
    const frame = this.queue.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame within 2 s')), 2000);
      this.waiting.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The status a refused WebSocket upgrade answers with. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('error', () => {});
  });
}

let fake: ReturnType<typeof fakeHostForTests>;
let server: BrowserHost;
let logs: string[];
let wsUrl: string;
const clients: Client[] = [];

function connect(url = wsUrl, origin: string | undefined = server.origin): Client {
  const client = new Client(url, origin);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  fake = fakeHostForTests();
  logs = [];
  server = await startBrowserHost({
    host: fake.host,
    staticDir,
    log: (level, message) => logs.push(`${level} ${message}`),
  });
  wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
  // The token is a secret: it is printed once for the operator and never logged.
  for (const line of logs) expect(line).not.toContain(server.token);
});

describe('browser host: listening', () => {
  it('binds to 127.0.0.1 only and hands out a tokenized URL', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    const refusedOn = async (address: string) =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: address, port: server.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
    if (external) expect(await refusedOn(external.address)).toBe(true);
    expect(await refusedOn('::1')).toBe(true);
  });

  it('refuses to start when the window is not built, saying how to build it', async () => {
    await expect(
      startBrowserHost({ host: fake.host, staticDir: path.join(base, 'missing'), log: () => {} }),
    ).rejects.toThrow(/npm run build:renderer/);
  });

  it('uses a fresh token on every run', async () => {
    const other = await startBrowserHost({ host: fake.host, staticDir, log: () => {} });
    expect(other.token).not.toBe(server.token);
    expect(other.port).not.toBe(server.port);
    await other.close();
  });
});

describe('browser host: the page and its files', () => {
  it('refuses the page without the token and with a wrong one (401), and logs it', async () => {
    const none = await get(server.port, '/');
    expect(none.status).toBe(401);
    expect(none.body).toContain('Token required');
    expect(none.headers['set-cookie']).toBeUndefined();
    const wrong = await get(
      server.port,
      `/?token=${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`,
    );
    expect(wrong.status).toBe(401);
    expect(logs.filter((l) => l.includes('refused page load'))).toHaveLength(2);
    expect(logs.some((l) => l.includes('no token'))).toBe(true);
    expect(logs.some((l) => l.includes('wrong token'))).toBe(true);
  });

  it('never logs the token of a request in absolute form (GET http://host/?token=…), page or WebSocket', async () => {
    const raw = (head: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => socket.write(head));
        let answer = '';
        socket.on('data', (chunk) => {
          answer += chunk.toString();
          socket.destroy();
        });
        socket.on('close', () => resolve(answer));
      });
    const host = `127.0.0.1:${server.port}`;
    await raw(`GET http://${host}/app.js?token=${server.token} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    await raw(
      `GET ws://${host}/socket?token=${server.token} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${server.origin}\r\n` +
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    // Both were refused and logged, by path (afterEach checks that no line holds the token).
    expect(logs.some((l) => l.includes(`"http://${host}/app.js"`))).toBe(true);
    expect(logs.some((l) => l.includes(`"ws://${host}/socket"`))).toBe(true);
  });

  it('serves the page with the token, with the CSP and security headers and an HttpOnly SameSite=Strict cookie', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('cockpit window');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = page.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(
      new RegExp(`^cockpit-assets-${server.port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`),
    );
    expect(cookie).not.toContain(server.token);
  });

  it('serves assets only with the cookie the page set', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    const cookie = (page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    expect((await get(server.port, '/assets/index-1.js')).status).toBe(401);
    expect((await get(server.port, '/assets/index-1.js', { Cookie: `${cookie}x` })).status).toBe(401);
    const script = await get(server.port, '/assets/index-1.js', { Cookie: cookie });
    expect(script.status).toBe(200);
    expect(script.body).toBe('export const x = 1;');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(server.port, '/assets/missing.js', { Cookie: cookie })).status).toBe(404);
  });

  it('serves the page again (GET and HEAD) to the asset cookie alone, so a window that took the token out of its address reloads', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    const cookie = (page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const reload = await get(server.port, '/', { Cookie: cookie });
    expect(reload.status).toBe(200);
    expect(reload.body).toContain('cockpit window');
    expect(reload.headers['content-security-policy']).toContain("script-src 'self';");
    // The cookie it came with is not handed out again.
    expect(reload.headers['set-cookie']).toBeUndefined();
    const head = await get(server.port, '/', { Cookie: cookie }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(logs.filter((l) => l.includes('window reloaded'))).toHaveLength(2);

    // Neither a token nor a valid cookie: the page that says what to open, GET or HEAD.
    const refused: Record<string, string>[] = [
      {},
      { Cookie: `${cookie}x` },
      { Cookie: `cockpit-assets-${server.port + 1}=x` },
    ];
    for (const headers of refused) {
      expect((await get(server.port, '/', headers)).status, JSON.stringify(headers)).toBe(401);
      expect((await get(server.port, '/', headers, 'HEAD')).status, JSON.stringify(headers)).toBe(401);
    }
    expect((await get(server.port, '/', {})).body).toContain('Token required');
  });

  it('refuses a wrong token even with a valid cookie, so a window of a restarted host learns its token is gone', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    const cookie = (page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const wrong = `${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`;
    for (const method of ['GET', 'HEAD']) {
      for (const presented of [wrong, '']) {
        const reply = await get(server.port, `/?token=${presented}`, { Cookie: cookie }, method);
        expect(reply.status, `${method} ?token=${presented}`).toBe(401);
        expect(reply.headers['set-cookie']).toBeUndefined();
      }
      expect((await get(server.port, `/?token=${server.token}`, { Cookie: cookie }, method)).status).toBe(
        200,
      );
    }
    expect(logs.filter((l) => l.includes('refused page load'))).toHaveLength(4);
  });

  it('refuses path traversal, even with a valid cookie, and logs it', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    const cookie = (page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    for (const attempt of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/%00',
    ]) {
      const reply = await get(server.port, attempt, { Cookie: cookie });
      expect(reply.status, attempt).toBe(400);
      expect(reply.body).not.toContain('journal secret');
    }
    expect(logs.filter((l) => l.includes('refused path'))).toHaveLength(6);
  });

  it('refuses a foreign Host header (DNS rebinding) and methods other than GET/HEAD', async () => {
    const rebound = await get(server.port, `/?token=${server.token}`, {
      Host: `evil.example:${server.port}`,
    });
    expect(rebound.status).toBe(403);
    const post = await get(server.port, `/?token=${server.token}`, {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });
});

describe('browser host: WebSocket admission', () => {
  it('refuses a missing or wrong token (401), a wrong or missing Origin (403), and keeps serving', async () => {
    const port = server.port;
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws`, server.origin)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws?token=nope`, server.origin)).toBe(401);
    expect(await upgradeStatus(wsUrl, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(wsUrl, `http://localhost:${port}`)).toBe(403);
    expect(await upgradeStatus(wsUrl, `http://127.0.0.1:${port + 1}`)).toBe(403);
    expect(await upgradeStatus(wsUrl, undefined)).toBe(403);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/other?token=${server.token}`, server.origin)).toBe(
      404,
    );
    expect(logs.filter((l) => l.includes('refused WebSocket'))).toHaveLength(7);
    expect(fake.subscribers()).toBe(0);

    const good = connect();
    await good.opened;
    good.send({ id: 1, name: 'snapshot', request: {} });
    expect(await good.next()).toMatchObject({ kind: 'response', id: 1 });
    expect((await get(port, `/?token=${server.token}`)).status).toBe(200);
  });
});

describe('browser host: frames', () => {
  it('round-trips a command to the host and back, by id', async () => {
    const client = connect();
    await client.opened;
    client.send({ id: 41, name: 'intent.submit', request: { asset: 'BTC/USDT', side: 'LONG' } });
    expect(await client.next()).toEqual({
      kind: 'response',
      id: 41,
      response: { ok: true, echo: { name: 'intent.submit', request: { asset: 'BTC/USDT', side: 'LONG' } } },
    });
    expect(fake.calls).toEqual([{ name: 'intent.submit', request: { asset: 'BTC/USDT', side: 'LONG' } }]);
  });

  it('matches concurrent responses to their ids whatever order they finish in', async () => {
    const client = connect();
    await client.opened;
    client.send({ id: 1, name: 'slow', request: {} });
    client.send({ id: 2, name: 'snapshot', request: {} });
    const first = await client.next();
    const second = await client.next();
    expect([first, second]).toMatchObject([
      { kind: 'response', id: 2 },
      { kind: 'response', id: 1 },
    ]);
  });

  it('answers malformed and oversized frames with protocol-error, logs them, and keeps the connection', async () => {
    const client = connect();
    await client.opened;
    const bad: unknown[] = [
      '{not json',
      '[]',
      { id: -1, name: 'snapshot', request: {} },
      { id: 1, name: 'snapshot', request: { pad: 'x'.repeat(70_000) } },
    ];
    for (const frame of bad) {
      client.send(frame);
      expect(await client.next(), JSON.stringify(frame).slice(0, 60)).toEqual({
        kind: 'protocol-error',
        message: expect.any(String),
      });
    }
    // A frame whose id can be read is answered as that call, so the window is not left waiting for it.
    for (const frame of [
      { id: 1, name: 'snapshot', request: 'nope' },
      { id: 2, name: 'snapshot', request: {}, extra: 1 },
    ]) {
      client.send(frame);
      expect(await client.next()).toEqual({
        kind: 'response',
        id: frame.id,
        response: {
          ok: false,
          error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/^frame\./) },
        },
      });
    }
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next()).toEqual({ kind: 'protocol-error', message: expect.stringMatching(/binary/) });
    expect(fake.calls).toEqual([]);
    expect(logs.filter((l) => l.includes('protocol error'))).toHaveLength(7);

    client.send({ id: 9, name: 'snapshot', request: {} });
    expect(await client.next()).toMatchObject({ kind: 'response', id: 9 });
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes only the offending connection (1009) beyond the hard cap, and keeps serving others', async () => {
    const other = connect();
    const greedy = connect();
    await Promise.all([other.opened, greedy.opened]);
    const closed = new Promise<number>((resolve) => greedy.ws.once('close', (code) => resolve(code)));
    greedy.ws.on('error', () => {});
    greedy.send('x'.repeat(HARD_MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    other.send({ id: 3, name: 'snapshot', request: {} });
    expect(await other.next()).toMatchObject({ kind: 'response', id: 3 });
    await expect.poll(() => fake.subscribers()).toBe(1);
  });

  it('turns a host that throws into a typed INTERNAL failure for that id', async () => {
    const client = connect();
    await client.opened;
    client.send({ id: 5, name: 'explode', request: {} });
    expect(await client.next()).toEqual({
      kind: 'response',
      id: 5,
      response: { ok: false, error: { code: 'INTERNAL', message: 'explode failed unexpectedly' } },
    });
    expect(logs.some((l) => l.startsWith('error') && l.includes('boom'))).toBe(true);
  });
});

describe('browser host: events', () => {
  it('delivers every host event batch to every connected window, and unsubscribes on close', async () => {
    const a = connect();
    const b = connect();
    await Promise.all([a.opened, b.opened]);
    await expect.poll(() => fake.subscribers()).toBe(2);
    const batch: CockpitEvent[] = [
      { type: 'marks', ticks: [] },
      { type: 'notice', level: 'warning', code: 'LATE_FILL', message: 'late fill', ts: 1 },
    ];
    fake.emit(batch);
    expect(await a.next()).toEqual({ kind: 'events', batch });
    expect(await b.next()).toEqual({ kind: 'events', batch });

    await a.close();
    await expect.poll(() => fake.subscribers()).toBe(1);
    fake.emit([{ type: 'marks', ticks: [] }]);
    expect(await b.next()).toEqual({ kind: 'events', batch: [{ type: 'marks', ticks: [] }] });
  });

  it('disconnects every window and frees the port on close', async () => {
    const client = connect();
    await client.opened;
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    await server.close();
    expect(await closed).toBe(1001);
    expect(fake.subscribers()).toBe(0);
    await expect(get(server.port, '/')).rejects.toThrow();
  });
});
