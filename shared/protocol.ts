// Transport frames. Electron IPC and the browser host's WebSocket carry the
// same command map; these are the envelopes around it.
import { z } from 'zod';
import type { CockpitEvent } from './events.js';

export { IPC_EVENTS, IPC_INVOKE } from './channels.js';

/** The largest WebSocket frame the host will parse. */
export const MAX_FRAME_BYTES = 64 * 1024;

export const ClientFrame = z.strictObject({
  id: z.number().int().nonnegative(),
  name: z.string().max(64),
  request: z.record(z.string(), z.unknown()),
});
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | { kind: 'response'; id: number; response: unknown }
  | { kind: 'events'; batch: CockpitEvent[] }
  /** A frame the host could not read; the connection stays open. */
  | { kind: 'protocol-error'; message: string };
