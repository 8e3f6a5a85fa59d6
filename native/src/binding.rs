//! The napi layer: typed JS records in, typed JS records out (the hot ones
//! built and read by JS factories, `shapes.rs`). Enums travel as strings and
//! are parsed by the kernel, so a bad enum value gets a diagnostic instead of
//! a thrown TypeError; numbers travel as doubles and are checked by the
//! kernel's boundary guard. A call throws only on what napi cannot convert (a
//! string where a number belongs, a required field missing: the message names
//! the record and the field), on a malformed packed batch or `slotId`, and
//! in the constructor and `restore` (a bad config or a corrupt snapshot is a
//! programming error, and they have no value to return instead).

use crate::kernel::{self as core, fixed::Fixed, input, outcome, types::Id};
use crate::packed::{self, Answer, BadInput, Batch, Numbers, Packer, Strings};
use napi::bindgen_prelude::{Env, Error, Float64ArraySlice, Result, Status, Utf16String};
use napi_derive::napi;
use shapes::{Read, Shaped};
use std::collections::HashMap;

mod shapes;

fn num(f: Fixed) -> f64 {
    f.to_f64()
}

fn opt_num(f: Option<Fixed>) -> Option<f64> {
    f.map(Fixed::to_f64)
}

fn text(id: Option<Id>) -> Option<String> {
    id.map(|i| i.to_string())
}

fn details<V: AsRef<str>>(d: Vec<(&'static str, V)>) -> HashMap<String, String> {
    d.into_iter().map(|(k, v)| (k.to_string(), v.as_ref().to_string())).collect()
}

#[napi(object)]
pub struct FeeConfig {
    pub taker_rate: Option<f64>,
    pub maker_rate: Option<f64>,
    pub lot_step: Option<f64>,
    pub tick_size: Option<f64>,
    pub funding_interval_secs: Option<f64>,
}

#[napi(object)]
pub struct KernelConfig {
    pub max_slots: f64,
    pub seed_capital: f64,
    pub fees: Option<FeeConfig>,
    /// Prepended to tradeIds, clientOrderIds and eventIds (e.g. a session id).
    pub id_prefix: Option<String>,
    /// How many intent / event / fill ids are remembered (default 100000).
    pub dedupe_window: Option<f64>,
    /// How many freed trades stay findable for late fills (default 10000).
    pub retired_window: Option<f64>,
    /// At most one TradeMonitoringTick per slot per interval (default 1000).
    pub monitor_interval_ms: Option<f64>,
    /// Unacknowledged orders are cancelled on `tick` after this (default 5000, 0 = never).
    pub ack_timeout_ms: Option<f64>,
}

impl From<KernelConfig> for core::ConfigRaw {
    fn from(c: KernelConfig) -> Self {
        core::ConfigRaw {
            max_slots: c.max_slots,
            seed_capital: c.seed_capital,
            fees: c.fees.map(|f| core::FeesRaw {
                taker_rate: f.taker_rate,
                maker_rate: f.maker_rate,
                lot_step: f.lot_step,
                tick_size: f.tick_size,
                funding_interval_secs: f.funding_interval_secs,
            }),
            id_prefix: c.id_prefix,
            dedupe_window: c.dedupe_window,
            retired_window: c.retired_window,
            monitor_interval_ms: c.monitor_interval_ms,
            ack_timeout_ms: c.ack_timeout_ms,
        }
    }
}

#[napi(object)]
pub struct Intent {
    pub intent_id: String,
    #[napi(ts_type = "'ENTER' | 'EXIT' | 'CANCEL'")]
    pub action: String,
    pub asset: Option<String>,
    #[napi(ts_type = "'LONG' | 'SHORT'")]
    pub side: Option<String>,
    #[napi(ts_type = "'MARKET' | 'LIMIT'")]
    pub order_type: Option<String>,
    pub target_size: Option<f64>,
    pub reference_price: Option<f64>,
    pub limit_price: Option<f64>,
    pub leverage: Option<f64>,
    pub exit_leg_ratios: Option<Vec<f64>>,
    pub take_profit: Option<f64>,
    pub stop_loss: Option<f64>,
    /// ENTER: the lot the asset trades in at its venue, when coarser than
    /// the kernel's (a multiple of it): the entry and its exit legs are
    /// sized on it, so no leg is off the venue's grid.
    pub lot_step: Option<f64>,
    pub slot_id: Option<f64>,
    pub trade_id: Option<String>,
    pub reason: Option<String>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub ts: f64,
}

impl From<Intent> for input::IntentRaw {
    fn from(i: Intent) -> Self {
        input::IntentRaw {
            intent_id: i.intent_id,
            action: i.action,
            asset: i.asset,
            side: i.side,
            order_type: i.order_type,
            target_size: i.target_size,
            reference_price: i.reference_price,
            limit_price: i.limit_price,
            leverage: i.leverage,
            exit_leg_ratios: i.exit_leg_ratios,
            take_profit: i.take_profit,
            stop_loss: i.stop_loss,
            lot_step: i.lot_step,
            slot_id: i.slot_id,
            trade_id: i.trade_id,
            reason: i.reason,
            correlation_id: i.correlation_id,
            causation_id: i.causation_id,
            ts: i.ts,
        }
    }
}

#[napi(object)]
pub struct VenueEvent {
    pub event_id: String,
    #[napi(
        ts_type = "'ACK' | 'PARTIAL_FILL' | 'FILL' | 'CANCELED' | 'REJECTED' | 'RATE_LIMITED' | 'CANCEL_REJECTED' | 'EXPIRED'"
    )]
    pub kind: String,
    pub client_order_id: String,
    pub venue_order_id: Option<String>,
    /// The venue's execution id: a fill re-sent with the same id, qty and price counts once.
    pub venue_trade_id: Option<String>,
    pub price: Option<f64>,
    /// This execution's quantity.
    pub size: Option<f64>,
    pub fee: Option<f64>,
    #[napi(ts_type = "'MAKER' | 'TAKER'")]
    pub liquidity: Option<String>,
    pub retry_after_ms: Option<f64>,
    pub reason: Option<String>,
    pub ts: f64,
}

