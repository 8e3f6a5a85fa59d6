// Starts a session on a real exchange's testnet through ccxt: the exchange
// made from the host's credentials, its perpetuals for the session's symbols,
// its prices as the market, and a fresh kernel whose seed capital is the
// exchange's wallet. A session starts flat: an account that already holds a
// position or an open order on the session's symbols is refused (the kernel
// would not know them; DECISIONS §21).
import type { Order, Position } from 'ccxt';
import { Kernel } from '../../../native/index.js';
import type { MarkTick, ParsedCommandRequest, SessionInfo } from '../../../shared/index.js';
import {
  credentialVariables,
  DEFAULT_SYMBOLS,
  findInstrument,
  type Instrument,
} from '../../../shared/index.js';
import { createStrategy } from '../strategy/strategy.js';
import { CcxtVenue, walletOf } from '../venue/exchange/ccxt-venue.js';
import type { ExchangeClient } from '../venue/exchange/exchange-client.js';
import { reasonOf } from '../venue/exchange/exchange-errors.js';
import { perpetualOf, type ExchangeMarket } from '../venue/exchange/exchange-markets.js';
import { credentialsOf, missingFeatures, type ExchangeFactory } from '../venue/exchange/open-exchange.js';
import { TickerFeed } from '../venue/exchange/ticker-feed.js';
import type { VenueReport } from '../venue/venue.js';
import { IdSource, newSessionTag, sessionIdOf } from './ids.js';
import { notionalOutOfReach, refuse, type SessionServices } from './paper-session.js';
import { TradingSession, type CommandResult } from './trading-session.js';

/** How often the exchange is polled: orders, trades, positions and wallet; and its prices. */
export const EXCHANGE_DEFAULTS = {
  pollIntervalMs: 1_000,
  priceIntervalMs: 1_000,
  uncertainGraceMs: 5_000,
} as const;

export interface ExchangeAccess {
  /** Where the credentials are read from: the host's environment. */
  env: Readonly<Record<string, string | undefined>>;
  open: ExchangeFactory;
  /** Between two polls of the account and of the prices; `EXCHANGE_DEFAULTS` otherwise (tests poll faster). */
  pollIntervalMs?: number;
}

/** The request's fields that only the paper venue and its synthetic or replayed market use. */
const PAPER_ONLY = [
  'seed',
  'latencyMs',
  'ordersPerSecond',
  'fundingIntervalMs',
  'tickIntervalMs',
  'market',
] as const;

export async function startExchangeSession(
  request: ParsedCommandRequest<'session.start'>,
  services: SessionServices,
  access: ExchangeAccess,
): Promise<CommandResult<TradingSession>> {
  const paperOnly = PAPER_ONLY.find((field) => request[field] !== undefined);
  if (paperOnly) {
    return refuse(
      'INVALID_REQUEST',
      paperOnly,
      `${paperOnly}: the exchange sets its own latency, limits, funding and prices; leave ${paperOnly} out of a ccxt session`,
    );
  }
  const id = request.exchange;
  if (!id)
    return refuse(
      'INVALID_REQUEST',
      'exchange',
      'exchange: a ccxt session names its exchange (e.g. binanceusdm)',
    );
  const credentials = credentialsOf(access.env, id);
  if (!credentials) {
    const names = credentialVariables(id);
    return refuse(
      'VENUE_REJECTED',
      'exchange',
      `exchange: the host holds no credentials for ${id}: set ${names.apiKey} and ${names.secret} in its environment`,
    );
  }
  let exchange: ExchangeClient;
  try {
    exchange = access.open(id, credentials);
  } catch (error) {
    return refuse('VENUE_REJECTED', 'exchange', `exchange: ${reasonOf(error)}`);
  }
  const missing = missingFeatures(exchange);
  if (missing) return refuse('VENUE_REJECTED', 'exchange', `exchange: ${missing}`);
  const symbols = request.symbols ?? [...DEFAULT_SYMBOLS];
  const testnet = `${exchange.name ?? id}'s testnet`;
  // Only the exchange's answers are in the try: a fault in building the session is not the exchange's.
  let parts: ExchangeParts;
  try {
    const loaded = await exchange.loadMarkets();
    const markets = new Map<string, ExchangeMarket>();
    const instruments: Instrument[] = [];
    for (const [index, symbol] of symbols.entries()) {
      const instrument = findInstrument(symbol);
      if (!instrument) {
        return refuse(
          'UNKNOWN_ASSET',
          `symbols.${index}`,
          `symbols.${index}: ${symbol} is not one the cockpit quotes`,
        );
      }
      const choice = perpetualOf(loaded, symbol, exchange.precisionMode);
      if (!choice.ok) {
        return refuse('UNKNOWN_ASSET', `symbols.${index}`, `symbols.${index}: ${testnet} ${choice.problem}`);
      }
      markets.set(symbol, choice.market);
      instruments.push({ ...instrument, tickSize: choice.market.tickSize, lotStep: choice.market.lotStep });
    }
    const exchangeSymbols = [...markets.values()].map((m) => m.exchangeSymbol);
    const settles = new Set([...markets.values()].map((m) => m.settle));
    if (settles.size > 1) {
      return refuse(
        'INVALID_REQUEST',
        'symbols',
        `symbols: one session settles in one currency, not ${[...settles].join(' and ')}`,
      );
    }
    const [settle] = settles as Set<string>;
    const held = await holdings(exchange, exchangeSymbols);
    if (held) {
      return refuse(
        'VENUE_REJECTED',
        'exchange',
        `exchange: ${testnet} account holds ${held}: a session starts flat, so close or cancel them there first`,
      );
    }
    const balance = await exchange.fetchBalance();
    // The session's symbols are flat (checked above): no unrealized PnL of theirs is in the balance.
    const wallet = walletOf(balance, settle as string, []);
    if (wallet === undefined || wallet <= 0) {
      return refuse('VENUE_REJECTED', 'exchange', `exchange: ${testnet} wallet holds no ${settle}`);
    }
    const opening = await exchange.fetchTickers(exchangeSymbols);
    const exchangeTime =
      exchange.has.fetchTime && exchange.fetchTime ? await exchange.fetchTime() : undefined;
    const clockOffsetMs = exchangeTime != null ? exchangeTime - services.now() : 0;
    const pollIntervalMs = access.pollIntervalMs;
    parts = { exchange, markets, instruments, wallet, opening, pollIntervalMs, clockOffsetMs };
  } catch (error) {
    return refuse(
      'VENUE_REJECTED',
      'exchange',
      `exchange: ${testnet} did not answer as asked: ${reasonOf(error)}`,
    );
  }
  return assemble(request, services, parts);
}

