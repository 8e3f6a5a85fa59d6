// The journal drafts the host writes itself (a kernel's event becomes one in
// the session): one shape, and only what was said.
import type { HostEventType } from '../../../shared/index.js';
import type { JournalDraft } from '../journal/journal.js';

/** A fact the host itself journals: an intent's way through the gates, the control plane, a cancel request. */
export function hostDraft(
  eventId: string,
  type: HostEventType,
  correlationId: string,
  causationId: string,
  ts: number,
  payload: object,
): JournalDraft {
  return { eventId, type, source: 'host', correlationId, causationId, ts, payload: stripEmpty(payload) };
}

/**
 * A copy of `record` without undefined and null, so the journal stores what was said, not what was absent, and
 * without the `omit` fields. One pass, no intermediate copies: it runs for every journaled fact.
 */
export function stripEmpty(record: object, omit?: ReadonlySet<string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const value = (record as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && !omit?.has(key)) fields[key] = value;
  }
  return fields;
}
