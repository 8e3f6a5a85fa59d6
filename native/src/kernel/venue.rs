//! Venue events: acks, fills, cancels, rejects, expiries, rate limits.
//!
//! A fill is execution reality. It is counted once whatever stage the slot
//! is in; the stage machine only decides where the slot goes next.

use super::fees::FeeModel;
use super::fixed::{Fixed, FixedError};
use super::input::{parse_venue_event, VenueEvent, VenueEventRaw};
use super::model::{Order, OrderFill, OrderStatus, Pending, Trade};
use super::new_event;
use super::orders::OrderAt;
use super::outcome::{Cause, DomainEvent, Outcome, VenueCommand};
use super::seen::SeenKind;
use super::stage::{rule, Input, Next, Stage};
use super::types::{Code, CommandKind, EventType, Flag, Id, Liquidity, Role, VenueKind};
use super::Kernel;

/// Retry delay when a RATE_LIMITED event does not say.
pub(super) const DEFAULT_RETRY_MS: i64 = 1_000;

/// A venue event that is not a fill.
#[derive(Clone, Copy)]
pub(super) enum News {
    Ack,
    /// Cancelled, rejected or expired: the order is over.
    Ended(OrderStatus),
    CancelRejected,
    RateLimited,
}

/// Everything a fill changes, computed before anything is changed so that
/// an overflow refuses the fill whole.
pub(super) struct FillCalc {
    pub fee: Fixed,
    pub liquidity: Liquidity,
    pub order_filled: Fixed,
    pub order_notional: Fixed,
    pub entry_filled: Fixed,
    pub entry_notional: Fixed,
    pub avg_entry: Fixed,
    pub size: Fixed,
    /// Quantity that reduced the trade (exit fills), and any excess beyond it.
    pub reduced: Fixed,
    pub excess: Fixed,
    pub pnl: Fixed,
    pub trade_realized: Fixed,
    pub trade_fees: Fixed,
    pub ledger_realized: Fixed,
    pub ledger_fees: Fixed,
}

impl FillCalc {
    /// An execution beyond the ordered size is accepted (it happened) and flagged.
    pub(super) fn flag_overfill(&self, order: &Order, out: &mut Outcome) {
        if self.order_filled > order.size || self.excess.is_positive() {
            out.flag(Flag::Overfill);
            out.escalate(Code::Overfill);
            out.details.push(("ordered", order.size.to_string().into()));
            out.details.push(("filled", self.order_filled.to_string().into()));
        }
    }

    /// The order's side of one execution, onto its OrderFilled / OrderPartiallyFilled event.
    pub(super) fn describe_fill(
        &self,
        oe: &mut DomainEvent,
        order: &Order,
        ev: &VenueEvent<'_>,
        venue_order_id: Option<Id>,
    ) {
        oe.client_order_id = Some(order.client_order_id.clone());
        oe.venue_order_id = venue_order_id;
        oe.venue_event_id = Some(ev.event_id.clone());
        oe.order_side = Some(order.side);
        oe.order_type = Some(order.order_type);
        oe.size = Some(ev.size);
        oe.price = Some(ev.price);
        oe.fee = Some(self.fee);
        oe.liquidity = Some(self.liquidity);
        oe.filled_size = Some(self.order_filled);
        oe.avg_price = Some(self.order_notional.checked_div(self.order_filled).unwrap_or(ev.price));
        oe.reduce_only = Some(order.reduce_only);
    }
}

/// The execution a fill reports, as its order remembers it; None for other events.
fn fill_key(ev: &VenueEvent<'_>) -> Option<OrderFill> {
    match ev.kind {
        VenueKind::Fill | VenueKind::PartialFill => {
            Some(OrderFill::new(&ev.event_id, ev.venue_trade_id, ev.size, ev.price))
        }
        _ => None,
    }
}

