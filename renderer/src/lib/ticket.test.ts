import { describe, expect, it } from 'vitest';
import {
  buildIntentRequest,
  buildSessionRequest,
  checkIntent,
  checkSession,
  type TicketForm,
} from './ticket.js';

const form = (over: Partial<TicketForm> = {}): TicketForm => ({
  asset: 'BTC/USDT',
  side: 'LONG',
  orderType: 'MARKET',
  size: '0.01',
  limit: '',
  leverage: '1',
  legs: '',
  takeProfit: '',
  stopLoss: '',
  ...over,
});

describe('intent ticket', () => {
  it('sends what was typed and omits empty optional fields', () => {
    expect(buildIntentRequest(form())).toEqual({
      asset: 'BTC/USDT',
      side: 'LONG',
      orderType: 'MARKET',
      targetSize: 0.01,
      leverage: 1,
    });
  });

  it('parses numbers with Number(): "-1" stays -1 and "NaN" stays NaN', () => {
    const request = buildIntentRequest(form({ size: '-1', orderType: 'LIMIT', limit: 'NaN' }));
    expect(request.targetSize).toBe(-1);
    expect(request.limitPrice).toBeNaN();
  });

  it('splits exit legs on commas', () => {
    expect(buildIntentRequest(form({ legs: '0.5, 0.5' })).exitLegRatios).toEqual([0.5, 0.5]);
  });

  it('names the field and the value of a negative size', () => {
    const checked = checkIntent(form({ size: '-1' }));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.code).toBe('INVALID_REQUEST');
    expect(checked.error.field).toBe('targetSize');
    expect(checked.error.message).toBe('targetSize: Too small: expected number to be >0 (got -1)');
  });

  it('names NaN itself, since NaN would reach the host as null', () => {
    const checked = checkIntent(form({ orderType: 'LIMIT', limit: 'NaN' }));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.field).toBe('limitPrice');
    expect(checked.error.message).toMatch(/^limitPrice: .*\(got NaN\)$/);
  });

  it('refuses a LIMIT order without a limit price and a malformed symbol', () => {
    const limit = checkIntent(form({ orderType: 'LIMIT' }));
    expect(!limit.ok && limit.error.message).toMatch(/limitPrice: a LIMIT order needs a limit price/);
    const symbol = checkIntent(form({ asset: 'btc' }));
    expect(!symbol.ok && symbol.error.field).toBe('asset');
  });

  it('refuses exit legs that do not sum to 1', () => {
    const checked = checkIntent(form({ legs: '0.5,0.2' }));
    expect(!checked.ok && checked.error.message).toMatch(/exit leg ratios must sum to 1/);
  });

  it('lets a well-formed unknown symbol through for the host to judge', () => {
    const checked = checkIntent(form({ asset: 'XYZ/USDT' }));
    expect(checked.ok).toBe(true);
  });

  it('passes a full LIMIT ticket unchanged', () => {
    const checked = checkIntent(
      form({
        orderType: 'LIMIT',
        limit: '100',
        legs: '0.5,0.5',
        takeProfit: '120',
        stopLoss: '90',
        leverage: '3',
      }),
    );
    expect(checked).toEqual({
      ok: true,
      request: {
        asset: 'BTC/USDT',
        side: 'LONG',
        orderType: 'LIMIT',
        targetSize: 0.01,
        limitPrice: 100,
        leverage: 3,
        exitLegRatios: [0.5, 0.5],
        takeProfit: 120,
        stopLoss: 90,
      },
    });
  });
});

describe('session form', () => {
  it('builds session.start from the bar, omitting an empty seed', () => {
    expect(
      buildSessionRequest({
        venue: 'paper',
        seed: '',
        symbols: 'BTC/USDT, ETH/USDT',
        capital: '5000',
        slots: '2',
      }),
    ).toEqual({ venue: 'paper', symbols: ['BTC/USDT', 'ETH/USDT'], seedCapital: 5000, maxSlots: 2 });
  });

  it('refuses a fractional slot count by name', () => {
    const checked = checkSession({
      venue: 'paper',
      seed: '7',
      symbols: 'BTC/USDT',
      capital: '1000',
      slots: '1.5',
    });
    expect(!checked.ok && checked.error.field).toBe('maxSlots');
  });
});

describe('intent ticket, order type', () => {
  it('leaves a stale limit price out of a MARKET ticket', () => {
    const checked = checkIntent(form({ asset: 'XYZ/USDT', orderType: 'MARKET', limit: 'NaN' }));
    expect(checked).toEqual({
      ok: true,
      request: { asset: 'XYZ/USDT', side: 'LONG', orderType: 'MARKET', targetSize: 0.01, leverage: 1 },
    });
  });
});
