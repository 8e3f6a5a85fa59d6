// One running session: the imperative shell around the kernel. It turns
// operator commands and venue reports into kernel inputs, journals every
// input and every outcome in one transaction, carries out the kernel's venue
// commands, and only then tells the window.
import type {
  CommandError,
  ControlState,
  Instrument,
  IntentAction,
  JournalEvent,
  MarkTick,
  OpenOrder,
  ParsedIntentRequest,
  ReplayState,
  RiskEnvelope,
  SessionInfo,
  SlotSnapshot,
  Snapshot,
  StrategyConfig,
  TradeSummary,
  TradingMode,
} from '../../../shared/index.js';
import { isKernelEventType, MAX_ID_LENGTH, MODE_MEANING } from '../../../shared/index.js';
import { markPricesBulk, onVenueEventsBulk } from '../../../native/packed.js';
import type { EventBus } from '../event-bus.js';
import { logFault, sqliteCodeOf, type HostLog } from '../fault-log.js';
import type { JournalDraft, Journal } from '../journal/journal.js';
import type {
  KernelDomainEvent,
  KernelOutcome,
  KernelPort,
  KernelReconcileInput,
  KernelSlot,
  KernelVenueCommand,
} from '../kernel/kernel-port.js';
import { onGrid } from '../market/grid.js';
import type { MarketFeed } from '../market/market-feed.js';
import type { ReplayEnd, ReplayFeed } from '../market/replay-feed.js';
import type { Strategy } from '../strategy/strategy.js';
import type { AccountReport, Venue, VenueReport } from '../venue/venue.js';
import { hostDraft, stripEmpty } from './drafts.js';
import type { IdSource } from './ids.js';
import { IntentDesk, kernelIntentOf, type Arrival, type IntentSubmitted } from './intent-desk.js';
import { explainOutcome, plural, refusalOf } from './outcome-words.js';
import { TradeBook } from './trade-book.js';

export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: CommandError };

/**
 * At most one snapshot per this many ms, and at most this share of the host's time: one reads every slot
 * across napi (~1 ms at 100 slots, ~90 ms at 10,000; docs/BENCHMARKS.md, host), and a window needs no more.
 * The first after a quiet spell goes at once.
 */
const SNAPSHOT_INTERVAL_MS = 100;
const SNAPSHOT_SHARE = 0.1;

/** How far an intent's own `ts` may be from the host's clock. */
const MAX_CLOCK_SKEW_MS = 5_000;

export interface TradingSessionParts {
  info: SessionInfo;
  ids: IdSource;
  kernel: KernelPort;
  venue: Venue;
  feed: MarketFeed;
  journal: Journal;
  bus: EventBus;
  now: () => number;
  /** The host's monotonic clock, which paces snapshots; `performance.now` by default. */
  monotonic?: () => number;
  log: HostLog;
  /** The limits the gates check every intent against. */
  risk: RiskEnvelope;
  /** The session's symbols with their venue's grids (an exchange's own lot and tick, not the paper venue's). */
  instruments: readonly Instrument[];
  /** A strategy proposing entries on the session's marks, and the config it was built from. */
  strategy?: { config: StrategyConfig; plugin: Strategy };
  /** The feed, when it replays a file: the operator's replay controls act on it. */
  replay?: ReplayFeed;
  /**
   * A checkpoint with every commit, in its transaction (exchange sessions: a host that dies leaves them
   * resumable, their positions being live on the exchange).
   */
  checkpoints?: boolean;
  /**
   * A resumed session's journal so far, oldest first, and the host's part of its checkpoint: the trade book
   * and the gates' memories are rebuilt from them (the kernel comes restored).
   */
  resumedFrom?: { events: readonly JournalEvent[]; host: HostCheckpoint };
}

/** What a resumed session compared with the venue, and what came of it. */
export interface Reconciled {
  differences: number;
  mode: TradingMode;
}

export class TradingSession {
  readonly info: SessionInfo;
  private readonly book = new TradeBook();
  private readonly slotCorrelation = new Map<number, string>();
  /** The slot each open trade is in, from the kernel's events: how a command finds its slot. */
  private readonly tradeSlot = new Map<string, number>();
  private snapshotQueued = false;
  /** When the next snapshot may go out, on the host's monotonic clock (not the session's). */
  private snapshotDueAt = Number.NEGATIVE_INFINITY;
  private reconcileStatus = 'OK';
  private stopped = false;
  /** Why the journal refused a write, once it has: the session is then halted for good (`failClosed`). */
  private journalFault: string | null = null;
  /** The way of an intent: the gates, the operator, the kernel. */
  private readonly desk: IntentDesk;

  private readonly monotonic: () => number;

  constructor(private readonly parts: TradingSessionParts) {
    this.info = parts.info;
    this.monotonic = parts.monotonic ?? (() => performance.now());
    if (parts.resumedFrom) {
      for (const event of parts.resumedFrom.events) this.book.apply(event);
      for (const slot of parts.kernel.slots()) {
        if (slot.free || slot.correlationId === undefined) continue;
        this.slotCorrelation.set(slot.slotId, slot.correlationId);
        if (slot.tradeId) this.tradeSlot.set(slot.tradeId, slot.slotId);
      }
      this.reconcileStatus = parts.kernel.account().reconcileStatus;
    }
    this.desk = new IntentDesk(
      {
        ...parts,
        strategy: parts.strategy?.plugin,
        seedCapital: parts.info.seedCapital,
        book: this.book,
        ...(parts.resumedFrom ? { resumedFrom: parts.resumedFrom } : {}),
      },
      {
        commit: (drafts, outcomes) => this.commit(drafts, outcomes),
        notify: (level, code, message, correlationId) => this.notify(level, code, message, correlationId),
        guarded: (input, handle) => this.guarded(input, handle),
        stopped: () => this.stopped,
      },
    );
  }

