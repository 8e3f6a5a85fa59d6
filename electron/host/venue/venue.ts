// The venue contract (seed 002's broker protocol, in TypeScript): structural,
// so the paper venue and a ccxt adapter are interchangeable.
import type { Liquidity, MarkTick, OrderSide, OrderType } from '../../../shared/index.js';

/** One instruction for the venue, as the kernel emits it. */
export interface VenueOrderRequest {
  kind: 'PLACE' | 'CANCEL';
  clientOrderId: string;
  tradeId: string;
  slotId: number;
  asset: string;
  side: OrderSide;
  orderType: OrderType;
  size: number;
  limitPrice?: number | null;
  reduceOnly: boolean;
}

export type VenueReportKind =
  'ACK' | 'PARTIAL_FILL' | 'FILL' | 'CANCELED' | 'CANCEL_REJECTED' | 'REJECTED' | 'EXPIRED' | 'RATE_LIMITED';

/** What the venue says happened; fed to the kernel as a venue event. */
export interface VenueReport {
  eventId: string;
  kind: VenueReportKind;
  clientOrderId: string;
  venueOrderId?: string;
  /** The venue's id of this execution; the same fill reported twice carries the same id. */
  venueTradeId?: string;
  price?: number;
  /** This execution's quantity. */
  size?: number;
  fee?: number;
  liquidity?: Liquidity;
  retryAfterMs?: number;
  reason?: string;
  ts: number;
}

export interface VenueOrder {
  clientOrderId: string;
  venueOrderId: string;
  asset: string;
  side: OrderSide;
  orderType: OrderType;
  size: number;
  filledSize: number;
  limitPrice?: number;
  reduceOnly: boolean;
  status: 'OPEN' | 'PARTIALLY_FILLED' | 'CANCEL_PENDING';
  placedAt: number;
}

/** One per symbol and side (hedge mode): a symbol may have a long and a short at once. */
export interface VenuePosition {
  asset: string;
  /** Signed: positive long, negative short. */
  size: number;
  averagePrice: number;
}

export interface Venue {
  readonly name: string;
  /** Idempotent on `clientOrderId`: a retried submit never makes a second order. */
  submit(order: VenueOrderRequest): void;
  /** Asks for a cancel; the venue's answer (CANCELED or CANCEL_REJECTED) arrives as a report. */
  cancel(clientOrderId: string): void;
  openOrders(): VenueOrder[];
  positions(): VenuePosition[];
  /** Market prices the venue matches against. */
  onMarks(ticks: readonly MarkTick[]): void;
  close(): void;
}

export type VenueReportSink = (reports: VenueReport[]) => void;

/** What the venue says about the account (the exchange's ledger, E), fed to the kernel as an account event. */
export interface AccountReport {
  eventId: string;
  kind: 'ACCOUNT_UPDATE' | 'FUNDING_FEE';
  /** ACCOUNT_UPDATE: the wallet after everything the venue has settled. */
  walletBalance?: number;
  /** FUNDING_FEE: positive when received. */
  amount?: number;
  asset?: string;
  /** The venue report that moved the wallet, when one did. */
  causedBy?: string;
  ts: number;
}

export type AccountReportSink = (reports: AccountReport[]) => void;
