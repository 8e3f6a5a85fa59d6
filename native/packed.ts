// The kernel's bulk path. onVenueEventsPacked, submitIntentsPacked and
// markPricesPacked take a batch of input records as numbers (a Float64Array)
// and strings (one text, and where each string ends in it), and write the
// outcomes into a Float64Array of the caller's, with one text of new strings;
// the layout, both ways, is described at the top of native/src/packed.rs.
// Across napi that is far cheaper than one napi value per field, as the typed
// calls pass them, and than JSON (scripts/bench-kernel.mjs measures it): the
// encoders here read each record once, the decoder builds the typed objects
// as fixed-shape literals. Enum words come back as indexes into the kernel's
// vocabulary (`packedWords()`), ids the caller sent as references to its own
// strings, and ids the kernel shares between outcomes (trades, correlations,
// orders, assets) are sent once and kept, per kernel, in a table the
// decoder holds from batch to batch. native/test/packed.test.ts holds the
// bulk and the typed path equal, outcome for outcome.
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

/**
 * One encoded batch: the packed methods' arguments, and the strings the
 * outcomes may refer to. `nums` and `ends` are views of arrays the next
 * encoding reuses: call the packed method before encoding another batch.
 */
export interface PackedInput {
  nums: Float64Array;
  text: string;
  ends: Uint32Array;
  strings: string[];
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v) : typeof v;

let scratchNums = new Float64Array(1 << 12);
let scratchEnds = new Uint32Array(1 << 10);

/**
 * Writes records front to back. A value of the wrong type throws a
 * TypeError naming the record and the field (where the typed call would
 * throw napi's Error, e.g. code NumberExpected), before anything reaches
 * the kernel.
 */
class Encoder {
  nums: Float64Array;
  /** After the header: record count, and the answer the caller's string table took in last (set by `callPacked`). */
  at = 2;
  ends: Uint32Array;
  strings: string[];
  private n = 0;
  private units = 0;
  private text = '';

  constructor(
    private readonly what: string,
    count: number,
    perRecord: number,
    stringsPerRecord: number,
  ) {
    // The scratch arrays, grown as needed: a typed array of its own per call costs more than the small batches it carries.
    const n = 2 + count * perRecord;
    if (scratchNums.length < n) scratchNums = new Float64Array(Math.max(n, scratchNums.length * 2));
    if (scratchEnds.length < count * stringsPerRecord)
      scratchEnds = new Uint32Array(Math.max(count * stringsPerRecord, scratchEnds.length * 2));
    this.nums = scratchNums;
    this.nums[0] = count;
    this.nums[1] = -1;
    this.ends = scratchEnds;
    this.strings = new Array<string>(count * stringsPerRecord);
  }

  error(i: number, field: string, v: unknown, expected: string): TypeError {
    const where = field === '' ? '' : `.${field}`;
    return new TypeError(`${this.what}[${i}]${where}: expected ${expected}, got ${describe(v)}`);
  }

  /** Room for `n` more numbers. */
  room(n: number): void {
    if (this.at + n > this.nums.length) {
      const grown = new Float64Array(Math.max(this.nums.length * 2, this.at + n));
      grown.set(this.nums);
      this.nums = scratchNums = grown;
    }
  }

  num(v: unknown, i: number, field: string): void {
    if (typeof v !== 'number') throw this.error(i, field, v, 'a number');
    this.nums[this.at++] = v;
  }

  str(v: unknown, i: number, field: string): void {
    if (typeof v !== 'string') throw this.error(i, field, v, 'a string');
    const n = this.n++;
    if (n === this.ends.length) {
      const grown = new Uint32Array(n * 2 + 8);
      grown.set(this.ends);
      this.ends = scratchEnds = grown;
    }
    this.strings[n] = v;
    this.text += v;
    this.units += v.length;
    this.ends[n] = this.units;
    this.nums[this.at++] = n;
  }

  /** An optional number: 1 when present (and written), 0 when undefined (null is refused, as the typed call does). */
  optNum(v: unknown, i: number, field: string): number {
    if (v === undefined) return 0;
    this.num(v, i, field);
    return 1;
  }

  optStr(v: unknown, i: number, field: string): number {
    if (v === undefined) return 0;
    this.str(v, i, field);
    return 1;
  }

  record(i: number, v: unknown): Record<string, unknown> {
    if (typeof v !== 'object' || v === null) throw this.error(i, '', v, 'an object');
    return v as Record<string, unknown>;
  }

  done(): PackedInput {
    this.strings.length = this.n;
    return {
      nums: this.nums.subarray(0, this.at),
      text: this.text,
      ends: this.ends.subarray(0, this.n),
      strings: this.strings,
    };
  }
}

