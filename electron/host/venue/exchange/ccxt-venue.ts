// A real exchange as a venue, through ccxt's unified API. The kernel's
// commands become REST requests; what the exchange did comes back as venue
// reports: an ACK when an order is accepted, its fills from the account's
// trades (one report per exchange trade, its id the trade's, so a trade seen
// twice is counted once by the kernel), and CANCELED / EXPIRED / REJECTED
// when an order leaves the book, as the exchange says it did, once every fill
// it reports for the order has been read. The exchange is polled: REST works
// on every exchange ccxt lists, and one loop paces every request under ccxt's
// own rate limiter.
//
// The account is in one-way mode (the exchange nets a symbol's long and
// short), so an entry against the session's own open position or working
// entry on that symbol is refused here, with the reason: the kernel would
// count two positions where the exchange holds one.
import type { Balances, FundingHistory, Order, Position, Trade } from 'ccxt';
import type { MarkTick } from '../../../../shared/index.js';
import type { KernelReconcileInput } from '../../kernel/kernel-port.js';
import { offGridRefusal } from '../../market/grid.js';
import type {
  AccountReport,
  AccountReportSink,
  Venue,
  VenueOrder,
  VenueOrderRequest,
  VenuePosition,
  VenueReport,
  VenueReportSink,
} from '../venue.js';
import type { ExchangeClient } from './exchange-client.js';
import { backoffAfter, meaningOf, reasonOf, submitMeaning, withoutUrls } from './exchange-errors.js';
import type { ExchangeMarket } from './exchange-markets.js';
import type { VenueResume } from './resumed-orders.js';

export interface CcxtVenueOptions {
  exchange: ExchangeClient;
  /** The session's markets, by the cockpit's symbol. */
  markets: ReadonlyMap<string, ExchangeMarket>;
  /** Between two polls of the account (orders, trades, positions, wallet). */
  pollIntervalMs: number;
  /** How long a submit whose answer was lost may stay unresolved before the exchange is asked by its client order id. */
  uncertainGraceMs: number;
  /** The wallet the session started with (the E ledger's first figure); without it, the first poll reports the wallet. */
  walletBalance?: number;
  /** The exchange's clock less the host's at the start (its trades are queried by its own time). */
  clockOffsetMs: number;
  idPrefix: string;
  now: () => number;
  report: VenueReportSink;
  account: AccountReportSink;
  /** A poll that failed on something other than the network or a rate limit (its URLs taken out). */
  onFault: (error: Error) => void;
  /** Network trouble and backing off: the host log. */
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Between two reads of the account's funding payments (an exchange counts them against a request budget). */
  fundingPollMs: number;
  /** A resumed session's orders as its journal left them (`resumedOrdersOf`); polling then waits for `catchUp`. */
  resume?: VenueResume;
}

export type TrackedStatus =
  /** Sent; the exchange's answer has not come. */
  | 'SUBMITTING'
  /** Sent, and the answer was lost: the exchange may or may not have it. */
  | 'UNCERTAIN'
  | 'OPEN'
  /** A cancel was sent; CANCELED waits for the exchange to show the order cancelled, with every fill read. */
  | 'CANCEL_PENDING'
  /** Filled, cancelled, expired or rejected, and reported. */
  | 'DONE';

interface TrackedOrder {
  request: VenueOrderRequest;
  market: ExchangeMarket;
  status: TrackedStatus;
  venueOrderId?: string;
  filled: number;
  /** The host's clock at the submit. */
  placedAt: number;
  /** The exchange's clock at the order's creation, once it has told. */
  createdAt?: number;
  /** When the submit's answer was lost. */
  uncertainAt?: number;
  /** The kernel asked for a cancel before the exchange had answered the submit. */
  cancelWanted?: boolean;
  /** The cancel's answer was lost: sent again while the order stays in the book. */
  cancelUnsure?: boolean;
  /** The host's clock when it was reported done: its symbol's trades are read a while longer, for late fills. */
  doneAt?: number;
}

/** How far off the exchange's clock may be from the host's (and the offset last seen) before an order tells its time. */
const CLOCK_SKEW_MS = 60_000;
/** After an order is done, its symbol's trades are still read this long: a fill the exchange lists late is not lost. */
const LATE_FILL_WATCH_MS = 60_000;
/** Exchanges answer a trades query from a start time for at most 7 days after it (Binance, Bybit). */
export const TRADES_WINDOW_MS = 6 * 24 * 3_600_000;
/** Trades asked for at once; Binance's most. A full page moves the cursor to its newest, and the rest follow. */
const TRADES_PAGE = 1_000;
/** Funding payments asked for at once (Binance's most). */
const FUNDING_PAGE = 1_000;

