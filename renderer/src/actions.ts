// What the operator does, and how the window hydrates: commands through
// `window.cockpit`, results into the store. A failed command is shown in
// words in the notices (and returned, for the view that asked).
import type {
  CockpitEvent,
  CommandName,
  CommandRequest,
  CommandResponse,
  Failure,
  PendingIntent,
} from '../../shared/index.js';
import { invoke } from './api.js';
import { compactNumbers } from './lib/format.js';
import { resumedNotice } from './lib/interrupted.js';
import { isOutcomeUnknown, outcomeUnknownText } from './lib/outcome.js';
import { lineageTouch } from './store/apply.js';
import { nextFrame, type Schedule } from './store/pump.js';
import { useCockpit } from './store/store.js';

const store = () => useCockpit.getState();

function report(name: CommandName, failure: Failure): void {
  const { code, message } = failure.error;
  // Cut off by a drop, it may have been carried out: a warning to look, not a refusal.
  if (isOutcomeUnknown(failure.error)) {
    store().notify({ level: 'warning', code, message: `${name}: ${outcomeUnknownText(name)}` });
    return;
  }
  store().notify({ level: 'error', code, message: `${name}: ${compactNumbers(message)}` });
}

/** Invokes a command; a failure is also reported in the notices unless `quiet`. */
export async function command<N extends CommandName>(
  name: N,
  request: CommandRequest<N>,
  options: { quiet?: boolean } = {},
): Promise<CommandResponse<N>> {
  const response = await invoke(name, request);
  if (!response.ok && !options.quiet) report(name, response);
  return response;
}

/** Loads the read model and the session list (on start and after a reconnect), and what the window was showing. */
export async function hydrate(): Promise<void> {
  await refreshSnapshot({ quiet: false });
  if (store().lineage.correlationId) refreshLineage();
  // A review that failed while the host was away is read again.
  const { sessionId, status } = store().review;
  if (sessionId && status !== 'ready') void reviewSession(sessionId);
}

// ---------------------------------------------------------------------------
// The lineage graph of the selected correlation id

/** Why the graph is fetched again: its monitoring ticks alone, or anything else (a selection, a fill, a cancel). */
type Cause = 'tick' | 'change';

let inflight: string | null = null;
/** What came for the lineage in flight meanwhile: one more fetch follows it. */
let again: Cause | null = null;
/** The fetch waiting for its interval or its frame, and when it is due. */
let pending: { cancel: () => void; due: number } | null = null;
let lastId: string | null = null;
let lastStart = Number.NEGATIVE_INFINITY;
let schedule: Schedule = nextFrame;
let minIntervalMs = 200;
let tickIntervalMs = 5_000;
let clock: () => number = () => Date.now();

/**
 * For tests or other hosts: how a deferred re-fetch waits for the next frame, the least time between two
 * fetches of one lineage, the least time when only its monitoring ticks ask for one (a long-lived trade has one
 * a second, and its whole graph grows with each: the graph would be fetched all the time), and the clock.
 */
export function setLineageScheduler(
  next: Schedule,
  options: { minIntervalMs?: number; tickIntervalMs?: number; now?: () => number } = {},
): void {
  schedule = next;
  if (options.minIntervalMs !== undefined) minIntervalMs = options.minIntervalMs;
  if (options.tickIntervalMs !== undefined) tickIntervalMs = options.tickIntervalMs;
  if (options.now) clock = options.now;
}

const intervalOf = (cause: Cause) => (cause === 'tick' ? tickIntervalMs : minIntervalMs);

function cancelPending(): void {
  pending?.cancel();
  pending = null;
}

/** Fetches after `delayMs`, on a frame; one already due no later stands, a later one is brought forward. */
function deferRefresh(delayMs: number, cause: Cause): void {
  const due = clock() + Math.max(0, delayMs);
  if (pending && pending.due <= due) return;
  cancelPending();
  const run = () => {
    pending = null;
    refreshLineage(cause);
  };
  if (delayMs <= 0) {
    pending = { cancel: schedule(run), due };
    return;
  }
  // Wait out the interval, then still land on a frame.
  let cancelInner: (() => void) | null = null;
  const timer = setTimeout(() => {
    cancelInner = schedule(run);
  }, delayMs);
  pending = {
    cancel: () => {
      clearTimeout(timer);
      cancelInner?.();
    },
    due,
  };
}

