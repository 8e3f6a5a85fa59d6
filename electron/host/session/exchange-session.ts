// Starts a session on a real exchange's testnet through ccxt: the exchange
// made from the host's credentials, its perpetuals for the session's symbols,
// its prices as the market, and a fresh kernel whose seed capital is the
// exchange's wallet. A session starts flat: an account that already holds a
// position or an open order on the session's symbols is refused (the kernel
// would not know them; DECISIONS §21). A session the host stopped running
// without a stop is resumed from its checkpoint (DECISIONS §22).
import type { Order, Position } from 'ccxt';
import { Kernel } from '../../../native/index.js';
import type { JournalEvent, MarkTick, ParsedCommandRequest, SessionInfo } from '../../../shared/index.js';
import {
  credentialVariables,
  DEFAULT_SYMBOLS,
  findInstrument,
  RiskEnvelope,
  StrategyConfig,
  type Instrument,
} from '../../../shared/index.js';
import type { SessionCheckpoint } from '../journal/journal.js';
import { createStrategy } from '../strategy/strategy.js';
import { CcxtVenue, TRADES_WINDOW_MS, walletOf } from '../venue/exchange/ccxt-venue.js';
import type { ExchangeClient } from '../venue/exchange/exchange-client.js';
import { reasonOf } from '../venue/exchange/exchange-errors.js';
import { perpetualOf, type ExchangeMarket } from '../venue/exchange/exchange-markets.js';
import { credentialsOf, missingFeatures, type ExchangeFactory } from '../venue/exchange/open-exchange.js';
import { TickerFeed } from '../venue/exchange/ticker-feed.js';
import type { VenueReport } from '../venue/venue.js';
import { IdSource, newSessionTag, sessionIdOf } from './ids.js';
import { notionalOutOfReach, refuse, type SessionServices } from './paper-session.js';
import { resumedOrdersOf, type VenueResume } from '../venue/exchange/resumed-orders.js';
import {
  TradingSession,
  type CommandResult,
  type HostCheckpoint,
  type Reconciled,
} from './trading-session.js';

/** How often the exchange is polled: orders, trades, positions and wallet; and its prices. */
export const EXCHANGE_DEFAULTS = {
  pollIntervalMs: 1_000,
  priceIntervalMs: 1_000,
  uncertainGraceMs: 5_000,
  /** Funding comes every few hours, and Binance counts 30 of a minute's 2 400 request weight for one read. */
  fundingPollMs: 60_000,
} as const;

export interface ExchangeAccess {
  /** Where the credentials are read from: the host's environment. */
  env: Readonly<Record<string, string | undefined>>;
  open: ExchangeFactory;
  /** Between two polls of the account and of the prices; `EXCHANGE_DEFAULTS` otherwise (tests poll faster). */
  pollIntervalMs?: number;
}

/**
 * An exchange session's kernel journals a checkpoint with every commit, so it keeps less than the kernel's
 * defaults. Its bounded memories are most of a checkpoint (~290 KiB when full, against ~2 MB at the kernel's
 * defaults of 100,000 and 10,000; docs/BENCHMARKS.md): the venue reads a done order's fills for a minute (LATE_FILL_WATCH_MS), and REST
 * polling does not close 128 trades or read 4,096 reports in a minute. A monitoring tick per open trade every
 * 10 s, not every second, spares a commit (and its checkpoint) per second while positions are held; TP/SL are
 * checked on every price whatever the interval.
 */
export const EXCHANGE_KERNEL_CONFIG = {
  dedupeWindow: 4_096,
  retiredWindow: 128,
  monitorIntervalMs: 10_000,
} as const;

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
  const symbols = request.symbols ?? [...DEFAULT_SYMBOLS];
  const connected = await connect(id, symbols, services, access, {
    exchange: 'exchange',
    symbols: 'symbols',
    symbol: (index) => `symbols.${index}`,
    // A session starts flat: the kernel would not know what the account already holds on its symbols.
    flat: true,
  });
  if (!connected.ok) return connected;
  const { exchange, markets, instruments, wallet, feed } = connected.value;
  const unreachable =
    request.strategy &&
    notionalOutOfReach(request.strategy.notional, instruments, (symbol) => feed.price(symbol));
  if (unreachable) return unreachable;
  const startedAt = services.now();
  const tag = newSessionTag();
  const info: SessionInfo = {
    sessionId: sessionIdOf(tag, startedAt),
    startedAt,
    venue: 'ccxt',
    symbols: [...markets.keys()],
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
    ...EXCHANGE_KERNEL_CONFIG,
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
  const { session, venue } = assemble(services, connected.value, {
    info,
    tag,
    kernel,
    ids: new IdSource(tag),
    risk: request.risk,
    strategy: request.strategy,
  });
  session.begin();
  go(session, venue, feed, startedAt);
  return { ok: true, value: session };
}