  /** The session's first fact: the limits its gates check and the strategy it runs. */
  begin(): void {
    const eventId = this.parts.ids.next('h');
    this.commit([
      hostDraft(eventId, 'RiskLimitsSet', this.sessionId, eventId, this.parts.now(), {
        risk: this.parts.risk,
        strategy: this.parts.strategy?.config,
      }),
    ]);
  }

  /**
   * A resumed session's first fact: from which checkpoint it runs on, and since when it was down. Down longer
   * than the venue reads trades back (`readsBackMs`), fills of that time are not read: the operator is told.
   */
  resumed(
    payload: { checkpointSeq: number; interruptedAt: number; downMs: number },
    readsBackMs: number,
  ): void {
    const eventId = this.parts.ids.next('h');
    this.commit([hostDraft(eventId, 'SessionResumed', this.sessionId, eventId, this.parts.now(), payload)]);
    if (payload.downMs > readsBackMs) {
      const days = (ms: number) => `${(ms / 86_400_000).toFixed(1)} days`;
      this.notify(
        'warning',
        'RESUMED_LATE',
        `Session ${this.sessionId} was down ${days(payload.downMs)}; ${this.parts.venue.name}'s trades are read ` +
          `${days(readsBackMs)} back at most, so fills older than that are not read: what they changed shows as differences`,
      );
    }
  }

  /**
   * After a resume, once the venue's fills of the time between are in: its open orders and positions against
   * the kernel's (`Kernel.reconcile`, fail-closed). What it adopted and every difference are journaled
   * (VenueReconciled, each finding in words) and told; any difference leaves the kernel REDUCING until the
   * operator looks.
   */
  reconcileWith(report: KernelReconcileInput): Reconciled {
    const outcome = this.parts.kernel.reconcile(report);
    const findings = outcome.diagnostics.map((finding) => stripEmpty({ ...finding }));
    const differences = Number(outcome.details.differences ?? 0);
    const mode = this.parts.kernel.control().mode;
    const eventId = this.parts.ids.next('h');
    const reconciled = hostDraft(eventId, 'VenueReconciled', this.sessionId, eventId, this.parts.now(), {
      differences,
      mode,
      openOrders: report.openOrders.length,
      positions: report.positions?.length,
      findings,
    });
    this.commitDrafts([...this.outcomeDrafts(outcome), reconciled], [outcome], { tellDiagnostics: false });
    for (const finding of outcome.diagnostics) {
      const adopted = finding.code === 'ORDER_ADOPTED' || finding.code === 'POSITION_ADOPTED';
      this.notify(adopted ? 'info' : 'warning', finding.code, finding.message);
    }
    this.notify(
      differences > 0 ? 'error' : 'info',
      differences > 0 ? 'RECONCILE_MISMATCH' : 'RECONCILE_OK',
      differences > 0
        ? `${this.parts.venue.name} and the kernel differ in ${plural(differences, 'way')} (above): trading is ${mode} until you have looked`
        : `${this.parts.venue.name}'s open orders and positions agree with the kernel's`,
    );
    return { differences, mode };
  }

  get sessionId(): string {
    return this.info.sessionId;
  }

  // ── commands ────────────────────────────────────────────────────────────

  submitIntent(request: ParsedIntentRequest): CommandResult<IntentSubmitted> {
    if (this.journalFault) return this.refuseFaulted();
    if (!this.info.symbols.includes(request.asset)) {
      return this.refuse(
        'UNKNOWN_ASSET',
        'asset',
        `asset: ${request.asset} is not traded in this session (${this.info.symbols.join(', ')})`,
      );
    }
    const misfit = this.misfitOf(request);
    if (misfit) return misfit;
    const mark = this.parts.feed.price(request.asset);
    // The kernel checks take-profit and stop-loss against this: the host's mark, as the gates value an entry
    // (a price the caller names would let a level on the wrong side of the market through); the caller's only
    // when the feed has none yet.
    const referencePrice = mark ?? request.referencePrice;
    if (referencePrice === undefined) {
      return this.refuse('UNKNOWN_ASSET', 'asset', `asset: no price yet for ${request.asset}`);
    }
    const slot = request.action === 'ENTER' ? undefined : this.findSlot(request.slotId, request.tradeId);
    const orphan =
      request.action === 'EXIT' && !slot && request.slotId === undefined && request.tradeId !== undefined
        ? this.orphanTrade(request.tradeId)
        : undefined;
    if (request.action !== 'ENTER' && !slot && !orphan) {
      const field = request.tradeId !== undefined ? 'tradeId' : 'slotId';
      return this.refuse(
        'NOT_FOUND',
        field,
        `${field}: no open trade for ${request.tradeId ?? request.slotId ?? 'nothing'}`,
      );
    }
    const intentId = request.intentId ?? this.parts.ids.next('I');
    const arrival: Arrival = {
      request,
      intentId,
      // A new lineage is named after its intent; a follow-up joins its trade's.
      correlationId: slot?.correlationId ?? orphan?.correlationId ?? intentId,
      createdEventId: this.parts.ids.next('h'),
      referencePrice,
      mark: mark ?? referencePrice,
      ts: request.ts ?? this.parts.now(),
      ...(slot ? { slot } : {}),
    };
    return this.desk.admit(arrival);
  }

