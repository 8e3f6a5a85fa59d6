// The event map: what the host pushes to every subscribed window. Journal
// facts are delivered one by one and never dropped; marks may be coalesced.
import type { Snapshot, SessionInfo } from './commands.js';
import type { MarkTick } from './domain.js';
import type { JournalEvent } from './journal.js';

export type NoticeLevel = 'info' | 'warning' | 'error';

export type CockpitEvent =
  /** A fact appended to the journal (intent, signal, order, fill, trade, …). */
  | { type: 'journal'; event: JournalEvent }
  /** Latest prices, coalesced per batch. */
  | { type: 'marks'; ticks: MarkTick[] }
  /** The read model after a change: slots, account, open orders, trades. */
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'session'; state: 'started' | 'stopped'; session: SessionInfo }
  /** Something the operator must be told about in words (a rejection, a late fill, a venue error). */
  | { type: 'notice'; level: NoticeLevel; code: string; message: string; correlationId?: string; ts: number };

export type CockpitEventType = CockpitEvent['type'];

/** The one surface a window sees: `window.cockpit` in Electron and in the browser host. */
export interface CockpitApi {
  invoke(name: string, request: object): Promise<unknown>;
  subscribe(handler: (batch: CockpitEvent[]) => void): () => void;
}