/** The account's open positions and orders on these symbols, in words; undefined when it holds none. */
async function holdings(exchange: ExchangeClient, exchangeSymbols: string[]): Promise<string | undefined> {
  const positions: Position[] = await exchange.fetchPositions(exchangeSymbols);
  const open: Order[] = [];
  for (const symbol of exchangeSymbols) open.push(...(await exchange.fetchOpenOrders(symbol)));
  const words = [
    ...positions
      .filter((p) => (p.contracts ?? 0) > 0)
      .map((p) => `a ${p.side ?? ''} position of ${p.contracts} ${p.symbol}`.replace('  ', ' ')),
    ...open.map((o) => `open order ${o.id} on ${o.symbol}`),
  ];
  return words.length > 0 ? words.join(', ') : undefined;
}

interface ExchangeParts {
  exchange: ExchangeClient;
  markets: Map<string, ExchangeMarket>;
  instruments: Instrument[];
  wallet: number;
  opening: Awaited<ReturnType<ExchangeClient['fetchTickers']>>;
  pollIntervalMs: number | undefined;
  clockOffsetMs: number;
}

function assemble(
  request: ParsedCommandRequest<'session.start'>,
  services: SessionServices,
  { exchange, markets, instruments, wallet, opening, pollIntervalMs, clockOffsetMs }: ExchangeParts,
): CommandResult<TradingSession> {
  const relay: { session?: TradingSession } = {};
  const log = services.log;
  const feed = new TickerFeed({
    exchange,
    markets,
    intervalMs: pollIntervalMs ?? EXCHANGE_DEFAULTS.priceIntervalMs,
    now: services.now,
    onTicks: (ticks: MarkTick[]) => relay.session?.guarded('market step', (s) => s.onMarks(ticks)),
    onClock: () => relay.session?.guarded('clock', (s) => s.onClock(services.now())),
    onFault: (error) => relay.session?.fault(`${exchange.id} prices`, error),
    log,
  });
  feed.seed(opening);
  const unreachable =
    request.strategy &&
    notionalOutOfReach(request.strategy.notional, instruments, (symbol) => feed.price(symbol));
  if (unreachable) return unreachable;
  const symbols = [...markets.keys()];
  const startedAt = services.now();
  const tag = newSessionTag();
  const info: SessionInfo = {
    sessionId: sessionIdOf(tag, startedAt),
    startedAt,
    venue: 'ccxt',
    symbols,
    seed: 0,
    seedCapital: wallet,
    maxSlots: request.maxSlots,
    exchange: { id: exchange.id, name: exchange.name ?? exchange.id, testnet: true },
  };
  const rates = [...markets.values()];
  const kernel = new Kernel({
    maxSlots: request.maxSlots,
    seedCapital: wallet,
    idPrefix: `${tag}-`,
    fees: {
      // One fee grid serves every symbol: the highest rates (fees are never under-predicted) and the finest grid.
      takerRate: Math.max(...rates.map((m) => m.takerRate)),
      makerRate: Math.max(...rates.map((m) => m.makerRate)),
      lotStep: Math.min(...rates.map((m) => m.lotStep)),
      tickSize: Math.min(...rates.map((m) => m.tickSize)),
      fundingIntervalSecs: 8 * 3_600,
    },
  });
  services.journal.createSession(info);
  const venue = new CcxtVenue({
    exchange,
    markets,
    pollIntervalMs: pollIntervalMs ?? EXCHANGE_DEFAULTS.pollIntervalMs,
    uncertainGraceMs: EXCHANGE_DEFAULTS.uncertainGraceMs,
    walletBalance: wallet,
    clockOffsetMs,
    idPrefix: `${tag}-`,
    now: services.now,
    report: (reports: VenueReport[]) =>
      relay.session?.guarded('venue reports', (s) => s.onVenueReports(reports)),
    account: (reports) => relay.session?.guarded('account reports', (s) => s.onAccountReports(reports)),
    onFault: (error) => relay.session?.fault(`${exchange.id} venue`, error),
    log,
  });
  const session = new TradingSession({
    info,
    ids: new IdSource(tag),
    kernel,
    venue,
    feed,
    journal: services.journal,
    bus: services.bus,
    now: services.now,
    ...(services.monotonic ? { monotonic: services.monotonic } : {}),
    log,
    risk: request.risk,
    ...(request.strategy
      ? { strategy: { config: request.strategy, plugin: createStrategy(request.strategy, symbols) } }
      : {}),
  });
  relay.session = session;
  session.begin();
  const marks = Object.entries(feed.marks()).map(([asset, price]) => ({ asset, price, ts: startedAt }));
  if (marks.length > 0) session.guarded('opening prices', (s) => s.onMarks(marks));
  feed.start();
  return { ok: true, value: session };
}
