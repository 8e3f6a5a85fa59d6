// Per-run secrets of the browser host: the page token and the asset cookie.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh 256-bit secret, URL-safe (base64url, 43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares a presented secret with the expected one in constant time. Both sides are hashed
 * first, so neither the content nor the length of the expected secret leaks through timing.
 */
export function secretMatches(presented: string | null | undefined, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || expected.length === 0) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The value of one cookie in a `Cookie` request header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
