import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Kernel,
  type Intent,
  type Outcome,
  type PositionReport,
  type ReconcileInput,
  type VenueEvent,
} from '../index.js';
import { KERNEL_EVENT_TYPES } from '../../shared/index.js';
import { enter, ledgerEquity, pathsReached, reachTally, sessionPaths, venueEventKinds } from './fixtures.js';

type Step =
  | {
      t: 'enter';
      side: 'LONG' | 'SHORT';
      limit: boolean;
      size: number;
      price: number;
      legs: number[] | undefined;
      protect: boolean;
    }
  | { t: 'exit' | 'cancel'; slot: number }
  | { t: 'venue'; kind: string; order: number; share: number; size: number; price: number; hold: boolean }
  | { t: 'replay'; back: number }
  | { t: 'mark'; price: number }
  | { t: 'tick'; dt: number }
  | { t: 'kill' }
  | { t: 'control'; mode: 'ACTIVE' | 'REDUCING' | 'HALTED' }
  | { t: 'reconcile'; listOrders: boolean; positions: 'held' | 'none' | 'adoptable' }
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
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('enter' as const),
      side: fc.constantFrom('LONG' as const, 'SHORT' as const),
      limit: fc.boolean(),
      size: num,
      price,
      legs: fc.constantFrom<number[] | undefined>(undefined, undefined, [0.5, 0.5], [0.3, 0.3, 0.4]),
      protect: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constantFrom('exit' as const, 'exit' as const, 'cancel' as const),
      // Mostly the slots there are (0 to 2), sometimes ones there are not.
      slot: fc.oneof({ weight: 6, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.constantFrom(-1, 3) }),
    }),
  },
  {
    weight: 16,
    arbitrary: fc.record({
      t: fc.constant('venue' as const),
      // Fills most often, as a venue sends them; then any kind, an unknown one included.
      kind: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('FILL', 'PARTIAL_FILL') },
        { weight: 1, arbitrary: fc.constant('ACK') },
        { weight: 2, arbitrary: fc.constantFrom(...venueEventKinds, 'NOPE') },
      ),
      // Which order the event is for: 0 to 2, the one that slot is working on (else the
      // last one placed); from 3, counted back from the last one placed (late fills); -1, unknown.
      order: fc.oneof(
        { weight: 6, arbitrary: fc.nat(2) },
        { weight: 2, arbitrary: fc.integer({ min: 3, max: 20 }) },
        { weight: 1, arbitrary: fc.constant(-1) },
      ),
      // A fill's size: 0 `size`, 1 half the order's size, 2 all of it.
      share: fc.nat(2),
      size: num,
      price,
      // Held back and delivered after the next venue event: a reordering.
      hold: fc.nat(4).map((n) => n === 0),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replay' as const), back: fc.nat(20) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('mark' as const), price }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
  // The control plane and the venue's restart report, rarer, as in a session: a kill switch
  // halts entries until a control step sets ACTIVE again (the most likely mode).
  { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const), dt: fc.nat(8_000) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('kill' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('control' as const),
      mode: fc.constantFrom('ACTIVE' as const, 'ACTIVE' as const, 'REDUCING' as const, 'HALTED' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('reconcile' as const),
      listOrders: fc.boolean(),
      positions: fc.constantFrom('held' as const, 'none' as const, 'adoptable' as const),
    }),
  },
);

/** Sessions long enough to open, fill and close trades (fast-check's default size would stop at ten steps). */
const session = (maxLength: number) => fc.array(step, { minLength: 20, maxLength, size: 'max' });

