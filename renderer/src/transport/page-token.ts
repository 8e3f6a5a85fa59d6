// The browser host's per-run token, out of the address bar. The host prints
// `http://127.0.0.1:PORT/?token=T`; left there, the token sits in the address
// bar and the history for the page's life. The window moves it into
// sessionStorage (this origin, so this port, and this tab: it survives a
// reload and goes with the tab) and takes it out of the address. A reload of
// the bare address gets the page by the host's asset cookie and the token from
// the store.

const TOKEN_KEY = 'cockpit.pageToken';

export type TokenStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface PageAddress {
  pathname: string;
  search: string;
  hash: string;
}

/** The tab's sessionStorage, or null where the browser refuses it (storage disabled). */
export function tabStorage(): TokenStorage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The address without any `token` parameter; the other parameters as written, and the fragment. */
export function addressWithoutToken(address: PageAddress): string {
  const kept = address.search
    .replace(/^\?/, '')
    .split('&')
    .filter((part) => part !== '' && !new URLSearchParams(part).has('token'));
  return `${address.pathname}${kept.length ? `?${kept.join('&')}` : ''}${address.hash}`;
}

/**
 * The token this window connects with: the address's, stored and then taken out of the address, or else
 * the one stored by an earlier load in this tab; null when there is neither (a new tab on the bare address).
 * A token in the address wins over a stored one: it is the operator opening a (new) printed address.
 */
export function takePageToken(
  address: PageAddress,
  storage: TokenStorage | null,
  replaceAddress: (url: string) => void,
): string | null {
  const presented = new URLSearchParams(address.search).get('token');
  if (presented) {
    // Not stored, the address keeps it: a reload would lose it otherwise.
    if (storage && stored(storage, presented)) replaceAddress(addressWithoutToken(address));
    return presented;
  }
  try {
    return storage?.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

function stored(storage: TokenStorage, token: string): boolean {
  try {
    storage.setItem(TOKEN_KEY, token);
    return true;
  } catch {
    return false;
  }
}

/** The page's own address with the token, for the probe: whether the host still knows it. */
export function tokenizedPageUrl(origin: string, token: string): string {
  return `${origin}/?token=${encodeURIComponent(token)}`;
}