/** A symbol as a part of an event id: its letters and digits. */
function alnum(symbol: string): string {
  return symbol.replace(/[^A-Za-z0-9]/g, '');
}

/** Binance answers "no such order" for a cancelled or expired order without fills 3 days after its creation. */
const FORGETS_UNFILLED_AFTER_MS = 3 * 24 * 3_600_000;
/** A resume's reads of the holdings, each after a poll of the fills, until two agree. */
const CATCH_UP_ROUNDS = 3;
/**
 * A catch-up's tries of one read that met a rate limit or no answer. A resume asks many things at once,
 * which is when an exchange's limit is met.
 */
const CATCH_UP_TRIES = 4;

/** Two reads of the holdings found the same orders, fills and positions. */
function sameHoldings(a: Required<KernelReconcileInput>, b: Required<KernelReconcileInput>): boolean {
  const key = ({ openOrders, positions }: Required<KernelReconcileInput>) =>
    JSON.stringify([
      openOrders.map((o) => [o.clientOrderId, o.filledSize]).sort(),
      positions.map((p) => [p.asset, p.side, p.size]).sort(),
    ]);
  return key(a) === key(b);
}

export class CcxtVenue implements Venue {
  readonly name: string;
  private readonly orders = new Map<string, TrackedOrder>();
  /** By `symbol|venue order id`: exchanges number orders and trades per symbol. */
  private readonly byVenueId = new Map<string, TrackedOrder>();
  /** `symbol|trade id` of every trade reported. */
  private readonly tradesSeen = new Set<string>();
  /** Per exchange symbol, where the next trades query starts (the exchange's clock). */
  private readonly tradesSince = new Map<string, number>();
  /** Event ids of the funding payments reported. */
  private readonly fundingSeen = new Set<string>();
  /** Where the next funding query starts (the exchange's clock; at the first order until a payment is read); the host's clock of the last one. */
  private fundingSince: number | undefined;
  private fundingReadAt = Number.NEGATIVE_INFINITY;
  private positionCache: VenuePosition[] = [];
  private wallet: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private pollAgain = false;
  private backoffMs = 0;
  private closed = false;
  private nextEventId = 0;
  /** The exchange's clock less the host's, as last seen in a fresh answer: host time → exchange time. */
  private clockOffset: number;
  /** The session's markets by ccxt's symbol, and the currency they settle in (one per session). */
  private readonly byExchangeSymbol: ReadonlyMap<string, ExchangeMarket>;
  private readonly settleCurrency: string | undefined;

  constructor(private readonly options: CcxtVenueOptions) {
    this.name = options.exchange.id;
    this.wallet = options.walletBalance;
    this.clockOffset = options.clockOffsetMs;
    this.byExchangeSymbol = new Map([...options.markets.values()].map((m) => [m.exchangeSymbol, m]));
    this.settleCurrency = [...options.markets.values()][0]?.settle;
    if (options.resume) this.adopt(options.resume);
  }

  /** Starts polling the account. */
  start(): void {
    if (!this.closed && !this.timer && !this.polling) this.schedule(this.options.pollIntervalMs);
  }

