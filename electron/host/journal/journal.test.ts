import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventType } from '../../../shared/index.js';
import { Journal, type JournalDraft } from './journal.js';

const dirs: string[] = [];
function freshJournal(): Journal {
  const dir = mkdtempSync(join(tmpdir(), 'journal-test-'));
  dirs.push(dir);
  return new Journal(join(dir, 'profile.sqlite'));
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const session = (sessionId: string) => ({
  sessionId,
  startedAt: 1_000,
  venue: 'paper' as const,
  symbols: ['BTC/USDT'],
  seed: 7,
  seedCapital: 10_000,
  maxSlots: 2,
});
const draft = (eventId: string, correlationId = 'c1'): JournalDraft => ({
  eventId,
  type: 'TradingSignalIntentCreated',
  source: 'host',
  correlationId,
  causationId: correlationId,
  ts: 1_000,
  payload: { intentId: correlationId, targetSize: 0.5 },
});

describe('Journal', () => {
  it('numbers appends gap-free per session, across batches and sessions', () => {
    const journal = freshJournal();
    journal.createSession(session('A'));
    journal.createSession(session('B'));
    expect(journal.append('A', [draft('a1'), draft('a2')]).map((e) => e.seq)).toEqual([1, 2]);
    expect(journal.append('B', [draft('b1')]).map((e) => e.seq)).toEqual([1]);
    expect(journal.append('A', [draft('a3')]).map((e) => e.seq)).toEqual([3]);
    expect(journal.page('A', 0, 10).map((e) => e.eventId)).toEqual(['a1', 'a2', 'a3']);
  });

  it('continues the sequence after reopening the file', () => {
    const journal = freshJournal();
    journal.createSession(session('A'));
    journal.append('A', [draft('a1'), draft('a2')]);
    journal.close();
    const reopened = new Journal(journal.path);
    expect(reopened.append('A', [draft('a3')])[0]?.seq).toBe(3);
    reopened.close();
  });

  it('pages after a seq and returns payloads as written', () => {
    const journal = freshJournal();
    journal.createSession(session('A'));
    journal.append('A', [draft('a1'), draft('a2'), draft('a3')]);
    const page = journal.page('A', 1, 1);
    expect(page).toHaveLength(1);
    expect(page[0]).toMatchObject({ seq: 2, eventId: 'a2', payload: { intentId: 'c1', targetSize: 0.5 } });
  });

  it('pages the events of some types only', () => {
    const journal = freshJournal();
    journal.createSession(session('A'));
    const typed = (eventId: string, type: EventType) => ({ ...draft(eventId), type });
    journal.append('A', [
      typed('a1', 'OrderPlaced'),
      typed('a2', 'OrderFilled'),
      typed('a3', 'TradeOpened'),
      typed('a4', 'OrderPlaced'),
      typed('a5', 'OrderFilled'),
    ]);
    const ids = (events: { eventId: string }[]) => events.map((e) => e.eventId);
    const orderTypes: EventType[] = ['OrderPlaced', 'OrderFilled'];
    expect(ids(journal.pageOfTypes('A', 0, 10, orderTypes))).toEqual(['a1', 'a2', 'a4', 'a5']);
    expect(ids(journal.pageOfTypes('A', 2, 2, orderTypes))).toEqual(['a4', 'a5']);
    expect(ids(journal.pageOfTypes('A', 0, 10, ['TradeClosed']))).toEqual([]);
  });

  it('lists the events of one correlation id in order', () => {
    const journal = freshJournal();
    journal.createSession(session('A'));
    journal.append('A', [draft('x1', 'c1'), draft('y1', 'c2'), draft('x2', 'c1')]);
    expect(journal.byCorrelation('A', 'c1').map((e) => e.eventId)).toEqual(['x1', 'x2']);
    expect(journal.sessionOfCorrelation('c2')).toBe('A');
  });

  it('closes sessions a crash left open, at the time of their last fact', () => {
    const journal = freshJournal();
    journal.createSession(session('A'));
    journal.append('A', [{ ...draft('a1'), ts: 5_000 }]);
    journal.close();
    const reopened = new Journal(journal.path);
    expect(reopened.closeAbandonedSessions()).toEqual(['A']);
    expect(reopened.session('A')).toMatchObject({ stoppedAt: 5_000, endReason: 'ABANDONED' });
    reopened.close();
  });

  it('writes nothing when an append fails half-way', () => {
    const journal = freshJournal();
    journal.createSession(session('A'));
    const bad = { ...draft('a2'), ts: Number.NaN };
    expect(() => journal.append('A', [draft('a1'), bad])).toThrow();
    expect(journal.page('A', 0, 10)).toEqual([]);
    expect(journal.append('A', [draft('a3')])[0]?.seq).toBe(1);
  });
});

describe('a journal made before replays, exchanges and checkpoints', () => {
  it('gains the sessions.market and sessions.exchange columns and the checkpoints table on open, keeps its sessions, and records both for new ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-test-'));
    dirs.push(dir);
    const file = join(dir, 'old.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE sessions (
      session_id TEXT PRIMARY KEY, started_at INTEGER NOT NULL, stopped_at INTEGER, venue TEXT NOT NULL,
      symbols TEXT NOT NULL, seed INTEGER NOT NULL, seed_capital REAL NOT NULL, max_slots INTEGER NOT NULL,
      end_reason TEXT)`);
    old.exec(`CREATE TABLE events (
      session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
      source TEXT NOT NULL, correlation_id TEXT NOT NULL, causation_id TEXT NOT NULL, ts INTEGER NOT NULL,
      payload TEXT NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID`);
    old
      .prepare(
        `INSERT INTO sessions VALUES ('s-old', 1000, 2000, 'paper', '["BTC/USDT"]', 7, 10000, 2, 'STOPPED')`,
      )
      .run();
    old.close();
    // A reader changes nothing, and needs nothing the file lacks.
    const reader = new Journal(file, { readonly: true });
    expect(reader.listSessions().map((s) => s.sessionId)).toEqual(['s-old']);
    reader.close();

    const journal = new Journal(file);
    expect(journal.hasCheckpoint('s-old')).toBe(false);
    const market = {
      kind: 'replay' as const,
      feed: 'btc.csv',
      sha256: 'ab'.repeat(32),
      speed: 60,
      symbols: ['BTC/USDT'],
      rows: 2,
      from: 0,
      to: 60_000,
      snappedPrices: 0,
    };
    journal.createSession({ ...session('s-new'), startedAt: 3_000, market });
    const exchange = { id: 'binanceusdm', name: 'Binance USDⓈ-M', testnet: true as const };
    journal.createSession({ ...session('s-exchange'), startedAt: 4_000, venue: 'ccxt', exchange });
    expect(journal.session('s-old')).toEqual({ ...session('s-old'), stoppedAt: 2_000, endReason: 'STOPPED' });
    expect(journal.session('s-new')?.market).toEqual(market);
    expect(journal.session('s-new')?.exchange).toBeUndefined();
    expect(journal.session('s-exchange')).toMatchObject({ venue: 'ccxt', exchange });
    journal.close();
    // Opening it again finds the column there and leaves it.
    const again = new Journal(file);
    expect(again.listSessions().map((s) => s.sessionId)).toEqual(['s-exchange', 's-new', 's-old']);
    again.close();
  });
});
