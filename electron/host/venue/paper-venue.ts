// The paper venue: a realistic simulated exchange inside the host. Orders
// arrive after a latency; market orders walk the book in slices at the
// current price plus slippage and pay the taker fee; limit orders rest until
// the price crosses them and pay the maker fee; a cancel races fills the way
// it does on a real venue (whichever reaches the matching engine first wins).
// It keeps the account's wallet as the exchange would (the E ledger): fills
// settle realized PnL and fees, funding is paid at its interval. Positions are
// kept in hedge mode, one per symbol and side, because the kernel may hold a
// long and a short of one symbol in two slots: an order that is not
// reduce-only opens or adds to its side's position (BUY long, SELL short), a
// reduce-only one reduces the other side's (SELL long, BUY short).
import type { MarkTick } from '../../../shared/index.js';
import type { Instrument } from '../../../shared/index.js';
import { offGridRefusal, roundToStep } from '../market/grid.js';
import type {
  AccountReport,
  AccountReportSink,
  Venue,
  VenueOrder,
  VenueOrderRequest,
  VenuePosition,
  VenueReport,
  VenueReportSink,
} from './venue.js';

export interface PaperVenueOptions {
  instruments: readonly Instrument[];
  /** Time between an instruction and the venue's first report. */
  latencyMs: number;
  takerRate: number;
  makerRate: number;
  /** Adverse slippage of market fills, in basis points of the price. */
  slippageBps: number;
  /** A market order fills in this many executions (1 = one fill). */
  marketFillSlices: number;
  /** New orders the gateway accepts per second (a token bucket of that size); the rest get RATE_LIMITED. */
  ordersPerSecond: number;
  /** The wallet the account starts with. */
  walletBalance: number;
  /** Funding paid by longs to shorts per interval, as a fraction of the position's notional (negative: shorts pay). */
  fundingRate: number;
  fundingIntervalMs: number;
  idPrefix: string;
  now: () => number;
  price: (asset: string) => number | undefined;
  report: VenueReportSink;
  account: AccountReportSink;
  /** Where a fault in the venue's own timers goes (the host logs and tells it): a timer never throws. */
  onFault: (error: unknown) => void;
}

interface PaperOrder extends VenueOrder {
  instrument: Instrument;
}

export class PaperVenue implements Venue {
  readonly name = 'paper';
  private readonly orders = new Map<string, PaperOrder>();
  private readonly seen = new Set<string>();
  /** By `positionKey`: hedge mode, one per symbol and side. */
  private readonly position = new Map<string, VenuePosition>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private nextId = 0;
  private tokens: number;
  private refilledAt: number;
  private wallet: number;
  private readonly fundingTimer: ReturnType<typeof setInterval>;

  constructor(private readonly options: PaperVenueOptions) {
    this.tokens = options.ordersPerSecond;
    this.refilledAt = options.now();
    this.wallet = options.walletBalance;
    this.fundingTimer = setInterval(() => this.safely(() => this.settleFunding()), options.fundingIntervalMs);
  }

  submit(request: VenueOrderRequest): void {
    if (this.seen.has(request.clientOrderId)) return;
    this.seen.add(request.clientOrderId);
    this.later(this.options.latencyMs, () => this.arrive(request));
  }

  cancel(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (order) order.status = 'CANCEL_PENDING';
    this.later(this.options.latencyMs, () => this.arriveCancel(clientOrderId));
  }

  openOrders(): VenueOrder[] {
    return [...this.orders.values()].map((order) => {
      const { instrument: _instrument, ...venueOrder } = order;
      return venueOrder;
    });
  }

  positions(): VenuePosition[] {
    return [...this.position.values()].filter((p) => p.size !== 0).map((p) => ({ ...p }));
  }

  onMarks(ticks: readonly MarkTick[]): void {
    const reports: VenueReport[] = [];
    for (const tick of ticks) {
      for (const order of this.orders.values()) {
        if (order.asset !== tick.asset || order.orderType !== 'LIMIT' || order.limitPrice === undefined)
          continue;
        const crossed =
          order.side === 'BUY' ? tick.price <= order.limitPrice : tick.price >= order.limitPrice;
        if (crossed)
          reports.push(this.execute(order, order.size - order.filledSize, order.limitPrice, 'MAKER'));
      }
    }
    if (reports.length > 0) this.publish(reports);
  }