impl From<VenueEvent> for input::VenueEventRaw {
    fn from(e: VenueEvent) -> Self {
        input::VenueEventRaw {
            event_id: e.event_id,
            kind: e.kind,
            client_order_id: e.client_order_id,
            venue_order_id: e.venue_order_id,
            venue_trade_id: e.venue_trade_id,
            price: e.price,
            size: e.size,
            fee: e.fee,
            liquidity: e.liquidity,
            retry_after_ms: e.retry_after_ms,
            reason: e.reason,
            ts: e.ts,
        }
    }
}

#[napi(object)]
pub struct AccountEvent {
    pub event_id: Option<String>,
    #[napi(ts_type = "'FILL_SETTLED' | 'ACCOUNT_UPDATE' | 'FUNDING_FEE'")]
    pub kind: String,
    pub wallet_balance: Option<f64>,
    pub available_margin: Option<f64>,
    pub used_margin: Option<f64>,
    pub maint_margin: Option<f64>,
    /// FILL_SETTLED: the fee the exchange charged.
    pub fee: Option<f64>,
    pub realized_pnl: Option<f64>,
    /// FUNDING_FEE: positive when received.
    pub amount: Option<f64>,
    pub fill_price: Option<f64>,
    pub fill_qty: Option<f64>,
    #[napi(ts_type = "'MAKER' | 'TAKER'")]
    pub liquidity: Option<String>,
    pub ts: f64,
}

impl From<AccountEvent> for input::AccountEventRaw {
    fn from(e: AccountEvent) -> Self {
        input::AccountEventRaw {
            event_id: e.event_id,
            kind: e.kind,
            wallet_balance: e.wallet_balance,
            available_margin: e.available_margin,
            used_margin: e.used_margin,
            maint_margin: e.maint_margin,
            fee: e.fee,
            realized_pnl: e.realized_pnl,
            amount: e.amount,
            fill_price: e.fill_price,
            fill_qty: e.fill_qty,
            liquidity: e.liquidity,
            ts: e.ts,
        }
    }
}

#[napi(object)]
pub struct FeeCalibrationInput {
    pub fill_price: f64,
    pub fill_qty: f64,
    pub actual_fee: f64,
    #[napi(ts_type = "'MAKER' | 'TAKER'")]
    pub liquidity: Option<String>,
}

#[napi(object)]
pub struct ControlInput {
    #[napi(ts_type = "'ACTIVE' | 'REDUCING' | 'HALTED'")]
    pub mode: String,
    #[napi(ts_type = "'QUIET' | 'NORMAL' | 'DEBUG'")]
    pub verbosity: Option<String>,
    pub journal_transitions: Option<bool>,
}

#[napi(object)]
pub struct VenueOrderReport {
    pub client_order_id: String,
    pub venue_order_id: Option<String>,
    pub asset: Option<String>,
    #[napi(ts_type = "'BUY' | 'SELL'")]
    pub side: Option<String>,
    pub size: Option<f64>,
    pub filled_size: Option<f64>,
}

#[napi(object)]
pub struct PositionReport {
    pub asset: String,
    #[napi(ts_type = "'LONG' | 'SHORT'")]
    pub side: String,
    pub size: f64,
    pub entry_price: Option<f64>,
}

#[napi(object)]
pub struct ReconcileInput {
    pub open_orders: Vec<VenueOrderReport>,
    /// Leave out only when the venue gave no position report: never read as flat.
    pub positions: Option<Vec<PositionReport>>,
    pub ts: Option<f64>,
}

impl From<ReconcileInput> for input::ReconcileRaw {
    fn from(r: ReconcileInput) -> Self {
        input::ReconcileRaw {
            open_orders: r
                .open_orders
                .into_iter()
                .map(|o| input::VenueOrderRaw {
                    client_order_id: o.client_order_id,
                    venue_order_id: o.venue_order_id,
                    asset: o.asset,
                    side: o.side,
                    size: o.size,
                    filled_size: o.filled_size,
                })
                .collect(),
            positions: r.positions.map(|ps| {
                ps.into_iter()
                    .map(|p| input::PositionRaw {
                        asset: p.asset,
                        side: p.side,
                        size: p.size,
                        entry_price: p.entry_price,
                    })
                    .collect()
            }),
            ts: r.ts,
        }
    }
}