/** Runs the steps, calling `after` after each; returns every outcome. Throws only if the kernel (or `after`) does. */
function run(
  steps: Step[],
  restarts: boolean,
  after: (k: Kernel) => void = () => {},
): { outs: Outcome[]; k: Kernel; restartedWithATrade: boolean } {
  let k = new Kernel({ maxSlots: 3, seedCapital: 10_000 });
  const sent: VenueEvent[] = [];
  const outs: Outcome[] = [];
  // Every order the kernel asked to place, in order, and their sizes: what venue events answer.
  const placed: string[] = [];
  const sizes = new Map<string, number>();
  let held: VenueEvent | undefined;
  let restartedWithATrade = false;
  let n = 0;
  let ts = 0;
  const take = (...os: Outcome[]) => {
    for (const o of os) {
      outs.push(o);
      for (const c of o.venueCommands) {
        if (c.kind !== 'PLACE') continue;
        placed.push(c.clientOrderId);
        sizes.set(c.clientOrderId, c.size);
      }
    }
  };
  for (const s of steps) {
    if (s.t === 'restart') {
      restartedWithATrade ||= k.slots().some((slot) => !slot.free);
      if (restarts) k = Kernel.restore(k.snapshot());
      continue;
    }
    ts += 10;
    n += 1;
    if (s.t === 'enter') {
      const tp = s.side === 'LONG' ? 1.05 : 0.95;
      const intent: Intent = {
        intentId: `i${n}`,
        action: 'ENTER',
        asset: 'BTC/USDT',
        side: s.side,
        orderType: s.limit ? 'LIMIT' : 'MARKET',
        targetSize: s.size,
        referencePrice: s.price,
        ts,
        ...(s.legs ? { exitLegRatios: s.legs } : {}),
        ...(s.limit ? { limitPrice: s.price } : {}),
        ...(s.protect ? { takeProfit: s.price * tp, stopLoss: s.price * (2 - tp) } : {}),
      };
      take(k.submitIntent(intent));
    } else if (s.t === 'exit' || s.t === 'cancel') {
      take(
        k.submitIntent({ intentId: `i${n}`, action: s.t === 'exit' ? 'EXIT' : 'CANCEL', slotId: s.slot, ts }),
      );
    } else if (s.t === 'venue') {
      const back = Math.max(0, s.order - 3);
      const last = placed.length > 0 ? placed[placed.length - 1 - (back % placed.length)] : undefined;
      const working = s.order >= 0 && s.order < 3 ? k.slot(s.order)?.workingOrderId : undefined;
      const order = (s.order < 0 ? undefined : (working ?? last)) ?? 'T99-E1';
      const ordered = sizes.get(order);
      const size = ordered !== undefined && s.share > 0 ? (ordered * s.share) / 2 : s.size;
      const e: VenueEvent = {
        eventId: `v${n}`,
        kind: s.kind as VenueEvent['kind'],
        clientOrderId: order,
        size,
        price: s.price,
        ts,
      };
      sent.push(e);
      if (s.hold && !held) {
        held = e;
        continue;
      }
      take(k.onVenueEvent(e));
      if (held) take(k.onVenueEvent(held));
      held = undefined;
    } else if (s.t === 'replay') {
      if (sent.length > 0) take(...k.onVenueEvents([sent[sent.length - 1 - (s.back % sent.length)]!]));
    } else if (s.t === 'mark') {
      take(...k.markPrice('BTC/USDT', s.price, ts));
    } else if (s.t === 'tick') {
      ts += s.dt;
      take(...k.tick(ts));
    } else if (s.t === 'kill') {
      take(k.killSwitch(ts));
    } else if (s.t === 'control') {
      k.setControl({ mode: s.mode });
    } else if (s.t === 'reconcile') {
      take(k.reconcile(venueReport(k, s, ts)));
    }
    after(k);
  }
  return { outs, k, restartedWithATrade };
}

/**
 * A venue's restart report made from the kernel's own slots: their working orders listed or not,
 * their positions as held, none at all (never read as flat), or as held with an ETH long more
 * that no slot holds (adopted into a free slot).
 */
