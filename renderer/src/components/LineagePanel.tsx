// The lifecycle graph of the selected lineage (intent → signal → orders →
// fills → trade) with React Flow, laid out by dagre only when the node/edge id
// set changes, left→right or top→bottom, whichever the panel shows larger.
// The view never zooms out past readable (a long lineage is panned, by drag or
// scroll, instead); live states flow into memoized custom nodes. A replay
// draws the graph as it stood after any one of its events, on the whole
// graph's layout, so nodes appear in place and never move.
import {
  Background,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  useUpdateNodeInternals,
  type Edge,
  type Node,
  type NodeChange,
  type NodeMouseHandler,
  type NodeProps,
} from '@xyflow/react';
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  lineageChanges,
  type JournalEvent,
  type LineageGraph,
  type LineageNode,
  type LineageNodeKind,
} from '../../../shared/index.js';
import { clockMs, DASH, shortId } from '../lib/format.js';
import {
  boundsOf,
  layoutFromKey,
  nodeSize,
  pickDirection,
  topologyKey,
  viewportFor,
  type Direction,
} from '../lib/layout.js';
import { nodeText } from '../lib/lineageText.js';
import { graphAsOf, mergeEvents, nearestChange, replaySteps, stepIndex } from '../lib/replay.js';
import { toneOf, type Tone } from '../lib/tone.js';
import { useCockpit } from '../store/store.js';
import { Panel } from './Panel.js';

interface LineageNodeData extends Record<string, unknown> {
  kind: LineageNodeKind;
  state: string;
  label: string;
  detail: string | undefined;
  /** The host's own label (an order's client order id is in it), for the tooltip. */
  title: string;
  tone: Tone;
  count: number;
  /** The replayed step's event is this node's. */
  current: boolean;
  direction: Direction;
  width: number;
  height: number;
}
type LineageFlowNode = Node<LineageNodeData, 'lineage'>;

const LineageNodeView = memo(function LineageNodeView({ data, selected }: NodeProps<LineageFlowNode>) {
  const across = data.direction === 'LR';
  return (
    <div
      className={`lnode tone-${data.tone} ${selected ? 'selected' : ''} ${data.detail ? 'has-detail' : ''} ${data.current ? 'current' : ''}`}
      style={{ width: data.width, height: data.height }}
      data-testid={`lineage-node-${data.kind}`}
      data-state={data.state}
      data-current={data.current}
      title={`${data.kind} · ${data.state} · ${data.title}${data.detail ? ` · ${data.detail}` : ''}`}
    >
      <Handle
        type="target"
        position={across ? Position.Left : Position.Top}
        isConnectable={false}
        className="lhandle"
      />
      <div className="lnode-top">
        <span className="lnode-kind">{data.kind}</span>
        <span className="lnode-state">{data.state}</span>
      </div>
      <div className="lnode-label">{data.label}</div>
      {data.detail ? <div className="lnode-detail">{data.detail}</div> : null}
      <Handle
        type="source"
        position={across ? Position.Right : Position.Bottom}
        isConnectable={false}
        className="lhandle"
      />
    </div>
  );
});

const nodeTypes = { lineage: LineageNodeView };
const proOptions = { hideAttribution: false };

function realizedOf(node: LineageNode): number | undefined {
  const last = node.events[node.events.length - 1];
  const value = last?.payload?.realizedPnl;
  return typeof value === 'number' ? value : undefined;
}

/** What the panel draws: the whole graph, or, while replaying, the graph as of one of its events. */
interface LineageView {
  /** The whole graph: its layout holds still while a replay adds nodes step by step. */
  graph: LineageGraph | null;
  /** What is drawn. */
  shown: LineageGraph | null;
  /** The graph's events in journal order: the replay's steps. */
  steps: JournalEvent[];
  /** The replayed step's index; null when not replaying. */
  step: number | null;
  /** The replayed step's event. */
  current: JournalEvent | null;
  /** While replaying: the seqs of the steps that changed the graph. */
  changes: number[];
}

function useLineageView(): LineageView {
  const graph = useCockpit((s) => s.lineage.graph);
  const replaySeq = useCockpit((s) => s.lineage.replaySeq);
  const steps = useMemo(() => (graph ? replaySteps(graph) : []), [graph]);
  const replaying = replaySeq !== null;
  const changes = useMemo(
    () => (graph && replaying ? lineageChanges(graph.correlationId, steps) : []),
    [graph, steps, replaying],
  );
  return useMemo(() => {
    if (!graph || replaySeq === null || steps.length === 0) {
      return { graph, shown: graph, steps, step: null, current: null, changes };
    }
    const step = stepIndex(steps, replaySeq);
    const current = steps[step]!;
    return { graph, shown: graphAsOf(graph, steps, current.seq), steps, step, current, changes };
  }, [graph, replaySeq, steps, changes]);
}

