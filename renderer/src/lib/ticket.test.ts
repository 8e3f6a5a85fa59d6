import { describe, expect, it } from 'vitest';
import {
  fromZodError,
  OrderType,
  RiskEnvelope,
  SessionStartRequest,
  StrategyConfig,
  type FeedListing,
} from '../../../shared/index.js';
import { SYNTHETIC, type FeedShelf } from './market.js';
import {
  buildIntentRequest,
  buildSessionRequest,
  checkIntent,
  checkSession,
  explainError,
  intentWords,
  isRiskField,
  NO_RISK,
  sessionWords,
  type RiskForm,
  type SessionForm,
  type TicketForm,
} from './ticket.js';

const form = (over: Partial<TicketForm> = {}): TicketForm => ({
  asset: 'BTC/USDT',
  side: 'LONG',
  orderType: 'MARKET',
  size: '0.01',
  limit: '',
  leverage: '1',
  legs: '',
  takeProfit: '',
  stopLoss: '',
  ...over,
});

describe('intent ticket', () => {
  it('sends what was typed and omits empty optional fields', () => {
    expect(buildIntentRequest(form())).toEqual({
      asset: 'BTC/USDT',
      side: 'LONG',
      orderType: 'MARKET',
      targetSize: 0.01,
      leverage: 1,
    });
  });

  it('reads numbers as typed: "-1" stays -1 and "NaN" stays NaN', () => {
    const request = buildIntentRequest(form({ size: '-1', orderType: 'LIMIT', limit: 'NaN' }));
    expect(request.targetSize).toBe(-1);
    expect(request.limitPrice).toBeNaN();
  });

  it('splits exit legs on commas', () => {
    expect(buildIntentRequest(form({ legs: '0.5, 0.5' })).exitLegRatios).toEqual([0.5, 0.5]);
  });

  it('names the field and the value of a negative size', () => {
    const checked = checkIntent(form({ size: '-1' }));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.code).toBe('INVALID_REQUEST');
    expect(checked.error.field).toBe('targetSize');
    expect(checked.error.message).toBe('size (targetSize): must be greater than 0 (got -1)');
  });

  it('names NaN itself, since NaN would reach the host as null', () => {
    const checked = checkIntent(form({ orderType: 'LIMIT', limit: 'NaN' }));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.field).toBe('limitPrice');
    expect(checked.error.message).toBe('limit price (limitPrice): "NaN" is not a number');
  });

  it('refuses a LIMIT order without a limit price and a malformed symbol', () => {
    const limit = checkIntent(form({ orderType: 'LIMIT' }));
    expect(!limit.ok && limit.error.message).toBe(
      'limit price (limitPrice): a LIMIT order needs a limit price (got nothing)',
    );
    const symbol = checkIntent(form({ asset: 'btc' }));
    expect(!symbol.ok && symbol.error.field).toBe('asset');
  });

  it('refuses exit legs that do not sum to 1', () => {
    const checked = checkIntent(form({ legs: '0.5,0.2' }));
    expect(!checked.ok && checked.error.message).toBe(
      'exit legs (exitLegRatios): ratios must sum to 1 (got [0.5,0.2])',
    );
  });

  it('lets a well-formed unknown symbol through for the host to judge', () => {
    const checked = checkIntent(form({ asset: 'XYZ/USDT' }));
    expect(checked.ok).toBe(true);
  });

  it('passes a full LIMIT ticket unchanged', () => {
    const checked = checkIntent(
      form({
        orderType: 'LIMIT',
        limit: '100',
        legs: '0.5,0.5',
        takeProfit: '120',
        stopLoss: '90',
        leverage: '3',
      }),
    );
    expect(checked).toEqual({
      ok: true,
      request: {
        asset: 'BTC/USDT',
        side: 'LONG',
        orderType: 'LIMIT',
        targetSize: 0.01,
        limitPrice: 100,
        leverage: 3,
        exitLegRatios: [0.5, 0.5],
        takeProfit: 120,
        stopLoss: 90,
      },
    });
  });
});

