// The composition root: one cockpit per process. Every request is validated
// against the shared command map here, whichever window sent it; a bad one
// gets a typed error naming the field and changes nothing.
import { join } from 'node:path';
import {
  buildLineage,
  commandRequests,
  credentialVariables,
  failure,
  fromZodError,
  isCommandName,
  type CommandName,
  type CommandResponse,
  type CommandResults,
  type Failure,
  type ParsedCommandRequest,
  type SessionInfo,
  type Snapshot,
} from '../../shared/index.js';
import type { CockpitHost, CockpitOptions } from './api.js';
import { EventBus } from './event-bus.js';
import { logFault } from './fault-log.js';
import { Journal, type SessionRecord } from './journal/journal.js';
import { FeedLibrary } from './market/feed-library.js';
import { SessionTrades } from './review/session-trades.js';
import { cancelAbandonedWaits } from './session/abandoned-intents.js';
import { resumeExchangeSession, startExchangeSession } from './session/exchange-session.js';
import { startPaperSession } from './session/paper-session.js';
import { listExchanges, openTestnet } from './venue/exchange/open-exchange.js';
import { plural } from './session/outcome-words.js';
import type { CommandResult, TradingSession } from './session/trading-session.js';

export type { CockpitHost, CockpitOptions } from './api.js';
export { openTestnet, takeCredentials } from './venue/exchange/open-exchange.js';

type Handlers = {
  [N in CommandName]: (
    request: ParsedCommandRequest<N>,
  ) => CommandResult<CommandResults[N]> | Promise<CommandResult<CommandResults[N]>>;
};

