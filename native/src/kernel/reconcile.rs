//! `reconcile`: after a restart, compare what the kernel holds with what the
//! venue reports. Fail-closed: every difference is its own diagnostic, a
//! missing position report is never read as flat, nothing is guessed, and
//! any difference puts the kernel in REDUCING until a person looks.

use super::fixed::Fixed;
use super::input::{parse_reconcile, Position, ReconcileRaw};
use super::model::{ExitLegs, Pending, Trade};
use super::outcome::{Cause, Diagnostic, Outcome};
use super::stage::{rule, Input, Next, Stage};
use super::types::{Code, EventType, Id, Mode, Side};
use super::Kernel;
use std::collections::{BTreeMap, HashMap, HashSet};

impl Kernel {
    pub fn reconcile(&mut self, raw: &ReconcileRaw) -> Outcome {
        let r = match parse_reconcile(raw) {
            Ok(r) => r,
            Err(bad) => return Kernel::invalid(bad),
        };
        let ts = r.ts;
        let mut out = Outcome::new(true, Code::Ok);
        let mut diags = Vec::new();
        let venue: HashMap<&Id, &super::input::VenueOrder> =
            r.open_orders.iter().map(|o| (&o.client_order_id, o)).collect();
        let mut matched: HashSet<Id> = HashSet::new();

        for slot_id in 0..self.s.config.max_slots {
            let slot = &self.s.slots[slot_id as usize];
            let Some(coid) = slot.trade.as_ref().and_then(|t| t.working_order.clone()) else { continue };
            let stage = slot.stage;
            let order = &self.s.book.orders[&*coid];
            let diag = |code, message: String| Diagnostic {
                slot_id: Some(slot_id),
                client_order_id: Some(coid.clone()),
                ..Diagnostic::new(code, message)
            };
            let Some(vo) = venue.get(&coid) else {
                if !matches!(order.pending, Pending::PlaceAt(_)) {
                    diags.push(diag(
                        Code::OrderNotAtVenue,
                        format!("{coid} is working in the kernel ({}) but not open at the venue: it may have filled or been cancelled; not guessed", stage.as_str()),
                    ));
                }
                continue;
            };
            matched.insert(coid.clone());
            if let Some(vf) = vo.filled_size {
                if vf != order.filled {
                    diags.push(diag(
                        Code::FillMissing,
                        format!("venue reports {vf} filled on {coid}, the kernel counted {}; fills count only from fill events", order.filled),
                    ));
                }
            }
            if !order.acked {
                // The venue confirms the order lives: that is its ack.
                let Some(rl) = rule(stage, Input::Ack) else { continue };
                let o = self.s.book.orders.get_mut(&coid).expect("working orders are in the book");
                o.record_ack(vo.venue_order_id.clone());
                let venue_order_id = o.venue_order_id.clone();
                let mut e = self.event(EventType::OrderPlaced, slot_id, Cause::Reconcile(ts), ts);
                e.client_order_id = Some(coid.clone());
                e.venue_order_id = venue_order_id;
                e.reason = Some("adopted: open at the venue after a restart".into());
                out.events.push(e);
                if let Next::To(next) = rl.next {
                    self.set_stage(slot_id, next, Input::Ack, (None, None), &mut out);
                }
                diags.push(diag(Code::OrderAdopted, format!("{coid} is open at the venue: acknowledged")));
            }
        }
        // An orphan's close order is the kernel's too: expected open while live, and acknowledged by being so.
        let s = &mut self.s;
        for orphan in s.orphans.values() {
            let t = &orphan.trade;
            let Some(coid) = t.working_order.as_ref() else { continue };
            let Some(order) = s.book.orders.get_mut(coid).filter(|o| !o.is_terminal()) else { continue };
            if let Some(vo) = venue.get(coid) {
                matched.insert(coid.clone());
                if order.acked {
                    continue;
                }
                order.record_ack(vo.venue_order_id.clone());
                let mut e =
                    super::new_event(&mut s.seq, EventType::OrderPlaced, orphan.home_slot, t, Cause::Reconcile(ts), ts);
                e.client_order_id = Some(coid.clone());
                e.venue_order_id = order.venue_order_id.clone();
                e.reason = Some("adopted: open at the venue after a restart".into());
                out.events.push(e);
                diags.push(Diagnostic {
                    slot_id: Some(orphan.home_slot),
                    client_order_id: Some(coid.clone()),
                    ..Diagnostic::new(Code::OrderAdopted, format!("{coid} is open at the venue: acknowledged"))
                });
            } else if !matches!(order.pending, Pending::PlaceAt(_)) {
                diags.push(Diagnostic {
                    slot_id: Some(orphan.home_slot),
                    client_order_id: Some(coid.clone()),
                    ..Diagnostic::new(
                        Code::OrderNotAtVenue,
                        format!("{coid} closes an orphan position but is not open at the venue: it may have filled or been cancelled; not guessed"),
                    )
                });
            }
        }
        for vo in &r.open_orders {
            if matched.contains(&vo.client_order_id) {
                continue;
            }
            let known = self.s.book.orders.contains_key(&vo.client_order_id);
            let message = if known {
                format!("venue has {} open, which the kernel considers finished", vo.client_order_id)
            } else {
                format!("venue has {} open, which this kernel never sent", vo.client_order_id)
            };
            diags.push(Diagnostic {
                client_order_id: Some(vo.client_order_id.clone()),
                ..Diagnostic::new(if known { Code::OrderNotAtVenue } else { Code::UnknownOrder }, message)
            });
        }
        match &r.positions {
            None => diags.push(Diagnostic::new(
                Code::ReconcileIncomplete,
                "no position report: positions are not read as flat".into(),
            )),
            Some(list) => self.reconcile_positions(list, ts, &mut out, &mut diags),
        }
        // Adoptions act on venue facts; anything else is a difference.
        let is_difference = |d: &Diagnostic| !matches!(d.code, Code::OrderAdopted | Code::PositionAdopted);
        let failed = diags.iter().any(is_difference);
        if failed {
            out.accepted = false;
            let incomplete = r.positions.is_none();
            out.escalate(if incomplete { Code::ReconcileIncomplete } else { Code::ReconcileMismatch });
            if self.s.control.mode == Mode::Active {
                self.s.control.mode = Mode::Reducing;
                out.details.push(("mode", "REDUCING".into()));
            }
        }
        out.details.push(("differences", diags.iter().filter(|d| is_difference(d)).count().to_string().into()));
        out.diagnostics = diags;
        out
    }