impl Kernel {
    /// Whether this venue event would be refused as `DUPLICATE_EVENT` now:
    /// its id is in the dedupe window, or it is a fill its order remembers
    /// (docs/KERNEL.md, *Bounded memory*). The fuzz harness asks this to tell
    /// a re-delivery the kernel must refuse from one it may apply again.
    /// False for an input that does not parse.
    pub fn remembers_venue_event(&self, raw: &VenueEventRaw) -> bool {
        let Ok(ev) = parse_venue_event(raw) else { return false };
        self.s.seen.contains(SeenKind::Event, &raw.event_id)
            || fill_key(&ev).is_some_and(|key| {
                self.s.book.orders.get(ev.client_order_id).is_some_and(|o| o.repeat_of(&key).is_some())
            })
    }

    /// Whether the order book holds `client_order_id` (an order the kernel
    /// sent or adopted, until its trade is forgotten).
    pub fn knows_order(&self, client_order_id: &str) -> bool {
        self.s.book.orders.find(client_order_id).is_some()
    }

    pub fn on_venue_events(&mut self, raws: &[VenueEventRaw]) -> Vec<Outcome> {
        raws.iter().map(|r| self.on_venue_event(r)).collect()
    }

    pub fn on_venue_event(&mut self, raw: &VenueEventRaw) -> Outcome {
        // The raw id is the parsed one (ids are taken as given): hashed now,
        // its table slot loads while the rest of the input is parsed.
        let probe = self.s.seen.probe(SeenKind::Event, &raw.event_id);
        let ev = match parse_venue_event(raw) {
            Ok(e) => e,
            Err(bad) => return Kernel::invalid(bad),
        };
        let Some(fresh) = self.s.seen.check_probed(probe, &raw.event_id) else {
            return Outcome::rejected(Code::DuplicateEvent).with_detail("eventId", ev.event_id.to_string());
        };
        let Some(at) = self.s.book.orders.find(ev.client_order_id) else {
            return Outcome::rejected(Code::UnknownOrder).with_detail("clientOrderId", ev.client_order_id.to_string());
        };
        let fill = fill_key(&ev);
        if let Some(repeat) = fill.and_then(|key| self.s.book.orders[at].repeat_of(&key)) {
            return Outcome::rejected(Code::DuplicateEvent)
                .with_detail("eventId", ev.event_id.to_string())
                .with_detail("reason", repeat.reason());
        }
        let out = match ev.kind {
            VenueKind::Fill | VenueKind::PartialFill => {
                let order = self.s.book.orders[at].copy_for_fill();
                self.fill(&ev, at, order)
            }
            VenueKind::Ack => self.order_event(&ev, at, News::Ack),
            VenueKind::Canceled => self.order_event(&ev, at, News::Ended(OrderStatus::Canceled)),
            VenueKind::Rejected => self.order_event(&ev, at, News::Ended(OrderStatus::Rejected)),
            VenueKind::Expired => self.order_event(&ev, at, News::Ended(OrderStatus::Expired)),
            VenueKind::CancelRejected => self.order_event(&ev, at, News::CancelRejected),
            VenueKind::RateLimited => self.order_event(&ev, at, News::RateLimited),
        };
        if out.accepted {
            self.s.seen.remember(fresh, &ev.event_id);
            // The fill may have retired trades and so forgotten orders, this
            // one too (then it is gone with its memory).
            if let Some(key) = fill {
                if let Some(order) = self.s.book.orders.still_at(at, ev.client_order_id) {
                    order.remember_fill(key);
                }
            }
        }
        out
    }