  /** The operator grants an entry waiting in supervised mode: the gates run again, then the kernel. */
  grantIntent(intentId: string): CommandResult<IntentSubmitted> {
    return this.journalFault ? this.refuseFaulted() : this.desk.grant(intentId);
  }

  /** The operator rejects an entry waiting in supervised mode. */
  rejectIntent(intentId: string, reason: string | undefined): CommandResult<{ intentId: string }> {
    return this.journalFault ? this.refuseFaulted() : this.desk.reject(intentId, reason);
  }

  exitTrade(target: { tradeId: string } | { slotId: number }): CommandResult<{ tradeId: string }> {
    if (this.journalFault) return this.refuseFaulted();
    const slot =
      'tradeId' in target
        ? this.findSlot(undefined, target.tradeId)
        : this.findSlot(target.slotId, undefined);
    const orphan = !slot && 'tradeId' in target ? this.orphanTrade(target.tradeId) : undefined;
    if (orphan) {
      const result = this.submitIntent({
        action: 'EXIT',
        asset: orphan.asset,
        side: orphan.side,
        orderType: 'MARKET',
        targetSize: Math.max(orphan.size, Number.MIN_VALUE),
        leverage: 1,
        tradeId: orphan.tradeId,
        reason: 'MANUAL',
        signalProvider: 'operator',
      });
      return result.ok ? { ok: true, value: { tradeId: orphan.tradeId } } : result;
    }
    if (!slot?.asset || !slot.side || !slot.tradeId) {
      const field = 'tradeId' in target ? 'tradeId' : 'slotId';
      const value = 'tradeId' in target ? target.tradeId : target.slotId;
      return this.refuse('NOT_FOUND', field, `${field}: no open trade for ${value}`);
    }
    const result = this.submitIntent(this.followUp('EXIT', slot, 'MANUAL'));
    return result.ok ? { ok: true, value: { tradeId: slot.tradeId } } : result;
  }

  cancelOrder(clientOrderId: string): CommandResult<{ clientOrderId: string }> {
    if (this.journalFault) return this.refuseFaulted();
    const order = this.book.order(clientOrderId);
    const working = this.parts.venue.openOrders().some((o) => o.clientOrderId === clientOrderId);
    const slot = order ? this.findSlot(order.slotId, undefined) : undefined;
    if (!order || !working || !slot) {
      return this.refuse(
        'NOT_FOUND',
        'clientOrderId',
        `clientOrderId: ${clientOrderId} is not a working order`,
      );
    }
    // The kernel cancels what a slot works now; a slot reused by another trade (the order an orphan's, or
    // one the kernel counts as ended) would have that trade's order cancelled instead.
    if (slot.tradeId !== order.tradeId || slot.workingOrderId !== clientOrderId) {
      return this.refuse(
        'INVALID_REQUEST',
        'clientOrderId',
        `clientOrderId: the kernel no longer works ${clientOrderId} (trade ${order.tradeId}); slot ${slot.slotId} works ` +
          `${slot.workingOrderId ?? 'no order'} for trade ${slot.tradeId ?? 'none'}, which a cancel there would hit`,
      );
    }
    const ts = this.parts.now();
    const intentId = this.parts.ids.next('I');
    const requested = this.parts.ids.next('h');
    const intent = kernelIntentOf(this.followUp('CANCEL', slot, 'operator cancel'), {
      intentId,
      ts,
      correlationId: order.correlationId,
      causationId: requested,
    });
    const outcome = this.parts.kernel.submitIntent(intent);
    if (!outcome.accepted) return { ok: false, error: refusalOf(outcome) };
    this.commit(
      [
        hostDraft(requested, 'OrderCancelRequested', order.correlationId, order.requestEventId, ts, {
          clientOrderId,
          intentId,
          tradeId: order.tradeId,
          slotId: order.slotId,
          reason: 'operator cancel',
        }),
      ],
      [outcome],
    );
    return { ok: true, value: { clientOrderId } };
  }

  /** The operator sets the trading mode; the change is journaled, then told. Setting the mode it has is a no-op. */
  setControl(
    mode: TradingMode,
    reason: string | undefined,
  ): CommandResult<{ control: ControlState; changed: boolean }> {
    if (this.journalFault) return this.refuseFaulted();
    const previous = this.parts.kernel.control();
    if (previous.mode === mode)
      return { ok: true, value: { control: controlState(previous), changed: false } };
    const ts = this.parts.now();
    const control = this.parts.kernel.setControl({ mode });
    // The kernel refuses only a mode or verbosity it does not know: `mode` is a TradingMode, the kernel's own
    // three words, and no verbosity is sent. A refusal is a host/kernel mismatch, so it throws (INTERNAL).
    if (control.diagnosticCode !== 'OK') {
      throw new Error(`the kernel refused setControl({ mode: ${mode} }): ${control.diagnosticCode}`);
    }
    const eventId = this.parts.ids.next('h');
    this.commit([
      hostDraft(eventId, 'TradingModeChanged', this.sessionId, eventId, ts, {
        mode,
        previousMode: previous.mode,
        reason,
        by: 'operator',
      }),
    ]);
    this.notify(
      mode === 'ACTIVE' ? 'info' : 'warning',
      `MODE_${mode}`,
      `Trading mode ${mode}: ${MODE_MEANING[mode]}${reason ? ` (${reason})` : ''}`,
    );
    return { ok: true, value: { control: controlState(control), changed: true } };
  }

