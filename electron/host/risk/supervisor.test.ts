import { describe, expect, it } from 'vitest';
import { IntentRequest, RiskEnvelope } from '../../../shared/index.js';
import { IntentWindow } from './intent-window.js';
import { SupervisorQueue, type HeldIntent } from './supervisor.js';

const proposal = (extra: object = {}) =>
  IntentRequest.parse({
    asset: 'BTC/USDT',
    side: 'LONG',
    targetSize: 0.01,
    signalProvider: 'breakout',
    ...extra,
  });

function held(intentId: string, createdAt: number, ttl = 1_000, extra: object = {}): HeldIntent {
  return {
    request: proposal(extra),
    intentId,
    correlationId: intentId,
    createdEventId: `h-${intentId}`,
    referencePrice: 60_000,
    mark: 60_000,
    createdAt,
    expiresAt: createdAt + ttl,
  };
}

describe('the supervisor queue', () => {
  it("holds only a strategy's entries, and only in supervised mode", () => {
    const supervised = new SupervisorQueue(RiskEnvelope.parse({ supervised: true }));
    expect(supervised.holds(proposal())).toBe(true);
    expect(supervised.holds(proposal({ signalProvider: 'operator' }))).toBe(false);
    expect(supervised.holds(proposal({ action: 'EXIT', tradeId: 'T1' }))).toBe(false);
    expect(new SupervisorQueue(RiskEnvelope.parse({})).holds(proposal())).toBe(false);
  });

  it('lists the oldest first, decides each entry once, and expires them in order', () => {
    const queue = new SupervisorQueue(RiskEnvelope.parse({ supervised: true, supervisorTtlMs: 1_000 }));
    expect(queue.expiryOf(5_000)).toBe(6_000);
    queue.hold(held('a', 0, 3_000));
    queue.hold(
      held('b', 100, 1_000, { asset: 'ETH/USDT', limitPrice: 3_000, orderType: 'LIMIT', targetSize: 2 }),
    );
    queue.hold(held('c', 200, 2_000));
    expect(queue.list().map((p) => p.intentId)).toEqual(['a', 'b', 'c']);
    expect(queue.list()[1]).toMatchObject({ notional: 6_000, limitPrice: 3_000, expiresAt: 1_100 });
    queue.hold(held('r', 300, 5_000, { reason: 'new high over the last 50 marks' }));
    expect(queue.list().at(-1)?.reason).toBe('new high over the last 50 marks');
    queue.take('r');
    expect(queue.nextExpiry()).toBe(1_100);
    expect(queue.waitingIn('ETH/USDT', 'breakout')).toBe(true);
    expect(queue.waitingIn('ETH/USDT', 'other')).toBe(false);
    expect(queue.expired(1_099)).toEqual([]);
    expect(queue.expired(2_200).map((h) => h.intentId)).toEqual(['b', 'c']);
    // Found, not taken: each leaves once its ending is journaled.
    expect(queue.list()).toHaveLength(3);
    queue.take('b');
    queue.take('c');
    expect(queue.find('a')?.intentId).toBe('a');
    queue.take('a');
    expect(queue.find('a')).toBeUndefined();
    expect(queue.nextExpiry()).toBeUndefined();
    queue.hold(held('d', 0));
    expect(queue.all().map((h) => h.intentId)).toEqual(['d']);
    queue.takeAll();
    expect(queue.list()).toEqual([]);
  });
});

describe('the idempotency window', () => {
  it('remembers the newest ids up to its capacity', () => {
    const window = new IntentWindow(3);
    for (const id of ['a', 'b', 'c', 'a', 'd']) window.remember(id);
    expect(['a', 'b', 'c', 'd'].map((id) => window.has(id))).toEqual([false, true, true, true]);
  });
});
