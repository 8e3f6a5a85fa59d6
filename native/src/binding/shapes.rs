//! The typed methods' records, built in JS. napi-rs builds a `#[napi(object)]`
//! record property by property (`napi_define_properties` with each name as
//! UTF-8 text, which V8 looks up in its string table every time): ~400 ns a
//! property on Node 20, so an outcome with two events cost ~20 µs. Here each
//! record kind has a factory, `(a0, a1, …) => ({type: a0, eventId: a1, …})`,
//! compiled once per JS environment; a record is one call with its values,
//! and V8 builds the literal with one fixed hidden class, the one
//! `native/packed.ts`'s decoder gives the same record. An absent optional
//! field is `undefined` (napi-rs leaves such a property out; the packed
//! decoder has it `undefined`), so typed and packed records are alike key for
//! key (`native/test/packed.test.ts`).
//!
//! Inputs the other way: a reader `(o) => [o.intentId, o.action, …]` takes
//! the fields out in one call (`napi_get_named_property` looks each name up
//! as text too), and each value is converted, and refused, exactly as
//! napi-rs does it, with napi-rs's own messages (`… on Intent.intentId`).
//!
//! The `#[napi(object)]` structs stay the one definition of each record: their
//! fields are the values, and napi-rs writes their TypeScript types. `shape!`
//! lists a struct's fields in order and names each property the way napi-rs
//! does (camelCase, or the field's `js_name`).

use super::{
    AccountSnapshot, Diagnostic, DomainEvent, Intent, Outcome, SlotSnapshot, Transition, VenueCommand, VenueEvent,
};
use napi::bindgen_prelude::{
    from_raw_optional_field, from_raw_required_field, Env, Error, FromNapiValue, Result, Status, ToNapiValue,
};
use napi::sys::{self, napi_env, napi_value};
use std::collections::HashMap;
use std::ptr;

/// A record built by its factory.
pub trait Shape: Sized {
    /// Its fields, in the order `values` gives their values, each with the
    /// property name it has when it is not the field's in camelCase.
    const FIELDS: &'static [(&'static str, Option<&'static str>)];
    /// Its factory's place in `Factories`.
    const KIND: usize;
    /// # Safety
    /// `env` is the environment of the napi call being answered.
    unsafe fn values(self, env: napi_env, args: &mut Vec<napi_value>) -> Result<()>;
}

/// A typed method's result, built by the factories.
pub struct Shaped<T>(pub T);

/// How many factories there are: one per record kind built, `PAIRS`, and
/// one per input record kind read.
const KINDS: usize = 10;

/// The factories of one JS environment (napi instance data: a worker thread
/// has its own), compiled on first use.
#[derive(Default)]
struct Factories([Option<sys::napi_ref>; KINDS]);

#[inline]
fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::GenericFailure, format!("{what} failed ({status})")))
    }
}

/// A field's property name, as napi-rs makes it: `slot_id` → `slotId`.
fn camel_case(field: &str) -> String {
    let mut parts = field.split('_');
    let mut name = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let mut chars = part.chars();
        name.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        name.push_str(chars.as_str());
    }
    name
}

/// The property names of `fields`.
fn keys(fields: &[(&str, Option<&str>)]) -> Vec<String> {
    fields.iter().map(|(field, key)| key.map_or_else(|| camel_case(field), str::to_string)).collect()
}

/// The factory's source: parameters `a0…`, one object literal.
fn source(fields: &[(&str, Option<&str>)]) -> String {
    let params: Vec<String> = (0..fields.len()).map(|i| format!("a{i}")).collect();
    let props: Vec<String> = keys(fields).iter().enumerate().map(|(i, key)| format!("{key}: a{i}")).collect();
    format!("(function ({}) {{ return {{ {} }}; }})", params.join(", "), props.join(", "))
}

