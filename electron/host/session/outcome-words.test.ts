import { describe, expect, it } from 'vitest';
import { Kernel, type Intent } from '../../../native/index.js';
import { explainOutcome, refusalOf } from './outcome-words.js';

/** A MARKET entry on ETH/USDT: with the one slot taken by `kernel()`'s, it finds no free slot. */
const ethEntry = (intentId: string, ts: number): Intent => ({
  intentId,
  action: 'ENTER',
  asset: 'ETH/USDT',
  side: 'LONG',
  orderType: 'MARKET',
  targetSize: 1,
  referencePrice: 10,
  leverage: 1,
  ts,
});

function kernel() {
  const k = new Kernel({ maxSlots: 1, seedCapital: 10_000 });
  const entry = k.submitIntent({
    intentId: 'i1',
    action: 'ENTER',
    asset: 'BTC/USDT',
    side: 'LONG',
    orderType: 'LIMIT',
    targetSize: 1,
    referencePrice: 100,
    limitPrice: 90,
    leverage: 1,
    ts: 1,
  });
  return { k, clientOrderId: entry.venueCommands[0]!.clientOrderId };
}

describe("the kernel's verdicts in words", () => {
  it('says what the common diagnostics mean, from their details', () => {
    const { k, clientOrderId } = kernel();
    const busy = k.submitIntent(ethEntry('i2', 2));
    expect(explainOutcome(busy)).toBe('no free slot (1 in all)');
    const early = k.submitIntent({ intentId: 'i3', action: 'EXIT', slotId: 0, ts: 3 });
    expect(explainOutcome(early)).toBe('EXIT is not possible in ENTRY_REQUESTED');
    const rejected = k.onVenueEvent({
      eventId: 'v1',
      kind: 'REJECTED',
      clientOrderId,
      reason: 'insufficient margin',
      ts: 4,
    });
    expect(explainOutcome(rejected, 'insufficient margin')).toBe(
      `the venue rejected order ${clientOrderId}: insufficient margin`,
    );
    k.setControl({ mode: 'REDUCING' });
    const paused = k.submitIntent(ethEntry('i4', 5));
    expect(explainOutcome(paused)).toBe('ENTER is refused while trading is REDUCING');
  });

  it('says when a rejected protective exit goes again', () => {
    const k = new Kernel({ maxSlots: 1, seedCapital: 10_000 });
    const entry = k.submitIntent({ ...ethEntry('i1', 1), takeProfit: 11 });
    const entryOrder = entry.venueCommands[0]!.clientOrderId;
    k.onVenueEvent({ eventId: 'v1', kind: 'FILL', clientOrderId: entryOrder, size: 1, price: 10, ts: 2 });
    const [fired] = k.markPrice('ETH/USDT', 12, 1_000);
    const exitOrder = fired!.venueCommands[0]!.clientOrderId;
    const rejected = k.onVenueEvent({ eventId: 'v2', kind: 'REJECTED', clientOrderId: exitOrder, ts: 1_010 });
    expect(explainOutcome(rejected, 'margin')).toBe(
      `the venue rejected order ${exitOrder} (the protective exit goes again in 1 s): margin`,
    );
  });

  it('reads any other diagnostic from its details, never leaving the message empty', () => {
    const { k } = kernel();
    const late = k.onVenueEvent({ eventId: 'v9', kind: 'CANCELED', clientOrderId: 'T9-E1', ts: 9 });
    expect(late.diagnosticCode).toBe('UNKNOWN_ORDER');
    expect(explainOutcome(late)).toContain('T9-E1');
    expect(explainOutcome({ ...late, diagnosticCode: 'SOMETHING_NEW', details: {} })).toBe('SOMETHING_NEW');
  });

  it('turns malformed input into INVALID_REQUEST naming the field, and business refusals into KERNEL_REJECTED', () => {
    const { k } = kernel();
    const bad = k.submitIntent({
      intentId: 'i5',
      action: 'ENTER',
      asset: 'BTC/USDT',
      side: 'LONG',
      orderType: 'MARKET',
      targetSize: -1,
      referencePrice: 100,
      leverage: 1,
      ts: 6,
    });
    expect(refusalOf(bad)).toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'targetSize',
      diagnosticCode: 'INVALID_INTENT',
    });
    expect(refusalOf(bad).message).toMatch(/^targetSize: .*\(got -1\)$/);
    const busy = k.submitIntent(ethEntry('i6', 7));
    expect(refusalOf(busy)).toEqual({
      code: 'KERNEL_REJECTED',
      message: 'NO_FREE_SLOT: no free slot (1 in all)',
      diagnosticCode: 'NO_FREE_SLOT',
    });
  });
});
