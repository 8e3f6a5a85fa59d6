//! Orphan positions: exposure a late entry fill revived when no slot was
//! free to hold it.
//!
//! A fill is execution reality, so such a fill is never refused: the trade
//! leaves the retired book for `orphanPositions`, its fill counts in the
//! ledgers (fees now, unrealized PnL by `markPrice`, realized PnL when it is
//! closed), and the outcome is `LATE_FILL` at CRITICAL severity so the
//! operator knows a position lives outside the slots. An EXIT intent
//! naming its tradeId, or the kill switch, closes it with a reduce-only
//! market order, whose fills reduce and finally retire it; orphans take
//! no ENTER or CANCEL and no take-profit or stop-loss. A rate-limited
//! close is re-sent by `tick`, and one unacknowledged past its ack timeout
//! is cancelled and, once the cancel is confirmed, sent again. A close the
//! venue otherwise cancels, rejects or expires is told at WARNING: while
//! the kill switch stands `tick` sends a new one after a backoff, else the
//! next EXIT or kill switch does. `reconcile` counts them as the kernel's
//! exposure and takes a close it lists open as acknowledged. They never
//! occupy a slot.

use super::fixed::Fixed;
use super::input::{Common, Exit, Guard, VenueEvent};
use super::intents::{place_command, retry_command};
use super::model::{Order, OrderStatus, Orphan, Pending};
use super::new_event;
use super::orders::OrderAt;
use super::outcome::{Cause, Outcome, VenueCommand};
use super::stage::Input;
use super::types::{CloseReason, Code, CommandKind, EventType, Flag, Id, OrderType, Role, Severity};
use super::venue::News;
use super::Kernel;