  /**
   * The kill switch: the kernel halts, cancels every working order and closes every open position at market
   * (a slot whose order is being cancelled closes once the cancel is confirmed); entries waiting for the operator
   * are cancelled. Journaled, then carried out, then told.
   */
  killSwitch(
    reason: string | undefined,
  ): CommandResult<{ control: ControlState; cancels: number; closes: number }> {
    if (this.journalFault) return this.refuseFaulted();
    const ts = this.parts.now();
    const previousMode = this.parts.kernel.control().mode;
    const outcome = this.parts.kernel.killSwitch(ts);
    if (!outcome.accepted) return { ok: false, error: refusalOf(outcome) };
    const cancels = outcome.venueCommands.filter((c) => c.kind === 'CANCEL').length;
    const closes = outcome.venueCommands.filter((c) => c.kind === 'PLACE').length;
    const eventId = this.parts.ids.next('h');
    const engaged = hostDraft(eventId, 'KillSwitchEngaged', this.sessionId, eventId, ts, {
      previousMode,
      reason,
      by: 'operator',
      cancels,
      closes,
    });
    // Its own notice below says what it did; the kernel's KILL_SWITCH verdict would only repeat it.
    this.commitDrafts(
      [engaged, ...this.outcomeDrafts(outcome), ...this.desk.withdrawals('the kill switch fired')],
      [outcome],
      { tellDiagnostics: false },
    );
    this.desk.withdrawn();
    this.notify(
      'error',
      'KILL_SWITCH',
      `Kill switch: trading HALTED; ${plural(cancels, 'working order')} being cancelled, ` +
        `${plural(closes, 'position')} closing at market${reason ? ` (${reason})` : ''}`,
    );
    return { ok: true, value: { control: controlState(this.parts.kernel.control()), cancels, closes } };
  }

  snapshot(): Snapshot {
    return {
      session: this.info,
      slots: this.parts.kernel.slots().map(toSlotSnapshot),
      account: { ...this.parts.kernel.account() },
      openOrders: this.openOrders(),
      trades: this.book.list(),
      marks: this.parts.feed.marks(),
      control: controlState(this.parts.kernel.control()),
      risk: this.parts.risk,
      strategy: this.parts.strategy?.config ?? null,
      pendingIntents: this.desk.pending(),
      replay: this.replayState(),
    };
  }

  /** Where the replay stands; null for synthetic prices. */
  replayState(): ReplayState | null {
    const { replay } = this.parts;
    if (!replay || this.info.market?.kind !== 'replay') return null;
    const { paused, speed, position, ended } = replay;
    return { feed: this.info.market.feed, paused, speed, position, ended };
  }

  /** The operator pauses or resumes the replay, or changes its speed: journaled, then done, then told. */
  setReplay(request: {
    paused?: boolean | undefined;
    speed?: number | undefined;
  }): CommandResult<{ replay: ReplayState; changed: boolean }> {
    if (this.journalFault) return this.refuseFaulted();
    const { replay } = this.parts;
    const state = this.replayState();
    const field = request.paused !== undefined ? 'paused' : 'speed';
    if (!replay || !state) {
      return this.refuse(
        'INVALID_REQUEST',
        field,
        `${field}: this session runs on synthetic prices, not a replay`,
      );
    }
    if (state.ended) {
      return this.refuse(
        'INVALID_REQUEST',
        field,
        `${field}: the replay of ${state.feed} has ended; prices hold at its last row`,
      );
    }
    const paused = request.paused ?? state.paused;
    const speed = request.speed ?? state.speed;
    if (paused === state.paused && speed === state.speed)
      return { ok: true, value: { replay: state, changed: false } };
    const eventId = this.parts.ids.next('h');
    this.commit([
      hostDraft(eventId, 'MarketReplaySet', this.sessionId, eventId, this.parts.now(), {
        feed: state.feed,
        paused,
        speed,
        previousSpeed: speed === state.speed ? undefined : state.speed,
        position: state.position,
      }),
    ]);
    // Paused first: a replay being paused takes no step at its new speed.
    if (paused) replay.pause();
    if (speed !== state.speed) replay.setSpeed(speed);
    if (!paused) replay.resume();
    const at = new Date(state.position).toISOString();
    this.notify(
      'info',
      paused !== state.paused ? (paused ? 'REPLAY_PAUSED' : 'REPLAY_RESUMED') : 'REPLAY_SPEED',
      paused
        ? `The replay of ${state.feed} is paused at ${at}${speed === state.speed ? '' : ` (×${speed} when resumed)`}: prices hold until it resumes`
        : `The replay of ${state.feed} runs at ×${speed} from ${at}`,
    );
    return { ok: true, value: { replay: this.replayState() ?? state, changed: true } };
  }

  // ── inputs from the venue and the market ────────────────────────────────

  /** Runs an input that arrived on a timer; a fault is logged and told, and the session keeps running. */
  guarded(input: string, handle: (session: this) => void): void {
    try {
      handle(this);
    } catch (error) {
      // A refused journal write has been told already (JOURNAL_FAILED), and the session is halted.
      if (!this.journalFault) this.fault(input, error);
    }
  }

  /** Why the journal refused a write, once it has; the session is then halted for good. */
  get journalFailure(): string | null {
    return this.journalFault;
  }

  /** A fault outside any command (a timer's input, the venue's own timers): logged and told, never thrown. */
  fault(input: string, error: unknown): void {
    const seeLog = logFault(this.parts.log, `${input} failed`, error);
    this.notify('error', 'HOST_FAULT', `${input} could not be processed; ${seeLog}`);
  }

