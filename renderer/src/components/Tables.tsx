// Slots, open orders and the trade blotter. Rows are memoized (the reducer
// keeps unchanged row objects); a click on a row, or Enter or Space on it,
// selects its lineage. What every row's actions depend on (the connection, and
// why no session or the trading mode refuses an exit or a cancel) is read once
// by the table and passed down as primitives, so the store subscriptions do
// not grow with the rows.
import { Fragment, memo, useMemo, useState, type MouseEvent } from 'react';
import {
  MAX_BLOTTER_TRADES,
  type OpenOrder,
  type SessionInfo,
  type SlotSnapshot,
  type TradeSummary,
} from '../../../shared/index.js';
import { cancelOrder, exitSlot, exitTrade, reviewSession, selectLineage } from '../actions.js';
import { activation } from '../lib/activate.js';
import {
  avgPrice,
  baseOf,
  clock,
  DASH,
  dateTime,
  money,
  pnlClass,
  price,
  qty,
  signedMoney,
} from '../lib/format.js';
import { INTERRUPTED_TAG, isInterrupted } from '../lib/interrupted.js';
import { marketWords, replayLabel } from '../lib/market.js';
import { toneOf } from '../lib/tone.js';
import { exchangeLabel } from '../lib/venue.js';
import { useCockpit } from '../store/store.js';
import { useModeBlock } from './ControlPlane.js';
import { Panel } from './Panel.js';
import { NO_SESSION_TITLE, OFFLINE_TITLE, useOnline, useRunning } from './useOnline.js';

const MAX_TRADE_ROWS = 200;

function useSelected(): string | null {
  return useCockpit((s) => s.lineage.correlationId);
}

function SideCell({ side }: { side: string | undefined }) {
  if (!side) return <td className="muted">{DASH}</td>;
  const long = side === 'LONG' || side === 'BUY';
  return <td className={long ? 'long' : 'short'}>{side}</td>;
}

/** A kernel name ("TAKE_PROFIT") that a narrow cell may break after an underscore, and nowhere else. */
function UnderscoreBreaks({ name }: { name: string }) {
  return name.split('_').map((part, i) => (
    <Fragment key={i}>
      {i > 0 ? (
        <>
          _<wbr />
        </>
      ) : null}
      {part}
    </Fragment>
  ));
}

/** A state ("ENTRY_" over "WORKING" in a narrow table), in its tone's colour. */
function StateBadge({ state }: { state: string }) {
  return (
    <span className={`badge tone-${toneOf(state)}`}>
      <UnderscoreBreaks name={state} />
    </span>
  );
}

/** "BTC/USDT", its quote in a span a narrow table hides (every symbol quotes in the same currency). */
function AssetName({ symbol }: { symbol: string }) {
  const base = baseOf(symbol);
  return (
    <>
      {base}
      <span className="quote">{symbol.slice(base.length)}</span>
    </>
  );
}

/**
 * A row button that runs a command and stays disabled while it runs, while offline, or while `blocked` says
 * why not.
 */
function RowAction(props: {
  testId: string;
  label: string;
  /** What it acts on, for a screen reader: "Exit trade T3 BTC/USDT". */
  ariaLabel: string;
  title: string;
  run: () => Promise<unknown>;
  online: boolean;
  blocked?: string | undefined;
}) {
  const [busy, setBusy] = useState(false);
  const why = props.online ? props.blocked : OFFLINE_TITLE;
  async function onClick(event: MouseEvent) {
    event.stopPropagation();
    setBusy(true);
    try {
      await props.run();
    } finally {
      setBusy(false);
    }
  }
  return (
    <button
      type="button"
      className="btn btn-row"
      data-testid={props.testId}
      aria-label={props.ariaLabel}
      title={why ?? props.title}
      disabled={busy || !!why}
      onClick={onClick}
    >
      {props.label}
    </button>
  );
}

// ---------------------------------------------------------------------------