  close(): void {
    clearInterval(this.fundingTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Funding at the interval: each open position pays or receives rate × notional at the current price. */
  settleFunding(): void {
    const ts = this.options.now();
    const payments: AccountReport[] = [];
    for (const position of this.positions()) {
      const mark = this.options.price(position.asset);
      if (mark === undefined) continue;
      const amount = -position.size * mark * this.options.fundingRate;
      this.wallet += amount;
      payments.push({ eventId: this.nextEventId(), kind: 'FUNDING_FEE', amount, asset: position.asset, ts });
    }
    if (payments.length === 0) return;
    this.options.account([...payments, this.walletUpdate(ts)]);
  }

  /** Reports go out first, then the wallet they moved, so the kernel knows the fills before the balance. */
  private publish(reports: VenueReport[]): void {
    this.options.report(reports);
    const fills = reports.filter((r) => r.kind === 'FILL' || r.kind === 'PARTIAL_FILL');
    const last = fills.at(-1);
    if (last) this.options.account([{ ...this.walletUpdate(last.ts), causedBy: last.eventId }]);
  }

  private walletUpdate(ts: number): AccountReport {
    return { eventId: this.nextEventId(), kind: 'ACCOUNT_UPDATE', walletBalance: this.wallet, ts };
  }

  private nextEventId(): string {
    return `${this.options.idPrefix}v${++this.nextId}`;
  }

  private arrive(request: VenueOrderRequest): void {
    if (request.kind === 'CANCEL') return this.arriveCancel(request.clientOrderId);
    const retryAfterMs = this.throttle();
    if (retryAfterMs > 0) {
      // Refused at the gateway: the order never existed, so a retry with the same id is a new request.
      this.seen.delete(request.clientOrderId);
      return this.publish([
        this.reportOf('RATE_LIMITED', request.clientOrderId, { retryAfterMs, reason: 'order rate limit' }),
      ]);
    }
    const instrument = this.options.instruments.find((i) => i.symbol === request.asset);
    const price = this.options.price(request.asset);
    const refusal = this.refusal(request, instrument, price);
    if (refusal !== undefined || !instrument || price === undefined) {
      return this.publish([this.reportOf('REJECTED', request.clientOrderId, { reason: refusal })]);
    }
    const size = this.reduceOnlySize(request) ?? request.size;
    const order: PaperOrder = {
      clientOrderId: request.clientOrderId,
      venueOrderId: `${this.options.idPrefix}V${++this.nextId}`,
      asset: request.asset,
      side: request.side,
      orderType: request.orderType,
      size,
      filledSize: 0,
      ...(request.limitPrice != null ? { limitPrice: request.limitPrice } : {}),
      reduceOnly: request.reduceOnly,
      status: 'OPEN',
      placedAt: this.options.now(),
      instrument,
    };
    this.orders.set(order.clientOrderId, order);
    const ack = this.reportOf('ACK', order.clientOrderId, { venueOrderId: order.venueOrderId });
    if (order.orderType === 'LIMIT') {
      const marketable = order.side === 'BUY' ? price <= order.limitPrice! : price >= order.limitPrice!;
      // A marketable limit takes liquidity at the better current price.
      const fills = marketable ? [this.execute(order, order.size, price, 'TAKER')] : [];
      return this.publish([ack, ...fills]);
    }
    this.publish([ack]);
    this.fillMarketInSlices(order);
  }

  /** Takes a token for a new order; 0 when there was one, else how long until there is. */
  private throttle(): number {
    const now = this.options.now();
    const rate = this.options.ordersPerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) * rate) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / rate);
  }

  private refusal(request: VenueOrderRequest, instrument?: Instrument, price?: number): string | undefined {
    if (!instrument) return `unknown symbol ${request.asset}`;
    if (price === undefined) return `no price for ${request.asset}`;
    if (!(request.size > 0)) return `size must be positive, got ${request.size}`;
    const offGrid = offGridRefusal(request, instrument, { venue: 'the paper venue', symbol: request.asset });
    if (offGrid) return offGrid;
    if (request.orderType === 'LIMIT' && !(request.limitPrice != null && request.limitPrice > 0)) {
      return 'limit order without a positive limit price';
    }
    if (request.reduceOnly && this.reduceOnlySize(request) === 0) {
      return 'reduce-only order would not reduce the position';
    }
    return undefined;
  }

  /** Reduce-only orders are trimmed to the open position, as venues do. */
  private reduceOnlySize(request: VenueOrderRequest): number | undefined {
    if (!request.reduceOnly) return undefined;
    const held = this.position.get(positionKey(request))?.size ?? 0;
    return Math.min(request.size, Math.abs(held));
  }

  private fillMarketInSlices(order: PaperOrder): void {
    const slices = Math.max(1, this.options.marketFillSlices);
    const step = order.instrument.lotStep;
    const sliceSize = Math.max(step, roundToStep(order.size / slices, step));
    const fillNext = (index: number) => {
      if (!this.orders.has(order.clientOrderId)) return;
      const remaining = roundToStep(order.size - order.filledSize, step);
      const qty = index === slices - 1 || remaining <= sliceSize ? remaining : sliceSize;
      const mark = this.options.price(order.asset)!;
      const slip = (this.options.slippageBps / 10_000) * mark * (order.side === 'BUY' ? 1 : -1);
      this.publish([this.execute(order, qty, roundToStep(mark + slip, order.instrument.tickSize), 'TAKER')]);
      if (this.orders.has(order.clientOrderId))
        this.later(Math.max(1, this.options.latencyMs / 2), () => fillNext(index + 1));
    };
    fillNext(0);
  }

  private execute(order: PaperOrder, qty: number, price: number, liquidity: 'MAKER' | 'TAKER'): VenueReport {
    order.filledSize = roundToStep(order.filledSize + qty, order.instrument.lotStep);
    const done = order.filledSize >= order.size;
    if (done) this.orders.delete(order.clientOrderId);
    else if (order.status === 'OPEN') order.status = 'PARTIALLY_FILLED';
    const realized = this.applyToPosition(order, qty, price);
    const rate = liquidity === 'MAKER' ? this.options.makerRate : this.options.takerRate;
    const fee = qty * price * rate;
    this.wallet += realized - fee;
    return this.reportOf(done ? 'FILL' : 'PARTIAL_FILL', order.clientOrderId, {
      venueOrderId: order.venueOrderId,
      venueTradeId: `${this.options.idPrefix}X${++this.nextId}`,
      price,
      size: qty,
      fee,
      liquidity,
    });
  }

  private arriveCancel(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    if (!order) {
      const reason = this.seen.has(clientOrderId) ? 'order already closed' : 'unknown order';
      return this.publish([this.reportOf('CANCEL_REJECTED', clientOrderId, { reason })]);
    }
    this.orders.delete(clientOrderId);
    this.publish([
      this.reportOf('CANCELED', clientOrderId, {
        venueOrderId: order.venueOrderId,
        reason: 'canceled by request',
      }),
    ]);
  }

  /** Applies a fill to the position; returns the PnL it realized (the closed part × the move from the average). */
  private applyToPosition(order: PaperOrder, qty: number, price: number): number {
    const key = positionKey(order);
    const held = this.position.get(key) ?? { asset: order.asset, size: 0, averagePrice: 0 };
    const signed = order.side === 'BUY' ? qty : -qty;
    const next = held.size + signed;
    const grows = held.size === 0 || Math.sign(held.size) === Math.sign(signed);
    const closed = grows ? 0 : Math.min(qty, Math.abs(held.size));
    const realized = closed * (price - held.averagePrice) * Math.sign(held.size);
    const averagePrice = grows
      ? (Math.abs(held.size) * held.averagePrice + qty * price) / Math.abs(next)
      : Math.sign(next) === Math.sign(held.size)
        ? held.averagePrice
        : price;
    this.position.set(key, {
      asset: order.asset,
      size: roundToStep(next, order.instrument.lotStep),
      averagePrice: next === 0 ? 0 : averagePrice,
    });
    return realized;
  }

  private reportOf(
    kind: VenueReport['kind'],
    clientOrderId: string,
    fields: Partial<VenueReport>,
  ): VenueReport {
    const report: VenueReport = {
      eventId: this.nextEventId(),
      kind,
      clientOrderId,
      ts: this.options.now(),
    };
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (report as unknown as Record<string, unknown>)[key] = value;
    }
    return report;
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.safely(action);
    }, ms);
    this.timers.add(timer);
  }

  /** Runs a timer's work; in the browser host an exception escaping a timer would end the process. */
  private safely(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.options.onFault(error);
    }
  }
}

/** The position an order trades in hedge mode: long for a BUY that opens or a SELL that reduces, else short. */
function positionKey(order: Pick<VenueOrderRequest, 'asset' | 'side' | 'reduceOnly'>): string {
  const long = (order.side === 'BUY') !== order.reduceOnly;
  return `${order.asset} ${long ? 'LONG' : 'SHORT'}`;
}