#[napi(object)]
pub struct Transition {
    pub slot_id: u32,
    pub prev_state: String,
    pub next_state: String,
    pub trigger: String,
    pub intent_id: Option<String>,
    pub event_id: Option<String>,
}

#[napi(object)]
pub struct DomainEvent {
    #[napi(js_name = "type")]
    pub kind: String,
    pub event_id: String,
    pub seq: i64,
    pub correlation_id: String,
    pub causation_id: String,
    pub ts: i64,
    pub slot_id: u32,
    pub trade_id: String,
    pub intent_id: Option<String>,
    pub client_order_id: Option<String>,
    pub venue_order_id: Option<String>,
    pub venue_event_id: Option<String>,
    pub asset: Option<String>,
    #[napi(ts_type = "'LONG' | 'SHORT'")]
    pub side: Option<String>,
    #[napi(ts_type = "'BUY' | 'SELL'")]
    pub order_side: Option<String>,
    pub order_type: Option<String>,
    pub size: Option<f64>,
    pub price: Option<f64>,
    pub fee: Option<f64>,
    pub liquidity: Option<String>,
    pub filled_size: Option<f64>,
    pub avg_price: Option<f64>,
    pub realized_pnl: Option<f64>,
    pub unrealized_pnl: Option<f64>,
    pub mark_price: Option<f64>,
    pub reason: Option<String>,
    pub close_reason: Option<String>,
    pub reduce_only: Option<bool>,
}

#[napi(object)]
pub struct VenueCommand {
    #[napi(ts_type = "'PLACE' | 'CANCEL'")]
    pub kind: String,
    pub client_order_id: String,
    pub trade_id: String,
    pub slot_id: u32,
    pub asset: String,
    #[napi(ts_type = "'BUY' | 'SELL'")]
    pub side: String,
    #[napi(ts_type = "'MARKET' | 'LIMIT'")]
    pub order_type: String,
    pub size: f64,
    pub limit_price: Option<f64>,
    pub reduce_only: bool,
}

#[napi(object)]
pub struct Diagnostic {
    pub code: String,
    pub severity: String,
    pub slot_id: Option<u32>,
    pub client_order_id: Option<String>,
    pub asset: Option<String>,
    pub message: String,
}

#[napi(object)]
pub struct Outcome {
    pub accepted: bool,
    pub diagnostic_code: String,
    #[napi(ts_type = "'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL'")]
    pub severity: String,
    pub slot_id: Option<u32>,
    pub trade_id: Option<String>,
    pub state: Option<String>,
    pub transitions: Vec<Transition>,
    pub events: Vec<DomainEvent>,
    pub venue_commands: Vec<VenueCommand>,
    pub details: HashMap<String, String>,
    /// FILL_BEFORE_ACK, LATE_FILL, OVERFILL, REVIVED, RETRY.
    pub flags: Vec<String>,
    pub retryable: bool,
    pub retry_after_ms: Option<i64>,
    pub retry_at: Option<i64>,
    /// Findings beyond the main code (reconcile lists one per difference).
    pub diagnostics: Vec<Diagnostic>,
}

fn event(e: outcome::DomainEvent, prefix: &str) -> DomainEvent {
    DomainEvent {
        kind: e.kind.as_str().to_string(),
        event_id: outcome::event_id(prefix, e.seq),
        seq: e.seq as i64,
        correlation_id: e.correlation_id.to_string(),
        causation_id: e.causation.render(prefix),
        ts: e.ts,
        slot_id: e.slot_id,
        trade_id: e.trade_id.to_string(),
        intent_id: text(e.intent_id),
        client_order_id: text(e.client_order_id),
        venue_order_id: text(e.venue_order_id),
        venue_event_id: text(e.venue_event_id),
        asset: text(e.asset),
        side: e.side.map(|s| s.as_str().to_string()),
        order_side: e.order_side.map(|s| s.as_str().to_string()),
        order_type: e.order_type.map(|s| s.as_str().to_string()),
        size: opt_num(e.size),
        price: opt_num(e.price),
        fee: opt_num(e.fee),
        liquidity: e.liquidity.map(|s| s.as_str().to_string()),
        filled_size: opt_num(e.filled_size),
        avg_price: opt_num(e.avg_price),
        realized_pnl: opt_num(e.realized_pnl),
        unrealized_pnl: opt_num(e.unrealized_pnl),
        mark_price: opt_num(e.mark_price),
        reason: text(e.reason),
        close_reason: e.close_reason.map(|s| s.as_str().to_string()),
        reduce_only: e.reduce_only,
    }
}