/**
 * Fetches the selected graph. A new selection fetches at once; for the same lineage, one fetch runs at a time,
 * at most one more follows it (on a later frame), and fetches start at least `minIntervalMs` apart, or
 * `tickIntervalMs` when only monitoring ticks ask for one. An answer for a lineage no longer selected is dropped.
 */
export function refreshLineage(cause: Cause = 'change'): void {
  const correlationId = store().lineage.correlationId;
  if (!correlationId) return;
  if (inflight === correlationId) {
    again = again === 'change' ? again : cause;
    return;
  }
  if (correlationId === lastId) {
    const wait = lastStart + intervalOf(cause) - clock();
    if (pending || wait > 0) {
      deferRefresh(wait, cause);
      return;
    }
  } else {
    cancelPending();
  }
  inflight = correlationId;
  lastId = correlationId;
  lastStart = clock();
  again = null;
  store().setLineageLoading(correlationId);
  const sessionId = store().lineage.sessionId;
  const request = sessionId ? { correlationId, sessionId } : { correlationId };
  void command('lineage', request, { quiet: true }).then((response) => {
    if (inflight === correlationId) inflight = null;
    if (response.ok) {
      store().setLineageGraph(correlationId, {
        correlationId,
        nodes: response.nodes ?? [],
        edges: response.edges ?? [],
      });
    } else {
      store().setLineageError(correlationId, response.error.message);
    }
    if (again && store().lineage.correlationId === correlationId) {
      const next = again;
      again = null;
      deferRefresh(lastStart + intervalOf(next) - clock(), next);
    }
  });
}

/**
 * Selects a lineage of the running session, or of `sessionId` (a reviewed one). A correlation id carries its
 * session's tag, so it names one lineage in the whole journal: `sessionId` only says where to look.
 */
export function selectLineage(
  correlationId: string | undefined | null,
  sessionId: string | null = null,
): void {
  if (!correlationId) return;
  const { correlationId: current, sessionId: currentSession } = store().lineage;
  store().setLineageSelection(correlationId, sessionId);
  if (current !== correlationId || currentSession !== sessionId) refreshLineage();
}

// ---------------------------------------------------------------------------
// Reviewing an earlier session

/** Counts the picks: only the answer to the latest one may land. */
let reviewPick = 0;

/** Shows `sessionId`'s trades blotter, rebuilt by the host from its journal; null goes back to the live one. */
export async function reviewSession(sessionId: string | null): Promise<void> {
  const pick = ++reviewPick;
  store().setReviewLoading(sessionId);
  if (!sessionId) return;
  const response = await command('session.trades', { sessionId }, { quiet: true });
  if (pick !== reviewPick) return;
  if (response.ok) store().setReviewTrades(sessionId, response.trades);
  else store().setReviewError(sessionId, response.error.message);
}

/**
 * Called after each frame's batch is applied: re-fetch the graph if its lineage moved, and the session list
 * on a session's start, stop or resume (from any window): which sessions are interrupted may have changed.
 */
export function afterBatch(batch: readonly CockpitEvent[]): void {
  const selected = store().lineage.correlationId;
  const touch = selected ? lineageTouch(batch, selected) : null;
  if (touch) refreshLineage(touch);
  if (batch.some((event) => event.type === 'session')) void refreshSessions();
}

// ---------------------------------------------------------------------------
// Operator commands

export async function startSession(request: CommandRequest<'session.start'>) {
  const response = await command('session.start', request);
  if (response.ok) void refreshSnapshot();
  return response;
}

export async function stopSession() {
  const response = await command('session.stop', {});
  if (response.ok) void refreshSnapshot();
  return response;
}

/** Runs an interrupted exchange session again; the notices say whether the exchange agreed with the kernel. */
export async function resumeSession(sessionId: string) {
  const response = await command('session.resume', { sessionId });
  if (response.ok) {
    store().notify(resumedNotice(response));
    void refreshSnapshot();
  } else {
    // A refusal may mean the list is behind (another window resumed or abandoned it).
    void refreshSessions();
  }
  return response;
}