/// Factory number `kind` in `env`, compiled from `source()` on first use.
///
/// # Safety
/// `env` is the environment of the napi call being answered, as in every
/// function here.
unsafe fn factory(env: napi_env, kind: usize, source: impl FnOnce() -> String) -> Result<napi_value> {
    let js = Env::from_raw(env);
    let factories = match js.get_instance_data::<Factories>()? {
        Some(f) => f,
        None => {
            js.set_instance_data(Factories::default(), (), |_| {})?;
            js.get_instance_data::<Factories>()?.expect("instance data was just set")
        }
    };
    let mut f = ptr::null_mut();
    match factories.0[kind] {
        Some(r) => check(sys::napi_get_reference_value(env, r, &mut f), "napi_get_reference_value")?,
        None => {
            let text = source();
            let mut script = ptr::null_mut();
            check(
                sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut script),
                "napi_create_string_utf8",
            )?;
            check(sys::napi_run_script(env, script, &mut f), "napi_run_script")?;
            let mut r = ptr::null_mut();
            check(sys::napi_create_reference(env, f, 1, &mut r), "napi_create_reference")?;
            factories.0[kind] = Some(r);
        }
    }
    Ok(f)
}

/// Calls `f` with `args`.
///
/// # Safety
/// As `factory`.
unsafe fn call(env: napi_env, f: napi_value, args: &[napi_value]) -> Result<napi_value> {
    let mut this = ptr::null_mut();
    check(sys::napi_get_undefined(env, &mut this), "napi_get_undefined")?;
    let mut out = ptr::null_mut();
    check(sys::napi_call_function(env, this, f, args.len(), args.as_ptr(), &mut out), "napi_call_function")?;
    Ok(out)
}

/// One record: its values, then one call of its factory.
///
/// # Safety
/// As `factory`.
unsafe fn build<T: Shape>(env: napi_env, record: T) -> Result<napi_value> {
    let f = factory(env, T::KIND, || source(T::FIELDS))?;
    let mut args = Vec::with_capacity(T::FIELDS.len());
    record.values(env, &mut args)?;
    debug_assert_eq!(args.len(), T::FIELDS.len());
    call(env, f, &args)
}

/// The factory of `details` (keys known only at run time): key, value, key, value, ….
const PAIRS: usize = 7;
const PAIRS_SOURCE: &str =
    "(function () { const o = {}; for (let i = 0; i < arguments.length; i += 2) o[arguments[i]] = arguments[i + 1]; return o; })";

/// A field's value: as napi-rs converts it, except that an absent optional
/// field is `undefined` (napi-rs makes `None` a `null`) and records are shaped.
pub trait Arg {
    /// # Safety
    /// `env` is the environment of the napi call being answered.
    unsafe fn arg(self, env: napi_env) -> Result<napi_value>;
}

macro_rules! plain_args {
    ($($t:ty),+) => {$(
        impl Arg for $t {
            unsafe fn arg(self, env: napi_env) -> Result<napi_value> {
                <$t as ToNapiValue>::to_napi_value(env, self)
            }
        }
    )+};
}

plain_args!(f64, u32, i64, bool, String, Vec<f64>, Vec<String>);

/// `details`: napi-rs sets each entry with `napi_set_property`, ~15 % of a refused input's call.
impl Arg for HashMap<String, String> {
    unsafe fn arg(self, env: napi_env) -> Result<napi_value> {
        let mut args = Vec::with_capacity(self.len() * 2);
        for (k, v) in self {
            args.push(k.arg(env)?);
            args.push(v.arg(env)?);
        }
        call(env, factory(env, PAIRS, || PAIRS_SOURCE.to_string())?, &args)
    }
}

impl<T: Arg> Arg for Option<T> {
    unsafe fn arg(self, env: napi_env) -> Result<napi_value> {
        match self {
            Some(v) => v.arg(env),
            None => {
                let mut u = ptr::null_mut();
                check(sys::napi_get_undefined(env, &mut u), "napi_get_undefined")?;
                Ok(u)
            }
        }
    }
}

impl<T: Shape> Arg for Vec<T> {
    unsafe fn arg(self, env: napi_env) -> Result<napi_value> {
        let mut array = ptr::null_mut();
        check(sys::napi_create_array_with_length(env, self.len(), &mut array), "napi_create_array_with_length")?;
        for (i, record) in self.into_iter().enumerate() {
            let v = build(env, record)?;
            check(sys::napi_set_element(env, array, i as u32, v), "napi_set_element")?;
        }
        Ok(array)
    }
}

impl<T: Shape> ToNapiValue for Shaped<T> {
    unsafe fn to_napi_value(env: napi_env, val: Self) -> Result<napi_value> {
        build(env, val.0)
    }
}

impl<T: Shape> ToNapiValue for Shaped<Vec<T>> {
    unsafe fn to_napi_value(env: napi_env, val: Self) -> Result<napi_value> {
        val.0.arg(env)
    }
}