/** The input of `onVenueEventsPacked`. */
export function encodeVenueEvents(events: readonly VenueEvent[]): PackedInput {
  const w = new Encoder('events', events.length, 13, 3);
  for (let i = 0; i < events.length; i++) {
    const e = w.record(i, events[i]);
    w.room(13);
    const maskAt = w.at++;
    w.str(e.eventId, i, 'eventId');
    w.str(e.kind, i, 'kind');
    w.str(e.clientOrderId, i, 'clientOrderId');
    w.num(e.ts, i, 'ts');
    const m =
      w.optStr(e.venueOrderId, i, 'venueOrderId') |
      (w.optStr(e.venueTradeId, i, 'venueTradeId') << 1) |
      (w.optNum(e.price, i, 'price') << 2) |
      (w.optNum(e.size, i, 'size') << 3) |
      (w.optNum(e.fee, i, 'fee') << 4) |
      (w.optStr(e.liquidity, i, 'liquidity') << 5) |
      (w.optNum(e.retryAfterMs, i, 'retryAfterMs') << 6) |
      (w.optStr(e.reason, i, 'reason') << 7);
    w.nums[maskAt] = m;
  }
  return w.done();
}

/** The input of `submitIntentsPacked`. */
export function encodeIntents(intents: readonly Intent[]): PackedInput {
  const w = new Encoder('intents', intents.length, 19, 4);
  for (let i = 0; i < intents.length; i++) {
    const x = w.record(i, intents[i]);
    w.room(19);
    const maskAt = w.at++;
    w.str(x.intentId, i, 'intentId');
    w.str(x.action, i, 'action');
    w.num(x.ts, i, 'ts');
    let m =
      w.optStr(x.asset, i, 'asset') |
      (w.optStr(x.side, i, 'side') << 1) |
      (w.optStr(x.orderType, i, 'orderType') << 2) |
      (w.optNum(x.targetSize, i, 'targetSize') << 3) |
      (w.optNum(x.referencePrice, i, 'referencePrice') << 4) |
      (w.optNum(x.limitPrice, i, 'limitPrice') << 5) |
      (w.optNum(x.leverage, i, 'leverage') << 6);
    const legs = x.exitLegRatios;
    if (legs !== undefined) {
      if (!Array.isArray(legs)) throw w.error(i, 'exitLegRatios', legs, 'an array of numbers');
      w.room(legs.length + 12);
      w.nums[w.at++] = legs.length;
      for (let j = 0; j < legs.length; j++) w.num(legs[j], i, `exitLegRatios[${j}]`);
      m |= 1 << 7;
    }
    m |=
      (w.optNum(x.takeProfit, i, 'takeProfit') << 8) |
      (w.optNum(x.stopLoss, i, 'stopLoss') << 9) |
      (w.optNum(x.slotId, i, 'slotId') << 10) |
      (w.optStr(x.tradeId, i, 'tradeId') << 11) |
      (w.optStr(x.reason, i, 'reason') << 12) |
      (w.optStr(x.correlationId, i, 'correlationId') << 13) |
      (w.optStr(x.causationId, i, 'causationId') << 14) |
      (w.optNum(x.lotStep, i, 'lotStep') << 15);
    w.nums[maskAt] = m;
  }
  return w.done();
}

/** The input of `markPricesPacked`. */
export function encodeMarks(marks: readonly Mark[]): PackedInput {
  const w = new Encoder('marks', marks.length, 3, 1);
  for (let i = 0; i < marks.length; i++) {
    const k = w.record(i, marks[i]);
    w.str(k.asset, i, 'asset');
    w.num(k.price, i, 'price');
    w.num(k.ts, i, 'ts');
  }
  return w.done();
}

/**
 * What the decoder keeps per kernel: the vocabulary, the strings the kernel
 * sent once and now refers to by handle, and the number of the last answer
 * taken in (which the next call tells the kernel).
 */
export interface DecoderState {
  words: readonly string[];
  table: string[];
  taken: number;
}

const states = new WeakMap<object, DecoderState>();

/** The decoder's state for `kernel`. */
export function decoderOf(kernel: Pick<Kernel, 'packedWords'>): DecoderState {
  let s = states.get(kernel);
  if (s === undefined) {
    s = { words: kernel.packedWords(), table: [], taken: -1 };
    states.set(kernel, s);
  }
  return s;
}

