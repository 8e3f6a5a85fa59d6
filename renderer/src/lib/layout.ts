// Layered left→right layout of a lineage graph with dagre. It depends only on
// the node and edge ids, so callers recompute it when that set changes.
import dagre from '@dagrejs/dagre';

export const NODE_WIDTH = 136;
export const NODE_HEIGHT = 44;

export interface Position {
  x: number;
  y: number;
}

/**
 * A stable key of the topology: the sorted node ids and the sorted edges
 * between known nodes. It changes only when a node or an edge does, and it
 * holds everything the layout needs (see layoutFromKey).
 */
export function topologyKey(
  nodes: ReadonlyArray<{ id: string }>,
  edges: ReadonlyArray<{ from: string; to: string }>,
): string {
  const ids = new Set(nodes.map((node) => node.id));
  const sortedIds = [...ids].sort();
  const pairs = edges
    .filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to)
    .map((e): [string, string] => [e.from, e.to])
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  return JSON.stringify({ nodes: sortedIds, edges: pairs });
}

/** The layout of a topology key (empty for an empty key). */
export function layoutFromKey(key: string): Record<string, Position> {
  if (!key) return {};
  const { nodes, edges } = JSON.parse(key) as { nodes: string[]; edges: [string, string][] };
  return layoutLineage(
    nodes.map((id) => ({ id })),
    edges.map(([from, to]) => ({ from, to })),
  );
}

/** Top-left positions by node id (React Flow's origin), ranks left to right. */
export function layoutLineage(
  nodes: ReadonlyArray<{ id: string }>,
  edges: ReadonlyArray<{ from: string; to: string }>,
): Record<string, Position> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 30, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const node of nodes) {
    ids.add(node.id);
    graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of edges) {
    // An edge to a node we do not have would make dagre invent a node.
    if (ids.has(edge.from) && ids.has(edge.to) && edge.from !== edge.to) graph.setEdge(edge.from, edge.to);
  }
  dagre.layout(graph);
  const out: Record<string, Position> = {};
  for (const id of ids) {
    const laid = graph.node(id) as { x: number; y: number } | undefined;
    out[id] = laid ? { x: laid.x - NODE_WIDTH / 2, y: laid.y - NODE_HEIGHT / 2 } : { x: 0, y: 0 };
  }
  return out;
}
