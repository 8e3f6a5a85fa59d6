// A host that dies (kill -9, power, a journal that refused a write) leaves
// the entries that waited for the operator with no ending in the journal:
// they lived in its memory. Before the next host closes that session as
// ABANDONED it ends them, as cancelled at the session's last fact, so every
// intent in the journal ends, and a review never shows one waiting in a
// session that is over. Run again, it finds nothing left to end.
import { INTENT_EVENT_TYPES, type JournalEvent } from '../../../shared/index.js';
import type { Journal } from '../journal/journal.js';
const PAGE = 2_000;

/** Ends, as cancelled at the session's last fact, every entry still waiting in a session left open; how many. */
export function cancelAbandonedWaits(journal: Journal, sessionId: string): number {
  const waiting = new Map<string, JournalEvent>();
  for (let afterSeq = 0; ;) {
    const page = journal.pageOfTypes(sessionId, afterSeq, PAGE, INTENT_EVENT_TYPES);
    for (const event of page) {
      const intentId = String(event.payload.intentId);
      if (event.type === 'TradingSignalIntentCreated' && event.payload.awaiting === 'supervisor') {
        waiting.set(intentId, event);
      } else if (event.type !== 'TradingSignalIntentCreated') {
        waiting.delete(intentId);
      }
    }
    if (page.length < PAGE) break;
    afterSeq = page.at(-1)?.seq ?? afterSeq;
  }
  if (waiting.size === 0) return 0;
  // A waiting entry's creation is a fact of the session: it has a last one.
  const endedAt = journal.lastFactAt(sessionId) ?? 0;
  journal.append(
    sessionId,
    [...waiting.values()].map((created) => ({
      // The created event's id is the session's own: suffixed, it stays unique in the journal.
      eventId: `${created.eventId}-abandoned`,
      type: 'TradingSignalIntentCanceled',
      source: 'host' as const,
      correlationId: created.correlationId,
      causationId: created.eventId,
      ts: endedAt,
      payload: { intentId: created.payload.intentId, reason: 'the host stopped while it waited' },
    })),
  );
  return waiting.size;
}
