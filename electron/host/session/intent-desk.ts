// The way of an intent after the session has checked its shape: the risk
// gates, the operator's grant in supervised mode, then the kernel. Each
// ending (granted; rejected by a gate, the operator or the kernel; expired)
// is journaled, then told; a cancellation (stop, kill switch) is journaled
// with the session's own fact, which tells it. The session owns the journal and the
// notices; the desk owns the waiting entries, their timer and what the gates
// remember.
import type {
  CommandError,
  GateName,
  Instrument,
  MarkTick,
  ParsedIntentRequest,
  PendingIntent,
  JournalEvent,
  RiskEnvelope,
} from '../../../shared/index.js';
import { fromZodError, IntentRequest, payloadString } from '../../../shared/index.js';
import type { JournalDraft } from '../journal/journal.js';
import type { KernelIntent, KernelOutcome, KernelPort, KernelSlot } from '../kernel/kernel-port.js';
import { onGrid } from '../market/grid.js';
import type { MarketFeed } from '../market/market-feed.js';
import {
  BUILT_IN_GATES,
  entryPrice,
  runGates,
  type GateContext,
  type GateIntent,
  type GateRun,
} from '../risk/gates.js';
import { IntentWindow } from '../risk/intent-window.js';
import { SupervisorQueue, type HeldIntent } from '../risk/supervisor.js';
import type { Strategy } from '../strategy/strategy.js';
import type { Venue } from '../venue/venue.js';
import { hostDraft } from './drafts.js';
import type { IdSource } from './ids.js';
import { refusalOf } from './outcome-words.js';
import type { TradeBook } from './trade-book.js';
import type { CommandResult, HostCheckpoint } from './trading-session.js';

export interface IntentSubmitted {
  intentId: string;
  correlationId: string;
  tradeId?: string;
  slotId?: number;
  /** The entry waits for the operator's grant until then; nothing was placed. */
  pendingUntil?: number;
}

/** An intent as it arrived, with the ids and price the host gave it (a waiting entry keeps these). */
export interface Arrival extends Omit<HeldIntent, 'createdAt' | 'expiresAt'> {
  ts: number;
  slot?: KernelSlot;
}

/** How an intent was granted: the gates it passed, and who let it through. */
interface Grant {
  gates: GateName[];
  grantedBy: 'gates' | 'operator';
  at: number;
  /** Its `TradingSignalIntentCreated` is journaled already (it waited for the operator). */
  createdJournaled: boolean;
}

/** What the desk asks of its session: the journal-first commit, the notices, and how its timer runs. */
export interface DeskSession {
  commit(drafts: JournalDraft[], outcomes?: KernelOutcome[]): void;
  notify(level: 'info' | 'warning' | 'error', code: string, message: string, correlationId?: string): void;
  /** Runs a timer's input; a fault is logged and told, never thrown. */
  guarded(input: string, handle: () => void): void;
  stopped(): boolean;
}

export interface IntentDeskParts {
  kernel: KernelPort;
  venue: Venue;
  feed: MarketFeed;
  ids: IdSource;
  now: () => number;
  risk: RiskEnvelope;
  strategy?: Strategy | undefined;
  /** Where peak equity starts, for the drawdown halt. */
  seedCapital: number;
  /** The session's symbols with their venue's grids; the kernel's lot is the finest of them. */
  instruments: readonly Instrument[];
  /** The session's trades and orders as journaled: what the exposure counts besides the slots. */
  book: Pick<TradeBook, 'order' | 'openTrades'>;
  /** A resumed session's journal and checkpoint: the intent ids it journaled and its peak equity go on. */
  resumedFrom?: { events: readonly JournalEvent[]; host: HostCheckpoint };
}

/** How the strategy's proposals enter: the way the ticket's do, through the session's checks. */
type Submit = (request: ParsedIntentRequest) => CommandResult<unknown>;

