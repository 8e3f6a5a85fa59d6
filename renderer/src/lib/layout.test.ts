import { describe, expect, it } from 'vitest';
import {
  boundsOf,
  FILL_WIDTH,
  layoutFromKey,
  layoutLineage,
  NODE_HEIGHT,
  NODE_WIDTH,
  nodeSize,
  pickDirection,
  READABLE_FIT,
  topologyKey,
  viewportFor,
} from './layout.js';

const nodes = ['intent', 'signal', 'order', 'fill', 'trade'].map((id) => ({ id }));
const edges = [
  { from: 'intent', to: 'signal' },
  { from: 'signal', to: 'order' },
  { from: 'order', to: 'fill' },
  { from: 'fill', to: 'trade' },
];

/** A market entry filled in two slices, then exited the same way: what the paper venue makes. */
const roundTrip = {
  nodes: [
    'intent:I1',
    'signal:S1',
    'order:E1',
    'fill:v4',
    'fill:v7',
    'trade:T1',
    'intent:I5',
    'signal:S5',
    'order:X1',
    'fill:v30',
    'fill:v33',
  ].map((id) => ({ id })),
  edges: [
    ['intent:I1', 'signal:S1'],
    ['signal:S1', 'order:E1'],
    ['order:E1', 'fill:v4'],
    ['order:E1', 'fill:v7'],
    ['fill:v4', 'trade:T1'],
    ['fill:v7', 'trade:T1'],
    ['intent:I5', 'signal:S5'],
    ['signal:S5', 'order:X1'],
    ['order:X1', 'fill:v30'],
    ['order:X1', 'fill:v33'],
    ['fill:v30', 'trade:T1'],
    ['fill:v33', 'trade:T1'],
  ].map(([from, to]) => ({ from: from!, to: to! })),
};

const overlaps = (pos: Record<string, { x: number; y: number }>) => {
  const ids = Object.keys(pos);
  for (const a of ids) {
    for (const b of ids) {
      if (a >= b) continue;
      const pa = pos[a]!;
      const pb = pos[b]!;
      const sa = nodeSize(a);
      const sb = nodeSize(b);
      const apart =
        pa.x + sa.width <= pb.x ||
        pb.x + sb.width <= pa.x ||
        pa.y + sa.height <= pb.y ||
        pb.y + sb.height <= pa.y;
      if (!apart) return `${a} overlaps ${b}`;
    }
  }
  return null;
};

describe('lineage layout', () => {
  it('ranks the causation chain left to right, each node clear of the previous', () => {
    const pos = layoutLineage(nodes, edges);
    for (let i = 1; i < nodes.length; i++) {
      const prev = nodes[i - 1]!.id;
      expect(pos[nodes[i]!.id]!.x).toBeGreaterThanOrEqual(pos[prev]!.x + nodeSize(prev).width);
    }
  });

  it('ranks it top to bottom when asked', () => {
    const pos = layoutLineage(nodes, edges, 'TB');
    for (let i = 1; i < nodes.length; i++) {
      expect(pos[nodes[i]!.id]!.y).toBeGreaterThanOrEqual(pos[nodes[i - 1]!.id]!.y + NODE_HEIGHT);
    }
  });

  it('sizes nodes by kind: fills are narrower than the rest', () => {
    expect(nodeSize('fill:v4')).toEqual({ width: FILL_WIDTH, height: NODE_HEIGHT });
    expect(nodeSize('order:E1')).toEqual({ width: NODE_WIDTH, height: NODE_HEIGHT });
    expect(FILL_WIDTH).toBeLessThan(NODE_WIDTH);
  });

  it('never overlaps two nodes, either way', () => {
    expect(overlaps(layoutLineage(roundTrip.nodes, roundTrip.edges, 'LR'))).toBeNull();
    expect(overlaps(layoutLineage(roundTrip.nodes, roundTrip.edges, 'TB'))).toBeNull();
  });

  it('ignores edges to unknown nodes instead of inventing them', () => {
    const pos = layoutLineage(nodes.slice(0, 2), [...edges, { from: 'signal', to: 'ghost' }]);
    expect(Object.keys(pos).sort()).toEqual(['intent', 'signal']);
  });

  it('keys the topology by ids only, ignoring dangling edges', () => {
    const a = topologyKey(nodes, edges);
    expect(
      topologyKey(
        nodes.map(({ id }) => ({ id })),
        [...edges, { from: 'x', to: 'trade' }],
      ),
    ).toBe(a);
    expect(topologyKey([...nodes, { id: 'fill-2' }], edges)).not.toBe(a);
  });

  it("stands an order's fills in the lineage's order, not their ids' text order", () => {
    const slices = [{ id: 'order' }, { id: 'fill:V9' }, { id: 'fill:V10' }, { id: 'trade' }];
    const links = [
      { from: 'order', to: 'fill:V9' },
      { from: 'order', to: 'fill:V10' },
      { from: 'fill:V9', to: 'trade' },
      { from: 'fill:V10', to: 'trade' },
    ];
    const tb = layoutFromKey(topologyKey(slices, links), 'TB');
    expect(tb['fill:V9']!.x).toBeLessThan(tb['fill:V10']!.x);
    const lr = layoutFromKey(topologyKey(slices, links), 'LR');
    expect(lr['fill:V9']!.y).toBeLessThan(lr['fill:V10']!.y);
  });

  it('lays out from the key alone, the same as from the graph', () => {
    expect(layoutFromKey(topologyKey(nodes, edges))).toEqual(layoutLineage(nodes, edges));
    expect(layoutFromKey(topologyKey(nodes, edges), 'TB')).toEqual(layoutLineage(nodes, edges, 'TB'));
    expect(layoutFromKey('')).toEqual({});
  });

  it('measures the box around the nodes', () => {
    expect(boundsOf({})).toEqual({ x: 0, y: 0, width: 0, height: 0 });
    expect(boundsOf({ 'order:a': { x: 10, y: 20 }, 'fill:b': { x: 300, y: 0 } })).toEqual({
      x: 10,
      y: 0,
      width: 300 + FILL_WIDTH - 10,
      height: 20 + NODE_HEIGHT,
    });
  });
});

