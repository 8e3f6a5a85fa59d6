import { describe, expect, it } from 'vitest';
import { layoutFromKey, layoutLineage, NODE_WIDTH, topologyKey } from './layout.js';

const nodes = ['intent', 'signal', 'order', 'fill', 'trade'].map((id) => ({ id }));
const edges = [
  { from: 'intent', to: 'signal' },
  { from: 'signal', to: 'order' },
  { from: 'order', to: 'fill' },
  { from: 'fill', to: 'trade' },
];

describe('lineage layout', () => {
  it('ranks the causation chain left to right', () => {
    const pos = layoutLineage(nodes, edges);
    const xs = nodes.map((n) => pos[n.id]!.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(NODE_WIDTH);
  });

  it('ignores edges to unknown nodes instead of inventing them', () => {
    const pos = layoutLineage(nodes.slice(0, 2), [...edges, { from: 'signal', to: 'ghost' }]);
    expect(Object.keys(pos).sort()).toEqual(['intent', 'signal']);
  });

  it('keys the topology by ids only, independent of order and of dangling edges', () => {
    const a = topologyKey(nodes, edges);
    const b = topologyKey([...nodes].reverse(), [...edges].reverse().concat({ from: 'x', to: 'trade' }));
    expect(a).toBe(b);
    expect(topologyKey([...nodes, { id: 'fill-2' }], edges)).not.toBe(a);
  });

  it('lays out from the key alone, the same as from the graph', () => {
    expect(layoutFromKey(topologyKey(nodes, edges))).toEqual(layoutLineage(nodes, edges));
    expect(layoutFromKey('')).toEqual({});
  });
});