export class IntentDesk {
  private readonly supervisor: SupervisorQueue;
  private readonly intentIds = new IntentWindow();
  /** The highest equity seen, for the drawdown halt; a resume goes on from its checkpoint's. */
  private peak: number;
  /** The kernel's lot: the finest of the session's symbols' (the session's kernel is built so). */
  private readonly kernelLot: number;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly parts: IntentDeskParts,
    private readonly session: DeskSession,
  ) {
    this.supervisor = new SupervisorQueue(parts.risk);
    this.peak = parts.resumedFrom?.host.peakEquity ?? parts.seedCapital;
    this.kernelLot = Math.min(...parts.instruments.map((i) => i.lotStep));
    // A resubmission after a resume is refused as it was before: every intent journaled had its id remembered.
    for (const event of parts.resumedFrom?.events ?? []) {
      const intentId =
        event.type === 'TradingSignalIntentCreated' ? payloadString(event.payload.intentId) : undefined;
      if (intentId !== undefined) this.intentIds.remember(intentId);
    }
  }

  /** The highest equity seen at a market step, for the drawdown halt (and a checkpoint). */
  get peakEquity(): number {
    return this.peak;
  }

  /** Entries waiting for the operator, oldest first. */
  pending(): PendingIntent[] {
    return this.supervisor.list();
  }

  /** After each market step: the peak equity (only when a drawdown limit is set), then the strategy. */
  onMarks(ticks: readonly MarkTick[], submit: Submit): void {
    if (this.parts.risk.maxDrawdown !== undefined) {
      this.peak = Math.max(this.peak, this.parts.kernel.account().equity);
    }
    this.runStrategy(ticks, submit);
  }

  /** The session stops: no timer outlives it. */
  stop(): void {
    clearTimeout(this.expiryTimer);
  }

  /** An intent the session has checked and named: the gates, then the operator (supervised) or the kernel. */
  admit(arrival: Arrival): CommandResult<IntentSubmitted> {
    // The kernel's own check of the intent's shape (numbers, grid, which side a protective level is on), before
    // a gate's refusal or a hold for the operator journals it: malformed input is answered, never journaled.
    const shape = this.parts.kernel.checkIntent(this.kernelIntent(arrival, arrival.ts));
    if (!shape.accepted) return { ok: false, error: refusalOf(shape) };
    const gates = runGates(BUILT_IN_GATES, gateIntentOf(arrival), this.parts.risk, this.gateContext());
    if (!gates.pass && gates.gate === 'idempotency') {
      // A resubmission has no effect, not even in the journal: a second Created under the same intent id would
      // write into the first one's lineage. The caller is answered.
      return { ok: false, error: gateError(gates) };
    }
    if (!gates.pass) return this.refuseByGate(arrival, gates, arrival.ts, false);
    if (this.supervisor.holds(arrival.request)) return this.holdForOperator(arrival);
    return this.execute(arrival, {
      gates: gates.passed,
      grantedBy: 'gates',
      at: arrival.ts,
      createdJournaled: false,
    });
  }

  /** The operator grants a waiting entry: the gates run again on the session as it is now, then the kernel. */
  grant(intentId: string): CommandResult<IntentSubmitted> {
    const held = this.supervisor.find(intentId);
    if (!held) return this.notWaiting(intentId);
    const at = this.parts.now();
    if (held.expiresAt <= at) {
      // Its timer has not run yet (a busy turn of the event loop): it expires now, not granted late.
      this.expire();
      return this.notWaiting(intentId);
    }
    // It goes at the market of now, not of when it was proposed, and is valued so.
    const mark = this.parts.feed.price(held.request.asset) ?? held.mark;
    const arrival: Arrival = {
      ...held,
      referencePrice: held.request.orderType === 'MARKET' ? mark : held.referencePrice,
      mark,
      ts: held.createdAt,
    };
    // It was seen, by itself: the idempotency gate passed it when it arrived.
    const gates = runGates(BUILT_IN_GATES, gateIntentOf(arrival), this.parts.risk, {
      ...this.gateContext(),
      seen: () => false,
    });
    // Either way its ending is journaled before it leaves the queue: a fault on the way leaves it waiting.
    const result = gates.pass
      ? this.execute(arrival, {
          gates: [...gates.passed, 'supervisor'],
          grantedBy: 'operator',
          at,
          createdJournaled: true,
        })
      : this.refuseByGate(arrival, gates, at, true);
    this.supervisor.take(intentId);
    this.armExpiry();
    return result;
  }

  /** The operator rejects a waiting entry. */
  reject(intentId: string, reason: string | undefined): CommandResult<{ intentId: string }> {
    const held = this.supervisor.find(intentId);
    if (!held) return this.notWaiting(intentId);
    const words = reason ?? 'rejected by the operator';
    this.session.commit([
      this.endingDraft(held, 'TradingSignalIntentRejected', this.parts.now(), {
        gate: 'supervisor',
        reason: words,
        by: 'operator',
      }),
    ]);
    this.supervisor.take(intentId);
    this.armExpiry();
    this.session.notify(
      'info',
      'INTENT_REJECTED',
      `${held.request.signalProvider}'s entry ${intentId} rejected: ${words}`,
      held.correlationId,
    );
    return { ok: true, value: { intentId } };
  }

  /** Entries whose time to be granted is up expire: journaled, then told. */
  expire(): void {
    if (this.session.stopped()) return;
    const expired = this.supervisor.expired(this.parts.now());
    if (expired.length === 0) return this.armExpiry();
    this.session.commit(
      expired.map((held) =>
        this.endingDraft(held, 'TradingSignalIntentExpired', this.parts.now(), {
          expiresAt: held.expiresAt,
          signalProvider: held.request.signalProvider,
        }),
      ),
    );
    for (const held of expired) this.supervisor.take(held.intentId);
    this.armExpiry();
    for (const held of expired) {
      this.session.notify(
        'warning',
        'INTENT_EXPIRED',
        `${held.request.signalProvider}'s entry ${held.intentId} (${describeEntry(held.request)}) expired: nobody granted it in time`,
        held.correlationId,
      );
    }
  }

  /** The kernel takes the intent, or refuses it; either is journaled with the intent (malformed input is not). */
  private execute(arrival: Arrival, grant: Grant): CommandResult<IntentSubmitted> {
    const { request, intentId, correlationId, createdEventId } = arrival;
    const grantedEvent = this.parts.ids.next('h');
    const signalEvent = this.parts.ids.next('h');
    const signalId = this.parts.ids.next('S');
    const intent = this.kernelIntent(arrival, grant.at, signalEvent);
    const outcome = this.parts.kernel.submitIntent(intent);
    const created = grant.createdJournaled ? [] : [this.createdDraft(arrival)];

    if (!outcome.accepted) {
      const error = grant.createdJournaled ? movedPast(refusalOf(outcome), arrival) : refusalOf(outcome);
      // A business refusal is a fact the operator is told: it is journaled. Malformed input is not, unless the
      // intent is in the journal already (it waited for the operator), whose lineage must say how it ended.
      if (error.code === 'KERNEL_REJECTED' || grant.createdJournaled) {
        this.intentIds.remember(intentId);
        this.session.commit([
          ...created,
          this.endingDraft(
            arrival,
            'TradingSignalIntentRejected',
            grant.at,
            { gate: 'kernel', diagnosticCode: outcome.diagnosticCode, reason: error.message },
            grantedEvent,
          ),
        ]);
        this.session.notify(
          'warning',
          outcome.diagnosticCode,
          `Intent ${intentId} rejected: ${error.message}`,
          correlationId,
        );
      }
      return { ok: false, error };
    }

    this.intentIds.remember(intentId);
    this.session.commit(
      [
        ...created,
        hostDraft(grantedEvent, 'TradingSignalIntentGranted', correlationId, createdEventId, grant.at, {
          intentId,
          gates: grant.gates,
          mode: this.parts.risk.supervised ? 'supervised' : 'unsupervised',
          grantedBy: grant.grantedBy,
          ...(grant.createdJournaled ? { waitedMs: grant.at - arrival.ts } : {}),
        }),
        hostDraft(signalEvent, 'TradingSignalCreated', correlationId, grantedEvent, grant.at, {
          signalId,
          intentId,
          action: request.action,
          asset: request.asset,
          side: request.side,
          orderType: request.orderType,
          targetSize: request.targetSize,
          signalProvider: request.signalProvider,
          createdAt: arrival.ts,
          prmGrantedAt: grant.at,
        }),
      ],
      [outcome],
    );
    return {
      ok: true,
      value: {
        intentId,
        correlationId,
        ...(outcome.tradeId ? { tradeId: outcome.tradeId } : {}),
        slotId: outcome.slotId,
      },
    };
  }

  /** A gate refused: journaled with the intent (once), told, and answered naming the gate. */
  private refuseByGate(
    arrival: Arrival,
    run: Extract<GateRun, { pass: false }>,
    at: number,
    createdJournaled: boolean,
  ): CommandResult<never> {
    const { intentId, correlationId, request } = arrival;
    this.intentIds.remember(intentId);
    this.session.commit([
      ...(createdJournaled ? [] : [this.createdDraft(arrival)]),
      this.endingDraft(arrival, 'TradingSignalIntentRejected', at, {
        gate: run.gate,
        reason: run.reason,
        ...(run.field ? { field: run.field } : {}),
      }),
    ]);
    const error = gateError(run);
    this.session.notify(
      'warning',
      'RISK_REJECTED',
      `${request.signalProvider}'s ${describeEntry(request)} rejected by the ${error.message}`,
      correlationId,
    );
    return { ok: false, error };
  }

  /** Supervised mode: a strategy's entry is journaled and waits for the operator, who is told. */
  private holdForOperator(arrival: Arrival): CommandResult<IntentSubmitted> {
    const { intentId, correlationId, request } = arrival;
    const createdAt = this.parts.now();
    const expiresAt = this.supervisor.expiryOf(createdAt);
    this.session.commit([this.createdDraft(arrival, { awaiting: 'supervisor', expiresAt })]);
    this.intentIds.remember(intentId);
    this.supervisor.hold({
      request,
      intentId,
      correlationId,
      createdEventId: arrival.createdEventId,
      referencePrice: arrival.referencePrice,
      mark: arrival.mark,
      createdAt,
      expiresAt,
    });
    this.armExpiry();
    this.session.notify(
      'info',
      'INTENT_AWAITING',
      `${request.signalProvider} proposes ${describeEntry(request)}: grant or reject it within ` +
        `${Math.round((expiresAt - createdAt) / 1000)} s`,
      correlationId,
    );
    return { ok: true, value: { intentId, correlationId, pendingUntil: expiresAt } };
  }

  private createdDraft(
    arrival: Arrival,
    supervision: { awaiting: 'supervisor'; expiresAt: number } | object = {},
  ) {
    const { request, intentId, correlationId } = arrival;
    const intent = this.kernelIntent(arrival, arrival.ts);
    return hostDraft(
      arrival.createdEventId,
      'TradingSignalIntentCreated',
      correlationId,
      intentId,
      arrival.ts,
      {
        ...intent,
        signalProvider: request.signalProvider,
        ...supervision,
      },
    );
  }

  /** The kernel's Intent for an arrival at `ts`, with the ids and price the host gave it. */
  private kernelIntent(arrival: Arrival, ts: number, causationId?: string): KernelIntent {
    const { request, intentId, correlationId, slot } = arrival;
    return kernelIntentOf(request, {
      intentId,
      ts,
      correlationId,
      ...(causationId !== undefined ? { causationId } : {}),
      referencePrice: arrival.referencePrice,
      ...(slot ? { slotId: slot.slotId } : {}),
      ...(slot?.tradeId ? { tradeId: slot.tradeId } : {}),
      ...(request.action === 'ENTER' ? this.tradeLot(request.asset) : {}),
    });
  }

  /**
   * An entry's own lot when its venue's is coarser than the kernel's (the finest of the session's symbols):
   * the kernel sizes its exit legs on it, so no leg is off the venue's grid (a 0.025 leg of a 0.05 SOL entry
   * was overfilled by the paper venue and refused by an exchange on every exit).
   */
  private tradeLot(asset: string): { lotStep?: number } {
    const lot = this.parts.instruments.find((i) => i.symbol === asset)?.lotStep;
    return lot !== undefined && lot > this.kernelLot && onGrid(lot, this.kernelLot) ? { lotStep: lot } : {};
  }

  /** How an intent ended, in its lineage: caused by its `…Created`, naming the intent. */
  private endingDraft(
    entry: Pick<HeldIntent, 'intentId' | 'correlationId' | 'createdEventId'>,
    type: 'TradingSignalIntentRejected' | 'TradingSignalIntentExpired' | 'TradingSignalIntentCanceled',
    ts: number,
    details: object,
    eventId = this.parts.ids.next('h'),
  ): JournalDraft {
    return hostDraft(eventId, type, entry.correlationId, entry.createdEventId, ts, {
      intentId: entry.intentId,
      ...details,
    });
  }

  private notWaiting(intentId: string): CommandResult<never> {
    return {
      ok: false,
      error: {
        code: 'NOT_FOUND',
        field: 'intentId',
        message: `intentId: no entry ${intentId} is waiting for a grant`,
      },
    };
  }

  /** What the gates may read of the session; each part is read across napi only when a gate asks. */
  private gateContext(): GateContext {
    // The drawdown halt asks for both equity and its peak: one read of the account across napi serves both.
    let equity: number | undefined;
    const equityNow = () => (equity ??= this.parts.kernel.account().equity);
    return {
      seen: (intentId) => this.intentIds.has(intentId) || this.supervisor.find(intentId) !== undefined,
      exposure: () => this.exposure(),
      equity: equityNow,
      peakEquity: () => Math.max(this.peak, equityNow()),
    };
  }

  /**
   * Notional per asset of the open positions (at the mark), orphans included, and of the unfilled part of
   * working entries. The kernel's slots say which entries work, not the venue's book: an entry on its way
   * there, or held back by a rate limit, is in no venue's book yet and will fill all the same.
   */
  private exposure(): Map<string, number> {
    const byAsset = new Map<string, number>();
    const add = (asset: string, notional: number) => byAsset.set(asset, (byAsset.get(asset) ?? 0) + notional);
    const mark = (asset: string, otherwise: number) => this.parts.feed.price(asset) ?? otherwise;
    const inSlots = new Set<string>();
    for (const slot of this.parts.kernel.slots()) {
      if (slot.free || !slot.asset) continue;
      if (slot.tradeId) inSlots.add(slot.tradeId);
      if (slot.size > 0) add(slot.asset, slot.size * mark(slot.asset, slot.entryPrice));
      const entry =
        slot.workingOrderId === undefined ? undefined : this.parts.book.order(slot.workingOrderId);
      if (!entry || entry.reduceOnly || slot.workingOrderId !== slot.entryOrderId) continue;
      const unfilled = Math.max(0, entry.size - slot.initialSize);
      add(slot.asset, unfilled * (entry.limitPrice ?? mark(slot.asset, 0)));
    }
    // Orphan positions (a late entry fill with no free slot; one adopted at a resume) are held all the same.
    for (const trade of this.parts.book.openTrades()) {
      if (!inSlots.has(trade.tradeId)) add(trade.asset, trade.size * mark(trade.asset, trade.entryPrice));
    }
    return byAsset;
  }

  /** One timer, for the entry that expires first. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const next = this.supervisor.nextExpiry();
    if (next === undefined || this.session.stopped()) return;
    this.expiryTimer = setTimeout(
      () => this.session.guarded('supervisor expiry', () => this.expire()),
      Math.max(0, next - this.parts.now()),
    );
    // The feed's timers keep a running session alive; this one must not hold a host that is shutting down.
    this.expiryTimer.unref();
  }

  /**
   * Waiting entries end with the session or the kill switch, as cancelled with why: the session journals these
   * drafts with its own fact, then calls `withdrawn`, so a refused write leaves them waiting, not lost.
   */
  withdrawals(reason: string): JournalDraft[] {
    const ts = this.parts.now();
    return this.supervisor
      .all()
      .map((held) => this.endingDraft(held, 'TradingSignalIntentCanceled', ts, { reason }));
  }

  /** The withdrawals are journaled: the entries leave the queue. */
  withdrawn(): void {
    this.supervisor.takeAll();
    this.armExpiry();
  }

  /** The strategy's proposals go the ticket's way: schema, gates, the operator in supervised mode. */
  private runStrategy(ticks: readonly MarkTick[], submit: Submit): void {
    const strategy = this.parts.strategy;
    // While entries are refused (REDUCING, HALTED) it proposes none: each would only be refused or wait in vain.
    if (!strategy || this.parts.kernel.control().mode !== 'ACTIVE') return;
    const proposals = strategy.onMarks(ticks, {
      busy: (asset) => this.supervisor.waitingIn(asset, strategy.name) || this.assetBusy(asset),
    });
    for (const proposal of proposals) {
      const parsed = IntentRequest.safeParse(proposal);
      const result = parsed.success
        ? submit(parsed.data)
        : ({ ok: false, error: fromZodError(parsed.error, proposal).error } as const);
      // Gate and kernel refusals were journaled and told; anything else is told here.
      if (!result.ok && result.error.code !== 'RISK_REJECTED' && result.error.code !== 'KERNEL_REJECTED') {
        this.session.notify(
          'warning',
          'STRATEGY_REFUSED',
          `${strategy.name}'s entry was refused: ${result.error.message}`,
        );
      }
    }
  }

  /** Whether `asset` has an open position or a working entry. */
  private assetBusy(asset: string): boolean {
    return (
      this.parts.kernel.slots().some((slot) => !slot.free && slot.asset === asset) ||
      this.parts.venue.openOrders().some((order) => order.asset === asset && !order.reduceOnly)
    );
  }
}