    pub(super) fn calc_fill(&self, trade: &Trade, order: &Order, ev: &VenueEvent<'_>) -> Result<FillCalc, FixedError> {
        let liquidity = ev.liquidity.unwrap_or(FeeModel::default_liquidity(order.order_type));
        let fee = match ev.fee {
            Some(f) => f,
            None => self.s.config.fees.predict(ev.price, ev.size, liquidity)?,
        };
        let notional = ev.price.checked_mul(ev.size)?;
        let (mut entry_filled, mut entry_notional, mut avg_entry) =
            (trade.entry_filled, trade.entry_notional, trade.avg_entry);
        let (size, reduced, excess, pnl) = match order.role {
            Role::Entry => {
                // The average cost of the position held: a fill after part of it was closed (a late
                // entry fill) must not average in what is gone, or the next exit realizes PnL that
                // never happened. With nothing closed it is Σ notional / Σ size, exactly.
                let nothing_closed = trade.size == entry_filled;
                entry_filled = entry_filled.checked_add(ev.size)?;
                entry_notional = entry_notional.checked_add(notional)?;
                avg_entry = if nothing_closed {
                    entry_notional.checked_div(entry_filled)?
                } else {
                    let held_cost = trade.size.checked_mul(trade.avg_entry)?;
                    held_cost.checked_add(notional)?.checked_div(trade.size.checked_add(ev.size)?)?
                };
                (trade.size.checked_add(ev.size)?, Fixed::ZERO, Fixed::ZERO, Fixed::ZERO)
            }
            Role::Exit => {
                let reduced = ev.size.min(trade.size);
                let pnl = reduced.checked_mul(ev.price.checked_sub(trade.avg_entry)?)?.checked_mul(trade.sign())?;
                (trade.size.checked_sub(reduced)?, reduced, ev.size.checked_sub(reduced)?, pnl)
            }
        };
        Ok(FillCalc {
            fee,
            liquidity,
            order_filled: order.filled.checked_add(ev.size)?,
            order_notional: order.notional.checked_add(notional)?,
            entry_filled,
            entry_notional,
            avg_entry,
            size,
            reduced,
            excess,
            pnl,
            trade_realized: trade.realized_pnl.checked_add(pnl)?,
            trade_fees: trade.fees.checked_add(fee)?,
            ledger_realized: self.s.ledgers.realized_pnl.checked_add(pnl)?,
            ledger_fees: self.s.ledgers.fees_paid.checked_add(fee)?,
        })
    }

    /// Records an execution on its order; returns the venue's order id as now known.
    pub(super) fn record_fill_on_order(
        &mut self,
        at: OrderAt,
        ev: &VenueEvent<'_>,
        calc: &FillCalc,
        order_done: bool,
    ) -> Option<Id> {
        let o = &mut self.s.book.orders[at];
        o.filled = calc.order_filled;
        o.notional = calc.order_notional;
        if o.venue_order_id.is_none() {
            o.venue_order_id = ev.venue_order_id.map(Id::from);
        }
        if o.status == OrderStatus::Live && order_done {
            o.status = OrderStatus::Filled;
            o.pending = Pending::None;
        }
        // The venue has the order after all (a rate limit's answer crossed its acceptance): never re-sent.
        if matches!(o.pending, Pending::PlaceAt(_)) {
            o.pending = Pending::None;
        }
        o.venue_order_id.clone()
    }

