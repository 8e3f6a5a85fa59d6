// Layered layout of a lineage graph with dagre, left→right or top→bottom,
// whichever the panel shows at the larger zoom. It depends only on the node
// and edge ids (a node's kind is its id's prefix, e.g. "fill:…"), so callers
// recompute it when that set changes.
import dagre from '@dagrejs/dagre';

/** Intent, signal, order and trade nodes: wide enough for "ENTER SHORT 0.015 DOGE/USDT" on two lines. */
export const NODE_WIDTH = 180;
/** Fill nodes say only "0.005 @ 64017.8". */
export const FILL_WIDTH = 116;
export const NODE_HEIGHT = 54;

export type Direction = 'LR' | 'TB';

export interface Position {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** The drawn size of a node, by the kind its id starts with. */
export function nodeSize(id: string): Size {
  return { width: id.startsWith('fill:') ? FILL_WIDTH : NODE_WIDTH, height: NODE_HEIGHT };
}

/**
 * A key of the topology: the node ids and the edges between known nodes, in
 * the graph's own order (the lineage's, by journal sequence), which dagre
 * keeps for siblings: a market order's fills stand first slice first. Ids
 * sorted as text put "V10" before "V9". It changes only when a node or an
 * edge does, and it holds everything the layout needs (see layoutFromKey).
 */
export function topologyKey(
  nodes: ReadonlyArray<{ id: string }>,
  edges: ReadonlyArray<{ from: string; to: string }>,
): string {
  const ids = new Set(nodes.map((node) => node.id));
  const pairs = edges
    .filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to)
    .map((e): [string, string] => [e.from, e.to]);
  return JSON.stringify({ nodes: [...ids], edges: pairs });
}

/** The layout of a topology key (empty for an empty key). */
export function layoutFromKey(key: string, direction: Direction = 'LR'): Record<string, Position> {
  if (!key) return {};
  const { nodes, edges } = JSON.parse(key) as { nodes: string[]; edges: [string, string][] };
  return layoutLineage(
    nodes.map((id) => ({ id })),
    edges.map(([from, to]) => ({ from, to })),
    direction,
  );
}

/** Top-left positions by node id (React Flow's origin), ranks left to right or top to bottom. */
export function layoutLineage(
  nodes: ReadonlyArray<{ id: string }>,
  edges: ReadonlyArray<{ from: string; to: string }>,
  direction: Direction = 'LR',
): Record<string, Position> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({
    rankdir: direction,
    nodesep: 12,
    ranksep: direction === 'LR' ? 32 : 20,
    marginx: 0,
    marginy: 0,
  });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const node of nodes) {
    ids.add(node.id);
    graph.setNode(node.id, nodeSize(node.id));
  }
  for (const edge of edges) {
    // An edge to a node we do not have would make dagre invent a node.
    if (ids.has(edge.from) && ids.has(edge.to) && edge.from !== edge.to) graph.setEdge(edge.from, edge.to);
  }
  dagre.layout(graph);
  const centres = new Map<string, Position>();
  for (const id of ids) {
    const laid = graph.node(id) as { x: number; y: number } | undefined;
    centres.set(id, laid ? { x: laid.x, y: laid.y } : { x: 0, y: 0 });
  }
  inLineageOrder(graph, [...ids], centres, direction);
  const out: Record<string, Position> = {};
  for (const [id, centre] of centres) {
    const { width, height } = nodeSize(id);
    out[id] = { x: centre.x - width / 2, y: centre.y - height / 2 };
  }
  return out;
}

/**
 * Siblings (nodes of one rank with the same neighbours, like a market
 * order's fills) stand in the graph's order, first slice first: dagre
 * orders them by its crossing heuristics, often backwards. Swapping their
 * places changes no edge crossing.
 */
function inLineageOrder(
  graph: InstanceType<typeof dagre.graphlib.Graph>,
  order: string[],
  centres: Map<string, Position>,
  direction: Direction,
): void {
  const across = (p: Position) => (direction === 'TB' ? p.x : p.y);
  const neighbours = (list: string[] | void) => [...(list ?? [])].sort().join(',');
  const groups = new Map<string, string[]>();
  for (const id of order) {
    const centre = centres.get(id)!;
    const rank = direction === 'TB' ? centre.y : centre.x;
    const key = `${rank}|${neighbours(graph.predecessors(id))}|${neighbours(graph.successors(id))}`;
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  for (const siblings of groups.values()) {
    if (siblings.length < 2) continue;
    const places = siblings.map((id) => centres.get(id)!).sort((a, b) => across(a) - across(b));
    siblings.forEach((id, i) => centres.set(id, places[i]!));
  }
}

/** The box around laid-out nodes. */
export function boundsOf(positions: Readonly<Record<string, Position>>): Position & Size {
  const ids = Object.keys(positions);
  if (ids.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const id of ids) {
    const { x, y } = positions[id]!;
    const { width, height } = nodeSize(id);
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + width);
    maxY = Math.max(maxY, y + height);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export interface FitOptions {
  /** The auto view never goes below this: 11 px labels stay about 9 px or more. */
  minZoom: number;
  maxZoom: number;
  /** Screen pixels kept free around the graph. */
  padding: number;
}

export const READABLE_FIT: FitOptions = { minZoom: 0.85, maxZoom: 1, padding: 12 };

/** The zoom at which `box` fills `view`, before clamping. */
function fitZoom(box: Size, view: Size, padding: number): number {
  if (box.width <= 0 || box.height <= 0) return 1;
  return Math.min((view.width - 2 * padding) / box.width, (view.height - 2 * padding) / box.height);
}

/**
 * The view of a graph: as large as fits, between minZoom and maxZoom. Along
 * an axis where it fits it is centred; where it does not (a long lineage at a
 * readable zoom) it starts at the graph's beginning, and the operator pans.
 */
export function viewportFor(box: Position & Size, view: Size, options: FitOptions = READABLE_FIT): Viewport {
  const { minZoom, maxZoom, padding } = options;
  const zoom = Math.min(maxZoom, Math.max(minZoom, fitZoom(box, view, padding)));
  const along = (start: number, length: number, room: number) => {
    const drawn = length * zoom;
    return drawn + 2 * padding <= room ? (room - drawn) / 2 - start * zoom : padding - start * zoom;
  };
  return { x: along(box.x, box.width, view.width), y: along(box.y, box.height, view.height), zoom };
}

/**
 * Left→right or top→bottom, given the graph's size laid out each way: the one
 * drawn larger in a view of this size, left→right on a tie (a short chain reads across).
 */
export function pickDirection(
  sizes: Readonly<Record<Direction, Size>>,
  view: Size,
  options: FitOptions = READABLE_FIT,
): Direction {
  if (view.width <= 0 || view.height <= 0) return 'LR';
  const lr = Math.min(options.maxZoom, fitZoom(sizes.LR, view, options.padding));
  const tb = Math.min(options.maxZoom, fitZoom(sizes.TB, view, options.padding));
  return tb > lr + 0.01 ? 'TB' : 'LR';
}
