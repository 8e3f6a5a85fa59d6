//! Fixed-point numbers: every price, size and amount inside the kernel.
//!
//! One type, `Fixed`, holds an `i64` raw value at a fixed precision of 8
//! decimals (1e-8, a satoshi). Floats exist only at the boundary:
//! `from_f64` rounds to the nearest 1e-8, ties away from zero, and refuses
//! non-finite values and magnitudes above `MAX_ABS`, so that a product of two
//! boundary values always fits the `i128` intermediate. Products and
//! quotients round the same way (nearest, ties away from zero). Sizes go down
//! to the lot step (`floor_to`), prices to the nearest tick (`round_to`): the
//! way a venue treats an order.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Decimal places held by every `Fixed`.
pub const PRECISION: u32 = 8;
/// `10^PRECISION`.
pub const SCALE: i64 = 100_000_000;
/// Largest magnitude accepted from outside (1e10): keeps raw values far from
/// `i64::MAX` (9.2e18) so that sums of many of them stay exact.
pub const MAX_ABS: f64 = 1e10;

#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum FixedError {
    #[error("not a finite number")]
    NotFinite,
    #[error("magnitude above 1e10")]
    OutOfRange,
    #[error("arithmetic overflow")]
    Overflow,
    #[error("division by zero")]
    DivisionByZero,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fixed {
    raw: i64,
}

/// Divides rounding to nearest, ties away from zero.
fn div_round(n: i128, d: i128) -> i128 {
    // Most operands fit in i64, where division is one instruction (and a
    // multiplication for the constant SCALE) instead of a software i128 routine.
    if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d)) {
        if d != -1 {
            return i128::from(div_round_i64(n, d));
        }
    }
    div_round_wide(n, d)
}

/// `div_round` in i128: the rule the i64 fast path must match.
fn div_round_wide(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        if (n < 0) != (d < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    }
}

/// `div_round` on i64 operands (`d` not 0 and not -1, so nothing overflows).
#[inline]
fn div_round_i64(n: i64, d: i64) -> i64 {
    let q = n / d;
    let r = n % d;
    // |r| < |d|: the tie test 2|r| >= |d| without the doubling.
    if r.unsigned_abs() >= d.unsigned_abs() - r.unsigned_abs() {
        if (n < 0) != (d < 0) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    }
}