    /// `order` is a copy of the one at `at`, as it was before this fill.
    fn fill(&mut self, ev: &VenueEvent<'_>, at: OrderAt, order: Order) -> Outcome {
        // Where the trade is now: the slot its order went from, or (seldom: looked up only then) the one
        // a late fill revived it into.
        let holds =
            |slot: u32| self.s.slots[slot as usize].trade.as_ref().is_some_and(|t| t.trade_id == order.trade_id);
        let (home, held) = if holds(order.slot_id) {
            (order.slot_id, true)
        } else {
            match self.ix.trades.get(&order.trade_id) {
                Some(&slot) => (slot, holds(slot)),
                None => (order.slot_id, false),
            }
        };
        if !held && self.s.orphans.contains_key(&order.trade_id) {
            return self.orphan_fill(at, &order, ev, false);
        }
        if !held && order.role == Role::Exit {
            return self.orphan_exit_fill(at, &order, ev);
        }
        // Where the trade is (or, for a late entry fill on a freed trade, will be).
        let (slot_id, revive) = if held {
            (home, false)
        } else {
            if !self.s.book.retired.contains_key(&order.trade_id) {
                return Outcome::rejected(Code::UnknownOrder)
                    .with_detail("clientOrderId", ev.client_order_id.to_string());
            }
            let free = if self.s.slots[home as usize].stage.is_free() { Some(home) } else { self.ix.free.first() };
            match free {
                Some(s) => (s, true),
                // The exposure is real even without a slot to hold it.
                None => return self.orphan_fill(at, &order, ev, true),
            }
        };
        let trade = if revive {
            self.s.book.retired.get(&order.trade_id).expect("checked above")
        } else {
            self.s.slots[slot_id as usize].trade.as_ref().expect("held")
        };
        let calc = match self.calc_fill(trade, &order, ev) {
            Ok(c) => c,
            Err(e) => return Outcome::rejected(Code::ArithmeticOverflow).with_detail("reason", e.to_string()),
        };
        let current = !revive && trade.working_order.as_ref() == Some(&order.client_order_id);
        let was_empty = !trade.size.is_positive();
        let first_entry = !trade.entry_filled.is_positive() || revive;
        let order_done = calc.order_filled >= order.size;
        let input = match order.role {
            Role::Entry if current && order_done => Input::Fill,
            Role::Entry if current => Input::PartialFill,
            Role::Entry => Input::LateEntryFill,
            Role::Exit if calc.size.is_zero() && current => Input::FinalFill,
            Role::Exit if calc.size.is_zero() => Input::LateFinalFill,
            Role::Exit if current && order_done => Input::Fill,
            Role::Exit if current => Input::PartialFill,
            Role::Exit => Input::LateExitFill,
        };
        let stage = if revive { Stage::Idle } else { self.s.slots[slot_id as usize].stage };
        let Some(r) = rule(stage, input) else { return self.illegal(slot_id, input) };

        // Apply.
        let mut out = self.spares.take(true, r.code);
        let cancelled_before =
            matches!(order.status, OrderStatus::Canceled | OrderStatus::Rejected | OrderStatus::Expired);
        if current && !order.acked {
            out.flag(Flag::FillBeforeAck);
        }
        if cancelled_before {
            out.flag(Flag::LateFill);
        } else if !current {
            // A fill for an order that already completed: more than ordered.
            out.code = Code::Overfill;
        }
        calc.flag_overfill(&order, &mut out);
        if revive {
            out.flag(Flag::Revived);
            let mut t = self.s.book.retired.remove(&order.trade_id).expect("checked above");
            t.working_order = None;
            t.close_reason = None;
            t.monitoring_closed = false;
            // Exposure the kill switch did not see (it came after): flattened as the switch would have.
            t.flatten_pending = self.s.control.kill_switch_at.is_some();
            let slot = &mut self.s.slots[slot_id as usize];
            slot.trade = Some(t);
            self.index_trade(slot_id);
        }
        let venue_order_id = self.record_fill_on_order(at, ev, &calc, order_done);
        let t = self.s.slots[slot_id as usize].trade.as_mut().expect("held or revived");
        t.entry_filled = calc.entry_filled;
        t.entry_notional = calc.entry_notional;
        t.avg_entry = calc.avg_entry;
        t.size = calc.size;
        t.realized_pnl = calc.trade_realized;
        t.fees = calc.trade_fees;
        if t.opened_at.is_none() {
            t.opened_at = Some(ev.ts);
        }
        if matches!(input, Input::Fill | Input::FinalFill) {
            t.working_order = None;
            if order.role == Role::Exit {
                t.active_leg += 1;
            }
        }
        self.s.ledgers.realized_pnl = calc.ledger_realized;
        self.s.ledgers.fees_paid = calc.ledger_fees;

        let kind = if order_done { EventType::OrderFilled } else { EventType::OrderPartiallyFilled };
        let oe = self.emit(&mut out, kind, slot_id, Cause::External(ev.event_id.clone()), ev.ts);
        calc.describe_fill(oe, &order, ev, venue_order_id);
        let fill_seq = oe.seq;
        let ids = (None, Some(ev.event_id.clone()));

        match order.role {
            Role::Entry => {
                let kind = if first_entry { EventType::TradeOpened } else { EventType::TradeIncreased };
                let te = self.emit(&mut out, kind, slot_id, Cause::Event(fill_seq), ev.ts);
                te.venue_event_id = Some(ev.event_id.clone());
                te.size = Some(calc.size);
                te.price = Some(calc.avg_entry);
                te.avg_price = Some(calc.avg_entry);
                te.filled_size = Some(calc.entry_filled);
                if revive {
                    te.reason = Some("late fill after the entry was cancelled".into());
                }
            }
            Role::Exit => {
                let pe = self.emit(&mut out, EventType::ProfitRealized, slot_id, Cause::Event(fill_seq), ev.ts);
                pe.venue_event_id = Some(ev.event_id.clone());
                pe.size = Some(calc.reduced);
                pe.price = Some(ev.price);
                pe.realized_pnl = Some(calc.pnl);
                pe.fee = Some(calc.fee);
                if calc.size.is_positive() {
                    let te = self.emit(&mut out, EventType::TradeReduced, slot_id, Cause::Event(fill_seq), ev.ts);
                    te.venue_event_id = Some(ev.event_id.clone());
                    te.size = Some(calc.size);
                    te.price = Some(ev.price);
                    te.realized_pnl = Some(calc.trade_realized);
                    te.filled_size = Some(calc.entry_filled);
                }
            }
        }
        if was_empty && calc.size.is_positive() {
            self.start_monitoring(slot_id);
        }
        match r.next {
            Next::To(Stage::Closed) => {
                self.set_stage(slot_id, Stage::Closed, input, ids.clone(), &mut out);
                self.close_trade(slot_id, fill_seq, ev.ts, ids, &mut out);
            }
            Next::To(next) => {
                self.set_stage(slot_id, next, input, ids, &mut out);
                if next == Stage::Open {
                    self.flatten_if_pending(slot_id, Cause::Event(fill_seq), ev.ts, &mut out);
                }
            }
            Next::Stay | Next::Resume => {}
        }
        out.details.push(("clientOrderId", order.client_order_id.clone().into()));
        self.finish(out, slot_id)
    }