describe('lineage view', () => {
  const box = (width: number, height: number) => ({ x: 0, y: 0, width, height });

  it('shows a small graph at full size, centred', () => {
    const view = viewportFor(box(200, 100), { width: 600, height: 400 });
    expect(view).toEqual({ x: 200, y: 150, zoom: 1 });
  });

  it('shrinks a graph to fit, but not below the readable zoom', () => {
    expect(viewportFor(box(1000, 100), { width: 924, height: 400 }).zoom).toBeCloseTo(0.9);
    const long = viewportFor(box(2000, 100), { width: 600, height: 400 });
    expect(long.zoom).toBe(READABLE_FIT.minZoom);
    // It does not fit across: it starts at the graph's beginning (the intent), centred the other way.
    expect(long.x).toBe(READABLE_FIT.padding);
    expect(long.y).toBeCloseTo((400 - 100 * 0.85) / 2);
  });

  it('keeps the graph box clear of the view edges by the padding', () => {
    const view = viewportFor({ x: 40, y: 30, width: 500, height: 300 }, { width: 524, height: 324 });
    expect(view.zoom).toBe(1);
    expect(view.x + 40 * view.zoom).toBe(12);
    expect(view.y + 30 * view.zoom).toBe(12);
  });

  it('draws a five-rank lineage top to bottom in a narrow panel, across in a wide one', () => {
    const key = topologyKey(roundTrip.nodes, roundTrip.edges);
    const sizes = { LR: boundsOf(layoutFromKey(key, 'LR')), TB: boundsOf(layoutFromKey(key, 'TB')) };
    expect(pickDirection(sizes, { width: 460, height: 380 })).toBe('TB');
    expect(pickDirection(sizes, { width: 1400, height: 300 })).toBe('LR');
    expect(pickDirection(sizes, { width: 0, height: 0 })).toBe('LR');
  });

  it('keeps a five-node chain readable in the 1280 x 720 panel', () => {
    const key = topologyKey(
      ['intent:a', 'signal:a', 'order:a', 'fill:a', 'trade:a'].map((id) => ({ id })),
      [
        { from: 'intent:a', to: 'signal:a' },
        { from: 'signal:a', to: 'order:a' },
        { from: 'order:a', to: 'fill:a' },
        { from: 'fill:a', to: 'trade:a' },
      ],
    );
    const panel = { width: 458, height: 370 };
    const sizes = { LR: boundsOf(layoutFromKey(key, 'LR')), TB: boundsOf(layoutFromKey(key, 'TB')) };
    const direction = pickDirection(sizes, panel);
    expect(viewportFor(sizes[direction], panel).zoom).toBeGreaterThanOrEqual(0.85);
  });
});
