// Any session's trades blotter, rebuilt from its journal with the live
// blotter's own fold (TradeBook), so a past session reads exactly as it did
// while it ran. A stopped session's journal no longer changes: its blotter is
// kept for the next ask.
import type { TradeSummary } from '../../../shared/index.js';
import type { Journal } from '../journal/journal.js';
import { TradeBook } from '../session/trade-book.js';

/** Stopped sessions whose blotters are kept; the least recently asked goes first. */
const KEPT = 8;

export class SessionTrades {
  private readonly kept = new Map<string, TradeSummary[]>();

  constructor(private readonly journal: Journal) {}

  /** The blotter of `sessionId`, newest first; undefined when the journal has no such session. */
  of(sessionId: string): TradeSummary[] | undefined {
    const info = this.journal.session(sessionId);
    if (!info) return undefined;
    const kept = this.kept.get(sessionId);
    if (kept) {
      this.kept.delete(sessionId);
      this.kept.set(sessionId, kept);
      return kept;
    }
    const book = new TradeBook();
    for (const event of this.journal.events(sessionId)) book.apply(event);
    const trades = book.list();
    if (info.stoppedAt !== undefined) {
      this.kept.set(sessionId, trades);
      for (const oldest of this.kept.keys()) {
        if (this.kept.size <= KEPT) break;
        this.kept.delete(oldest);
      }
    }
    return trades;
  }
}