const session = (over: Partial<SessionForm> = {}): SessionForm => ({
  venue: 'paper',
  market: SYNTHETIC,
  seed: '',
  speed: '',
  symbols: 'BTC/USDT',
  capital: '',
  slots: '',
  risk: NO_RISK,
  ...over,
});

const withRisk = (over: Partial<RiskForm>): SessionForm => session({ risk: { ...NO_RISK, ...over } });

describe('session form', () => {
  it('builds session.start from the bar, omitting an empty seed', () => {
    expect(
      buildSessionRequest(session({ symbols: 'BTC/USDT, ETH/USDT', capital: '5000', slots: '2' })),
    ).toEqual({ venue: 'paper', symbols: ['BTC/USDT', 'ETH/USDT'], seedCapital: 5000, maxSlots: 2 });
  });

  it('reads symbols separated by commas, spaces, or both', () => {
    for (const symbols of [
      'BTC/USDT ETH/USDT',
      'BTC/USDT,ETH/USDT',
      ' BTC/USDT , ETH/USDT ',
      'BTC/USDT\tETH/USDT,',
    ]) {
      expect(buildSessionRequest(session({ symbols }))).toEqual({
        venue: 'paper',
        symbols: ['BTC/USDT', 'ETH/USDT'],
      });
    }
  });

  it("refuses a symbol too long to be one in words, not zod's", () => {
    const symbols = `BTC/USDT, ${'X'.repeat(40)}`;
    const checked = checkSession(session({ symbols }));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.message).toMatch(
      /^symbols #2 \(symbols\.1\): is longer than \d+ characters \(got "X+"\)$/,
    );
  });

  it('refuses a fractional slot count by name', () => {
    const checked = checkSession(session({ seed: '7', capital: '1000', slots: '1.5' }));
    expect(!checked.ok && checked.error.field).toBe('maxSlots');
  });
});

