// Fan-out of host events to subscribed windows. Events raised while one
// command or venue burst is processed leave together, as one batch, in order.
import type { CockpitEvent } from '../../shared/index.js';

export type BatchHandler = (batch: CockpitEvent[]) => void;

export class EventBus {
  private readonly handlers = new Set<BatchHandler>();
  private pending: CockpitEvent[] = [];
  private scheduled = false;

  constructor(private readonly onHandlerError: (error: unknown) => void) {}

  subscribe(handler: BatchHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  publish(event: CockpitEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Delivers what is pending now; called on close so nothing is left behind. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    for (const handler of this.handlers) {
      try {
        handler(batch);
      } catch (error) {
        this.onHandlerError(error);
      }
    }
  }
}
