// The connection as the views need it: may a command be sent, and what to say.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isOnline, linkView, type LinkView } from '../lib/connection.js';
import { useCockpit } from '../store/store.js';

/** Whether commands can reach the host now. */
export function useOnline(): boolean {
  return useCockpit((s) => isOnline(s.session.connection));
}

/** Why a command button is disabled while offline, for its tooltip. */
export const OFFLINE_TITLE = 'not connected to the host';

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