fn to_js(o: outcome::Outcome, prefix: &str) -> Outcome {
    let retryable = o.retryable();
    let o = o.into_body();
    Outcome {
        accepted: o.accepted,
        diagnostic_code: o.code.as_str().to_string(),
        severity: o.severity.as_str().to_string(),
        slot_id: o.slot_id,
        trade_id: text(o.trade_id),
        state: o.state.map(|s| s.as_str().to_string()),
        transitions: o
            .transitions
            .into_iter()
            .map(|t| Transition {
                slot_id: t.slot_id,
                prev_state: t.prev.as_str().to_string(),
                next_state: t.next.as_str().to_string(),
                trigger: t.trigger.as_str().to_string(),
                intent_id: text(t.intent_id),
                event_id: text(t.event_id),
            })
            .collect(),
        events: o.events.into_iter().map(|e| event(e, prefix)).collect(),
        venue_commands: o
            .commands
            .into_iter()
            .map(|c| VenueCommand {
                kind: c.kind.as_str().to_string(),
                client_order_id: c.client_order_id.to_string(),
                trade_id: c.trade_id.to_string(),
                slot_id: c.slot_id,
                asset: c.asset.to_string(),
                side: c.side.as_str().to_string(),
                order_type: c.order_type.as_str().to_string(),
                size: num(c.size),
                limit_price: opt_num(c.limit_price),
                reduce_only: c.reduce_only,
            })
            .collect(),
        details: details(o.details),
        flags: o.flags.iter().map(|f| f.as_str().to_string()).collect(),
        retryable,
        retry_after_ms: o.retry_after_ms,
        retry_at: o.retry_at,
        diagnostics: o
            .diagnostics
            .into_iter()
            .map(|d| Diagnostic {
                code: d.code.as_str().to_string(),
                severity: d.severity.as_str().to_string(),
                slot_id: d.slot_id,
                client_order_id: text(d.client_order_id),
                asset: text(d.asset),
                message: d.message,
            })
            .collect(),
    }
}

#[napi(object)]
pub struct SlotSnapshot {
    pub slot_id: u32,
    /// The stage, e.g. IDLE, ENTRY_WORKING, OPEN, EXIT_PARTIAL.
    pub state: String,
    pub free: bool,
    pub busy: bool,
    pub trade_id: Option<String>,
    pub correlation_id: Option<String>,
    pub asset: Option<String>,
    #[napi(ts_type = "'LONG' | 'SHORT'")]
    pub side: Option<String>,
    /// Σ signed fills, within [0, initialSize].
    pub size: f64,
    /// Filled entry size.
    pub initial_size: f64,
    /// Average entry price.
    pub entry_price: f64,
    pub mark_price: Option<f64>,
    pub unrealized_pnl: f64,
    pub realized_pnl: f64,
    pub fees: f64,
    pub leverage: f64,
    pub exit_leg_ratios: Vec<f64>,
    pub active_leg_index: u32,
    pub working_order_id: Option<String>,
    pub entry_order_id: Option<String>,
    pub take_profit: Option<f64>,
    pub stop_loss: Option<f64>,
    pub opened_at: Option<i64>,
    pub close_reason: Option<String>,
    pub flatten_pending: bool,
    /// When a request held back by a rate limit is re-sent (on `tick`).
    pub retry_at: Option<i64>,
    pub last_trade_id: Option<String>,
    pub last_close_reason: Option<String>,
    pub last_realized_pnl: Option<f64>,
}

fn slot_js(s: core::SlotView) -> SlotSnapshot {
    SlotSnapshot {
        slot_id: s.slot_id,
        state: s.stage.as_str().to_string(),
        free: s.free,
        busy: !s.free,
        trade_id: text(s.trade_id),
        correlation_id: text(s.correlation_id),
        asset: text(s.asset),
        side: s.side.map(|x| x.as_str().to_string()),
        size: num(s.size),
        initial_size: num(s.initial_size),
        entry_price: num(s.entry_price),
        mark_price: opt_num(s.mark_price),
        unrealized_pnl: num(s.unrealized_pnl),
        realized_pnl: num(s.realized_pnl),
        fees: num(s.fees),
        leverage: num(s.leverage),
        exit_leg_ratios: s.exit_leg_ratios.into_iter().map(num).collect(),
        active_leg_index: s.active_leg_index,
        working_order_id: text(s.working_order_id),
        entry_order_id: text(s.entry_order_id),
        take_profit: opt_num(s.take_profit),
        stop_loss: opt_num(s.stop_loss),
        opened_at: s.opened_at,
        close_reason: s.close_reason.map(|x| x.as_str().to_string()),
        flatten_pending: s.flatten_pending,
        retry_at: s.retry_at,
        last_trade_id: text(s.last_trade_id),
        last_close_reason: s.last_close_reason.map(|x| x.as_str().to_string()),
        last_realized_pnl: opt_num(s.last_realized_pnl),
    }
}