  /**
   * A resumed session's catch-up, before it polls on its own: the fills and endings of the time the host was
   * down are reported; then the exchange's open orders and positions are read, then its fills again, until
   * two reads of the holdings agree (at most CATCH_UP_ROUNDS): every fill behind the holdings returned has
   * reached the kernel, so `reconcile` compares like with like. A failure is thrown to the caller.
   */
  async catchUp(): Promise<Required<KernelReconcileInput>> {
    this.polling = true;
    try {
      await this.patiently('its fills', () => this.pollOnce());
      let held = await this.patiently('its holdings', () => this.holdings());
      for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
        await this.patiently('its fills', () => this.pollOnce());
        const again = await this.patiently('its holdings', () => this.holdings());
        if (sameHoldings(held, again)) return again;
        held = again;
      }
      return held;
    } finally {
      this.polling = false;
    }
  }

  /**
   * A catch-up's read, tried again after a rate limit or a lost answer, the wait doubling from the poll's
   * interval (or ccxt's spacing of requests, if longer), as the poll's own backoff does: a read only asks,
   * and what a failed try reported moved its cursors on. A refusal, or the last try's failure, is thrown.
   */
  private async patiently<T>(what: string, read: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await read();
      } catch (error) {
        const meaning = meaningOf(error);
        if (
          this.closed ||
          tries === CATCH_UP_TRIES ||
          (meaning !== 'RATE_LIMITED' && meaning !== 'UNCERTAIN')
        ) {
          throw error;
        }
        const waitMs =
          Math.max(this.options.pollIntervalMs, this.options.exchange.rateLimit) * 2 ** (tries - 1);
        this.options.log(
          'warn',
          `${this.name}: catching up on ${what}, tried again in ${waitMs} ms after ${reasonOf(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  /** The exchange's open orders on the session's symbols and its positions there, for the kernel's `reconcile`. */
  private async holdings(): Promise<Required<KernelReconcileInput>> {
    const openOrders: KernelReconcileInput['openOrders'] = [];
    for (const market of this.options.markets.values()) {
      for (const order of await this.options.exchange.fetchOpenOrders(market.exchangeSymbol)) {
        openOrders.push({
          clientOrderId: order.clientOrderId ?? String(order.id),
          venueOrderId: order.id,
          asset: market.symbol,
          side: order.side === 'sell' ? 'SELL' : 'BUY',
          ...(order.amount != null ? { size: order.amount } : {}),
          ...(order.filled != null ? { filledSize: order.filled } : {}),
        });
      }
    }
    await this.pollAccount();
    const positions = this.positionCache.map((position) => ({
      asset: position.asset,
      side: position.size < 0 ? ('SHORT' as const) : ('LONG' as const),
      size: Math.abs(position.size),
      ...(position.averagePrice > 0 ? { entryPrice: position.averagePrice } : {}),
    }));
    return { openOrders, positions, ts: this.options.now() };
  }

  submit(request: VenueOrderRequest): void {
    if (this.closed || this.orders.has(request.clientOrderId)) return;
    const market = this.options.markets.get(request.asset);
    const refusal = !market
      ? `the session does not trade ${request.asset}`
      : // ccxt would cut an amount or price off the exchange's grid to fit it: the kernel would count what was not sent.
        (offGridRefusal(request, market, { venue: this.name, symbol: market.exchangeSymbol }) ??
        (request.reduceOnly ? undefined : this.oneWayClash(request)));
    if (!market || refusal) {
      this.emitLater({ kind: 'REJECTED', clientOrderId: request.clientOrderId, reason: refusal });
      return;
    }
    const order: TrackedOrder = {
      request,
      market,
      status: 'SUBMITTING',
      filled: 0,
      placedAt: this.options.now(),
    };
    this.orders.set(request.clientOrderId, order);
    const params: Record<string, unknown> = { clientOrderId: request.clientOrderId };
    if (request.reduceOnly) params.reduceOnly = true;
    const type = request.orderType === 'LIMIT' ? 'limit' : 'market';
    const price = type === 'limit' ? (request.limitPrice ?? undefined) : undefined;
    const side = request.side === 'BUY' ? 'buy' : 'sell';
    this.options.exchange
      .createOrder(market.exchangeSymbol, type, side, request.size, price, params)
      .then(
        (placed) => this.accepted(order, placed),
        (error: unknown) => this.submitFailed(order, error),
      )
      .catch((error: unknown) => this.options.onFault(withoutUrls(error)));
  }

  cancel(clientOrderId: string): void {
    if (this.closed) return;
    const order = this.orders.get(clientOrderId);
    if (!order || order.status === 'DONE') {
      this.emitLater({
        kind: 'CANCEL_REJECTED',
        clientOrderId,
        reason: order ? 'the order is no longer working' : 'this venue never received the order',
      });
      return;
    }
    if (order.status === 'SUBMITTING' || order.status === 'UNCERTAIN') {
      order.cancelWanted = true;
      return;
    }
    if (order.status === 'CANCEL_PENDING') return;
    this.requestCancel(order);
  }

  openOrders(): VenueOrder[] {
    const working: VenueOrder[] = [];
    for (const order of this.orders.values()) {
      if (order.status === 'DONE') continue;
      const { request } = order;
      working.push({
        clientOrderId: request.clientOrderId,
        venueOrderId: order.venueOrderId ?? '',
        asset: request.asset,
        side: request.side,
        orderType: request.orderType,
        size: request.size,
        filledSize: order.filled,
        ...(request.limitPrice != null ? { limitPrice: request.limitPrice } : {}),
        reduceOnly: request.reduceOnly,
        status:
          order.status === 'CANCEL_PENDING'
            ? 'CANCEL_PENDING'
            : order.filled > 0
              ? 'PARTIALLY_FILLED'
              : 'OPEN',
        placedAt: order.placedAt,
      });
    }
    return working;
  }

  positions(): VenuePosition[] {
    return this.positionCache.map((position) => ({ ...position }));
  }

  /** The exchange matches on its own prices. */
  onMarks(_ticks: readonly MarkTick[]): void {}

  /** Stops polling. Working orders stay on the exchange: the operator decides about them, as with the paper venue. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Polls now (after the one in flight, if any), not at the next interval: a fill follows its ACK soon. */
  private pollSoon(): void {
    if (this.closed) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, delayMs);
  }

  private async poll(): Promise<void> {
    if (this.closed || this.polling) return;
    this.polling = true;
    try {
      await this.pollOnce();
      this.backoffMs = 0;
    } catch (error) {
      this.backoffMs = backoffAfter(
        error,
        this.backoffMs,
        this.options.pollIntervalMs,
        `${this.name}: polling`,
        this.options,
      );
    } finally {
      this.polling = false;
    }
    if (this.closed) return;
    const again = this.pollAgain;
    this.pollAgain = false;
    this.schedule(again && this.backoffMs === 0 ? 0 : this.options.pollIntervalMs + this.backoffMs);
  }

  private async pollOnce(): Promise<void> {
    const now = this.options.now();
    const symbols = new Set<string>();
    for (const order of this.orders.values()) {
      const watched =
        order.status === 'DONE'
          ? now - (order.doneAt ?? 0) < LATE_FILL_WATCH_MS
          : order.status !== 'SUBMITTING';
      if (watched) symbols.add(order.market.exchangeSymbol);
    }
    for (const symbol of symbols) {
      await this.pollTrades(symbol);
      await this.pollOrders(symbol);
    }
    await this.pollAccount();
  }

  private async pollTrades(exchangeSymbol: string): Promise<void> {
    const floor = this.exchangeNow() - TRADES_WINDOW_MS;
    const since = Math.max(
      floor,
      this.tradesSince.get(exchangeSymbol) ?? this.firstTradeTime(exchangeSymbol),
    );
    const trades = await this.options.exchange.fetchMyTrades(exchangeSymbol, since, TRADES_PAGE);
    if (this.closed) return;
    const fills: VenueReport[] = [];
    let newest = since;
    let unclaimed = Infinity;
    for (const trade of [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
      const fill = this.fillOf(exchangeSymbol, trade);
      if (fill) fills.push(fill);
      else if (trade.id && !this.tradesSeen.has(`${exchangeSymbol}|${trade.id}`)) {
        unclaimed = Math.min(unclaimed, trade.timestamp ?? since);
      }
      newest = Math.max(newest, trade.timestamp ?? since);
    }
    // The query starts at the newest trade read (inclusive: trades of one millisecond are deduped by id), but
    // not past one no order claims while a submit is unanswered: the trade may turn out to be its own.
    const unanswered = [...this.orders.values()].some(
      (order) =>
        (order.status === 'UNCERTAIN' || order.status === 'SUBMITTING') &&
        order.market.exchangeSymbol === exchangeSymbol,
    );
    this.tradesSince.set(exchangeSymbol, unanswered ? Math.min(newest, unclaimed) : newest);
    if (fills.length > 0) this.options.report(fills);
  }

  /**
   * Where a first query of trades (of one symbol) or of funding (of any) starts: at the first order by the
   * exchange's clock, or, before the exchange has told it, the host's clock a minute back (the two clocks may
   * differ by seconds). Nothing before the session's first order can be its own.
   */
  private firstTradeTime(exchangeSymbol?: string): number {
    let first = Infinity;
    for (const order of this.orders.values()) {
      if (exchangeSymbol !== undefined && order.market.exchangeSymbol !== exchangeSymbol) continue;
      first = Math.min(first, order.createdAt ?? order.placedAt + this.clockOffset - CLOCK_SKEW_MS);
    }
    return Number.isFinite(first) ? first : this.exchangeNow() - CLOCK_SKEW_MS;
  }

  /** The exchange's time now, by the host's clock and the offset last seen. */
  private exchangeNow(): number {
    return this.options.now() + this.clockOffset;
  }

  private fillOf(exchangeSymbol: string, trade: Trade): VenueReport | undefined {
    const key = `${exchangeSymbol}|${trade.id}`;
    if (!trade.id || !trade.order || this.tradesSeen.has(key)) return undefined;
    if (trade.symbol != null && trade.symbol !== exchangeSymbol) return undefined;
    const order = this.byVenueId.get(`${exchangeSymbol}|${trade.order}`);
    if (!order || trade.amount == null || trade.price == null || !(trade.amount > 0)) return undefined;
    this.tradesSeen.add(key);
    order.filled += trade.amount;
    const complete = order.filled >= order.request.size - order.market.lotStep / 2;
    if (complete && order.status === 'OPEN') this.finish(order);
    const fee = trade.fee?.currency === order.market.settle ? trade.fee.cost : undefined;
    return {
      eventId: `${this.options.idPrefix}trade-${alnum(exchangeSymbol)}-${trade.id}`,
      kind: complete ? 'FILL' : 'PARTIAL_FILL',
      clientOrderId: order.request.clientOrderId,
      venueOrderId: trade.order,
      venueTradeId: trade.id,
      price: trade.price,
      size: trade.amount,
      ...(fee != null ? { fee } : {}),
      ...(trade.takerOrMaker === 'maker' || trade.takerOrMaker === 'taker'
        ? { liquidity: trade.takerOrMaker === 'maker' ? ('MAKER' as const) : ('TAKER' as const) }
        : {}),
      ts: trade.timestamp ?? this.options.now(),
    };
  }

  /** Orders that left the exchange's book: filled (their trades say so), or cancelled, expired or rejected there. */
  private async pollOrders(exchangeSymbol: string): Promise<void> {
    const open = await this.options.exchange.fetchOpenOrders(exchangeSymbol);
    if (this.closed) return;
    const openIds = new Set(open.map((o) => o.id));
    for (const found of open) {
      const order = found.clientOrderId ? this.orders.get(found.clientOrderId) : undefined;
      if (order?.status === 'UNCERTAIN' && found.id) this.accepted(order, found);
      else if (order) this.learnCreation(order, found);
    }
    for (const order of [...this.orders.values()]) {
      if (order.market.exchangeSymbol !== exchangeSymbol || order.status === 'DONE') continue;
      try {
        if (order.status === 'UNCERTAIN') {
          await this.resolveUncertain(order);
        } else if (order.venueOrderId && !openIds.has(order.venueOrderId)) {
          const state = await this.lookUp(order);
          if (this.closed) return;
          if (state) {
            this.learnCreation(order, state);
            this.settle(order, state);
          }
        } else if (order.status === 'CANCEL_PENDING' && order.cancelUnsure) {
          this.requestCancel(order);
        }
      } catch (error) {
        // One order the exchange will not tell about must not stop the others, nor the account's poll.
        const meaning = meaningOf(error);
        if (meaning === 'RATE_LIMITED' || meaning === 'UNCERTAIN') throw error;
        this.options.onFault(withoutUrls(error));
      }
    }
  }

  /**
   * An order that left the open book, as the exchange tells it; undefined when it no longer keeps it. Binance
   * forgets a cancelled or expired order that had no fills 3 days after its creation, so such an order, not in
   * the book and without fills, ended so: it is reported EXPIRED, with why (a session resumed days later).
   */
  private async lookUp(order: TrackedOrder): Promise<Order | undefined> {
    const { market, request } = order;
    try {
      return await this.options.exchange.fetchOrder(order.venueOrderId as string, market.exchangeSymbol);
    } catch (error) {
      const created = order.createdAt ?? order.placedAt + this.clockOffset;
      const forgotten = order.filled === 0 && this.exchangeNow() - created > FORGETS_UNFILLED_AFTER_MS;
      if (meaningOf(error) !== 'NOT_FOUND' || !forgotten || this.closed) throw error;
      this.finish(order);
      this.emit({
        kind: 'EXPIRED',
        clientOrderId: request.clientOrderId,
        venueOrderId: order.venueOrderId as string,
        reason: `${this.name} no longer keeps order ${order.venueOrderId}: it left the book unfilled, over 3 days ago`,
      });
      return undefined;
    }
  }

  /** A submit whose answer was lost: found in the book above, else asked for by client order id once the grace is over. */
  private async resolveUncertain(order: TrackedOrder): Promise<void> {
    if (this.options.now() - (order.uncertainAt ?? 0) < this.options.uncertainGraceMs) return;
    const { clientOrderId } = order.request;
    try {
      const state = await this.options.exchange.fetchOrder('', order.market.exchangeSymbol, {
        clientOrderId,
      });
      if (this.closed || order.status !== 'UNCERTAIN') return;
      this.accepted(order, state);
      if (state.status !== 'open') this.settle(order, state);
    } catch (error) {
      if (meaningOf(error) !== 'NOT_FOUND') throw error;
      if (this.closed || order.status !== 'UNCERTAIN') return;
      this.finish(order);
      this.emit({
        kind: 'REJECTED',
        clientOrderId,
        reason: `the submit's answer was lost and ${this.name} has no order ${clientOrderId}`,
      });
    }
  }

  /** An order no longer in the open book: what the exchange says it became, once every fill it counts is read. */
  private settle(order: TrackedOrder, state: Order): void {
    if (state.status === 'open' || state.status == null) return;
    if ((state.filled ?? 0) > order.filled + order.market.lotStep / 2) return;
    if (state.status === 'closed' && order.filled >= order.request.size - order.market.lotStep / 2) {
      this.finish(order);
      return;
    }
    const kind =
      state.status === 'canceled' ? 'CANCELED' : state.status === 'rejected' ? 'REJECTED' : 'EXPIRED';
    this.finish(order);
    this.emit({
      kind,
      clientOrderId: order.request.clientOrderId,
      ...(order.venueOrderId ? { venueOrderId: order.venueOrderId } : {}),
      ...(kind === 'CANCELED' ? {} : { reason: `${this.name} reports the order ${state.status}` }),
    });
  }

  private async pollAccount(): Promise<void> {
    // Funding first: a payment read is in the balance read after it, so the kernel never sees a wallet that
    // holds a payment it was not told of.
    const funding = await this.pollFunding();
    if (this.closed) return;
    const [positions, balance] = await Promise.all([
      this.options.exchange.fetchPositions([...this.byExchangeSymbol.keys()]),
      this.options.exchange.fetchBalance(),
    ]);
    if (this.closed) return;
    this.positionCache = positions.flatMap((position) => {
      const market = position.symbol ? this.byExchangeSymbol.get(position.symbol) : undefined;
      const size = (position.contracts ?? 0) * (position.contractSize ?? 1);
      if (!market || !(size > 0)) return [];
      return [
        {
          asset: market.symbol,
          size: position.side === 'short' ? -size : size,
          averagePrice: position.entryPrice ?? 0,
        },
      ];
    });
    const wallet = this.settleCurrency ? walletOf(balance, this.settleCurrency, positions) : undefined;
    // The payments first, then the wallet they moved: the kernel's ledger knows them before the balance.
    const reports: AccountReport[] = [...funding];
    if (wallet !== undefined && wallet !== this.wallet) {
      this.wallet = wallet;
      reports.push({
        eventId: this.eventId('wallet'),
        kind: 'ACCOUNT_UPDATE',
        walletBalance: wallet,
        ts: this.options.now(),
      });
    }
    if (reports.length > 0) this.options.account(reports);
  }

  /**
   * The funding the exchange paid or charged on the session's symbols since the last read, as FUNDING_FEE
   * reports (positive when received), one per payment, known by the exchange's id. Read every `fundingPollMs`
   * once the session has held a position, where the exchange offers it (funding comes every few hours).
   */
  private async pollFunding(): Promise<AccountReport[]> {
    const { exchange } = this.options;
    const now = this.options.now();
    const held = [...this.orders.values()].some((order) => order.filled > 0);
    if (!exchange.has.fetchFundingHistory || !exchange.fetchFundingHistory || !held) return [];
    if (now - this.fundingReadAt < this.options.fundingPollMs) return [];
    const since = this.fundingSince ?? this.firstTradeTime();
    let payments: FundingHistory[];
    try {
      payments = await exchange.fetchFundingHistory(undefined, since, FUNDING_PAGE);
    } catch (error) {
      // Funding the exchange will not tell must not stop the orders' and fills' poll: told, asked again later.
      const meaning = meaningOf(error);
      if (meaning === 'RATE_LIMITED' || meaning === 'UNCERTAIN') throw error;
      this.fundingReadAt = now;
      this.options.onFault(withoutUrls(error));
      return [];
    }
    this.fundingReadAt = now;
    const reports: AccountReport[] = [];
    for (const payment of [...payments].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
      const at = payment.timestamp;
      if (at == null) continue;
      // Every payment moves the cursor, the account's other symbols' too: a full page of them must not stall it.
      this.fundingSince = Math.max(this.fundingSince ?? since, at);
      const market = payment.symbol ? this.byExchangeSymbol.get(payment.symbol) : undefined;
      if (!market || payment.amount == null || !Number.isFinite(payment.amount)) continue;
      const eventId = `${this.options.idPrefix}funding-${alnum(market.exchangeSymbol)}-${payment.id ?? at}`;
      if (this.fundingSeen.has(eventId) || payment.amount === 0) continue;
      this.fundingSeen.add(eventId);
      reports.push({ eventId, kind: 'FUNDING_FEE', amount: payment.amount, asset: market.symbol, ts: at });
    }
    return reports;
  }

  private accepted(order: TrackedOrder, placed: Order): void {
    if (this.closed || !placed.id || (order.status !== 'SUBMITTING' && order.status !== 'UNCERTAIN')) return;
    const symbol = order.market.exchangeSymbol;
    order.venueOrderId = placed.id;
    // A create answer is fresh: its time tells the exchange's clock. A found order's time is older.
    if (order.status === 'SUBMITTING' && placed.timestamp != null) {
      this.clockOffset = placed.timestamp - this.options.now();
    }
    this.learnCreation(order, placed);
    order.status = 'OPEN';
    this.byVenueId.set(`${symbol}|${placed.id}`, order);
    this.emit({ kind: 'ACK', clientOrderId: order.request.clientOrderId, venueOrderId: placed.id });
    if (order.cancelWanted) this.requestCancel(order);
    this.pollSoon();
  }

  /**
   * The exchange's time of the order's creation, from any answer that has it (some exchanges leave it out of
   * the create answer). An order learnt late may be older than where its symbol's trades query stands.
   */
  private learnCreation(order: TrackedOrder, state: Order): void {
    if (order.createdAt !== undefined || state.timestamp == null) return;
    order.createdAt = state.timestamp;
    const symbol = order.market.exchangeSymbol;
    const since = this.tradesSince.get(symbol);
    if (since !== undefined && state.timestamp < since) this.tradesSince.set(symbol, state.timestamp);
  }

  private submitFailed(order: TrackedOrder, error: unknown): void {
    if (this.closed || order.status !== 'SUBMITTING') return;
    const meaning = submitMeaning(error);
    const { clientOrderId } = order.request;
    if (meaning === 'UNCERTAIN') {
      order.status = 'UNCERTAIN';
      order.uncertainAt = this.options.now();
      this.options.log('warn', `${this.name}: no clear answer to ${clientOrderId}: ${reasonOf(error)}`);
      return;
    }
    // Nothing was placed: the same client order id may be sent again.
    this.orders.delete(clientOrderId);
    if (meaning === 'RATE_LIMITED' && !order.cancelWanted) {
      this.emit({
        kind: 'RATE_LIMITED',
        clientOrderId,
        retryAfterMs: this.retryAfterMs(),
        reason: reasonOf(error),
      });
      return;
    }
    // A rate-limited order the kernel meanwhile asked to cancel is over: a retry would place what it no longer wants.
    this.emit({ kind: 'REJECTED', clientOrderId, reason: reasonOf(error) });
  }

  private requestCancel(order: TrackedOrder): void {
    const venueOrderId = order.venueOrderId as string;
    const { clientOrderId } = order.request;
    order.status = 'CANCEL_PENDING';
    order.cancelUnsure = false;
    this.options.exchange
      .cancelOrder(venueOrderId, order.market.exchangeSymbol)
      .then(
        // CANCELED waits for the poll: the exchange shows the order cancelled, and every fill it counts is read.
        () => this.pollSoon(),
        (error: unknown) => {
          if (this.closed || order.status !== 'CANCEL_PENDING') return;
          const meaning = meaningOf(error);
          if (meaning === 'UNCERTAIN') {
            order.cancelUnsure = true;
            return;
          }
          order.status = 'OPEN';
          if (meaning === 'RATE_LIMITED') {
            const retryAfterMs = Math.max(1_000, this.options.exchange.rateLimit);
            this.emit({
              kind: 'RATE_LIMITED',
              clientOrderId,
              venueOrderId,
              retryAfterMs,
              reason: reasonOf(error),
            });
            return;
          }
          this.emit({ kind: 'CANCEL_REJECTED', clientOrderId, venueOrderId, reason: reasonOf(error) });
          if (meaning === 'NOT_FOUND') this.pollSoon();
        },
      )
      .catch((error: unknown) => this.options.onFault(withoutUrls(error)));
  }

  /** An entry that would stand against the session's own position or working entry on its symbol. */
  private oneWayClash(request: VenueOrderRequest): string | undefined {
    let net = 0;
    for (const order of this.orders.values()) {
      if (order.request.asset !== request.asset) continue;
      const sign = order.request.side === 'BUY' ? 1 : -1;
      net += sign * order.filled;
      if (order.status !== 'DONE' && !order.request.reduceOnly && order.request.side !== request.side) {
        return `${this.name} nets ${request.asset} in one position (one-way mode), and entry ${order.request.clientOrderId} on the other side is working`;
      }
    }
    const against = request.side === 'BUY' ? net < -1e-12 : net > 1e-12;
    return against
      ? `${this.name} nets ${request.asset} in one position (one-way mode), and the session holds the other side: close it first`
      : undefined;
  }

  /** A report of a command's own call: it reaches the session after the command, as an exchange's answer would. */
  private emitLater(report: Omit<VenueReport, 'eventId' | 'ts'>): void {
    setImmediate(() => {
      if (!this.closed) this.emit(report);
    });
  }

  /** The wait a RATE_LIMITED report asks of the kernel: a second, or ccxt's spacing of requests if longer. */
  private retryAfterMs(): number {
    return Math.max(1_000, this.options.exchange.rateLimit);
  }

  /**
   * Takes up a resumed session's orders. A submit the journal holds no answer to is UNCERTAIN, asked for by
   * its client order id at the first poll; a cancel with no answer is sent again while the order is in the
   * book; its symbol's trades are read from where the journal's fills end, or from before such a submit.
   */
  private adopt(resume: VenueResume): void {
    const now = this.options.now();
    for (const resumed of resume.orders) {
      const market = this.options.markets.get(resumed.request.asset);
      if (!market) continue;
      const order: TrackedOrder = {
        request: resumed.request,
        market,
        status: resumed.status,
        filled: resumed.filled,
        placedAt: resumed.placedAt,
        ...(resumed.venueOrderId ? { venueOrderId: resumed.venueOrderId } : {}),
        ...(resumed.status === 'UNCERTAIN' ? { uncertainAt: Number.NEGATIVE_INFINITY } : {}),
        ...(resumed.status === 'DONE' ? { doneAt: now } : {}),
        ...(resumed.cancelRequested && resumed.status === 'UNCERTAIN' ? { cancelWanted: true } : {}),
        ...(resumed.status === 'CANCEL_PENDING' ? { cancelUnsure: true } : {}),
      };
      this.orders.set(resumed.request.clientOrderId, order);
      if (order.venueOrderId) this.byVenueId.set(`${market.exchangeSymbol}|${order.venueOrderId}`, order);
    }
    for (const key of resume.tradesSeen) this.tradesSeen.add(key);
    for (const [symbol, since] of Object.entries(resume.tradesSince)) this.tradesSince.set(symbol, since);
    // A working order's trades are read from its sending on: the journal's fills are where reading ended, but
    // an order whose id was learnt after its trades were read past had them unclaimed (tradesSeen dedupes).
    for (const order of this.orders.values()) {
      if (order.status === 'DONE') continue;
      const symbol = order.market.exchangeSymbol;
      const since = this.tradesSince.get(symbol);
      const sent = order.placedAt + this.clockOffset - CLOCK_SKEW_MS;
      if (since !== undefined && sent < since) this.tradesSince.set(symbol, sent);
    }
    this.nextEventId = resume.eventCounter;
    for (const eventId of resume.fundingSeen) this.fundingSeen.add(eventId);
    // Funding is read on from the last payment reported, else from the session's first order.
    this.fundingSince = resume.fundingSince;
  }

  private finish(order: TrackedOrder): void {
    order.status = 'DONE';
    order.doneAt = this.options.now();
  }

  private emit(report: Omit<VenueReport, 'eventId' | 'ts'>): void {
    this.options.report([{ ...report, eventId: this.eventId(report.kind), ts: this.options.now() }]);
  }

  private eventId(kind: string): string {
    this.nextEventId += 1;
    return `${this.options.idPrefix}${kind.toLowerCase()}-${this.nextEventId}`;
  }
}

/**
 * The wallet (the E ledger): deposits, realized PnL, fees and funding, without the open positions' unrealized
 * PnL. ccxt's `total` is the margin balance on Binance (the wallet plus unrealized PnL), so the exchange's own
 * `walletBalance` is read where its answer has one, else `total` less the positions' unrealized PnL.
 */
export function walletOf(
  balance: Balances,
  settle: string,
  positions: readonly Position[],
): number | undefined {
  const info = balance.info as unknown;
  const assets: unknown = Array.isArray(info) ? info : (info as { assets?: unknown } | null)?.assets;
  if (Array.isArray(assets)) {
    const entry = assets.find((a: { asset?: unknown }) => a?.asset === settle) as
      { walletBalance?: unknown } | undefined;
    const raw = Number(entry?.walletBalance);
    if (entry?.walletBalance != null && Number.isFinite(raw)) return raw;
  }
  const total = (balance[settle] as { total?: number } | undefined)?.total;
  if (total == null || !Number.isFinite(total)) return undefined;
  const unrealized = positions.reduce((sum, p) => sum + (p.unrealizedPnl ?? 0), 0);
  return Number((total - unrealized).toFixed(8));
}
