//! The boundary guard: raw inputs (floats and free text, as JS sends them)
//! checked and converted into typed values. A refusal names the field and
//! the value; nothing in the kernel has been touched when it happens.

use super::fixed::{Fixed, FixedError};
use super::model::ExitLegs;
use super::types::{
    AccountEventKind, Action, CloseReason, Code, Id, Liquidity, Mode, OrderSide, OrderType, Side, VenueKind, Verbosity,
};
use serde::Deserialize;

/// Longest id or name accepted from outside.
pub const MAX_ID_LEN: usize = 128;
/// Most exit legs one trade may have.
pub const MAX_LEGS: usize = 16;
/// Largest timestamp accepted (2^53 ms, the last exact integer of a double).
const MAX_TS: f64 = 9_007_199_254_740_992.0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub code: Code,
    pub field: String,
    pub value: String,
    pub reason: &'static str,
}

impl Invalid {
    fn new(code: Code, field: impl Into<String>, value: impl Into<String>, reason: &'static str) -> Self {
        Invalid { code, field: field.into(), value: value.into(), reason }
    }
}

pub type Checked<T> = Result<T, Invalid>;

/// Formats a float the way JS would print it, so `NaN`, `Infinity` and
/// `-1` read the same in a diagnostic as in the caller's code.
pub fn js_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.abs() >= 1e21 || x.abs() < 1e-6 {
        // JS's exponent form: 1e+300, 1.5e-7 (Rust would print 1e300 as 301 digits).
        let e = format!("{x:e}");
        match e.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => e,
        }
    } else {
        format!("{x}")
    }
}

/// Field checks for one kind of input; `code` is the diagnostic a failure gets.
pub struct Guard {
    pub code: Code,
}

impl Guard {
    pub fn fail(&self, field: impl Into<String>, value: impl Into<String>, reason: &'static str) -> Invalid {
        Invalid::new(self.code, field, value, reason)
    }

    /// An id, checked and borrowed. Inlined: every input checks one to
    /// three, and almost all are short and non-empty.
    #[inline]
    pub fn text_id<'a>(&self, field: &str, value: &'a str) -> Checked<&'a str> {
        // At most MAX_ID_LEN bytes is at most MAX_ID_LEN characters: count only longer ones.
        if value.is_empty() || value.len() > MAX_ID_LEN {
            return self.odd_id(field, value);
        }
        Ok(value)
    }

    /// `text_id` of an empty or long id, out of the common path.
    #[cold]
    #[inline(never)]
    fn odd_id<'a>(&self, field: &str, value: &'a str) -> Checked<&'a str> {
        if value.is_empty() {
            return Err(self.fail(field, value, "must not be empty"));
        }
        if value.chars().count() > MAX_ID_LEN {
            let shown: String = value.chars().take(32).collect();
            return Err(self.fail(field, format!("{shown}…"), "longer than 128 characters"));
        }
        Ok(value)
    }

    /// An id, checked and copied for keeping.
    pub fn id(&self, field: &str, value: &str) -> Checked<Id> {
        self.text_id(field, value).map(Id::from)
    }

    pub fn opt_id(&self, field: &str, value: Option<&str>) -> Checked<Option<Id>> {
        value.map(|v| self.id(field, v)).transpose()
    }

    pub fn text<T>(&self, field: &str, value: &str, parse: fn(&str) -> Option<T>) -> Checked<T> {
        parse(value).ok_or_else(|| self.fail(field, value, "unknown value"))
    }

    pub fn required<'a, T: ?Sized>(&self, field: &str, value: Option<&'a T>) -> Checked<&'a T> {
        value.ok_or_else(|| self.fail(field, "undefined", "required"))
    }

    pub fn number(&self, field: &str, x: f64) -> Checked<Fixed> {
        Fixed::from_f64(x).map_err(|e| match e {
            FixedError::OutOfRange => self.fail(field, js_number(x), "magnitude above 1e10"),
            _ => self.fail(field, js_number(x), "not a finite number"),
        })
    }

    pub fn positive(&self, field: &str, x: f64) -> Checked<Fixed> {
        let v = self.number(field, x)?;
        if !v.is_positive() {
            return Err(self.fail(field, js_number(x), "must be greater than zero"));
        }
        Ok(v)
    }

    pub fn non_negative(&self, field: &str, x: f64) -> Checked<Fixed> {
        let v = self.number(field, x)?;
        if v.is_negative() {
            return Err(self.fail(field, js_number(x), "must not be negative"));
        }
        Ok(v)
    }

    pub fn ts(&self, field: &str, x: f64) -> Checked<i64> {
        if !x.is_finite() || !(0.0..=MAX_TS).contains(&x) {
            return Err(self.fail(field, js_number(x), "not an epoch-millisecond timestamp"));
        }
        // Fractions of a millisecond are dropped.
        Ok(x.trunc() as i64)
    }

    pub fn count(&self, field: &str, x: f64, min: f64, max: f64) -> Checked<u64> {
        if !x.is_finite() || x != x.trunc() || x < min || x > max {
            return Err(self.fail(field, js_number(x), "not a whole number in range"));
        }
        Ok(x as u64)
    }
}

