// The lifecycle graph of one correlation id, drawn from its events alone:
// each event belongs to an entity (intent, signal, order, fill, trade) and
// its causation id points at the event that caused it. An edge joins the
// entity of the cause to the entity of the effect. The live graph, the one
// rebuilt from the journal and the window's replay of it as of any event are
// the same function of the same events: the host draws the graph, the window
// replays it, both with this.
import type { EventType, IntentEventType } from './event-types.js';
import type { JournalEvent, LineageEdge, LineageGraph, LineageNode, LineageNodeKind } from './journal.js';
import { payloadNumber as num, payloadString as str } from './journal.js';

interface EntityRef {
  id: string;
  kind: LineageNodeKind;
  /** The state this event puts the entity in; undefined leaves the state as it was. */
  state?: string;
  label?: string;
}

const ORDER_STATE: Partial<Record<EventType, string>> = {
  OrderRequested: 'REQUESTED',
  OrderPlaced: 'PLACED',
  OrderCancelRequested: 'CANCEL_REQUESTED',
  OrderCanceled: 'CANCELED',
  OrderRejected: 'REJECTED',
  OrderExpired: 'EXPIRED',
  OrderCancelRejected: 'CANCEL_REJECTED',
};

const TRADE_STATE: Partial<Record<EventType, string>> = {
  TradeOpened: 'OPEN',
  TradeIncreased: 'OPEN',
  TradeReduced: 'REDUCED',
  TradeClosed: 'CLOSED',
  TradeCanceled: 'CANCELED',
};

/** Every intent event has its state here (`satisfies`); looked up by any event's type. */
const INTENT_STATE: Partial<Record<EventType, string>> = {
  TradingSignalIntentCreated: 'CREATED',
  TradingSignalIntentGranted: 'GRANTED',
  TradingSignalIntentRejected: 'REJECTED',
  TradingSignalIntentCanceled: 'CANCELED',
  TradingSignalIntentExpired: 'EXPIRED',
} satisfies Record<IntentEventType, string>;

function fillNode(venueEventId: string, event: JournalEvent, final: boolean): EntityRef {
  const size = num(event.payload.size);
  const price = num(event.payload.price);
  const label = size !== undefined && price !== undefined ? `${size} @ ${price}` : 'fill';
  return { id: `fill:${venueEventId}`, kind: 'fill', state: final ? 'FILLED' : 'PARTIAL', label };
}

/** The entities an event belongs to; the first is the one causation edges attach to. */
function entitiesOf(event: JournalEvent): EntityRef[] {
  const p = event.payload;
  const clientOrderId = str(p.clientOrderId);
  const order = (state?: string): EntityRef | undefined =>
    clientOrderId
      ? {
          id: `order:${clientOrderId}`,
          kind: 'order',
          label: orderLabel(p, clientOrderId),
          ...(state ? { state } : {}),
        }
      : undefined;

  if (event.type in INTENT_STATE) {
    const intentId = str(p.intentId) ?? event.correlationId;
    return [
      {
        id: `intent:${intentId}`,
        kind: 'intent',
        // An entry held for the operator's grant (supervised mode) waits; it has not been refused or granted.
        state: p.awaiting === 'supervisor' ? 'AWAITING' : INTENT_STATE[event.type],
        label: intentLabel(p),
      },
    ];
  }
  if (event.type === 'TradingSignalCreated') {
    const signalId = str(p.signalId) ?? event.eventId;
    return [{ id: `signal:${signalId}`, kind: 'signal', state: 'CREATED', label: intentLabel(p) }];
  }
  if (event.type === 'VenueReport') {
    const kind = str(p.kind);
    if (kind === 'FILL' || kind === 'PARTIAL_FILL') return [fillNode(event.eventId, event, kind === 'FILL')];
    const ref = order();
    return ref ? [ref] : [];
  }
  if (event.type === 'OrderFilled' || event.type === 'OrderPartiallyFilled') {
    const filled = event.type === 'OrderFilled';
    const refs: EntityRef[] = [];
    const venueEventId = str(p.venueEventId) ?? event.causationId;
    refs.push(fillNode(venueEventId, event, filled));
    const ref = order(filled ? 'FILLED' : 'PARTIALLY_FILLED');
    if (ref) refs.push(ref);
    return refs;
  }
  if (event.type === 'OrderResent') {
    const ref = order(p.command === 'CANCEL' ? 'CANCEL_REQUESTED' : 'REQUESTED');
    return ref ? [ref] : [];
  }
  if (event.type in ORDER_STATE) {
    const ref = order(ORDER_STATE[event.type]);
    return ref ? [ref] : [];
  }
  const tradeId = str(p.tradeId);
  if (
    tradeId &&
    (event.type in TRADE_STATE || event.type === 'ProfitRealized' || event.type.startsWith('TradeMonitoring'))
  ) {
    // A monitoring close reports why; the trade's own TradeClosed sets its state.
    const state = TRADE_STATE[event.type];
    return [
      { id: `trade:${tradeId}`, kind: 'trade', label: tradeLabel(p, tradeId), ...(state ? { state } : {}) },
    ];
  }
  return [];
}

