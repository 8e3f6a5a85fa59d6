// A destructive action takes two clicks, the second within a few seconds, so a
// stray click cannot fire it: the kill switch, abandoning an interrupted session.
import { useEffect, useRef, useState } from 'react';

const CONFIRM_MS = 4_000;

/** `click` arms the action, or fires it when armed; `armed` turns false again after a few seconds. */
export function useConfirm(fire: () => void): { armed: boolean; click: () => void } {
  const [armed, setArmed] = useState(false);
  const disarm = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (disarm.current) clearTimeout(disarm.current);
    },
    [],
  );

  function click() {
    if (disarm.current) clearTimeout(disarm.current);
    if (!armed) {
      setArmed(true);
      disarm.current = setTimeout(() => setArmed(false), CONFIRM_MS);
      return;
    }
    setArmed(false);
    fire();
  }

  return { armed, click };
}
