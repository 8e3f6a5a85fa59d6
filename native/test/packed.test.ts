import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, type Intent, type VenueEvent } from '../index.js';
import { markPricesBulk, onVenueEventsBulk, submitIntentsBulk, type Mark } from '../packed.js';

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

/** Runs the same steps through both paths on twin kernels: same outcomes, same state. */
function sameOnBothPaths(steps: Step[]) {
  const a = new Kernel(config);
  const b = new Kernel(config);
  for (const s of steps) expect(packed(b, s)).toEqual(typed(a, s));
  expect(b.snapshot()).toBe(a.snapshot());
}

const enter = (n: number, over: Partial<Intent> = {}): Intent => ({
  intentId: `i${n}`,
  action: 'ENTER',
  asset: 'BTC/USDT',
  side: 'LONG',
  orderType: 'MARKET',
  targetSize: 1,
  referencePrice: 100,
  leverage: 2,
  takeProfit: 110,
  stopLoss: 90,
  exitLegRatios: [0.5, 0.5],
  ts: n,
  ...over,
});

describe('packed methods', () => {
  it('give the typed outcomes for a whole trade, refusals, flags and odd characters included', () => {
    const coid = 'p"\\-T1-E1';
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
      { intents: [enter(3, { targetSize: Number.NaN, exitLegRatios: [0.5, Number.NEGATIVE_INFINITY] })] },
      {
        events: [{ eventId: 'v7', kind: 'FILL', clientOrderId: coid, price: Number.NaN, size: 1, ts: 6000 }],
      },
    ]);
  });

  it('throw, applying nothing, on text that is not an input array', () => {
    const k = new Kernel(config);
    const before = k.snapshot();
    expect(() => k.onVenueEventsPacked('{')).toThrow(/packed input/);
    expect(() => k.submitIntentsPacked('[{"intentId":"i1"}]')).toThrow(/packed input/);
    expect(() => k.markPricesPacked('[{"asset":"BTC/USDT","price":"1","ts":1}]')).toThrow(/packed input/);
    expect(k.snapshot()).toBe(before);
  });

  it('give the typed outcomes on random sessions', () => {
    const kinds = [
      'ACK',
      'PARTIAL_FILL',
      'FILL',
      'CANCELED',
      'REJECTED',
      'EXPIRED',
      'CANCEL_REJECTED',
      'RATE_LIMITED',
    ] as const;
    const event = fc.record({
      trade: fc.integer({ min: 1, max: 4 }),
      leg: fc.constantFrom('E1', 'X1', 'X2'),
      kind: fc.constantFrom(...kinds),
      id: fc.integer({ min: 0, max: 30 }),
      size: fc.constantFrom(0.1, 0.5, 1),
      price: fc.double({ min: 50, max: 150, noNaN: true }),
    });
    const step = fc.oneof(
      fc.record({
        n: fc.integer({ min: 1, max: 6 }),
        exit: fc.boolean(),
        slot: fc.integer({ min: 0, max: 2 }),
      }),
      fc.array(event, { minLength: 1, maxLength: 6 }),
      fc.double({ min: 50, max: 150, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (raw) => {
        let ts = 0;
        const steps: Step[] = raw.map((s) => {
          ts += 100;
          if (typeof s === 'number') return { marks: [{ asset: 'BTC/USDT', price: s, ts }] };
          if (Array.isArray(s))
            return {
              events: s.map((e) => ({
                eventId: `v${e.id}`,
                kind: e.kind,
                clientOrderId: `p"\\-T${e.trade}-${e.leg}`,
                size: e.size,
                price: e.price,
                ts,
              })),
            };
          return {
            intents: [
              s.exit
                ? { intentId: `x${s.n}`, action: 'EXIT', slotId: s.slot, ts }
                : enter(s.n, { ts, slotId: s.slot }),
            ],
          };
        });
        sameOnBothPaths(steps);
      }),
      { numRuns: 200 },
    );
  });
});