export function SlotsTable() {
  const slots = useCockpit((s) => s.book.slots);
  const selected = useSelected();
  const online = useOnline();
  const running = useRunning();
  const modeBlock = useModeBlock('exit')?.reason;
  const exitBlocked = running ? modeBlock : NO_SESSION_TITLE;
  const cancelBlocked = running ? undefined : NO_SESSION_TITLE;
  const busy = slots.filter((s) => !s.free).length;
  return (
    <Panel
      title="Slots"
      className="slots table-panel"
      extra={<span className="muted">{slots.length ? `${busy}/${slots.length} busy` : ''}</span>}
    >
      <table className="grid" data-testid="slots-table">
        <thead>
          <tr>
            <th title="slot">#</th>
            <th>stage</th>
            <th>asset</th>
            <th>side</th>
            <th className="r">size</th>
            <th className="r">entry</th>
            <th className="r wide-only">mark</th>
            <th className="r">unrl. PnL</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {slots.map((slot) => (
            <SlotRow
              key={slot.slotId}
              slot={slot}
              selected={!!slot.correlationId && slot.correlationId === selected}
              online={online}
              exitBlocked={exitBlocked}
              cancelBlocked={cancelBlocked}
            />
          ))}
          {slots.length === 0 ? (
            <tr className="empty">
              <td colSpan={9}>no session</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </Panel>
  );
}

const SlotRow = memo(function SlotRow({
  slot,
  selected,
  online,
  exitBlocked,
  cancelBlocked,
}: {
  slot: SlotSnapshot;
  selected: boolean;
  online: boolean;
  /** Why an exit cannot go (no session, or the trading mode), or undefined when it can. */
  exitBlocked: string | undefined;
  /** Why a cancel cannot go (no session), or undefined when it can. */
  cancelBlocked: string | undefined;
}) {
  // The kernel's mark when it has one; the live feed's only as a fallback.
  const needsLive = !slot.free && !slot.markPrice && !!slot.asset;
  const liveMark = useCockpit((s) =>
    needsLive && slot.asset ? s.market.marks[slot.asset]?.price : undefined,
  );
  const mark = slot.free ? undefined : slot.markPrice || liveMark;
  const hasPosition = !slot.free && slot.size > 0;
  const entryOrder = typeof slot.workingOrderId === 'string' ? slot.workingOrderId : undefined;
  return (
    <tr
      data-testid={`slot-row-${slot.slotId}`}
      data-state={slot.state}
      className={`${slot.free ? 'free' : 'busy'} ${selected ? 'selected' : ''} ${slot.correlationId ? 'clickable' : ''}`}
      {...activation(slot.correlationId ? () => selectLineage(slot.correlationId) : null)}
    >
      <td className="num">{slot.slotId}</td>
      <td>
        <StateBadge state={slot.state} />
      </td>
      <td title={slot.free ? undefined : slot.asset}>
        {slot.free || !slot.asset ? DASH : <AssetName symbol={slot.asset} />}
      </td>
      <SideCell side={slot.free ? undefined : slot.side} />
      <td className="num r">{slot.free ? DASH : qty(slot.size)}</td>
      <td className="num r">
        {hasPosition || slot.entryPrice ? avgPrice(slot.entryPrice, slot.asset) : DASH}
      </td>
      <td className="num r wide-only">{mark ? price(mark, slot.asset) : DASH}</td>
      <td
        className={`num r ${pnlClass(slot.unrealizedPnl)}`}
        title={mark ? `at the mark ${price(mark, slot.asset)}` : undefined}
      >
        {slot.free ? DASH : signedMoney(slot.unrealizedPnl)}
      </td>
      <td className="act">
        {slot.free ? null : hasPosition ? (
          <RowAction
            testId={`slot-exit-${slot.slotId}`}
            label="Exit"
            ariaLabel={`Exit trade ${slot.tradeId ?? `in slot ${slot.slotId}`} ${slot.asset ?? ''}`.trim()}
            title={`exit the trade in slot ${slot.slotId}`}
            online={online}
            blocked={exitBlocked}
            run={() => {
              selectLineage(slot.correlationId);
              return exitSlot(slot.slotId);
            }}
          />
        ) : entryOrder ? (
          // Nothing filled yet: there is no position to exit, only the entry order to cancel.
          <RowAction
            testId={`slot-cancel-${slot.slotId}`}
            label="Cancel"
            ariaLabel={`Cancel entry order ${entryOrder} ${slot.asset ?? ''}`.trim()}
            title={`cancel the entry order ${entryOrder}: slot ${slot.slotId} holds nothing yet`}
            online={online}
            blocked={cancelBlocked}
            run={() => {
              selectLineage(slot.correlationId);
              return cancelOrder(entryOrder);
            }}
          />
        ) : null}
      </td>
    </tr>
  );
});

// ---------------------------------------------------------------------------

export function OrdersTable() {
  const orders = useCockpit((s) => s.book.openOrders);
  const selected = useSelected();
  const online = useOnline();
  const cancelBlocked = useRunning() ? undefined : NO_SESSION_TITLE;
  return (
    <Panel
      title="Open orders"
      className="table-panel"
      extra={<span className="muted">{orders.length || ''}</span>}
    >
      <table className="grid" data-testid="orders-table">
        <thead>
          <tr>
            <th className="wide-only">time</th>
            <th>asset</th>
            <th>side</th>
            <th className="wide-only">type</th>
            <th className="r">size</th>
            <th className="r">filled</th>
            <th className="r">limit</th>
            <th>status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <OrderRow
              key={order.clientOrderId}
              order={order}
              selected={order.correlationId === selected}
              online={online}
              cancelBlocked={cancelBlocked}
            />
          ))}
          {orders.length === 0 ? (
            <tr className="empty">
              <td colSpan={9}>no open orders</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </Panel>
  );
}

const OrderRow = memo(function OrderRow({
  order,
  selected,
  online,
  cancelBlocked,
}: {
  order: OpenOrder;
  selected: boolean;
  online: boolean;
  /** Why a cancel cannot go (no session), or undefined when it can. */
  cancelBlocked: string | undefined;
}) {
  const orderType = order.reduceOnly ? `${order.orderType} reduce-only` : order.orderType;
  return (
    <tr
      data-testid={`order-row-${order.clientOrderId}`}
      data-state={order.status}
      className={`clickable ${selected ? 'selected' : ''}`}
      // Also what a narrow table's hidden time and type columns say.
      title={`${order.clientOrderId} · ${orderType} · placed ${clock(order.placedAt)}`}
      {...activation(() => selectLineage(order.correlationId))}
    >
      <td className="num muted wide-only">{clock(order.placedAt)}</td>
      <td title={order.asset}>
        <AssetName symbol={order.asset} />
      </td>
      <SideCell side={order.side} />
      <td className="wide-only">
        {order.orderType}
        {order.reduceOnly ? <span className="tag">RO</span> : null}
      </td>
      <td className="num r">{qty(order.size)}</td>
      <td className="num r">{qty(order.filledSize)}</td>
      <td className="num r">
        {order.limitPrice !== undefined ? price(order.limitPrice, order.asset) : DASH}
      </td>
      <td>
        <StateBadge state={order.status} />
      </td>
      <td className="act">
        <RowAction
          testId={`order-cancel-${order.clientOrderId}`}
          label="Cancel"
          ariaLabel={`Cancel order ${order.clientOrderId} ${order.side} ${order.asset}`}
          title={`cancel ${order.clientOrderId}`}
          online={online}
          blocked={cancelBlocked}
          run={() => {
            selectLineage(order.correlationId);
            return cancelOrder(order.clientOrderId);
          }}
        />
      </td>
    </tr>
  );
});

// ---------------------------------------------------------------------------

/** The tag a session id ends with ("08f364" of "S20261122-2030-08f364"): its ids carry it too. */
const sessionTag = (sessionId: string) => sessionId.slice(sessionId.lastIndexOf('-') + 1);

/**
 * "2026-11-22 20:30 · BTC ETH · 08f364", and the exchange it traded on ("· Binance testnet") or what a replay
 * replayed ("· replay of btc.csv ×60"); " (interrupted)" after one the operator must still resume or abandon.
 */
function sessionChoice(info: SessionInfo): string {
  const where = exchangeLabel(info) ?? replayLabel(info);
  const shown = `${dateTime(info.startedAt)} · ${info.symbols.map(baseOf).join(' ')} · ${sessionTag(info.sessionId)}`;
  const placed = where ? `${shown} · ${where}` : shown;
  return isInterrupted(info) ? `${placed} ${INTERRUPTED_TAG}` : placed;
}

/** Which session's trades the blotter lists: the live one, or an earlier one from its journal. */
function SessionPicker() {
  const sessions = useCockpit((s) => s.session.sessions);
  const current = useCockpit((s) => s.session.current);
  const reviewed = useCockpit((s) => s.review.sessionId);
  const earlier = sessions.filter((info) => info.sessionId !== current?.sessionId);
  if (earlier.length === 0 && !reviewed) return null;
  const live = !current ? 'no session' : current.stoppedAt === undefined ? 'this session' : 'last session';
  return (
    <select
      className={`session-picker ${reviewed ? 'reviewing' : ''}`}
      data-testid="trades-session"
      aria-label="whose trades"
      title="list the trades of an earlier session, rebuilt from the journal; click one to see and replay its lineage"
      value={reviewed ?? ''}
      onChange={(e) => void reviewSession(e.target.value || null)}
    >
      <option value="">{live}</option>
      {earlier.map((info) => (
        <option
          key={info.sessionId}
          value={info.sessionId}
          title={`${info.sessionId} · ${exchangeLabel(info) ?? marketWords(info)}`}
        >
          {sessionChoice(info)}
        </option>
      ))}
    </select>
  );
}

export function TradesTable() {
  const liveTrades = useCockpit((s) => s.book.trades);
  const review = useCockpit((s) => s.review);
  const slots = useCockpit((s) => s.book.slots);
  const selected = useSelected();
  const online = useOnline();
  const running = useRunning();
  const modeBlock = useModeBlock('exit')?.reason;
  const exitBlocked = running ? modeBlock : NO_SESSION_TITLE;
  const reviewed = review.sessionId;
  const trades = reviewed ? review.trades : liveTrades;
  const hasEarlier = useCockpit((s) =>
    s.session.sessions.some((info) => info.sessionId !== s.session.current?.sessionId),
  );
  const held = useMemo(() => new Set(slots.flatMap((slot) => (slot.tradeId ? [slot.tradeId] : []))), [slots]);
  const rows = useMemo(
    () => [...trades].sort((a, b) => b.openedAt - a.openedAt).slice(0, MAX_TRADE_ROWS),
    [trades],
  );
  // An earlier session's trades are history: nothing in them can be closed.
  const orphans = useMemo(
    () =>
      reviewed
        ? new Set<string>()
        : new Set(trades.filter((t) => t.state === 'OPEN' && !held.has(t.tradeId)).map((t) => t.tradeId)),
    [reviewed, trades, held],
  );
  const realized = useMemo(
    () => trades.reduce((sum, t) => sum + (Number.isFinite(t.realizedPnl) ? t.realizedPnl : 0), 0),
    [trades],
  );
  return (
    <Panel
      title="Trades"
      className="trades table-panel"
      extra={
        <span className="trades-extra">
          <SessionPicker />
          {trades.length ? (
            <span
              className="muted"
              title={
                trades.length >= MAX_BLOTTER_TRADES
                  ? `the blotter keeps the newest ${MAX_BLOTTER_TRADES} trades; realized PnL is theirs`
                  : undefined
              }
            >
              {trades.length >= MAX_BLOTTER_TRADES ? `newest ${trades.length}` : trades.length} · realized{' '}
              <span className={pnlClass(realized)}>{signedMoney(realized)}</span>
            </span>
          ) : null}
        </span>
      }
    >
      <table className="grid" data-testid="trades-table" data-session={reviewed ?? 'live'}>
        <thead>
          <tr>
            <th className="wide-only">opened</th>
            <th>state</th>
            <th>asset</th>
            <th>side</th>
            <th className="r">size</th>
            <th className="r">entry</th>
            <th className="r exit-price">exit</th>
            <th className="r">real. PnL</th>
            <th className="r">fees</th>
            <th className="close-reason">reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((trade) => (
            <TradeRow
              key={trade.tradeId}
              trade={trade}
              sessionId={reviewed}
              selected={trade.correlationId === selected}
              orphan={orphans.has(trade.tradeId)}
              online={online}
              exitBlocked={exitBlocked}
            />
          ))}
          {rows.length === 0 ? (
            <tr className="empty">
              <td colSpan={10} data-testid="trades-empty">
                {!reviewed
                  ? hasEarlier && !running
                    ? 'no session is running: pick an earlier one above to review its trades'
                    : 'no trades yet'
                  : review.status === 'loading'
                    ? 'reading the journal…'
                    : (review.error ?? 'no trades in this session')}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </Panel>
  );
}

/**
 * `orphan`: open, but no slot holds it (a late fill with no free slot); only its own row can close it. Its Close
 * sits in its state cell, beside the OPEN badge or under it when the blotter is tight: an action column for the
 * rare orphan cost the blotter a column's width, and at 1024 px pushed its figures past the panel.
 */
const TradeRow = memo(function TradeRow({
  trade,
  sessionId,
  selected,
  orphan,
  online,
  exitBlocked,
}: {
  trade: TradeSummary;
  /** The reviewed session the trade is from; null for the live one. */
  sessionId: string | null;
  selected: boolean;
  orphan: boolean;
  online: boolean;
  /** Why an exit cannot go (no session, or the trading mode), or undefined when it can. */
  exitBlocked: string | undefined;
}) {
  const exitPrice = trade.exitPrice !== undefined ? avgPrice(trade.exitPrice, trade.asset) : undefined;
  return (
    <tr
      data-testid={`trade-row-${trade.tradeId}`}
      data-state={trade.state}
      className={`clickable ${selected ? 'selected' : ''}`}
      title={`${trade.tradeId} · opened ${clock(trade.openedAt)}`}
      {...activation(() => selectLineage(trade.correlationId, sessionId))}
    >
      <td className="num muted wide-only">{clock(trade.openedAt)}</td>
      <td title={trade.closeReason ? `reason: ${trade.closeReason}` : undefined}>
        {orphan ? (
          <span className="orphan-state">
            <StateBadge state={trade.state} />
            <RowAction
              testId={`trade-exit-${trade.tradeId}`}
              label="Close"
              ariaLabel={`Close orphan trade ${trade.tradeId} ${trade.side} ${trade.asset}`}
              title={`close orphan position ${trade.tradeId} at market: no slot holds it`}
              online={online}
              blocked={exitBlocked}
              run={() => {
                selectLineage(trade.correlationId);
                return exitTrade(trade.tradeId);
              }}
            />
          </span>
        ) : (
          <StateBadge state={trade.state} />
        )}
      </td>
      <td title={trade.asset}>
        <AssetName symbol={trade.asset} />
      </td>
      <SideCell side={trade.side} />
      <td className="num r" title={`open now: ${qty(trade.size)}`}>
        {qty(trade.state === 'OPEN' ? trade.size : trade.entrySize)}
      </td>
      <td className="num r">{trade.entryPrice ? avgPrice(trade.entryPrice, trade.asset) : DASH}</td>
      <td className="num r exit-price">{exitPrice ?? DASH}</td>
      <td
        className={`num r ${pnlClass(trade.realizedPnl)}`}
        title={exitPrice !== undefined ? `exit at ${exitPrice}` : undefined}
      >
        {signedMoney(trade.realizedPnl)}
      </td>
      <td className="num r">{money(trade.fees)}</td>
      <td className="close-reason">
        {trade.closeReason ? <UnderscoreBreaks name={trade.closeReason} /> : DASH}
      </td>
    </tr>
  );
});
