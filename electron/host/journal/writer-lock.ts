// One writer per journal file. A second cockpit on the same profile (the
// Electron app and the browser host both default to it) would close the
// first one's running session as ABANDONED and interleave appends with it.
// The lock is a file beside the journal holding the writer's pid; a lock
// whose process is gone (a kill -9) is taken over. Readers take no lock.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export class JournalInUse extends Error {
  constructor(
    readonly journalPath: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      `the journal ${journalPath} is in use by another cockpit` +
        (holderPid === undefined ? '' : ` (pid ${holderPid})`) +
        `: stop it, or run this one with another COCKPIT_PROFILE or COCKPIT_DATA_DIR` +
        ` (if no cockpit runs, delete ${lockPathOf(journalPath)})`,
    );
    this.name = 'JournalInUse';
  }
}

export function lockPathOf(journalPath: string): string {
  return `${journalPath}.lock`;
}

/** Whether a process with this pid exists (EPERM: it does, and is someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the writer lock of `journalPath` for this process; returns its release. Throws `JournalInUse`
 * while a live process holds it, this one included (two writers in one process collide the same way).
 */
export function acquireWriterLock(
  journalPath: string,
  alive: (pid: number) => boolean = processAlive,
): () => void {
  const lockPath = lockPathOf(journalPath);
  let holder: number | undefined;
  // Two tries: the second after removing a stale lock. Two processes racing for a stale one both remove
  // it, and the exclusive create lets only one of them in.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        if (holderOf(lockPath) === process.pid) rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    holder = holderOf(lockPath);
    // An unreadable or empty lock may be one being written this instant: it is not taken over.
    if (holder === undefined || alive(holder)) break;
    rmSync(lockPath, { force: true });
  }
  throw new JournalInUse(journalPath, holder);
}
