import { describe, expect, it } from 'vitest';
import { buildLineage, lineageChanges, type EventType, type JournalEvent } from '../../../shared/index.js';
import { graphAsOf, mergeEvents, nearestChange, replaySteps, stepIndex } from './replay.js';

/** One market entry's lineage as the host journals it, seq 10, 12, 14…: other lineages' events sit between. */
function entryLineage(): JournalEvent[] {
  const events: JournalEvent[] = [];
  const add = (type: EventType, eventId: string, causationId: string, payload: Record<string, unknown>) =>
    events.push({
      sessionId: 's1',
      seq: 10 + 2 * events.length,
      eventId,
      type,
      source: type === 'VenueReport' ? 'venue' : type.startsWith('Trading') ? 'host' : 'kernel',
      correlationId: 'c1',
      causationId,
      ts: 1_000 + events.length,
      payload,
    });
  const order = { clientOrderId: 'T1-E1', tradeId: 'T1', asset: 'BTC/USDT', orderSide: 'BUY', size: 0.5 };
  add('TradingSignalIntentCreated', 'h1', 'c1', { intentId: 'c1', action: 'ENTER', side: 'LONG' });
  add('TradingSignalIntentGranted', 'h2', 'h1', { intentId: 'c1' });
  add('TradingSignalCreated', 'h3', 'h2', { signalId: 'g1' });
  add('OrderRequested', 'k1', 'h3', order);
  add('VenueReport', 'v1', 'k1', { kind: 'ACK', clientOrderId: 'T1-E1' });
  add('OrderPlaced', 'k2', 'v1', order);
  add('VenueReport', 'v2', 'k2', { kind: 'FILL', clientOrderId: 'T1-E1', size: 0.5, price: 100 });
  add('OrderFilled', 'k3', 'v2', { ...order, venueEventId: 'v2', price: 100 });
  add('TradeOpened', 'k4', 'k3', { tradeId: 'T1', side: 'LONG', asset: 'BTC/USDT', size: 0.5 });
  add('TradeMonitoringTick', 'k5', 'mark@1', { tradeId: 'T1', markPrice: 101 });
  return events;
}

const stateOf = (graph: ReturnType<typeof buildLineage>, id: string) =>
  graph.nodes.find((n) => n.id === id)?.state;

describe('lineage replay', () => {
  const events = entryLineage();
  const graph = buildLineage('c1', events);
  const steps = replaySteps(graph);

  it('steps through every event the graph holds, each once, in journal order', () => {
    expect(steps.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('draws the whole graph at the last step and only the intent at the first', () => {
    const last = graphAsOf(graph, steps, steps.at(-1)!.seq);
    expect(last).toEqual(graph);
    const first = graphAsOf(graph, steps, steps[0]!.seq);
    expect(first.nodes.map((n) => [n.id, n.state])).toEqual([['intent:c1', 'CREATED']]);
    expect(first.edges).toEqual([]);
  });

  it('shows each node in the state it had at that step, and nothing that came later', () => {
    const at = (eventId: string) => graphAsOf(graph, steps, events.find((e) => e.eventId === eventId)!.seq);
    expect(stateOf(at('k1'), 'order:T1-E1')).toBe('REQUESTED');
    expect(stateOf(at('k2'), 'order:T1-E1')).toBe('PLACED');
    expect(at('k2').nodes.some((n) => n.kind === 'fill' || n.kind === 'trade')).toBe(false);
    expect(stateOf(at('k3'), 'order:T1-E1')).toBe('FILLED');
    expect(stateOf(at('k3'), 'trade:T1')).toBeUndefined();
    expect(stateOf(at('k4'), 'trade:T1')).toBe('OPEN');
    let nodes = 0;
    for (const step of steps) {
      const asOf = graphAsOf(graph, steps, step.seq);
      expect(asOf.nodes.length).toBeGreaterThanOrEqual(nodes);
      nodes = asOf.nodes.length;
      const ids = new Set(asOf.nodes.map((n) => n.id));
      expect(asOf.edges.every((e) => ids.has(e.from) && ids.has(e.to))).toBe(true);
      expect(asOf.nodes.every((n) => n.events.every((e) => e.seq <= step.seq))).toBe(true);
    }
  });

  it('knows which steps change the graph: not an ACK the order already had, not a monitoring tick', () => {
    const changes = lineageChanges('c1', steps);
    expect(changes).toEqual(events.filter((e) => e.eventId !== 'v1' && e.eventId !== 'k5').map((e) => e.seq));
    // What a change is: exactly the steps after which the nodes' states or the arrows differ.
    const shape = (seq: number) => {
      const asOf = graphAsOf(graph, steps, seq);
      return JSON.stringify([asOf.nodes.map((n) => [n.id, n.state]), asOf.edges]);
    };
    steps.forEach((step, i) => {
      const before = i === 0 ? JSON.stringify([[], []]) : shape(steps[i - 1]!.seq);
      expect(shape(step.seq) !== before, step.eventId).toBe(changes.includes(step.seq));
    });
  });

  it('finds the nearest change either way, and none past the ends', () => {
    const changes = [10, 14, 20];
    expect(nearestChange(changes, 14, 1)).toBe(20);
    expect(nearestChange(changes, 15, -1)).toBe(14);
    expect(nearestChange(changes, 14, -1)).toBe(10);
    expect(nearestChange(changes, 20, 1)).toBeUndefined();
    expect(nearestChange(changes, 10, -1)).toBeUndefined();
  });

  it("lists a lineage whole in a window opened mid-trade: its graph's events, then those that came live, each once", () => {
    // The window opened after the fill: live, it has seen only the trade's opening and the ticks after.
    const tick = (seq: number): JournalEvent => ({
      ...events.at(-1)!,
      seq,
      eventId: `t${seq}`,
      causationId: `mark@${seq}`,
    });
    const live = [...events.slice(-2), tick(40), tick(42)];
    const merged = mergeEvents(steps, live);
    expect(merged.map((e) => e.eventId)).toEqual([...events.map((e) => e.eventId), 't40', 't42']);
    expect(merged.map((e) => e.seq)).toEqual([...merged.map((e) => e.seq)].sort((a, b) => a - b));
    // Nothing live yet (an earlier session's lineage): the graph's events as they are.
    expect(mergeEvents(steps, undefined)).toBe(steps);
    expect(mergeEvents([], live)).toEqual(live);
  });

  it("finds a step by seq, or the last one before a seq that is another lineage's", () => {
    expect(stepIndex(steps, steps[3]!.seq)).toBe(3);
    expect(stepIndex(steps, steps[3]!.seq + 1)).toBe(3);
    expect(stepIndex(steps, 0)).toBe(0);
    expect(stepIndex(steps, Number.MAX_SAFE_INTEGER)).toBe(steps.length - 1);
  });
});