    /// The trade is flat: cancel any order still working for it, end
    /// monitoring, emit TradeClosed, and free the slot.
    fn close_trade(&mut self, slot_id: u32, cause_seq: u64, ts: i64, ids: (Option<Id>, Option<Id>), out: &mut Outcome) {
        let t = self.s.slots[slot_id as usize].trade.as_mut().expect("closing a held trade");
        if let Some(coid) = t.working_order.take() {
            // A late fill closed the trade under a still-working exit order.
            if let Some(o) = self.s.book.orders.get(&coid) {
                let asset = t.asset.clone();
                out.commands
                    .push(VenueCommand { kind: CommandKind::Cancel, ..super::intents::place_command(o, &asset) });
                // The cancel is a fact like any other the kernel asks for: journaled before it goes.
                let e = self.emit(out, EventType::OrderCancelRequested, slot_id, Cause::Event(cause_seq), ts);
                e.client_order_id = Some(coid.clone());
                e.reason = Some("the trade closed under it".into());
            }
        }
        let t = self.s.slots[slot_id as usize].trade.as_mut().expect("closing a held trade");
        let reason = *t.close_reason.get_or_insert(super::types::CloseReason::ExitSignal);
        let announce = !t.monitoring_closed;
        t.monitoring_closed = true;
        let (realized, fees) = (t.realized_pnl, t.fees);
        let ce = self.emit(out, EventType::TradeClosed, slot_id, Cause::Event(cause_seq), ts);
        ce.realized_pnl = Some(realized);
        ce.fee = Some(fees);
        ce.size = Some(Fixed::ZERO);
        ce.close_reason = Some(reason);
        let closed_seq = ce.seq;
        if announce {
            let me = self.emit(out, EventType::TradeMonitoringClosed, slot_id, Cause::Event(closed_seq), ts);
            me.close_reason = Some(reason);
        }
        let trade_id = self.s.slots[slot_id as usize].trade.as_ref().map(|t| t.trade_id.clone());
        self.set_stage(slot_id, Stage::Idle, Input::Free, ids, out);
        self.free_slot(slot_id);
        out.trade_id = trade_id;
    }

