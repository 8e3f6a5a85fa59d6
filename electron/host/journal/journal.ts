// The durable journal: one SQLite file per profile, WAL, every fact of every
// session in `seq` order. An append is one transaction, committed before the
// window is told, so what the operator saw survives a kill -9.
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  EventSource,
  EventType,
  JournalEvent,
  SessionInfo,
  SessionExchange,
  SessionMarket,
  VenueName,
} from '../../../shared/index.js';
import { acquireWriterLock } from './writer-lock.js';

/** A fact before the journal gives it its place in the session. */
export interface JournalDraft {
  eventId: string;
  type: EventType;
  source: EventSource;
  correlationId: string;
  causationId: string;
  ts: number;
  payload: Record<string, unknown>;
}

export interface SessionRecord extends SessionInfo {
  endReason?: string;
}

interface SessionRow {
  session_id: string;
  started_at: number;
  stopped_at: number | null;
  venue: string;
  symbols: string;
  seed: number;
  seed_capital: number;
  max_slots: number;
  end_reason: string | null;
  /** JSON of SessionMarket; null in journals older than replays (the synthetic walk). */
  market?: string | null;
  /** JSON of SessionExchange for a ccxt session; null for paper sessions and in older journals. */
  exchange?: string | null;
}

interface EventRow {
  session_id: string;
  seq: number;
  event_id: string;
  type: string;
  source: EventSource;
  correlation_id: string;
  causation_id: string;
  ts: number;
  payload: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  session_id   TEXT PRIMARY KEY,
  started_at   INTEGER NOT NULL,
  stopped_at   INTEGER,
  venue        TEXT NOT NULL,
  symbols      TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  seed_capital REAL NOT NULL,
  max_slots    INTEGER NOT NULL,
  end_reason   TEXT,
  market       TEXT,
  exchange     TEXT
);
CREATE TABLE IF NOT EXISTS events (
  session_id     TEXT NOT NULL REFERENCES sessions(session_id),
  seq            INTEGER NOT NULL,
  event_id       TEXT NOT NULL,
  type           TEXT NOT NULL,
  source         TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  causation_id   TEXT NOT NULL,
  ts             INTEGER NOT NULL,
  payload        TEXT NOT NULL,
  PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_correlation ON events (session_id, correlation_id, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
  session_id TEXT PRIMARY KEY REFERENCES sessions(session_id),
  seq        INTEGER NOT NULL,
  kernel     TEXT NOT NULL,
  host       TEXT NOT NULL
);
`;

/**
 * What a session needs to run on from its last journaled fact (an exchange session's, after a crash): the
 * kernel's snapshot and the host's own counters, written in the transaction of the facts they produced.
 */
export interface SessionCheckpoint {
  /** The session's last fact when it was taken. */
  seq: number;
  /** `Kernel.snapshot()`. */
  kernel: string;
  /** The host's state beside the kernel's, as JSON (the session's id counters). */
  host: string;
}

export interface JournalOptions {
  /** better-sqlite3's compiled addon, when it must differ from Node's (the Electron ABI). */
  nativeBinding?: string;
  readonly?: boolean;
}

export class Journal {
  private readonly db: SqliteDatabase;
  private readonly insertEvent: Statement;
  /** One transaction over a batch of rows, made once: better-sqlite3 builds a wrapper per `transaction()` call. */
  private readonly insertEvents: (
    events: readonly JournalEvent[],
    checkpoint: Omit<SessionCheckpoint, 'seq'> | undefined,
  ) => void;
  /** Made at the first checkpoint: a reader of a journal older than checkpoints has no table for it. */
  private putCheckpoint: Statement | undefined;
  private readonly lastSeq = new Map<string, number>();
  private readonly releaseLock: () => void;

  /** A writable journal takes the file's writer lock (`JournalInUse` while another cockpit holds it). */
  constructor(
    readonly path: string,
    options: JournalOptions = {},
  ) {
    if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
    this.releaseLock = options.readonly ? () => undefined : acquireWriterLock(path);
    try {
      this.db = new Database(path, {
        readonly: options.readonly ?? false,
        ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      });
      if (!options.readonly) {
        this.db.pragma('journal_mode = WAL');
        // NORMAL in WAL mode: a commit survives a process crash; only power loss may drop the last ones.
        this.db.pragma('synchronous = NORMAL');
        this.db.exec(SCHEMA);
        migrate(this.db);
      }
    } catch (error) {
      this.releaseLock();
      throw error;
    }
    // Positional parameters: named ones cost an object per row.
    this.insertEvent = this.db.prepare(
      `INSERT INTO events (session_id, seq, event_id, type, source, correlation_id, causation_id, ts, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertEvents = this.db.transaction((events, checkpoint) => {
      for (const e of events) {
        this.insertEvent.run(
          e.sessionId,
          e.seq,
          e.eventId,
          e.type,
          e.source,
          e.correlationId,
          e.causationId,
          Math.round(e.ts),
          JSON.stringify(e.payload),
        );
      }
      const last = events.at(-1);
      if (checkpoint && last) {
        this.putCheckpoint ??= this.db.prepare(
          'INSERT OR REPLACE INTO checkpoints (session_id, seq, kernel, host) VALUES (?, ?, ?, ?)',
        );
        this.putCheckpoint.run(last.sessionId, last.seq, checkpoint.kernel, checkpoint.host);
      }
    });
  }

  /** Sessions with no stop: running in another host, or left open by a crash (`closeAbandonedSessions`). */
  openSessions(): string[] {
    const rows = this.db.prepare('SELECT session_id FROM sessions WHERE stopped_at IS NULL').all() as {
      session_id: string;
    }[];
    return rows.map((row) => row.session_id);
  }

  /** When a session's last fact happened, if it has one. */
  lastFactAt(sessionId: string): number | undefined {
    const row = this.db.prepare('SELECT MAX(ts) AS ts FROM events WHERE session_id = ?').get(sessionId) as {
      ts: number | null;
    };
    return row.ts ?? undefined;
  }

  /** Sessions left open by a crash are closed with the time of their last fact; those `keep` names stay open. */
  closeAbandonedSessions(keep: (sessionId: string) => boolean = () => false): string[] {
    const open = this.openSessions().filter((sessionId) => !keep(sessionId));
    this.abandon(open);
    return open;
  }

  /** Closes one session left open (an interrupted exchange session the operator gives up) as ABANDONED. */
  abandonSession(sessionId: string): void {
    this.abandon([sessionId]);
  }

  private abandon(sessionIds: readonly string[]): void {
    const close = this.db.prepare(
      `UPDATE sessions SET stopped_at = COALESCE((SELECT MAX(ts) FROM events WHERE session_id = @id), started_at),
         end_reason = 'ABANDONED' WHERE session_id = @id AND stopped_at IS NULL`,
    );
    const drop = this.db.prepare('DELETE FROM checkpoints WHERE session_id = ?');
    this.db.transaction(() =>
      sessionIds.forEach((id) => {
        close.run({ id });
        drop.run(id);
      }),
    )();
  }

  createSession(session: SessionInfo): void {
    this.db
      .prepare(
        `INSERT INTO sessions (session_id, started_at, venue, symbols, seed, seed_capital, max_slots, market, exchange)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        session.sessionId,
        session.startedAt,
        session.venue,
        JSON.stringify(session.symbols),
        session.seed,
        session.seedCapital,
        session.maxSlots,
        session.market ? JSON.stringify(session.market) : null,
        session.exchange ? JSON.stringify(session.exchange) : null,
      );
    this.lastSeq.set(session.sessionId, 0);
  }

  /** A stopped session's checkpoint goes with the stop: nothing runs on from it. */
  stopSession(sessionId: string, stoppedAt: number, endReason = 'STOPPED'): void {
    const stop = this.db.prepare('UPDATE sessions SET stopped_at = ?, end_reason = ? WHERE session_id = ?');
    const drop = this.db.prepare('DELETE FROM checkpoints WHERE session_id = ?');
    this.db.transaction(() => {
      stop.run(stoppedAt, endReason, sessionId);
      drop.run(sessionId);
    })();
  }

  /** The session's last checkpoint, if it has one (only exchange sessions take them). */
  checkpoint(sessionId: string): SessionCheckpoint | undefined {
    return this.db
      .prepare('SELECT seq, kernel, host FROM checkpoints WHERE session_id = ?')
      .get(sessionId) as SessionCheckpoint | undefined;
  }

  /**
   * Appends the drafts in one transaction and returns them with their gap-free `seq`. With `checkpoint`, the
   * state it returns replaces the session's checkpoint in that transaction: the two are durable together.
   */
  append(
    sessionId: string,
    drafts: readonly JournalDraft[],
    checkpoint?: () => Omit<SessionCheckpoint, 'seq'>,
  ): JournalEvent[] {
    if (drafts.length === 0) return [];
    let seq = this.currentSeq(sessionId);
    const events: JournalEvent[] = drafts.map((draft) => ({
      sessionId,
      seq: ++seq,
      eventId: draft.eventId,
      type: draft.type,
      source: draft.source,
      correlationId: draft.correlationId,
      causationId: draft.causationId,
      ts: draft.ts,
      payload: draft.payload,
    }));
    this.insertEvents(events, checkpoint?.());
    this.lastSeq.set(sessionId, seq);
    return events;
  }

  listSessions(): SessionRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM sessions ORDER BY started_at DESC, session_id')
      .all() as SessionRow[];
    return rows.map(toSession);
  }

  session(sessionId: string): SessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(sessionId) as
      SessionRow | undefined;
    return row ? toSession(row) : undefined;
  }

  /** Events with `seq > afterSeq`, oldest first. */
  page(sessionId: string, afterSeq: number, limit: number): JournalEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(sessionId, afterSeq, limit) as EventRow[];
    return rows.map(toEvent);
  }

  /** Every event of a session, oldest first. */
  all(sessionId: string): JournalEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE session_id = ? ORDER BY seq')
      .all(sessionId) as EventRow[];
    return rows.map(toEvent);
  }

  /** Whether the session has a checkpoint to run on from (`checkpoint` reads it). */
  hasCheckpoint(sessionId: string): boolean {
    return this.db.prepare('SELECT 1 FROM checkpoints WHERE session_id = ?').get(sessionId) !== undefined;
  }

  /** Like `page`, of the events of these types only. */
  pageOfTypes(
    sessionId: string,
    afterSeq: number,
    limit: number,
    types: readonly EventType[],
  ): JournalEvent[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM events WHERE session_id = ? AND seq > ? AND type IN (${types.map(() => '?').join(', ')})
         ORDER BY seq LIMIT ?`,
      )
      .all(sessionId, afterSeq, ...types, limit) as EventRow[];
    return rows.map(toEvent);
  }

  byCorrelation(sessionId: string, correlationId: string): JournalEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE session_id = ? AND correlation_id = ? ORDER BY seq')
      .all(sessionId, correlationId) as EventRow[];
    return rows.map(toEvent);
  }

  /**
   * The session a correlation id belongs to, newest first. One index probe per session (the index leads with
   * the session): scanning the events for the id would hold the running session up on a long journal.
   */
  sessionOfCorrelation(correlationId: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT session_id FROM sessions AS s
         WHERE EXISTS (SELECT 1 FROM events AS e WHERE e.session_id = s.session_id AND e.correlation_id = ?)
         ORDER BY started_at DESC LIMIT 1`,
      )
      .get(correlationId) as { session_id: string } | undefined;
    return row?.session_id;
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.releaseLock();
  }

  private currentSeq(sessionId: string): number {
    const known = this.lastSeq.get(sessionId);
    if (known !== undefined) return known;
    const row = this.db.prepare('SELECT MAX(seq) AS seq FROM events WHERE session_id = ?').get(sessionId) as {
      seq: number | null;
    };
    return row.seq ?? 0;
  }
}

/** Brings a journal made by an earlier version up to this schema; each step is idempotent. */
function migrate(db: SqliteDatabase): void {
  const sessionColumns = db.pragma('table_info(sessions)') as { name: string }[];
  if (!sessionColumns.some((column) => column.name === 'market')) {
    db.exec('ALTER TABLE sessions ADD COLUMN market TEXT');
  }
  if (!sessionColumns.some((column) => column.name === 'exchange')) {
    db.exec('ALTER TABLE sessions ADD COLUMN exchange TEXT');
  }
}

function toSession(row: SessionRow): SessionRecord {
  return {
    sessionId: row.session_id,
    startedAt: row.started_at,
    ...(row.stopped_at !== null ? { stoppedAt: row.stopped_at } : {}),
    venue: row.venue as VenueName,
    symbols: JSON.parse(row.symbols) as string[],
    seed: row.seed,
    seedCapital: row.seed_capital,
    maxSlots: row.max_slots,
    ...(row.end_reason !== null ? { endReason: row.end_reason } : {}),
    ...(row.market ? { market: JSON.parse(row.market) as SessionMarket } : {}),
    ...(row.exchange ? { exchange: JSON.parse(row.exchange) as SessionExchange } : {}),
  };
}

function toEvent(row: EventRow): JournalEvent {
  return {
    sessionId: row.session_id,
    seq: row.seq,
    eventId: row.event_id,
    // Only this code writes the journal, and it writes only listed types (JournalDraft).
    type: row.type as EventType,
    source: row.source,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    ts: row.ts,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  };
}