impl<T: Shape> ToNapiValue for Shaped<Option<T>> {
    unsafe fn to_napi_value(env: napi_env, val: Self) -> Result<napi_value> {
        match val.0 {
            Some(record) => build(env, record),
            // As napi-rs returns `None`: `null`.
            None => <Option<u32> as ToNapiValue>::to_napi_value(env, None),
        }
    }
}

/// `shape!(Record, kind, { field, field as "jsName", … })`: a record's
/// fields in its struct's order; each property is named as napi-rs names it
/// (the field in camelCase), or as the struct's `js_name` says.
macro_rules! shape {
    ($t:ident, $kind:expr, { $($field:ident $(as $key:literal)?),+ $(,)? }) => {
        impl Shape for $t {
            const FIELDS: &'static [(&'static str, Option<&'static str>)] =
                &[$((stringify!($field), shape!(@key $($key)?))),+];
            const KIND: usize = $kind;
            unsafe fn values(self, env: napi_env, args: &mut Vec<napi_value>) -> Result<()> {
                // Every field, or this does not compile.
                let $t { $($field),+ } = self;
                $(args.push($field.arg(env)?);)+
                Ok(())
            }
        }
    };
    (@key $key:literal) => { Some($key) };
    (@key) => { None };
}

shape!(Transition, 0, {
    slot_id, prev_state, next_state, trigger, intent_id, event_id,
});

shape!(DomainEvent, 1, {
    kind as "type", event_id, seq, correlation_id, causation_id, ts, slot_id, trade_id, intent_id,
    client_order_id, venue_order_id, venue_event_id, asset, side, order_side, order_type, size,
    price, fee, liquidity, filled_size, avg_price, realized_pnl, unrealized_pnl, mark_price, reason,
    close_reason, reduce_only,
});

shape!(VenueCommand, 2, {
    kind, client_order_id, trade_id, slot_id, asset, side, order_type, size, limit_price,
    reduce_only,
});

shape!(Diagnostic, 3, {
    code, severity, slot_id, client_order_id, asset, message,
});

shape!(Outcome, 4, {
    accepted, diagnostic_code, severity, slot_id, trade_id, state, transitions, events,
    venue_commands, details, flags, retryable, retry_after_ms, retry_at, diagnostics,
});

shape!(SlotSnapshot, 5, {
    slot_id, state, free, busy, trade_id, correlation_id, asset, side, size, initial_size,
    entry_price, mark_price, unrealized_pnl, realized_pnl, fees, leverage, exit_leg_ratios,
    active_leg_index, working_order_id, entry_order_id, take_profit, stop_loss, opened_at,
    close_reason, flatten_pending, retry_at, last_trade_id, last_close_reason, last_realized_pnl,
});