/** The kernel's Intent for a validated request, with the ids and lineage the host assigns. */
export function kernelIntentOf(
  request: ParsedIntentRequest,
  assigned: Pick<
    KernelIntent,
    'intentId' | 'ts' | 'correlationId' | 'causationId' | 'slotId' | 'tradeId' | 'referencePrice' | 'lotStep'
  >,
): KernelIntent {
  const { slotId = request.slotId, tradeId = request.tradeId } = assigned;
  return {
    ...assigned,
    action: request.action,
    asset: request.asset,
    side: request.side,
    orderType: request.orderType,
    targetSize: request.targetSize,
    leverage: request.leverage,
    ...(request.limitPrice !== undefined ? { limitPrice: request.limitPrice } : {}),
    ...(request.exitLegRatios !== undefined ? { exitLegRatios: request.exitLegRatios } : {}),
    ...(request.takeProfit !== undefined ? { takeProfit: request.takeProfit } : {}),
    ...(request.stopLoss !== undefined ? { stopLoss: request.stopLoss } : {}),
    ...(slotId !== undefined ? { slotId } : {}),
    ...(tradeId !== undefined ? { tradeId } : {}),
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
  };
}

/** What the gates see of an intent, valued at the host's mark (`entryPrice`). */
function gateIntentOf(arrival: Arrival): GateIntent {
  const { request } = arrival;
  return {
    intentId: arrival.intentId,
    action: request.action,
    asset: request.asset,
    side: request.side,
    orderType: request.orderType,
    targetSize: request.targetSize,
    price: entryPrice(request, arrival.mark),
  };
}

