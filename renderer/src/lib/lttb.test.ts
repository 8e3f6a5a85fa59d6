import { describe, expect, it } from 'vitest';
import { lttb, lttbIndices, lttbMulti } from './lttb.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('lttb', () => {
  it('returns every index when the threshold is not below the length', () => {
    expect(lttbIndices([0, 1, 2], [5, 6, 7], 3)).toEqual([0, 1, 2]);
    expect(lttbIndices([0, 1, 2], [5, 6, 7], 10)).toEqual([0, 1, 2]);
  });

  it('returns every index for a threshold under 3 (nothing sensible to keep)', () => {
    expect(lttbIndices(range(10), range(10), 2)).toEqual(range(10));
  });

  it('keeps exactly `threshold` points, first and last included, in x order', () => {
    const xs = range(1000);
    const ys = xs.map((x) => Math.sin(x / 17) * 100 + (x % 7));
    const picked = lttbIndices(xs, ys, 120);
    expect(picked).toHaveLength(120);
    expect(picked[0]).toBe(0);
    expect(picked[picked.length - 1]).toBe(999);
    for (let i = 1; i < picked.length; i++) expect(picked[i]!).toBeGreaterThan(picked[i - 1]!);
  });

  it('keeps a lone spike that a stride sampler would miss', () => {
    const xs = range(500);
    const ys = xs.map((x) => (x === 251 ? 1000 : 0));
    expect(lttbIndices(xs, ys, 20)).toContain(251);
  });

  it('downsamples objects through accessors', () => {
    const points = range(100).map((t) => ({ t, v: t * t }));
    const out = lttb(
      points,
      10,
      (p) => p.t,
      (p) => p.v,
    );
    expect(out).toHaveLength(10);
    expect(out[0]).toBe(points[0]);
    expect(out[9]).toBe(points[99]);
  });

  it('keeps the spikes of every series when several share the x axis', () => {
    const points = range(400).map((t) => ({ t, a: t === 100 ? 50 : 0, b: t === 300 ? -50 : 0 }));
    const out = lttbMulti(points, 12, (p) => p.t, [(p) => p.a, (p) => p.b]);
    const ts = out.map((p) => p.t);
    expect(ts).toContain(100);
    expect(ts).toContain(300);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
    expect(out.length).toBeLessThanOrEqual(24);
  });
});
