//! The read side (slots, account, control) and the small inputs that
//! answer with it: account events, fee calibration, control changes.

use super::account::ExchangeLedger;
use super::account::Reconciliation;
use super::fees::CalibrationReport;
use super::fixed::{Fixed, FixedError};
use super::input::{
    parse_account_event, parse_calibration, parse_control, AccountEvent, AccountEventRaw, CalibrationRaw, ControlRaw,
};
use super::model::Pending;
use super::seen::SeenKind;
use super::stage::Stage;
use super::types::{CloseReason, Code, Id, Mode, Side, Verbosity};
use super::Kernel;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SlotView {
    pub slot_id: u32,
    pub stage: Stage,
    pub free: bool,
    pub trade_id: Option<Id>,
    pub correlation_id: Option<Id>,
    pub asset: Option<Id>,
    pub side: Option<Side>,
    pub size: Fixed,
    pub initial_size: Fixed,
    pub entry_price: Fixed,
    pub mark_price: Option<Fixed>,
    pub unrealized_pnl: Fixed,
    pub realized_pnl: Fixed,
    pub fees: Fixed,
    pub leverage: Fixed,
    pub exit_leg_ratios: Vec<Fixed>,
    pub active_leg_index: u32,
    pub working_order_id: Option<Id>,
    pub entry_order_id: Option<Id>,
    pub take_profit: Option<Fixed>,
    pub stop_loss: Option<Fixed>,
    pub opened_at: Option<i64>,
    pub close_reason: Option<CloseReason>,
    pub flatten_pending: bool,
    pub retry_at: Option<i64>,
    pub last_trade_id: Option<Id>,
    pub last_close_reason: Option<CloseReason>,
    pub last_realized_pnl: Option<Fixed>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccountView {
    pub seed_capital: Fixed,
    pub capital: Fixed,
    pub equity: Fixed,
    pub realized_pnl: Fixed,
    pub unrealized_pnl: Fixed,
    pub fees_paid: Fixed,
    pub funding_net: Fixed,
    /// Margin held by open trades by the K ledger: Σ size × entry / leverage.
    pub margin_k: Fixed,
    /// Slot trades and orphan positions with exposure.
    pub open_positions: u32,
    /// Exposure revived by late entry fills with no free slot (see orphans.rs).
    pub orphan_positions: u32,
    pub exchange: Option<ExchangeLedger>,
    pub available_capital: Fixed,
    pub reconcile: Reconciliation,
    pub settled_fees: Fixed,
    pub settled_fills: u64,
    pub event_seq: u64,
    pub code: Code,
    pub details: Vec<(&'static str, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ControlView {
    pub mode: Mode,
    pub verbosity: Verbosity,
    pub journal_transitions: bool,
    pub kill_switch_at: Option<i64>,
    pub code: Code,
    pub details: Vec<(&'static str, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationView {
    pub report: Option<CalibrationReport>,
    pub calibration_ratio: Fixed,
    pub samples: u64,
    pub code: Code,
    pub details: Vec<(&'static str, String)>,
}

fn invalid_details(i: super::input::Invalid) -> (Code, Vec<(&'static str, String)>) {
    (i.code, vec![("field", i.field), ("value", i.value), ("reason", i.reason.to_string())])
}

impl Kernel {
    pub fn slot(&self, slot_id: u32) -> Option<SlotView> {
        let slot = self.s.slots.get(slot_id as usize)?;
        let t = slot.trade.as_ref();
        let mark = t.and_then(|t| self.s.marks.get(&t.asset).copied());
        let working = t.and_then(|t| t.working_order.as_ref()).and_then(|c| self.s.book.orders.get(c));
        Some(SlotView {
            slot_id,
            stage: slot.stage,
            free: slot.stage.is_free(),
            trade_id: t.map(|t| t.trade_id.clone()),
            correlation_id: t.map(|t| t.correlation_id.clone()),
            asset: t.map(|t| t.asset.clone()),
            side: t.map(|t| t.side),
            size: t.map_or(Fixed::ZERO, |t| t.size),
            initial_size: t.map_or(Fixed::ZERO, |t| t.entry_filled),
            entry_price: t.map_or(Fixed::ZERO, |t| t.avg_entry),
            mark_price: mark,
            unrealized_pnl: t.map_or(Fixed::ZERO, |t| t.unrealized(mark)),
            realized_pnl: t.map_or(Fixed::ZERO, |t| t.realized_pnl),
            fees: t.map_or(Fixed::ZERO, |t| t.fees),
            leverage: t.map_or(Fixed::ZERO, |t| t.leverage),
            exit_leg_ratios: t.map_or_else(Vec::new, |t| t.exit_leg_ratios.to_vec()),
            active_leg_index: t.map_or(0, |t| t.active_leg as u32),
            working_order_id: t.and_then(|t| t.working_order.clone()),
            entry_order_id: t.and_then(|t| t.orders.first().cloned()),
            take_profit: t.and_then(|t| t.take_profit),
            stop_loss: t.and_then(|t| t.stop_loss),
            opened_at: t.and_then(|t| t.opened_at),
            close_reason: t.and_then(|t| t.close_reason),
            flatten_pending: t.is_some_and(|t| t.flatten_pending),
            retry_at: working.and_then(|o| match o.pending {
                Pending::PlaceAt(at) | Pending::CancelAt(at) => Some(at),
                Pending::None => None,
            }),
            last_trade_id: slot.last.as_ref().map(|l| l.trade_id.clone()),
            last_close_reason: slot.last.as_ref().and_then(|l| l.close_reason),
            last_realized_pnl: slot.last.as_ref().map(|l| l.realized_pnl),
        })
    }

    pub fn slots(&self) -> Vec<SlotView> {
        (0..self.s.config.max_slots).filter_map(|i| self.slot(i)).collect()
    }

    pub fn account(&self) -> AccountView {
        self.account_with(Code::Ok, Vec::new())
    }

    fn account_with(&self, code: Code, details: Vec<(&'static str, String)>) -> AccountView {
        let l = &self.s.ledgers;
        let mut unrealized = Fixed::ZERO;
        let mut margin_k = Fixed::ZERO;
        let mut open_positions = 0;
        for t in self.s.slots.iter().filter_map(|s| s.trade.as_ref()).filter(|t| t.size.is_positive()) {
            unrealized = unrealized.saturating_add(t.unrealized(self.s.marks.get(&t.asset).copied()));
            margin_k = margin_k.saturating_add(t.margin());
            open_positions += 1;
        }
        let (orphan_unrealized, orphan_margin, orphan_positions) = self.orphan_totals();
        unrealized = unrealized.saturating_add(orphan_unrealized);
        margin_k = margin_k.saturating_add(orphan_margin);
        open_positions += orphan_positions;
        let capital = l.capital().unwrap_or(Fixed::ZERO);
        let equity = capital.saturating_add(unrealized);
        let available_capital = match l.exchange.as_ref().and_then(|e| e.available_margin) {
            Some(available) => available,
            None => equity.saturating_add(margin_k.negated()),
        };
        AccountView {
            seed_capital: l.seed_capital,
            capital,
            equity,
            realized_pnl: l.realized_pnl,
            unrealized_pnl: unrealized,
            fees_paid: l.fees_paid,
            funding_net: l.funding_net,
            margin_k,
            open_positions,
            orphan_positions,
            exchange: l.exchange.clone(),
            available_capital,
            reconcile: l.reconcile(),
            settled_fees: l.settled_fees,
            settled_fills: l.settled_fills,
            event_seq: self.s.seq,
            code,
            details,
        }
    }

    /// FILL_SETTLED, ACCOUNT_UPDATE and FUNDING_FEE: the E ledger, plus
    /// funding into K. Answers with the account as it stands after.
    pub fn on_account_event(&mut self, raw: &AccountEventRaw) -> AccountView {
        let (id, event, ts) = match parse_account_event(raw) {
            Ok(v) => v,
            Err(bad) => {
                let (code, details) = invalid_details(bad);
                return self.account_with(code, details);
            }
        };
        let fresh = match &id {
            Some(id) => match self.s.seen.check(SeenKind::Account, id) {
                None => return self.account_with(Code::DuplicateEvent, vec![("eventId", id.to_string())]),
                fresh => fresh,
            },
            None => None,
        };
        let mut next = self.s.ledgers.clone();
        let applied: Result<(), FixedError> = (|| {
            match event {
                AccountEvent::FillSettled { fee, realized_pnl, fill } => {
                    next.settled_fees = next.settled_fees.checked_add(fee)?;
                    if let Some(p) = realized_pnl {
                        next.settled_realized_pnl = next.settled_realized_pnl.checked_add(p)?;
                    }
                    if let Some((price, qty, liquidity)) = fill {
                        let predicted = self.s.config.fees.predict(price, qty, liquidity)?;
                        next.settled_fee_error = next.settled_fee_error.checked_add(fee.checked_sub(predicted)?)?;
                    }
                    next.settled_fills += 1;
                }
                AccountEvent::AccountUpdate { wallet, available, used, maint } => {
                    let prev = next.exchange.take().unwrap_or_default();
                    next.exchange = Some(ExchangeLedger {
                        wallet_balance: wallet,
                        available_margin: available.or(prev.available_margin),
                        used_margin: used.or(prev.used_margin),
                        maint_margin: maint.or(prev.maint_margin),
                        updated_at: ts,
                    });
                }
                AccountEvent::FundingFee { amount } => {
                    next.funding_net = next.funding_net.checked_add(amount)?;
                }
            }
            next.capital()?;
            Ok(())
        })();
        if let Err(e) = applied {
            return self.account_with(Code::ArithmeticOverflow, vec![("reason", e.to_string())]);
        }
        self.s.ledgers = next;
        if let (Some(fresh), Some(id)) = (fresh, id) {
            self.s.seen.remember(fresh, &id);
        }
        self.account()
    }

    pub fn calibrate_fee(&mut self, raw: &CalibrationRaw) -> CalibrationView {
        let current = self.s.calibration;
        let refuse = |code, details| CalibrationView {
            report: None,
            calibration_ratio: current.ratio,
            samples: current.samples,
            code,
            details,
        };
        let (price, qty, actual, liquidity) = match parse_calibration(raw) {
            Ok(v) => v,
            Err(bad) => {
                let (code, details) = invalid_details(bad);
                return refuse(code, details);
            }
        };
        match current.observe(&self.s.config.fees, price, qty, actual, liquidity) {
            Ok((next, report)) => {
                self.s.calibration = next;
                CalibrationView {
                    report: Some(report),
                    calibration_ratio: next.ratio,
                    samples: next.samples,
                    code: Code::Ok,
                    details: Vec::new(),
                }
            }
            Err(e) => refuse(Code::ArithmeticOverflow, vec![("reason", e.to_string())]),
        }
    }

    pub fn control(&self) -> ControlView {
        let c = &self.s.control;
        ControlView {
            mode: c.mode,
            verbosity: c.verbosity,
            journal_transitions: c.journal_transitions,
            kill_switch_at: c.kill_switch_at,
            code: Code::Ok,
            details: Vec::new(),
        }
    }

    pub fn set_control(&mut self, raw: &ControlRaw) -> ControlView {
        let c = match parse_control(raw) {
            Ok(c) => c,
            Err(bad) => {
                let (code, details) = invalid_details(bad);
                return ControlView { code, details, ..self.control() };
            }
        };
        let control = &mut self.s.control;
        control.mode = c.mode;
        if let Some(v) = c.verbosity {
            control.verbosity = v;
        }
        if let Some(j) = c.journal_transitions {
            control.journal_transitions = j;
        }
        if c.mode != Mode::Halted {
            control.kill_switch_at = None;
        }
        self.control()
    }

    /// Last mark per asset.
    pub fn marks(&self) -> Vec<(Id, Fixed)> {
        self.s.marks.iter().map(|(a, p)| (a.clone(), *p)).collect()
    }
}