/// The numbers of JSON inputs (`seedJsonCall`, the seed's way). JSON has no
/// NaN or infinities, so a caller sends them as the strings "NaN",
/// "Infinity" and "-Infinity": the guard then sees the double a typed call
/// would have passed and answers with the same diagnostic.
pub mod js_number {
    use serde::de::{Error, Unexpected, Visitor};
    use serde::{Deserialize, Deserializer};
    use std::fmt;

    struct Number;

    impl Visitor<'_> for Number {
        type Value = f64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
        }

        fn visit_f64<E: Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }

        // Integer literals written by JS are exact doubles: the cast is exact.
        fn visit_i64<E: Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<f64, E> {
            match v {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
            }
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        d.deserialize_any(Number)
    }

    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "deserialize")] f64);

    pub mod option {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Ok(Option::<Wrapped>::deserialize(d)?.map(|w| w.0))
        }
    }

    pub mod option_vec {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
            Ok(Option::<Vec<Wrapped>>::deserialize(d)?.map(|v| v.into_iter().map(|w| w.0).collect()))
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IntentRaw {
    pub intent_id: String,
    pub action: String,
    pub asset: Option<String>,
    pub side: Option<String>,
    pub order_type: Option<String>,
    #[serde(default, with = "js_number::option")]
    pub target_size: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub reference_price: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub limit_price: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub leverage: Option<f64>,
    #[serde(default, with = "js_number::option_vec")]
    pub exit_leg_ratios: Option<Vec<f64>>,
    #[serde(default, with = "js_number::option")]
    pub take_profit: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub stop_loss: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub lot_step: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub slot_id: Option<f64>,
    pub trade_id: Option<String>,
    pub reason: Option<String>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    #[serde(with = "js_number")]
    pub ts: f64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VenueEventRaw {
    pub event_id: String,
    pub kind: String,
    pub client_order_id: String,
    pub venue_order_id: Option<String>,
    pub venue_trade_id: Option<String>,
    #[serde(default, with = "js_number::option")]
    pub price: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub size: Option<f64>,
    #[serde(default, with = "js_number::option")]
    pub fee: Option<f64>,
    pub liquidity: Option<String>,
    #[serde(default, with = "js_number::option")]
    pub retry_after_ms: Option<f64>,
    pub reason: Option<String>,
    #[serde(with = "js_number")]
    pub ts: f64,
}

/// The arguments of `markPrice`, as one record (JSON inputs).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct MarkRaw {
    pub asset: String,
    #[serde(with = "js_number")]
    pub price: f64,
    #[serde(with = "js_number")]
    pub ts: f64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccountEventRaw {
    pub event_id: Option<String>,
    pub kind: String,
    pub wallet_balance: Option<f64>,
    pub available_margin: Option<f64>,
    pub used_margin: Option<f64>,
    pub maint_margin: Option<f64>,
    pub fee: Option<f64>,
    pub realized_pnl: Option<f64>,
    pub amount: Option<f64>,
    pub fill_price: Option<f64>,
    pub fill_qty: Option<f64>,
    pub liquidity: Option<String>,
    pub ts: f64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ControlRaw {
    pub mode: String,
    pub verbosity: Option<String>,
    pub journal_transitions: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationRaw {
    pub fill_price: f64,
    pub fill_qty: f64,
    pub actual_fee: f64,
    pub liquidity: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VenueOrderRaw {
    pub client_order_id: String,
    pub venue_order_id: Option<String>,
    pub asset: Option<String>,
    pub side: Option<String>,
    pub size: Option<f64>,
    pub filled_size: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PositionRaw {
    pub asset: String,
    pub side: String,
    pub size: f64,
    pub entry_price: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileRaw {
    pub open_orders: Vec<VenueOrderRaw>,
    /// `None` means "no report", never "flat".
    pub positions: Option<Vec<PositionRaw>>,
    pub ts: Option<f64>,
}

/// Which slot an EXIT or CANCEL addresses.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub slot_id: Option<u32>,
    pub trade_id: Option<Id>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Common {
    pub intent_id: Id,
    pub correlation_id: Option<Id>,
    pub causation_id: Option<Id>,
    pub reason: Option<Id>,
    pub ts: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Enter {
    pub asset: Id,
    pub side: Side,
    pub order_type: OrderType,
    /// Already down to the lot step.
    pub size: Fixed,
    pub reference_price: Fixed,
    /// Already on the tick grid.
    pub limit_price: Option<Fixed>,
    pub leverage: Fixed,
    pub exit_leg_ratios: ExitLegs,
    pub take_profit: Option<Fixed>,
    pub stop_loss: Option<Fixed>,
    /// The venue's lot for the asset when coarser than the kernel's.
    pub lot_step: Option<Fixed>,
    pub slot_id: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exit {
    pub target: Target,
    pub order_type: OrderType,
    pub limit_price: Option<Fixed>,
    pub close_reason: CloseReason,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IntentKind {
    Enter(Enter),
    Exit(Exit),
    Cancel(Target),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Intent {
    pub common: Common,
    pub kind: IntentKind,
}

impl Intent {
    pub fn action(&self) -> Action {
        match self.kind {
            IntentKind::Enter(_) => Action::Enter,
            IntentKind::Exit(_) => Action::Exit,
            IntentKind::Cancel(_) => Action::Cancel,
        }
    }
}

/// Venue grid the guard rounds to.
#[derive(Clone, Copy, Debug)]
pub struct Grid {
    pub lot_step: Fixed,
    pub tick_size: Fixed,
    pub max_slots: u32,
}

const INTENT: Guard = Guard { code: Code::InvalidIntent };

fn slot_id(raw: Option<f64>, grid: Grid) -> Checked<Option<u32>> {
    let Some(x) = raw else { return Ok(None) };
    if !x.is_finite() || x != x.trunc() || x < 0.0 || x >= grid.max_slots as f64 {
        return Err(Invalid::new(Code::InvalidSlotId, "slotId", js_number(x), "no such slot"));
    }
    Ok(Some(x as u32))
}

fn tick_price(field: &str, x: f64, grid: Grid) -> Checked<Fixed> {
    let p = INTENT.positive(field, x)?.round_to(grid.tick_size);
    if !p.is_positive() {
        return Err(INTENT.fail(field, js_number(x), "below one tick"));
    }
    Ok(p)
}

fn target(raw: &IntentRaw, grid: Grid) -> Checked<Target> {
    let slot_id = slot_id(raw.slot_id, grid)?;
    let trade_id = INTENT.opt_id("tradeId", raw.trade_id.as_deref())?;
    if slot_id.is_none() && trade_id.is_none() {
        return Err(INTENT.fail("slotId", "undefined", "slotId or tradeId required"));
    }
    Ok(Target { slot_id, trade_id })
}

fn legs(raw: Option<&[f64]>) -> Checked<ExitLegs> {
    let Some(ratios) = raw else { return Ok(ExitLegs::Whole) };
    if ratios.is_empty() || ratios.len() > MAX_LEGS {
        return Err(INTENT.fail("exitLegRatios", format!("{} legs", ratios.len()), "between 1 and 16 legs"));
    }
    let mut sum = Fixed::ZERO;
    let mut out = Vec::with_capacity(ratios.len());
    for (i, &r) in ratios.iter().enumerate() {
        let field = format!("exitLegRatios[{i}]");
        let v = INTENT.positive(&field, r)?;
        if v > Fixed::ONE {
            return Err(INTENT.fail(field, js_number(r), "a leg ratio is at most 1"));
        }
        sum = sum.checked_add(v).map_err(|_| INTENT.fail(&field, js_number(r), "sum overflow"))?;
        out.push(v);
    }
    // A tolerance of 1e-6 lets callers write thirds as 0.333333.
    if sum.checked_sub(Fixed::ONE).map(|d| d.raw() > 100).unwrap_or(true) {
        return Err(INTENT.fail("exitLegRatios", sum.to_string(), "ratios add up to more than 1"));
    }
    Ok(ExitLegs::from(out))
}

fn close_reason(reason: Option<&str>) -> CloseReason {
    reason.and_then(CloseReason::parse).unwrap_or(CloseReason::ExitSignal)
}

pub fn parse_intent(raw: &IntentRaw, grid: Grid) -> Checked<Intent> {
    let intent_id = INTENT.id("intentId", &raw.intent_id)?;
    let action = INTENT.text("action", &raw.action, Action::parse)?;
    let ts = INTENT.ts("ts", raw.ts)?;
    let common = Common {
        intent_id,
        correlation_id: INTENT.opt_id("correlationId", raw.correlation_id.as_deref())?,
        causation_id: INTENT.opt_id("causationId", raw.causation_id.as_deref())?,
        reason: INTENT.opt_id("reason", raw.reason.as_deref())?,
        ts,
    };
    let kind = match action {
        Action::Enter => IntentKind::Enter(parse_enter(raw, grid)?),
        Action::Exit => {
            let target = target(raw, grid)?;
            let order_type = match raw.order_type.as_deref() {
                Some(t) => INTENT.text("orderType", t, OrderType::parse)?,
                None => OrderType::Market,
            };
            let limit_price = match order_type {
                OrderType::Limit => {
                    Some(tick_price("limitPrice", *INTENT.required("limitPrice", raw.limit_price.as_ref())?, grid)?)
                }
                OrderType::Market => None,
            };
            IntentKind::Exit(Exit {
                target,
                order_type,
                limit_price,
                close_reason: close_reason(raw.reason.as_deref()),
            })
        }
        Action::Cancel => IntentKind::Cancel(target(raw, grid)?),
    };
    Ok(Intent { common, kind })
}

fn parse_enter(raw: &IntentRaw, grid: Grid) -> Checked<Enter> {
    let asset = INTENT.id("asset", INTENT.required("asset", raw.asset.as_deref())?)?;
    let side = INTENT.text("side", INTENT.required("side", raw.side.as_deref())?, Side::parse)?;
    let order_type =
        INTENT.text("orderType", INTENT.required("orderType", raw.order_type.as_deref())?, OrderType::parse)?;
    let lot_step = raw.lot_step.map(|x| trade_lot("lotStep", x, grid)).transpose()?;
    let size_in = *INTENT.required("targetSize", raw.target_size.as_ref())?;
    let size = INTENT.positive("targetSize", size_in)?.floor_to(lot_step.unwrap_or(grid.lot_step));
    if !size.is_positive() {
        return Err(INTENT.fail("targetSize", js_number(size_in), "below one lot step"));
    }
    let reference_price =
        tick_price("referencePrice", *INTENT.required("referencePrice", raw.reference_price.as_ref())?, grid)?;
    if size.checked_mul(reference_price).is_err() {
        return Err(INTENT.fail("targetSize", js_number(size_in), "notional above 1e10"));
    }
    let limit_price = match order_type {
        OrderType::Limit => {
            Some(tick_price("limitPrice", *INTENT.required("limitPrice", raw.limit_price.as_ref())?, grid)?)
        }
        OrderType::Market => None,
    };
    let leverage_in = raw.leverage.unwrap_or(1.0);
    let leverage = INTENT.positive("leverage", leverage_in)?;
    if leverage > Fixed::from_raw(1000 * crate::kernel::fixed::SCALE) {
        return Err(INTENT.fail("leverage", js_number(leverage_in), "at most 1000"));
    }
    let take_profit = raw.take_profit.map(|x| tick_price("takeProfit", x, grid)).transpose()?;
    let stop_loss = raw.stop_loss.map(|x| tick_price("stopLoss", x, grid)).transpose()?;
    // A protective price on the wrong side of the reference would fire at once.
    let (tp_ok, sl_ok) = match side {
        Side::Long => (take_profit.is_none_or(|p| p > reference_price), stop_loss.is_none_or(|p| p < reference_price)),
        Side::Short => (take_profit.is_none_or(|p| p < reference_price), stop_loss.is_none_or(|p| p > reference_price)),
    };
    if !tp_ok {
        return Err(INTENT.fail(
            "takeProfit",
            js_number(raw.take_profit.unwrap_or_default()),
            "on the losing side of referencePrice",
        ));
    }
    if !sl_ok {
        return Err(INTENT.fail(
            "stopLoss",
            js_number(raw.stop_loss.unwrap_or_default()),
            "on the winning side of referencePrice",
        ));
    }
    Ok(Enter {
        asset,
        side,
        order_type,
        size,
        reference_price,
        limit_price,
        leverage,
        exit_leg_ratios: legs(raw.exit_leg_ratios.as_deref())?,
        take_profit,
        stop_loss,
        lot_step,
        slot_id: slot_id(raw.slot_id, grid)?,
    })
}

/// A trade's own lot: a multiple of the kernel's (its sizes stay on both grids).
fn trade_lot(field: &str, x: f64, grid: Grid) -> Checked<Fixed> {
    let lot = INTENT.positive(field, x)?;
    if lot.floor_to(grid.lot_step) != lot || lot < grid.lot_step {
        return Err(INTENT.fail(field, js_number(x), "not a multiple of the kernel's lot step"));
    }
    Ok(lot)
}

/// A checked venue event. Only the event id, which every outcome of an
/// accepted event carries, is copied out of the raw input; the other texts
/// are borrowed and copied only where the kernel keeps them.
#[derive(Clone, Debug, PartialEq)]
pub struct VenueEvent<'a> {
    pub event_id: Id,
    pub kind: VenueKind,
    pub client_order_id: &'a str,
    pub venue_order_id: Option<&'a str>,
    pub venue_trade_id: Option<&'a str>,
    /// Present (and positive) on fills.
    pub price: Fixed,
    pub size: Fixed,
    pub fee: Option<Fixed>,
    pub liquidity: Option<Liquidity>,
    pub retry_after_ms: Option<i64>,
    pub reason: Option<&'a str>,
    pub ts: i64,
}

const EVENT: Guard = Guard { code: Code::InvalidEvent };

/// Inlined into its one caller: the checked event is built where it is
/// used, not returned through a copy of its ~150 bytes.
#[inline]
pub fn parse_venue_event(raw: &VenueEventRaw) -> Checked<VenueEvent<'_>> {
    let event_id = EVENT.id("eventId", &raw.event_id)?;
    let kind = EVENT.text("kind", &raw.kind, VenueKind::parse)?;
    let client_order_id = EVENT.text_id("clientOrderId", &raw.client_order_id)?;
    let ts = EVENT.ts("ts", raw.ts)?;
    let is_fill = matches!(kind, VenueKind::Fill | VenueKind::PartialFill);
    let (price, size) = if is_fill {
        let price = EVENT.positive("price", *EVENT.required("price", raw.price.as_ref())?)?;
        let size_in = *EVENT.required("size", raw.size.as_ref())?;
        let size = EVENT.positive("size", size_in)?;
        if size.checked_mul(price).is_err() {
            return Err(EVENT.fail("size", js_number(size_in), "notional above 1e10"));
        }
        (price, size)
    } else {
        (Fixed::ZERO, Fixed::ZERO)
    };
    let retry_after_ms = match raw.retry_after_ms {
        Some(x) => Some(EVENT.count("retryAfterMs", x, 0.0, 86_400_000.0)? as i64),
        None => None,
    };
    Ok(VenueEvent {
        event_id,
        kind,
        client_order_id,
        venue_order_id: raw.venue_order_id.as_deref().map(|v| EVENT.text_id("venueOrderId", v)).transpose()?,
        venue_trade_id: raw.venue_trade_id.as_deref().map(|v| EVENT.text_id("venueTradeId", v)).transpose()?,
        price,
        size,
        fee: raw.fee.map(|f| EVENT.number("fee", f)).transpose()?,
        liquidity: raw.liquidity.as_deref().map(|l| EVENT.text("liquidity", l, Liquidity::parse)).transpose()?,
        retry_after_ms,
        reason: raw.reason.as_deref().map(|v| EVENT.text_id("reason", v)).transpose()?,
        ts,
    })
}

#[derive(Clone, Debug, PartialEq)]
pub enum AccountEvent {
    FillSettled { fee: Fixed, realized_pnl: Option<Fixed>, fill: Option<(Fixed, Fixed, Liquidity)> },
    AccountUpdate { wallet: Fixed, available: Option<Fixed>, used: Option<Fixed>, maint: Option<Fixed> },
    FundingFee { amount: Fixed },
}

pub fn parse_account_event(raw: &AccountEventRaw) -> Checked<(Option<Id>, AccountEvent, i64)> {
    let id = EVENT.opt_id("eventId", raw.event_id.as_deref())?;
    let kind = EVENT.text("kind", &raw.kind, AccountEventKind::parse)?;
    let ts = EVENT.ts("ts", raw.ts)?;
    let opt = |field: &str, v: Option<f64>| v.map(|x| EVENT.number(field, x)).transpose();
    let event = match kind {
        AccountEventKind::FillSettled => {
            let fee = EVENT.number("fee", *EVENT.required("fee", raw.fee.as_ref())?)?;
            let fill = match (raw.fill_price, raw.fill_qty) {
                (Some(p), Some(q)) => {
                    let liquidity = match raw.liquidity.as_deref() {
                        Some(l) => EVENT.text("liquidity", l, Liquidity::parse)?,
                        None => Liquidity::Taker,
                    };
                    Some((EVENT.positive("fillPrice", p)?, EVENT.positive("fillQty", q)?, liquidity))
                }
                _ => None,
            };
            AccountEvent::FillSettled { fee, realized_pnl: opt("realizedPnl", raw.realized_pnl)?, fill }
        }
        AccountEventKind::AccountUpdate => AccountEvent::AccountUpdate {
            wallet: EVENT.number("walletBalance", *EVENT.required("walletBalance", raw.wallet_balance.as_ref())?)?,
            available: opt("availableMargin", raw.available_margin)?,
            used: opt("usedMargin", raw.used_margin)?,
            maint: opt("maintMargin", raw.maint_margin)?,
        },
        AccountEventKind::FundingFee => AccountEvent::FundingFee {
            amount: EVENT.number("amount", *EVENT.required("amount", raw.amount.as_ref())?)?,
        },
    };
    Ok((id, event, ts))
}

pub struct Control {
    pub mode: Mode,
    pub verbosity: Option<Verbosity>,
    pub journal_transitions: Option<bool>,
}

pub fn parse_control(raw: &ControlRaw) -> Checked<Control> {
    Ok(Control {
        mode: INTENT.text("mode", &raw.mode, Mode::parse)?,
        verbosity: raw.verbosity.as_deref().map(|v| INTENT.text("verbosity", v, Verbosity::parse)).transpose()?,
        journal_transitions: raw.journal_transitions,
    })
}

pub fn parse_calibration(raw: &CalibrationRaw) -> Checked<(Fixed, Fixed, Fixed, Liquidity)> {
    let liquidity = match raw.liquidity.as_deref() {
        Some(l) => INTENT.text("liquidity", l, Liquidity::parse)?,
        None => Liquidity::Taker,
    };
    let price = INTENT.positive("fillPrice", raw.fill_price)?;
    let qty = INTENT.positive("fillQty", raw.fill_qty)?;
    if price.checked_mul(qty).is_err() {
        return Err(INTENT.fail("fillQty", js_number(raw.fill_qty), "notional above 1e10"));
    }
    Ok((price, qty, INTENT.non_negative("actualFee", raw.actual_fee)?, liquidity))
}

#[derive(Clone, Debug, PartialEq)]
pub struct VenueOrder {
    pub client_order_id: Id,
    pub venue_order_id: Option<Id>,
    pub filled_size: Option<Fixed>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    pub asset: Id,
    pub side: Side,
    pub size: Fixed,
    pub entry_price: Option<Fixed>,
}

pub struct Reconcile {
    pub open_orders: Vec<VenueOrder>,
    pub positions: Option<Vec<Position>>,
    pub ts: i64,
}

pub fn parse_reconcile(raw: &ReconcileRaw) -> Checked<Reconcile> {
    let mut open_orders = Vec::with_capacity(raw.open_orders.len());
    for (i, o) in raw.open_orders.iter().enumerate() {
        let f = |name: &str| format!("openOrders[{i}].{name}");
        if let Some(side) = o.side.as_deref() {
            EVENT.text(&f("side"), side, OrderSide::parse)?;
        }
        if let Some(asset) = o.asset.as_deref() {
            EVENT.id(&f("asset"), asset)?;
        }
        if let Some(size) = o.size {
            EVENT.non_negative(&f("size"), size)?;
        }
        open_orders.push(VenueOrder {
            client_order_id: EVENT.id(&f("clientOrderId"), &o.client_order_id)?,
            venue_order_id: EVENT.opt_id(&f("venueOrderId"), o.venue_order_id.as_deref())?,
            filled_size: o.filled_size.map(|x| EVENT.non_negative(&f("filledSize"), x)).transpose()?,
        });
    }
    let positions = match &raw.positions {
        None => None,
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, p) in list.iter().enumerate() {
                let f = |name: &str| format!("positions[{i}].{name}");
                out.push(Position {
                    asset: EVENT.id(&f("asset"), &p.asset)?,
                    side: EVENT.text(&f("side"), &p.side, Side::parse)?,
                    size: EVENT.non_negative(&f("size"), p.size)?,
                    entry_price: p.entry_price.map(|x| EVENT.positive(&f("entryPrice"), x)).transpose()?,
                });
            }
            Some(out)
        }
    };
    let ts = raw.ts.map(|x| EVENT.ts("ts", x)).transpose()?.unwrap_or(0);
    Ok(Reconcile { open_orders, positions, ts })
}

pub fn parse_mark(asset: &str, price: f64, ts: f64) -> Checked<(&str, Fixed, i64)> {
    Ok((EVENT.text_id("asset", asset)?, EVENT.positive("price", price)?, EVENT.ts("ts", ts)?))
}

#[cfg(test)]
mod js_number_tests {
    use super::js_number;

    /// As JS's `String(x)` prints them, which is what the caller typed or sent.
    #[test]
    fn numbers_read_as_js_prints_them() {
        for (x, js) in [
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (-1.0, "-1"),
            (0.25, "0.25"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1e300, "1e+300"),
            (-1.5e300, "-1.5e+300"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
        ] {
            assert_eq!(js_number(x), js, "{x}");
        }
    }
}
