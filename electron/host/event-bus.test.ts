import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CockpitEvent } from '../../shared/index.js';
import { EventBus } from './event-bus.js';

const notice = (code: string): CockpitEvent => ({
  type: 'notice',
  level: 'info',
  code,
  message: code,
  ts: 0,
});

beforeEach(() => vi.useFakeTimers({ toFake: ['setImmediate'] }));
afterEach(() => vi.useRealTimers());

describe('the event bus', () => {
  it('delivers what one turn published as one batch, in order, to every subscriber', () => {
    const bus = new EventBus(() => undefined);
    const a: CockpitEvent[][] = [];
    const b: CockpitEvent[][] = [];
    bus.subscribe((batch) => a.push(batch));
    bus.subscribe((batch) => b.push(batch));
    bus.publish(notice('1'));
    bus.publish(notice('2'));
    expect(a).toEqual([]);
    vi.runAllTimers();
    expect(a).toEqual([[notice('1'), notice('2')]]);
    expect(b).toEqual(a);
  });

  it('reports a subscriber that throws and still delivers to the others', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((error) => errors.push(error));
    const after: CockpitEvent[][] = [];
    bus.subscribe(() => {
      throw new Error('window gone');
    });
    bus.subscribe((batch) => after.push(batch));
    bus.publish(notice('x'));
    vi.runAllTimers();
    expect(errors).toEqual([new Error('window gone')]);
    expect(after).toEqual([[notice('x')]]);
  });

  it('stops delivering to an unsubscribed window, and flush delivers what is pending at once', () => {
    const bus = new EventBus(() => undefined);
    const got: CockpitEvent[][] = [];
    const unsubscribe = bus.subscribe((batch) => got.push(batch));
    bus.publish(notice('kept'));
    bus.flush();
    expect(got).toEqual([[notice('kept')]]);
    unsubscribe();
    bus.publish(notice('dropped'));
    vi.runAllTimers();
    expect(got).toHaveLength(1);
  });
});
