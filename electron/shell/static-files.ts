// Serving the built window (dist/renderer) to either shell: path resolution that refuses
// anything outside the root, and content types.
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL pathname (still percent-encoded, as in `new URL(...).pathname`) to a file under
 * `root`, or null when it is malformed or could leave the root: `..` segments (also encoded),
 * backslashes, NUL bytes, drive letters.
 */
export function resolveStaticPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..' || s.includes(':'))) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  if (full !== base && !full.startsWith(base + path.sep)) return null;
  return full;
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * Reads a file resolved by resolveStaticPath. Null when it is missing, not a regular file, or
 * a symbolic link leads outside the root.
 */
export async function readStaticFile(root: string, filePath: string): Promise<StaticFile | null> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(filePath)]);
    if (!realFile.startsWith(realRoot + path.sep)) return null;
    const info = await stat(realFile);
    if (!info.isFile()) return null;
    return { body: await readFile(realFile), contentType: contentTypeOf(realFile) };
  } catch {
    return null;
  }
}

/** Fails with the command that builds the window when `dist/renderer` is not there. */
export function assertRendererBuilt(staticDir: string): void {
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    throw new Error(
      `The window is not built: ${path.join(staticDir, 'index.html')} is missing. Run \`npm run build:renderer\` first.`,
    );
  }
}
