//! Marks (monitoring ticks, take-profit, stop-loss), the clock tick
//! (rate-limit retries, ack timeouts) and the kill switch.

use super::input::parse_mark;
use super::intents::{place_command, ExitSize};
use super::model::Pending;
use super::outcome::{Cause, Outcome, VenueCommand};
use super::stage::{Input, Stage};
use super::types::{CloseReason, Code, CommandKind, EventType, Flag, Mode, OrderType, Side};
use super::Kernel;

impl Kernel {
    /// Marks every slot on `asset`. Returns one outcome per slot that did
    /// something: a monitoring tick (at most one per slot per interval), a
    /// take-profit or stop-loss exit, or a refusal of one in HALTED mode.
    pub fn mark_price(&mut self, asset: &str, price: f64, ts: f64) -> Vec<Outcome> {
        let (asset, price, ts) = match parse_mark(asset, price, ts) {
            Ok(v) => v,
            Err(bad) => return vec![Kernel::invalid(bad)],
        };
        match self.s.marks.get_mut(asset) {
            Some(m) => *m = price,
            None => {
                self.s.marks.insert(asset.into(), price);
            }
        }
        let mut outs = Vec::new();
        let fired: Vec<u32> = match self.ix.triggers.get(asset) {
            Some(tr) => {
                let mut v: Vec<u32> = tr
                    .up
                    .range(..=(price, u32::MAX))
                    .chain(tr.down.range((price, 0)..))
                    .map(|&(_, slot)| slot)
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            }
            None => Vec::new(),
        };
        for slot_id in fired {
            if let Some(out) = self.protect(slot_id, price, ts) {
                outs.push(out);
            }
        }
        let due: Vec<(i64, u32)> = match self.ix.ticks.get(asset) {
            Some(q) => q.range(..=(ts, u32::MAX)).copied().collect(),
            None => Vec::new(),
        };
        for key in due {
            outs.push(self.monitoring_tick(key, asset, price, ts));
        }
        outs
    }

    fn protect(&mut self, slot_id: u32, price: super::fixed::Fixed, ts: i64) -> Option<Outcome> {
        let t = self.s.slots[slot_id as usize].trade.as_mut()?;
        let hit =
            |p: Option<super::fixed::Fixed>, up: bool| p.is_some_and(|p| if up { price >= p } else { price <= p });
        let reason = match t.side {
            Side::Long if hit(t.take_profit, true) => CloseReason::TakeProfit,
            Side::Short if hit(t.take_profit, false) => CloseReason::TakeProfit,
            _ => CloseReason::StopLoss,
        };
        if self.s.control.mode == Mode::Halted {
            // Armed but refused: said once, and it fires when trading resumes.
            if t.protect_blocked {
                return None;
            }
            t.protect_blocked = true;
            let out = Outcome::rejected(Code::ModeRejected)
                .with_detail("mode", "HALTED")
                .with_detail("closeReason", reason.as_str());
            return Some(self.finish(out, slot_id));
        }
        t.protect_blocked = false;
        if self.s.slots[slot_id as usize].stage == Stage::EntryPartial {
            return Some(self.protect_partial(slot_id, reason, ts));
        }
        let mut out = self.spares.take(true, Code::Ok);
        // Full size, no arithmetic: cannot fail.
        let _ = self.place_exit(
            slot_id,
            Input::Protect,
            (OrderType::Market, None),
            reason,
            ExitSize::All,
            Cause::Mark(ts),
            None,
            ts,
            &mut out,
        );
        Some(self.finish(out, slot_id))
    }

    /// TP/SL on an entry still working: the filled part is real exposure.
    /// Monitoring ends with the reason, the rest of the entry is cancelled,
    /// and the filled size is closed once the cancel settles.
    fn protect_partial(&mut self, slot_id: u32, reason: CloseReason, ts: i64) -> Outcome {
        let mut out = self.spares.take(true, Code::Ok);
        let t = self.s.slots[slot_id as usize].trade.as_mut().expect("armed slots hold a trade");
        let Some(coid) = t.working_order.clone() else { return self.finish(out, slot_id) };
        t.protect_pending = Some(reason);
        t.close_reason = Some(reason);
        let announce = !t.monitoring_closed;
        t.monitoring_closed = true;
        let asset = t.asset.clone();
        let mut cause = Cause::Mark(ts);
        if announce {
            let mark = self.s.marks.get(&asset).copied();
            let ev = self.emit(&mut out, EventType::TradeMonitoringClosed, slot_id, cause, ts);
            ev.close_reason = Some(reason);
            ev.mark_price = mark;
            cause = Cause::Event(ev.seq);
        }
        self.request_cancel(slot_id, &coid, Input::Protect, cause, (None, None), ts, &mut out);
        out.details.push(("closeReason", reason.as_str().into()));
        self.finish(out, slot_id)
    }