    fn reconcile_positions(&mut self, list: &[Position], ts: i64, out: &mut Outcome, diags: &mut Vec<Diagnostic>) {
        let half_lot = Fixed::from_raw(self.s.config.fees.lot_step.raw() / 2);
        let mut held: BTreeMap<(Id, Side), Fixed> = BTreeMap::new();
        // Orphan positions are exposure the kernel holds outside the slots:
        // leaving them out would read the venue's position as unknown and adopt it twice.
        let slot_trades = self.s.slots.iter().filter_map(|s| s.trade.as_ref());
        let orphan_trades = self.s.orphans.values().map(|o| &o.trade);
        for t in slot_trades.chain(orphan_trades).filter(|t| t.size.is_positive()) {
            let e = held.entry((t.asset.clone(), t.side)).or_default();
            *e = e.saturating_add(t.size);
        }
        let mut reported: BTreeMap<(Id, Side), (Fixed, Option<Fixed>)> = BTreeMap::new();
        for p in list.iter().filter(|p| p.size.is_positive()) {
            let e = reported.entry((p.asset.clone(), p.side)).or_insert((Fixed::ZERO, p.entry_price));
            e.0 = e.0.saturating_add(p.size);
        }
        for ((asset, side), (size, entry)) in &reported {
            let diag =
                |code, message: String| Diagnostic { asset: Some(asset.clone()), ..Diagnostic::new(code, message) };
            let working = self.working_entry(asset, *side);
            match (held.get(&(asset.clone(), *side)), working) {
                (Some(k), _) if k.checked_sub(*size).map_or(true, |d| d.abs() > half_lot) => diags.push(diag(
                    Code::PositionMismatch,
                    format!("venue holds {size} {asset} {}, the kernel {k}", side.as_str()),
                )),
                (Some(_), _) => {}
                // An entry of the kernel's working on it may have filled it: adopting would count it twice.
                (None, Some((slot_id, coid))) => diags.push(Diagnostic {
                    slot_id: Some(slot_id),
                    client_order_id: Some(coid.clone()),
                    ..diag(
                        Code::PositionUnknown,
                        format!(
                            "venue holds {size} {asset} {} that no slot holds, and entry {coid} in slot {slot_id} may have filled it: not adopted, not guessed",
                            side.as_str()
                        ),
                    )
                }),
                (None, None) => match (entry, self.ix.free.first()) {
                    (Some(price), Some(slot_id)) => {
                        self.adopt(slot_id, asset, *side, *size, *price, ts, out);
                        diags.push(Diagnostic {
                            slot_id: Some(slot_id),
                            ..diag(
                                Code::PositionAdopted,
                                format!("venue holds {size} {asset} {} at {price}: adopted into slot {slot_id}", side.as_str()),
                            )
                        });
                    }
                    _ => diags.push(diag(
                        Code::PositionUnknown,
                        format!(
                            "venue holds {size} {asset} {} that no slot holds, and it cannot be adopted (no entry price or no free slot)",
                            side.as_str()
                        ),
                    )),
                },
            }
        }
        for ((asset, side), k) in &held {
            if !reported.contains_key(&(asset.clone(), *side)) {
                diags.push(Diagnostic {
                    asset: Some(asset.clone()),
                    ..Diagnostic::new(
                        Code::PositionNotAtVenue,
                        format!("the kernel holds {k} {asset} {} that the venue does not report", side.as_str()),
                    )
                });
            }
        }
    }