#[napi(object)]
pub struct AccountSnapshot {
    pub seed_capital: f64,
    /// K capital: seedCapital + realizedPnl − feesPaid + fundingNet.
    pub capital: f64,
    /// capital + unrealizedPnl.
    pub equity: f64,
    /// Gross of fees.
    pub realized_pnl: f64,
    pub unrealized_pnl: f64,
    pub fees_paid: f64,
    pub funding_net: f64,
    /// Margin held by open trades in the K ledger: Σ size × entry / leverage.
    pub margin_k: f64,
    pub open_positions: u32,
    /// Positions revived by late entry fills with no free slot.
    pub orphan_positions: u32,
    pub wallet_balance: Option<f64>,
    pub available_margin: Option<f64>,
    pub used_margin: Option<f64>,
    pub maint_margin: Option<f64>,
    /// E's availableMargin when reported, else K equity − K margin.
    pub available_capital: f64,
    #[napi(ts_type = "'OK' | 'DRIFT' | 'MISMATCH'")]
    pub reconcile_status: String,
    /// E walletBalance − K capital (0 without E).
    pub reconcile_delta: f64,
    pub reconcile_explanation: String,
    pub settled_fees: f64,
    pub settled_fills: i64,
    /// Last domain event seq.
    pub event_seq: i64,
    /// The verdict on the account event that produced this snapshot (OK for reads).
    pub diagnostic_code: String,
    pub details: HashMap<String, String>,
}

fn account_js(a: core::AccountView) -> AccountSnapshot {
    let e = a.exchange.as_ref();
    AccountSnapshot {
        seed_capital: num(a.seed_capital),
        capital: num(a.capital),
        equity: num(a.equity),
        realized_pnl: num(a.realized_pnl),
        unrealized_pnl: num(a.unrealized_pnl),
        fees_paid: num(a.fees_paid),
        funding_net: num(a.funding_net),
        margin_k: num(a.margin_k),
        open_positions: a.open_positions,
        orphan_positions: a.orphan_positions,
        wallet_balance: e.map(|e| num(e.wallet_balance)),
        available_margin: e.and_then(|e| opt_num(e.available_margin)),
        used_margin: e.and_then(|e| opt_num(e.used_margin)),
        maint_margin: e.and_then(|e| opt_num(e.maint_margin)),
        available_capital: num(a.available_capital),
        reconcile_status: a.reconcile.status.as_str().to_string(),
        reconcile_delta: num(a.reconcile.delta),
        reconcile_explanation: a.reconcile.explanation,
        settled_fees: num(a.settled_fees),
        settled_fills: a.settled_fills as i64,
        event_seq: a.event_seq as i64,
        diagnostic_code: a.code.as_str().to_string(),
        details: details(a.details),
    }
}

#[napi(object)]
pub struct ControlSnapshot {
    #[napi(ts_type = "'ACTIVE' | 'REDUCING' | 'HALTED'")]
    pub mode: String,
    #[napi(ts_type = "'QUIET' | 'NORMAL' | 'DEBUG'")]
    pub verbosity: String,
    pub journal_transitions: bool,
    pub kill_switch_at: Option<i64>,
    /// OK, or INVALID_INTENT naming the field when setControl was refused.
    pub diagnostic_code: String,
    pub details: HashMap<String, String>,
}

fn control_js(c: core::ControlView) -> ControlSnapshot {
    ControlSnapshot {
        mode: c.mode.as_str().to_string(),
        verbosity: c.verbosity.as_str().to_string(),
        journal_transitions: c.journal_transitions,
        kill_switch_at: c.kill_switch_at,
        diagnostic_code: c.code.as_str().to_string(),
        details: details(c.details),
    }
}

#[napi(object)]
pub struct FeeCalibration {
    pub expected_fee: f64,
    pub actual_fee: f64,
    pub ratio: f64,
    pub deviation_pct: f64,
    /// OK (< 1 %), WARN (< 5 %), ERROR (≥ 5 %); INVALID when the input was refused.
    #[napi(ts_type = "'OK' | 'WARN' | 'ERROR' | 'INVALID'")]
    pub status: String,
    pub calibration_ratio: f64,
    pub samples: i64,
    pub diagnostic_code: String,
    pub details: HashMap<String, String>,
}

/// The outcomes of a packed method: decode with `decodeOutcomes` of
/// `native/packed.ts` (the layout is described in `native/src/packed.rs`).
/// The numbers go into the caller's `out` array when they fit; else into
/// `nums`, a new array V8 owns (external buffers would be invisible to its
/// heap accounting, and garbage piled up between batches), and `out` holds
/// a part of them, to be ignored.
#[napi(object)]
pub struct PackedOutcomes<'env> {
    /// The batch's new strings, concatenated.
    pub text: String,
    /// Set only when `out` was too small: the batch's numbers.
    pub nums: Option<Float64ArraySlice<'env>>,
}

#[napi]
pub struct Kernel {
    inner: core::Kernel,
    /// The buffers of the packed methods, kept between calls.
    packer: Packer,
    venue_events: Batch<input::VenueEventRaw>,
    intents: Batch<input::IntentRaw>,
    marks: Batch<input::MarkRaw>,
    recording: Recording,
}

/// The benchmark's methods (`benchRecordPacked`, `benchReplayPacked`,
/// `seedJsonCall`, `seedJsonSlot`): only `npm run bench:kernel` calls them, so
/// only its addon, built with the cargo feature `bench`, has them.
#[cfg(feature = "bench")]
mod bench;
#[cfg(feature = "bench")]
use bench::Recording;

