// Nothing the operator was told is lost: kill -9 the host right after it
// told a window about a trade, and every fact it told is in the journal. An
// exchange session killed so is resumed by the next host, against the same
// exchange, which went on while the host was dead.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCockpit } from './index.js';
import { Journal } from './journal/journal.js';
import { doubleAccess, TestnetDouble } from './testing/testnet-double.js';

interface Told {
  sessionId: string;
  eventId: string;
  type: string;
}

/** Runs crash-child.ts with `args`, and kills it with SIGKILL once `due` says so of what it told. */
async function killWhen(args: string[], due: (told: Told[]) => boolean): Promise<Told[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'testing/crash-child.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const told: Told[] = [];
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
      if (due(told) && !child.killed) {
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        child.once('exit', () => resolve());
      }
    });
  });
  return told;
}

function expectAllStored(journal: Journal, told: Told[]): void {
  const stored = new Set(journal.page(told[0]!.sessionId, 0, 100_000).map((e) => e.eventId));
  for (const { eventId } of told) expect(stored.has(eventId), eventId).toBe(true);
}

it('keeps every event a window was told about through a kill -9', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-crash-'));
  try {
    // Kill mid-stream, once a fill has been told and with the session still running.
    const told = await killWhen(
      [dataDir],
      (seen) =>
        seen.some((e) => e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled') && seen.length >= 12,
    );
    // Writable: the killed host's writer lock names a dead process, so it is taken over.
    const journal = new Journal(join(dataDir, 'crash.sqlite'));
    try {
      expectAllStored(journal, told);
      expect(journal.closeAbandonedSessions()).toEqual([told[0]!.sessionId]);
    } finally {
      journal.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('resumes an exchange session killed with -9: what it was told is kept, and what the exchange did meanwhile is read', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-crash-exchange-'));
  const accountFile = join(dataDir, 'exchange-account.json');
  try {
    // Killed once the BTC entry filled and the ETH limit entry rests on the exchange.
    const told = await killWhen(
      [dataDir, accountFile],
      (seen) =>
        seen.some((e) => e.type === 'OrderFilled') &&
        seen.filter((e) => e.type === 'OrderPlaced').length === 2,
    );
    const { sessionId } = told[0]!;
    const exchange = TestnetDouble.load(accountFile);
    exchange.setPrice('ETH/USDT:USDT', 3_090);
    const cockpit = createCockpit({
      dataDir,
      profile: 'crash',
      exchanges: doubleAccess(exchange),
    });
    try {
      const listed = (await cockpit.invoke('session.list', {})) as { sessions: { interruptedAt?: number }[] };
      expect(listed.sessions[0]?.interruptedAt).toEqual(expect.any(Number));
      expect(await cockpit.invoke('session.resume', { sessionId })).toMatchObject({
        ok: true,
        differences: 0,
        mode: 'ACTIVE',
      });
      const { slots } = (await cockpit.invoke('snapshot', {})) as {
        slots: { asset?: string; size: number }[];
      };
      expect(slots.filter((s) => s.size > 0).map((s) => [s.asset, s.size])).toEqual([
        ['BTC/USDT', 0.01],
        ['ETH/USDT', 0.1],
      ]);
      // Nothing re-sent: the exchange saw the two entries once each.
      expect(exchange.calledTimes('createOrder')).toBe(0);
    } finally {
      await cockpit.close();
    }
    const journal = new Journal(join(dataDir, 'crash.sqlite'), { readonly: true });
    try {
      expectAllStored(journal, told);
    } finally {
      journal.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