  /** A burst of venue reports: one kernel call, one journal transaction. */
  onVenueReports(reports: VenueReport[]): void {
    if (this.stopped || reports.length === 0) return;
    const outcomes = onVenueEventsBulk(this.parts.kernel, reports.map(withKernelReason));
    const drafts: JournalDraft[] = [];
    const ordered: KernelOutcome[] = [];
    const venueReasons: (string | undefined)[] = [];
    reports.forEach((report, index) => {
      const lineage = this.book.order(report.clientOrderId);
      const causation =
        (report.kind === 'CANCELED' || report.kind === 'CANCEL_REJECTED'
          ? lineage?.cancelEventId
          : undefined) ??
        lineage?.requestEventId ??
        report.clientOrderId;
      drafts.push({
        eventId: report.eventId,
        type: 'VenueReport',
        source: 'venue',
        correlationId: lineage?.correlationId ?? `unknown:${report.clientOrderId}`,
        causationId: causation,
        ts: report.ts,
        payload: { ...report, venue: this.parts.venue.name, tradeId: lineage?.tradeId },
      });
      const outcome = outcomes[index];
      if (outcome) {
        drafts.push(...this.outcomeDrafts(outcome));
        ordered.push(outcome);
        venueReasons.push(report.reason);
      }
    });
    this.commitDrafts(drafts, ordered, { venueReasons });
  }

  /**
   * The venue's account reports (the E ledger): each goes through the kernel,
   * which reconciles it against its own K ledger. A change of verdict is told.
   */
  onAccountReports(reports: AccountReport[]): void {
    if (this.stopped || reports.length === 0) return;
    const drafts: JournalDraft[] = reports.map((report) => {
      const { causedBy, asset, ...event } = report;
      const account = this.parts.kernel.onAccountEvent(event);
      return {
        eventId: report.eventId,
        type: report.kind === 'FUNDING_FEE' ? 'FundingFeeSettled' : 'AccountUpdated',
        source: 'venue' as const,
        correlationId: this.sessionId,
        causationId: causedBy ?? report.eventId,
        ts: report.ts,
        payload: stripEmpty({
          ...report,
          diagnosticCode: account.diagnosticCode,
          reconcileStatus: account.reconcileStatus,
          reconcileDelta: account.reconcileDelta,
          fundingNet: account.fundingNet,
          asset,
        }),
      };
    });
    this.commitDrafts(drafts, []);
    const account = this.parts.kernel.account();
    if (account.reconcileStatus !== this.reconcileStatus) {
      this.reconcileStatus = account.reconcileStatus;
      const level =
        account.reconcileStatus === 'OK' ? 'info' : account.reconcileStatus === 'DRIFT' ? 'warning' : 'error';
      this.notify(level, `RECONCILE_${account.reconcileStatus}`, account.reconcileExplanation);
    }
  }

  onMarks(ticks: MarkTick[]): void {
    if (this.stopped) return;
    this.parts.bus.publish({ type: 'marks', ticks });
    this.parts.venue.onMarks(ticks);
    const outcomes = markPricesBulk(this.parts.kernel, ticks);
    // The kernel reads no clock: each market step is also its tick, for rate-limit retries and ack timeouts.
    outcomes.push(...this.parts.kernel.tick(ticks[0]?.ts ?? this.parts.now()));
    const drafts = outcomes.flatMap((outcome) => this.outcomeDrafts(outcome));
    this.commitDrafts(drafts, outcomes);
    this.desk.onMarks(ticks, (request) => this.submitIntent(request));
    this.queueSnapshot();
  }

  /** The kernel's clock between market steps (a replay's rows may be far apart, paused or over). */
  onClock(ts: number): void {
    if (this.stopped) return;
    const outcomes = this.parts.kernel.tick(ts);
    if (outcomes.length === 0) return;
    this.commit([], outcomes);
    this.queueSnapshot();
  }

  /** A replay's file has no more rows: prices hold where it left them, and the session runs on until stopped. */
  onReplayEnd(end: ReplayEnd): void {
    if (this.stopped || this.info.market?.kind !== 'replay') return;
    const { feed } = this.info.market;
    const eventId = this.parts.ids.next('h');
    const lastRowAt = new Date(end.lastRowAt).toISOString();
    this.commit([
      hostDraft(eventId, 'MarketReplayEnded', this.sessionId, eventId, this.parts.now(), {
        feed,
        steps: end.steps,
        lastRowAt: end.lastRowAt,
      }),
    ]);
    this.notify(
      'info',
      'REPLAY_ENDED',
      `The replay of ${feed} ended after ${plural(end.steps, 'market step')} (last row ${lastRowAt}): ` +
        'prices hold there until the session stops',
    );
  }

  /** Stops the feed and the venue; entries still waiting for the operator are cancelled first, in the journal. */
  stop(): void {
    if (this.stopped) return;
    const withdrawals = this.journalFault ? [] : this.desk.withdrawals('the session stopped');
    try {
      if (withdrawals.length > 0) this.commit(withdrawals);
      this.desk.withdrawn();
    } catch {
      // The journal refused: failClosed has halted the session and told the operator; the stop goes on.
    }
    if (this.stopped) return;
    this.stopped = true;
    this.desk.stop();
    this.parts.feed.stop();
    this.parts.venue.close();
  }

  // ── journal and fan-out ─────────────────────────────────────────────────

  private commit(hostDrafts: JournalDraft[], outcomes: KernelOutcome[] = []): void {
    this.commitDrafts([...hostDrafts, ...outcomes.flatMap((o) => this.outcomeDrafts(o))], outcomes);
  }

