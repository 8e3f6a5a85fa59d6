import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Kernel, type Intent, type VenueEvent } from '../index.js';
import { enter, ledgerEquity } from './fixtures.js';

const venue = (
  eventId: string,
  kind: VenueEvent['kind'],
  clientOrderId: string,
  over: Partial<VenueEvent> = {},
) => ({
  eventId,
  kind,
  clientOrderId,
  ts: 2,
  ...over,
});

const fresh = () => new Kernel({ maxSlots: 2, seedCapital: 10_000, idPrefix: 's1-' });

describe('Kernel through the binding', () => {
  it('opens and closes a trade, drawing the lineage chain from intent to realized profit', () => {
    const k = fresh();
    const req = k.submitIntent(enter('i1', { correlationId: 'c1' }));
    expect(req.accepted).toBe(true);
    expect(req.venueCommands[0]).toMatchObject({ kind: 'PLACE', clientOrderId: 's1-T1-E1', side: 'BUY' });
    const ack = k.onVenueEvent(venue('v1', 'ACK', 's1-T1-E1', { venueOrderId: 'o1' }));
    const fill = k.onVenueEvent(venue('v2', 'FILL', 's1-T1-E1', { price: 100, size: 1 }));
    expect(fill.events.map((e) => e.type)).toEqual(['OrderFilled', 'TradeOpened']);
    expect(fill.events[0]).toMatchObject({ causationId: 'v2', venueEventId: 'v2', fee: 0.05 });
    expect(fill.events[1]!.causationId).toBe(fill.events[0]!.eventId);
    const exit = k.submitIntent({ intentId: 'i2', action: 'EXIT', tradeId: 's1-T1', ts: 3 });
    expect(exit.venueCommands[0]).toMatchObject({ side: 'SELL', reduceOnly: true, size: 1 });
    const close = k.onVenueEvent(venue('v3', 'FILL', 's1-T1-X1', { price: 110, size: 1 }));
    expect(close.state).toBe('IDLE');
    const all = [req, ack, fill, exit, close].flatMap((o) => o.events);
    expect(all.every((e) => e.correlationId === 'c1')).toBe(true);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all[0]!.eventId).toBe('s1-k-1');
    const account = k.account();
    expect(account.realizedPnl).toBe(10);
    expect(account.equity).toBeCloseTo(10_000 + 10 - account.feesPaid, 9);
  });

  it('answers NaN, negative sizes, unknown words and unknown slots with a diagnostic naming the field', () => {
    const k = fresh();
    const before = k.snapshot();
    const cases: Array<[Intent, string, string]> = [
      [enter('b1', { targetSize: -1 }), 'targetSize', '-1'],
      [enter('b2', { referencePrice: Number.NaN }), 'referencePrice', 'NaN'],
      [enter('b3', { targetSize: Number.POSITIVE_INFINITY }), 'targetSize', 'Infinity'],
      [enter('b4', { side: 'UP' as Intent['side'] }), 'side', 'UP'],
      [enter('b5', { slotId: 9 }), 'slotId', '9'],
      [enter('b6', { asset: '' }), 'asset', ''],
    ];
    for (const [intent, field, value] of cases) {
      // checkIntent answers the shape as submitIntent does, without taking the intent.
      const checked = k.checkIntent(intent);
      const o = k.submitIntent(intent);
      expect(o.accepted).toBe(false);
      expect(['INVALID_INTENT', 'INVALID_SLOT_ID']).toContain(o.diagnosticCode);
      expect(o.details).toMatchObject({ field, value });
      expect(checked).toEqual(o);
    }
    expect(k.checkIntent(enter('b7', { takeProfit: 50 }))).toMatchObject({
      accepted: false,
      details: { field: 'takeProfit', reason: 'on the losing side of referencePrice' },
    });
    expect(k.checkIntent(enter('b8'))).toMatchObject({ accepted: true, events: [], venueCommands: [] });
    expect(k.onVenueEvent(venue('v', 'BOOM' as VenueEvent['kind'], 'x')).diagnosticCode).toBe(
      'INVALID_EVENT',
    );
    expect(k.markPrice('BTC/USDT', Number.NaN, 1)[0]!.diagnosticCode).toBe('INVALID_EVENT');
    expect(k.setControl({ mode: 'PANIC' as 'HALTED' }).diagnosticCode).toBe('INVALID_INTENT');
    expect(k.snapshot()).toBe(before);
  });

  it('throws, naming the record and the field, on a value of the wrong type, and changes nothing', () => {
    const k = fresh();
    const before = k.snapshot();
    const wrong = (over: object) => ({ ...enter('w1'), ...over }) as unknown as Intent;
    const cases: Array<[() => unknown, RegExp]> = [
      [
        () => k.submitIntent(wrong({ intentId: 5 })),
        /`Number 5 ` into rust type `String` on Intent\.intentId/,
      ],
      [() => k.submitIntent(wrong({ targetSize: '1' })), /into rust type `f64` on Intent\.targetSize/],
      [() => k.submitIntent(wrong({ exitLegRatios: [0.5, '0.5'] })), /on Intent\.exitLegRatios/],
      [() => k.submitIntent(wrong({ asset: null })), /`Null` into rust type `String` on Intent\.asset/],
      [() => k.submitIntent(wrong({ intentId: undefined })), /Missing field `intentId`/],
      [() => k.submitIntent(null as unknown as Intent), /Intent: expected an object, got null/],
      [
        () => k.onVenueEvent({ eventId: 'e', kind: 'ACK', ts: 1 } as VenueEvent),
        /Missing field `clientOrderId`/,
      ],
      [
        () =>
          k.onVenueEvents([
            venue('e1', 'ACK', 'x'),
            { ...venue('e2', 'ACK', 'x'), ts: '2' } as unknown as VenueEvent,
          ]),
        /into rust type `f64` on VenueEvent\.ts/,
      ],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
    expect(k.snapshot()).toBe(before);
  });

  it('counts a late fill after a cancel ack and reports it as LATE_FILL', () => {
    const k = fresh();
    k.submitIntent(enter('i1', { orderType: 'LIMIT', limitPrice: 95 }));
    k.onVenueEvent(venue('a', 'ACK', 's1-T1-E1'));
    k.submitIntent({ intentId: 'c', action: 'CANCEL', slotId: 0, ts: 3 });
    expect(k.onVenueEvent(venue('x', 'CANCELED', 's1-T1-E1')).state).toBe('IDLE');
    const late = k.onVenueEvent(venue('f', 'FILL', 's1-T1-E1', { price: 95, size: 0.2 }));
    expect(late).toMatchObject({ accepted: true, diagnosticCode: 'LATE_FILL', state: 'OPEN' });
    expect(late.flags).toContain('LATE_FILL');
    expect(k.slots()[0]).toMatchObject({ size: 0.2, initialSize: 0.2, busy: true });
  });

  it('reads one slot as slots() has it, null past the last, and refuses a slotId that is no whole number', () => {
    const k = fresh();
    k.submitIntent(enter('i1'));
    k.onVenueEvent(venue('v1', 'FILL', 's1-T1-E1', { price: 100, size: 1 }));
    expect(k.slot(0)).toEqual(k.slots()[0]);
    expect(k.slot(1)).toEqual(k.slots()[1]);
    expect(k.slot(0)).toMatchObject({ tradeId: 's1-T1', state: 'OPEN', size: 1 });
    expect(k.slot(2)).toBeNull();
    expect(k.slot(2 ** 40)).toBeNull();
    for (const bad of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => k.slot(bad)).toThrow(`slotId: expected a whole number ≥ 0, got ${bad}`);
    }
    expect(k.slot(0)).toEqual(k.slots()[0]);
  });

  it('counts a late entry fill with no free slot as a CRITICAL orphan position the kill switch flattens', () => {
    const k = new Kernel({ maxSlots: 1, seedCapital: 10_000, idPrefix: 's1-' });
    k.submitIntent(enter('i1', { orderType: 'LIMIT', limitPrice: 95 }));
    k.onVenueEvent(venue('a', 'ACK', 's1-T1-E1'));
    k.submitIntent({ intentId: 'c', action: 'CANCEL', slotId: 0, ts: 3 });
    k.onVenueEvent(venue('x', 'CANCELED', 's1-T1-E1'));
    k.submitIntent(enter('i2'));
    k.onVenueEvent(venue('f2', 'FILL', 's1-T2-E1', { price: 100, size: 1 }));
    const late = k.onVenueEvent(venue('f', 'FILL', 's1-T1-E1', { price: 95, size: 0.2 }));
    expect(late).toMatchObject({
      accepted: true,
      diagnosticCode: 'LATE_FILL',
      severity: 'CRITICAL',
      tradeId: 's1-T1',
    });
    expect(late.flags).toContain('ORPHAN');
    k.markPrice('BTC/USDT', 105, 10);
    const a = k.account();
    expect(a).toMatchObject({ orphanPositions: 1, openPositions: 2 });
    expect(a.unrealizedPnl).toBeCloseTo(0.2 * 10 + 1 * 5, 9);
    expect(a.equity).toBeCloseTo(ledgerEquity(a), 9);
    expect(JSON.parse(k.snapshot()).orphanPositions['s1-T1']).toBeDefined();
    const kill = k.killSwitch(20);
    expect(kill.venueCommands).toContainEqual(
      expect.objectContaining({
        kind: 'PLACE',
        clientOrderId: 's1-T1-X1',
        reduceOnly: true,
        side: 'SELL',
        size: 0.2,
      }),
    );
  });

  it('processes a burst in one call and ignores a duplicate inside it', () => {
    const k = fresh();
    k.submitIntent(enter('i1', { targetSize: 2 }));
    const outs = k.onVenueEvents([
      venue('v1', 'PARTIAL_FILL', 's1-T1-E1', { price: 100, size: 1 }),
      venue('v1', 'PARTIAL_FILL', 's1-T1-E1', { price: 100, size: 1 }),
      venue('v2', 'FILL', 's1-T1-E1', { price: 101, size: 1 }),
    ]);
    expect(outs.map((o) => o.diagnosticCode)).toEqual(['OK', 'DUPLICATE_EVENT', 'OK']);
    expect(k.slots()[0]).toMatchObject({ state: 'OPEN', size: 2, entryPrice: 100.5 });
  });

  it('says when a rate-limited order may be retried and re-sends it on tick', () => {
    const k = fresh();
    k.submitIntent(enter('i1'));
    const o = k.onVenueEvent(venue('r', 'RATE_LIMITED', 's1-T1-E1', { retryAfterMs: 1000 }));
    expect(o).toMatchObject({
      diagnosticCode: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 1000,
      retryAt: 1002,
    });
    expect(k.tick(1002)[0]!.venueCommands[0]).toMatchObject({ kind: 'PLACE', clientOrderId: 's1-T1-E1' });
  });

  it('fires a stop-loss from markPrice with TradeMonitoringClosed and a reduce-only exit', () => {
    const k = fresh();
    k.submitIntent(enter('i1', { stopLoss: 95, takeProfit: 120 }));
    k.onVenueEvent(venue('f', 'FILL', 's1-T1-E1', { price: 100, size: 1 }));
    const outs = k.markPrice('BTC/USDT', 94, 10);
    const exit = outs.find((o) => o.venueCommands.length > 0)!;
    expect(exit.events[0]).toMatchObject({ type: 'TradeMonitoringClosed', closeReason: 'SL' });
    expect(exit.venueCommands[0]).toMatchObject({ reduceOnly: true, side: 'SELL' });
    expect(k.marks()).toEqual({ 'BTC/USDT': 94 });
  });

  it('kill switch halts, cancels working orders and closes open slots', () => {
    const k = fresh();
    k.submitIntent(enter('i1'));
    k.onVenueEvent(venue('f', 'FILL', 's1-T1-E1', { price: 100, size: 1 }));
    k.submitIntent(enter('i2', { orderType: 'LIMIT', limitPrice: 90 }));
    const o = k.killSwitch(5);
    expect(k.control().mode).toBe('HALTED');
    expect(o.venueCommands.map((c) => `${c.kind} ${c.clientOrderId}`).sort()).toEqual([
      'CANCEL s1-T2-E1',
      'PLACE s1-T1-X1',
    ]);
    expect(k.submitIntent(enter('i3')).diagnosticCode).toBe('MODE_REJECTED');
  });

  it('keeps the K and E ledgers side by side and calibrates fees', () => {
    const k = fresh();
    const a = k.onAccountEvent({
      kind: 'ACCOUNT_UPDATE',
      walletBalance: 10_050,
      availableMargin: 9_000,
      ts: 1,
    });
    expect(a).toMatchObject({ reconcileStatus: 'DRIFT', reconcileDelta: 50, availableCapital: 9_000 });
    expect(a.reconcileExplanation).toMatch(/drifts/);
    const c = k.calibrateFee({ fillPrice: 100, fillQty: 1, actualFee: 0.06, liquidity: 'TAKER' });
    expect(c).toMatchObject({ expectedFee: 0.05, status: 'ERROR', samples: 1 });
  });

  it('builds the same records in a worker thread, whose JS environment has factories of its own', async () => {
    // One text, run here and in the worker: the same session on both sides.
    const session = `(Kernel) => {
      const k = new Kernel({ maxSlots: 2, seedCapital: 10000 });
      const opened = k.submitIntent({ intentId: 'i1', action: 'ENTER', asset: 'BTC/USDT', side: 'LONG',
        orderType: 'MARKET', targetSize: 1, referencePrice: 100, leverage: 1, ts: 1 });
      const coid = opened.venueCommands[0].clientOrderId;
      const filled = k.onVenueEvent({ eventId: 'v1', kind: 'FILL', clientOrderId: coid, price: 100, size: 1, ts: 2 });
      return { opened, filled, slots: k.slots(), account: k.account() };
    }`;
    const inWorker = new Promise((resolve, reject) => {
      const worker = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const session = require('node:vm').runInThisContext(workerData.session);
         parentPort.postMessage(session(require(workerData.addon).Kernel));`,
        { eval: true, workerData: { session, addon: join(__dirname, '..', 'index.js') } },
      );
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const here = (runInThisContext(session) as (k: typeof Kernel) => unknown)(Kernel);
    // Records cross threads by structured clone, which keeps undefined properties.
    expect(await inWorker).toStrictEqual(here);
  });

  it('restores from a snapshot and continues with identical outcomes', () => {
    const a = fresh();
    a.submitIntent(enter('i1', { targetSize: 2 }));
    a.onVenueEvent(venue('v1', 'PARTIAL_FILL', 's1-T1-E1', { price: 100, size: 1 }));
    const b = Kernel.restore(a.snapshot());
    const next = [venue('v2', 'FILL', 's1-T1-E1', { price: 102, size: 1 })];
    expect(b.onVenueEvents(next)).toEqual(a.onVenueEvents(next));
    expect(b.snapshot()).toBe(a.snapshot());
    expect(() => Kernel.restore('{')).toThrow(/invalid snapshot/);
  });

  it('reconciles fail-closed: a missing position report is never read as flat', () => {
    const k = fresh();
    k.submitIntent(enter('i1'));
    k.onVenueEvent(venue('f', 'FILL', 's1-T1-E1', { price: 100, size: 1 }));
    const o = k.reconcile({ openOrders: [] });
    expect(o).toMatchObject({ accepted: false, diagnosticCode: 'RECONCILE_INCOMPLETE' });
    expect(k.slots()[0]!.size).toBe(1);
    expect(k.control().mode).toBe('REDUCING');
  });

  it('rejects a bad config by throwing once, at construction', () => {
    expect(() => new Kernel({ maxSlots: 0, seedCapital: 1 })).toThrow(/maxSlots/);
    expect(() => new Kernel({ maxSlots: 1, seedCapital: Number.NaN })).toThrow(/seedCapital/);
  });
});
