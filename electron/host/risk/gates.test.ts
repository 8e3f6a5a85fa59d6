import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GATE_NAMES, RiskEnvelope } from '../../../shared/index.js';
import { BUILT_IN_GATES, runGates, type GateContext, type GateIntent } from './gates.js';

const entry: GateIntent = {
  intentId: 'I1',
  action: 'ENTER',
  asset: 'BTC/USDT',
  side: 'LONG',
  orderType: 'MARKET',
  targetSize: 0.01,
  price: 60_000,
};

/** A session with `exposure` open, equity at `equity` after a peak of `peak`, having seen `seen`. */
function sessionHolding({
  exposure = {},
  equity = 10_000,
  peak = 10_000,
  seen = [],
}: { exposure?: Record<string, number>; equity?: number; peak?: number; seen?: string[] } = {}): GateContext {
  return {
    seen: (id) => seen.includes(id),
    exposure: () => new Map(Object.entries(exposure)),
    equity: () => equity,
    peakEquity: () => peak,
  };
}

const envelope = (limits: object = {}) => RiskEnvelope.parse(limits);

describe('the gate pipeline', () => {
  it('passes an entry inside every limit through every gate, in order', () => {
    const run = runGates(BUILT_IN_GATES, entry, envelope({ maxOrderNotional: 1_000 }), sessionHolding());
    expect(run).toEqual({ pass: true, passed: GATE_NAMES.filter((name) => name !== 'supervisor') });
  });

  it('names the first gate that refuses, why, and the field to blame', () => {
    const cases: [object, GateIntent, GateContext, string, string | undefined, string][] = [
      [
        {},
        { ...entry, intentId: 'dup' },
        sessionHolding({ seen: ['dup'] }),
        'idempotency',
        'intentId',
        'already submitted',
      ],
      [
        { maxOrderNotional: 500 },
        entry,
        sessionHolding(),
        'static',
        'targetSize',
        '600 USDT, over the 500 USDT',
      ],
      [
        { allowedOrderTypes: ['LIMIT'] },
        entry,
        sessionHolding(),
        'static',
        'orderType',
        'MARKET entries are not allowed',
      ],
      [
        { shortingDisabled: true },
        { ...entry, side: 'SHORT' },
        sessionHolding(),
        'short_side',
        'side',
        'shorting is disabled',
      ],
      [
        { maxAssetNotional: 1_000 },
        entry,
        sessionHolding({ exposure: { 'BTC/USDT': 500 } }),
        'position_risk',
        'targetSize',
        'BTC/USDT would carry 1,100 USDT',
      ],
      [
        { maxGrossNotional: 1_000 },
        entry,
        sessionHolding({ exposure: { 'ETH/USDT': 300, 'SOL/USDT': 200 } }),
        'position_risk',
        'targetSize',
        '1,100 USDT in all',
      ],
      [
        { maxDrawdown: 0.1 },
        entry,
        sessionHolding({ equity: 8_900, peak: 10_000 }),
        'drawdown_halt',
        undefined,
        '11.00 % below',
      ],
    ];
    for (const [limits, intent, context, gate, field, words] of cases) {
      const run = runGates(BUILT_IN_GATES, intent, envelope(limits), context);
      expect(run, JSON.stringify(limits)).toMatchObject({ pass: false, gate });
      if (run.pass) continue;
      expect(run.field).toBe(field);
      expect(run.reason).toContain(words);
    }
  });

  it('holds no exit or cancel back but a repeated one: they reduce exposure', () => {
    const tight = envelope({
      maxOrderNotional: 1,
      allowedOrderTypes: ['LIMIT'],
      shortingDisabled: true,
      maxAssetNotional: 1,
      maxGrossNotional: 1,
      maxDrawdown: 0.01,
    });
    const underwater = sessionHolding({
      exposure: { 'BTC/USDT': 1e6 },
      equity: 1,
      peak: 10_000,
      seen: ['again'],
    });
    for (const action of ['EXIT', 'CANCEL'] as const) {
      expect(runGates(BUILT_IN_GATES, { ...entry, action, side: 'SHORT' }, tight, underwater).pass).toBe(
        true,
      );
      expect(
        runGates(BUILT_IN_GATES, { ...entry, action, intentId: 'again' }, tight, underwater),
      ).toMatchObject({
        pass: false,
        gate: 'idempotency',
      });
    }
  });

  it('refuses an entry exactly when its notional, with what is open, is over a cap (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 100_000, noNaN: true }),
        fc.double({ min: 0, max: 50_000, noNaN: true }),
        fc.double({ min: 1, max: 200_000, noNaN: true }),
        (targetSize, price, open, cap) => {
          const run = runGates(
            BUILT_IN_GATES,
            { ...entry, targetSize, price },
            envelope({ maxAssetNotional: cap }),
            sessionHolding({ exposure: { 'BTC/USDT': open } }),
          );
          expect(run.pass).toBe(open + targetSize * price <= cap);
        },
      ),
    );
  });

  it('reads the session only for the limits that are set', () => {
    const reads: string[] = [];
    const counting: GateContext = {
      seen: () => (reads.push('seen'), false),
      exposure: () => (reads.push('exposure'), new Map()),
      equity: () => (reads.push('equity'), 1),
      peakEquity: () => (reads.push('peak'), 1),
    };
    runGates(BUILT_IN_GATES, entry, envelope(), counting);
    expect(reads).toEqual(['seen']);
  });
});