describe('session form, risk and strategy', () => {
  it('sends no risk and no strategy when none was set, so the schema defaults hold', () => {
    expect(buildSessionRequest(session())).toEqual({ venue: 'paper', symbols: ['BTC/USDT'] });
    expect(buildSessionRequest(withRisk({ supervisorTtl: '30', strategyNotional: '250' }))).toEqual({
      venue: 'paper',
      symbols: ['BTC/USDT'],
    });
  });

  it('sends the limits, the drawdown as a fraction, the TTL in ms and the strategy with its notional', () => {
    const checked = checkSession(
      withRisk({
        strategy: 'breakout',
        strategyNotional: '250',
        supervised: true,
        supervisorTtl: '1.1',
        maxOrderNotional: '500',
        maxAssetNotional: '1000',
        maxGrossNotional: '5000',
        maxDrawdown: '10',
        shortingDisabled: true,
      }),
    );
    expect(checked).toEqual({
      ok: true,
      request: {
        venue: 'paper',
        symbols: ['BTC/USDT'],
        risk: {
          maxOrderNotional: 500,
          maxAssetNotional: 1000,
          maxGrossNotional: 5000,
          maxDrawdown: 0.1,
          shortingDisabled: true,
          supervised: true,
          supervisorTtlMs: 1100,
        },
        strategy: { name: 'breakout', notional: 250 },
      },
    });
  });

  it("leaves the strategy's notional to its default when empty, and the TTL out when unsupervised", () => {
    expect(buildSessionRequest(withRisk({ strategy: 'breakout', supervisorTtl: '2' }))).toEqual({
      venue: 'paper',
      symbols: ['BTC/USDT'],
      strategy: { name: 'breakout' },
    });
    expect(buildSessionRequest(withRisk({ supervised: true })).risk).toEqual({ supervised: true });
  });

  it('names a refused limit in words, its bounds in the units it was typed in', () => {
    const message = (over: Partial<RiskForm>) => {
      const checked = checkSession(withRisk(over));
      return checked.ok ? null : checked.error.message;
    };
    expect(message({ maxDrawdown: '150' })).toBe(
      'max drawdown % (risk.maxDrawdown): must be less than 100 (got 150)',
    );
    expect(message({ maxDrawdown: '0' })).toBe(
      'max drawdown % (risk.maxDrawdown): must be greater than 0 (got 0)',
    );
    // The TTL's bounds are the schema's, said in seconds.
    const ttl = RiskEnvelope.shape.supervisorTtlMs.unwrap();
    const [least, most] = [ttl.minValue! / 1000, ttl.maxValue! / 1000];
    expect(message({ supervised: true, supervisorTtl: String(least / 2) })).toBe(
      `TTL seconds (risk.supervisorTtlMs): must be at least ${least} (got ${least / 2})`,
    );
    expect(message({ supervised: true, supervisorTtl: String(most * 2) })).toBe(
      `TTL seconds (risk.supervisorTtlMs): must be at most ${most} (got ${most * 2})`,
    );
    expect(message({ maxOrderNotional: '-5' })).toBe(
      'max order notional (risk.maxOrderNotional): must be greater than 0 (got -5)',
    );
    expect(message({ maxGrossNotional: 'lots' })).toBe(
      'max gross notional (risk.maxGrossNotional): "lots" is not a number',
    );
    expect(message({ strategy: 'breakout', strategyNotional: '0' })).toBe(
      'strategy notional (strategy.notional): must be greater than 0 (got 0)',
    );
  });

  it("words the host's refusal of a risk field alike, and knows it for one", () => {
    const form = withRisk({ maxDrawdown: '100' });
    const refusal = {
      field: 'risk.maxDrawdown',
      message: 'risk.maxDrawdown: Too big: expected number to be <1 (got 1)',
    };
    expect(explainError(refusal, sessionWords(form))).toBe(
      'max drawdown % (risk.maxDrawdown): must be less than 100 (got 100)',
    );
    expect(isRiskField('risk.maxDrawdown')).toBe(true);
    expect(isRiskField('strategy.notional')).toBe(true);
    expect(isRiskField('maxSlots')).toBe(false);
    expect(isRiskField(undefined)).toBe(false);
  });
});