    /// An exit fill for a trade that already left its slot: the venue
    /// charged it, so its fee counts; there is no position left to reduce.
    fn orphan_exit_fill(&mut self, at: OrderAt, order: &Order, ev: &VenueEvent<'_>) -> Outcome {
        let Some(trade) = self.s.book.retired.get(&order.trade_id) else {
            return Outcome::rejected(Code::UnknownOrder).with_detail("clientOrderId", ev.client_order_id.to_string());
        };
        let calc = match self.calc_fill(trade, order, ev) {
            Ok(c) => c,
            Err(e) => return Outcome::rejected(Code::ArithmeticOverflow).with_detail("reason", e.to_string()),
        };
        let mut out = Outcome::new(true, Code::Overfill);
        if order.is_terminal() && order.status != OrderStatus::Filled {
            out.flag(Flag::LateFill);
        }
        out.flag(Flag::Overfill);
        let s = &mut self.s;
        s.ledgers.fees_paid = calc.ledger_fees;
        let trade = s.book.retired.get_mut(&order.trade_id).expect("checked above");
        trade.fees = calc.trade_fees;
        let o = &mut s.book.orders[at];
        o.filled = calc.order_filled;
        o.notional = calc.order_notional;
        let mut oe = new_event(
            &mut s.seq,
            EventType::OrderFilled,
            order.slot_id,
            trade,
            Cause::External(ev.event_id.clone()),
            ev.ts,
        );
        // The same fields as every other fill event (order type, average, reduce-only), so a reader
        // that tells exits from entries by them counts this one too.
        calc.describe_fill(&mut oe, order, ev, order.venue_order_id.clone());
        oe.reason = Some("exit fill after the trade closed: no position to reduce".into());
        out.events.push(oe);
        out.details.push(("excess", ev.size.to_string().into()));
        out.slot_id = Some(order.slot_id);
        out.trade_id = Some(order.trade_id.clone());
        out.state = Some(self.s.slots[order.slot_id as usize].stage);
        out
    }

