import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, type Intent, type Outcome, type VenueEvent } from '../index.js';
import { enter, ledgerEquity, venueEventKinds } from './fixtures.js';

type Step =
  | { t: 'enter'; side: 'LONG' | 'SHORT'; limit: boolean; size: number; price: number }
  | { t: 'exit' | 'cancel'; slot: number }
  | { t: 'venue'; kind: string; trade: number; exit: number; size: number; price: number }
  | { t: 'replay'; back: number }
  | { t: 'mark'; price: number }
  | { t: 'restart' };

const num = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => n * 0.05) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, 1e12) },
);
const price = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 180, max: 220 }).map((n) => n * 0.5) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -5, 0) },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    t: fc.constant('enter' as const),
    side: fc.constantFrom('LONG' as const, 'SHORT' as const),
    limit: fc.boolean(),
    size: num,
    price,
  }),
  fc.record({
    t: fc.constantFrom('exit' as const, 'cancel' as const),
    slot: fc.integer({ min: -1, max: 3 }),
  }),
  fc.record({
    t: fc.constant('venue' as const),
    kind: fc.constantFrom(...venueEventKinds, 'NOPE'),
    trade: fc.integer({ min: 1, max: 5 }),
    exit: fc.integer({ min: 0, max: 2 }),
    size: num,
    price,
  }),
  fc.record({ t: fc.constant('replay' as const), back: fc.nat(20) }),
  fc.record({ t: fc.constant('mark' as const), price }),
  fc.record({ t: fc.constant('restart' as const) }),
);

/** Runs the steps; returns every outcome. Throws only if the kernel does. */
function run(steps: Step[], restarts: boolean): { outs: Outcome[]; k: Kernel } {
  let k = new Kernel({ maxSlots: 3, seedCapital: 10_000 });
  const sent: Parameters<Kernel['onVenueEvent']>[0][] = [];
  const outs: Outcome[] = [];
  let n = 0;
  let ts = 0;
  for (const s of steps) {
    if (s.t === 'restart') {
      if (restarts) k = Kernel.restore(k.snapshot());
      continue;
    }
    ts += 10;
    n += 1;
    if (s.t === 'enter') {
      const intent = {
        intentId: `i${n}`,
        action: 'ENTER' as const,
        asset: 'BTC/USDT',
        side: s.side,
        orderType: s.limit ? ('LIMIT' as const) : ('MARKET' as const),
        targetSize: s.size,
        referencePrice: s.price,
        ts,
        exitLegRatios: [0.5, 0.5],
        ...(s.limit ? { limitPrice: s.price } : {}),
      };
      outs.push(k.submitIntent(intent));
    } else if (s.t === 'exit' || s.t === 'cancel') {
      outs.push(
        k.submitIntent({ intentId: `i${n}`, action: s.t === 'exit' ? 'EXIT' : 'CANCEL', slotId: s.slot, ts }),
      );
    } else if (s.t === 'venue') {
      const clientOrderId = s.exit === 0 ? `T${s.trade}-E1` : `T${s.trade}-X${s.exit}`;
      const e = { eventId: `v${n}`, kind: s.kind as 'ACK', clientOrderId, size: s.size, price: s.price, ts };
      sent.push(e);
      outs.push(k.onVenueEvent(e));
    } else if (s.t === 'replay') {
      if (sent.length > 0) outs.push(...k.onVenueEvents([sent[sent.length - 1 - (s.back % sent.length)]!]));
    } else if (s.t === 'mark') {
      outs.push(...k.markPrice('BTC/USDT', s.price, ts));
    }
  }
  return { outs, k };
}

describe('kernel properties through the binding (fast-check)', () => {
  it('never throws, counts each fill once, keeps sizes in range and the equity identity', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const { outs, k } = run(steps, true);
        const fills = outs
          .filter((o) => o.accepted)
          .flatMap((o) => o.events)
          .filter((e) => e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled');
        const ids = fills.map((e) => e.venueEventId);
        expect(new Set(ids).size).toBe(ids.length);
        const a = k.account();
        expect(a.feesPaid).toBeCloseTo(
          fills.reduce((sum, e) => sum + (e.fee ?? 0), 0),
          6,
        );
        for (const s of k.slots()) {
          expect(s.size).toBeGreaterThanOrEqual(0);
          expect(s.size).toBeLessThanOrEqual(s.initialSize);
          expect(k.slot(s.slotId)).toEqual(s);
        }
        expect(a.equity).toBeCloseTo(ledgerEquity(a), 6);
        const seqs = outs.flatMap((o) => o.events.map((e) => e.seq));
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      }),
      { numRuns: 150 },
    );
  });

  it('answers any JS value in a typed record with an outcome, or a thrown error naming the record and field, changing nothing then', () => {
    const named =
      /on (Intent|VenueEvent)\.[a-zA-Z]+|Missing field `[a-zA-Z]+`|(Intent|VenueEvent): expected an object/;
    const k = new Kernel({ maxSlots: 2, seedCapital: 10_000 });
    const intentFields: (keyof Intent)[] = [
      'intentId',
      'action',
      'asset',
      'side',
      'orderType',
      'targetSize',
      'referencePrice',
      'limitPrice',
      'leverage',
      'exitLegRatios',
      'takeProfit',
      'stopLoss',
      'slotId',
      'tradeId',
      'reason',
      'correlationId',
      'causationId',
      'ts',
    ];
    const eventFields: (keyof VenueEvent)[] = [
      'eventId',
      'kind',
      'clientOrderId',
      'venueOrderId',
      'venueTradeId',
      'price',
      'size',
      'fee',
      'liquidity',
      'retryAfterMs',
      'reason',
      'ts',
    ];
    const record = (base: object, fields: string[]) =>
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.dictionary(fc.constantFrom(...fields), fc.anything()).map((d) => ({ ...base, ...d })),
        },
        { weight: 1, arbitrary: fc.anything() },
      );
    const call = fc.oneof(
      record(enter('p1'), intentFields).map((r) => () => k.submitIntent(r as never)),
      record({ eventId: 'e', kind: 'ACK', clientOrderId: 'T1-E1', ts: 1 }, eventFields).map(
        (r) => () => k.onVenueEvent(r as never),
      ),
    );
    fc.assert(
      fc.property(call, (run) => {
        const before = k.snapshot();
        let outcome: Outcome;
        try {
          outcome = run();
        } catch (e) {
          expect((e as Error).message).toMatch(named);
          expect(k.snapshot()).toBe(before);
          return;
        }
        expect(typeof outcome.diagnosticCode).toBe('string');
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same outputs for the same inputs, with or without restarts from snapshots', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const a = run(steps, true);
        const b = run(steps, false);
        expect(a.outs).toEqual(b.outs);
        expect(a.k.snapshot()).toBe(b.k.snapshot());
      }),
      { numRuns: 100 },
    );
  });
});