function Graph({ fitRequest, view }: { fitRequest: number; view: LineageView }) {
  const { graph, shown, current } = view;
  const selectedNodeId = useCockpit((s) => s.lineage.selectedNodeId);
  const selectNode = useCockpit((s) => s.selectNode);
  const { setViewport } = useReactFlow();
  const updateNodeInternals = useUpdateNodeInternals();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);

  // A string compared by value: the layout reruns only when the id set changes.
  const topology = useMemo(
    () => (graph && graph.nodes.length ? topologyKey(graph.nodes, graph.edges) : ''),
    [graph],
  );
  const layouts = useMemo(
    () => ({ LR: layoutFromKey(topology, 'LR'), TB: layoutFromKey(topology, 'TB') }),
    [topology],
  );
  const boxes = useMemo(() => ({ LR: boundsOf(layouts.LR), TB: boundsOf(layouts.TB) }), [layouts]);
  const direction = pickDirection(boxes, { width, height });
  const positions = layouts[direction];

  const nodes = useMemo<LineageFlowNode[]>(
    () =>
      (shown?.nodes ?? []).map((n) => {
        const text = nodeText(n);
        const size = nodeSize(n.id);
        return {
          id: n.id,
          type: 'lineage',
          position: positions[n.id] ?? { x: 0, y: 0 },
          selected: n.id === selectedNodeId,
          draggable: false,
          connectable: false,
          ariaLabel: `${n.kind} ${n.state} ${text.label}`,
          data: {
            kind: n.kind,
            state: n.state,
            label: text.label,
            detail: text.detail,
            title: n.label,
            tone: toneOf(n.state, realizedOf(n)),
            count: n.events.length,
            current: current !== null && n.events.at(-1)?.eventId === current.eventId,
            direction,
            width: size.width,
            height: size.height,
          },
        };
      }),
    [shown, current, positions, selectedNodeId, direction],
  );

  const edges = useMemo<Edge[]>(() => {
    if (!shown) return [];
    const tones = new Map(shown.nodes.map((n) => [n.id, toneOf(n.state)]));
    return shown.edges
      .filter((e) => tones.has(e.from) && tones.has(e.to))
      .map((e) => ({
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        type: 'smoothstep',
        animated: tones.get(e.to) === 'working',
        className: `ledge tone-${tones.get(e.to) ?? 'neutral'}`,
      }));
  }, [shown]);

  // The handles moved sides: React Flow must measure them again before routing edges.
  const ids = useMemo(
    () => (topology ? (JSON.parse(topology) as { nodes: string[] }).nodes : []),
    [topology],
  );
  useEffect(() => {
    if (ids.length) updateNodeInternals(ids);
  }, [direction, ids, updateNodeInternals]);

  // A new topology, a new panel size or the fit button: the readable view of the whole graph.
  useEffect(() => {
    if (!topology || width <= 0 || height <= 0) return;
    const handle = requestAnimationFrame(() => {
      void setViewport(viewportFor(boxes[direction], { width, height }));
    });
    return () => cancelAnimationFrame(handle);
  }, [topology, boxes, direction, width, height, fitRequest, setViewport]);

  const onNodeClick: NodeMouseHandler<LineageFlowNode> = (_event, node) => selectNode(node.id);
  // Enter or Space on a focused node selects it in React Flow, which tells it only as a change (a click's comes
  // both ways). The pane's click clears the selection.
  const onNodesChange = (changes: NodeChange<LineageFlowNode>[]) => {
    const picked = changes.find((change) => change.type === 'select' && change.selected);
    if (picked?.type === 'select') selectNode(picked.id);
  };

  return (
    <ReactFlow<LineageFlowNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodeClick={onNodeClick}
      onNodesChange={onNodesChange}
      onPaneClick={() => selectNode(null)}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable
      // The nodes take the focus; the arrows between them have nothing to do on a key.
      edgesFocusable={false}
      panOnScroll
      colorMode="dark"
      minZoom={0.3}
      maxZoom={2}
      proOptions={proOptions}
    >
      <Background gap={16} size={1} />
    </ReactFlow>
  );
}

/** Zoom and fit, in the panel's header, where they cover no node. */
function GraphControls({ onFit }: { onFit: () => void }) {
  const { zoomIn, zoomOut } = useReactFlow();
  return (
    <span className="graph-controls">
      <button
        type="button"
        className="btn btn-icon"
        title="zoom out"
        aria-label="zoom out"
        onClick={() => void zoomOut({ duration: 0 })}
      >
        −
      </button>
      <button
        type="button"
        className="btn btn-icon"
        title="zoom in"
        aria-label="zoom in"
        onClick={() => void zoomIn({ duration: 0 })}
      >
        +
      </button>
      <button
        type="button"
        className="btn btn-icon"
        data-testid="lineage-fit"
        title="fit the graph at a readable size (drag or scroll to pan)"
        onClick={onFit}
      >
        fit
      </button>
    </span>
  );
}

