//! ENTER, EXIT and CANCEL.

use super::fixed::{Fixed, FixedError};
use super::input::{parse_intent, Common, Enter, Exit, Intent, IntentKind, IntentRaw, Target};
use super::model::{Order, OrderStatus, Pending, Trade};
use super::outcome::{Cause, Outcome, VenueCommand};
use super::seen::SeenKind;
use super::stage::{rule, Input, Stage};
use super::types::{compose_id, CloseReason, Code, CommandKind, EventType, Id, Mode, OrderType, Role};
use super::Kernel;

/// How an exit order is sized.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ExitSize {
    /// The next leg of exitLegRatios.
    NextLeg,
    /// Everything that is left (TP/SL, kill switch).
    All,
}

impl Kernel {
    fn grid(&self) -> super::input::Grid {
        super::input::Grid {
            lot_step: self.s.config.fees.lot_step,
            tick_size: self.s.config.fees.tick_size,
            max_slots: self.s.config.max_slots,
        }
    }

    /// What `submit_intent` would answer the intent's shape alone: its
    /// INVALID_* refusal naming the field, or an accepted outcome with
    /// nothing in it. Nothing else is looked at (ids seen, the mode, the
    /// slots) and nothing changes: a host checks an entry with it before
    /// the entry waits for an operator, so a malformed one is never held.
    pub fn check_intent(&self, raw: &IntentRaw) -> Outcome {
        match parse_intent(raw, self.grid()) {
            Ok(_) => Outcome::new(true, Code::Ok),
            Err(bad) => Kernel::invalid(bad),
        }
    }

    pub fn submit_intent(&mut self, raw: &IntentRaw) -> Outcome {
        let grid = self.grid();
        // The raw id is the parsed one (ids are taken as given): hashed now,
        // its table slot loads while the rest of the input is parsed.
        let probe = self.s.seen.probe(SeenKind::Intent, &raw.intent_id);
        let intent = match parse_intent(raw, grid) {
            Ok(i) => i,
            Err(bad) => return Kernel::invalid(bad),
        };
        let Some(fresh) = self.s.seen.check_probed(probe, &raw.intent_id) else {
            return Outcome::rejected(Code::DuplicateIntent).with_detail("intentId", intent.common.intent_id);
        };
        let allowed = match (self.s.control.mode, intent.action()) {
            (Mode::Active, _) => true,
            (Mode::Reducing, a) => a != super::types::Action::Enter,
            (Mode::Halted, a) => a == super::types::Action::Cancel,
        };
        if !allowed {
            return Outcome::rejected(Code::ModeRejected)
                .with_detail("mode", self.s.control.mode.as_str())
                .with_detail("action", intent.action().as_str());
        }
        let Intent { common, kind } = intent;
        let out = match kind {
            IntentKind::Enter(e) => self.enter(&common, e),
            IntentKind::Exit(x) => self.exit(&common, &x),
            IntentKind::Cancel(t) => self.cancel(&common, &t),
        };
        if out.accepted {
            self.s.seen.remember(fresh, &common.intent_id);
        }
        out
    }

    pub(super) fn cause_of(intent: &Common) -> Cause {
        Cause::External(intent.causation_id.clone().unwrap_or_else(|| intent.intent_id.clone()))
    }

    pub(super) fn illegal(&self, slot_id: u32, input: Input) -> Outcome {
        let stage = self.s.slots[slot_id as usize].stage;
        let out = Outcome::rejected(Code::IllegalTransition)
            .with_detail("stage", stage.as_str())
            .with_detail("input", input.as_str());
        self.finish(out, slot_id)
    }

