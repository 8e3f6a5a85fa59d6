// Why the WebSocket keeps failing. A browser does not tell a refused upgrade
// (the host answers 401 to a wrong token) from a host that is down: both are a
// close with code 1006. The page's own address can tell: a HEAD request with
// this window's token gets 401 from a host that was restarted with a new token,
// and no answer at all from a host that is gone.
import type { HostProblem } from '../store/types.js';

export type ProbeResult = 'ok' | 'wrong-token' | 'unreachable';

type Fetch = (url: string, init: RequestInit) => Promise<{ status: number }>;

/** Asks the page's own tokenized address whether the host still knows this window's token. */
export async function probeHost(pageUrl: string, fetchFn: Fetch = fetch): Promise<ProbeResult> {
  try {
    const response = await fetchFn(pageUrl, {
      method: 'HEAD',
      cache: 'no-store',
      credentials: 'same-origin',
    });
    return response.status === 401 ? 'wrong-token' : 'ok';
  } catch {
    return 'unreachable';
  }
}

export interface ReconnectWatchOptions {
  probe: () => Promise<ProbeResult>;
  /** What is known about the failures; null once the connection is back. */
  onProblem: (problem: HostProblem | null) => void;
  /** The host refuses this window's token: retrying cannot help. */
  onRestarted: () => void;
  /** Failed attempts (the drop included) before the first probe. */
  probeAfter?: number;
  /** Failed attempts before an unreachable host is called that. */
  unreachableAfter?: number;
}

/**
 * Follows the transport's states: after a few failed attempts in a row it
 * probes the host once per attempt (never two at a time) and reports what it
 * learns. Feed it every state change.
 */
export function watchReconnects(options: ReconnectWatchOptions): (state: string) => void {
  const probeAfter = options.probeAfter ?? 2;
  const unreachableAfter = options.unreachableAfter ?? 5;
  let failures = 0;
  let probing = false;
  let done = false;
  return (state) => {
    if (done) return;
    if (state === 'open') {
      failures = 0;
      options.onProblem(null);
      return;
    }
    if (state !== 'closed') return;
    failures += 1;
    if (failures < probeAfter || probing) return;
    probing = true;
    const seen = failures;
    void options.probe().then((result) => {
      probing = false;
      if (done || failures === 0) return; // reconnected meanwhile
      if (result === 'wrong-token') {
        done = true;
        options.onProblem('restarted');
        options.onRestarted();
      } else if (result === 'unreachable' && seen >= unreachableAfter) {
        options.onProblem('unreachable');
      }
    });
  };
}