/**
 * Runs an interrupted exchange session on from its last checkpoint (DECISIONS §22): the kernel restored, the
 * venue's orders rebuilt from the journal, then the venue catches up on what the exchange did while the host
 * was down until two reads of its open orders and positions agree, and those are compared with the kernel's
 * (`reconcile`). When the exchange does not answer, the session stays interrupted, from a checkpoint that has
 * what was read.
 */
export async function resumeExchangeSession(
  record: SessionInfo,
  checkpoint: SessionCheckpoint,
  services: SessionServices,
  access: ExchangeAccess,
): Promise<CommandResult<{ session: TradingSession; reconciled: Reconciled }>> {
  const { sessionId } = record;
  if (record.venue !== 'ccxt' || !record.exchange) {
    return refuse(
      'INVALID_REQUEST',
      'sessionId',
      `sessionId: ${sessionId} ran on the paper venue, which lived in the host's memory: it cannot be resumed`,
    );
  }
  const connected = await connect(record.exchange.id, record.symbols, services, access, {
    exchange: 'sessionId',
    symbols: 'sessionId',
    symbol: () => 'sessionId',
    flat: false,
  });
  if (!connected.ok) return connected;
  let kernel: Kernel;
  let host: HostCheckpoint;
  try {
    kernel = Kernel.restore(checkpoint.kernel);
    host = JSON.parse(checkpoint.host) as HostCheckpoint;
  } catch (error) {
    return refuse(
      'INTERNAL',
      'sessionId',
      `sessionId: the checkpoint of ${sessionId} (at its fact ${checkpoint.seq}) cannot be read: ${reasonOf(error)}`,
    );
  }
  const events = services.journal.all(sessionId);
  // The checkpoint is the kernel of the journal's last facts: after it come only the host's endings of
  // entries that waited (cancelAbandonedWaits). Anything else would have the kernel repeat ids it gave.
  const unseen = events.find((e) => e.seq > checkpoint.seq && e.type !== 'TradingSignalIntentCanceled');
  if (unseen) {
    return refuse(
      'INTERNAL',
      'sessionId',
      `sessionId: the checkpoint of ${sessionId} is at its fact ${checkpoint.seq}, but fact ${unseen.seq} (${unseen.type}) follows it`,
    );
  }
  const limits = events.find((event) => event.type === 'RiskLimitsSet')?.payload;
  const risk = RiskEnvelope.safeParse(limits?.risk);
  const strategy = StrategyConfig.optional().safeParse(limits?.strategy);
  if (!risk.success || !strategy.success) {
    return refuse('INTERNAL', 'sessionId', `sessionId: ${sessionId} has no readable RiskLimitsSet fact`);
  }
  const tag = tagOf(sessionId);
  const { stoppedAt: _stopped, interruptedAt: _interrupted, ...info } = record;
  const { session, venue } = assemble(services, connected.value, {
    info,
    tag,
    kernel,
    ids: new IdSource(tag, host.ids),
    risk: risk.data,
    strategy: strategy.data,
    resume: { events, host, venue: resumedOrdersOf(events, connected.value.markets, `${tag}-`) },
  });
  const resumedAt = services.now();
  const interruptedAt = events.at(-1)?.ts ?? record.startedAt;
  session.resumed(
    { checkpointSeq: checkpoint.seq, interruptedAt, downMs: resumedAt - interruptedAt },
    TRADES_WINDOW_MS,
  );
  let reconciled: Reconciled;
  try {
    reconciled = session.reconcileWith(await venue.catchUp());
  } catch (error) {
    session.stop();
    return refuse(
      'VENUE_REJECTED',
      'sessionId',
      `sessionId: ${connected.value.testnet} did not answer as asked while ${sessionId} caught up: ` +
        `${reasonOf(error)}; the session stays interrupted, with what was read: resume it again`,
    );
  }
  go(session, venue, connected.value.feed, resumedAt);
  return { ok: true, value: { session, reconciled } };
}