    fn enter(&mut self, intent: &Common, e: Enter) -> Outcome {
        let slot_id = match e.slot_id {
            Some(id) if self.s.slots[id as usize].stage.is_free() => id,
            Some(id) => {
                let out = Outcome::rejected(Code::SlotBusy).with_detail("slotId", id.to_string());
                return self.finish(out, id);
            }
            None => match self.ix.free.first() {
                Some(id) => id,
                None => {
                    return Outcome::rejected(Code::NoFreeSlot)
                        .with_detail("maxSlots", self.s.config.max_slots.to_string())
                }
            },
        };
        let Some(r) = rule(Stage::Idle, Input::Enter) else { return self.illegal(slot_id, Input::Enter) };

        self.s.trade_counter += 1;
        let trade_id = compose_id(&[&self.s.config.id_prefix, "T"], self.s.trade_counter, "");
        let coid = compose_id(&[&trade_id, "-E"], 1, "");
        let ts = intent.ts;
        let order = Order {
            client_order_id: coid.clone(),
            venue_order_id: None,
            trade_id: trade_id.clone(),
            slot_id,
            role: Role::Entry,
            side: e.side.entry_order_side(),
            order_type: e.order_type,
            size: e.size,
            limit_price: e.limit_price,
            reduce_only: false,
            filled: Fixed::ZERO,
            notional: Fixed::ZERO,
            status: OrderStatus::Live,
            acked: false,
            sent_at: ts,
            pending: Pending::None,
            timed_out: false,
            timeouts: 0,
            fills: smallvec::SmallVec::new(),
        };
        let trade = Box::new(Trade {
            trade_id: trade_id.clone(),
            correlation_id: intent.correlation_id.clone().unwrap_or_else(|| intent.intent_id.clone()),
            asset: e.asset.clone(),
            side: e.side,
            leverage: e.leverage,
            exit_leg_ratios: e.exit_leg_ratios,
            active_leg: 0,
            take_profit: e.take_profit,
            stop_loss: e.stop_loss,
            lot_step: e.lot_step,
            orders: {
                // An entry, then usually one exit.
                let mut orders = Vec::with_capacity(2);
                orders.push(coid.clone());
                orders
            },
            working_order: Some(coid.clone()),
            entry_filled: Fixed::ZERO,
            entry_notional: Fixed::ZERO,
            avg_entry: Fixed::ZERO,
            size: Fixed::ZERO,
            realized_pnl: Fixed::ZERO,
            fees: Fixed::ZERO,
            opened_at: None,
            close_reason: None,
            exit_count: 0,
            flatten_pending: false,
            protect_pending: None,
            monitoring_closed: false,
            protect_blocked: false,
            last_tick_ts: None,
            exit_rejections: 0,
            exit_retry_at: None,
        });
        let mut out = self.spares.take(true, r.code);
        out.commands.push(place_command(&order, &trade.asset));
        self.s.book.orders.insert(order);
        self.s.slots[slot_id as usize].trade = Some(trade);
        self.index_trade(slot_id);
        let ev = self.emit(&mut out, EventType::OrderRequested, slot_id, Kernel::cause_of(intent), ts);
        ev.intent_id = Some(intent.intent_id.clone());
        ev.client_order_id = Some(coid);
        ev.order_side = Some(e.side.entry_order_side());
        ev.order_type = Some(e.order_type);
        ev.size = Some(e.size);
        ev.price = e.limit_price;
        ev.reduce_only = Some(false);
        self.set_stage(slot_id, Stage::EntryRequested, Input::Enter, (Some(intent.intent_id.clone()), None), &mut out);
        self.finish(out, slot_id)
    }

    /// Finds the slot an EXIT or CANCEL addresses.
    fn locate(&self, t: &Target) -> Result<u32, Box<Outcome>> {
        let by_trade = match &t.trade_id {
            Some(id) => match self.ix.trades.get(id) {
                Some(&slot) => Some(slot),
                None => {
                    return Err(Box::new(Outcome::rejected(Code::UnknownTrade).with_detail("tradeId", id.to_string())))
                }
            },
            None => None,
        };
        match (t.slot_id, by_trade) {
            (Some(a), Some(b)) if a != b => Err(Box::new(
                Outcome::rejected(Code::InvalidIntent)
                    .with_detail("field", "tradeId")
                    .with_detail("value", t.trade_id.clone().unwrap_or_else(|| Id::from("")))
                    .with_detail("reason", "the trade is not in slotId"),
            )),
            (Some(a), _) => Ok(a),
            (None, Some(b)) => Ok(b),
            (None, None) => Err(Box::new(Outcome::rejected(Code::InvalidIntent).with_detail("field", "slotId"))),
        }
    }

