// Security policy of both shells as plain functions: the content security policy, the
// response headers, origin comparison for navigation, and the IPC sender check.
import { ClientFrame, failure, fromZodError, MAX_FRAME_BYTES } from '../../shared/index.js';
import type { Failure } from '../../shared/index.js';

/** The custom privileged scheme the Electron window is loaded from. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'cockpit';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The window's content security policy. Same rules as the renderer's meta tag; `connectSrc`
 * adds the browser host's WebSocket origin (`ws://127.0.0.1:PORT`).
 */
export function contentSecurityPolicy(options: { connectSrc?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(options.connectSrc ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${connect}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every response of either shell. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  };
}

/**
 * The origin of a URL as `scheme://host[:port]`, or null when it has none (opaque, unparsable).
 * WHATWG URL reports the origin of a non-special scheme such as `app:` as the string "null";
 * two such URLs must never compare equal by that, so the origin is rebuilt from scheme + host.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== 'null') return parsed.origin;
  if (parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host}`;
}

/** True only when `url` has exactly the trusted origin (navigation, redirects, IPC frames). */
export function isSameOrigin(url: string, trustedOrigin: string): boolean {
  const origin = originOf(url);
  return origin !== null && origin === trustedOrigin;
}

/** Schemes that reach the network or the disk; the Electron window needs none of them. */
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

/**
 * Requests the Electron window must not make at all (defence in depth behind the CSP): anything
 * over the network or from the disk. The window's own files come from app://cockpit.
 */
export function isBlockedRequest(url: string): boolean {
  try {
    return NETWORK_SCHEMES.has(new URL(url).protocol);
  } catch {
    return true;
  }
}

/** What main knows about the frame that sent an IPC message. */
export interface IpcSenderFacts {
  /** The message came from the cockpit window's own webContents. */
  fromOurWindow: boolean;
  /** The sending frame is that window's main (top) frame, not a subframe. */
  isMainFrame: boolean;
  /** The sending frame's URL; null when the frame navigated away or was destroyed. */
  frameUrl: string | null;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

/** The sender check on every IPC message: our window, its main frame, our origin. */
export function checkIpcSender(facts: IpcSenderFacts, trustedOrigin: string): SenderVerdict {
  if (!facts.fromOurWindow) return { ok: false, reason: 'sender is not the cockpit window' };
  if (!facts.isMainFrame) return { ok: false, reason: 'sender is not the main frame' };
  if (facts.frameUrl === null) return { ok: false, reason: 'sender frame is gone' };
  if (!isSameOrigin(facts.frameUrl, trustedOrigin)) {
    return { ok: false, reason: `sender origin ${originOf(facts.frameUrl) ?? 'opaque'} is not ours` };
  }
  return { ok: true };
}

/** The typed failure an untrusted sender gets back. */
export function unauthorizedSender(reason: string): Failure {
  return failure('UNAUTHORIZED', `request refused: ${reason}`);
}

const InvokeArgs = ClientFrame.omit({ id: true });

/**
 * Checks the two arguments of `invoke(name, request)` with the transport schema, and the request's size
 * against the browser host's frame limit: IPC has no limit of its own.
 */
export function parseInvokeArgs(
  name: unknown,
  request: unknown,
): { ok: true; name: string; request: Record<string, unknown> } | Failure {
  const input = { name, request };
  const parsed = InvokeArgs.safeParse(input);
  if (!parsed.success) return fromZodError(parsed.error, input);
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(parsed.data.request), 'utf8');
  } catch (error) {
    // A BigInt or a cycle, which IPC's structured clone can carry and JSON cannot.
    return failure('INVALID_REQUEST', `request: not plain JSON data (${(error as Error).message})`, {
      field: 'request',
    });
  }
  if (size > MAX_FRAME_BYTES) {
    return failure('INVALID_REQUEST', `request: ${size} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`, {
      field: 'request',
    });
  }
  return { ok: true, name: parsed.data.name, request: parsed.data.request };
}