/** The tag a session's ids carry: the last part of its id (`sessionIdOf`). */
function tagOf(sessionId: string): string {
  return sessionId.slice(sessionId.lastIndexOf('-') + 1);
}

/** Where the refusals of `connect` point: a start's fields, or a resume's session. */
interface ConnectFields {
  exchange: string;
  symbols: string;
  symbol: (index: number) => string;
  /** Refuse an account that holds positions or open orders on the symbols. */
  flat: boolean;
}

/** The exchange made, its markets for the symbols, its wallet, clock and prices: everything asked of it before a session runs. */
async function connect(
  id: string,
  symbols: readonly string[],
  services: SessionServices,
  access: ExchangeAccess,
  fields: ConnectFields,
): Promise<CommandResult<Connection>> {
  const credentials = credentialsOf(access.env, id);
  if (!credentials) {
    const names = credentialVariables(id);
    return refuse(
      'VENUE_REJECTED',
      fields.exchange,
      `${fields.exchange}: the host holds no credentials for ${id}: set ${names.apiKey} and ${names.secret} in its environment`,
    );
  }
  let exchange: ExchangeClient;
  try {
    exchange = access.open(id, credentials);
  } catch (error) {
    return refuse('VENUE_REJECTED', fields.exchange, `${fields.exchange}: ${reasonOf(error)}`);
  }
  const missing = missingFeatures(exchange);
  if (missing) return refuse('VENUE_REJECTED', fields.exchange, `${fields.exchange}: ${missing}`);
  const testnet = `${exchange.name ?? id}'s testnet`;
  // Only the exchange's answers are in the try: a fault in building the session is not the exchange's.
  try {
    const loaded = await exchange.loadMarkets();
    const markets = new Map<string, ExchangeMarket>();
    const instruments: Instrument[] = [];
    for (const [index, symbol] of symbols.entries()) {
      const field = fields.symbol(index);
      const instrument = findInstrument(symbol);
      if (!instrument) {
        return refuse('UNKNOWN_ASSET', field, `${field}: ${symbol} is not one the cockpit quotes`);
      }
      const choice = perpetualOf(loaded, symbol, exchange.precisionMode);
      if (!choice.ok) {
        return refuse('UNKNOWN_ASSET', field, `${field}: ${testnet} ${choice.problem}`);
      }
      markets.set(symbol, choice.market);
      instruments.push({ ...instrument, tickSize: choice.market.tickSize, lotStep: choice.market.lotStep });
    }
    const exchangeSymbols = [...markets.values()].map((m) => m.exchangeSymbol);
    const settles = new Set([...markets.values()].map((m) => m.settle));
    if (settles.size > 1) {
      return refuse(
        'INVALID_REQUEST',
        fields.symbols,
        `${fields.symbols}: one session settles in one currency, not ${[...settles].join(' and ')}`,
      );
    }
    const [settle] = settles as Set<string>;
    const held = fields.flat ? await holdings(exchange, exchangeSymbols) : undefined;
    if (held) {
      return refuse(
        'VENUE_REJECTED',
        fields.exchange,
        `${fields.exchange}: ${testnet} account holds ${held}: a session starts flat, so close or cancel them there first`,
      );
    }
    const positions = fields.flat ? [] : await exchange.fetchPositions(exchangeSymbols);
    const balance = await exchange.fetchBalance();
    const wallet = walletOf(balance, settle as string, positions);
    if (wallet === undefined || wallet <= 0) {
      return refuse(
        'VENUE_REJECTED',
        fields.exchange,
        `${fields.exchange}: ${testnet} wallet holds no ${settle}`,
      );
    }
    const opening = await exchange.fetchTickers(exchangeSymbols);
    const exchangeTime =
      exchange.has.fetchTime && exchange.fetchTime ? await exchange.fetchTime() : undefined;
    const clockOffsetMs = exchangeTime != null ? exchangeTime - services.now() : 0;
    const pollIntervalMs = access.pollIntervalMs;
    const relay: Relay = {};
    const feed = new TickerFeed({
      exchange,
      markets,
      intervalMs: pollIntervalMs ?? EXCHANGE_DEFAULTS.priceIntervalMs,
      now: services.now,
      onTicks: (ticks: MarkTick[]) => relay.session?.guarded('market step', (s) => s.onMarks(ticks)),
      onClock: () => relay.session?.guarded('clock', (s) => s.onClock(services.now())),
      onFault: (error) => relay.session?.fault(`${exchange.id} prices`, error),
      log: services.log,
    });
    feed.seed(opening);
    return {
      ok: true,
      value: { exchange, markets, instruments, wallet, feed, relay, pollIntervalMs, clockOffsetMs, testnet },
    };
  } catch (error) {
    return refuse(
      'VENUE_REJECTED',
      fields.exchange,
      `${fields.exchange}: ${testnet} did not answer as asked: ${reasonOf(error)}`,
    );
  }
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

/** The session its timers' inputs go to, once it exists. */
interface Relay {
  session?: TradingSession;
}

interface Connection {
  exchange: ExchangeClient;
  markets: Map<string, ExchangeMarket>;
  instruments: Instrument[];
  /** The wallet now, without the open positions' unrealized PnL. */
  wallet: number;
  /** The exchange's prices, seeded with its tickers; not started. */
  feed: TickerFeed;
  relay: Relay;
  pollIntervalMs: number | undefined;
  clockOffsetMs: number;
  /** "<name>'s testnet", for the words of a refusal. */
  testnet: string;
}

interface SessionSetup {
  info: SessionInfo;
  tag: string;
  kernel: Kernel;
  ids: IdSource;
  risk: RiskEnvelope;
  strategy: StrategyConfig | undefined;
  /** A resumed session's journal and its venue's orders as the journal left them. */
  resume?: { events: readonly JournalEvent[]; host: HostCheckpoint; venue: VenueResume };
}

/** The venue and the session over a connection; nothing polls or runs yet (`go`). */
function assemble(
  services: SessionServices,
  { exchange, markets, instruments, wallet, feed, relay, pollIntervalMs, clockOffsetMs }: Connection,
  { info, tag, kernel, ids, risk, strategy, resume }: SessionSetup,
): { session: TradingSession; venue: CcxtVenue } {
  const log = services.log;
  const venue = new CcxtVenue({
    exchange,
    markets,
    pollIntervalMs: pollIntervalMs ?? EXCHANGE_DEFAULTS.pollIntervalMs,
    fundingPollMs: pollIntervalMs ?? EXCHANGE_DEFAULTS.fundingPollMs,
    uncertainGraceMs: EXCHANGE_DEFAULTS.uncertainGraceMs,
    // A resumed session's venue tells the wallet at its first poll: the kernel's E ledger is the checkpoint's.
    ...(resume ? {} : { walletBalance: wallet }),
    clockOffsetMs,
    idPrefix: `${tag}-`,
    now: services.now,
    report: (reports: VenueReport[]) =>
      relay.session?.guarded('venue reports', (s) => s.onVenueReports(reports)),
    account: (reports) => relay.session?.guarded('account reports', (s) => s.onAccountReports(reports)),
    onFault: (error) => relay.session?.fault(`${exchange.id} venue`, error),
    log,
    ...(resume ? { resume: resume.venue } : {}),
  });
  const session = new TradingSession({
    info,
    ids,
    kernel,
    venue,
    feed,
    journal: services.journal,
    bus: services.bus,
    now: services.now,
    ...(services.monotonic ? { monotonic: services.monotonic } : {}),
    log,
    risk,
    instruments,
    ...(strategy ? { strategy: { config: strategy, plugin: createStrategy(strategy, instruments) } } : {}),
    checkpoints: true,
    ...(resume ? { resumedFrom: { events: resume.events, host: resume.host } } : {}),
  });
  relay.session = session;
  return { session, venue };
}

/** The session's opening prices, then its feed and the venue's polling. */
function go(session: TradingSession, venue: CcxtVenue, feed: TickerFeed, ts: number): void {
  const marks = Object.entries(feed.marks()).map(([asset, price]) => ({ asset, price, ts }));
  if (marks.length > 0) session.guarded('opening prices', (s) => s.onMarks(marks));
  feed.start();
  venue.start();
}
