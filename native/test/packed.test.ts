import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, type Intent, type Outcome, type VenueEvent } from '../index.js';
import {
  encodeIntents,
  encodeMarks,
  encodeVenueEvents,
  markPricesBulk,
  onVenueEventsBulk,
  submitIntentsBulk,
  type Mark,
} from '../packed.js';
import { enter as enterIntent, pathsReached, reachTally, sessionPaths, venueEventKinds } from './fixtures.js';

const config = { maxSlots: 3, seedCapital: 10_000, idPrefix: 'p"\\-' };

/** One input of a session: the typed call and its packed counterpart. */
type Step = { intents: Intent[] } | { events: VenueEvent[] } | { marks: Mark[] };

const typed = (k: Kernel, s: Step) =>
  'intents' in s
    ? s.intents.map((i) => k.submitIntent(i))
    : 'events' in s
      ? k.onVenueEvents(s.events)
      : s.marks.flatMap((m) => k.markPrice(m.asset, m.price, m.ts));

const packed = (k: Kernel, s: Step) =>
  'intents' in s
    ? submitIntentsBulk(k, s.intents)
    : 'events' in s
      ? onVenueEventsBulk(k, s.events)
      : markPricesBulk(k, s.marks);

/**
 * Runs the same steps through both paths on twin kernels: the same outcomes, key for key (an absent field is
 * `undefined` on both), and the same state. A step given as a function is made from the typed kernel's state
 * first. Returns the typed outcomes.
 */
function sameOnBothPaths(steps: (Step | ((k: Kernel) => Step))[]): Outcome[] {
  const a = new Kernel(config);
  const b = new Kernel(config);
  const outs: Outcome[] = [];
  for (const s of steps) {
    const step = typeof s === 'function' ? s(a) : s;
    const expected = typed(a, step);
    expect(packed(b, step)).toStrictEqual(expected);
    outs.push(...expected);
  }
  expect(b.snapshot()).toBe(a.snapshot());
  return outs;
}

/** Intent `i<n>` at ts n, with take-profit, stop-loss and exit legs as well, so that both paths encode and check them. */
const enter = (n: number, over: Partial<Intent> = {}): Intent =>
  enterIntent(`i${n}`, { takeProfit: 110, stopLoss: 90, exitLegRatios: [0.5, 0.5], ts: n, ...over });

const coid = 'p"\\-T1-E1';
const long = 'x'.repeat(129);

