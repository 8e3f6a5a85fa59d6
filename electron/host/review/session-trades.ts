// Any session's trades blotter, rebuilt from its journal with the live
// blotter's own fold (TradeBook), so a past session reads exactly as it did
// while it ran. It reads only the events the blotter is made of, a page at a
// time, and lets the event loop run between pages: a long session must not
// stall the running one. A stopped session's journal no longer changes: its
// blotter is kept for the next ask.
import type { TradeSummary } from '../../../shared/index.js';
import type { Journal } from '../journal/journal.js';
import { TRADE_BOOK_EVENTS, TradeBook } from '../session/trade-book.js';

/** Stopped sessions whose blotters are kept; the least recently asked goes first. */
const KEPT = 8;
/** Journal rows per page: a few milliseconds of folding. */
const PAGE = 2_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SessionTrades {
  private readonly kept = new Map<string, TradeSummary[]>();
  /** Reads under way: a second ask for the same session waits for the first instead of reading it again. */
  private readonly reading = new Map<string, Promise<TradeSummary[] | undefined>>();

  constructor(private readonly journal: Journal) {}

  /** The blotter of `sessionId`, newest first; undefined when the journal has no such session. */
  of(sessionId: string): Promise<TradeSummary[] | undefined> {
    const kept = this.kept.get(sessionId);
    if (kept) {
      this.kept.delete(sessionId);
      this.kept.set(sessionId, kept);
      return Promise.resolve(kept);
    }
    const under = this.reading.get(sessionId);
    if (under) return under;
    const read = this.read(sessionId).finally(() => this.reading.delete(sessionId));
    this.reading.set(sessionId, read);
    return read;
  }

  private async read(sessionId: string): Promise<TradeSummary[] | undefined> {
    const info = this.journal.session(sessionId);
    if (!info) return undefined;
    const book = new TradeBook();
    let afterSeq = 0;
    for (;;) {
      const page = this.journal.pageOfTypes(sessionId, afterSeq, PAGE, TRADE_BOOK_EVENTS);
      for (const event of page) book.apply(event);
      if (page.length < PAGE) break;
      afterSeq = page[page.length - 1]!.seq;
      await nextTurn();
    }
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
