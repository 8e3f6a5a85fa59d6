// Starts a paper session: its market (the synthetic walk or a replayed feed
// file), the paper venue and a fresh kernel, wired into a TradingSession. The
// kernel is loaded here, at the edge, so everything else depends only on
// KernelPort.
import { Kernel } from '../../../native/index.js';
import type {
  CommandError,
  MarkTick,
  ParsedCommandRequest,
  SessionInfo,
  SessionMarket,
} from '../../../shared/index.js';
import type { EventBus } from '../event-bus.js';
import type { Journal } from '../journal/journal.js';
import { DEFAULT_SYMBOLS, findInstrument, type Instrument } from '../../../shared/index.js';
import type { FeedLibrary, LoadedFeed } from '../market/feed-library.js';
import type { MarketFeed } from '../market/market-feed.js';
import { ReplayFeed } from '../market/replay-feed.js';
import { SyntheticFeed } from '../market/synthetic-feed.js';
import { createStrategy } from '../strategy/strategy.js';
import { PaperVenue } from '../venue/paper-venue.js';
import type { VenueReport } from '../venue/venue.js';
import { IdSource, newSessionTag, sessionIdOf } from './ids.js';
import { TradingSession, type CommandResult } from './trading-session.js';

/** The paper venue's defaults: a liquid perpetual venue's fee tier and a typical round trip. */
export const PAPER_DEFAULTS = {
  takerRate: 0.0005,
  makerRate: 0.0002,
  latencyMs: 120,
  tickIntervalMs: 100,
  slippageBps: 1,
  marketFillSlices: 2,
  ordersPerSecond: 10,
  /** 0.01 % per 8 h: a typical perpetual funding rate. */
  fundingRate: 0.0001,
  fundingIntervalMs: 28_800_000,
} as const;

export interface SessionServices {
  journal: Journal;
  bus: EventBus;
  now: () => number;
  /** The host's monotonic clock, which paces snapshots (`performance.now` unless a test gives its own). */
  monotonic?: () => number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** The feeds folder a replay's file is read from. */
  feeds: FeedLibrary;
}

