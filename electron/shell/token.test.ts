import { describe, expect, it } from 'vitest';
import { newToken, readCookie, secretMatches } from './token.js';

describe('per-run secrets', () => {
  it('are 32 random bytes in base64url, different on every call', () => {
    const a = newToken();
    const b = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('match only the exact secret; empty, missing, shorter and longer ones are refused', () => {
    const token = newToken();
    expect(secretMatches(token, token)).toBe(true);
    // A different string with the same characters (not the same object) matches too.
    expect(secretMatches([...token].join(''), token)).toBe(true);
    for (const wrong of [null, undefined, '', token.slice(1), `${token}x`, token.toUpperCase(), newToken()]) {
      expect(secretMatches(wrong, token)).toBe(false);
    }
    expect(secretMatches('', '')).toBe(false);
  });
});

describe('readCookie', () => {
  it('finds one cookie among several and ignores lookalike names', () => {
    const header = 'other=1; cockpit-assets-80x=bad; cockpit-assets-80=s3cr=et ; last=2';
    expect(readCookie(header, 'cockpit-assets-80')).toBe('s3cr=et');
    expect(readCookie(header, 'missing')).toBeNull();
    expect(readCookie(undefined, 'x')).toBeNull();
    expect(readCookie('novalue', 'novalue')).toBeNull();
  });
});