/// Without the `bench` feature nothing is recorded: this stands in for the
/// benchmark's recorder so the packed methods read the same in both builds,
/// and compiles to nothing. (Braced, not a unit struct, so `wrap`'s
/// `Recording::default()` suits both builds.)
#[cfg(not(feature = "bench"))]
#[derive(Default)]
struct Recording {}

#[cfg(not(feature = "bench"))]
impl Recording {
    fn begin(&mut self) {}
    fn keep(&mut self, _record: usize, _o: &outcome::Outcome) {}
    fn end(&mut self) {}
}

fn js_error(e: core::KernelError) -> Error {
    Error::new(Status::InvalidArg, e.to_string())
}

/// The bytes a slice covers.
fn bytes<T>(s: &[T]) -> std::ops::Range<usize> {
    let r = s.as_ptr_range();
    r.start as usize..r.end as usize
}

/// The caller's output array, to write the outcomes into; refused when it
/// shares memory with the input.
fn writable<'a>(out: &'a mut Float64ArraySlice, nums: &[f64], ends: &[u32]) -> Result<&'a mut [f64]> {
    let o = bytes(out);
    for (name, r) in [("nums", bytes(nums)), ("ends", bytes(ends))] {
        if r.start < o.end && o.start < r.end {
            return Err(Error::new(Status::InvalidArg, format!("packed input: `out` shares memory with `{name}`")));
        }
    }
    // SAFETY: the call is synchronous, so no JS touches the array while Rust
    // holds the slice, and no other slice of this call overlaps it.
    Ok(unsafe { out.as_mut() })
}

fn bad_input(e: BadInput) -> Error {
    Error::new(Status::InvalidArg, e.to_string())
}

impl Kernel {
    fn wrap(inner: core::Kernel) -> Self {
        Kernel {
            inner,
            packer: Packer::default(),
            venue_events: Batch::default(),
            intents: Batch::default(),
            marks: Batch::default(),
            recording: Recording::default(),
        }
    }
}

/// Starts a packed answer, written into `out`, for an input of `strings`
/// (`nums`, already read, holds the header).
fn begin<'a>(
    packer: &'a mut Packer,
    recording: &mut Recording,
    out: &'a mut [f64],
    strings: &Strings,
    nums: &[f64],
) -> Answer<'a> {
    recording.begin();
    packer.begin(out, strings.len(), nums[1])
}

/// Ends a packed answer: the numbers are in `out` when they fit, else in a new array.
fn answered<'env>(env: &'env Env, answer: Answer, recording: &mut Recording) -> Result<PackedOutcomes<'env>> {
    recording.end();
    let (nums, text) = answer.finish();
    let nums = match nums {
        Numbers::InOut(_) => None,
        Numbers::Spilled(nums) => Some(Float64ArraySlice::copy_from(env, &nums)?),
    };
    Ok(PackedOutcomes { text: text.to_string(), nums })
}

impl Kernel {
    /// One packed call: reads the whole batch (refusing it, with nothing
    /// applied, when malformed), applies each record with `apply`, and packs
    /// every outcome it gives, in order. The batch's storage is taken out of
    /// `self` while its records are applied, and put back for the next call.
    #[allow(clippy::too_many_arguments)]
    fn packed<'env, R: packed::Record, O: IntoIterator<Item = outcome::Outcome>>(
        &mut self,
        env: &'env Env,
        batch: fn(&mut Kernel) -> &mut Batch<R>,
        nums: &[f64],
        text: &Utf16String,
        ends: &[u32],
        out: &mut Float64ArraySlice,
        apply: impl FnMut(&mut core::Kernel, &R) -> O,
    ) -> Result<PackedOutcomes<'env>> {
        let out = writable(out, nums, ends)?;
        let strings = Strings::new(text, ends).map_err(bad_input)?;
        batch(self).read(nums, &strings).map_err(bad_input)?;
        let records = std::mem::take(batch(self));
        let mut answer = begin(&mut self.packer, &mut self.recording, out, &strings, nums);
        let recording = &mut self.recording;
        answer.apply(&mut self.inner, &records, &strings, apply, |kernel, record, o| {
            recording.keep(record, &o);
            kernel.recycle(o);
        });
        let answer = answered(env, answer, &mut self.recording);
        *batch(self) = records;
        answer
    }
}

#[napi]
impl Kernel {
    #[napi(constructor)]
    pub fn new(config: KernelConfig) -> Result<Self> {
        core::Kernel::new(&config.into()).map(Kernel::wrap).map_err(js_error)
    }

    /// Continues exactly where `snapshot()` was taken. Throws on a corrupt snapshot.
    #[napi(factory)]
    pub fn restore(snapshot: String) -> Result<Self> {
        core::Kernel::restore(&snapshot).map(Kernel::wrap).map_err(js_error)
    }

    fn prefix(&self) -> String {
        self.inner.config().id_prefix.clone()
    }

    #[napi(ts_return_type = "Outcome")]
    pub fn submit_intent(&mut self, #[napi(ts_arg_type = "Intent")] intent: Read<Intent>) -> Shaped<Outcome> {
        let o = self.inner.submit_intent(&intent.0.into());
        Shaped(to_js(o, &self.prefix()))
    }

