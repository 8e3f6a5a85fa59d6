//! The two ledgers. K is what the kernel computes from fills, predicted
//! fees and funding; E is what the exchange reports. E rules when present;
//! the kernel says how far apart they are and why.

use super::fixed::{Fixed, FixedError};
use super::types::ReconcileStatus;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeLedger {
    pub wallet_balance: Fixed,
    pub available_margin: Option<Fixed>,
    pub used_margin: Option<Fixed>,
    pub maint_margin: Option<Fixed>,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledgers {
    pub seed_capital: Fixed,
    /// Gross of fees: Σ closed qty × (exit − entry) × (±1 by side).
    pub realized_pnl: Fixed,
    pub fees_paid: Fixed,
    /// Positive when funding was received.
    pub funding_net: Fixed,
    pub exchange: Option<ExchangeLedger>,
    /// Fees the exchange settled (FILL_SETTLED), and how far they were from
    /// the model's prediction for the same fills.
    pub settled_fees: Fixed,
    pub settled_fee_error: Fixed,
    pub settled_fills: u64,
    pub settled_realized_pnl: Fixed,
}

/// |delta| at or below this is agreement (a cent, or 1 bp of capital).
const OK_ABS: Fixed = Fixed::from_raw(1_000_000);
const OK_BP: Fixed = Fixed::from_raw(10_000);
/// |delta| up to 1 % of capital is drift; beyond is a mismatch.
const DRIFT_PCT: Fixed = Fixed::from_raw(1_000_000);

#[derive(Clone, Debug, PartialEq)]
pub struct Reconciliation {
    pub status: ReconcileStatus,
    pub delta: Fixed,
    pub explanation: String,
}

impl Ledgers {
    /// K capital: seed + realized − fees + funding.
    pub fn capital(&self) -> Result<Fixed, FixedError> {
        self.seed_capital.checked_add(self.realized_pnl)?.checked_sub(self.fees_paid)?.checked_add(self.funding_net)
    }

    /// E against K, in one sentence.
    pub fn reconcile(&self) -> Reconciliation {
        let capital = self.capital().unwrap_or(Fixed::ZERO);
        let Some(e) = &self.exchange else {
            return Reconciliation {
                status: ReconcileStatus::Ok,
                delta: Fixed::ZERO,
                explanation: "No exchange ledger reported yet; the kernel's K ledger rules.".into(),
            };
        };
        let delta = e.wallet_balance.checked_sub(capital).unwrap_or(Fixed::ZERO);
        let ok_band = OK_ABS.max(capital.abs().mul_saturating(OK_BP));
        let drift_band = capital.abs().mul_saturating(DRIFT_PCT);
        let status = if delta.abs() <= ok_band {
            ReconcileStatus::Ok
        } else if delta.abs() <= drift_band {
            ReconcileStatus::Drift
        } else {
            ReconcileStatus::Mismatch
        };
        let fee_part = if self.settled_fills > 0 && !self.settled_fee_error.is_zero() {
            format!(
                "; settled fees differ from the model by {} over {} fills",
                self.settled_fee_error, self.settled_fills
            )
        } else {
            String::new()
        };
        let explanation = match status {
            ReconcileStatus::Ok => format!(
                "Exchange wallet {} agrees with K capital {} (delta {}){}.",
                e.wallet_balance, capital, delta, fee_part
            ),
            ReconcileStatus::Drift => format!(
                "Exchange wallet {} drifts from K capital {} by {}, within 1% (fee or funding timing){}.",
                e.wallet_balance, capital, delta, fee_part
            ),
            ReconcileStatus::Mismatch => format!(
                "Exchange wallet {} differs from K capital {} by {}, over 1%: fills, fees or transfers are missing on one side{}.",
                e.wallet_balance, capital, delta, fee_part
            ),
        };
        Reconciliation { status, delta, explanation }
    }
}