  /**
   * Journal first, then act: the venue commands go out and the window hears
   * only once the facts are durable.
   */
  private commitDrafts(
    drafts: JournalDraft[],
    outcomes: KernelOutcome[],
    {
      tellDiagnostics = true,
      venueReasons = [],
    }: {
      tellDiagnostics?: boolean;
      /** Per outcome, what the venue said of the report it answers (a rejection's reason). */
      venueReasons?: readonly (string | undefined)[];
    } = {},
  ): void {
    let events: ReturnType<Journal['append']>;
    try {
      events = this.parts.journal.append(
        this.sessionId,
        drafts,
        this.parts.checkpoints ? () => this.checkpoint() : undefined,
      );
    } catch (error) {
      this.failClosed(error);
      throw error;
    }
    for (const event of events) this.book.apply(event);
    for (const event of events) {
      this.parts.bus.publish({ type: 'journal', event });
      this.reportProtection(event);
    }
    outcomes.forEach((outcome, index) => {
      if (tellDiagnostics) this.reportDiagnostic(outcome, venueReasons[index]);
      for (const command of outcome.venueCommands) this.dispatch(command);
    });
    if (events.length > 0) this.queueSnapshot();
  }

  /** The kernel and the host's id counters, as the facts being committed leave them. */
  private checkpoint(): { kernel: string; host: string } {
    return {
      kernel: this.parts.kernel.snapshot(),
      host: JSON.stringify({
        ids: this.parts.ids.counts(),
        peakEquity: this.desk.peakEquity,
      } satisfies HostCheckpoint),
    };
  }

  private outcomeDrafts(outcome: KernelOutcome): JournalDraft[] {
    // An orphan position's events carry its old ("home") slot id, but the slot now holds another trade; so may
    // the kernel's word on an order that no longer works for its slot (STALE_EVENT), which changes no slot.
    const occupiesSlot = !outcome.flags.includes('ORPHAN') && outcome.diagnosticCode !== 'STALE_EVENT';
    const drafts: JournalDraft[] = outcome.events.map((event) => this.kernelDraft(event, occupiesSlot));
    for (const transition of outcome.transitions) {
      const correlationId = this.slotCorrelation.get(transition.slotId);
      if (!correlationId) continue;
      drafts.push({
        eventId: this.parts.ids.next('t'),
        type: 'SlotTransition',
        source: 'kernel',
        correlationId,
        causationId: transition.eventId ?? transition.intentId ?? correlationId,
        ts: this.parts.now(),
        payload: stripEmpty(transition),
      });
    }
    // A request the kernel sends again once a rate limit's wait is over has no event of its own: it is
    // journaled here, so what the venue is asked is a fact before it goes (and a checkpoint follows it).
    if (outcome.events.length === 0) {
      for (const command of outcome.venueCommands) drafts.push(this.resentDraft(command));
    }
    if (outcome.diagnosticCode !== 'OK' && outcome.severity !== 'INFO' && outcome.events.length === 0) {
      drafts.push({
        eventId: this.parts.ids.next('d'),
        type: 'KernelDiagnostic',
        source: 'kernel',
        correlationId: this.correlationOfSlot(outcome.slotId) ?? `slot:${outcome.slotId ?? '-'}`,
        causationId: outcome.details?.eventId ?? outcome.details?.intentId ?? '',
        ts: this.parts.now(),
        payload: stripEmpty({
          diagnosticCode: outcome.diagnosticCode,
          severity: outcome.severity,
          slotId: outcome.slotId,
          tradeId: outcome.tradeId,
          state: outcome.state,
          ...outcome.details,
        }),
      });
    }
    return drafts;
  }

  private resentDraft(command: KernelVenueCommand): JournalDraft {
    const { clientOrderId } = command;
    const lineage = this.book.order(clientOrderId);
    const eventId = this.parts.ids.next('h');
    return hostDraft(
      eventId,
      'OrderResent',
      lineage?.correlationId ?? `unknown:${clientOrderId}`,
      (command.kind === 'CANCEL' ? lineage?.cancelEventId : undefined) ??
        lineage?.requestEventId ??
        clientOrderId,
      this.parts.now(),
      {
        clientOrderId,
        command: command.kind,
        tradeId: command.tradeId,
        slotId: command.slotId,
        asset: command.asset,
        orderSide: command.side,
        size: command.size,
        reason: "the rate limit's wait is over",
      },
    );
  }

  private kernelDraft(event: KernelDomainEvent, occupiesSlot: boolean): JournalDraft {
    const { type, eventId, seq, correlationId, causationId, ts } = event;
    // The binding's test holds the two lists together; a build where they drift must not journal a type no reader knows.
    if (!isKernelEventType(type))
      throw new Error(`the kernel emitted ${type}, a type shared/event-types.ts does not list`);
    if (occupiesSlot && typeof event.slotId === 'number') {
      if (type === 'TradeClosed' || type === 'TradeCanceled') {
        this.tradeSlot.delete(event.tradeId);
      } else {
        this.slotCorrelation.set(event.slotId, correlationId);
        if (event.tradeId) this.tradeSlot.set(event.tradeId, event.slotId);
      }
    }
    const payload = stripEmpty(event, EVENT_HEADER);
    payload.kernelSeq = seq;
    return { eventId, type, source: 'kernel', correlationId, causationId, ts, payload };
  }

  private dispatch(command: KernelVenueCommand): void {
    if (command.kind === 'CANCEL') this.parts.venue.cancel(command.clientOrderId);
    else if (command.kind === 'PLACE') this.parts.venue.submit(command);
  }