export function createCockpit(options: CockpitOptions): CockpitHost {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const journal = new Journal(join(options.dataDir, `${options.profile ?? 'default'}.sqlite`), {
    ...(options.sqliteNativeBinding ? { nativeBinding: options.sqliteNativeBinding } : {}),
  });
  // Waits first, then the close: a host that dies between the two does both again on its next start.
  let waits = 0;
  for (const sessionId of journal.openSessions()) {
    try {
      waits += cancelAbandonedWaits(journal, sessionId);
    } catch (error) {
      logFault(log, `cancelling the waiting entries of abandoned session ${sessionId} failed`, error);
    }
  }
  // An exchange session with a checkpoint stays open, interrupted: its positions may be live on the exchange,
  // and the operator resumes it or closes it (DECISIONS §22). The paper venue died with the host.
  const abandoned = journal.closeAbandonedSessions(
    (sessionId) => journal.session(sessionId)?.venue === 'ccxt' && journal.hasCheckpoint(sessionId),
  );
  if (abandoned.length > 0) {
    log(
      'warn',
      `closed ${abandoned.length} session(s) left open by a crash: ${abandoned.join(', ')}` +
        (waits > 0
          ? `; cancelled ${waits} ${waits === 1 ? 'entry' : 'entries'} still waiting for a grant`
          : ''),
    );
  }
  const feeds = new FeedLibrary(options.feedsDir ?? join(options.dataDir, 'feeds'));
  const bus = new EventBus((error) => log('error', `event subscriber failed: ${String(error)}`));
  const exchanges = options.exchanges ?? { env: process.env, open: openTestnet };
  let session: TradingSession | undefined;
  /** A ccxt session between its request and its start: the exchange is asked several things first. */
  let starting = false;
  let closed = false;

  /** The last session's final read model, shown until the next starts: a stop must not blank the trader's view. */
  let lastSnapshot: Snapshot | undefined;
  const sessionTrades = new SessionTrades(journal);

  const stopSession = (reason: string): SessionInfo | undefined => {
    if (!session) return undefined;
    const stopping = session;
    session = undefined;
    const final = stopping.snapshot();
    stopping.stop();
    const stoppedAt = now();
    // A session whose journal failed stays open in it: the next start closes it as ABANDONED at its last
    // journaled fact, and ends what still waited there (DECISIONS §2, §5).
    if (!stopping.journalFailure) journal.stopSession(stopping.sessionId, stoppedAt, reason);
    const info = { ...stopping.info, stoppedAt };
    // Entries that waited for the operator were cancelled by the stop.
    lastSnapshot = { ...final, session: info, control: null, pendingIntents: [], replay: null };
    bus.publish({ type: 'session', state: 'stopped', session: info });
    const positions = final.slots.filter((slot) => slot.size > 0).length;
    const working = final.openOrders.length;
    if (positions + working > 0) {
      // The paper venue stops with the session: nothing is closed or cancelled for the trader.
      bus.publish({
        type: 'notice',
        level: 'warning',
        code: 'SESSION_STOPPED_OPEN',
        message:
          `Session ${info.sessionId} stopped with ${plural(positions, 'open position')} and ` +
          `${plural(working, 'working order')}: the stop closed and cancelled nothing`,
        ts: stoppedAt,
      });
    }
    return info;
  };

  /** A request named a session the journal does not have (or, with none named, there is none at all). */
  const noSuchSession = (sessionId: string | undefined): CommandResult<never> => ({
    ok: false,
    error: {
      code: 'NOT_FOUND',
      field: 'sessionId',
      message: `sessionId: no session ${sessionId ?? ''}`.trim(),
    },
  });

  /** Every session, an open one that is not running marked as interrupted at its last fact. */
  const sessions = (): SessionRecord[] =>
    journal
      .listSessions()
      .map((record) =>
        record.stoppedAt === undefined && record.sessionId !== session?.sessionId
          ? { ...record, interruptedAt: journal.lastFactAt(record.sessionId) ?? record.startedAt }
          : record,
      );

  /** The interrupted session `sessionId` names, or why it names none. */
  const interrupted = (sessionId: string): CommandResult<SessionRecord> => {
    const record = sessions().find((s) => s.sessionId === sessionId);
    if (!record) return noSuchSession(sessionId);
    if (record.interruptedAt !== undefined) return { ok: true, value: record };
    const running = record.sessionId === session?.sessionId;
    return {
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        field: 'sessionId',
        message: running
          ? `sessionId: ${sessionId} is running`
          : `sessionId: ${sessionId} has ended (${record.endReason ?? 'STOPPED'}); only an interrupted session can be resumed or abandoned`,
      },
    };
  };

  /** Runs an async start (a ccxt session's, a resume) with the one-session guard held; refuses one past a close. */
  const startingAlone = async <T>(
    begin: () => Promise<CommandResult<T>>,
    sessionOf: (started: T) => TradingSession,
  ): Promise<CommandResult<T>> => {
    starting = true;
    let started: CommandResult<T>;
    try {
      started = await begin();
    } finally {
      starting = false;
    }
    if (started.ok && closed) {
      sessionOf(started.value).stop();
      return {
        ok: false,
        error: { code: 'INTERNAL', message: 'the cockpit closed while the session started' },
      };
    }
    return started;
  };

  /** A session runs or is starting: one at a time. */
  const sessionActive = (): CommandResult<never> | undefined =>
    session || starting
      ? {
          ok: false,
          error: {
            code: 'SESSION_ACTIVE',
            message: session
              ? `session ${session.sessionId} is running: stop it first`
              : 'a session is starting: wait for it',
          },
        }
      : undefined;

  const noSession: CommandResult<never> = {
    ok: false,
    error: { code: 'NO_SESSION', message: 'no session is running: start one first' },
  };

  const handlers: Handlers = {
    'session.start': async (request) => {
      const busy = sessionActive();
      if (busy) return busy;
      let started: CommandResult<TradingSession>;
      if (request.venue === 'ccxt') {
        started = await startingAlone(
          () => startExchangeSession(request, { journal, bus, now, log, feeds }, exchanges),
          (started) => started,
        );
        if (!started.ok && started.error.code === 'VENUE_REJECTED') {
          const left = sessions().filter(
            (s) => s.interruptedAt !== undefined && s.exchange?.id === request.exchange,
          );
          if (left.length > 0) {
            started.error.message +=
              ` (interrupted ${left.length === 1 ? 'session' : 'sessions'} ${left.map((s) => s.sessionId).join(', ')}` +
              ' on this exchange may hold them: resume or abandon first)';
          }
        }
      } else {
        started = startPaperSession(request, { journal, bus, now, log, feeds });
      }
      if (!started.ok) return started;
      session = started.value;
      lastSnapshot = undefined;
      bus.publish({ type: 'session', state: 'started', session: session.info });
      return { ok: true, value: { sessionId: session.sessionId, symbols: session.info.symbols } };
    },
    'session.resume': async (request) => {
      const busy = sessionActive();
      if (busy) return busy;
      const found = interrupted(request.sessionId);
      if (!found.ok) return found;
      const checkpoint = journal.checkpoint(request.sessionId);
      if (!checkpoint) {
        return {
          ok: false,
          error: {
            code: 'INVALID_REQUEST',
            field: 'sessionId',
            message: `sessionId: ${request.sessionId} has no checkpoint to run on from`,
          },
        };
      }
      const resumed = await startingAlone(
        () => resumeExchangeSession(found.value, checkpoint, { journal, bus, now, log, feeds }, exchanges),
        (resumed) => resumed.session,
      );
      if (!resumed.ok) return resumed;
      session = resumed.value.session;
      lastSnapshot = undefined;
      bus.publish({ type: 'session', state: 'started', session: session.info });
      return {
        ok: true,
        value: { sessionId: session.sessionId, symbols: session.info.symbols, ...resumed.value.reconciled },
      };
    },
    'session.abandon': (request) => {
      // A resume under way may be this session's: it would run on in a journal that says it ended.
      const busy = starting ? sessionActive() : undefined;
      if (busy) return busy;
      const found = interrupted(request.sessionId);
      if (!found.ok) return found;
      journal.abandonSession(request.sessionId);
      log(
        'warn',
        `session ${request.sessionId} abandoned by the operator; what it left on the exchange stays there`,
      );
      return { ok: true, value: { sessionId: request.sessionId } };
    },
    'session.stop': () => {
      const info = stopSession('STOPPED');
      return info ? { ok: true, value: { sessionId: info.sessionId } } : noSession;
    },
    'session.list': () => ({ ok: true, value: { sessions: sessions() } }),
    'intent.submit': (request) => (session ? session.submitIntent(request) : noSession),
    'intent.grant': (request) => (session ? session.grantIntent(request.intentId) : noSession),
    'intent.reject': (request) =>
      session ? session.rejectIntent(request.intentId, request.reason) : noSession,
    'trade.exit': (request) => (session ? session.exitTrade(request) : noSession),
    'order.cancel': (request) => (session ? session.cancelOrder(request.clientOrderId) : noSession),
    'control.set': (request) => (session ? session.setControl(request.mode, request.reason) : noSession),
    'control.killSwitch': (request) => (session ? session.killSwitch(request.reason) : noSession),
    snapshot: () => ({
      ok: true,
      value: session?.snapshot() ??
        lastSnapshot ?? {
          session: null,
          slots: [],
          account: null,
          openOrders: [],
          trades: [],
          marks: {},
          control: null,
          risk: null,
          strategy: null,
          pendingIntents: [],
          replay: null,
        },
    }),
    lineage: (request) => {
      const { correlationId } = request;
      if (request.sessionId !== undefined && !journal.session(request.sessionId)) {
        return noSuchSession(request.sessionId);
      }
      const lookIn = request.sessionId ?? session?.sessionId;
      let events = lookIn ? journal.byCorrelation(lookIn, correlationId) : [];
      if (events.length === 0 && request.sessionId === undefined) {
        // A lineage of an earlier session, asked for while another one runs (or none does).
        const sessionId = journal.sessionOfCorrelation(correlationId);
        if (sessionId) events = journal.byCorrelation(sessionId, correlationId);
      }
      if (events.length === 0) {
        return {
          ok: false,
          error: {
            code: 'NOT_FOUND',
            field: 'correlationId',
            message: `correlationId: no events for ${request.correlationId}`,
          },
        };
      }
      return { ok: true, value: buildLineage(correlationId, events) };
    },
    'session.trades': async (request) => {
      const trades = await sessionTrades.of(request.sessionId);
      return trades
        ? { ok: true, value: { sessionId: request.sessionId, trades } }
        : noSuchSession(request.sessionId);
    },
    'replay.set': (request) => (session ? session.setReplay(request) : noSession),
    'feed.list': () => {
      // Listing reads new files whole, synchronously: it would hold up a running session's venue and prices.
      if (session) {
        return {
          ok: false,
          error: {
            code: 'SESSION_ACTIVE',
            message: `session ${session.sessionId} is running: the feeds folder is listed while no session runs`,
          },
        };
      }
      const listed = feeds.list();
      return listed.ok ? { ok: true, value: { folder: feeds.folder, feeds: listed.value } } : listed;
    },
    'exchange.list': () => ({
      ok: true,
      value: {
        exchanges: listExchanges(exchanges.env, exchanges.open),
        variables: credentialVariables('<id>'),
      },
    }),
    'journal.page': (request) => {
      const sessionId = request.sessionId ?? session?.sessionId ?? journal.listSessions()[0]?.sessionId;
      if (!sessionId || !journal.session(sessionId)) return noSuchSession(request.sessionId);
      const events = journal.page(sessionId, request.afterSeq, request.limit + 1);
      const page = events.slice(0, request.limit);
      const nextSeq = events.length > request.limit ? (page.at(-1)?.seq ?? null) : null;
      return { ok: true, value: { sessionId, events: page, nextSeq } };
    },
  };

  async function run<N extends CommandName>(name: N, raw: unknown): Promise<CommandResponse<N>> {
    const parsed = commandRequests[name].safeParse(raw ?? {});
    if (!parsed.success) return fromZodError(parsed.error, raw);
    const handler = handlers[name] as (
      request: unknown,
    ) => CommandResult<CommandResults[N]> | Promise<CommandResult<CommandResults[N]>>;
    const result = await handler(parsed.data);
    return result.ok
      ? ({ ok: true, ...result.value } as CommandResponse<N>)
      : { ok: false, error: result.error };
  }

  return {
    async invoke(name: string, request: unknown): Promise<unknown> {
      if (closed) return failure('INTERNAL', 'the cockpit is closing');
      if (!isCommandName(name)) {
        return failure('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(String(name).slice(0, 64))}`, {
          field: 'name',
        });
      }
      if (
        request !== undefined &&
        (request === null || typeof request !== 'object' || Array.isArray(request))
      ) {
        return failure('INVALID_REQUEST', 'request: expected an object', { field: 'request' });
      }
      const failedBefore = session?.journalFailure ?? null;
      try {
        return await run(name, request);
      } catch (error) {
        // A read that was still paging when the cockpit closed.
        if (closed) return failure('INTERNAL', 'the cockpit is closing');
        // The journal refused this command's facts: the session failed closed, and the command says why.
        if (session?.journalFailure && session.journalFailure !== failedBefore) {
          const refused = session.refuseFaulted<never>();
          if (!refused.ok) return { ok: false, error: refused.error };
        }
        const seeLog = logFault(log, `${name} failed`, error);
        return failure('INTERNAL', `${name} failed unexpectedly; ${seeLog}`) satisfies Failure;
      }
    },
    subscribe: (handler) => bus.subscribe(handler),
    async close() {
      if (closed) return;
      closed = true;
      try {
        stopSession('STOPPED');
        bus.flush();
      } finally {
        // Even when the journal refuses the stop's row: the file and its writer lock are released.
        journal.close();
      }
    },
  };
}
