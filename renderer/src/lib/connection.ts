// What the window says about its connection to the host. While it is lost,
// everything on screen is as of the moment it dropped: the top bar says so,
// the marks are greyed, commands are disabled, and a banner says what to do.
import type { ConnectionStatus, HostProblem } from '../store/types.js';
import { clock } from './format.js';

export interface LinkState {
  connection: ConnectionStatus;
  everOpen: boolean;
  lostAt: number | null;
  hostProblem: HostProblem | null;
}

export interface LinkView {
  /** Commands can be sent. */
  online: boolean;
  /** What is shown was live once and may no longer be. */
  stale: boolean;
  /** Replaces the session status in the top bar; null leaves it alone. */
  status: string | null;
  banner: { level: 'warning' | 'error'; title: string; detail: string } | null;
}

/** Where the browser host prints its address; the port and token are new on every run. */
const NEW_ADDRESS_HINT =
  'the address the host printed when it started (Cockpit: http://127.0.0.1:PORT/?token=…)';

export function isOnline(connection: ConnectionStatus): boolean {
  return connection === 'open' || connection === 'native';
}

export function linkView(link: LinkState): LinkView {
  if (isOnline(link.connection)) return { online: true, stale: false, status: null, banner: null };
  const asOf = link.lostAt !== null ? ` Everything shown is as of ${clock(link.lostAt)}.` : '';

  if (link.hostProblem === 'no-token') {
    return {
      online: false,
      stale: false,
      status: 'no token — open the printed address',
      banner: {
        level: 'error',
        title: 'This window has no token, so it cannot connect.',
        detail: `A tab keeps the token of the address it was opened from; this one was opened without it. Open ${NEW_ADDRESS_HINT}.`,
      },
    };
  }

  if (link.hostProblem === 'restarted') {
    return {
      online: false,
      stale: link.everOpen,
      status: 'host restarted — reload the window',
      banner: {
        level: 'error',
        title: 'The host was restarted: reload the window from its new address.',
        detail: `This page's token is no longer accepted, so it cannot reconnect. Open ${NEW_ADDRESS_HINT}.${asOf}`,
      },
    };
  }

  const unreachable =
    link.hostProblem === 'unreachable'
      ? ` The host has not answered for a while: if it was restarted, open ${NEW_ADDRESS_HINT}.`
      : '';

  if (!link.everOpen) {
    return {
      online: false,
      stale: false,
      status: 'connecting…',
      banner: unreachable
        ? { level: 'warning', title: 'Cannot reach the host — retrying…', detail: unreachable.trim() }
        : null,
    };
  }

  return {
    online: false,
    stale: true,
    status: 'connection lost — reconnecting…',
    banner: {
      level: 'warning',
      title: 'Connection to the host lost — reconnecting…',
      detail: `Prices, orders and positions may be stale, and commands are disabled until it is back.${asOf}${unreachable}`,
    },
  };
}
