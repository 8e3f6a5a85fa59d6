import { describe, expect, it } from 'vitest';
import {
  avgPrice,
  compactNumbers,
  countdown,
  decimalsByMagnitude,
  money,
  price,
  qty,
  signedMoney,
} from './format.js';

describe('price', () => {
  it("shows a paper symbol's price with its tick's decimals", () => {
    expect(price(64006.4, 'BTC/USDT')).toBe('64006.4');
    expect(price(3200.43, 'ETH/USDT')).toBe('3200.43');
    expect(price(134.93, 'SOL/USDT')).toBe('134.930');
    expect(price(0.7, 'XRP/USDT')).toBe('0.7000');
    expect(price(0.14972, 'DOGE/USDT')).toBe('0.14972');
  });

  it('keeps one width of decimals per symbol, so a column lines up on the point', () => {
    const shown = [149.9, 150, 149.912].map((p) => price(p, 'SOL/USDT'));
    expect(shown).toEqual(['149.900', '150.000', '149.912']);
  });

  it('falls back to about six significant digits for an unknown symbol', () => {
    expect(price(64000)).toBe('64000.00');
    expect(price(150.5, 'ADA/USDT')).toBe('150.500');
    expect(price(0.6)).toBe('0.600000');
    expect(price(0.0000125)).toBe('0.00001250');
    expect(decimalsByMagnitude(1e9)).toBe(2);
    expect(decimalsByMagnitude(1e-12)).toBe(8);
  });

  it('shows a dash for nothing and for non-finite values', () => {
    expect(price(undefined)).toBe('—');
    expect(price(null, 'BTC/USDT')).toBe('—');
    expect(price(Number.NaN, 'BTC/USDT')).toBe('—');
  });
});

describe('money and quantities', () => {
  it('keeps their fixed forms', () => {
    expect(money(-12.345)).toBe('-12.35');
    expect(qty(0.01)).toBe('0.01');
    expect(qty(-0)).toBe('0');
  });

  it('shows a loss that rounds to nothing as 0.00, not -0.00', () => {
    expect(money(-0.004)).toBe('0.00');
    expect(money(-0)).toBe('0.00');
    expect(signedMoney(-0.0049)).toBe('0.00');
    expect(signedMoney(-0.005)).toBe('-0.01');
    expect(signedMoney(0.004)).toBe('0.00');
  });
});

describe('compactNumbers', () => {
  it('shortens a 300-digit number and leaves ordinary text alone', () => {
    const huge = `targetSize: magnitude above 1e10 (got 1${'0'.repeat(300)})`;
    expect(compactNumbers(huge)).toBe('targetSize: magnitude above 1e10 (got 1e+300)');
    expect(compactNumbers('size 123456789012345678 lots')).toBe('size 1.235e+17 lots');
    expect(compactNumbers('-1234567890123456789.5')).toBe('-1.235e+18');
  });

  it('does not touch ids, short numbers or exponents', () => {
    expect(compactNumbers('order 0d1618-T2-E1 at 149.94, 1e+300')).toBe(
      'order 0d1618-T2-E1 at 149.94, 1e+300',
    );
    expect(compactNumbers('tick 0.00001 and 10000000000')).toBe('tick 0.00001 and 10000000000');
    expect(compactNumbers('session 0d1618-I12345678901234567')).toBe('session 0d1618-I12345678901234567');
  });
});

describe('avgPrice', () => {
  it('keeps two decimals past the tick, trimming zeros back to the tick', () => {
    expect(avgPrice(64017.85, 'BTC/USDT')).toBe('64017.85');
    expect(avgPrice(64017.8, 'BTC/USDT')).toBe('64017.8');
    expect(avgPrice(64017, 'BTC/USDT')).toBe('64017.0');
    expect(avgPrice(150.0305, 'SOL/USDT')).toBe('150.0305');
    expect(avgPrice(Number.NaN, 'BTC/USDT')).toBe('—');
  });
});

describe('countdown', () => {
  it('counts whole seconds down, rounding up, then minutes and seconds', () => {
    expect(countdown(42_000)).toBe('42s');
    expect(countdown(41_001)).toBe('42s');
    expect(countdown(59_999)).toBe('1:00');
    expect(countdown(65_000)).toBe('1:05');
    expect(countdown(3_600_000)).toBe('60:00');
  });

  it('stops at 0s once due, and shows a dash for no time', () => {
    expect(countdown(0)).toBe('0s');
    expect(countdown(-5_000)).toBe('0s');
    expect(countdown(Number.NaN)).toBe('—');
  });
});