    /// What `submitIntent` would answer the intent's shape alone (numbers,
    /// ids, grid, protective levels): its INVALID_INTENT refusal naming the
    /// field and value, or an accepted outcome with nothing in it. Ids seen,
    /// the mode and the slots are not looked at; the kernel is unchanged.
    #[napi(ts_return_type = "Outcome")]
    pub fn check_intent(&self, #[napi(ts_arg_type = "Intent")] intent: Read<Intent>) -> Shaped<Outcome> {
        let o = self.inner.check_intent(&intent.0.into());
        Shaped(to_js(o, &self.prefix()))
    }

    #[napi(ts_return_type = "Outcome")]
    pub fn on_venue_event(&mut self, #[napi(ts_arg_type = "VenueEvent")] event: Read<VenueEvent>) -> Shaped<Outcome> {
        let o = self.inner.on_venue_event(&event.0.into());
        Shaped(to_js(o, &self.prefix()))
    }

    /// A burst in one call: one outcome per event, in order.
    #[napi(ts_return_type = "Array<Outcome>")]
    pub fn on_venue_events(
        &mut self,
        #[napi(ts_arg_type = "Array<VenueEvent>")] events: Vec<Read<VenueEvent>>,
    ) -> Shaped<Vec<Outcome>> {
        let prefix = self.prefix();
        Shaped(events.into_iter().map(|e| to_js(self.inner.on_venue_event(&e.0.into()), &prefix)).collect())
    }

    /// The words the packed outcomes refer to by index (`native/packed.ts` fetches them once).
    #[napi]
    pub fn packed_words(&self) -> Vec<&'static str> {
        packed::words()
    }

    /// The bulk form of `onVenueEvents`: the events packed by
    /// `encodeVenueEvents` of `native/packed.ts`; the answer decodes to the
    /// `Outcome[]` the typed call returns. Throws, with nothing applied, when
    /// the input is malformed (naming the record and the fault).
    #[napi]
    pub fn on_venue_events_packed<'env>(
        &mut self,
        env: &'env Env,
        nums: &[f64],
        text: Utf16String,
        ends: &[u32],
        mut out: Float64ArraySlice,
    ) -> Result<PackedOutcomes<'env>> {
        self.packed(
            env,
            |k| &mut k.venue_events,
            nums,
            &text,
            ends,
            &mut out,
            |k, e| std::iter::once(k.on_venue_event(e)),
        )
    }

    /// The bulk form of `submitIntent`: intents packed by `encodeIntents`
    /// in, one outcome per intent, in order, out.
    #[napi]
    pub fn submit_intents_packed<'env>(
        &mut self,
        env: &'env Env,
        nums: &[f64],
        text: Utf16String,
        ends: &[u32],
        mut out: Float64ArraySlice,
    ) -> Result<PackedOutcomes<'env>> {
        self.packed(env, |k| &mut k.intents, nums, &text, ends, &mut out, |k, i| std::iter::once(k.submit_intent(i)))
    }

    /// The bulk form of `markPrice`: marks packed by `encodeMarks` in; out,
    /// every mark's outcomes in order, flattened (as `marks.flatMap(markPrice)`).
    #[napi]
    pub fn mark_prices_packed<'env>(
        &mut self,
        env: &'env Env,
        nums: &[f64],
        text: Utf16String,
        ends: &[u32],
        mut out: Float64ArraySlice,
    ) -> Result<PackedOutcomes<'env>> {
        self.packed(env, |k| &mut k.marks, nums, &text, ends, &mut out, |k, m| k.mark_price(&m.asset, m.price, m.ts))
    }

    #[napi(ts_return_type = "Array<Outcome>")]
    pub fn mark_price(&mut self, asset: String, price: f64, ts: f64) -> Shaped<Vec<Outcome>> {
        let prefix = self.prefix();
        Shaped(self.inner.mark_price(&asset, price, ts).into_iter().map(|o| to_js(o, &prefix)).collect())
    }

    /// The clock: re-sends rate-limited requests that are due and cancels
    /// orders unacknowledged past ackTimeoutMs.
    #[napi(ts_return_type = "Array<Outcome>")]
    pub fn tick(&mut self, ts: f64) -> Shaped<Vec<Outcome>> {
        let prefix = self.prefix();
        Shaped(self.inner.tick(ts).into_iter().map(|o| to_js(o, &prefix)).collect())
    }

    /// HALTED, a cancel for every working order, a reduce-only close for every open position.
    #[napi(ts_return_type = "Outcome")]
    pub fn kill_switch(&mut self, ts: f64) -> Shaped<Outcome> {
        let o = self.inner.kill_switch(ts);
        Shaped(to_js(o, &self.prefix()))
    }

    #[napi(ts_return_type = "AccountSnapshot")]
    pub fn on_account_event(&mut self, event: AccountEvent) -> Shaped<AccountSnapshot> {
        Shaped(account_js(self.inner.on_account_event(&event.into())))
    }

    #[napi]
    pub fn calibrate_fee(&mut self, input: FeeCalibrationInput) -> FeeCalibration {
        let v = self.inner.calibrate_fee(&input::CalibrationRaw {
            fill_price: input.fill_price,
            fill_qty: input.fill_qty,
            actual_fee: input.actual_fee,
            liquidity: input.liquidity,
        });
        let r = v.report;
        FeeCalibration {
            expected_fee: r.map_or(0.0, |r| num(r.expected_fee)),
            actual_fee: r.map_or(0.0, |r| num(r.actual_fee)),
            ratio: r.map_or(0.0, |r| num(r.ratio)),
            deviation_pct: r.map_or(0.0, |r| num(r.deviation_pct)),
            status: r.map_or("INVALID", |r| r.status.as_str()).to_string(),
            calibration_ratio: num(v.calibration_ratio),
            samples: v.samples as i64,
            diagnostic_code: v.code.as_str().to_string(),
            details: details(v.details),
        }
    }

    #[napi]
    pub fn set_control(&mut self, control: ControlInput) -> ControlSnapshot {
        control_js(self.inner.set_control(&input::ControlRaw {
            mode: control.mode,
            verbosity: control.verbosity,
            journal_transitions: control.journal_transitions,
        }))
    }

    #[napi]
    pub fn control(&self) -> ControlSnapshot {
        control_js(self.inner.control())
    }

    #[napi(ts_return_type = "Array<SlotSnapshot>")]
    pub fn slots(&self) -> Shaped<Vec<SlotSnapshot>> {
        Shaped(self.inner.slots().into_iter().map(slot_js).collect())
    }

    /// One slot as `slots()` has it, without building the others (the host
    /// looks one up per command); `null` past the last slot. A `slotId`
    /// that is not a whole number ≥ 0 is refused by name.
    #[napi(ts_return_type = "SlotSnapshot | null")]
    pub fn slot(&self, slot_id: f64) -> Result<Shaped<Option<SlotSnapshot>>> {
        if !slot_id.is_finite() || slot_id != slot_id.trunc() || slot_id < 0.0 {
            let value = input::js_number(slot_id);
            return Err(Error::new(Status::InvalidArg, format!("slotId: expected a whole number ≥ 0, got {value}")));
        }
        Ok(Shaped(u32::try_from(slot_id as u64).ok().and_then(|i| self.inner.slot(i)).map(slot_js)))
    }

    #[napi(ts_return_type = "AccountSnapshot")]
    pub fn account(&self) -> Shaped<AccountSnapshot> {
        Shaped(account_js(self.inner.account()))
    }

    /// Last mark price per asset.
    #[napi]
    pub fn marks(&self) -> HashMap<String, f64> {
        self.inner.marks().into_iter().map(|(a, p)| (a.to_string(), num(p))).collect()
    }

    #[napi]
    pub fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    #[napi(ts_return_type = "Outcome")]
    pub fn reconcile(&mut self, report: ReconcileInput) -> Shaped<Outcome> {
        let o = self.inner.reconcile(&report.into());
        Shaped(to_js(o, &self.prefix()))
    }

    /// The stage table as Markdown (the one in docs/KERNEL.md).
    #[napi]
    pub fn stage_table() -> String {
        core::stage::markdown_table()
    }
}

