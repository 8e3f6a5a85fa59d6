import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandNames, commandRequests } from './commands.js';
import { IntentRequest } from './domain.js';
import { describeValue, fromZodError } from './errors.js';

function rejectionOf(schema: (typeof commandRequests)[keyof typeof commandRequests], input: unknown) {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return fromZodError(parsed.error, input).error;
}

const validIntent = { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 };

describe('intent request validation', () => {
  it('fills the defaults a ticket may leave out', () => {
    expect(IntentRequest.parse(validIntent)).toMatchObject({
      action: 'ENTER',
      orderType: 'MARKET',
      leverage: 1,
      signalProvider: 'operator',
    });
  });

  it.each([
    [{ targetSize: -1 }, 'targetSize', '-1'],
    [{ targetSize: Number.NaN }, 'targetSize', 'NaN'],
    [{ targetSize: Number.POSITIVE_INFINITY }, 'targetSize', 'Infinity'],
    [{ orderType: 'LIMIT', limitPrice: Number.NaN }, 'limitPrice', 'NaN'],
    [{ orderType: 'LIMIT' }, 'limitPrice', 'nothing'],
    [{ asset: 'bitcoin' }, 'asset', '"bitcoin"'],
    [{ side: 'UP' }, 'side', '"UP"'],
    [{ leverage: 500 }, 'leverage', '500'],
    [{ exitLegRatios: [0.5, 0.4] }, 'exitLegRatios', '[0.5,0.4]'],
    [{ sise: 1 }, 'sise', ''],
    // A lone surrogate or a control character would split a lineage or a journal row's text.
    [{ intentId: '\ud800' }, 'intentId', '"\\ud800"'],
    [{ tradeId: 'T 1' }, 'tradeId', '"T 1"'],
    [{ reason: 'stop\u0000' }, 'reason', 'stop'],
    [{ reason: 'half \udc00' }, 'reason', 'half'],
    [{ signalProvider: '' }, 'signalProvider', '""'],
  ])('rejects %j naming the field %s and the value', (patch, field, value) => {
    const error = rejectionOf(IntentRequest, { ...validIntent, ...patch });
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.message).toContain(value);
  });

  it('accepts any well-formed text as a reason, astral characters included', () => {
    expect(IntentRequest.safeParse({ ...validIntent, reason: 'Gewinnmitnahme 📈 – früh' }).success).toBe(
      true,
    );
  });

  it('accepts exit legs that sum to one within rounding', () => {
    expect(IntentRequest.safeParse({ ...validIntent, exitLegRatios: [0.1, 0.2, 0.7] }).success).toBe(true);
    expect(IntentRequest.safeParse({ ...validIntent, exitLegRatios: [1 / 3, 1 / 3, 1 / 3] }).success).toBe(
      true,
    );
  });
});

describe('every command schema', () => {
  it('never throws on arbitrary input and always names what it refused', () => {
    fc.assert(
      fc.property(fc.constantFrom(...commandNames), fc.anything(), (name, input) => {
        const parsed = commandRequests[name].safeParse(input);
        if (parsed.success) return;
        const { error } = fromZodError(parsed.error, input);
        expect(error.code).toBe('INVALID_REQUEST');
        expect(error.message.length).toBeGreaterThan(0);
        if (error.field) expect(error.message.startsWith(`${error.field}: `)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts numeric intent fields only when finite and positive', () => {
    fc.assert(
      fc.property(fc.double(), (size) => {
        const ok = IntentRequest.safeParse({ ...validIntent, targetSize: size }).success;
        expect(ok).toBe(Number.isFinite(size) && size > 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('describeValue', () => {
  it('shows values the way an operator typed them', () => {
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(-1)).toBe('-1');
    expect(describeValue('XYZ/USDT')).toBe('"XYZ/USDT"');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue('x'.repeat(100)).length).toBeLessThan(50);
  });
});
