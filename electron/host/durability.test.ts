// Nothing the operator was told is lost: kill -9 the host right after it
// told a window about a trade, and every fact it told is in the journal.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Journal } from './journal/journal.js';

it('keeps every event a window was told about through a kill -9', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-crash-'));
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'testing/crash-child.ts'), dataDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const told: { sessionId: string; eventId: string; type: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const [, sessionId, eventId, type = ''] = line.split(' ');
          if (sessionId && eventId) told.push({ sessionId, eventId, type });
        }
        // Kill mid-stream, once a fill has been told and with the session still running.
        const filled = told.some((e) => e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled');
        if (filled && told.length >= 12 && !child.killed) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.once('exit', () => resolve());
        }
      });
    });
    // Writable: the killed host's writer lock names a dead process, so it is taken over.
    const journal = new Journal(join(dataDir, 'crash.sqlite'));
    try {
      const sessionId = told[0]!.sessionId;
      const stored = new Set(journal.page(sessionId, 0, 100_000).map((e) => e.eventId));
      for (const { eventId } of told) expect(stored.has(eventId), eventId).toBe(true);
      expect(journal.closeAbandonedSessions()).toEqual([sessionId]);
    } finally {
      journal.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