impl Kernel {
    /// A fill for a trade that is (or, with `adopt`, becomes) an orphan:
    /// `adopt` takes the trade out of the retired book.
    pub(super) fn orphan_fill(&mut self, at: OrderAt, order: &Order, ev: &VenueEvent<'_>, adopt: bool) -> Outcome {
        let id = &order.trade_id;
        let trade = if adopt { self.s.book.retired.get(id) } else { self.s.orphans.get(id).map(|o| &*o.trade) };
        let Some(trade) = trade else {
            return Outcome::rejected(Code::UnknownOrder).with_detail("clientOrderId", ev.client_order_id.to_string());
        };
        let calc = match self.calc_fill(trade, order, ev) {
            Ok(c) => c,
            Err(e) => return Outcome::rejected(Code::ArithmeticOverflow).with_detail("reason", e.to_string()),
        };
        let first_entry = adopt || !trade.entry_filled.is_positive();
        let current = trade.working_order.as_ref() == Some(&order.client_order_id);
        let order_done = calc.order_filled >= order.size;

        // Apply.
        if adopt {
            let mut t = self.s.book.retired.remove(id).expect("checked above");
            t.working_order = None;
            t.close_reason = None;
            t.flatten_pending = false;
            t.protect_pending = None;
            t.monitoring_closed = false;
            t.exit_rejections = 0;
            t.exit_retry_at = None;
            self.s.orphans.insert(id.clone(), Orphan { home_slot: order.slot_id, trade: t });
        }
        let mut out = Outcome::new(true, Code::LateFill);
        out.flag(Flag::Orphan);
        if matches!(order.status, OrderStatus::Canceled | OrderStatus::Rejected | OrderStatus::Expired) {
            out.flag(Flag::LateFill);
        }
        calc.flag_overfill(order, &mut out);
        let venue_order_id = self.record_fill_on_order(at, ev, &calc, order_done);
        let s = &mut self.s;
        s.ledgers.realized_pnl = calc.ledger_realized;
        s.ledgers.fees_paid = calc.ledger_fees;
        let orphan = s.orphans.get_mut(id).expect("adopted or held");
        let home = orphan.home_slot;
        let t = &mut orphan.trade;
        t.entry_filled = calc.entry_filled;
        t.entry_notional = calc.entry_notional;
        t.avg_entry = calc.avg_entry;
        t.size = calc.size;
        t.realized_pnl = calc.trade_realized;
        t.fees = calc.trade_fees;
        if t.opened_at.is_none() {
            t.opened_at = Some(ev.ts);
        }
        if current && order_done {
            t.working_order = None;
        }

        let kind = if order_done { EventType::OrderFilled } else { EventType::OrderPartiallyFilled };
        let mut oe = new_event(&mut s.seq, kind, home, t, Cause::External(ev.event_id.clone()), ev.ts);
        calc.describe_fill(&mut oe, order, ev, venue_order_id);
        let fill_seq = oe.seq;
        out.events.push(oe);
        let cause = Cause::Event(fill_seq);
        match order.role {
            Role::Entry => {
                out.severity = Severity::Critical;
                let kind = if first_entry { EventType::TradeOpened } else { EventType::TradeIncreased };
                let mut te = new_event(&mut s.seq, kind, home, t, cause, ev.ts);
                te.venue_event_id = Some(ev.event_id.clone());
                te.size = Some(calc.size);
                te.price = Some(calc.avg_entry);
                te.avg_price = Some(calc.avg_entry);
                te.filled_size = Some(calc.entry_filled);
                te.reason = Some("late entry fill and no free slot: held as an orphan position".into());
                out.events.push(te);
                out.details.push((
                    "reason",
                    "late entry fill and no free slot: the exposure is counted as an orphan position; \
                     an EXIT for its tradeId or the kill switch closes it"
                        .into(),
                ));
            }
            Role::Exit => {
                out.code = if out.code == Code::Overfill { Code::Overfill } else { Code::Ok };
                out.severity = out.code.severity();
                let mut pe = new_event(&mut s.seq, EventType::ProfitRealized, home, t, cause.clone(), ev.ts);
                pe.venue_event_id = Some(ev.event_id.clone());
                pe.size = Some(calc.reduced);
                pe.price = Some(ev.price);
                pe.realized_pnl = Some(calc.pnl);
                pe.fee = Some(calc.fee);
                out.events.push(pe);
                let kind = if calc.size.is_positive() { EventType::TradeReduced } else { EventType::TradeClosed };
                let mut te = new_event(&mut s.seq, kind, home, t, cause, ev.ts);
                te.venue_event_id = Some(ev.event_id.clone());
                te.size = Some(calc.size);
                te.price = Some(ev.price);
                te.realized_pnl = Some(calc.trade_realized);
                te.filled_size = Some(calc.entry_filled);
                if !calc.size.is_positive() {
                    te.fee = Some(calc.trade_fees);
                    te.close_reason = Some(*t.close_reason.get_or_insert(CloseReason::KillSwitch));
                }
                out.events.push(te);
                if !calc.size.is_positive() {
                    // Flat: back to the retired book, where later fills find it.
                    let o = s.orphans.remove(id).expect("held");
                    s.book.retire(o.trade);
                }
            }
        }
        // Exposure the kill switch did not see (it came after, or grew under its close): closed as the
        // switch would have.
        self.reclose_orphan(id, Cause::Event(fill_seq), ev.ts, &mut out);
        out.details.push(("clientOrderId", order.client_order_id.clone().into()));
        out.details.push(("orphan", "true".into()));
        out.slot_id = Some(home);
        out.trade_id = Some(id.clone());
        out
    }

