// Events from `subscribe()` go into a buffer that is flushed into the store
// once per animation frame (marks coalesced, snapshots superseded, journal
// events kept in order, never dropped).
import type { CockpitEvent } from '../../../shared/index.js';
import { EventCompactor } from './apply.js';

/** Runs `callback` once, later; returns a cancel function. */
export type Schedule = (callback: () => void) => () => void;

/**
 * The next animation frame; when the page is hidden (no frames are drawn) a
 * short timer instead, so the buffer does not grow without bound.
 */
export const nextFrame: Schedule = (callback) => {
  if (typeof document !== 'undefined' && document.hidden) {
    const handle = setTimeout(callback, 250);
    return () => clearTimeout(handle);
  }
  const handle = requestAnimationFrame(() => callback());
  return () => cancelAnimationFrame(handle);
};

export class EventPump {
  private readonly buffer = new EventCompactor();
  private cancel: (() => void) | null = null;

  constructor(
    private readonly sink: (batch: CockpitEvent[]) => void,
    private readonly schedule: Schedule = nextFrame,
  ) {}

  push(batch: readonly CockpitEvent[]): void {
    if (batch.length === 0) return;
    this.buffer.push(batch);
    if (!this.cancel) this.cancel = this.schedule(() => this.flush());
  }

  /** Applies what is buffered now (also called by the scheduled frame). */
  flush(): void {
    this.cancel?.();
    this.cancel = null;
    if (this.buffer.size === 0) return;
    this.sink(this.buffer.drain());
  }

  dispose(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
