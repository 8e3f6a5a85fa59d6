import { describe, expect, it } from 'vitest';
import { SessionStartRequest, type SessionInfo } from '../../../shared/index.js';
import { SYNTHETIC } from './market.js';
import {
  buildSessionRequest,
  checkSession,
  explainError,
  NO_RISK,
  sessionWords,
  type SessionForm,
} from './ticket.js';
import {
  checkExchange,
  exchangeChoices,
  exchangeLabel,
  exchangesWords,
  PAPER,
  venueRequest,
  venueWords,
  type ExchangeShelf,
} from './venue.js';

const variables = {
  apiKey: 'COCKPIT_<ID>_API_KEY',
  secret: 'COCKPIT_<ID>_SECRET',
  password: 'COCKPIT_<ID>_PASSWORD',
};
const shelf: ExchangeShelf = {
  exchanges: [
    { id: 'binanceusdm', name: 'Binance USDⓈ-M' },
    { id: 'kraken', name: 'Kraken', problem: "ccxt's kraken lacks fetchPositions" },
  ],
  variables,
};
const empty: ExchangeShelf = { exchanges: [], variables };

const session = (over: Partial<SessionForm> = {}): SessionForm => ({
  venue: PAPER,
  market: SYNTHETIC,
  seed: '',
  speed: '',
  symbols: 'BTC/USDT',
  capital: '',
  slots: '',
  risk: NO_RISK,
  ...over,
});

/** Every paper field typed: what an exchange's request must leave out. */
const typed = (over: Partial<SessionForm> = {}) =>
  session({ seed: '7', speed: '60', capital: '5000', slots: '2', ...over });

/** The fields the host refuses (or, the capital, ignores) in a ccxt session. */
const PAPER_ONLY = [
  'seed',
  'latencyMs',
  'ordersPerSecond',
  'fundingIntervalMs',
  'tickIntervalMs',
  'market',
  'seedCapital',
];

const info = (over: Partial<SessionInfo> = {}): SessionInfo => ({
  sessionId: 'S20261122-2030-08f364',
  startedAt: Date.UTC(2026, 10, 22, 20, 30),
  venue: 'paper',
  symbols: ['BTC/USDT'],
  seed: 7,
  seedCapital: 10_000,
  maxSlots: 4,
  ...over,
});

describe('session.start by venue', () => {
  it('names the venue, and for an exchange its id', () => {
    expect(venueRequest(PAPER)).toEqual({ venue: 'paper' });
    expect(venueRequest('binanceusdm')).toEqual({ venue: 'ccxt', exchange: 'binanceusdm' });
  });

  it('keeps the paper fields on paper: the seed or the replay, and the capital', () => {
    expect(buildSessionRequest(typed())).toEqual({
      venue: 'paper',
      symbols: ['BTC/USDT'],
      seed: 7,
      seedCapital: 5000,
      maxSlots: 2,
    });
    expect(buildSessionRequest(typed({ market: 'btc.csv' }))).toEqual({
      venue: 'paper',
      symbols: ['BTC/USDT'],
      market: { kind: 'replay', feed: 'btc.csv', speed: 60 },
      seedCapital: 5000,
      maxSlots: 2,
    });
  });

  it('leaves every paper field out for an exchange, whatever they still hold, and keeps slots, risk and strategy', () => {
    for (const market of [SYNTHETIC, 'btc.csv']) {
      const form = typed({
        venue: 'binanceusdm',
        market,
        risk: { ...NO_RISK, strategy: 'breakout', maxDrawdown: '5' },
      });
      const request = buildSessionRequest(form);
      expect(request).toEqual({
        venue: 'ccxt',
        exchange: 'binanceusdm',
        symbols: ['BTC/USDT'],
        maxSlots: 2,
        risk: { maxDrawdown: 0.05 },
        strategy: { name: 'breakout' },
      });
      for (const field of PAPER_ONLY) expect(request).not.toHaveProperty(field);
      expect(SessionStartRequest.safeParse(request).success).toBe(true);
    }
  });

  it("leaves the symbols to the host when none are typed: it takes the exchange's defaults", () => {
    const checked = checkSession(session({ venue: 'binanceusdm', symbols: '' }));
    expect(checked.ok && checked.request).toEqual({ venue: 'ccxt', exchange: 'binanceusdm' });
  });

  it("holds an exchange to its own fields only: a paper field's typing is not its business", () => {
    expect(checkSession(typed({ venue: 'binanceusdm', seed: 'abc', capital: '-1' })).ok).toBe(true);
    const slots = checkSession(typed({ venue: 'binanceusdm', slots: 'many' }));
    expect(!slots.ok && slots.error.message).toBe('slots (maxSlots): "many" is not a number');
    // The refusals echo only what the request carries.
    const words = sessionWords(typed({ venue: 'binanceusdm' })).typed;
    for (const field of ['seed', 'seedCapital', 'market.speed']) expect(words).not.toHaveProperty([field]);
    expect(words).toMatchObject({ maxSlots: '2' });
    expect(sessionWords(typed()).typed).toMatchObject({ seed: '7', seedCapital: '5000' });
  });
});