/** A gate's refusal as a command error, naming the gate and the field. */
function gateError(run: Extract<GateRun, { pass: false }>): CommandError {
  return {
    code: 'RISK_REJECTED',
    message: `${run.gate} gate: ${run.reason}`,
    gate: run.gate,
    ...(run.field ? { field: run.field } : {}),
  };
}

/** "LONG 0.002 BTC/USDT at market", "SHORT 1 SOL/USDT limit 151.2". */
function describeEntry(request: ParsedIntentRequest): string {
  const at = request.limitPrice === undefined ? 'at market' : `limit ${request.limitPrice}`;
  return `${request.action === 'ENTER' ? '' : `${request.action} `}${request.side} ${request.targetSize} ${request.asset} ${at}`;
}

/** The protective levels a proposal set from the mark of its time, in the operator's words. */
const PROTECTION_WORDS: Record<string, string> = { stopLoss: 'stop-loss', takeProfit: 'take-profit' };

/**
 * A waiting entry's take-profit or stop-loss was set from the mark when it was proposed; the kernel refuses one
 * the market has moved past by the grant. The refusal then says so, rather than only which side of the price
 * the level is on.
 */
function movedPast(error: CommandError, arrival: Arrival): CommandError {
  const level = error.field ? PROTECTION_WORDS[error.field] : undefined;
  if (!level) return error;
  return {
    ...error,
    message: `the market moved to ${arrival.referencePrice} while it waited, past its ${level}: ${error.message}`,
  };
}
