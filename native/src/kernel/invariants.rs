//! What must hold after every input, whatever the input was. Checked by the
//! property tests and the fuzz harness.

use super::fixed::Fixed;
use super::model::Trade;
use super::stage::Stage;
use super::types::Role;
use super::Kernel;

impl Kernel {
    pub fn check_invariants(&self) -> Result<(), String> {
        for slot in &self.s.slots {
            match (&slot.trade, slot.stage) {
                (_, Stage::Closed) => return Err(format!("slot {} left CLOSED", slot.id)),
                (None, s) if s != Stage::Idle => return Err(format!("slot {} is {s:?} without a trade", slot.id)),
                (Some(_), Stage::Idle) => return Err(format!("slot {} is IDLE with a trade", slot.id)),
                (Some(t), _) => {
                    if t.size.is_negative() || t.size > t.entry_filled {
                        return Err(format!("slot {}: size {} outside [0, {}]", slot.id, t.size, t.entry_filled));
                    }
                    self.check_entry_fills(slot.id, t)?;
                    // Liveness: a slot waiting on an order has one the venue can still answer; an OPEN one
                    // waits on none.
                    let working = t.working_order.as_ref().map(|c| self.s.book.orders.get(c).map(|o| o.is_terminal()));
                    match (slot.stage, working) {
                        (Stage::Open, None) => {}
                        (Stage::Open, Some(_)) => return Err(format!("slot {} is OPEN with a working order", slot.id)),
                        (_, Some(Some(false))) => {}
                        (s, w) => return Err(format!("slot {} is {s:?} with no live working order ({w:?})", slot.id)),
                    }
                }
                (None, _) => {}
            }
            if self.ix.free.contains(slot.id) != slot.stage.is_free() {
                return Err(format!("slot {}: free index disagrees with stage", slot.id));
            }
        }
        let mut unrealized = super::fixed::Fixed::ZERO;
        for t in self.s.slots.iter().filter_map(|s| s.trade.as_ref()) {
            unrealized = unrealized.saturating_add(t.unrealized(self.s.marks.get(&t.asset).copied()));
        }
        for (id, o) in &self.s.orphans {
            let t = &o.trade;
            if !t.size.is_positive() || t.size > t.entry_filled {
                return Err(format!("orphan {id}: size {} outside (0, {}]", t.size, t.entry_filled));
            }
            if self.ix.trades.contains_key(id) || self.s.book.retired.contains_key(id) {
                return Err(format!("orphan {id} is also held by a slot or retired"));
            }
            unrealized = unrealized.saturating_add(t.unrealized(self.s.marks.get(&t.asset).copied()));
        }
        let a = self.account();
        if a.unrealized_pnl != unrealized {
            return Err(format!("unrealized {} != Σ slots and orphan positions {}", a.unrealized_pnl, unrealized));
        }
        let l = &self.s.ledgers;
        let capital = l
            .seed_capital
            .checked_add(l.realized_pnl)
            .and_then(|c| c.checked_sub(l.fees_paid))
            .and_then(|c| c.checked_add(l.funding_net))
            .map_err(|e| e.to_string())?;
        if a.capital != capital || a.equity != capital.saturating_add(a.unrealized_pnl) {
            return Err(format!("equity {} != {} + unrealized {}", a.equity, capital, a.unrealized_pnl));
        }
        Ok(())
    }

    /// A held trade's filled entry size is what its entry orders filled; a
    /// trade adopted from a venue's position report has none, and holds what
    /// the venue reported. (Its size is Σ its signed fills with exits beyond the position
    /// excepted, which only a history shows: the fuzz harness checks that.)
    fn check_entry_fills(&self, slot_id: u32, t: &Trade) -> Result<(), String> {
        let mut entered = Fixed::ZERO;
        let mut has_entry = false;
        for coid in &t.orders {
            let Some(o) = self.s.book.orders.get(coid) else {
                return Err(format!("slot {slot_id}: order {coid} of a held trade is not in the book"));
            };
            if o.role == Role::Entry {
                has_entry = true;
                entered = entered.checked_add(o.filled).map_err(|e| e.to_string())?;
            }
        }
        if has_entry && entered != t.entry_filled {
            return Err(format!(
                "slot {slot_id}: filled entry {} but its entry orders filled {entered}",
                t.entry_filled
            ));
        }
        Ok(())
    }
}
