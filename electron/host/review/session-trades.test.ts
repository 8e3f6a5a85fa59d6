import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Journal, type JournalDraft } from '../journal/journal.js';
import { SessionTrades } from './session-trades.js';

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'session-trades-test-'));
  journal = new Journal(join(dir, 'profile.sqlite'));
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = (sessionId: string) =>
  journal.createSession({
    sessionId,
    startedAt: 1_000,
    venue: 'paper',
    symbols: ['BTC/USDT'],
    seed: 7,
    seedCapital: 10_000,
    maxSlots: 2,
  });
const opened = (tradeId: string, ts: number): JournalDraft => ({
  eventId: `${tradeId}-open`,
  type: 'TradeOpened',
  source: 'kernel',
  correlationId: `c-${tradeId}`,
  causationId: `c-${tradeId}`,
  ts,
  payload: { tradeId, slotId: 0, asset: 'BTC/USDT', side: 'LONG', size: 0.5, avgPrice: 100 },
});
const closed = (tradeId: string, ts: number): JournalDraft => ({
  ...opened(tradeId, ts),
  eventId: `${tradeId}-close`,
  type: 'TradeClosed',
  payload: { tradeId, size: 0, realizedPnl: 2.5, closeReason: 'TAKE_PROFIT' },
});

describe('SessionTrades', () => {
  it("rebuilds a session's blotter from its journal, newest first, and knows no session it was not given", async () => {
    start('A');
    journal.append('A', [opened('T1', 2_000), closed('T1', 3_000), opened('T2', 4_000)]);
    const trades = (await new SessionTrades(journal).of('A'))!;
    expect(trades.map((t) => [t.tradeId, t.state])).toEqual([
      ['T2', 'OPEN'],
      ['T1', 'CLOSED'],
    ]);
    expect(trades[1]).toMatchObject({ realizedPnl: 2.5, closeReason: 'TAKE_PROFIT', closedAt: 3_000 });
    expect(await new SessionTrades(journal).of('nope')).toBeUndefined();
  });

  it('reads a running session afresh every time, a stopped one once (the 8 last asked for)', async () => {
    const trades = new SessionTrades(journal);
    const reads = vi.spyOn(journal, 'pageOfTypes');
    start('A');
    journal.append('A', [opened('T1', 2_000)]);
    expect(await trades.of('A')).toHaveLength(1);
    journal.append('A', [opened('T2', 3_000)]);
    expect(await trades.of('A')).toHaveLength(2);
    expect(reads).toHaveBeenCalledTimes(2);

    journal.stopSession('A', 5_000);
    const atStop = await trades.of('A');
    expect(await trades.of('A')).toBe(atStop);
    expect(reads).toHaveBeenCalledTimes(3);

    // Seven more: A, asked for again in between, stays among the last 8; the eighth then pushes S0 out.
    for (let n = 0; n < 8; n++) {
      start(`S${n}`);
      journal.stopSession(`S${n}`, 5_000);
      await trades.of(`S${n}`);
      if (n === 6) expect(await trades.of('A')).toBe(atStop);
    }
    expect(reads).toHaveBeenCalledTimes(11);
    expect(await trades.of('A')).toBe(atStop);
    await trades.of('S0');
    expect(reads).toHaveBeenCalledTimes(12);
  });

  it('reads a long session a page at a time, and the event loop runs between pages', async () => {
    start('A');
    const ticks = (n: number): JournalDraft[] =>
      Array.from({ length: n }, (_, i) => ({
        ...opened('T0', 0),
        eventId: `tick${n}-${i}`,
        type: 'TradeMonitoringTick',
      }));
    const drafts = Array.from({ length: 2_500 }, (_, i) => opened(`T${i}`, i));
    journal.append('A', [...ticks(3_000), ...drafts, ...ticks(10)]);
    const reads = vi.spyOn(journal, 'pageOfTypes');
    // Queued before the fold starts: it runs before the fold ends only if the fold gives the loop a turn.
    let turned = false;
    setImmediate(() => (turned = true));
    const trades = (await new SessionTrades(journal).of('A'))!;
    expect(turned).toBe(true);
    expect(trades).toHaveLength(500);
    expect(trades[0]!.tradeId).toBe('T2499');
    // Only the blotter's events are read: 2 500 of them, in two pages, not the 3 010 ticks.
    expect(reads).toHaveBeenCalledTimes(2);

    // Two asks while the first is still reading: one read.
    const again = new SessionTrades(journal);
    reads.mockClear();
    const [first, second] = await Promise.all([again.of('A'), again.of('A')]);
    expect(second).toBe(first);
    expect(reads).toHaveBeenCalledTimes(2);

    start('B');
    journal.append('B', drafts.slice(0, 10));
    turned = false;
    setImmediate(() => (turned = true));
    expect(await new SessionTrades(journal).of('B')).toHaveLength(10);
    expect(turned).toBe(false);
  });
});