export function startPaperSession(
  request: ParsedCommandRequest<'session.start'>,
  services: SessionServices,
): CommandResult<TradingSession> {
  if (request.exchange !== undefined) {
    return refuse(
      'INVALID_REQUEST',
      'exchange',
      "exchange: only a ccxt session trades on an exchange; say venue: 'ccxt'",
    );
  }
  const source = request.market ?? { kind: 'synthetic' };
  let replay: (LoadedFeed & { speed: number }) | undefined;
  if (source.kind === 'replay') {
    const misplaced =
      request.seed !== undefined
        ? 'seed'
        : request.tickIntervalMs !== undefined
          ? 'tickIntervalMs'
          : undefined;
    if (misplaced) {
      return refuse(
        'INVALID_REQUEST',
        misplaced,
        `${misplaced}: a replay's prices and their pace come from its file and market.speed; leave ${misplaced} out`,
      );
    }
    const loaded = services.feeds.load(source.feed, 'market.feed');
    if (!loaded.ok) return loaded;
    replay = { ...loaded.value, speed: source.speed };
  }
  const symbols = request.symbols ?? (replay ? replay.feed.contents.symbols : [...DEFAULT_SYMBOLS]);
  const instruments: Instrument[] = [];
  for (const [index, symbol] of symbols.entries()) {
    const instrument = findInstrument(symbol);
    if (!instrument) {
      return refuse(
        'UNKNOWN_ASSET',
        `symbols.${index}`,
        `symbols.${index}: the paper venue does not list ${symbol}`,
      );
    }
    if (replay && !replay.feed.contents.symbols.includes(symbol)) {
      return refuse(
        'UNKNOWN_ASSET',
        `symbols.${index}`,
        `symbols.${index}: ${replay.name} has no prices of ${symbol} (it has ${replay.feed.contents.symbols.join(', ')})`,
      );
    }
    instruments.push(instrument);
  }
  const startedAt = services.now();
  const tag = newSessionTag();
  const seed = replay ? 0 : (request.seed ?? startedAt % 2 ** 31);
  const tickIntervalMs = request.tickIntervalMs ?? PAPER_DEFAULTS.tickIntervalMs;
  const fundingIntervalMs = request.fundingIntervalMs ?? PAPER_DEFAULTS.fundingIntervalMs;
  // The feed and the venue report into the session built from them.
  const relay: { session?: TradingSession } = {};
  const onTicks = (ticks: MarkTick[]) => relay.session?.guarded('market step', (s) => s.onMarks(ticks));
  const replayFeed = replay
    ? new ReplayFeed({
        feed: replay.feed,
        symbols,
        speed: replay.speed,
        now: services.now,
        ...(services.monotonic ? { monotonic: services.monotonic } : {}),
        onTicks,
        onEnd: (end) => relay.session?.guarded('replay end', (s) => s.onReplayEnd(end)),
        onClock: () => relay.session?.guarded('clock', (s) => s.onClock(services.now())),
      })
    : undefined;
  const feed: MarketFeed =
    replayFeed ?? new SyntheticFeed({ instruments, seed, tickIntervalMs, now: services.now, onTicks });
  const openingPrice = (symbol: string) => (replayFeed ? replayFeed.firstPrice(symbol) : feed.price(symbol));
  const unreachable =
    request.strategy && notionalOutOfReach(request.strategy.notional, instruments, openingPrice);
  if (unreachable) return unreachable;
  const market: SessionMarket = replay
    ? {
        kind: 'replay',
        feed: replay.name,
        sha256: replay.sha256,
        speed: replay.speed,
        ...replay.feed.contents,
      }
    : { kind: 'synthetic' };
  const info: SessionInfo = {
    sessionId: sessionIdOf(tag, startedAt),
    startedAt,
    venue: request.venue,
    symbols,
    seed,
    seedCapital: request.seedCapital,
    maxSlots: request.maxSlots,
    market,
  };
  const ids = new IdSource(tag);
  const kernel = new Kernel({
    maxSlots: request.maxSlots,
    seedCapital: request.seedCapital,
    idPrefix: `${tag}-`,
    fees: {
      takerRate: PAPER_DEFAULTS.takerRate,
      makerRate: PAPER_DEFAULTS.makerRate,
      // One grid serves every symbol: the finest of them, so the kernel never rounds away a venue-valid size.
      lotStep: Math.min(...instruments.map((i) => i.lotStep)),
      tickSize: Math.min(...instruments.map((i) => i.tickSize)),
      fundingIntervalSecs: fundingIntervalMs / 1000,
    },
  });
  // The session's row comes first: the venue's timers start when it is built, and would outlive a failed start.
  services.journal.createSession(info);
  // Timers call these, outside any command: a fault is reported, never left to crash the host.
  const onReports = (reports: VenueReport[]) =>
    relay.session?.guarded('venue reports', (s) => s.onVenueReports(reports));
  const venue = new PaperVenue({
    instruments,
    latencyMs: request.latencyMs ?? PAPER_DEFAULTS.latencyMs,
    takerRate: PAPER_DEFAULTS.takerRate,
    makerRate: PAPER_DEFAULTS.makerRate,
    slippageBps: PAPER_DEFAULTS.slippageBps,
    marketFillSlices: PAPER_DEFAULTS.marketFillSlices,
    ordersPerSecond: request.ordersPerSecond ?? PAPER_DEFAULTS.ordersPerSecond,
    walletBalance: request.seedCapital,
    fundingRate: PAPER_DEFAULTS.fundingRate,
    fundingIntervalMs,
    idPrefix: `${tag}-`,
    now: services.now,
    price: (asset) => feed.price(asset),
    report: onReports,
    account: (reports) => relay.session?.guarded('account reports', (s) => s.onAccountReports(reports)),
    onFault: (error) => relay.session?.fault('paper venue', error),
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
    log: services.log,
    risk: request.risk,
    instruments,
    ...(request.strategy
      ? { strategy: { config: request.strategy, plugin: createStrategy(request.strategy, instruments) } }
      : {}),
    ...(replayFeed ? { replay: replayFeed } : {}),
  });
  relay.session = session;
  session.begin();
  feed.start();
  return { ok: true, value: session };
}

/** The refusal of a strategy whose notional buys less than one lot of a symbol at its opening price, if one does. */
export function notionalOutOfReach(
  notional: number,
  instruments: readonly Instrument[],
  openingPrice: (symbol: string) => number | undefined,
): { ok: false; error: CommandError } | undefined {
  for (const instrument of instruments) {
    const price = openingPrice(instrument.symbol) ?? instrument.startPrice;
    if (instrument.lotStep * price > notional) {
      return refuse(
        'INVALID_REQUEST',
        'strategy.notional',
        `strategy.notional: ${notional} buys less than one lot of ${instrument.symbol} ` +
          `(${instrument.lotStep} at about ${price} = ${instrument.lotStep * price} USDT)`,
      );
    }
  }
  return undefined;
}

export function refuse(
  code: CommandError['code'],
  field: string,
  message: string,
): { ok: false; error: CommandError } {
  return { ok: false, error: { code, field, message } };
}
