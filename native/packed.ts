// The kernel's bulk path. onVenueEventsPacked, submitIntentsPacked and
// markPricesPacked take the JSON text of an input array and return the
// outcomes as one Float64Array plus a string table: one text and the end of
// each string in it (layout: native/src/packed.rs).
// Across napi that is far cheaper than reading and building objects property
// by property (scripts/bench-kernel.mjs measures both); the objects are
// built here instead, as fixed-shape literals. native/test/packed.test.ts
// holds the two paths equal, outcome for outcome.
import type {
  DomainEvent,
  Intent,
  Kernel,
  Outcome,
  PackedOutcomes,
  Transition,
  VenueCommand,
  VenueEvent,
} from './index.js';

export type { DomainEvent, Outcome, PackedOutcomes, VenueCommand };

/** The arguments of `markPrice`, as one record. */
export interface Mark {
  asset: string;
  price: number;
  ts: number;
}

/** JSON has no NaN or infinities: they travel as these strings and reach the kernel as the same doubles. */
function nonFinite(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v !== 'object' || v === null) return false;
  for (const x of Object.values(v)) if (hasNonFinite(x)) return true;
  return false;
}

/** The JSON text a packed method takes. The replacer (slow) only runs when a NaN or infinity is present. */
export function encodeInputs(items: ReadonlyArray<Intent | VenueEvent | Mark>): string {
  for (const item of items) if (hasNonFinite(item)) return JSON.stringify(items, nonFinite);
  return JSON.stringify(items);
}

/** Reads the packed layout front to back. */
class Reader {
  private at = 1;
  constructor(
    private readonly nums: Float64Array,
    private readonly strs: string[],
  ) {}

  num(): number {
    return this.nums[this.at++]!;
  }

  /** A number, undefined when absent (NaN). */
  optNum(): number | undefined {
    const v = this.nums[this.at++]!;
    return Number.isNaN(v) ? undefined : v;
  }

  str(): string {
    return this.strs[this.nums[this.at++]!]!;
  }

  optStr(): string | undefined {
    const v = this.nums[this.at++]!;
    return Number.isNaN(v) ? undefined : this.strs[v];
  }

  /** An enum word, typed as the field it fills. */
  word<T extends string>(): T {
    return this.str() as T;
  }

  optWord<T extends string>(): T | undefined {
    return this.optStr() as T | undefined;
  }
}

/**
 * One domain event. Its optional fields follow in bit order of the mask; the
 * literal gives every event one shape (absent fields undefined), which keeps
 * this decoder monomorphic and fast.
 */
function readEvent(r: Reader, prefix: string): DomainEvent {
  const type = r.str();
  const seq = r.num();
  const correlationId = r.str();
  const causationId = r.str();
  const ts = r.num();
  const slotId = r.num();
  const tradeId = r.str();
  const m = r.num();
  return {
    type,
    eventId: `${prefix}k-${seq}`,
    seq,
    correlationId,
    causationId,
    ts,
    slotId,
    tradeId,
    intentId: m & 0x1 ? r.str() : undefined,
    clientOrderId: m & 0x2 ? r.str() : undefined,
    venueOrderId: m & 0x4 ? r.str() : undefined,
    venueEventId: m & 0x8 ? r.str() : undefined,
    asset: m & 0x10 ? r.str() : undefined,
    side: m & 0x20 ? r.word<NonNullable<DomainEvent['side']>>() : undefined,
    orderSide: m & 0x40 ? r.word<NonNullable<DomainEvent['orderSide']>>() : undefined,
    orderType: m & 0x80 ? r.str() : undefined,
    size: m & 0x100 ? r.num() : undefined,
    price: m & 0x200 ? r.num() : undefined,
    fee: m & 0x400 ? r.num() : undefined,
    liquidity: m & 0x800 ? r.str() : undefined,
    filledSize: m & 0x1000 ? r.num() : undefined,
    avgPrice: m & 0x2000 ? r.num() : undefined,
    realizedPnl: m & 0x4000 ? r.num() : undefined,
    unrealizedPnl: m & 0x8000 ? r.num() : undefined,
    markPrice: m & 0x10000 ? r.num() : undefined,
    reason: m & 0x20000 ? r.str() : undefined,
    closeReason: m & 0x40000 ? r.str() : undefined,
    reduceOnly: m & 0x80000 ? r.num() === 1 : undefined,
  };
}