describe('session form, strategy parameters and order types', () => {
  const message = (over: Partial<RiskForm>) => {
    const checked = checkSession(withRisk(over));
    return checked.ok ? null : checked.error.message;
  };
  /** A strategy parameter's bounds, from the schema. */
  const bounds = (key: 'lookbackTicks' | 'cooldownMs' | 'takeProfitPct' | 'stopLossPct') => {
    const number = StrategyConfig.shape[key].unwrap();
    return [number.minValue!, number.maxValue!] as const;
  };

  it('sends no parameter left empty and no order types while all are checked, so the defaults hold', () => {
    expect(NO_RISK.allowedOrderTypes).toEqual(OrderType.options);
    expect(checkSession(withRisk({ strategy: 'breakout' }))).toEqual({
      ok: true,
      request: { venue: 'paper', symbols: ['BTC/USDT'], strategy: { name: 'breakout' } },
    });
    // Checked in another order is still every type: no restriction.
    expect(buildSessionRequest(withRisk({ allowedOrderTypes: ['LIMIT', 'MARKET'] }))).not.toHaveProperty(
      'risk',
    );
  });

  it('leaves the parameters out without a strategy, whatever their hidden fields still hold', () => {
    expect(
      checkSession(
        withRisk({ lookbackTicks: '1', cooldown: 'soon', takeProfitPct: '-1', stopLossPct: '99' }),
      ),
    ).toEqual({ ok: true, request: { venue: 'paper', symbols: ['BTC/USDT'] } });
  });

  it('sends the parameters, the cooldown typed in seconds as whole milliseconds, the percentages as typed', () => {
    const checked = checkSession(
      withRisk({
        strategy: 'breakout',
        lookbackTicks: '20',
        cooldown: '7.5',
        takeProfitPct: '1.5',
        stopLossPct: '0.75',
      }),
    );
    expect(checked.ok && checked.request.strategy).toEqual({
      name: 'breakout',
      lookbackTicks: 20,
      cooldownMs: 7500,
      takeProfitPct: 1.5,
      stopLossPct: 0.75,
    });
    // 5.1 s is 5099.999999999999 ms in floating point: rounded, it is not refused as fractional.
    const cooldown = checkSession(withRisk({ strategy: 'breakout', cooldown: '5.1' }));
    expect(cooldown.ok && cooldown.request.strategy?.cooldownMs).toBe(5100);
  });

  it('sends the one order type left checked', () => {
    for (const type of OrderType.options) {
      const checked = checkSession(withRisk({ allowedOrderTypes: [type] }));
      expect(checked.ok && checked.request.risk).toEqual({ allowedOrderTypes: [type] });
    }
  });

  it('refuses no order type checked, in words, before sending', () => {
    const checked = checkSession(withRisk({ allowedOrderTypes: [] }));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.field).toBe('risk.allowedOrderTypes');
    expect(checked.error.message).toBe('order types (risk.allowedOrderTypes): needs at least 1 (got none)');
    expect(isRiskField(checked.error.field)).toBe(true);
  });

  it('names a refused parameter in words and echoes what was typed, bounds in the typed units', () => {
    const strategy = 'breakout';
    const [fewest, most] = bounds('lookbackTicks');
    expect(message({ strategy, lookbackTicks: String(fewest - 1) })).toBe(
      `lookback ticks (strategy.lookbackTicks): must be at least ${fewest} (got ${fewest - 1})`,
    );
    expect(message({ strategy, lookbackTicks: String(most + 1) })).toBe(
      `lookback ticks (strategy.lookbackTicks): must be at most ${most} (got ${most + 1})`,
    );
    expect(message({ strategy, lookbackTicks: '20.5' })).toBe(
      'lookback ticks (strategy.lookbackTicks): must be a whole number (got 20.5)',
    );

    // The cooldown's bounds are the schema's milliseconds, said in seconds.
    const [shortest, longest] = bounds('cooldownMs').map((ms) => ms / 1000);
    expect(message({ strategy, cooldown: String(shortest! - 1) })).toBe(
      `cooldown seconds (strategy.cooldownMs): must be at least ${shortest} (got ${shortest! - 1})`,
    );
    expect(message({ strategy, cooldown: String(longest! * 2) })).toBe(
      `cooldown seconds (strategy.cooldownMs): must be at most ${longest} (got ${longest! * 2})`,
    );
    expect(message({ strategy, cooldown: 'soon' })).toBe(
      'cooldown seconds (strategy.cooldownMs): "soon" is not a number',
    );

    // The percentages are the schema's own unit: their bounds are said as they are.
    const [nearest, farthest] = bounds('takeProfitPct');
    expect(message({ strategy, takeProfitPct: '0.01' })).toBe(
      `take profit % (strategy.takeProfitPct): must be at least ${nearest} (got 0.01)`,
    );
    expect(message({ strategy, takeProfitPct: String(farthest * 2) })).toBe(
      `take profit % (strategy.takeProfitPct): must be at most ${farthest} (got ${farthest * 2})`,
    );
    expect(message({ strategy, stopLossPct: '-1' })).toBe(
      `stop loss % (strategy.stopLossPct): must be at least ${bounds('stopLossPct')[0]} (got -1)`,
    );
    expect(message({ strategy, stopLossPct: '1e999' })).toBe(
      'stop loss % (strategy.stopLossPct): "1e999" is too large',
    );
  });

  it("words the host's refusal of the cooldown in seconds, as typed", () => {
    const form = withRisk({ strategy: 'breakout', cooldown: '1' });
    const refusal = {
      field: 'strategy.cooldownMs',
      message: 'strategy.cooldownMs: Too small: expected number to be >=5000 (got 1000)',
    };
    expect(explainError(refusal, sessionWords(form))).toBe(
      'cooldown seconds (strategy.cooldownMs): must be at least 5 (got 1)',
    );
    expect(isRiskField('strategy.cooldownMs')).toBe(true);
  });
});

