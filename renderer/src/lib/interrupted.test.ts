import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../shared/index.js';
import {
  interruptedSessions,
  interruptedWords,
  isInterrupted,
  refusalWords,
  resumedNotice,
} from './interrupted.js';

const binance = { id: 'binanceusdm', name: 'Binance USDⓈ-M', testnet: true } as const;

const info = (over: Partial<SessionInfo> = {}): SessionInfo => ({
  sessionId: 'S20261122-2030-08f364',
  startedAt: Date.UTC(2026, 10, 22, 20, 30),
  venue: 'ccxt',
  exchange: binance,
  symbols: ['BTC/USDT'],
  seed: 0,
  seedCapital: 10_000,
  maxSlots: 4,
  ...over,
});

// A local time, so the words do not depend on the machine's time zone.
const interruptedAt = new Date(2026, 10, 22, 21, 7, 30).getTime();

describe('interrupted sessions', () => {
  it('are the open sessions the host marked with the time of their last fact, in the list order', () => {
    const stopped = info({ sessionId: 'S-stopped', stoppedAt: interruptedAt });
    const newer = info({ sessionId: 'S-newer', interruptedAt });
    const older = info({ sessionId: 'S-older', interruptedAt: interruptedAt - 1 });
    const running = info({ sessionId: 'S-running', venue: 'paper', exchange: undefined });
    expect(interruptedSessions([newer, stopped, running, older]).map((s) => s.sessionId)).toEqual([
      'S-newer',
      'S-older',
    ]);
    expect(isInterrupted(stopped)).toBe(false);
    expect(interruptedSessions([])).toEqual([]);
  });

  it('say where the session traded, when it stopped in local time, and what may still be live', () => {
    const [shown] = interruptedSessions([info({ interruptedAt })]);
    expect(interruptedWords(shown!)).toBe(
      'Session S20261122-2030-08f364 on Binance USDⓈ-M testnet was interrupted at 2026-11-22 21:07: ' +
        'its positions and orders may still be live on the exchange.',
    );
  });
});

describe('a resume', () => {
  const resumed = { sessionId: 'S1', symbols: ['BTC/USDT'] };

  it('says the exchange agrees with the kernel when it found no difference', () => {
    expect(resumedNotice({ ...resumed, differences: 0, mode: 'ACTIVE' })).toEqual({
      level: 'info',
      code: 'SESSION_RESUMED',
      message: 'Resumed S1: the exchange agrees with the kernel',
    });
  });

  it('warns of the differences and the trading mode they left, counted in words', () => {
    expect(resumedNotice({ ...resumed, differences: 3, mode: 'REDUCING' })).toEqual({
      level: 'warning',
      code: 'SESSION_RESUMED',
      message: 'Resumed S1: 3 differences — trading is REDUCING until you have looked',
    });
    expect(resumedNotice({ ...resumed, differences: 1, mode: 'REDUCING' }).message).toBe(
      'Resumed S1: 1 difference — trading is REDUCING until you have looked',
    );
  });
});

describe('a refused resume or abandon', () => {
  it("says which was refused and the host's reason", () => {
    const unreachable = { code: 'VENUE_REJECTED', message: "Binance USDⓈ-M's testnet did not answer" };
    expect(refusalWords('resume', unreachable)).toBe(
      "Resume refused: Binance USDⓈ-M's testnet did not answer",
    );
    expect(refusalWords('abandon', { message: 'sessionId: S1 has ended (STOPPED)' })).toBe(
      'Abandon refused: sessionId: S1 has ended (STOPPED)',
    );
  });
});