describe('packed methods', () => {
  it('give the typed outcomes for a whole trade, refusals, flags and odd characters included', () => {
    sameOnBothPaths([
      { intents: [enter(1, { correlationId: 'c"1\n' }), enter(2, { targetSize: -1 }), enter(1)] },
      {
        events: [
          { eventId: 'v1', kind: 'PARTIAL_FILL', clientOrderId: coid, price: 100, size: 0.4, ts: 3 },
          { eventId: 'v2', kind: 'ACK', clientOrderId: coid, venueOrderId: 'o\u00e91', ts: 4 },
          { eventId: 'v2', kind: 'ACK', clientOrderId: coid, ts: 4 },
          { eventId: 'v3', kind: 'FILL', clientOrderId: coid, price: 100.1, size: 0.6, ts: 5 },
          { eventId: 'v4', kind: 'BOGUS' as VenueEvent['kind'], clientOrderId: coid, ts: 6 },
          { eventId: 'v5', kind: 'ACK', clientOrderId: 'nope', ts: 6 },
        ],
      },
      {
        marks: [
          { asset: 'BTC/USDT', price: 101, ts: 2000 },
          { asset: 'BTC/USDT', price: 111, ts: 4000 },
        ],
      },
      {
        events: [
          { eventId: 'v6', kind: 'RATE_LIMITED', clientOrderId: 'p"\\-T1-X1', retryAfterMs: 50, ts: 4001 },
        ],
      },
      { marks: [{ asset: 'BTC/USDT', price: Number.NaN, ts: 5000 }] },
      { marks: [{ asset: 'BTC/USDT', price: Number.POSITIVE_INFINITY, ts: 5001 }] },
      {
        intents: [
          enter(3, { targetSize: Number.NaN, exitLegRatios: [0.5, Number.NEGATIVE_INFINITY] }),
          enter(4, { lotStep: 0.0005 }),
          enter(5, { lotStep: 0.5, targetSize: 1.7 }),
        ],
      },
      {
        events: [{ eventId: 'v7', kind: 'FILL', clientOrderId: coid, price: Number.NaN, size: 1, ts: 6000 }],
      },
    ]);
  });

  it('refuse bad values as the typed calls do, naming the field and the value, changing nothing', () => {
    const bogus = <T>(v: string) => v as T;
    sameOnBothPaths([
      {
        intents: [
          enter(1, { intentId: long }),
          enter(2, { asset: long }),
          enter(3, { action: bogus('JUMP') }),
          enter(4, { side: bogus('UP') }),
          enter(5, { orderType: bogus('STOP') }),
          enter(6, { asset: undefined }),
          enter(7, { referencePrice: undefined }),
          enter(8, { orderType: 'LIMIT' }),
          enter(9, { leverage: Number.POSITIVE_INFINITY }),
          enter(10, { exitLegRatios: Array.from({ length: 17 }, () => 1 / 17) }),
          enter(11, { exitLegRatios: [] }),
          enter(12, { slotId: 7 }),
          enter(13, { slotId: 0.5 }),
          enter(14, { ts: -1 }),
          enter(15, { intentId: '' }),
          enter(16, { correlationId: long }),
          { intentId: 'x1', action: 'EXIT', ts: 1 },
          { intentId: 'x2', action: 'CANCEL', tradeId: 'nope', ts: 1 },
        ],
      },
      {
        events: [
          { eventId: long, kind: 'ACK', clientOrderId: coid, ts: 1 },
          { eventId: 'v1', kind: 'ACK', clientOrderId: long, ts: 1 },
          { eventId: 'v2', kind: 'FILL', clientOrderId: coid, size: 1, ts: 1 },
          { eventId: 'v3', kind: 'FILL', clientOrderId: coid, price: 100, ts: 1 },
          { eventId: 'v4', kind: 'FILL', clientOrderId: coid, price: 100, size: 1, fee: Number.NaN, ts: 1 },
          {
            eventId: 'v5',
            kind: 'FILL',
            clientOrderId: coid,
            price: 100,
            size: 1,
            liquidity: bogus('BOTH'),
            ts: 1,
          },
          { eventId: 'v6', kind: 'RATE_LIMITED', clientOrderId: coid, retryAfterMs: -1, ts: 1 },
          { eventId: 'v7', kind: 'ACK', clientOrderId: coid, ts: Number.NEGATIVE_INFINITY },
          { eventId: 'v8', kind: 'ACK', clientOrderId: coid, venueOrderId: '', ts: 1 },
          { eventId: 'v9', kind: bogus(''), clientOrderId: coid, ts: 1 },
          { eventId: 'v\ud8001', kind: bogus('\ud800'), clientOrderId: coid, ts: 1 },
        ],
      },
      {
        marks: [
          { asset: long, price: 100, ts: 1 },
          { asset: '', price: 100, ts: 1 },
          { asset: 'BTC/USDT', price: -1, ts: 1 },
          { asset: 'BTC/USDT', price: 1e11, ts: 1 },
          { asset: 'BTC/USDT', price: 100, ts: Number.NaN },
        ],
      },
    ]);
  });

  it('give the typed outcomes for a batch larger than the output array', () => {
    const intents = Array.from({ length: 3 }, (_, i) => enter(i + 1, { slotId: i, takeProfit: undefined }));
    const events = Array.from({ length: 600 }, (_, i) => ({
      eventId: `v${i}`,
      kind: i % 2 ? ('ACK' as const) : ('BOGUS' as VenueEvent['kind']),
      clientOrderId: `p"\\-T${(i % 3) + 1}-E1`,
      ts: 10 + i,
    }));
    sameOnBothPaths([{ intents }, { events }, { events }]);
  });

  it('stay right when an answer is skipped: the kernel then sends every string again', () => {
    const a = new Kernel(config);
    const b = new Kernel(config);
    const intents = [enter(1, { slotId: 0 }), enter(2, { slotId: 1 })];
    expect(submitIntentsBulk(b, intents)).toStrictEqual(intents.map((i) => a.submitIntent(i)));
    // An answer nobody decodes: the ids it sent never reach the decoder's table.
    const acks: VenueEvent[] = [{ eventId: 'v1', kind: 'ACK', clientOrderId: coid, ts: 3 }];
    const input = encodeVenueEvents(acks);
    b.onVenueEventsPacked(input.nums, input.text, input.ends, new Float64Array(1024));
    a.onVenueEvents(acks);
    const fills: VenueEvent[] = [
      { eventId: 'v2', kind: 'FILL', clientOrderId: coid, price: 100, size: 1, ts: 4 },
      { eventId: 'v3', kind: 'FILL', clientOrderId: 'p"\\-T2-E1', price: 100, size: 1, ts: 5 },
    ];
    expect(onVenueEventsBulk(b, fills)).toStrictEqual(a.onVenueEvents(fills));
    const marks = [{ asset: 'BTC/USDT', price: 120, ts: 9000 }];
    expect(markPricesBulk(b, marks)).toStrictEqual(marks.flatMap((m) => a.markPrice(m.asset, m.price, m.ts)));
    expect(b.snapshot()).toBe(a.snapshot());
  });

  it('throw a TypeError naming the record and the field on a value the typed call cannot take, applying nothing', () => {
    const k = new Kernel(config);
    const before = k.snapshot();
    const ok: VenueEvent = { eventId: 'v1', kind: 'ACK', clientOrderId: coid, ts: 1 };
    const bad = (v: unknown) => v as VenueEvent;
    const cases: [VenueEvent, RegExp][] = [
      [bad({ ...ok, ts: undefined }), /events\[1\]\.ts: expected a number, got undefined/],
      [bad({ ...ok, price: '1' }), /events\[1\]\.price: expected a number, got "1"/],
      [bad({ ...ok, venueOrderId: null }), /events\[1\]\.venueOrderId: expected a string, got null/],
      [bad({ ...ok, kind: 5 }), /events\[1\]\.kind: expected a string, got number/],
      [bad(null), /events\[1\]: expected an object, got null/],
    ];
    for (const [event, message] of cases) {
      expect(() => onVenueEventsBulk(k, [ok, event])).toThrow(TypeError);
      expect(() => onVenueEventsBulk(k, [ok, event])).toThrow(message);
      // The typed call refuses the same input.
      expect(() => k.onVenueEvents([event])).toThrow();
    }
    const intent = enter(1);
    expect(() =>
      submitIntentsBulk(k, [intent, { ...intent, exitLegRatios: 0.5 as unknown as number[] }]),
    ).toThrow(/intents\[1\]\.exitLegRatios: expected an array of numbers, got number/);
    expect(() =>
      submitIntentsBulk(k, [{ ...intent, exitLegRatios: [0.5, '0.5' as unknown as number] }]),
    ).toThrow(/intents\[0\]\.exitLegRatios\[1\]: expected a number, got "0.5"/);
    expect(() =>
      markPricesBulk(k, [
        { asset: 'BTC/USDT', price: 1, ts: 1 },
        { asset: 1 as unknown as string, price: 1, ts: 1 },
      ]),
    ).toThrow(/marks\[1\]\.asset: expected a string, got number/);
    expect(k.snapshot()).toBe(before);
  });

  it('refuse a malformed packed batch, naming the record and the fault, applying none of it', () => {
    const k = new Kernel(config);
    k.submitIntent(enter(1));
    const before = k.snapshot();
    const out = new Float64Array(1024);
    const events: VenueEvent[] = [
      { eventId: 'v1', kind: 'ACK', clientOrderId: coid, ts: 2 },
      { eventId: 'v2', kind: 'FILL', clientOrderId: coid, price: 100, size: 1, ts: 3 },
    ];
    const call = (edit: (nums: Float64Array, ends: Uint32Array) => void, text?: string) => {
      const input = encodeVenueEvents(events);
      edit(input.nums, input.ends);
      return () => k.onVenueEventsPacked(input.nums, text ?? input.text, input.ends, out);
    };
    // After the header (count, table answer), record 1 starts at nums[7]: mask, eventId, kind, clientOrderId, ts, price, size.
    expect(call((n) => (n[8] = 99))).toThrow(
      'packed input: record 1: string index 99 is not a whole number below 6',
    );
    expect(call((n) => (n[8] = 0.5))).toThrow(/record 1: string index 0.5/);
    expect(call((n) => (n[7] = 1 << 8))).toThrow(/record 1: mask 256/);
    expect(call((n) => (n[7] = Number.NaN))).toThrow(/record 1: mask NaN/);
    expect(call((n) => (n[0] = 3))).toThrow(/record 2: the numbers end inside it/);
    expect(call((n) => (n[0] = 1))).toThrow(/7 numbers left after the last record/);
    expect(call((n) => (n[0] = -1))).toThrow(/record count -1/);
    expect(call((_, e) => (e[5] = 999))).toThrow(/ends\[5\] = 999 is not between/);
    expect(call((_, e) => (e[1] = 0))).toThrow(/ends\[1\] = 0 is not between the previous end \(2\)/);
    expect(call(() => {}, 'short')).toThrow(/is not between/);
    const input = encodeVenueEvents(events);
    expect(() => k.onVenueEventsPacked(input.nums, input.text, input.ends, input.nums)).toThrow(
      /`out` shares memory with `nums`/,
    );
    expect(() =>
      k.onVenueEventsPacked(input.nums, input.text, input.ends, new Float64Array(input.ends.buffer, 0, 1)),
    ).toThrow();
    expect(() =>
      k.onVenueEventsPacked(input.nums, input.text, new Uint32Array(out.buffer, 0, input.ends.length), out),
    ).toThrow(/`out` shares memory with `ends`/);
    expect(() =>
      k.onVenueEventsPacked(input.nums, input.text, input.ends, [] as unknown as Float64Array),
    ).toThrow();
    expect(() =>
      k.onVenueEventsPacked(Array.from(input.nums) as unknown as Float64Array, input.text, input.ends, out),
    ).toThrow();
    const intents = encodeIntents([enter(2, { exitLegRatios: [1] })]);
    // The leg count (after mask, intentId, action, ts and the six fields present before it) runs past the end.
    intents.nums[2 + 4 + 6] = 50;
    expect(() => k.submitIntentsPacked(intents.nums, intents.text, intents.ends, out)).toThrow(
      /record 0: exitLegRatios count 50/,
    );
    // One past the numbers left after it: this once panicked on the slice, which aborts the process.
    intents.nums[2 + 4 + 6] = intents.nums.length - (2 + 4 + 6);
    expect(() => k.submitIntentsPacked(intents.nums, intents.text, intents.ends, out)).toThrow(
      /record 0: exitLegRatios count \d+ is not a whole number below/,
    );
    const marks = encodeMarks([{ asset: 'BTC/USDT', price: 1, ts: 1 }]);
    expect(() => k.markPricesPacked(marks.nums.subarray(0, 4), marks.text, marks.ends, out)).toThrow(
      /record 0: the numbers end inside it/,
    );
    expect(k.snapshot()).toBe(before);
  });

  it('give the typed outcomes on random sessions', () => {
    // What the kernel has live: the orders its slots are working on, and its busy slots.
    const working = (k: Kernel) => k.slots().flatMap((s) => s.workingOrderId ?? []);
    const busy = (k: Kernel) => k.slots().flatMap((s) => (s.free ? [] : [s.slotId]));
    const pick = <T>(from: T[], i: number) => (from.length > 0 ? from[i % from.length] : undefined);
    const event = fc.record({
      // A number: one of the orders the slots are working on, as a venue answers (else an unknown
      // one). Else a given order of trades 1 to 4, live, finished or never sent: late, stale, unknown.
      order: fc.oneof(
        { weight: 3, arbitrary: fc.nat(2) },
        {
          weight: 1,
          arbitrary: fc.record({
            trade: fc.integer({ min: 1, max: 4 }),
            leg: fc.constantFrom('E1', 'X1', 'X2'),
          }),
        },
      ),
      kind: fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom('FILL' as const, 'PARTIAL_FILL' as const) },
        { weight: 1, arbitrary: fc.constantFrom(...venueEventKinds) },
      ),
      // Some ids repeat within a session: duplicates.
      id: fc.integer({ min: 0, max: 80 }),
      size: fc.constantFrom(0.1, 0.5, 1),
      price: fc.double({ min: 50, max: 150, noNaN: true }),
    });
    const step = fc.oneof(
      {
        weight: 2,
        arbitrary: fc.record({
          n: fc.integer({ min: 1, max: 40 }),
          action: fc.constantFrom(
            'ENTER' as const,
            'ENTER' as const,
            'EXIT' as const,
            'EXIT' as const,
            'CANCEL' as const,
          ),
          // ENTER: that slot, or -1 for none (the kernel picks); EXIT and CANCEL: one of the busy slots, or -1.
          slot: fc.integer({ min: -1, max: 2 }),
        }),
      },
      { weight: 2, arbitrary: fc.array(event, { minLength: 1, maxLength: 6 }) },
      { weight: 1, arbitrary: fc.double({ min: 50, max: 150, noNaN: true }) },
    );
    const reach = reachTally(sessionPaths);
    fc.assert(
      // Long enough to open, fill and close trades (fast-check's default size would stop at ten steps).
      fc.property(fc.array(step, { minLength: 15, maxLength: 30, size: 'max' }), (raw) => {
        let ts = 0;
        const steps = raw.map((s): Step | ((k: Kernel) => Step) => {
          ts += 100;
          const at = ts;
          if (typeof s === 'number') return { marks: [{ asset: 'BTC/USDT', price: s, ts: at }] };
          if (Array.isArray(s))
            return (k) => ({
              events: s.map((e) => ({
                eventId: `v${e.id}`,
                kind: e.kind,
                clientOrderId:
                  typeof e.order === 'number'
                    ? (pick(working(k), e.order) ?? 'p"\\-T0-E1')
                    : `p"\\-T${e.order.trade}-${e.order.leg}`,
                size: e.size,
                price: e.price,
                ts: at,
              })),
            });
          if (s.action === 'ENTER')
            return { intents: [enter(s.n, s.slot < 0 ? { ts: at } : { ts: at, slotId: s.slot })] };
          return (k) => ({
            intents: [
              {
                intentId: `x${s.n}`,
                action: s.action,
                slotId: s.slot < 0 ? -1 : (pick(busy(k), s.slot) ?? s.slot),
                ts: at,
              },
            ],
          });
        });
        reach.add(pathsReached(sameOnBothPaths(steps)));
      }),
      { numRuns: 200 },
    );
    reach.check();
  });

  it('give the typed outcomes on random records, bad values included', () => {
    // Any double the guard may see, odd strings (lone surrogates, too long, empty) and unknown words.
    const num = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(0.5, 1, 2, 100, 100.5, 110, 90) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -1, 1e11, 2 ** 53 + 2, 0.1234567),
      },
      { weight: 1, arbitrary: fc.double() },
    );
    const text = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom('p"\\-T1-E1', 'p"\\-T2-X1', 'i1', 'v1', 'BTC/USDT', 'ETH/USDT'),
      },
      { weight: 1, arbitrary: fc.constantFrom('', long, 'x'.repeat(128)) },
      {
        weight: 1,
        arbitrary: fc.string({ unit: fc.constantFrom('a', '\u00e9', '\ud800', '\udc00', '\u{1F600}', '"') }),
      },
    );
    const word = (...known: string[]) => fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...known) }, text);
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const venueEvent = fc.record(
      {
        eventId: text,
        kind: word(...venueEventKinds),
        clientOrderId: text,
        venueOrderId: text,
        venueTradeId: text,
        price: num,
        size: num,
        fee: num,
        liquidity: word('MAKER', 'TAKER'),
        retryAfterMs: num,
        reason: text,
        ts: num,
      },
      { requiredKeys: ['eventId', 'kind', 'clientOrderId', 'ts'] },
    );
    const intent = fc.record(
      {
        intentId: text,
        action: word('ENTER', 'EXIT', 'CANCEL'),
        asset: text,
        side: word('LONG', 'SHORT'),
        orderType: word('MARKET', 'LIMIT'),
        targetSize: num,
        referencePrice: num,
        limitPrice: num,
        leverage: num,
        exitLegRatios: fc.array(num, { maxLength: 18 }),
        takeProfit: num,
        stopLoss: num,
        slotId: opt(fc.constantFrom(0, 1, 2, 3, -1, 0.5, Number.NaN)),
        tradeId: text,
        reason: word('TP', 'SL', 'MANUAL'),
        correlationId: text,
        causationId: text,
        ts: num,
      },
      { requiredKeys: ['intentId', 'action', 'ts'] },
    );
    const mark = fc.record({ asset: text, price: num, ts: num });
    const step = fc.oneof(
      fc.array(intent, { minLength: 1, maxLength: 4 }).map((intents) => ({ intents }) as Step),
      fc.array(venueEvent, { minLength: 1, maxLength: 6 }).map((events) => ({ events }) as Step),
      fc.array(mark, { minLength: 1, maxLength: 3 }).map((marks) => ({ marks }) as Step),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        sameOnBothPaths(steps);
      }),
      { numRuns: 300 },
    );
  });
});
