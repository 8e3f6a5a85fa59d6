// A listing the session form reads from the host (its feed files, its exchanges): read again each time the form
// is shown with the host reachable, and on Refresh. A failed read keeps the listing before it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandName, CommandResponse, CommandResults } from '../../../shared/index.js';
import { compactNumbers } from '../lib/format.js';

export interface ShelfView<Shelf> {
  /** The last listing the host sent; null until one came. */
  shelf: Shelf | null;
  /** Why the last listing failed, in words; the one before it is kept. */
  error: string | null;
  refresh: () => void;
}

/** The host's answer to `list`, read again each time `active` turns true (the form shown, the host reachable). */
export function useShelf<N extends CommandName>(
  active: boolean,
  list: () => Promise<CommandResponse<N>>,
): ShelfView<CommandResults[N]> {
  const [listing, setListing] = useState<Omit<ShelfView<CommandResults[N]>, 'refresh'>>({
    shelf: null,
    error: null,
  });
  // Counts the reads: only the answer to the latest may land.
  const reads = useRef(0);

  const refresh = useCallback(() => {
    const read = ++reads.current;
    void list().then((answer) => {
      if (read !== reads.current) return;
      setListing((last) =>
        answer.ok
          ? { shelf: answer, error: null }
          : { shelf: last.shelf, error: compactNumbers(answer.error.message) },
      );
    });
  }, [list]);

  useEffect(() => {
    if (active) refresh();
  }, [active, refresh]);

  return { ...listing, refresh };
}
