// The lifecycle graph of the selected lineage (intent → signal → orders →
// fills → trade) with React Flow, laid out left→right by dagre only when the
// node/edge id set changes; live states flow into memoized custom nodes.
import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
  type Node,
  type NodeMouseHandler,
  type NodeProps,
} from '@xyflow/react';
import { memo, useEffect, useMemo } from 'react';
import type { LineageNode, LineageNodeKind } from '../../../shared/index.js';
import { clockMs, DASH, shortId } from '../lib/format.js';
import { layoutFromKey, topologyKey } from '../lib/layout.js';
import { toneOf, type Tone } from '../lib/tone.js';
import { useCockpit } from '../store/store.js';
import { Panel } from './Panel.js';

interface LineageNodeData extends Record<string, unknown> {
  kind: LineageNodeKind;
  state: string;
  label: string;
  tone: Tone;
  count: number;
}
type LineageFlowNode = Node<LineageNodeData, 'lineage'>;

const LineageNodeView = memo(function LineageNodeView({ data, selected }: NodeProps<LineageFlowNode>) {
  return (
    <div
      className={`lnode tone-${data.tone} ${selected ? 'selected' : ''}`}
      data-testid={`lineage-node-${data.kind}`}
      data-state={data.state}
      title={`${data.kind} · ${data.state} · ${data.label}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="lhandle" />
      <div className="lnode-top">
        <span className="lnode-kind">{data.kind}</span>
        <span className="lnode-state">{data.state}</span>
      </div>
      <div className="lnode-label">{data.label}</div>
      <Handle type="source" position={Position.Right} isConnectable={false} className="lhandle" />
    </div>
  );
});

const nodeTypes = { lineage: LineageNodeView };
const fitViewOptions = { padding: 0.08, maxZoom: 1.25, minZoom: 0.25 };
const proOptions = { hideAttribution: false };

function realizedOf(node: LineageNode): number | undefined {
  const last = node.events[node.events.length - 1];
  const value = last?.payload?.realizedPnl;
  return typeof value === 'number' ? value : undefined;
}

function Graph() {
  const graph = useCockpit((s) => s.lineage.graph);
  const selectedNodeId = useCockpit((s) => s.lineage.selectedNodeId);
  const selectNode = useCockpit((s) => s.selectNode);
  const { fitView } = useReactFlow();

  // A string compared by value: the layout reruns only when the id set changes.
  const topology = useMemo(
    () => (graph && graph.nodes.length ? topologyKey(graph.nodes, graph.edges) : ''),
    [graph],
  );
  const positions = useMemo(() => layoutFromKey(topology), [topology]);

  const nodes = useMemo<LineageFlowNode[]>(
    () =>
      (graph?.nodes ?? []).map((n) => ({
        id: n.id,
        type: 'lineage',
        position: positions[n.id] ?? { x: 0, y: 0 },
        selected: n.id === selectedNodeId,
        draggable: false,
        connectable: false,
        data: {
          kind: n.kind,
          state: n.state,
          label: n.label,
          tone: toneOf(n.state, realizedOf(n)),
          count: n.events.length,
        },
      })),
    [graph, positions, selectedNodeId],
  );

  const edges = useMemo<Edge[]>(() => {
    if (!graph) return [];
    const tones = new Map(graph.nodes.map((n) => [n.id, toneOf(n.state)]));
    return graph.edges
      .filter((e) => tones.has(e.from) && tones.has(e.to))
      .map((e) => ({
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        type: 'smoothstep',
        animated: tones.get(e.to) === 'working',
        className: `ledge tone-${tones.get(e.to) ?? 'neutral'}`,
      }));
  }, [graph]);

  useEffect(() => {
    if (!topology) return;
    const handle = requestAnimationFrame(() => {
      void fitView(fitViewOptions);
    });
    return () => cancelAnimationFrame(handle);
  }, [topology, fitView]);

  const onNodeClick: NodeMouseHandler<LineageFlowNode> = (_event, node) => selectNode(node.id);

  return (
    <ReactFlow<LineageFlowNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodeClick={onNodeClick}
      onPaneClick={() => selectNode(null)}
      fitView
      fitViewOptions={fitViewOptions}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable
      colorMode="dark"
      minZoom={0.2}
      maxZoom={2}
      proOptions={proOptions}
    >
      <Background gap={16} size={1} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

export function LineagePanel() {
  const correlationId = useCockpit((s) => s.lineage.correlationId);
  const status = useCockpit((s) => s.lineage.status);
  const error = useCockpit((s) => s.lineage.error);
  const count = useCockpit((s) => s.lineage.graph?.nodes.length ?? 0);
  return (
    <Panel
      title="Lifecycle"
      className="lineage"
      extra={
        correlationId ? (
          <span className="muted" title={correlationId}>
            {shortId(correlationId, 14)} · {status === 'error' ? 'error' : `${count} nodes`}
          </span>
        ) : null
      }
    >
      <div className="lineage-graph" data-testid="lineage-graph" data-status={status}>
        {correlationId ? (
          <ReactFlowProvider>
            <Graph />
          </ReactFlowProvider>
        ) : (
          <div className="placeholder">
            Select a slot, order or trade — or submit an intent — to see its lineage.
          </div>
        )}
        {error ? <div className="lineage-error">{error}</div> : null}
      </div>
      <NodeDetails />
    </Panel>
  );
}

const DETAIL_ROWS = 200;

function NodeDetails() {
  const node = useCockpit((s) => {
    const id = s.lineage.selectedNodeId;
    return id ? (s.lineage.graph?.nodes.find((n) => n.id === id) ?? null) : null;
  });
  if (!node) return <LineageTape />;
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
        <pre className="nd-payload" data-testid="node-details-payload">
          {latest ? JSON.stringify(latest.payload, null, 2) : DASH}
        </pre>
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
                <td>{e.type}</td>
                <td className="num muted">{clockMs(e.ts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const TAPE_ROWS = 60;

/** With no node selected: the selected lineage's events as they arrive (newest first). */
function LineageTape() {
  const events = useCockpit((s) =>
    s.lineage.correlationId ? s.journal.byCorrelation[s.lineage.correlationId] : undefined,
  );
  const rows = useMemo(() => (events ? events.slice(-TAPE_ROWS).reverse() : []), [events]);
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
                <td>{e.type}</td>
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