    fn order_event(&mut self, ev: &VenueEvent<'_>, at: OrderAt, news: News) -> Outcome {
        let order = &self.s.book.orders[at];
        if self.s.orphans.contains_key(&order.trade_id) {
            return self.orphan_order_event(ev, at, news);
        }
        let slot_id = order.slot_id;
        let coid = order.client_order_id.clone();
        let current = self.s.slots[slot_id as usize]
            .trade
            .as_ref()
            .is_some_and(|t| t.trade_id == order.trade_id && t.working_order.as_ref() == Some(&coid));
        if !current {
            return self.stale(ev, at);
        }
        let filled = order.filled.is_positive();
        let input = match (news, filled) {
            (News::Ack, _) => Input::Ack,
            (News::Ended(OrderStatus::Rejected), false) => Input::Rejected,
            (News::Ended(OrderStatus::Rejected), true) => Input::RejectedAfterFills,
            (News::Ended(OrderStatus::Expired), false) => Input::Expired,
            (News::Ended(OrderStatus::Expired), true) => Input::ExpiredAfterFills,
            (News::Ended(_), false) => Input::Canceled,
            (News::Ended(_), true) => Input::CanceledAfterFills,
            (News::CancelRejected, _) => Input::CancelRejected,
            (News::RateLimited, _) => Input::RateLimited,
        };
        let stage = self.s.slots[slot_id as usize].stage;
        let Some(r) = rule(stage, input) else {
            let out = self.illegal(slot_id, input).with_detail("eventId", ev.event_id.to_string());
            return out;
        };
        let mut out = self.spares.take(true, r.code);
        let ids = (None, Some(ev.event_id.clone()));
        let cause = Cause::External(ev.event_id.clone());
        let o = &mut self.s.book.orders[at];
        match input {
            Input::Ack => {
                let first = o.record_ack(ev.venue_order_id.map(Id::from));
                let exit = o.role == Role::Exit;
                let venue_order_id = o.venue_order_id.clone();
                if exit {
                    // The venue took an exit: protective exits no longer wait.
                    if let Some(t) = self.s.slots[slot_id as usize].trade.as_mut() {
                        t.exit_rejections = 0;
                        t.exit_retry_at = None;
                    }
                }
                if first {
                    let e = self.emit(&mut out, EventType::OrderPlaced, slot_id, cause, ev.ts);
                    e.client_order_id = Some(coid.clone());
                    e.venue_order_id = venue_order_id;
                    e.venue_event_id = Some(ev.event_id.clone());
                }
                if let Next::To(next) = r.next {
                    self.set_stage(slot_id, next, input, ids, &mut out);
                }
            }
            Input::CancelRejected => {
                let back = o.resume_stage();
                o.pending = Pending::None;
                o.timeout_cancel_refused(ev.ts);
                // The kill switch's cancel (or a TP/SL's in a partial entry) must still happen: it goes again
                // on `tick`, after the protective exits' backoff, for as long as the venue refuses it.
                if let Some(t) = self.s.slots[slot_id as usize].trade.as_mut() {
                    if t.flatten_pending || t.protect_pending.is_some() {
                        o.pending = Pending::CancelAt(t.exit_rejected(ev.ts));
                    }
                }
                let mut e = self.event(EventType::OrderCancelRejected, slot_id, cause, ev.ts);
                e.client_order_id = Some(coid.clone());
                e.venue_event_id = Some(ev.event_id.clone());
                e.reason = ev.reason.map(Id::from);
                out.events.push(e);
                self.set_stage(slot_id, back, input, ids, &mut out);
            }
            Input::RateLimited => {
                let after = ev.retry_after_ms.unwrap_or(DEFAULT_RETRY_MS);
                let at = ev.ts.saturating_add(after);
                // A refused cancel that waits to go again (the kill switch's, a TP/SL's) stays a cancel: the
                // order is to go, not to be placed again. Otherwise the request in flight is retried; with
                // none (a working order), the report is said, with nothing to retry.
                let retry = match (stage, o.pending) {
                    (_, Pending::CancelAt(due)) => Some(Pending::CancelAt(due.max(at))),
                    (Stage::EntryRequested | Stage::ExitRequested, _) => Some(Pending::PlaceAt(at)),
                    (Stage::EntryCanceling | Stage::ExitCanceling, _) => Some(Pending::CancelAt(at)),
                    _ => None,
                };
                if let Some(retry) = retry {
                    o.pending = retry;
                    out.retry_after_ms = Some(after);
                    out.retry_at = Some(at);
                }
                let mut e = self.event(EventType::OrderRateLimited, slot_id, cause, ev.ts);
                e.client_order_id = Some(coid.clone());
                e.venue_event_id = Some(ev.event_id.clone());
                e.reason = ev.reason.map(Id::from);
                out.events.push(e);
            }
            _ => {
                let status = match news {
                    News::Ended(status) => status,
                    _ => OrderStatus::Canceled,
                };
                let kind = status.ended_event();
                o.status = status;
                o.pending = Pending::None;
                let rejected_exit = status == OrderStatus::Rejected && o.role == Role::Exit;
                let (filled, size) = (o.filled, o.size);
                let mut e = self.event(kind, slot_id, cause, ev.ts);
                e.client_order_id = Some(coid.clone());
                e.venue_event_id = Some(ev.event_id.clone());
                e.filled_size = Some(filled);
                e.size = Some(size);
                e.reason = ev.reason.map(Id::from);
                out.events.push(e);
                if rejected_exit {
                    if let Some(t) = self.s.slots[slot_id as usize].trade.as_mut() {
                        let at = t.exit_rejected(ev.ts);
                        out.details.push(("exitRetryAt", at.to_string().into()));
                        out.details.push(("exitRetryInMs", at.saturating_sub(ev.ts).to_string().into()));
                    }
                }
                let next = match r.next {
                    Next::To(s) => s,
                    _ => stage,
                };
                self.end_working(slot_id, next, input, ids, ev.ts, &mut out);
            }
        }
        out.details.push(("clientOrderId", coid.into()));
        self.finish(out, slot_id)
    }