    /// An ack, rate limit, cancel, reject or expiry of an orphan's close
    /// order, or the refusal of the cancel its ack timeout sent. Orphans
    /// have no stage: the order record changes, a rate-limited request is
    /// re-sent by `tick`, a close cancelled after its timeout is sent again,
    /// and one that ended unfilled otherwise frees the orphan for the next
    /// EXIT or kill switch. Never silent: an orphan that lost its close
    /// order is told at WARNING.
    pub(super) fn orphan_order_event(&mut self, ev: &VenueEvent<'_>, at: OrderAt, news: News) -> Outcome {
        let kill_switch = self.s.control.kill_switch_at.is_some();
        let s = &mut self.s;
        let order = &mut s.book.orders[at];
        let (coid, trade_id, home) = (order.client_order_id.clone(), order.trade_id.clone(), order.slot_id);
        let orphan = s.orphans.get_mut(&trade_id).expect("checked by the caller");
        // The kernel asks an orphan's close to go only when its ack timed out: any other refusal answers nothing.
        let unasked = matches!(news, News::CancelRejected) && !order.timed_out;
        if orphan.trade.working_order.as_ref() != Some(&coid) || unasked {
            return self.stale(ev, at);
        }
        // Cancelled (or expired, as some venues say of a cancelled market order) after its ack timed out:
        // the close is still wanted, so a new one goes at once.
        let replace = matches!(news, News::Ended(OrderStatus::Canceled | OrderStatus::Expired)) && order.timed_out;

        let mut out = Outcome::new(true, Code::Ok);
        out.flag(Flag::Orphan);
        let cause = Cause::External(ev.event_id.clone());
        let t = &mut orphan.trade;
        let (kind, venue_order_id) = match news {
            News::Ack => {
                if !order.record_ack(ev.venue_order_id.map(Id::from)) {
                    return self.stale(ev, at);
                }
                // A timeout's cancel a rate limit holds back never went: with the venue's word that it has the
                // close, it need not.
                if matches!(order.pending, Pending::CancelAt(_)) {
                    order.timed_out = false;
                    order.pending = Pending::None;
                }
                t.exit_rejections = 0;
                t.exit_retry_at = None;
                (EventType::OrderPlaced, order.venue_order_id.clone())
            }
            News::RateLimited => {
                let after = ev.retry_after_ms.unwrap_or(super::venue::DEFAULT_RETRY_MS);
                let at = ev.ts.saturating_add(after);
                // With its timeout's cancel out, the request held back is that cancel.
                order.pending = if order.timed_out { Pending::CancelAt(at) } else { Pending::PlaceAt(at) };
                out.escalate(Code::RateLimited);
                out.retry_after_ms = Some(after);
                out.retry_at = Some(at);
                (EventType::OrderRateLimited, None)
            }
            News::Ended(status) => {
                order.status = status;
                order.pending = Pending::None;
                t.working_order = None;
                out.escalate(match status {
                    OrderStatus::Rejected => Code::OrderRejected,
                    OrderStatus::Expired => Code::OrderExpired,
                    _ => Code::Ok,
                });
                // The position lost its close order: never below WARNING.
                out.severity = out.severity.max(Severity::Warning);
                let reason = if replace {
                    "the close order the venue never acknowledged is cancelled: a new close is sent"
                } else if kill_switch {
                    // As a slot's kill-switch close: again from the clock, after a backoff.
                    let at = t.exit_rejected(ev.ts);
                    out.details.push(("exitRetryAt", at.to_string().into()));
                    out.details.push(("exitRetryInMs", at.saturating_sub(ev.ts).to_string().into()));
                    "the orphan position is still open: the kill switch's close goes again after a backoff"
                } else {
                    "the orphan position is still open: an EXIT for its tradeId or the kill switch closes it"
                };
                out.details.push(("reason", reason.into()));
                (status.ended_event(), None)
            }
            News::CancelRejected => {
                order.pending = Pending::None;
                order.timeout_cancel_refused(ev.ts);
                out.escalate(Code::CancelRejected);
                (EventType::OrderCancelRejected, None)
            }
        };
        let close_reason = t.close_reason.unwrap_or(CloseReason::KillSwitch);
        let mut e = new_event(&mut s.seq, kind, home, t, cause, ev.ts);
        e.client_order_id = Some(coid.clone());
        e.venue_order_id = venue_order_id;
        e.venue_event_id = Some(ev.event_id.clone());
        e.reason = ev.reason.map(Id::from);
        let seq = e.seq;
        out.events.push(e);
        if replace {
            self.close_orphan(&trade_id, close_reason, Cause::Event(seq), None, ev.ts, &mut out);
        }
        out.details.push(("clientOrderId", coid.into()));
        out.details.push(("orphan", "true".into()));
        out.slot_id = Some(home);
        out.trade_id = Some(trade_id);
        out
    }

