import { describe, expect, it } from 'vitest';
import { RiskEnvelope, StrategyConfig } from '../../../shared/index.js';
import { limitsSummary, refusalText, strategySummary, ttlSummary } from './risk.js';

describe('risk in words', () => {
  it('says only the limits that are set, the drawdown in percent', () => {
    expect(limitsSummary(RiskEnvelope.parse({}))).toEqual([]);
    const all = RiskEnvelope.parse({
      maxOrderNotional: 500,
      maxAssetNotional: 1000,
      maxGrossNotional: 5000.5,
      maxDrawdown: 0.07,
      shortingDisabled: true,
      allowedOrderTypes: ['MARKET'],
    });
    expect(limitsSummary(all)).toEqual([
      'order ≤ 500',
      'per asset ≤ 1000',
      'gross ≤ 5000.5',
      'drawdown ≤ 7 %',
      'no shorting',
      'MARKET only',
    ]);
  });

  it("says the strategy's entry size and how long an entry waits", () => {
    expect(strategySummary(StrategyConfig.parse({ name: 'breakout', notional: 250 }))).toBe(
      'breakout (250 an entry)',
    );
    expect(ttlSummary(RiskEnvelope.parse({ supervised: true, supervisorTtlMs: 90_000 }))).toBe('90 s');
  });

  it('names the gate that refused, in words, before its reason', () => {
    expect(refusalText({ gate: 'position_risk', message: 'gross notional 5200 over 5000' })).toBe(
      'position risk gate: gross notional 5200 over 5000',
    );
    // The host's own message names the gate by its code name: said once, in words.
    expect(
      refusalText({ gate: 'static', message: 'static gate: the entry is worth 640 USDT, over the 100 USDT' }),
    ).toBe('order limits gate: the entry is worth 640 USDT, over the 100 USDT');
    expect(refusalText({ message: `over 1${'0'.repeat(20)}` })).toBe('over 1e+20');
  });
});