describe('intent ticket, order type', () => {
  it('leaves a stale limit price out of a MARKET ticket', () => {
    const checked = checkIntent(form({ asset: 'XYZ/USDT', orderType: 'MARKET', limit: 'NaN' }));
    expect(checked).toEqual({
      ok: true,
      request: { asset: 'XYZ/USDT', side: 'LONG', orderType: 'MARKET', targetSize: 0.01, leverage: 1 },
    });
  });
});

describe("errors in the form's words", () => {
  const message = (over: Partial<TicketForm>) => {
    const checked = checkIntent(form(over));
    return checked.ok ? null : checked.error.message;
  };

  it('echoes a size that is not a number as typed', () => {
    expect(message({ size: 'abc' })).toBe('size (targetSize): "abc" is not a number');
    expect(message({ size: ' 0.5 ' })).toBeNull();
    expect(message({ size: '.5' })).toBeNull();
    expect(message({ size: '1e999' })).toBe('size (targetSize): "1e999" is too large');
    expect(message({ leverage: '500' })).toBe('leverage: must be at most 125 (got 500)');
  });

  it('takes plain decimal text only, not what Number() also reads, and names the field', () => {
    // Number() alone reads "0x10" as 16 and "0b11" as 3.
    expect(message({ size: '0x10' })).toBe('size (targetSize): "0x10" is not a number');
    expect(message({ leverage: '0b11' })).toBe('leverage: "0b11" is not a number');
    expect(message({ orderType: 'LIMIT', limit: '1 000' })).toBe(
      'limit price (limitPrice): "1 000" is not a number',
    );
    expect(message({ takeProfit: '+70000' })).toBe('take profit (takeProfit): "+70000" is not a number');
    expect(message({ stopLoss: 'Infinity' })).toBe('stop loss (stopLoss): "Infinity" is not a number');
    expect(message({ legs: '0.5,0x1' })).toBe('exit legs #2 (exitLegRatios.1): "0x1" is not a number');
    const hex = checkSession(session({ capital: '0x2710' }));
    expect(!hex.ok && hex.error.message).toBe('capital (seedCapital): "0x2710" is not a number');
  });

  it('keeps the schema field in the answer for whoever looks it up', () => {
    const checked = checkIntent(form({ size: 'abc' }));
    expect(!checked.ok && checked.error.field).toBe('targetSize');
    expect(!checked.ok && checked.error.code).toBe('INVALID_REQUEST');
  });

  it('names an exit leg by its position', () => {
    expect(message({ legs: '0.5,,0.5' })).toBe('exit legs #2 (exitLegRatios.1): is empty');
    expect(message({ legs: '1.5' })).toBe('exit legs #1 (exitLegRatios.0): must be at most 1 (got 1.5)');
    expect(message({ legs: '0.5,x' })).toBe('exit legs #2 (exitLegRatios.1): "x" is not a number');
  });

  it("words the host's refusals with the ticket's labels and what was typed", () => {
    const typed = form({ size: '1e300' });
    const huge = {
      code: 'KERNEL_REJECTED' as const,
      field: 'targetSize',
      message: `targetSize: magnitude above 1e10 (got 1${'0'.repeat(300)})`,
    };
    expect(explainError(huge, intentWords(typed))).toBe(
      'size (targetSize): magnitude above 1e10 (got 1e300)',
    );
    const tick = {
      field: 'limitPrice',
      message: "limitPrice: must be a multiple of ETH/USDT's tick size 0.01 (got 1600.123)",
    };
    expect(explainError(tick, intentWords(form({ orderType: 'LIMIT', limit: '1600.123' })))).toBe(
      "limit price (limitPrice): must be a multiple of ETH/USDT's tick size 0.01 (got 1600.123)",
    );
    const asset = { field: 'asset', message: 'asset: XYZ/USDT is not traded in this session (BTC/USDT)' };
    expect(explainError(asset, intentWords(form()))).toBe(asset.message);
  });

  it('leaves a message without a field as it is, long numbers aside', () => {
    expect(explainError({ message: 'no session is running: start one first' }, intentWords(form()))).toBe(
      'no session is running: start one first',
    );
    expect(explainError({ message: `over 1${'0'.repeat(40)}` }, intentWords(form()))).toBe('over 1e+40');
  });

  it("uses the session bar's labels", () => {
    const typed = session({ seed: '7', capital: 'lots', slots: '0' });
    const capital = checkSession(typed);
    expect(!capital.ok && capital.error.message).toBe('capital (seedCapital): "lots" is not a number');
    const slots = checkSession({ ...typed, capital: '1000' });
    expect(!slots.ok && slots.error.message).toBe('slots (maxSlots): must be at least 1 (got 0)');
    const fraction = checkSession({ ...typed, capital: '1000', slots: '1.5' });
    expect(!fraction.ok && fraction.error.message).toBe('slots (maxSlots): must be a whole number (got 1.5)');
    expect(sessionWords(typed).labels.seedCapital).toBe('capital');
  });
});

