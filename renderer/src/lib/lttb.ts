// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): keeps the
// first and last points and, per bucket, the point forming the largest
// triangle with the previous pick and the next bucket's average.

/** Indices of the points LTTB keeps; all of them when `threshold` ≥ length or < 3. */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(xs.length, ys.length);
  const target = Math.floor(threshold);
  if (target >= n || target < 3) return Array.from({ length: n }, (_, i) => i);

  const picked: number[] = [0];
  const every = (n - 2) / (target - 2);
  let a = 0;
  for (let i = 0; i < target - 2; i++) {
    // The next bucket's average point.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j]!;
      avgY += ys[j]!;
    }
    const count = nextEnd - nextStart;
    avgX /= count;
    avgY /= count;

    // This bucket: the point with the largest triangle area.
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = xs[a]!;
    const ay = ys[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (ys[j]! - ay) - (ax - xs[j]!) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    picked.push(best);
    a = best;
  }
  picked.push(n - 1);
  return picked;
}

/** LTTB over objects, choosing by one x and one y accessor. */
export function lttb<T>(
  points: readonly T[],
  threshold: number,
  x: (p: T) => number,
  y: (p: T) => number,
): T[] {
  const xs = points.map(x);
  const ys = points.map(y);
  return lttbIndices(xs, ys, threshold).map((i) => points[i]!);
}

/**
 * Several series sharing an x axis: the union of the points LTTB keeps for
 * each series (so a spike in any one of them survives), in x order.
 */
export function lttbMulti<T>(
  points: readonly T[],
  threshold: number,
  x: (p: T) => number,
  ys: ReadonlyArray<(p: T) => number>,
): T[] {
  if (points.length <= threshold) return points.slice();
  const xs = points.map(x);
  const keep = new Set<number>();
  for (const y of ys) for (const i of lttbIndices(xs, points.map(y), threshold)) keep.add(i);
  return [...keep].sort((a, b) => a - b).map((i) => points[i]!);
}
