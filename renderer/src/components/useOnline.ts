// The connection and the session as the views need them: may a command be
// sent, may it act on anything, and what to say.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isOnline, linkView, type LinkView } from '../lib/connection.js';
import { isRunning } from '../store/apply.js';
import { useCockpit } from '../store/store.js';

/** Whether commands can reach the host now. */
export function useOnline(): boolean {
  return useCockpit((s) => isOnline(s.session.connection));
}

/** Why a command button is disabled while offline, for its tooltip. */
export const OFFLINE_TITLE = 'not connected to the host';

/**
 * Whether a session runs. A stopped session's positions and orders stay on screen, but the host refuses any
 * command on them (NO_SESSION): their buttons are disabled, with NO_SESSION_TITLE.
 */
export function useRunning(): boolean {
  return useCockpit((s) => isRunning(s.session.current));
}

export const NO_SESSION_TITLE = 'no session is running';

export function useLinkView(): LinkView {
  const link = useCockpit(
    useShallow((s) => ({
      connection: s.session.connection,
      everOpen: s.session.everOpen,
      lostAt: s.session.lostAt,
      hostProblem: s.session.hostProblem,
    })),
  );
  return useMemo(() => linkView(link), [link]);
}