#[cfg(test)]
mod tests {
    use crate::kernel::types::{
        AccountEventKind, Action, CalibrationStatus, CommandKind, Liquidity, Mode, OrderSide, OrderType,
        ReconcileStatus, Severity, Side, VenueKind, Verbosity,
    };

    /// `'A' | 'B' | …`, as a `ts_type` writes a vocabulary.
    fn union(words: impl IntoIterator<Item = &'static str>) -> String {
        words.into_iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" | ")
    }

    fn union_of<T: Copy>(all: &[T], text: fn(T) -> &'static str) -> String {
        union(all.iter().map(|&w| text(w)))
    }

    /// The TypeScript unions of index.d.ts are written by hand in the
    /// `ts_type`s above: each must list its kernel vocabulary whole and in
    /// order, so a word added to an enum cannot be missing from the types
    /// JS callers (and native/test/fixtures.ts) check against.
    #[test]
    fn ts_types_list_every_word_of_the_kernel_vocabularies() {
        let source = include_str!("binding.rs");
        let unions = [
            union_of(Action::ALL, Action::as_str),
            union_of(Side::ALL, Side::as_str),
            union_of(OrderSide::ALL, OrderSide::as_str),
            union_of(OrderType::ALL, OrderType::as_str),
            union_of(Liquidity::ALL, Liquidity::as_str),
            union_of(VenueKind::ALL, VenueKind::as_str),
            union_of(Mode::ALL, Mode::as_str),
            union_of(Verbosity::ALL, Verbosity::as_str),
            union_of(Severity::ALL, Severity::as_str),
            union_of(AccountEventKind::ALL, AccountEventKind::as_str),
            union_of(CommandKind::ALL, CommandKind::as_str),
            union_of(ReconcileStatus::ALL, ReconcileStatus::as_str),
            // A refused calibration answers INVALID, beside the kernel's three.
            union(CalibrationStatus::ALL.iter().map(|w| w.as_str()).chain(["INVALID"])),
        ];
        for u in unions {
            assert!(source.contains(&format!("ts_type = \"{u}\"")), "no ts_type lists {u}");
        }
    }
}
