// The idempotency gate's memory: the intent ids a session has journaled, the
// newest `capacity` of them, so a resubmitted intent is refused by name and a
// long session's memory stays bounded.
export const INTENT_WINDOW = 10_000;

export class IntentWindow {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = INTENT_WINDOW) {}

  has(intentId: string): boolean {
    return this.ids.has(intentId);
  }

  remember(intentId: string): void {
    if (this.ids.has(intentId)) return;
    this.ids.add(intentId);
    // A Set iterates in insertion order: its first id is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
}