/**
 * The outcomes of one packed call on `input`, in input order (marks:
 * flattened): `nums` is the array the numbers were written into. Takes the
 * answer's new strings into `state`. Answers are decoded in the order they
 * were given, each once; one never decoded only costs the next call its
 * shortcuts (the kernel, told an older answer number, sends every string again).
 *
 * One loop with the read position in a local: measured ~20 % fewer
 * instructions than a reader object. The literals give every object of a
 * kind one shape (absent fields undefined), which keeps this code and its
 * callers monomorphic.
 */
export function decodeOutcomes(
  nums: Float64Array,
  text: string,
  input: PackedInput,
  state: DecoderState,
): Outcome[] {
  const { table, words } = state;
  const batch = input.strings.slice();
  const tailAt = nums[1]!;
  const count = nums[2]!;
  for (let i = 0, start = 0; i < count; i++) {
    // A new string: where it ends in `text`, or which of the batch's strings it is (−1 − i); then its handle.
    const end = nums[tailAt + 2 * i]!;
    const handle = nums[tailAt + 2 * i + 1]!;
    let s: string;
    if (end < 0) s = batch[-1 - end]!;
    else {
      s = text.slice(start, end);
      start = end;
    }
    if (handle >= 0) table[handle] = s;
    else batch.push(s);
  }
  state.taken = nums[3]!;

  // References: a string (≥ 0 a handle in the table, else −1 − i of the batch's own), a word, NaN when absent.
  const str = (x: number): string => (x >= 0 ? table[x]! : batch[-1 - x]!);
  const optStr = (x: number): string | undefined =>
    x >= 0 ? table[x]! : Number.isNaN(x) ? undefined : batch[-1 - x]!;
  const word = <T extends string>(x: number): T => words[x] as T;
  const optWord = <T extends string>(x: number): T | undefined =>
    Number.isNaN(x) ? undefined : (words[x] as T);
  const optNum = (x: number): number | undefined => (Number.isNaN(x) ? undefined : x);

  let at = 4; // after the header: outcome count, where the new strings start, their count, the answer's number
  const n = nums[0]!;
  const out = new Array<Outcome>(n);
  for (let o = 0; o < n; o++) {
    const accepted = nums[at++] === 1;
    const diagnosticCode = word(nums[at++]!);
    const severity = word<Outcome['severity']>(nums[at++]!);
    const slotId = optNum(nums[at++]!);
    const tradeId = optStr(nums[at++]!);
    const slotState = optWord(nums[at++]!);
    const retryable = nums[at++] === 1;
    const retryAfterMs = optNum(nums[at++]!);
    const retryAt = optNum(nums[at++]!);
    const nTransitions = nums[at++]!;
    const nEvents = nums[at++]!;
    const nCommands = nums[at++]!;
    const nDetails = nums[at++]!;
    const nFlags = nums[at++]!;
    const nDiagnostics = nums[at++]!;
    // Arrays of their final size: cheaper than growing them by push.
    const transitions = new Array<Transition>(nTransitions);
    for (let i = 0; i < nTransitions; i++) {
      const slotId = nums[at++]!;
      const prevState = word(nums[at++]!);
      const nextState = word(nums[at++]!);
      const trigger = word(nums[at++]!);
      const intentId = optStr(nums[at++]!);
      const eventId = optStr(nums[at++]!);
      transitions[i] = { slotId, prevState, nextState, trigger, intentId, eventId };
    }
    const events = new Array<DomainEvent>(nEvents);
    for (let i = 0; i < nEvents; i++) {
      const type = word(nums[at++]!);
      const eventId = str(nums[at++]!);
      const seq = nums[at++]!;
      const correlationId = str(nums[at++]!);
      const causationId = str(nums[at++]!);
      const ts = nums[at++]!;
      const slotId = nums[at++]!;
      const tradeId = str(nums[at++]!);
      // The optional fields present, in bit order.
      const m = nums[at++]!;
      events[i] = {
        type,
        eventId,
        seq,
        correlationId,
        causationId,
        ts,
        slotId,
        tradeId,
        intentId: m & 0x1 ? str(nums[at++]!) : undefined,
        clientOrderId: m & 0x2 ? str(nums[at++]!) : undefined,
        venueOrderId: m & 0x4 ? str(nums[at++]!) : undefined,
        venueEventId: m & 0x8 ? str(nums[at++]!) : undefined,
        asset: m & 0x10 ? str(nums[at++]!) : undefined,
        side: m & 0x20 ? word<NonNullable<DomainEvent['side']>>(nums[at++]!) : undefined,
        orderSide: m & 0x40 ? word<NonNullable<DomainEvent['orderSide']>>(nums[at++]!) : undefined,
        orderType: m & 0x80 ? word(nums[at++]!) : undefined,
        size: m & 0x100 ? nums[at++] : undefined,
        price: m & 0x200 ? nums[at++] : undefined,
        fee: m & 0x400 ? nums[at++] : undefined,
        liquidity: m & 0x800 ? word(nums[at++]!) : undefined,
        filledSize: m & 0x1000 ? nums[at++] : undefined,
        avgPrice: m & 0x2000 ? nums[at++] : undefined,
        realizedPnl: m & 0x4000 ? nums[at++] : undefined,
        unrealizedPnl: m & 0x8000 ? nums[at++] : undefined,
        markPrice: m & 0x10000 ? nums[at++] : undefined,
        reason: m & 0x20000 ? str(nums[at++]!) : undefined,
        closeReason: m & 0x40000 ? word(nums[at++]!) : undefined,
        reduceOnly: m & 0x80000 ? nums[at++] === 1 : undefined,
      };
    }
    const venueCommands = new Array<VenueCommand>(nCommands);
    for (let i = 0; i < nCommands; i++) {
      const kind = word<VenueCommand['kind']>(nums[at++]!);
      const clientOrderId = str(nums[at++]!);
      const tradeId = str(nums[at++]!);
      const slotId = nums[at++]!;
      const asset = str(nums[at++]!);
      const side = word<VenueCommand['side']>(nums[at++]!);
      const orderType = word<VenueCommand['orderType']>(nums[at++]!);
      const size = nums[at++]!;
      const limitPrice = optNum(nums[at++]!);
      const reduceOnly = nums[at++] === 1;
      venueCommands[i] = {
        kind,
        clientOrderId,
        tradeId,
        slotId,
        asset,
        side,
        orderType,
        size,
        limitPrice,
        reduceOnly,
      };
    }
    const details: Record<string, string> = {};
    for (let i = 0; i < nDetails; i++) {
      const key = str(nums[at++]!);
      details[key] = str(nums[at++]!);
    }
    const flags = new Array<string>(nFlags);
    for (let i = 0; i < nFlags; i++) flags[i] = word(nums[at++]!);
    const diagnostics = new Array<Outcome['diagnostics'][number]>(nDiagnostics);
    for (let i = 0; i < nDiagnostics; i++) {
      const code = word(nums[at++]!);
      const severity = word(nums[at++]!);
      const slotId = optNum(nums[at++]!);
      const clientOrderId = optStr(nums[at++]!);
      const asset = optStr(nums[at++]!);
      const message = str(nums[at++]!);
      diagnostics[i] = { code, severity, slotId, clientOrderId, asset, message };
    }
    out[o] = {
      accepted,
      diagnosticCode,
      severity,
      slotId,
      tradeId,
      state: slotState,
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
  return out;
}

/** The array the packed methods write their numbers into, reused from call to call (calls are synchronous). */
let out: Float64Array = new Float64Array(1 << 12);

type PackedMethod = (
  nums: Float64Array,
  text: string,
  ends: Uint32Array,
  out: Float64Array,
) => PackedOutcomes;

/** One packed call and its decoding. */
export function callPacked(
  kernel: Pick<Kernel, 'packedWords'>,
  method: PackedMethod,
  input: PackedInput,
): Outcome[] {
  const state = decoderOf(kernel);
  input.nums[1] = state.taken;
  const packed = method.call(kernel, input.nums, input.text, input.ends, out);
  let nums = out;
  if (packed.nums !== undefined) {
    // `out` was too small: the numbers came in a new array; the next calls get a larger one.
    nums = packed.nums;
    out = new Float64Array(nums.length * 2);
  }
  return decodeOutcomes(nums, packed.text, input, state);
}

/** `kernel.onVenueEvents(events)` through the bulk path: the same outcomes. */
export function onVenueEventsBulk(
  kernel: Pick<Kernel, 'onVenueEventsPacked' | 'packedWords'>,
  events: readonly VenueEvent[],
): Outcome[] {
  return callPacked(kernel, kernel.onVenueEventsPacked, encodeVenueEvents(events));
}

/** `intents.map((i) => kernel.submitIntent(i))` through the bulk path. */
export function submitIntentsBulk(
  kernel: Pick<Kernel, 'submitIntentsPacked' | 'packedWords'>,
  intents: readonly Intent[],
): Outcome[] {
  return callPacked(kernel, kernel.submitIntentsPacked, encodeIntents(intents));
}

/** `marks.flatMap((m) => kernel.markPrice(m.asset, m.price, m.ts))` through the bulk path. */
export function markPricesBulk(
  kernel: Pick<Kernel, 'markPricesPacked' | 'packedWords'>,
  marks: readonly Mark[],
): Outcome[] {
  return callPacked(kernel, kernel.markPricesPacked, encodeMarks(marks));
}
