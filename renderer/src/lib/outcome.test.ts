import { describe, expect, it } from 'vitest';
import type { CommandError } from '../../../shared/index.js';
import { failureText, outcomeUnknownText } from './outcome.js';
import { decisionFailure } from './risk.js';

const cutOff: CommandError = {
  code: 'OUTCOME_UNKNOWN',
  message: 'the connection dropped before the host answered',
};

describe('a command a drop cut off', () => {
  it('is said to be unknown, with where to look, never refused', () => {
    expect(outcomeUnknownText('order.cancel')).toBe(
      'the connection dropped before the host answered — it may have been carried out; check the open orders once reconnected',
    );
    expect(outcomeUnknownText('control.killSwitch')).toContain(
      'check the trading mode, the slots and orders',
    );
    // A read changed nothing: only its answer is lost.
    expect(outcomeUnknownText('snapshot')).toBe('the connection dropped before the host answered');
  });

  it("is worded apart from a form's refusals, whatever the form's own wording", () => {
    const explain = (error: CommandError) => `size (targetSize): ${error.message}`;
    expect(failureText('intent.submit', cutOff, explain)).toBe(
      'the connection dropped before the host answered — it may have been carried out; check the slots and orders once reconnected',
    );
    const refused: CommandError = { code: 'NO_SESSION', message: 'no session is running' };
    expect(failureText('intent.submit', refused, explain)).toBe('size (targetSize): no session is running');
    expect(failureText('session.stop', refused)).toBe('no session is running');
  });

  it("is said of a grant in the supervisor's row as unknown, and a refusal as refused", () => {
    const entry = { asset: 'SOL/USDT', side: 'LONG' } as const;
    expect(decisionFailure(entry, 'grant', cutOff)).toBe(
      'Grant SOL/USDT LONG: the connection dropped before the host answered — it may have been carried out; check the slots and orders once reconnected',
    );
    expect(decisionFailure(entry, 'reject', cutOff)).toContain('Reject SOL/USDT LONG: ');
    expect(
      decisionFailure(entry, 'grant', {
        code: 'RISK_REJECTED',
        gate: 'static',
        message: 'static gate: over 100',
      }),
    ).toBe('Grant SOL/USDT LONG refused: order limits gate: over 100');
  });
});