    /// The clock for orphan close orders: a request a rate limit held back
    /// goes when due, and a close unacknowledged past its ack timeout is
    /// told (`OrderTimedOut`) and cancelled, to be sent again once the venue
    /// confirms the cancel: a kill switch's close is never dropped by it.
    pub(super) fn orphan_clock(&mut self, ts: i64, outs: &mut Vec<Outcome>) {
        let timeout = self.s.config.ack_timeout_ms;
        let kill_switch = self.s.control.kill_switch_at.is_some();
        let mut due = Vec::new();
        let s = &mut self.s;
        for orphan in s.orphans.values() {
            let t = &orphan.trade;
            let Some(order) = t.working_order.as_ref().and_then(|c| s.book.orders.get_mut(c)) else {
                // A kill switch's close the venue ended unfilled goes again once its backoff is over.
                if kill_switch && t.exit_retry_at.is_some_and(|at| ts >= at) {
                    due.push(t.trade_id.clone());
                }
                continue;
            };
            let mut out = Outcome::new(true, Code::Ok);
            match (order.pending, order.ack_overdue(ts, timeout)) {
                (Pending::PlaceAt(at) | Pending::CancelAt(at), _) if ts >= at => {
                    out.commands.push(retry_command(order, &t.asset, ts));
                    out.flag(Flag::Retry);
                }
                (Pending::None, Some(waited)) => {
                    order.time_out();
                    let mut e =
                        new_event(&mut s.seq, EventType::OrderTimedOut, orphan.home_slot, t, Cause::Tick(ts), ts);
                    e.client_order_id = Some(order.client_order_id.clone());
                    e.reason = Some(format!("no ack after {waited} ms").into());
                    let cause = Cause::Event(e.seq);
                    out.events.push(e);
                    let mut c = new_event(&mut s.seq, EventType::OrderCancelRequested, orphan.home_slot, t, cause, ts);
                    c.client_order_id = Some(order.client_order_id.clone());
                    out.events.push(c);
                    out.commands.push(VenueCommand { kind: CommandKind::Cancel, ..place_command(order, &t.asset) });
                    out.escalate(Code::OrderTimeout);
                    out.details.push(("waitedMs", waited.to_string().into()));
                }
                _ => continue,
            }
            out.flag(Flag::Orphan);
            out.details.push(("clientOrderId", order.client_order_id.clone().into()));
            out.details.push(("orphan", "true".into()));
            out.slot_id = Some(orphan.home_slot);
            out.trade_id = Some(t.trade_id.clone());
            outs.push(out);
        }
        for id in due {
            let mut out = self.spares.take(true, Code::Ok);
            self.reclose_orphan(&id, Cause::Tick(ts), ts, &mut out);
            if out.commands.is_empty() {
                self.recycle(out);
                continue;
            }
            out.flag(Flag::Retry);
            out.flag(Flag::Orphan);
            out.details.push(("orphan", "true".into()));
            out.slot_id = self.s.orphans.get(&id).map(|o| o.home_slot);
            out.trade_id = Some(id);
            outs.push(out);
        }
    }

    /// While the kill switch stands, an orphan that holds a size and has no
    /// close working (nor one waiting out a backoff) gets one.
    fn reclose_orphan(&mut self, trade_id: &Id, cause: Cause, ts: i64, out: &mut Outcome) {
        if self.s.control.kill_switch_at.is_none() || self.orphan_close_order(trade_id).is_some() {
            return;
        }
        let Some(t) = self.s.orphans.get(trade_id).map(|o| &o.trade) else { return };
        if t.exit_waits(ts) {
            return;
        }
        let reason = t.close_reason.unwrap_or(CloseReason::KillSwitch);
        self.close_orphan(trade_id, reason, cause, None, ts, out);
    }

    /// The kill switch's part for orphans: a reduce-only market close for
    /// each one that has no close order working.
    pub(super) fn flatten_orphans(&mut self, ts: i64, out: &mut Outcome) {
        let idle: Vec<Id> = self.s.orphans.keys().filter(|id| self.orphan_close_order(id).is_none()).cloned().collect();
        for id in idle {
            self.close_orphan(&id, CloseReason::KillSwitch, Cause::KillSwitch(ts), None, ts, out);
        }
    }