export function LineagePanel() {
  const correlationId = useCockpit((s) => s.lineage.correlationId);
  const status = useCockpit((s) => s.lineage.status);
  const error = useCockpit((s) => s.lineage.error);
  const view = useLineageView();
  const count = view.graph?.nodes.length ?? 0;
  const [fitRequest, setFitRequest] = useState(0);
  return (
    <ReactFlowProvider>
      <Panel
        title="Lifecycle"
        className="lineage"
        extra={
          correlationId ? (
            <span className="lineage-extra">
              <span className="muted" title={correlationId}>
                {shortId(correlationId, 14)} · {status === 'error' ? 'error' : `${count} nodes`}
              </span>
              <GraphControls onFit={() => setFitRequest((n) => n + 1)} />
            </span>
          ) : null
        }
      >
        <div className="lineage-graph" data-testid="lineage-graph" data-status={status}>
          {correlationId ? (
            <Graph fitRequest={fitRequest} view={view} />
          ) : (
            <div className="placeholder">
              Select a slot, order or trade — or submit an intent — to see its lineage.
            </div>
          )}
          {error ? <div className="lineage-error">{error}</div> : null}
        </div>
        <ReplayBar view={view} />
        <NodeDetails view={view} />
      </Panel>
    </ReactFlowProvider>
  );
}

const DETAIL_ROWS = 200;

/**
 * Steps through the lineage's events: first, the previous change, back, forward, the next change, last, any
 * one on the slider.
 */
function ReplayBar({ view }: { view: LineageView }) {
  const setReplaySeq = useCockpit((s) => s.setReplaySeq);
  const { steps, step, current, changes } = view;
  const bar = useRef<HTMLDivElement>(null);
  const replaying = step !== null;
  // The keys work from the moment a replay starts: the bar takes the focus its Replay button had.
  useEffect(() => {
    if (replaying) bar.current?.focus();
  }, [replaying]);
  if (steps.length === 0) return null;
  const last = steps.length - 1;
  const go = (index: number) => setReplaySeq(steps[Math.max(0, Math.min(last, index))]!.seq);
  if (step === null || !current) {
    return (
      <div className="replay-bar" data-testid="replay-bar" data-replaying="false">
        <button
          type="button"
          className="btn btn-row"
          data-testid="replay-start"
          title="replay this lineage: the graph as it stood after each of its events, from the first"
          onClick={() => go(0)}
        >
          Replay
        </button>
        <span className="muted">{steps.length} events</span>
      </div>
    );
  }
  const stepButton = (testId: string, label: string, title: string, to: number | undefined) => (
    <button
      type="button"
      className="btn btn-icon"
      data-testid={testId}
      title={title}
      aria-label={title}
      disabled={to === undefined || to === step}
      onClick={() => to !== undefined && go(to)}
    >
      {label}
    </button>
  );
  const change = (direction: -1 | 1) => {
    const seq = nearestChange(changes, current.seq, direction);
    return seq === undefined ? undefined : stepIndex(steps, seq);
  };
  const changeTitle =
    'a node appears or changes state, or an arrow is drawn; a monitoring tick is not a change';
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      setReplaySeq(null);
      return;
    }
    const arrow = e.key === 'ArrowLeft' || e.key === 'ArrowRight';
    // On the slider a plain arrow already moves one step.
    if (arrow && !e.shiftKey && e.target instanceof HTMLInputElement) return;
    const to: Record<string, number | undefined> = {
      ArrowLeft: e.shiftKey ? change(-1) : step - 1,
      ArrowRight: e.shiftKey ? change(1) : step + 1,
      Home: 0,
      End: last,
    };
    if (!(e.key in to)) return;
    e.preventDefault();
    const index = to[e.key];
    if (index !== undefined) go(index);
  };
  return (
    <div
      ref={bar}
      className="replay-bar"
      data-testid="replay-bar"
      data-replaying="true"
      tabIndex={-1}
      title="keys: ← → event by event, Shift+← → change by change, Home and End, Esc ends the replay"
      onKeyDown={onKey}
    >
      <span className="graph-controls">
        {stepButton('replay-first', '|◀', 'first event', 0)}
        {stepButton('replay-prev-change', '«', `previous change: ${changeTitle}`, change(-1))}
        {stepButton('replay-prev', '◀', 'previous event', step > 0 ? step - 1 : undefined)}
        {stepButton('replay-next', '▶', 'next event', step < last ? step + 1 : undefined)}
        {stepButton('replay-next-change', '»', `next change: ${changeTitle}`, change(1))}
        {stepButton('replay-last', '▶|', 'last event', last)}
      </span>
      <input
        type="range"
        className="replay-range"
        data-testid="replay-range"
        aria-label="replay step"
        min={0}
        max={last}
        value={step}
        onChange={(e) => go(Number(e.target.value))}
      />
      <span className="num" data-testid="replay-position">
        {step + 1}/{steps.length}
      </span>
      <span
        className="replay-event"
        data-testid="replay-event"
        title={`seq ${current.seq} · ${current.type}`}
      >
        {current.type}
      </span>
      <span className="num muted">{clockMs(current.ts)}</span>
      <button
        type="button"
        className="btn btn-row"
        data-testid="replay-exit"
        title="end the replay: the whole graph, as it is now"
        onClick={() => setReplaySeq(null)}
      >
        End replay
      </button>
    </div>
  );
}

