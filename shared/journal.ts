// The journal's event envelope and the lineage graph drawn from it.
import { z } from 'zod';
import { EVENT_TYPES } from './event-types.js';

/** Who wrote the fact: the host (intents, risk, signals), the venue (its reports), the kernel (state changes). */
export const EventSource = z.enum(['host', 'venue', 'kernel']);
export type EventSource = z.infer<typeof EventSource>;

/**
 * One row of the journal. `seq` is gap-free per session and is the order of
 * truth; `correlationId` is the lineage (the intent that started it) and
 * `causationId` the event that directly caused this one.
 */
export const JournalEvent = z.object({
  sessionId: z.string(),
  seq: z.number().int().positive(),
  eventId: z.string(),
  type: z.enum(EVENT_TYPES),
  source: EventSource,
  correlationId: z.string(),
  causationId: z.string(),
  ts: z.number(),
  payload: z.record(z.string(), z.unknown()),
});
export type JournalEvent = z.infer<typeof JournalEvent>;

export const LineageNodeKind = z.enum(['intent', 'signal', 'order', 'fill', 'trade']);
export type LineageNodeKind = z.infer<typeof LineageNodeKind>;

export const LineageNode = z.object({
  id: z.string(),
  kind: LineageNodeKind,
  /** The latest state the node's events put it in, e.g. FILLED, CANCELED, CLOSED. */
  state: z.string(),
  label: z.string(),
  /** The node's events in journal order. */
  events: z.array(JournalEvent),
});
export type LineageNode = z.infer<typeof LineageNode>;

export const LineageEdge = z.object({ from: z.string(), to: z.string() });
export type LineageEdge = z.infer<typeof LineageEdge>;

export const LineageGraph = z.object({
  correlationId: z.string(),
  nodes: z.array(LineageNode),
  edges: z.array(LineageEdge),
});
export type LineageGraph = z.infer<typeof LineageGraph>;

/** A payload field read as text, if it is one (payloads are JSON: untyped past the journal's columns). */
export const payloadString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** A payload field read as a finite number, if it is one. */
export const payloadNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
