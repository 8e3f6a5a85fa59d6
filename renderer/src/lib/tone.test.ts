import { describe, expect, it } from 'vitest';
import { toneOf } from './tone.js';

describe('toneOf', () => {
  it('sets an intent held for the operator apart from one at work', () => {
    expect(toneOf('AWAITING')).toBe('awaiting');
    expect(toneOf('CREATED')).toBe('active');
    expect(toneOf('GRANTED')).toBe('active');
    expect(toneOf('PLACED')).toBe('working');
  });

  it('colours the ends of an intent that never became a signal', () => {
    expect(toneOf('REJECTED')).toBe('rejected');
    expect(toneOf('EXPIRED')).toBe('canceled');
    expect(toneOf('CANCELED')).toBe('canceled');
  });

  it('tells a lost trade from a won one', () => {
    expect(toneOf('CLOSED', -1)).toBe('loss');
    expect(toneOf('CLOSED', 1)).toBe('closed');
  });
});
