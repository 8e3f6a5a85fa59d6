import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from './journal.js';
import { acquireWriterLock, JournalInUse, lockPathOf, processAlive } from './writer-lock.js';

let dir: string;
let journalPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-lock-test-'));
  journalPath = join(dir, 'profile.sqlite');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the journal writer lock', () => {
  it('lets one writer in at a time, naming the holder, and frees the file on release', () => {
    const release = acquireWriterLock(journalPath);
    expect(readFileSync(lockPathOf(journalPath), 'utf8').trim()).toBe(String(process.pid));
    let refused: unknown;
    try {
      acquireWriterLock(journalPath);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(JournalInUse);
    expect((refused as JournalInUse).holderPid).toBe(process.pid);
    expect((refused as Error).message).toContain(`pid ${process.pid}`);
    expect((refused as Error).message).toContain(lockPathOf(journalPath));
    release();
    expect(existsSync(lockPathOf(journalPath))).toBe(false);
    acquireWriterLock(journalPath)();
  });

  it('takes over a lock whose process is gone, as a kill -9 leaves it', () => {
    writeFileSync(lockPathOf(journalPath), '424242\n');
    const deadProcessForTests = (pid: number) => pid !== 424242;
    const release = acquireWriterLock(journalPath, deadProcessForTests);
    expect(readFileSync(lockPathOf(journalPath), 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  it('does not take over a lock it cannot read', () => {
    writeFileSync(lockPathOf(journalPath), 'not a pid');
    expect(() => acquireWriterLock(journalPath, () => false)).toThrow(JournalInUse);
  });

  it('is held by a writable journal from open to close; readers open beside it', () => {
    const writer = new Journal(journalPath);
    expect(() => new Journal(journalPath)).toThrow(JournalInUse);
    const reader = new Journal(journalPath, { readonly: true });
    reader.close();
    writer.close();
    new Journal(journalPath).close();
  });

  it('tells a live process from one that has exited', () => {
    const exited = spawnSync(process.execPath, ['-e', '']);
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(exited.pid!)).toBe(false);
  });
});
