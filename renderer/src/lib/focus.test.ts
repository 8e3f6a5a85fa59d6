import { describe, expect, it } from 'vitest';
import { focusAfterRemoval } from './focus.js';

describe('focus after a row leaves a list', () => {
  it('goes to the row that took its place', () => {
    expect(focusAfterRemoval(['a', 'b', 'c'], ['a', 'c'], 'b')).toBe('c');
    expect(focusAfterRemoval(['a', 'b', 'c'], ['b', 'c'], 'a')).toBe('b');
  });

  it('goes to the row above when the last one left', () => {
    expect(focusAfterRemoval(['a', 'b', 'c'], ['a', 'b'], 'c')).toBe('b');
  });

  it('goes nowhere when no row is left', () => {
    expect(focusAfterRemoval(['a'], [], 'a')).toBeNull();
  });

  it('skips rows that left with it, and counts a row that arrived meanwhile as below it', () => {
    expect(focusAfterRemoval(['a', 'b', 'c', 'd'], ['a', 'd'], 'b')).toBe('d');
    expect(focusAfterRemoval(['a', 'b', 'c'], ['a'], 'b')).toBe('a');
    expect(focusAfterRemoval(['a', 'b'], ['a', 'n'], 'b')).toBe('n');
  });
});