/** Closes an interrupted exchange session as ABANDONED. No session event tells of it: the list is read again. */
export async function abandonSession(sessionId: string) {
  const response = await command('session.abandon', { sessionId });
  void refreshSessions();
  return response;
}

/** Pauses or resumes the session's replay, or changes its speed. The host's next snapshot carries it. */
export function setReplay(request: CommandRequest<'replay.set'>) {
  return command('replay.set', request);
}

/** The feed files a session can replay, and the folder they are read from. The session form shows a failure itself. */
export function listFeeds() {
  return command('feed.list', {}, { quiet: true });
}

/** The exchanges the host holds testnet credentials for (ids and names, never the keys). The session form shows a failure itself. */
export function listExchanges() {
  return command('exchange.list', {}, { quiet: true });
}

let pushSnapshot: ((batch: CockpitEvent[]) => void) | null = null;
/** The host's batches with a snapshot, counted as they arrive (before the pump applies them). */
let snapshotsArrived = 0;

/** Where explicitly fetched snapshots go (the event pump), set at startup. */
export function setSnapshotSink(push: (batch: CockpitEvent[]) => void): void {
  pushSnapshot = push;
}

/** Told of every batch from the host as it arrives, on its way to the pump. */
export function noteArrival(batch: readonly CockpitEvent[]): void {
  if (batch.some((event) => event.type === 'snapshot')) snapshotsArrived += 1;
}

/**
 * Fetches the read model and the session list. The snapshot is pushed as soon as it is answered, unless one
 * came from the host meanwhile: that one may be newer (the host sends one after every change), and the pump
 * would put the fetched one over it.
 */
export async function refreshSnapshot(options: { quiet?: boolean } = { quiet: true }): Promise<void> {
  const arrived = snapshotsArrived;
  const fetched = command('snapshot', {}, options);
  const sessions = refreshSessions(options);
  const snapshot = await fetched;
  if (snapshot.ok && pushSnapshot && snapshotsArrived === arrived) {
    const { ok: _ok, ...read } = snapshot;
    pushSnapshot([{ type: 'snapshot', snapshot: read }]);
  }
  await sessions;
}

/** Reads the journal's sessions: the Trades panel's earlier ones and the interrupted ones. */
export async function refreshSessions(options: { quiet?: boolean } = { quiet: true }): Promise<void> {
  const sessions = await command('session.list', {}, options);
  if (sessions.ok) store().setSessions(sessions.sessions ?? []);
}

export async function submitIntent(request: CommandRequest<'intent.submit'>) {
  const response = await command('intent.submit', request);
  if (response.ok) selectLineage(response.correlationId);
  return response;
}

export function exitSlot(slotId: number) {
  return command('trade.exit', { slotId });
}

/** Closes an open trade by its id: how an orphan position, which no slot holds, is closed. */
export function exitTrade(tradeId: string) {
  return command('trade.exit', { tradeId });
}

export function cancelOrder(clientOrderId: string) {
  return command('order.cancel', { clientOrderId });
}

/** Sets the trading mode. The host's next snapshot, queued once the change is journaled, carries it. */
export function setTradingMode(request: CommandRequest<'control.set'>) {
  return command('control.set', request);
}

/**
 * Grants an entry waiting for the operator: the host runs it through the gates again, then to the kernel.
 * Its lineage is selected, as for an intent sent from the ticket, and also when a drop cut the grant off: read
 * again once reconnected, it shows whether the grant went through. The Supervisor panel shows a refused grant in
 * its row's place; the host tells a gate's refusal itself.
 */
export async function grantIntent(entry: Pick<PendingIntent, 'intentId' | 'correlationId'>) {
  const response = await command('intent.grant', { intentId: entry.intentId }, { quiet: true });
  if (response.ok) selectLineage(response.correlationId);
  else if (isOutcomeUnknown(response.error)) selectLineage(entry.correlationId);
  return response;
}

export function rejectIntent(intentId: string) {
  return command('intent.reject', { intentId }, { quiet: true });
}

export function engageKillSwitch(request: CommandRequest<'control.killSwitch'>) {
  return command('control.killSwitch', request);
}