function readOutcome(r: Reader, prefix: string): Outcome {
  const accepted = r.num() === 1;
  const diagnosticCode = r.str();
  const severity = r.word<Outcome['severity']>();
  const slotId = r.optNum();
  const tradeId = r.optStr();
  const state = r.optStr();
  const retryable = r.num() === 1;
  const retryAfterMs = r.optNum();
  const retryAt = r.optNum();
  const counts = [r.num(), r.num(), r.num(), r.num(), r.num(), r.num()] as const;
  const transitions: Transition[] = [];
  for (let i = 0; i < counts[0]; i++) {
    transitions.push({
      slotId: r.num(),
      prevState: r.str(),
      nextState: r.str(),
      trigger: r.str(),
      intentId: r.optStr(),
      eventId: r.optStr(),
    });
  }
  const events: DomainEvent[] = [];
  for (let i = 0; i < counts[1]; i++) events.push(readEvent(r, prefix));
  const venueCommands: VenueCommand[] = [];
  for (let i = 0; i < counts[2]; i++) {
    venueCommands.push({
      kind: r.word<VenueCommand['kind']>(),
      clientOrderId: r.str(),
      tradeId: r.str(),
      slotId: r.num(),
      asset: r.str(),
      side: r.word<VenueCommand['side']>(),
      orderType: r.word<VenueCommand['orderType']>(),
      size: r.num(),
      limitPrice: r.optNum(),
      reduceOnly: r.num() === 1,
    });
  }
  const details: Record<string, string> = {};
  for (let i = 0; i < counts[3]; i++) {
    const key = r.str();
    details[key] = r.str();
  }
  const flags: string[] = [];
  for (let i = 0; i < counts[4]; i++) flags.push(r.str());
  const diagnostics: Outcome['diagnostics'] = [];
  for (let i = 0; i < counts[5]; i++) {
    diagnostics.push({
      code: r.str(),
      severity: r.str(),
      slotId: r.optNum(),
      clientOrderId: r.optStr(),
      asset: r.optStr(),
      message: r.str(),
    });
  }
  return {
    accepted,
    diagnosticCode,
    severity,
    slotId,
    tradeId,
    state,
    transitions,
    events,
    venueCommands,
    details,
    flags,
    retryable,
    retryAfterMs,
    retryAt,
    diagnostics,
  };
}

/** The outcomes of one packed call, in input order (marks: flattened). */
export function decodeOutcomes(packed: PackedOutcomes): Outcome[] {
  const { text, ends } = packed;
  const strs = new Array<string>(ends.length);
  for (let i = 0, start = 0; i < ends.length; start = ends[i]!, i++) strs[i] = text.slice(start, ends[i]);
  const r = new Reader(packed.nums, strs);
  const prefix = strs[0]!;
  const out: Outcome[] = [];
  const n = packed.nums[0]!;
  for (let i = 0; i < n; i++) out.push(readOutcome(r, prefix));
  return out;
}

/** `kernel.onVenueEvents(events)` through the bulk path: the same outcomes. */
export function onVenueEventsBulk(
  kernel: Pick<Kernel, 'onVenueEventsPacked'>,
  events: readonly VenueEvent[],
): Outcome[] {
  return decodeOutcomes(kernel.onVenueEventsPacked(encodeInputs(events)));
}

/** `intents.map((i) => kernel.submitIntent(i))` through the bulk path. */
export function submitIntentsBulk(
  kernel: Pick<Kernel, 'submitIntentsPacked'>,
  intents: readonly Intent[],
): Outcome[] {
  return decodeOutcomes(kernel.submitIntentsPacked(encodeInputs(intents)));
}

/** `marks.flatMap((m) => kernel.markPrice(m.asset, m.price, m.ts))` through the bulk path. */
export function markPricesBulk(kernel: Pick<Kernel, 'markPricesPacked'>, marks: readonly Mark[]): Outcome[] {
  return decodeOutcomes(kernel.markPricesPacked(encodeInputs(marks)));
}
