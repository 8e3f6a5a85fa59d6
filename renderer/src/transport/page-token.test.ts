import { describe, expect, it } from 'vitest';
import { addressWithoutToken, takePageToken, tokenizedPageUrl, type TokenStorage } from './page-token.js';

/** A tab's sessionStorage: a map, or one that refuses every write (storage disabled, quota). */
function tabStore(refuses = false): TokenStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      if (refuses) throw new DOMException('refused', 'SecurityError');
      items.set(key, value);
    },
  };
}

function load(search: string, storage: TokenStorage | null, hash = '') {
  const replaced: string[] = [];
  const token = takePageToken({ pathname: '/', search, hash }, storage, (url) => replaced.push(url));
  return { token, replaced };
}

describe('the page token', () => {
  it('moves from the address into the tab, and the address keeps the rest of its query and fragment', () => {
    const storage = tabStore();
    expect(load('?token=T1', storage)).toEqual({ token: 'T1', replaced: ['/'] });
    expect(load('?view=slots&token=T1&x=a%20b', storage, '#trades')).toEqual({
      token: 'T1',
      replaced: ['/?view=slots&x=a%20b#trades'],
    });
    expect([...storage.items.values()]).toEqual(['T1']);
  });

  it('is read back from the tab on a reload of the bare address, which is left alone', () => {
    const storage = tabStore();
    load('?token=T1', storage);
    expect(load('', storage)).toEqual({ token: 'T1', replaced: [] });
    expect(load('?view=slots', storage, '#x')).toEqual({ token: 'T1', replaced: [] });
  });

  it('from a newly opened address wins over the one the tab kept (a restarted host)', () => {
    const storage = tabStore();
    load('?token=OLD', storage);
    expect(load('?token=NEW', storage).token).toBe('NEW');
    expect(load('', storage).token).toBe('NEW');
  });

  it('is null in a new tab on the bare address: nothing to connect with', () => {
    expect(load('', tabStore())).toEqual({ token: null, replaced: [] });
    expect(load('?token=', tabStore())).toEqual({ token: null, replaced: [] });
    expect(load('', null)).toEqual({ token: null, replaced: [] });
  });

  it('stays in the address when the tab cannot keep it, so a reload still works', () => {
    expect(load('?token=T1', tabStore(true))).toEqual({ token: 'T1', replaced: [] });
    expect(load('?token=T1', null)).toEqual({ token: 'T1', replaced: [] });
  });
});

describe('addressWithoutToken', () => {
  it('drops every token parameter, however written, and nothing else', () => {
    const at = (search: string, hash = '') => addressWithoutToken({ pathname: '/', search, hash });
    expect(at('?token=a&token=b')).toBe('/');
    expect(at('?%74oken=a&tokens=1&mytoken=2')).toBe('/?tokens=1&mytoken=2');
    expect(at('?a=1&&token=x&b', '#h')).toBe('/?a=1&b#h');
    expect(at('', '#h')).toBe('/#h');
  });
});

describe('tokenizedPageUrl', () => {
  it("is the page's own address with the token, encoded", () => {
    expect(tokenizedPageUrl('http://127.0.0.1:4000', 'a+b/c')).toBe('http://127.0.0.1:4000/?token=a%2Bb%2Fc');
  });
});