/** While replaying with no node selected: the step's event, what caused it and what it carried. */
function ReplayEvent({ event }: { event: JournalEvent }) {
  return (
    <div className="node-details" data-testid="replay-details" data-type={event.type}>
      <div className="nd-head">
        <span className="badge">{event.source}</span>
        <span className="nd-state">{event.type}</span>
        <span className="nd-label" title={event.eventId}>
          seq {event.seq} · {clockMs(event.ts)} · {event.eventId} ← {event.causationId}
        </span>
      </div>
      <pre className="nd-payload">{JSON.stringify(event.payload, null, 2)}</pre>
    </div>
  );
}

function NodeDetails({ view }: { view: LineageView }) {
  const selectedNodeId = useCockpit((s) => s.lineage.selectedNodeId);
  const node = selectedNodeId ? (view.shown?.nodes.find((n) => n.id === selectedNodeId) ?? null) : null;
  if (!node) return view.current ? <ReplayEvent event={view.current} /> : <LineageTape steps={view.steps} />;
  const latest = node.events[node.events.length - 1];
  // A long-lived trade collects many monitoring ticks: list the newest, say how many.
  const shown = node.events.length > DETAIL_ROWS ? node.events.slice(-DETAIL_ROWS) : node.events;
  return (
    <div className="node-details" data-testid="node-details" data-kind={node.kind} data-state={node.state}>
      <div className="nd-head">
        <span className={`badge tone-${toneOf(node.state, realizedOf(node))}`}>{node.kind}</span>
        <span className="nd-state" data-testid="node-details-state">
          {node.state}
        </span>
        <span className="nd-label" title={node.id}>
          {node.label}
        </span>
      </div>
      <div className="nd-cols">
        <div className="nd-events-box">
          <table className="grid nd-events" data-testid="node-details-events">
            <thead>
              <tr>
                <th className="r">seq</th>
                <th>type</th>
                <th>ts</th>
              </tr>
            </thead>
            <tbody>
              {node.events.length > shown.length ? (
                <tr>
                  <td colSpan={3} className="muted">
                    … {node.events.length - shown.length} earlier events
                  </td>
                </tr>
              ) : null}
              {shown.map((e) => (
                <tr key={e.eventId} title={`${e.source} · ${e.eventId} ← ${e.causationId}`}>
                  <td className="num r">{e.seq}</td>
                  <td className="ellip" title={e.type}>
                    {e.type}
                  </td>
                  <td className="num muted">{clockMs(e.ts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <pre className="nd-payload" data-testid="node-details-payload">
          {latest ? JSON.stringify(latest.payload, null, 2) : DASH}
        </pre>
      </div>
    </div>
  );
}

const TAPE_ROWS = 60;

/**
 * With no node selected: the selected lineage's events, newest first: those its graph holds and those that
 * arrived live since, so a trade that began before the window opened is listed whole.
 */
function LineageTape({ steps }: { steps: JournalEvent[] }) {
  const live = useCockpit((s) =>
    s.lineage.correlationId ? s.journal.byCorrelation[s.lineage.correlationId] : undefined,
  );
  const rows = useMemo(() => mergeEvents(steps, live).slice(-TAPE_ROWS).reverse(), [steps, live]);
  return (
    <div className="node-details empty">
      <div className="hint">Click a node to see its payload and events.</div>
      {rows.length ? (
        <table className="grid nd-events tape" data-testid="lineage-tape">
          <thead>
            <tr>
              <th className="r">seq</th>
              <th>type</th>
              <th>source</th>
              <th>ts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.eventId}>
                <td className="num r">{e.seq}</td>
                <td className="ellip" title={e.type}>
                  {e.type}
                </td>
                <td className="muted">{e.source}</td>
                <td className="num muted">{clockMs(e.ts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