    /// An ack, cancel, reject or expiry for an order that is no longer the
    /// slot's working order: no stage changes. What it tells of the order
    /// (the venue has it; it ended) is recorded on the order and, being a
    /// change, said by an event of the order's trade. An ack of an order
    /// already ended tells nothing new and changes nothing.
    pub(super) fn stale(&mut self, ev: &VenueEvent<'_>, at: OrderAt) -> Outcome {
        let s = &mut self.s;
        let o = &mut s.book.orders[at];
        let live = !o.is_terminal();
        let news = match ev.kind {
            VenueKind::Ack if live => o.record_ack(ev.venue_order_id.map(Id::from)).then_some(EventType::OrderPlaced),
            VenueKind::Canceled | VenueKind::Rejected | VenueKind::Expired if live => {
                o.status = match ev.kind {
                    VenueKind::Canceled => OrderStatus::Canceled,
                    VenueKind::Rejected => OrderStatus::Rejected,
                    _ => OrderStatus::Expired,
                };
                Some(o.status.ended_event())
            }
            _ => None,
        };
        let o = &s.book.orders[at];
        let (slot_id, trade_id) = (o.slot_id, o.trade_id.clone());
        let mut out = Outcome::new(true, Code::StaleEvent)
            .with_detail("clientOrderId", ev.client_order_id.to_string())
            .with_detail("kind", ev.kind.as_str());
        // Where its trade is: held (in the slot its order went from, or the one a late fill revived it
        // into), retired, or an orphan position (both named by the home slot, as their other events are).
        let home = self.ix.trades.get(&trade_id).copied().unwrap_or(slot_id);
        let held = s.slots[home as usize].trade.as_deref().filter(|t| t.trade_id == trade_id);
        let at_slot = if held.is_some() { home } else { slot_id };
        let trade =
            held.or_else(|| s.book.retired.get(&trade_id)).or_else(|| s.orphans.get(&trade_id).map(|o| &*o.trade));
        if let Some((kind, trade)) = news.zip(trade) {
            let mut e = new_event(&mut s.seq, kind, at_slot, trade, Cause::External(ev.event_id.clone()), ev.ts);
            e.client_order_id = Some(o.client_order_id.clone());
            e.venue_order_id = o.venue_order_id.clone();
            e.venue_event_id = Some(ev.event_id.clone());
            if kind != EventType::OrderPlaced {
                e.filled_size = Some(o.filled);
                e.size = Some(o.size);
            }
            e.reason = Some(ev.reason.map_or_else(|| "no longer its slot's working order".into(), Id::from));
            out.events.push(e);
        }
        out.slot_id = Some(at_slot);
        out.trade_id = Some(trade_id);
        out.state = Some(s.slots[at_slot as usize].stage);
        out
    }
}
