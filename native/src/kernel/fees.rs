//! The venue's fee schedule and grid, the fee predicted at fill time, and
//! the calibration of that prediction against fees the exchange charged.

use super::fixed::{Fixed, FixedError};
use super::types::{CalibrationStatus, Liquidity, OrderType};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeModel {
    pub taker_rate: Fixed,
    pub maker_rate: Fixed,
    pub lot_step: Fixed,
    pub tick_size: Fixed,
    pub funding_interval_secs: i64,
}

impl Default for FeeModel {
    /// The schedule of CONTRACTS.md's example: 5 bp taker, 2 bp maker.
    fn default() -> Self {
        FeeModel {
            taker_rate: Fixed::from_raw(50_000),
            maker_rate: Fixed::from_raw(20_000),
            lot_step: Fixed::from_raw(100_000),
            tick_size: Fixed::from_raw(1_000_000),
            funding_interval_secs: 28_800,
        }
    }
}

impl FeeModel {
    /// Without a venue report, MARKET orders take liquidity, LIMIT orders make it.
    pub fn default_liquidity(order_type: OrderType) -> Liquidity {
        match order_type {
            OrderType::Market => Liquidity::Taker,
            OrderType::Limit => Liquidity::Maker,
        }
    }

    pub fn rate(&self, liquidity: Liquidity) -> Fixed {
        match liquidity {
            Liquidity::Taker => self.taker_rate,
            Liquidity::Maker => self.maker_rate,
        }
    }

    pub fn predict(&self, price: Fixed, qty: Fixed, liquidity: Liquidity) -> Result<Fixed, FixedError> {
        price.checked_mul(qty)?.checked_mul(self.rate(liquidity))
    }
}

/// The EMA of actual/expected fee ratios.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calibration {
    pub ratio: Fixed,
    pub samples: u64,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration { ratio: Fixed::ONE, samples: 0 }
    }
}

/// Weight of the newest sample in the EMA.
pub const CALIBRATION_ALPHA: Fixed = Fixed::from_raw(20_000_000);

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrationReport {
    pub expected_fee: Fixed,
    pub actual_fee: Fixed,
    pub ratio: Fixed,
    pub deviation_pct: Fixed,
    pub status: CalibrationStatus,
    pub calibration_ratio: Fixed,
    pub samples: u64,
}

impl Calibration {
    /// Compares one real fill's fee with the model's prediction. The report
    /// is a check, not a correction: predictions keep using the schedule.
    pub fn observe(
        &self,
        model: &FeeModel,
        price: Fixed,
        qty: Fixed,
        actual: Fixed,
        liquidity: Liquidity,
    ) -> Result<(Calibration, CalibrationReport), FixedError> {
        let expected = model.predict(price, qty, liquidity)?;
        let ratio = if expected.is_zero() {
            if actual.is_zero() {
                Fixed::ONE
            } else {
                return Err(FixedError::DivisionByZero);
            }
        } else {
            actual.checked_div(expected)?
        };
        let deviation_pct = ratio.checked_sub(Fixed::ONE)?.abs().checked_mul(Fixed::from_int(100)?)?;
        let status = if deviation_pct < Fixed::ONE {
            CalibrationStatus::Ok
        } else if deviation_pct < Fixed::from_int(5)? {
            CalibrationStatus::Warn
        } else {
            CalibrationStatus::Error
        };
        let ema = if self.samples == 0 {
            ratio
        } else {
            ratio
                .checked_mul(CALIBRATION_ALPHA)?
                .checked_add(self.ratio.checked_mul(Fixed::ONE.checked_sub(CALIBRATION_ALPHA)?)?)?
        };
        let next = Calibration { ratio: ema, samples: self.samples + 1 };
        let report = CalibrationReport {
            expected_fee: expected,
            actual_fee: actual,
            ratio,
            deviation_pct,
            status,
            calibration_ratio: ema,
            samples: next.samples,
        };
        Ok((next, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(x: f64) -> Fixed {
        Fixed::from_f64(x).unwrap()
    }

    #[test]
    fn taker_fee_is_notional_times_taker_rate() {
        let m = FeeModel::default();
        assert_eq!(m.predict(fx(100.0), fx(2.0), Liquidity::Taker).unwrap(), fx(0.1));
        assert_eq!(m.predict(fx(100.0), fx(2.0), Liquidity::Maker).unwrap(), fx(0.04));
    }

    #[test]
    fn calibration_grades_deviation_ok_warn_error_and_keeps_an_ema() {
        let m = FeeModel::default();
        let c = Calibration::default();
        let (c, r) = c.observe(&m, fx(100.0), fx(2.0), fx(0.1005), Liquidity::Taker).unwrap();
        assert_eq!(r.status, CalibrationStatus::Ok);
        assert_eq!(r.calibration_ratio, fx(1.005));
        let (c, r) = c.observe(&m, fx(100.0), fx(2.0), fx(0.103), Liquidity::Taker).unwrap();
        assert_eq!(r.status, CalibrationStatus::Warn);
        assert_eq!(r.calibration_ratio, fx(1.01));
        let (_, r) = c.observe(&m, fx(100.0), fx(2.0), fx(0.2), Liquidity::Taker).unwrap();
        assert_eq!(r.status, CalibrationStatus::Error);
        assert_eq!(r.samples, 3);
    }
}