    /// The orphan's close order while the venue may still fill it.
    fn orphan_close_order(&self, trade_id: &Id) -> Option<&Id> {
        let t = &self.s.orphans.get(trade_id)?.trade;
        let coid = t.working_order.as_ref()?;
        self.s.book.orders.get(coid).filter(|o| !o.is_terminal()).map(|_| coid)
    }

    /// An EXIT intent for an orphan position, addressed by its tradeId:
    /// `None` when the tradeId names no orphan. It closes everything the
    /// orphan holds, reduce-only at market: an orphan has no legs, and a
    /// resting limit close could not be cancelled (orphans take no CANCEL)
    /// and would block the kill switch's.
    pub(super) fn exit_orphan(&mut self, intent: &Common, x: &Exit) -> Option<Outcome> {
        let trade_id = x.target.trade_id.as_ref().filter(|id| self.s.orphans.contains_key(*id))?;
        let orphan = &self.s.orphans[trade_id];
        let g = Guard { code: Code::InvalidIntent };
        if x.target.slot_id.is_some() {
            let bad = g.fail("tradeId", trade_id.to_string(), "the trade is an orphan position: it holds no slot");
            return Some(Kernel::invalid(bad));
        }
        if x.order_type != OrderType::Market {
            let bad = g.fail("orderType", x.order_type.as_str(), "an orphan position is closed at market");
            return Some(Kernel::invalid(bad));
        }
        let home = orphan.home_slot;
        if let Some(coid) = self.orphan_close_order(trade_id) {
            let mut out = Outcome::rejected(Code::IllegalTransition)
                .with_detail("input", Input::Exit.as_str())
                .with_detail("clientOrderId", coid.clone())
                .with_detail("reason", "the orphan position's close order is still working");
            out.flag(Flag::Orphan);
            out.slot_id = Some(home);
            out.trade_id = Some(trade_id.clone());
            return Some(out);
        }
        let trade_id = trade_id.clone();
        let mut out = self.spares.take(true, Code::Ok);
        let (cause, intent_id) = (Kernel::cause_of(intent), Some(intent.intent_id.clone()));
        self.close_orphan(&trade_id, x.close_reason, cause, intent_id, intent.ts, &mut out);
        out.flag(Flag::Orphan);
        out.details.push(("orphan", "true".into()));
        out.slot_id = Some(home);
        out.trade_id = Some(trade_id);
        Some(out)
    }

    /// Sends a reduce-only market order for everything an orphan holds and
    /// makes it the orphan's close order. Callers check that none is working.
    fn close_orphan(
        &mut self,
        trade_id: &Id,
        reason: CloseReason,
        cause: Cause,
        intent_id: Option<Id>,
        ts: i64,
        out: &mut Outcome,
    ) {
        let s = &mut self.s;
        let Some(orphan) = s.orphans.get_mut(trade_id) else { return };
        let t = &mut orphan.trade;
        if !t.size.is_positive() {
            return;
        }
        let coid = t.next_exit_id();
        let order = Order::exit(coid.clone(), t, orphan.home_slot, (OrderType::Market, None), t.size, ts);
        out.commands.push(place_command(&order, &t.asset));
        t.exit_sent(&coid, reason);
        let mut ev = new_event(&mut s.seq, EventType::OrderRequested, orphan.home_slot, t, cause, ts);
        ev.intent_id = intent_id;
        ev.client_order_id = Some(coid.clone());
        ev.order_side = Some(order.side);
        ev.order_type = Some(OrderType::Market);
        ev.size = Some(order.size);
        ev.reduce_only = Some(true);
        ev.close_reason = Some(reason);
        ev.reason = Some("orphan position".into());
        out.events.push(ev);
        s.book.orders.insert(order);
    }

    /// Σ unrealized PnL, Σ margin and the count of orphan positions.
    pub(super) fn orphan_totals(&self) -> (Fixed, Fixed, u32) {
        let mut acc = (Fixed::ZERO, Fixed::ZERO, 0);
        for o in self.s.orphans.values().filter(|o| o.trade.size.is_positive()) {
            acc.0 = acc.0.saturating_add(o.trade.unrealized(self.s.marks.get(&o.trade.asset).copied()));
            acc.1 = acc.1.saturating_add(o.trade.margin());
            acc.2 += 1;
        }
        acc
    }
}
