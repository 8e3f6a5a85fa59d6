// The browser host: the cockpit API over loopback HTTP + WebSocket, for a window in an
// ordinary browser. Plain Node (http + ws); never imports 'electron'.
//
//   GET /?token=T      the window (index.html); sets an HttpOnly SameSite=Strict asset cookie
//   GET /              the window again, with that cookie (a reload once the window took the token out of
//                      its address); a token presented with it must still be right
//   GET /assets/...    the window's files; need that cookie
//   GET /ws?token=T    WebSocket upgrade; needs the token and Origin http://127.0.0.1:PORT
//
// Everything refused is answered with a status, logged, and the server keeps serving.
import http, { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { failure, MAX_FRAME_BYTES } from '../../shared/index.js';
import type { ServerFrame } from '../../shared/index.js';
import type { CockpitHost } from '../host/api.js';
import { stderrLog } from './config.js';
import type { Log } from './config.js';
import { encodeServerFrame, parseClientFrame } from './frames.js';
import { contentSecurityPolicy, securityHeaders } from './policy.js';
import { assertRendererBuilt, readStaticFile, resolveStaticPath } from './static-files.js';
import { newToken, readCookie, secretMatches } from './token.js';

export const LOOPBACK = '127.0.0.1';
export const WS_PATH = '/ws';
/**
 * Frames above MAX_FRAME_BYTES get a protocol-error and the connection stays up; only beyond
 * this hard cap does the WebSocket layer itself close the connection (1009, message too big),
 * so a client cannot make the host buffer arbitrary amounts.
 */
export const HARD_MAX_FRAME_BYTES = 16 * MAX_FRAME_BYTES;
/** A window that stops reading is disconnected once this much is queued for it. */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface BrowserHostOptions {
  host: CockpitHost;
  /** 0 or absent: any free port. */
  port?: number;
  /** The built window: dist/renderer. */
  staticDir: string;
  log?: Log;
}

export interface BrowserHost {
  /** `http://127.0.0.1:PORT/?token=…`: what the operator opens. */
  url: string;
  /** `http://127.0.0.1:PORT`: the only Origin accepted on the WebSocket. */
  origin: string;
  port: number;
  token: string;
  /** Disconnects every window and stops listening; the CockpitHost stays open (its owner closes it). */
  close(): Promise<void>;
}

const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cockpit: token required</title></head>
<body><h1>Token required</h1>
<p>Open the full address printed by <code>npm run serve</code> (or <code>npm start</code>):
<code>http://127.0.0.1:PORT/?token=…</code>. The token changes on every run.</p></body></html>
`;

/** The raw path of a request target, before any normalisation, or null if not origin-form. */
function rawPathOf(target: string | undefined): string | null {
  if (!target || !target.startsWith('/')) return null;
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}

function queryOf(target: string | undefined): URLSearchParams {
  const q = target?.indexOf('?') ?? -1;
  return new URLSearchParams(q < 0 || !target ? '' : target.slice(q + 1));
}

/**
 * What a log line may say about a request target: its path, never the query or fragment (they hold the
 * token), in any form of target (`/p?q`, `http://host/p?q`, `*`).
 */
function pathForLog(target: string | undefined): string {
  const end = target?.search(/[?#]/) ?? -1;
  const path = end < 0 ? (target ?? '') : (target ?? '').slice(0, end);
  return JSON.stringify(path.slice(0, 200));
}

function who(req: IncomingMessage): string {
  return `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${LOOPBACK} is in use: set COCKPIT_PORT to another port, or 0`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const { host, staticDir } = options;
  const log = options.log ?? stderrLog;
  assertRendererBuilt(staticDir);
  const root = path.resolve(staticDir);

  const token = newToken();
  const assetSecret = newToken();
  const clients = new Set<WebSocket>();
  // Filled in once listening; no request is handled before that.
  let origin = '';
  let hostHeaders = new Set<string>();
  let cookieName = '';
  let headers: Record<string, string> = {};

  function reply(
    res: ServerResponse,
    status: number,
    body: string | Buffer,
    contentType = 'text/plain; charset=utf-8',
    extra: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      ...headers,
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostHeaders.has(req.headers.host ?? '')) {
      log('warn', `refused ${req.method} from ${who(req)}: Host header ${JSON.stringify(req.headers.host)}`);
      return reply(res, 403, 'Forbidden: unexpected Host header\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      log('warn', `refused ${req.method} from ${who(req)}: method not allowed`);
      return reply(res, 405, 'Method Not Allowed\n', undefined, { Allow: 'GET, HEAD' });
    }
    const rawPath = rawPathOf(req.url);
    if (rawPath === '/') {
      const presented = queryOf(req.url).get('token');
      // index.html holds no secret, so the asset cookie may load it too; but a token, once presented, is
      // judged alone: the window's probe tells a restarted host by its refusal, cookie or not.
      const admitted =
        presented === null
          ? secretMatches(readCookie(req.headers.cookie, cookieName), assetSecret)
          : secretMatches(presented, token);
      if (!admitted) {
        log(
          'warn',
          `refused page load from ${who(req)}: ${presented ? 'wrong token' : 'no token and no valid asset cookie'}`,
        );
        return reply(res, 401, UNAUTHORIZED_PAGE, 'text/html; charset=utf-8');
      }
      const page = await readStaticFile(root, path.join(root, 'index.html'));
      if (page === null) {
        log(
          'error',
          `${path.join(root, 'index.html')} is gone (rebuilt while serving?): run npm run build:renderer`,
        );
        return reply(res, 500, 'index.html is missing: run `npm run build:renderer`\n');
      }
      if (presented === null) {
        log('info', `window reloaded by ${who(req)} (asset cookie)`);
        return reply(res, 200, page.body, page.contentType);
      }
      log('info', `window loaded by ${who(req)}`);
      return reply(res, 200, page.body, page.contentType, {
        'Set-Cookie': `${cookieName}=${assetSecret}; Path=/; HttpOnly; SameSite=Strict`,
      });
    }
    if (rawPath === WS_PATH)
      return reply(res, 426, 'Upgrade Required\n', undefined, { Upgrade: 'websocket' });
    if (!secretMatches(readCookie(req.headers.cookie, cookieName), assetSecret)) {
      log('warn', `refused ${pathForLog(req.url)} from ${who(req)}: no valid asset cookie`);
      return reply(res, 401, 'Unauthorized: load the window from its tokenized address first\n');
    }
    const file = rawPath === null ? null : resolveStaticPath(root, rawPath);
    if (file === null) {
      log('warn', `refused path ${pathForLog(req.url)} from ${who(req)}: outside the window's files`);
      return reply(res, 400, 'Bad Request: path refused\n');
    }
    const found = await readStaticFile(root, file);
    if (found === null) return reply(res, 404, 'Not Found\n');
    return reply(res, 200, found.body, found.contentType, { 'Cache-Control': 'no-cache' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log('error', `request ${req.method} ${pathForLog(req.url)} failed: ${String(error)}`);
      if (!res.headersSent) reply(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });

  function refuseUpgrade(req: IncomingMessage, socket: Duplex, status: number, reason: string): void {
    log('warn', `refused WebSocket from ${who(req)}: ${reason}`);
    const body = `${STATUS_CODES[status] ?? 'Refused'}: ${reason}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\n` +
        'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) =>
      log('warn', `WebSocket handshake from ${who(req)} failed: ${error.message}`),
    );
    if (rawPathOf(req.url) !== WS_PATH)
      return refuseUpgrade(req, socket, 404, `no WebSocket at ${pathForLog(req.url)}`);
    if (!hostHeaders.has(req.headers.host ?? '')) {
      return refuseUpgrade(req, socket, 403, `Host header ${JSON.stringify(req.headers.host)}`);
    }
    if (req.headers.origin !== origin) {
      return refuseUpgrade(
        req,
        socket,
        403,
        `Origin ${JSON.stringify(req.headers.origin ?? null)} is not ${origin}`,
      );
    }
    const presented = queryOf(req.url).get('token');
    if (!secretMatches(presented, token)) {
      return refuseUpgrade(req, socket, 401, `${presented ? 'wrong' : 'no'} token`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, who(req)));
  });

  function send(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    let text: string;
    try {
      text = encodeServerFrame(frame);
    } catch (error) {
      log('error', `could not serialize a ${frame.kind} frame: ${String(error)}`);
      if (frame.kind !== 'response') return;
      text = encodeServerFrame({
        kind: 'response',
        id: frame.id,
        response: failure('INTERNAL', 'the response could not be serialized'),
      });
    }
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log('error', `a window is not reading (${ws.bufferedAmount} bytes queued): disconnecting it`);
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  function connect(ws: WebSocket, peer: string): void {
    clients.add(ws);
    log('info', `window connected from ${peer} (${clients.size} open)`);
    let unsubscribe: (() => void) | null = host.subscribe((batch) => send(ws, { kind: 'events', batch }));

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const parsed = parseClientFrame(data, isBinary);
      if (!parsed.ok) {
        log('warn', `protocol error from ${peer}: ${parsed.message}`);
        // A call whose id could be read gets its answer, or the window would wait for it forever.
        send(
          ws,
          parsed.id === undefined
            ? { kind: 'protocol-error', message: parsed.message }
            : { kind: 'response', id: parsed.id, response: failure('INVALID_REQUEST', parsed.message) },
        );
        return;
      }
      const { id, name, request } = parsed.frame;
      host.invoke(name, request).then(
        (response) => send(ws, { kind: 'response', id, response }),
        (error: unknown) => {
          log('error', `${name} threw: ${String(error)}`);
          send(ws, { kind: 'response', id, response: failure('INTERNAL', `${name} failed unexpectedly`) });
        },
      );
    });
    ws.on('error', (error) => log('warn', `WebSocket from ${peer}: ${error.message}`));
    ws.on('close', (code) => {
      unsubscribe?.();
      unsubscribe = null;
      clients.delete(ws);
      log('info', `window from ${peer} disconnected (${code}; ${clients.size} open)`);
    });
  }

  const port = await listen(server, options.port ?? 0);
  origin = `http://${LOOPBACK}:${port}`;
  hostHeaders = new Set([`${LOOPBACK}:${port}`, ...(port === 80 ? [LOOPBACK] : [])]);
  // Cookies are not scoped by port: name it per port so two cockpits on one machine coexist.
  cookieName = `cockpit-assets-${port}`;
  headers = securityHeaders(contentSecurityPolicy({ connectSrc: [`ws://${LOOPBACK}:${port}`] }));

  let closing: Promise<void> | null = null;
  function close(): Promise<void> {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const gone = [...clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close(1001, 'cockpit host stopping');
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 1000).unref();
          }),
      );
      await Promise.all(gone);
      wss.close();
      server.closeAllConnections();
      await stopped;
    })();
    return closing;
  }

  return { url: `${origin}/?token=${token}`, origin, port, token, close };
}