    fn exit(&mut self, intent: &Common, x: &Exit) -> Outcome {
        if let Some(out) = self.exit_orphan(intent, x) {
            return out;
        }
        let slot_id = match self.locate(&x.target) {
            Ok(s) => s,
            Err(out) => return *out,
        };
        let stage = self.s.slots[slot_id as usize].stage;
        if rule(stage, Input::Exit).is_none() {
            return self.illegal(slot_id, Input::Exit);
        }
        let mut out = self.spares.take(true, Code::Ok);
        let placed = self.place_exit(
            slot_id,
            Input::Exit,
            (x.order_type, x.limit_price),
            x.close_reason,
            ExitSize::NextLeg,
            Kernel::cause_of(intent),
            Some(intent.intent_id.clone()),
            intent.ts,
            &mut out,
        );
        if let Err(e) = placed {
            return Outcome::rejected(Code::ArithmeticOverflow).with_detail("reason", e.to_string());
        }
        self.finish(out, slot_id)
    }

    /// The size of the next exit order: the leg's share of the filled entry,
    /// down to the trade's lot (its venue's, or the kernel's); the last leg
    /// (or a remainder below one lot) takes everything left. The legs are a
    /// plan for the filled entry (after leg k, what legs 0..=k leave stays
    /// open), so a leg that filled in part before it was cancelled is
    /// completed by the next exit, not placed again whole.
    fn exit_size(&self, trade: &Trade, how: ExitSize) -> Result<Fixed, FixedError> {
        let lot = trade.lot_step.unwrap_or(self.s.config.fees.lot_step);
        let last = trade.active_leg + 1 >= trade.exit_leg_ratios.len();
        if how == ExitSize::All || last {
            return Ok(trade.size);
        }
        let legs = &trade.exit_leg_ratios;
        let mut planned = Fixed::ZERO;
        for (j, &ratio) in legs.iter().enumerate() {
            planned = planned.checked_add(trade.entry_filled.checked_mul(ratio)?.floor_to(lot))?;
            if j < trade.active_leg {
                continue;
            }
            if j + 1 == legs.len() {
                break;
            }
            // What is left of leg j; below one lot (more than planned was closed), leg j is done: the next.
            let rest_of_leg = trade.size.checked_sub(trade.entry_filled.checked_sub(planned)?)?.floor_to(lot);
            if rest_of_leg < lot {
                continue;
            }
            let leg = rest_of_leg.min(trade.size);
            return Ok(if trade.size.checked_sub(leg)? < lot { trade.size } else { leg });
        }
        Ok(trade.size)
    }

