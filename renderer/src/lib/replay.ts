// Replaying a lineage: its graph as it stood after each of its events, drawn
// by the host's own function (shared/lineage.ts) from the events the graph
// already holds, so stepping back and forth costs no request.
import { buildLineage, type JournalEvent, type LineageGraph } from '../../../shared/index.js';

/** The graph's events, each once, in journal order: the steps of its replay. */
export function replaySteps(graph: LineageGraph): JournalEvent[] {
  const byId = new Map<string, JournalEvent>();
  for (const node of graph.nodes) for (const event of node.events) byId.set(event.eventId, event);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** The graph once the event at `seq` was journaled: the steps up to it and nothing later. */
export function graphAsOf(graph: LineageGraph, steps: readonly JournalEvent[], seq: number): LineageGraph {
  return buildLineage(
    graph.correlationId,
    steps.filter((event) => event.seq <= seq),
  );
}

/** The index of the step at `seq`, or of the last one before it (0 when none is). */
export function stepIndex(steps: readonly JournalEvent[], seq: number): number {
  let index = 0;
  for (let i = 0; i < steps.length && steps[i]!.seq <= seq; i++) index = i;
  return index;
}

/** The seq of the nearest change (`lineageChanges`) before (`-1`) or after (`+1`) `seq`, or undefined when there is none. */
export function nearestChange(
  changes: readonly number[],
  seq: number,
  direction: -1 | 1,
): number | undefined {
  if (direction > 0) return changes.find((at) => at > seq);
  return changes.findLast((at) => at < seq);
}

/**
 * The graph's events and those that came live (since the window opened, or since the graph was fetched), each
 * once (by event id), in journal order: neither alone is the whole lineage of a trade that began before the
 * window opened. Both lists are in seq order already.
 */
export function mergeEvents(
  steps: readonly JournalEvent[],
  live: readonly JournalEvent[] | undefined,
): readonly JournalEvent[] {
  if (!live?.length) return steps;
  const merged: JournalEvent[] = [];
  const seen = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < steps.length || j < live.length) {
    const next =
      j >= live.length || (i < steps.length && steps[i]!.seq <= live[j]!.seq) ? steps[i++]! : live[j++]!;
    if (seen.has(next.eventId)) continue;
    seen.add(next.eventId);
    merged.push(next);
  }
  return merged;
}
