// WebSocket frames of the browser host: parse and validate what a window sends.
import { ClientFrame, MAX_FRAME_BYTES } from '../../shared/index.js';
import type { ServerFrame } from '../../shared/index.js';

/** A refused frame; `id` when the frame carried a readable one, so the window's call gets its answer. */
export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string; id?: number };

type RawData = Buffer | ArrayBuffer | Buffer[] | string;

function byteLengthOf(data: RawData): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.byteLength, 0);
  return data.byteLength;
}

function textOf(data: RawData): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** Reads one client frame: text, at most MAX_FRAME_BYTES, JSON, matching ClientFrame. */
export function parseClientFrame(data: RawData, isBinary = false): ParsedFrame {
  if (isBinary) return { ok: false, message: 'binary frames are not accepted; send JSON text' };
  const size = byteLengthOf(data);
  if (size > MAX_FRAME_BYTES) {
    return { ok: false, message: `frame of ${size} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit` };
  }
  let json: unknown;
  try {
    json = JSON.parse(textOf(data));
  } catch (error) {
    return { ok: false, message: `frame is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = ClientFrame.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue === undefined
        ? 'frame'
        : issue.code === 'unrecognized_keys'
          ? `frame.${issue.keys.join(', ')}`
          : ['frame', ...issue.path.map(String)].join('.');
    const what = issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid');
    const message = `${where}: ${what}; expected {id, name, request}`;
    const id = ClientFrame.shape.id.safeParse((json as { id?: unknown } | null)?.id);
    return id.success ? { ok: false, message, id: id.data } : { ok: false, message };
  }
  return { ok: true, frame: parsed.data };
}

export function encodeServerFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
