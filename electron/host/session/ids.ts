// Ids the host mints. Each carries the session's tag so ids from different
// sessions never collide in one journal, and a trader can read which session
// an id came from.
import { randomBytes } from 'node:crypto';

export function newSessionTag(): string {
  return randomBytes(3).toString('hex');
}

export function sessionIdOf(tag: string, startedAt: number): string {
  const stamp = new Date(startedAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `S${stamp}-${tag}`;
}

export class IdSource {
  private readonly counters: Map<string, number>;

  /** `counts`: where a resumed session's counters stood at its checkpoint (`counts()`). */
  constructor(
    readonly tag: string,
    counts: Readonly<Record<string, number>> = {},
  ) {
    this.counters = new Map(Object.entries(counts));
  }

  /** How many ids of each prefix were minted. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  /** `<tag>-<prefix><n>`, counting per prefix from 1. */
  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${this.tag}-${prefix}${n}`;
  }
}