function venueReport(k: Kernel, s: Extract<Step, { t: 'reconcile' }>, ts: number): ReconcileInput {
  const busy = k.slots().filter((slot) => !slot.free);
  const openOrders = s.listOrders
    ? busy.flatMap((slot) => (slot.workingOrderId ? [{ clientOrderId: slot.workingOrderId }] : []))
    : [];
  if (s.positions === 'none') return { openOrders, ts };
  const held = new Map<string, PositionReport>();
  for (const slot of busy) {
    if (!(slot.size > 0) || slot.asset === undefined || slot.side === undefined) continue;
    const key = `${slot.asset} ${slot.side}`;
    const known = held.get(key);
    if (known) known.size += slot.size;
    else held.set(key, { asset: slot.asset, side: slot.side, size: slot.size, entryPrice: slot.entryPrice });
  }
  const positions = [...held.values()];
  if (s.positions === 'adoptable')
    positions.push({ asset: 'ETH/USDT', side: 'LONG', size: 1, entryPrice: 2_000 });
  return { openOrders, positions, ts };
}

/** What one session reached: a restart while a slot held a trade, the kill switch and an adoption included. */
const paths = [...sessionPaths, 'restart with a trade', 'kill switch', 'adoption'] as const;
function reached({ outs, restartedWithATrade }: ReturnType<typeof run>): Set<(typeof paths)[number]> {
  const got = new Set<(typeof paths)[number]>(pathsReached(outs));
  if (restartedWithATrade) got.add('restart with a trade');
  if (outs.some((o) => o.diagnosticCode === 'KILL_SWITCH')) got.add('kill switch');
  if (outs.some((o) => o.events.some((e) => e.causationId.startsWith('reconcile@')))) got.add('adoption');
  return got;
}

describe('kernel properties through the binding (fast-check)', () => {
  it('never throws, counts each fill once, keeps sizes in range and equal to Σ signed fills, and the equity identity', () => {
    const reach = reachTally(paths);
    // After every input: each slot's size within [0, its filled entry size], and the equity identity.
    const holds = (k: Kernel) => {
      for (const s of k.slots()) {
        expect(s.size).toBeGreaterThanOrEqual(0);
        expect(s.size).toBeLessThanOrEqual(s.initialSize);
      }
      const a = k.account();
      expect(a.equity).toBeCloseTo(ledgerEquity(a), 6);
    };
    fc.assert(
      fc.property(session(80), (steps) => {
        const played = run(steps, true, holds);
        reach.add(reached(played));
        const { outs, k } = played;
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
        for (const s of k.slots()) expect(k.slot(s.slotId)).toEqual(s);
        // Each held trade's size is Σ its signed fills as they came: an exit fill beyond the position
        // (the kernel's OVERFILL) takes it to 0, not below.
        const signed = new Map<string, number>();
        // A position adopted from the venue's report is held without fills: its size is the venue's.
        for (const e of outs.flatMap((o) => o.events)) {
          if (e.type === 'TradeOpened' && e.causationId.startsWith('reconcile@'))
            signed.set(e.tradeId, e.size ?? 0);
        }
        for (const e of fills) {
          const held = signed.get(e.tradeId) ?? 0;
          const size = e.size ?? 0;
          signed.set(e.tradeId, e.reduceOnly ? Math.max(0, held - size) : held + size);
        }
        for (const s of k.slots()) {
          if (!s.free && s.tradeId !== undefined) expect(s.size).toBeCloseTo(signed.get(s.tradeId) ?? 0, 9);
        }
        const seqs = outs.flatMap((o) => o.events.map((e) => e.seq));
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
        // The host journals by the shared vocabulary: every type emitted is in it.
        for (const e of outs.flatMap((o) => o.events)) expect(KERNEL_EVENT_TYPES).toContain(e.type);
      }),
      { numRuns: 150 },
    );
    reach.check();
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
    const reach = reachTally(paths);
    fc.assert(
      fc.property(session(80), (steps) => {
        const a = run(steps, true);
        reach.add(reached(a));
        const b = run(steps, false);
        expect(a.outs).toEqual(b.outs);
        expect(a.k.snapshot()).toBe(b.k.snapshot());
      }),
      { numRuns: 100 },
    );
    reach.check();
  });
});