  private reportDiagnostic(outcome: KernelOutcome, venueReason: string | undefined): void {
    if (outcome.diagnosticCode === 'OK' || outcome.severity === 'INFO') return;
    const level = outcome.severity === 'ERROR' || outcome.severity === 'CRITICAL' ? 'error' : 'warning';
    this.notify(
      level,
      outcome.diagnosticCode,
      explainOutcome(outcome, venueReason),
      this.correlationOfSlot(outcome.slotId),
    );
  }

  /** A take-profit or stop-loss that fired is told: the kernel closes the trade on its own. */
  private reportProtection(event: JournalEvent): void {
    if (event.type !== 'TradeMonitoringClosed' || event.source !== 'kernel') return;
    const { closeReason, markPrice, asset, side, slotId, tradeId } = event.payload;
    if (closeReason !== 'TP' && closeReason !== 'SL') return;
    const what = closeReason === 'TP' ? 'Take-profit' : 'Stop-loss';
    const at = typeof markPrice === 'number' ? ` at ${markPrice}` : '';
    this.notify(
      'info',
      closeReason === 'TP' ? 'TAKE_PROFIT' : 'STOP_LOSS',
      `${what} hit${at}: closing ${String(asset ?? '')} ${String(side ?? '')} in slot ${String(slotId)} (trade ${String(tradeId)}) at market`,
      event.correlationId,
    );
  }

  private notify(
    level: 'info' | 'warning' | 'error',
    code: string,
    message: string,
    correlationId?: string,
  ): void {
    this.parts.bus.publish({
      type: 'notice',
      level,
      code,
      message,
      ts: this.parts.now(),
      ...(correlationId ? { correlationId } : {}),
    });
  }

  /** The window's snapshot after a change: one per turn of the event loop, spaced as SNAPSHOT_INTERVAL_MS says. */
  private queueSnapshot(): void {
    if (this.snapshotQueued) return;
    this.snapshotQueued = true;
    const send = () => {
      this.snapshotQueued = false;
      const start = this.monotonic();
      try {
        if (!this.stopped) this.parts.bus.publish({ type: 'snapshot', snapshot: this.snapshot() });
      } catch (error) {
        this.fault('snapshot', error);
      }
      const took = this.monotonic() - start;
      this.snapshotDueAt = start + Math.max(SNAPSHOT_INTERVAL_MS, took / SNAPSHOT_SHARE);
    };
    const wait = this.snapshotDueAt - this.monotonic();
    if (wait <= 0) setImmediate(send);
    // Unref'd: a snapshot still due must not hold a host that is shutting down.
    else setTimeout(send, wait).unref();
  }

  /**
   * The journal refused a write: the kernel has already moved past what the journal holds, and what it asked
   * for was not carried out. Nothing may act on that state: the kernel is HALTED, the venue and the feed stop,
   * every later command is refused, and the operator is told. A restart closes the session as ABANDONED at its
   * last journaled fact.
   */
  private failClosed(error: unknown): void {
    const seeLog = logFault(this.parts.log, `journal append failed, session ${this.sessionId} halted`, error);
    const code = sqliteCodeOf(error);
    this.journalFault = `${code ? `${code}; ` : ''}${seeLog}`;
    this.parts.kernel.setControl({ mode: 'HALTED' });
    this.stop();
    this.notify(
      'error',
      'JOURNAL_FAILED',
      `The journal could not be written (${this.journalFault}): session ${this.sessionId} is halted, its venue and ` +
        'market feed stopped, and its last step was not carried out. Restart the cockpit.',
    );
  }

