import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../shared/index.js';
import { parseClientFrame } from './frames.js';

describe('parseClientFrame', () => {
  it('reads a valid frame from text or a buffer', () => {
    const text = JSON.stringify({ id: 7, name: 'snapshot', request: {} });
    expect(parseClientFrame(text)).toEqual({ ok: true, frame: { id: 7, name: 'snapshot', request: {} } });
    expect(parseClientFrame(Buffer.from(text))).toMatchObject({ ok: true });
    expect(parseClientFrame([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))])).toMatchObject({
      ok: true,
    });
  });

  it('refuses binary, oversized and non-JSON frames with a message', () => {
    expect(parseClientFrame(Buffer.from('{}'), true)).toEqual({
      ok: false,
      message: expect.stringMatching(/binary/),
    });
    const big = JSON.stringify({ id: 1, name: 'x', request: { pad: 'a'.repeat(MAX_FRAME_BYTES) } });
    expect(parseClientFrame(big)).toEqual({
      ok: false,
      message: expect.stringMatching(/exceeds the 65536-byte/),
    });
    expect(parseClientFrame('{not json')).toEqual({
      ok: false,
      message: expect.stringMatching(/not valid JSON/),
    });
  });

  it('refuses frames that do not match {id, name, request}, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /^frame/],
      [[], /^frame/],
      [{ id: -1, name: 'x', request: {} }, /frame\.id/],
      [{ id: 1.5, name: 'x', request: {} }, /frame\.id/],
      [{ id: 1, name: 42, request: {} }, /frame\.name/],
      [{ id: 1, name: 'x'.repeat(65), request: {} }, /frame\.name/],
      [{ id: 1, name: 'x', request: [1] }, /frame\.request/],
      [{ id: 1, name: 'x' }, /frame\.request/],
      [{ id: 1, name: 'x', request: {}, extra: true }, /frame\.extra: unknown field/],
    ];
    for (const [frame, message] of cases) {
      const id = (frame as { id?: unknown } | null)?.id;
      // A readable id comes back, so the window's call is answered rather than left waiting.
      const readable = typeof id === 'number' && Number.isInteger(id) && id >= 0;
      expect(parseClientFrame(JSON.stringify(frame)), JSON.stringify(frame)).toEqual({
        ok: false,
        message: expect.stringMatching(message),
        ...(readable ? { id } : {}),
      });
    }
  });
});