    /// Places a reduce-only exit order from OPEN: EXIT intents, TP/SL and
    /// the kill switch all come through here.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn place_exit(
        &mut self,
        slot_id: u32,
        input: Input,
        (order_type, limit_price): (OrderType, Option<Fixed>),
        reason: CloseReason,
        how: ExitSize,
        cause: Cause,
        intent_id: Option<Id>,
        ts: i64,
        out: &mut Outcome,
    ) -> Result<(), FixedError> {
        let stage = self.s.slots[slot_id as usize].stage;
        let Some(r) = rule(stage, input) else { return Ok(()) };
        let trade = self.s.slots[slot_id as usize].trade.as_ref().expect("OPEN slots hold a trade");
        let size = self.exit_size(trade, how)?;
        let (asset, side) = (trade.asset.clone(), trade.exit_order_side());
        let announce = input != Input::Exit && !trade.monitoring_closed;
        let coid = trade.next_exit_id();
        let order = Order::exit(coid.clone(), trade, slot_id, (order_type, limit_price), size, ts);
        out.escalate(r.code);
        out.commands.push(place_command(&order, &asset));
        self.s.book.orders.insert(order);
        let t = self.s.slots[slot_id as usize].trade.as_mut().expect("OPEN slots hold a trade");
        t.exit_sent(&coid, reason);
        let mut cause = cause;
        if announce {
            // TP, SL and the kill switch end monitoring: say so, then act.
            t.monitoring_closed = true;
            let mark = self.s.marks.get(&asset).copied();
            let ev = self.emit(out, EventType::TradeMonitoringClosed, slot_id, cause, ts);
            ev.close_reason = Some(reason);
            ev.mark_price = mark;
            cause = Cause::Event(ev.seq);
        }
        let ev = self.emit(out, EventType::OrderRequested, slot_id, cause, ts);
        ev.intent_id = intent_id.clone();
        ev.client_order_id = Some(coid);
        ev.order_side = Some(side);
        ev.order_type = Some(order_type);
        ev.size = Some(size);
        ev.price = limit_price;
        ev.reduce_only = Some(true);
        ev.close_reason = Some(reason);
        self.set_stage(slot_id, Stage::ExitRequested, input, (intent_id, None), out);
        Ok(())
    }

    fn cancel(&mut self, intent: &Common, t: &Target) -> Outcome {
        let slot_id = match self.locate(t) {
            Ok(s) => s,
            Err(out) => return *out,
        };
        let held = self.s.slots[slot_id as usize].trade.as_ref().and_then(|t| t.working_order.clone());
        let Some(coid) = held else { return self.illegal(slot_id, Input::Cancel) };
        let mut out = self.spares.take(true, Code::Ok);
        let ids = (Some(intent.intent_id.clone()), None);
        if !self.request_cancel(slot_id, &coid, Input::Cancel, Kernel::cause_of(intent), ids, intent.ts, &mut out) {
            return self.illegal(slot_id, Input::Cancel);
        }
        self.finish(out, slot_id)
    }

    /// Asks the venue to cancel a slot's working order — or, when the order
    /// never left the kernel (held by a rate limit), cancels it on the spot.
    /// Returns false, changing nothing, when the table has no such row.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn request_cancel(
        &mut self,
        slot_id: u32,
        coid: &Id,
        input: Input,
        cause: Cause,
        ids: (Option<Id>, Option<Id>),
        ts: i64,
        out: &mut Outcome,
    ) -> bool {
        let stage = self.s.slots[slot_id as usize].stage;
        let Some(at) = self.s.book.orders.find(coid) else { return false };
        // Held back by a rate limit, and the venue never said it has it (no ack, no fill).
        let order = &self.s.book.orders[at];
        let unsent = matches!(order.pending, Pending::PlaceAt(_)) && !order.acked && !order.filled.is_positive();
        let input = if unsent { Input::CancelUnsent } else { input };
        let Some(r) = rule(stage, input) else { return false };
        out.escalate(r.code);
        let next = match r.next {
            super::stage::Next::To(s) => s,
            _ => stage,
        };
        if input == Input::CancelUnsent {
            let order = &mut self.s.book.orders[at];
            order.status = OrderStatus::Canceled;
            order.pending = Pending::None;
            let ev = self.emit(out, EventType::OrderCanceled, slot_id, cause, ts);
            ev.client_order_id = Some(coid.clone());
            ev.reason = Some("never sent: held back by a rate limit".into());
            self.end_working(slot_id, next, input, ids, ts, out);
            return true;
        }
        if !stage.is_canceling() {
            let order = &mut self.s.book.orders[at];
            order.pending = Pending::None;
            let asset = self.s.slots[slot_id as usize].trade.as_ref().map(|t| t.asset.clone()).unwrap_or_default();
            out.commands.push(VenueCommand { kind: CommandKind::Cancel, ..place_command(order, &asset) });
            let ev = self.emit(out, EventType::OrderCancelRequested, slot_id, cause, ts);
            ev.client_order_id = Some(coid.clone());
        }
        if next != stage {
            self.set_stage(slot_id, next, input, ids, out);
        }
        true
    }

    /// The working order is gone (cancelled, rejected, expired, never sent):
    /// the slot goes to `next`; an entry that never filled frees the slot.
    pub(super) fn end_working(
        &mut self,
        slot_id: u32,
        next: Stage,
        input: Input,
        ids: (Option<Id>, Option<Id>),
        ts: i64,
        out: &mut Outcome,
    ) {
        if let Some(t) = self.s.slots[slot_id as usize].trade.as_mut() {
            t.working_order = None;
        }
        if next == Stage::Idle {
            let cause = out.events.last().map_or(Cause::Tick(ts), |e| Cause::Event(e.seq));
            let ev = self.emit(out, EventType::TradeCanceled, slot_id, cause, ts);
            let trade_id = ev.trade_id.clone();
            self.set_stage(slot_id, Stage::Idle, input, ids, out);
            self.free_slot(slot_id);
            out.trade_id = Some(trade_id);
            return;
        }
        self.set_stage(slot_id, next, input, ids, out);
        if next == Stage::Open {
            let cause = out.events.last().map_or(Cause::Tick(ts), |e| Cause::Event(e.seq));
            self.flatten_if_pending(slot_id, cause, ts, out);
        }
    }

    /// After the kill switch, a slot back in OPEN is closed at once.
    pub(super) fn flatten_if_pending(&mut self, slot_id: u32, cause: Cause, ts: i64, out: &mut Outcome) {
        let slot = &self.s.slots[slot_id as usize];
        let Some(t) = slot.trade.as_ref().filter(|t| slot.stage == Stage::Open && t.size.is_positive()) else {
            return;
        };
        // After a venue rejection the close waits its backoff; `tick` sends it then.
        if t.exit_waits(ts) {
            return;
        }
        // The kill switch first; else a take-profit or stop-loss that fired
        // while the entry was still working.
        let (input, reason) = match (t.flatten_pending, t.protect_pending) {
            (true, _) => (Input::KillSwitch, CloseReason::KillSwitch),
            (false, Some(r)) => (Input::Protect, r),
            (false, None) => return,
        };
        let halted = self.s.control.mode == Mode::Halted;
        if let Some(t) = self.s.slots[slot_id as usize].trade.as_mut() {
            t.protect_pending = None;
            if halted && input == Input::Protect {
                // Trading was HALTED while the entry's rest was being cancelled: the TP/SL close waits, armed,
                // as an armed TP/SL does in HALTED (said now, once), and fires on a mark once trading resumes.
                t.protect_blocked = true;
                out.escalate(Code::ModeRejected);
                out.details.push(("mode", Mode::Halted.as_str().into()));
                out.details.push(("closeReason", reason.as_str().into()));
                return;
            }
        }
        // Full size, no arithmetic: cannot fail.
        let _ = self.place_exit(slot_id, input, (OrderType::Market, None), reason, ExitSize::All, cause, None, ts, out);
    }
}

impl Trade {
    fn exit_order_side(&self) -> super::types::OrderSide {
        self.side.exit_order_side()
    }
}

/// The request a rate limit held back, whose time has come: sent again now.
pub(super) fn retry_command(order: &mut Order, asset: &Id, ts: i64) -> VenueCommand {
    let kind = if matches!(order.pending, Pending::PlaceAt(_)) { CommandKind::Place } else { CommandKind::Cancel };
    order.pending = Pending::None;
    order.sent_at = ts;
    VenueCommand { kind, ..place_command(order, asset) }
}

pub(super) fn place_command(order: &Order, asset: &Id) -> VenueCommand {
    VenueCommand {
        kind: CommandKind::Place,
        client_order_id: order.client_order_id.clone(),
        trade_id: order.trade_id.clone(),
        slot_id: order.slot_id,
        asset: asset.clone(),
        side: order.side,
        order_type: order.order_type,
        size: order.size,
        limit_price: order.limit_price,
        reduce_only: order.reduce_only,
    }
}