describe('exchanges the host lists', () => {
  const refusal = (choice: string, known: ExchangeShelf | null = shelf) => {
    const checked = checkSession(session({ venue: choice }), null, known);
    return checked.ok ? null : checked.error;
  };

  it('refuses an exchange the host holds no credentials for, naming the variables, as the host does', () => {
    expect(refusal('bybit')).toEqual({
      code: 'VENUE_REJECTED',
      field: 'exchange',
      message:
        'venue (exchange): the host holds no credentials for bybit: set COCKPIT_BYBIT_API_KEY and COCKPIT_BYBIT_SECRET in its environment',
    });
  });

  it('refuses an exchange the host says cannot be traded, with its reason', () => {
    expect(refusal('kraken')).toEqual({
      code: 'VENUE_REJECTED',
      field: 'exchange',
      message: "venue (exchange): ccxt's kraken lacks fetchPositions",
    });
  });

  it('passes a listed exchange, paper, and anything while no listing came (the host judges then)', () => {
    expect(refusal('binanceusdm')).toBeNull();
    expect(refusal(PAPER, empty)).toBeNull();
    expect(refusal('bybit', null)).toBeNull();
    expect(checkExchange(PAPER, empty)).toBeNull();
  });

  it("words the host's refusals on the venue", () => {
    const flat = {
      field: 'exchange',
      message: "exchange: Binance USDⓈ-M's testnet account holds BTC/USDT: a session starts flat",
    };
    expect(explainError(flat, sessionWords(session({ venue: 'binanceusdm' })))).toBe(
      "venue (exchange): Binance USDⓈ-M's testnet account holds BTC/USDT: a session starts flat",
    );
  });

  it('lists each as "<name> testnet", one that cannot be traded shown with why, not choosable', () => {
    const choices = exchangeChoices(shelf, PAPER);
    expect(choices.map(({ value, label, disabled }) => [value, label, disabled])).toEqual([
      ['binanceusdm', 'Binance USDⓈ-M testnet', false],
      ['kraken', "Kraken testnet — cannot trade: ccxt's kraken lacks fetchPositions", true],
    ]);
    expect(choices[1]?.title).toContain("ccxt's kraken lacks fetchPositions");
  });

  it('keeps a chosen exchange the listing no longer has, not choosable', () => {
    expect(exchangeChoices(empty, 'binanceusdm')).toEqual([
      expect.objectContaining({ value: 'binanceusdm', disabled: true }),
    ]);
    expect(exchangeChoices(null, PAPER)).toEqual([]);
  });

  it('says which variables to set when the host lists none, and why a listing failed', () => {
    const none = exchangesWords(empty, null);
    expect(none).toContain('COCKPIT_<ID>_API_KEY and COCKPIT_<ID>_SECRET');
    expect(none).toContain('COCKPIT_<ID>_PASSWORD');
    expect(exchangesWords(shelf, null)).toBe(
      'exchange testnets, credentials from COCKPIT_<ID>_API_KEY and COCKPIT_<ID>_SECRET',
    );
    expect(exchangesWords(null, null)).toBe('listing the exchanges…');
    expect(exchangesWords(shelf, 'no cockpit host is connected')).toBe(
      'the exchanges could not be listed: no cockpit host is connected',
    );
  });
});

describe('the venue a session traded on', () => {
  it('says "paper", or the exchange\'s name and testnet', () => {
    expect(venueWords(info())).toBe('paper');
    expect(exchangeLabel(info())).toBeNull();
    const ccxt = info({
      venue: 'ccxt',
      seed: 0,
      exchange: { id: 'binanceusdm', name: 'Binance USDⓈ-M', testnet: true },
    });
    expect(venueWords(ccxt)).toBe('Binance USDⓈ-M testnet');
    expect(exchangeLabel(ccxt)).toBe('Binance USDⓈ-M testnet');
  });
});
