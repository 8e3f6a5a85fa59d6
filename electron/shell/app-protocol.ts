// The Electron window's files over the custom privileged scheme `app://cockpit/`, as a plain
// function from a request URL to a fetch Response (what protocol.handle expects), so it is
// tested without Electron.
import path from 'node:path';
import { APP_ORIGIN, contentSecurityPolicy, originOf, securityHeaders } from './policy.js';
import { readStaticFile, resolveStaticPath } from './static-files.js';

/** The window's CSP in Electron: no WebSocket, everything from app://cockpit only. */
export const ELECTRON_CSP = contentSecurityPolicy();

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...securityHeaders(ELECTRON_CSP), 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

/** Answers one request for `app://cockpit/...` from `staticDir` (dist/renderer). */
export async function appProtocolResponse(
  requestUrl: string,
  method: string,
  staticDir: string,
): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return textResponse(405, 'Method Not Allowed');
  if (originOf(requestUrl) !== APP_ORIGIN) return textResponse(404, 'Not Found');
  const { pathname } = new URL(requestUrl);
  const root = path.resolve(staticDir);
  const file = pathname === '/' ? path.join(root, 'index.html') : resolveStaticPath(root, pathname);
  if (file === null) return textResponse(400, 'Bad Request: path refused');
  const found = await readStaticFile(root, file);
  if (found === null) return textResponse(404, 'Not Found');
  return new Response(method === 'HEAD' ? null : new Uint8Array(found.body), {
    status: 200,
    headers: {
      ...securityHeaders(ELECTRON_CSP),
      'Content-Type': found.contentType,
      'Cache-Control': 'no-cache',
    },
  });
}