  refuseFaulted<T>(): CommandResult<T> {
    return {
      ok: false,
      error: {
        code: 'JOURNAL_FAILED',
        message: `the journal could not be written (${this.journalFault}): this session is halted; restart the cockpit`,
      },
    };
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  /**
   * What the window may not ask although the schema lets it through: an entry off its symbol's lot, or a limit
   * off its tick, at this session's venue (the venue would reject or round it; the kernel's grid is the finest of all symbols), a time more
   * than MAX_CLOCK_SKEW_MS from the host's clock (ts 0 would time the order out at once), an intent id in the
   * host's own namespace (it would collide with an id the host mints later).
   */
  private misfitOf(request: ParsedIntentRequest): CommandResult<never> | undefined {
    const instrument = this.parts.instruments.find((i) => i.symbol === request.asset);
    if (request.action === 'ENTER' && instrument && !onGrid(request.targetSize, instrument.lotStep)) {
      return this.refuse(
        'INVALID_REQUEST',
        'targetSize',
        `targetSize: must be a multiple of ${request.asset}'s lot step ${instrument.lotStep} (got ${request.targetSize})`,
      );
    }
    // An exit's limit too: the kernel's tick is the finest of the session's symbols, the venue's is the symbol's.
    if (instrument && request.limitPrice !== undefined && !onGrid(request.limitPrice, instrument.tickSize)) {
      return this.refuse(
        'INVALID_REQUEST',
        'limitPrice',
        `limitPrice: must be a multiple of ${request.asset}'s tick size ${instrument.tickSize} (got ${request.limitPrice})`,
      );
    }
    if (request.ts !== undefined && Math.abs(request.ts - this.parts.now()) > MAX_CLOCK_SKEW_MS) {
      return this.refuse(
        'INVALID_REQUEST',
        'ts',
        `ts: must be within ${MAX_CLOCK_SKEW_MS / 1000} s of the host's clock (got ${request.ts})`,
      );
    }
    if (request.intentId?.startsWith(`${this.parts.ids.tag}-`)) {
      return this.refuse(
        'INVALID_REQUEST',
        'intentId',
        `intentId: ids starting with ${this.parts.ids.tag}- are the host's own (got ${JSON.stringify(request.intentId)})`,
      );
    }
    // A new lineage is named after its intent: these names are the session's own lineage and the host's
    // stand-ins for an unknown order or slot, whose facts would be drawn as this trade's.
    const intentId = request.intentId;
    if (
      intentId !== undefined &&
      (intentId === this.sessionId || intentId.startsWith('unknown:') || intentId.startsWith('slot:'))
    ) {
      return this.refuse(
        'INVALID_REQUEST',
        'intentId',
        `intentId: ${JSON.stringify(intentId)} names a lineage of the host's own (the session's, or an unknown order's or slot's)`,
      );
    }
    return undefined;
  }

  private refuse<T>(code: CommandError['code'], field: string, message: string): CommandResult<T> {
    return { ok: false, error: { code, message, field } };
  }

  private correlationOfSlot(slotId: number | undefined): string | undefined {
    return slotId === undefined ? undefined : this.slotCorrelation.get(slotId);
  }

  /**
   * The busy slot with `slotId`, or the one holding `tradeId`. A trade is looked up in the slot the kernel's
   * events last put it in; only when that slot does not hold it (an orphan position has none) are all slots
   * read, because building every slot across napi costs ~6–12 µs per slot (docs/BENCHMARKS.md, host).
   */
  private findSlot(slotId: number | undefined, tradeId: string | undefined): KernelSlot | undefined {
    const holds = (slot: KernelSlot | null | undefined): slot is KernelSlot =>
      !!slot && !slot.free && (tradeId === undefined || slot.tradeId === tradeId);
    // The trade book says -1 for an order whose slot it never learnt.
    const at = (id: number | undefined) =>
      id === undefined || id < 0 ? undefined : this.parts.kernel.slot(id);
    if (tradeId === undefined) {
      const slot = at(slotId);
      return holds(slot) ? slot : undefined;
    }
    const slot = at(this.tradeSlot.get(tradeId));
    return holds(slot) ? slot : this.parts.kernel.slots().find(holds);
  }

  /**
   * An open trade that no slot holds (callers have looked for its slot first): an orphan position, a late
   * entry fill with no free slot. Only an EXIT naming its tradeId reaches it; the kernel decides whether it is one.
   */
  private orphanTrade(tradeId: string): Readonly<TradeSummary> | undefined {
    const trade = this.book.trade(tradeId);
    return trade?.state === 'OPEN' ? trade : undefined;
  }

  /** An EXIT or CANCEL intent for the trade in `slot`; an EXIT's reason is its close reason (MANUAL for the operator). */
  private followUp(action: IntentAction, slot: KernelSlot, reason: string): ParsedIntentRequest {
    return {
      action,
      asset: slot.asset ?? '',
      side: slot.side ?? 'LONG',
      orderType: 'MARKET',
      targetSize: slot.size > 0 ? slot.size : Math.max(slot.initialSize, Number.MIN_VALUE),
      leverage: slot.leverage > 0 ? slot.leverage : 1,
      slotId: slot.slotId,
      ...(slot.tradeId ? { tradeId: slot.tradeId } : {}),
      reason,
      signalProvider: 'operator',
    };
  }

  private openOrders(): OpenOrder[] {
    return this.parts.venue.openOrders().map((order) => {
      const lineage = this.book.order(order.clientOrderId);
      return {
        clientOrderId: order.clientOrderId,
        venueOrderId: order.venueOrderId,
        tradeId: lineage?.tradeId ?? '',
        slotId: lineage?.slotId ?? -1,
        asset: order.asset,
        side: order.side,
        orderType: order.orderType,
        size: order.size,
        filledSize: order.filledSize,
        ...(order.limitPrice !== undefined ? { limitPrice: order.limitPrice } : {}),
        reduceOnly: order.reduceOnly,
        status: order.status,
        placedAt: order.placedAt,
        correlationId: lineage?.correlationId ?? '',
      };
    });
  }
}

/**
 * The report as the kernel takes it: a reason cut to its bound (MAX_ID_LENGTH), since the kernel refuses a
 * longer one and the fact would not count. The venue's whole words stay in the journal's VenueReport.
 */
function withKernelReason(report: VenueReport): VenueReport {
  const { reason } = report;
  return reason !== undefined && reason.length > MAX_ID_LENGTH
    ? { ...report, reason: `${reason.slice(0, MAX_ID_LENGTH - 1)}…` }
    : report;
}

/** The host's part of a checkpoint. */
export interface HostCheckpoint {
  ids: Record<string, number>;
  /** The drawdown halt's peak equity; absent from the fifteenth session's checkpoints (the seed capital then). */
  peakEquity?: number;
}

function controlState(control: ReturnType<KernelPort['control']>): ControlState {
  return control.killSwitchAt === undefined
    ? { mode: control.mode }
    : { mode: control.mode, killSwitchAt: control.killSwitchAt };
}

function toSlotSnapshot(slot: KernelSlot): SlotSnapshot {
  return stripEmpty(slot) as unknown as SlotSnapshot;
}

/** A domain event's fields that the journal keeps in its own columns (the kernel's `seq` goes in as `kernelSeq`). */
const EVENT_HEADER: ReadonlySet<string> = new Set([
  'type',
  'eventId',
  'seq',
  'correlationId',
  'causationId',
  'ts',
]);
