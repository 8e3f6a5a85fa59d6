import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { CockpitEvent } from '../../../shared/index.js';
import { EventBus } from '../event-bus.js';
import { Journal } from '../journal/journal.js';
import { startPaperSession } from './paper-session.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

it('reports a fault in a timer-driven input instead of crashing, and keeps the session running', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paper-session-'));
  const journal = new Journal(join(dir, 'test.sqlite'));
  const bus = new EventBus(() => undefined);
  const seen: CockpitEvent[] = [];
  bus.subscribe((batch) => seen.push(...batch));
  const logged: string[] = [];
  const started = startPaperSession(
    { venue: 'paper', seedCapital: 1_000, maxSlots: 1, tickIntervalMs: 60_000 },
    { journal, bus, now: Date.now, log: (_level, message) => logged.push(message) },
  );
  if (!started.ok) throw new Error(started.error.message);
  const session = started.value;
  cleanups.push(() => {
    session.stop();
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  expect(() =>
    session.guarded('venue reports', () => {
      throw new Error('decoder out of step');
    }),
  ).not.toThrow();
  bus.flush();
  expect(logged[0]).toContain('venue reports failed: Error: decoder out of step');
  expect(seen).toContainEqual(
    expect.objectContaining({
      type: 'notice',
      level: 'error',
      code: 'HOST_FAULT',
      message: expect.stringContaining('decoder out of step'),
    }),
  );
  expect(session.snapshot().session?.sessionId).toBe(session.sessionId);
});