    fn monitoring_tick(&mut self, key: (i64, u32), asset: &str, price: super::fixed::Fixed, ts: i64) -> Outcome {
        let slot_id = key.1;
        let interval = self.s.config.monitor_interval_ms;
        if let Some(q) = self.ix.ticks.get_mut(asset) {
            q.remove(&key);
            q.insert((ts.saturating_add(interval), slot_id));
        }
        let t = self.s.slots[slot_id as usize].trade.as_mut().expect("tick queue holds held trades");
        t.last_tick_ts = Some(ts);
        let (size, unrealized) = (t.size, t.unrealized(Some(price)));
        let mut out = self.spares.take(true, Code::Ok);
        let e = self.emit(&mut out, EventType::TradeMonitoringTick, slot_id, Cause::Mark(ts), ts);
        e.mark_price = Some(price);
        e.unrealized_pnl = Some(unrealized);
        e.size = Some(size);
        self.finish(out, slot_id)
    }

    /// The clock: re-sends requests held back by a rate limit once their
    /// time has come, and cancels orders unacknowledged past `ackTimeoutMs`.
    pub fn tick(&mut self, ts: f64) -> Vec<Outcome> {
        let ts = match (super::input::Guard { code: Code::InvalidEvent }).ts("ts", ts) {
            Ok(t) => t,
            Err(bad) => return vec![Kernel::invalid(bad)],
        };
        let timeout = self.s.config.ack_timeout_ms;
        let mut outs = Vec::new();
        for slot_id in 0..self.s.config.max_slots {
            let slot = &self.s.slots[slot_id as usize];
            let Some(t) = &slot.trade else { continue };
            let Some(coid) = t.working_order.clone() else { continue };
            let asset = t.asset.clone();
            let stage = slot.stage;
            let Some(order) = self.s.book.orders.get_mut(&coid) else { continue };
            let mut out = self.spares.take(true, Code::Ok);
            match order.pending {
                Pending::PlaceAt(at) | Pending::CancelAt(at) if ts >= at => {
                    let kind = if matches!(order.pending, Pending::PlaceAt(_)) {
                        CommandKind::Place
                    } else {
                        CommandKind::Cancel
                    };
                    order.pending = Pending::None;
                    order.sent_at = ts;
                    out.commands.push(VenueCommand { kind, ..place_command(order, &asset) });
                    out.flag(Flag::Retry);
                }
                Pending::None
                    if timeout > 0
                        && !order.acked
                        && !order.timed_out
                        && matches!(stage, Stage::EntryRequested | Stage::ExitRequested)
                        && ts.saturating_sub(order.sent_at) >= timeout =>
                {
                    order.timed_out = true;
                    let waited = ts.saturating_sub(order.sent_at);
                    let e = self.emit(&mut out, EventType::OrderTimedOut, slot_id, Cause::Tick(ts), ts);
                    e.client_order_id = Some(coid.clone());
                    e.reason = Some(format!("no ack after {waited} ms").into());
                    let cause = Cause::Event(e.seq);
                    self.request_cancel(slot_id, &coid, Input::Timeout, cause, (None, None), ts, &mut out);
                    out.details.push(("waitedMs", waited.to_string().into()));
                }
                _ => continue,
            }
            out.details.push(("clientOrderId", coid.into()));
            outs.push(self.finish(out, slot_id));
        }
        self.retry_orphan_closes(ts, &mut outs);
        outs
    }

    /// Halts trading, cancels every working order and closes every open
    /// position with a reduce-only market order. Slots whose order is being
    /// cancelled are closed as soon as the venue confirms the cancel.
    pub fn kill_switch(&mut self, ts: f64) -> Outcome {
        let ts = match (super::input::Guard { code: Code::InvalidEvent }).ts("ts", ts) {
            Ok(t) => t,
            Err(bad) => return Kernel::invalid(bad),
        };
        self.s.control.mode = Mode::Halted;
        self.s.control.kill_switch_at = Some(ts);
        let mut out = Outcome::new(true, Code::KillSwitch);
        for slot_id in 0..self.s.config.max_slots {
            let slot = &mut self.s.slots[slot_id as usize];
            let stage = slot.stage;
            let Some(t) = slot.trade.as_mut() else { continue };
            if stage == Stage::Open {
                if t.size.is_positive() {
                    t.flatten_pending = true;
                    self.flatten_if_pending(slot_id, Cause::KillSwitch(ts), ts, &mut out);
                }
                continue;
            }
            t.flatten_pending = true;
            if let Some(coid) = t.working_order.clone() {
                self.request_cancel(
                    slot_id,
                    &coid,
                    Input::KillSwitch,
                    Cause::KillSwitch(ts),
                    (None, None),
                    ts,
                    &mut out,
                );
            }
        }
        self.flatten_orphans(ts, &mut out);
        let cancels = out.commands.iter().filter(|c| c.kind == CommandKind::Cancel).count();
        let closes = out.commands.iter().filter(|c| c.kind == CommandKind::Place).count();
        out.details.push(("cancels", cancels.to_string().into()));
        out.details.push(("closes", closes.to_string().into()));
        out
    }
}