describe('session form, market', () => {
  const btc: FeedListing = {
    name: 'btc-eth.csv',
    bytes: 2048,
    modifiedAt: Date.UTC(2024, 2, 2),
    contents: {
      symbols: ['BTC/USDT', 'ETH/USDT'],
      rows: 2880,
      from: Date.UTC(2024, 2, 1),
      to: Date.UTC(2024, 2, 1, 23, 59),
      snappedPrices: 0,
    },
  };
  const broken: FeedListing = {
    name: 'broken.csv',
    bytes: 10,
    modifiedAt: Date.UTC(2024, 2, 2),
    problem: 'line 3, column price: "abc" is not a number',
  };
  const shelf: FeedShelf = { folder: '/data/feeds', feeds: [btc, broken] };
  const replay = (over: Partial<SessionForm> = {}) =>
    session({ market: btc.name, symbols: 'BTC/USDT,ETH/USDT', ...over });
  const refusal = (form: SessionForm, known: FeedShelf | null = shelf) => {
    const checked = checkSession(form, known);
    return checked.ok ? null : checked.error;
  };

  it('sends no market for the synthetic walk, so the request is the one the bar always sent', () => {
    expect(buildSessionRequest(session({ seed: '7' }))).toEqual({
      venue: 'paper',
      symbols: ['BTC/USDT'],
      seed: 7,
    });
  });

  it('sends a replay with its feed and speed, and leaves the seed out whatever its field holds', () => {
    expect(buildSessionRequest(replay({ seed: '7', speed: '60' }))).toEqual({
      venue: 'paper',
      symbols: ['BTC/USDT', 'ETH/USDT'],
      market: { kind: 'replay', feed: 'btc-eth.csv', speed: 60 },
    });
    // A seed the synthetic walk would refuse is not the replay's business.
    expect(checkSession(replay({ seed: 'abc' }), shelf).ok).toBe(true);
  });

  it("leaves an empty speed out, so the schema's default of 1 holds", () => {
    const request = buildSessionRequest(replay());
    expect(request.market).toEqual({ kind: 'replay', feed: 'btc-eth.csv' });
    expect(SessionStartRequest.parse(request).market).toEqual({
      kind: 'replay',
      feed: 'btc-eth.csv',
      speed: 1,
    });
  });

  it("leaves the symbols to the host when none are typed: it takes the feed's own", () => {
    const checked = checkSession(replay({ symbols: '' }), shelf);
    expect(checked.ok && checked.request).toEqual({
      venue: 'paper',
      market: { kind: 'replay', feed: 'btc-eth.csv' },
    });
  });

  it("names the speed outside the host's bounds, echoing what was typed", () => {
    expect(refusal(replay({ speed: '0' }))).toMatchObject({
      field: 'market.speed',
      message: 'speed (market.speed): must be at least 1 (got 0)',
    });
    expect(refusal(replay({ speed: '1e6' }))?.message).toBe(
      'speed (market.speed): must be at most 100000 (got 1e6)',
    );
    expect(refusal(replay({ speed: 'fast' }))?.message).toBe('speed (market.speed): "fast" is not a number');
  });

  it('refuses a symbol the feed has no prices of, by its place in the list, as the host does', () => {
    expect(refusal(replay({ symbols: 'BTC/USDT, SOL/USDT' }))).toEqual({
      code: 'UNKNOWN_ASSET',
      field: 'symbols.1',
      message: 'symbols #2 (symbols.1): btc-eth.csv has no prices of SOL/USDT (it has BTC/USDT, ETH/USDT)',
    });
    // Narrowed to one of the feed's symbols, it passes.
    expect(checkSession(replay({ symbols: 'ETH/USDT' }), shelf).ok).toBe(true);
  });

  it('refuses a feed the folder no longer has, or one that cannot be replayed, on the market field', () => {
    expect(refusal(replay({ market: 'gone.csv' }))).toEqual({
      code: 'NOT_FOUND',
      field: 'market.feed',
      message: 'market (market.feed): no feed "gone.csv" in /data/feeds',
    });
    expect(refusal(replay({ market: 'broken.csv' }))).toEqual({
      code: 'INVALID_REQUEST',
      field: 'market.feed',
      message:
        'market (market.feed): broken.csv cannot be replayed: line 3, column price: "abc" is not a number',
    });
  });

  it('leaves the feed and its symbols to the host while no listing came', () => {
    expect(checkSession(replay({ market: 'gone.csv', symbols: 'SOL/USDT' }), null).ok).toBe(true);
  });

  it("words the host's refusals of a replay on the fields they name", () => {
    const typed = replay({ speed: '1e6' });
    const words = sessionWords(typed);
    // The host validates with the same schema: its refusal of the speed is this one.
    const request = { ...buildSessionRequest(typed), market: { kind: 'replay', feed: btc.name, speed: 1e6 } };
    const parsed = SessionStartRequest.safeParse(request);
    if (parsed.success) throw new Error('a speed of 1e6 must be refused');
    expect(explainError(fromZodError(parsed.error, request).error, words)).toBe(
      'speed (market.speed): must be at most 100000 (got 1e6)',
    );
    const gone = { field: 'market.feed', message: 'market.feed: no feed "btc-eth.csv" in /data/feeds' };
    expect(explainError(gone, words)).toBe('market (market.feed): no feed "btc-eth.csv" in /data/feeds');
    const unread = {
      field: 'market.feed',
      message: 'market.feed: btc-eth.csv cannot be replayed: line 2, column ts: "x"',
    };
    expect(explainError(unread, words)).toBe(
      'market (market.feed): btc-eth.csv cannot be replayed: line 2, column ts: "x"',
    );
    const seed = {
      field: 'seed',
      message: "seed: a replay's prices and their pace come from its file and market.speed; leave seed out",
    };
    expect(explainError(seed, words)).toBe(seed.message);
    const symbol = {
      field: 'symbols.2',
      message: 'symbols.2: btc-eth.csv has no prices of SOL/USDT (it has BTC/USDT, ETH/USDT)',
    };
    expect(explainError(symbol, words)).toBe(
      'symbols #3 (symbols.2): btc-eth.csv has no prices of SOL/USDT (it has BTC/USDT, ETH/USDT)',
    );
  });

  it('echoes the seed only while the synthetic walk sends it, and the speed only while a replay does', () => {
    expect(sessionWords(session({ seed: '7', speed: '60' })).typed).toMatchObject({ seed: '7' });
    expect(sessionWords(session({ seed: '7', speed: '60' })).typed).not.toHaveProperty(['market.speed']);
    expect(sessionWords(replay({ seed: '7', speed: '60' })).typed).toMatchObject({ 'market.speed': '60' });
    expect(sessionWords(replay({ seed: '7', speed: '60' })).typed).not.toHaveProperty('seed');
  });
});