/// Rounds the shortest decimal text of `x` (what JS prints) to 8 places,
/// ties away from zero. `x` is finite and at most `MAX_ABS`.
fn round_decimal_text(x: f64) -> i64 {
    let text = format!("{}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut raw: i64 = int.parse::<i64>().unwrap_or(0) * SCALE;
    let digits: Vec<i64> = frac.bytes().map(|b| (b - b'0') as i64).collect();
    let mut unit = SCALE / 10;
    for d in digits.iter().take(PRECISION as usize) {
        raw += d * unit;
        unit /= 10;
    }
    if digits.get(PRECISION as usize).is_some_and(|&d| d >= 5) {
        raw += 1;
    }
    if x < 0.0 {
        -raw
    } else {
        raw
    }
}

fn narrow(v: i128) -> Result<Fixed, FixedError> {
    i64::try_from(v).map(Fixed::from_raw).map_err(|_| FixedError::Overflow)
}

impl Fixed {
    pub const ZERO: Fixed = Fixed { raw: 0 };
    pub const ONE: Fixed = Fixed { raw: SCALE };

    pub const fn from_raw(raw: i64) -> Self {
        Fixed { raw }
    }

    pub const fn raw(self) -> i64 {
        self.raw
    }

    /// The boundary rule: nearest 1e-8, ties away from zero.
    pub fn from_f64(x: f64) -> Result<Self, FixedError> {
        if !x.is_finite() {
            return Err(FixedError::NotFinite);
        }
        if x.abs() > MAX_ABS {
            return Err(FixedError::OutOfRange);
        }
        let scaled = x * SCALE as f64;
        // |scaled| <= 1e18 < 2^63: the cast truncates exactly (no libm call).
        let whole = scaled as i64;
        let frac = scaled - whole as f64;
        // Near a tie the binary product may sit on the wrong side of .5
        // (0.000000015 × 1e8 = 1.4999…): decide on the decimal text instead.
        if (frac.abs() - 0.5).abs() < 1e-6 {
            return Ok(Fixed::from_raw(round_decimal_text(x)));
        }
        let raw = if frac > 0.5 {
            whole + 1
        } else if frac < -0.5 {
            whole - 1
        } else {
            whole
        };
        Ok(Fixed::from_raw(raw))
    }

    pub fn to_f64(self) -> f64 {
        self.raw as f64 / SCALE as f64
    }

    pub fn from_int(v: i64) -> Result<Self, FixedError> {
        v.checked_mul(SCALE).map(Fixed::from_raw).ok_or(FixedError::Overflow)
    }

    pub fn checked_add(self, o: Fixed) -> Result<Fixed, FixedError> {
        self.raw.checked_add(o.raw).map(Fixed::from_raw).ok_or(FixedError::Overflow)
    }

    pub fn checked_sub(self, o: Fixed) -> Result<Fixed, FixedError> {
        self.raw.checked_sub(o.raw).map(Fixed::from_raw).ok_or(FixedError::Overflow)
    }

    pub fn checked_mul(self, o: Fixed) -> Result<Fixed, FixedError> {
        narrow(div_round(self.raw as i128 * o.raw as i128, SCALE as i128))
    }

    pub fn checked_div(self, o: Fixed) -> Result<Fixed, FixedError> {
        if o.raw == 0 {
            return Err(FixedError::DivisionByZero);
        }
        narrow(div_round(self.raw as i128 * SCALE as i128, o.raw as i128))
    }

    /// `self * a / b` with one rounding: used for average prices and leg sizes.
    pub fn mul_div(self, a: Fixed, b: Fixed) -> Result<Fixed, FixedError> {
        if b.raw == 0 {
            return Err(FixedError::DivisionByZero);
        }
        narrow(div_round(self.raw as i128 * a.raw as i128, b.raw as i128))
    }

    /// Product saturated at the `i64` range: for read-side figures (unrealized
    /// PnL at an extreme mark) that must never fail.
    pub fn mul_saturating(self, o: Fixed) -> Fixed {
        let v = div_round(self.raw as i128 * o.raw as i128, SCALE as i128);
        Fixed::from_raw(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    pub fn saturating_add(self, o: Fixed) -> Fixed {
        Fixed::from_raw(self.raw.saturating_add(o.raw))
    }

    pub fn negated(self) -> Fixed {
        Fixed::from_raw(-self.raw)
    }

    pub fn abs(self) -> Fixed {
        Fixed::from_raw(self.raw.abs())
    }

    pub fn is_zero(self) -> bool {
        self.raw == 0
    }

    pub fn is_positive(self) -> bool {
        self.raw > 0
    }

    pub fn is_negative(self) -> bool {
        self.raw < 0
    }

    /// Down to a multiple of `step` (toward zero): the venue's lot rule.
    pub fn floor_to(self, step: Fixed) -> Fixed {
        if step.raw <= 0 {
            return self;
        }
        Fixed::from_raw(self.raw / step.raw * step.raw)
    }

    /// Nearest multiple of `step`, ties away from zero: the tick rule.
    pub fn round_to(self, step: Fixed) -> Fixed {
        if step.raw <= 0 {
            return self;
        }
        let units = div_round(self.raw as i128, step.raw as i128);
        Fixed::from_raw((units * step.raw as i128) as i64)
    }
}

impl fmt::Display for Fixed {
    /// Exact decimal text, trailing zeros dropped: used in diagnostics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.raw < 0 { "-" } else { "" };
        let abs = self.raw.unsigned_abs();
        let int = abs / SCALE as u64;
        let frac = abs % SCALE as u64;
        if frac == 0 {
            return write!(f, "{sign}{int}");
        }
        let digits = format!("{frac:0width$}", width = PRECISION as usize);
        write!(f, "{sign}{int}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fx(x: f64) -> Fixed {
        Fixed::from_f64(x).unwrap()
    }

    #[test]
    fn boundary_rounds_to_nearest_ties_away_from_zero() {
        assert_eq!(fx(0.1).raw(), 10_000_000);
        assert_eq!(fx(0.000_000_015).raw(), 2);
        assert_eq!(fx(-0.000_000_015).raw(), -2);
        assert_eq!(fx(1.234_567_891).raw(), 123_456_789);
        assert_eq!(fx(-1.234_567_896).raw(), -123_456_790);
        assert_eq!(fx(12_345.678).raw(), 1_234_567_800_000);
    }

    #[test]
    fn the_i64_fast_path_rounds_like_the_i128_one() {
        for (n, d) in [(7i64, 2i64), (-7, 2), (7, -2), (-7, -2), (5, 3), (-5, 3), (i64::MAX, 3), (i64::MIN + 1, 7)] {
            let wide = div_round_wide(i128::from(n), i128::from(d));
            assert_eq!(i128::from(div_round_i64(n, d)), wide, "{n} / {d}");
        }
    }

    #[test]
    fn boundary_refuses_non_finite_and_huge_values() {
        assert_eq!(Fixed::from_f64(f64::NAN), Err(FixedError::NotFinite));
        assert_eq!(Fixed::from_f64(f64::INFINITY), Err(FixedError::NotFinite));
        assert_eq!(Fixed::from_f64(1e11), Err(FixedError::OutOfRange));
    }

    #[test]
    fn products_round_once_and_exactly() {
        assert_eq!(fx(0.1).checked_mul(fx(0.2)).unwrap(), fx(0.02));
        assert_eq!(fx(3.0).checked_div(fx(7.0)).unwrap().raw(), 42_857_143);
        assert_eq!(fx(2.0).mul_div(fx(1.0), fx(3.0)).unwrap().raw(), 66_666_667);
        assert_eq!(fx(-2.0).mul_div(fx(1.0), fx(3.0)).unwrap().raw(), -66_666_667);
    }

    #[test]
    fn checked_arithmetic_reports_overflow_instead_of_wrapping() {
        let big = Fixed::from_raw(i64::MAX);
        assert_eq!(big.checked_add(Fixed::from_raw(1)), Err(FixedError::Overflow));
        assert_eq!(fx(1e10).checked_mul(fx(1e10)), Err(FixedError::Overflow));
        assert_eq!(fx(1.0).checked_div(Fixed::ZERO), Err(FixedError::DivisionByZero));
    }

    #[test]
    fn sizes_go_down_to_the_lot_and_prices_to_the_nearest_tick() {
        assert_eq!(fx(1.2349).floor_to(fx(0.001)), fx(1.234));
        assert_eq!(fx(100.005).round_to(fx(0.01)), fx(100.01));
        assert_eq!(fx(100.004).round_to(fx(0.01)), fx(100.0));
    }

    #[test]
    fn display_is_exact_decimal_text() {
        assert_eq!(fx(1.5).to_string(), "1.5");
        assert_eq!(fx(-0.00000001).to_string(), "-0.00000001");
        assert_eq!(fx(42.0).to_string(), "42");
    }
}