function intentLabel(p: Record<string, unknown>): string {
  const action = str(p.action) ?? 'ENTER';
  const parts = [action, str(p.side), num(p.targetSize), str(p.asset), str(p.orderType)];
  return parts.filter((part) => part !== undefined).join(' ');
}

function orderLabel(p: Record<string, unknown>, clientOrderId: string): string {
  const parts = [str(p.orderSide) ?? str(p.side), num(p.size), str(p.orderType), clientOrderId];
  return parts.filter((part) => part !== undefined).join(' ');
}

function tradeLabel(p: Record<string, unknown>, tradeId: string): string {
  return [tradeId, str(p.side), str(p.asset)].filter((part) => part !== undefined).join(' ');
}

export function buildLineage(correlationId: string, events: readonly JournalEvent[]): LineageGraph {
  return foldLineage(correlationId, events).graph;
}

/**
 * The seqs of the events that changed the graph: made a node, moved a node to another state, or drew an
 * edge. The others (a monitoring tick, a repeated report) only add to a node's events; a replay can step
 * over them.
 */
export function lineageChanges(correlationId: string, events: readonly JournalEvent[]): number[] {
  return foldLineage(correlationId, events).changes;
}

function foldLineage(
  correlationId: string,
  events: readonly JournalEvent[],
): { graph: LineageGraph; changes: number[] } {
  const nodes = new Map<string, LineageNode>();
  const primary = new Map<string, string>();
  const edges = new Map<string, LineageEdge>();
  const changes: number[] = [];
  const ordered = [...events].filter((e) => e.correlationId === correlationId).sort((a, b) => a.seq - b.seq);

  for (const event of ordered) {
    const refs = entitiesOf(event);
    const first = refs[0];
    if (!first) continue;
    let changed = false;
    primary.set(event.eventId, first.id);
    for (const ref of refs) {
      let node = nodes.get(ref.id);
      if (!node) {
        node = {
          id: ref.id,
          kind: ref.kind,
          state: ref.state ?? 'NEW',
          label: ref.label ?? ref.id,
          events: [],
        };
        nodes.set(ref.id, node);
        changed = true;
      } else if (ref.state && ref.state !== node.state) {
        node.state = ref.state;
        changed = true;
      }
      node.events.push(event);
    }
    const cause = primary.get(event.causationId);
    const edge = `${cause}->${first.id}`;
    if (cause && cause !== first.id && !edges.has(edge)) {
      edges.set(edge, { from: cause, to: first.id });
      changed = true;
    }
    if (changed) changes.push(event.seq);
  }
  return { graph: { correlationId, nodes: [...nodes.values()], edges: [...edges.values()] }, changes };
}
