import { describe, expect, it } from 'vitest';
import type { CockpitEvent } from '../../../shared/index.js';
import { EventPump } from './pump.js';

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => {
      queue.push(cb);
      return () => {
        const i = queue.indexOf(cb);
        if (i >= 0) queue.splice(i, 1);
      };
    },
    frame: () => queue.splice(0).forEach((cb) => cb()),
    pending: () => queue.length,
  };
}

const tick = (price: number, ts: number): CockpitEvent => ({
  type: 'marks',
  ticks: [{ asset: 'BTC/USDT', price, ts }],
});

describe('EventPump', () => {
  it('flushes everything pushed between two frames as one batch, once', () => {
    const frames = manualFrames();
    const batches: CockpitEvent[][] = [];
    const pump = new EventPump((b) => batches.push(b), frames.schedule);
    pump.push([tick(1, 1)]);
    pump.push([tick(2, 2), { type: 'notice', level: 'info', code: 'A', message: 'a', ts: 1 }]);
    expect(frames.pending()).toBe(1);
    expect(batches).toHaveLength(0);
    frames.frame();
    expect(batches).toEqual([
      [{ type: 'notice', level: 'info', code: 'A', message: 'a', ts: 1 }, tick(2, 2)],
    ]);
    frames.frame();
    expect(batches).toHaveLength(1);
  });

  it('schedules a new frame after a flush', () => {
    const frames = manualFrames();
    const batches: CockpitEvent[][] = [];
    const pump = new EventPump((b) => batches.push(b), frames.schedule);
    pump.push([tick(1, 1)]);
    frames.frame();
    pump.push([tick(2, 2)]);
    frames.frame();
    expect(batches).toEqual([[tick(1, 1)], [tick(2, 2)]]);
  });

  it('flush() applies at once and cancels the pending frame', () => {
    const frames = manualFrames();
    const batches: CockpitEvent[][] = [];
    const pump = new EventPump((b) => batches.push(b), frames.schedule);
    pump.push([tick(1, 1)]);
    pump.flush();
    expect(batches).toHaveLength(1);
    expect(frames.pending()).toBe(0);
  });
});
