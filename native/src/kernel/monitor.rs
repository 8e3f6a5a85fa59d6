//! Marks (monitoring ticks, take-profit, stop-loss), the clock tick
//! (rate-limit retries, ack timeouts) and the kill switch.

use super::input::parse_mark;
use super::intents::{retry_command, ExitSize};
use super::model::Pending;
use super::outcome::{Cause, Outcome};
use super::stage::{Input, Stage};
use super::types::{CloseReason, Code, CommandKind, EventType, Flag, Mode, OrderType, Role, Side};
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
        // The venue rejected its last exit: a later mark fires it again once the backoff is over.
        if t.exit_waits(ts) {
            return None;
        }
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
    /// time has come, and cancels orders unacknowledged past their ack
    /// timeout (`ackTimeoutMs`, doubled for each earlier timeout of the order).
    pub fn tick(&mut self, ts: f64) -> Vec<Outcome> {
        let ts = match (super::input::Guard { code: Code::InvalidEvent }).ts("ts", ts) {
            Ok(t) => t,
            Err(bad) => return vec![Kernel::invalid(bad)],
        };
        let timeout = self.s.config.ack_timeout_ms;
        // An entry a rate limit held back is new exposure: it goes out only while trading is ACTIVE. In
        // REDUCING or HALTED it waits (a CANCEL ends it on the spot).
        let entries_go = self.s.control.mode == Mode::Active;
        let mut outs = Vec::new();
        for slot_id in 0..self.s.config.max_slots {
            let slot = &self.s.slots[slot_id as usize];
            let Some(t) = &slot.trade else { continue };
            let Some(coid) = t.working_order.clone() else {
                // A kill-switch close the venue rejected goes again once its backoff is over.
                if t.exit_retry_at.is_some_and(|at| ts >= at) && (t.flatten_pending || t.protect_pending.is_some()) {
                    let mut out = self.spares.take(true, Code::Ok);
                    self.flatten_if_pending(slot_id, Cause::Tick(ts), ts, &mut out);
                    // Nothing sent and nothing to say; a TP/SL close held in HALTED is said (once, here).
                    if out.commands.is_empty() && out.code == Code::Ok {
                        self.recycle(out);
                    } else {
                        if !out.commands.is_empty() {
                            out.flag(Flag::Retry);
                        }
                        outs.push(self.finish(out, slot_id));
                    }
                }
                continue;
            };
            let asset = t.asset.clone();
            let stage = slot.stage;
            let again = if t.flatten_pending { Input::KillSwitch } else { Input::Protect };
            let Some(order) = self.s.book.orders.get_mut(&coid) else { continue };
            let mut out = self.spares.take(true, Code::Ok);
            let entry_held = matches!(order.pending, Pending::PlaceAt(_)) && order.role == Role::Entry && !entries_go;
            let overdue = if matches!(stage, Stage::EntryRequested | Stage::ExitRequested) {
                order.ack_overdue(ts, timeout)
            } else {
                None
            };
            match (order.pending, overdue) {
                // A cancel the venue refused (the kill switch's, a TP/SL's) whose backoff is over: asked again as a
                // new request, so the slot is CANCELING and the venue's next answer, a refusal too, has its rule.
                (Pending::CancelAt(at), _) if ts >= at && !stage.is_canceling() => {
                    order.pending = Pending::None;
                    self.request_cancel(slot_id, &coid, again, Cause::Tick(ts), (None, None), ts, &mut out);
                }
                (Pending::PlaceAt(at) | Pending::CancelAt(at), _) if ts >= at && !entry_held => {
                    out.commands.push(retry_command(order, &asset, ts));
                    out.flag(Flag::Retry);
                }
                (Pending::None, Some(waited)) => {
                    order.time_out();
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
        self.orphan_clock(ts, &mut outs);
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
                // A market close of everything held is already what the switch would send (an earlier switch's,
                // a TP/SL's): cancelling it would only delay the close. If the venue refuses it, the flag re-sends.
                let size = t.size;
                let closes_all = stage.is_exit()
                    && !stage.is_canceling()
                    && self.s.book.orders.get(&coid).is_some_and(|o| {
                        o.order_type == OrderType::Market && o.size.checked_sub(o.filled).is_ok_and(|left| left >= size)
                    });
                if closes_all {
                    continue;
                }
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

#[cfg(test)]
mod tests {
    use crate::kernel::input::{IntentRaw, VenueEventRaw};
    use crate::kernel::outcome::Outcome;
    use crate::kernel::stage::Stage;
    use crate::kernel::tests::{enter, ev, fill, kernel, stage};
    use crate::kernel::types::{CommandKind, Flag};
    use crate::kernel::Kernel;

    /// `event` as the venue sends it at `ts`.
    fn at(ts: f64, event: VenueEventRaw) -> VenueEventRaw {
        VenueEventRaw { ts, ..event }
    }

    /// A long of 1 at 100 with a take-profit at 110, filled; returns the kernel.
    fn open_with_take_profit() -> Kernel {
        let mut k = kernel(1);
        let entry = IntentRaw { take_profit: Some(110.0), ..enter("i1", "LONG", "MARKET", 1.0, 100.0) };
        assert!(k.submit_intent(&entry).accepted);
        assert!(k.on_venue_event(&ev("v1", "ACK", "T1-E1")).accepted);
        assert!(k.on_venue_event(&fill("v2", "FILL", "T1-E1", 100.0, 1.0)).accepted);
        assert_eq!(stage(&k, 0), Stage::Open);
        k
    }

    fn places(outs: &[Outcome]) -> Vec<String> {
        outs.iter()
            .flat_map(|o| o.commands.iter())
            .filter(|c| c.kind == CommandKind::Place)
            .map(|c| c.client_order_id.to_string())
            .collect()
    }

    /// A venue that keeps refusing a take-profit's exit gets it again after
    /// 1 s, 2 s, …, not on every mark; an accepted exit ends the backoff.
    #[test]
    fn a_rejected_take_profit_is_retried_after_a_backoff_not_on_every_mark() {
        let mut k = open_with_take_profit();
        assert_eq!(places(&k.mark_price("BTC/USDT", 111.0, 1_000.0)), ["T1-X1"]);
        let rejected = k.on_venue_event(&at(1_010.0, ev("v3", "REJECTED", "T1-X1")));
        assert!(rejected.commands.is_empty());
        assert!(rejected.details.iter().any(|(key, value)| *key == "exitRetryAt" && *value == "2010"));
        assert!(rejected.details.iter().any(|(key, value)| *key == "exitRetryInMs" && *value == "1000"));
        assert_eq!(stage(&k, 0), Stage::Open);
        for ts in [1_100.0, 1_500.0, 2_009.0] {
            assert!(places(&k.mark_price("BTC/USDT", 112.0, ts)).is_empty(), "mark at {ts}");
        }
        assert_eq!(places(&k.mark_price("BTC/USDT", 112.0, 2_010.0)), ["T1-X2"]);
        k.on_venue_event(&at(2_020.0, ev("v4", "REJECTED", "T1-X2")));
        assert!(places(&k.mark_price("BTC/USDT", 112.0, 4_019.0)).is_empty());
        assert_eq!(places(&k.mark_price("BTC/USDT", 112.0, 4_020.0)), ["T1-X3"]);
        k.on_venue_event(&at(4_030.0, ev("v5", "ACK", "T1-X3")));
        k.on_venue_event(&at(4_040.0, fill("v6", "FILL", "T1-X3", 100.0, 1.0)));
        assert_eq!(stage(&k, 0), Stage::Idle);
    }

    /// The kill switch's close, refused by the venue, goes again from the
    /// clock once its backoff is over; a snapshot keeps the backoff.
    #[test]
    fn a_rejected_kill_switch_close_is_retried_by_the_clock_after_its_backoff() {
        let mut k = open_with_take_profit();
        let kill = k.kill_switch(1_000.0);
        assert_eq!(places(&[kill]), ["T1-X1"]);
        let rejected = k.on_venue_event(&at(1_010.0, ev("v3", "REJECTED", "T1-X1")));
        assert!(rejected.commands.is_empty(), "not resent at once");
        let mut restored = Kernel::restore(&k.snapshot()).unwrap();
        for each in [&mut k, &mut restored] {
            assert!(places(&each.tick(2_009.0)).is_empty());
            let retry = each.tick(2_010.0);
            assert_eq!(places(&retry), ["T1-X2"]);
            assert!(retry[0].flags.contains(&Flag::Retry));
        }
    }
}