    /// A slot whose entry on `asset` and `side` is working with nothing filled yet, and that entry's order.
    fn working_entry(&self, asset: &Id, side: Side) -> Option<(u32, Id)> {
        self.s.slots.iter().enumerate().find_map(|(slot_id, slot)| {
            let t = slot.trade.as_ref()?;
            let coid = t.working_order.as_ref()?;
            (slot.stage.is_entry() && t.asset == *asset && t.side == side && !t.size.is_positive())
                .then(|| (slot_id as u32, coid.clone()))
        })
    }

    /// Puts a venue-reported position into a free slot as an OPEN trade.
    #[allow(clippy::too_many_arguments)]
    fn adopt(&mut self, slot_id: u32, asset: &Id, side: Side, size: Fixed, price: Fixed, ts: i64, out: &mut Outcome) {
        let Some(r) = rule(Stage::Idle, Input::Adopt) else { return };
        self.s.trade_counter += 1;
        let trade_id = super::types::compose_id(&[&self.s.config.id_prefix, "R"], self.s.trade_counter, "");
        let trade = Trade {
            trade_id: trade_id.clone(),
            correlation_id: trade_id,
            asset: asset.clone(),
            side,
            leverage: Fixed::ONE,
            exit_leg_ratios: ExitLegs::Whole,
            active_leg: 0,
            take_profit: None,
            stop_loss: None,
            orders: Vec::new(),
            working_order: None,
            entry_filled: size,
            entry_notional: size.checked_mul(price).unwrap_or(Fixed::ZERO),
            avg_entry: price,
            size,
            realized_pnl: Fixed::ZERO,
            fees: Fixed::ZERO,
            opened_at: Some(ts),
            close_reason: None,
            exit_count: 0,
            flatten_pending: false,
            protect_pending: None,
            monitoring_closed: false,
            protect_blocked: false,
            last_tick_ts: None,
            exit_rejections: 0,
            exit_retry_at: None,
            lot_step: None,
        };
        self.s.slots[slot_id as usize].trade = Some(Box::new(trade));
        self.index_trade(slot_id);
        let mut e = self.event(EventType::TradeOpened, slot_id, Cause::Reconcile(ts), ts);
        e.size = Some(size);
        e.price = Some(price);
        e.avg_price = Some(price);
        e.filled_size = Some(size);
        e.reason = Some("adopted from the venue's position report".into());
        out.events.push(e);
        if let Next::To(next) = r.next {
            self.set_stage(slot_id, next, Input::Adopt, (None, None), out);
        }
    }
}