shape!(AccountSnapshot, 6, {
    seed_capital, capital, equity, realized_pnl, unrealized_pnl, fees_paid, funding_net, margin_k,
    open_positions, orphan_positions, wallet_balance, available_margin, used_margin, maint_margin,
    available_capital, reconcile_status, reconcile_delta, reconcile_explanation, settled_fees,
    settled_fills, event_seq, diagnostic_code, details,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_named_as_napi_rs_names_them() {
        assert_eq!(camel_case("slot_id"), "slotId");
        assert_eq!(camel_case("margin_k"), "marginK");
        assert_eq!(camel_case("seq"), "seq");
        assert_eq!(
            source(&[("kind", Some("type")), ("event_id", None)]),
            "(function (a0, a1) { return { type: a0, eventId: a1 }; })"
        );
    }

    #[test]
    fn each_record_kind_has_a_factory_of_its_own() {
        let mut kinds = [
            Transition::KIND,
            DomainEvent::KIND,
            VenueCommand::KIND,
            Diagnostic::KIND,
            Outcome::KIND,
            SlotSnapshot::KIND,
            AccountSnapshot::KIND,
            PAIRS,
            <Intent as Fields>::KIND,
            <VenueEvent as Fields>::KIND,
        ];
        kinds.sort_unstable();
        assert_eq!(kinds, std::array::from_fn(|i| i));
    }
}

// ── inputs ──────────────────────────────────────────────────────────────────

/// An input record read by its reader.
pub trait Fields: Sized {
    /// The struct's name, as napi-rs's messages name it.
    const NAME: &'static str;
    /// Its fields, as in `Shape`.
    const FIELDS: &'static [(&'static str, Option<&'static str>)];
    /// Its reader's place in `Factories`.
    const KIND: usize;
    /// The record from its fields' values (`None`: `undefined`), in order.
    ///
    /// # Safety
    /// `env` and the values are live handles of the napi call being answered.
    unsafe fn from_values(env: napi_env, values: &[Option<napi_value>]) -> Result<Self>;
}

/// A typed method's argument, read by its reader.
pub struct Read<T>(pub T);

/// The reader's source: one array literal of the fields.
fn reader_source(fields: &[(&str, Option<&str>)]) -> String {
    let props: Vec<String> = keys(fields).iter().map(|key| format!("o.{key}")).collect();
    format!("(function (o) {{ return [{}]; }})", props.join(", "))
}

impl<T: Fields> FromNapiValue for Read<T> {
    unsafe fn from_napi_value(env: napi_env, value: napi_value) -> Result<Self> {
        let mut ty = 0;
        check(sys::napi_typeof(env, value, &mut ty), "napi_typeof")?;
        if ty == sys::ValueType::napi_null || ty == sys::ValueType::napi_undefined {
            let got = if ty == sys::ValueType::napi_null { "null" } else { "undefined" };
            return Err(Error::new(Status::ObjectExpected, format!("{}: expected an object, got {got}", T::NAME)));
        }
        let reader = factory(env, T::KIND, || reader_source(T::FIELDS))?;
        let array = call(env, reader, &[value])?;
        let mut values = Vec::with_capacity(T::FIELDS.len());
        for i in 0..T::FIELDS.len() {
            let mut v = ptr::null_mut();
            check(sys::napi_get_element(env, array, i as u32, &mut v), "napi_get_element")?;
            let mut ty = 0;
            check(sys::napi_typeof(env, v, &mut ty), "napi_typeof")?;
            values.push((ty != sys::ValueType::napi_undefined).then_some(v));
        }
        T::from_values(env, &values).map(Read)
    }
}

/// A field's value from what the reader found (`None`: `undefined`), with
/// napi-rs's conversion and messages: required unless an `Option`.
pub trait Field: Sized {
    /// # Safety
    /// As `Fields::from_values`.
    unsafe fn field(env: napi_env, value: Option<napi_value>, record: &str, field: &str) -> Result<Self>;
}

macro_rules! fields_of {
    ($($t:ty),+) => {$(
        impl Field for $t {
            unsafe fn field(env: napi_env, value: Option<napi_value>, record: &str, field: &str) -> Result<Self> {
                from_raw_required_field(env, value, record, field)
            }
        }
        impl Field for Option<$t> {
            unsafe fn field(env: napi_env, value: Option<napi_value>, record: &str, field: &str) -> Result<Self> {
                from_raw_optional_field(env, value, record, field)
            }
        }
    )+};
}

fields_of!(String, f64, Vec<f64>);

/// `fields!(Record, kind, { field, field as "jsName", … })`: an input
/// record's fields in its struct's order, named as in `shape!`.
macro_rules! fields {
    ($t:ident, $kind:expr, { $($field:ident $(as $key:literal)?),+ $(,)? }) => {
        impl Fields for $t {
            const NAME: &'static str = stringify!($t);
            const FIELDS: &'static [(&'static str, Option<&'static str>)] =
                &[$((stringify!($field), shape!(@key $($key)?))),+];
            const KIND: usize = $kind;
            unsafe fn from_values(env: napi_env, values: &[Option<napi_value>]) -> Result<Self> {
                // The names, for napi-rs's messages: made once, not per read.
                static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
                let mut fields = values.iter().copied().zip(KEYS.get_or_init(|| keys(Self::FIELDS)));
                let mut next = || fields.next().expect("one value per field");
                // A struct literal: every field, or this does not compile.
                Ok($t {
                    $($field: {
                        let (value, key) = next();
                        Field::field(env, value, Self::NAME, key)?
                    },)+
                })
            }
        }
    };
}

fields!(Intent, 8, {
    intent_id, action, asset, side, order_type, target_size, reference_price, limit_price, leverage,
    exit_leg_ratios, take_profit, stop_loss, lot_step, slot_id, trade_id, reason, correlation_id,
    causation_id, ts,
});

fields!(VenueEvent, 9, {
    event_id, kind, client_order_id, venue_order_id, venue_trade_id, price, size, fee, liquidity,
    retry_after_ms, reason, ts,
});
