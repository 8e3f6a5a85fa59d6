//! The pure execution kernel: no napi, no I/O, no clock.
//!
//! `Kernel` owns a fixed number of slots; each walks the stage machine of
//! `stage.rs`. Every input returns an `Outcome` and changes nothing when it
//! is refused. All state that decides future outputs lives in `State`, which
//! is what `snapshot()` serializes; the indexes beside it are rebuilt from it
//! on `restore`, so a restored kernel continues byte for byte.

pub mod account;
pub mod fees;
pub mod fixed;
mod free;
pub mod input;
pub mod model;
pub mod outcome;
pub mod seen;
pub mod stage;
pub mod types;

mod intents;
mod invariants;
mod monitor;
mod orders;
mod orphans;
mod reconcile;
mod retired;
pub mod seed_json;
mod venue;
mod views;

pub use views::{AccountView, ControlView, SlotView};

use account::Ledgers;
use fees::{Calibration, FeeModel};
use fixed::Fixed;
use free::FreeSlots;
use input::{Guard, Invalid};
use model::{Book, LastTrade, Orphan, Slot, Trade};
use outcome::{Cause, DomainEvent, Outcome, Spares, Transition};
use rustc_hash::FxHashMap as HashMap;
use seen::SeenIds;
use serde::{Deserialize, Serialize};
use stage::{Input, Stage};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;
use types::{Code, EventType, Id, Mode, Side, Verbosity};

/// Snapshot layout version; `restore` refuses any other. 2: orders keep
/// their fills (`Order::fills`) and the dedupe window no fill fingerprints.
const FORMAT: u32 = 2;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FeesRaw {
    pub taker_rate: Option<f64>,
    pub maker_rate: Option<f64>,
    pub lot_step: Option<f64>,
    pub tick_size: Option<f64>,
    pub funding_interval_secs: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConfigRaw {
    pub max_slots: f64,
    pub seed_capital: f64,
    pub fees: Option<FeesRaw>,
    pub id_prefix: Option<String>,
    pub dedupe_window: Option<f64>,
    pub retired_window: Option<f64>,
    pub monitor_interval_ms: Option<f64>,
    pub ack_timeout_ms: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    pub max_slots: u32,
    pub seed_capital: Fixed,
    pub fees: FeeModel,
    pub id_prefix: String,
    /// How many ids (intents, venue events, fills, account events) are remembered.
    pub dedupe_window: usize,
    /// How many freed trades stay findable for late fills.
    pub retired_window: usize,
    /// At most one TradeMonitoringTick per slot per this many ms.
    pub monitor_interval_ms: i64,
    /// An order unacknowledged this long is cancelled on `tick` (0: never).
    pub ack_timeout_ms: i64,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KernelError {
    #[error("invalid config: {field} = {value} ({reason})")]
    InvalidConfig { field: String, value: String, reason: &'static str },
    #[error("invalid snapshot: {0}")]
    InvalidSnapshot(String),
}

impl From<Invalid> for KernelError {
    fn from(i: Invalid) -> Self {
        KernelError::InvalidConfig { field: i.field, value: i.value, reason: i.reason }
    }
}

impl Config {
    pub fn parse(raw: &ConfigRaw) -> Result<Config, KernelError> {
        let g = Guard { code: Code::InvalidIntent };
        let defaults = FeeModel::default();
        let f = raw.fees.clone().unwrap_or_default();
        let rate = |field: &str, v: Option<f64>, d: Fixed| {
            v.map(|x| g.non_negative(field, x)).transpose().map(|o| o.unwrap_or(d))
        };
        let step =
            |field: &str, v: Option<f64>, d: Fixed| v.map(|x| g.positive(field, x)).transpose().map(|o| o.unwrap_or(d));
        let fees = FeeModel {
            taker_rate: rate("fees.takerRate", f.taker_rate, defaults.taker_rate)?,
            maker_rate: rate("fees.makerRate", f.maker_rate, defaults.maker_rate)?,
            lot_step: step("fees.lotStep", f.lot_step, defaults.lot_step)?,
            tick_size: step("fees.tickSize", f.tick_size, defaults.tick_size)?,
            funding_interval_secs: f
                .funding_interval_secs
                .map(|x| g.count("fees.fundingIntervalSecs", x, 1.0, 31_536_000.0))
                .transpose()?
                .map_or(defaults.funding_interval_secs, |v| v as i64),
        };
        let id_prefix = raw.id_prefix.clone().unwrap_or_default();
        if id_prefix.chars().count() > 64 {
            return Err(g.fail("idPrefix", id_prefix, "longer than 64 characters").into());
        }
        let opt_count = |field: &str, v: Option<f64>, min: f64, max: f64, d: u64| {
            v.map(|x| g.count(field, x, min, max)).transpose().map(|o| o.unwrap_or(d))
        };
        let seed_capital = g.non_negative("seedCapital", raw.seed_capital)?;
        Ok(Config {
            max_slots: g.count("maxSlots", raw.max_slots, 1.0, 100_000.0)? as u32,
            seed_capital,
            fees,
            id_prefix,
            dedupe_window: opt_count("dedupeWindow", raw.dedupe_window, 1.0, 10_000_000.0, 100_000)? as usize,
            retired_window: opt_count("retiredWindow", raw.retired_window, 1.0, 1_000_000.0, 10_000)? as usize,
            monitor_interval_ms: opt_count("monitorIntervalMs", raw.monitor_interval_ms, 0.0, 86_400_000.0, 1_000)?
                as i64,
            ack_timeout_ms: opt_count("ackTimeoutMs", raw.ack_timeout_ms, 0.0, 86_400_000.0, 5_000)? as i64,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlState {
    pub mode: Mode,
    pub verbosity: Verbosity,
    pub journal_transitions: bool,
    pub kill_switch_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    format: u32,
    config: Config,
    control: ControlState,
    slots: Vec<Slot>,
    book: Book,
    seen: SeenIds,
    ledgers: Ledgers,
    calibration: Calibration,
    /// Last domain event seq handed out.
    seq: u64,
    trade_counter: u64,
    marks: BTreeMap<Id, Fixed>,
    /// Late-revived exposure no slot could hold, by trade id.
    #[serde(default, rename = "orphanPositions")]
    orphans: BTreeMap<Id, Orphan>,
}

/// Protective prices of OPEN and ENTRY_PARTIAL trades on one asset, ordered so a mark pops
/// exactly the triggered ones.
#[derive(Clone, Debug, Default)]
struct Triggers {
    /// Fire when the mark rises to the price (long TP, short SL).
    up: BTreeSet<(Fixed, u32)>,
    /// Fire when the mark falls to the price (long SL, short TP).
    down: BTreeSet<(Fixed, u32)>,
}

/// Derived lookups, rebuilt from `State` on restore.
#[derive(Clone, Debug, Default)]
struct Index {
    free: FreeSlots,
    trades: HashMap<Id, u32>,
    /// Slots with exposure per asset, by the time their next tick is due.
    ticks: HashMap<Id, BTreeSet<(i64, u32)>>,
    triggers: HashMap<Id, Triggers>,
}

pub struct Kernel {
    s: State,
    ix: Index,
    /// Storage for outcomes, handed back by `recycle`; not state.
    spares: Spares,
}

fn up_down(trade: &Trade) -> (Option<Fixed>, Option<Fixed>) {
    match trade.side {
        Side::Long => (trade.take_profit, trade.stop_loss),
        Side::Short => (trade.stop_loss, trade.take_profit),
    }
}

/// A domain event of `trade` with the next kernel-wide, gap-free seq.
fn new_event(seq: &mut u64, kind: EventType, slot_id: u32, t: &Trade, cause: Cause, ts: i64) -> DomainEvent {
    *seq += 1;
    DomainEvent {
        kind,
        seq: *seq,
        correlation_id: t.correlation_id.clone(),
        causation: cause,
        ts,
        slot_id,
        trade_id: t.trade_id.clone(),
        intent_id: None,
        client_order_id: None,
        venue_order_id: None,
        venue_event_id: None,
        asset: Some(t.asset.clone()),
        side: Some(t.side),
        order_side: None,
        order_type: None,
        size: None,
        price: None,
        fee: None,
        liquidity: None,
        filled_size: None,
        avg_price: None,
        realized_pnl: None,
        unrealized_pnl: None,
        mark_price: None,
        reason: None,
        close_reason: None,
        reduce_only: None,
    }
}

/// The DEBUG detail of a transition. Out of line: formatting in
/// `set_stage` itself made every transition pay for its stack frame.
#[cold]
#[inline(never)]
fn rule_text(prev: Stage, trigger: Input, next: Stage) -> outcome::Detail {
    format!("{} + {} -> {}", prev.as_str(), trigger.as_str(), next.as_str()).into()
}

impl Kernel {
    pub fn new(raw: &ConfigRaw) -> Result<Kernel, KernelError> {
        let config = Config::parse(raw)?;
        let slots = (0..config.max_slots).map(|id| Slot { id, stage: Stage::Idle, trade: None, last: None }).collect();
        let s = State {
            format: FORMAT,
            ledgers: Ledgers { seed_capital: config.seed_capital, ..Ledgers::default() },
            book: Book::new(config.retired_window),
            seen: SeenIds::new(config.dedupe_window),
            config,
            control: ControlState {
                mode: Mode::Active,
                verbosity: Verbosity::Normal,
                journal_transitions: true,
                kill_switch_at: None,
            },
            slots,
            calibration: Calibration::default(),
            seq: 0,
            trade_counter: 0,
            marks: BTreeMap::new(),
            orphans: BTreeMap::new(),
        };
        Ok(Kernel::with_index(s))
    }

    fn with_index(s: State) -> Kernel {
        let ix = Index { free: FreeSlots::new(s.config.max_slots), ..Index::default() };
        let mut k = Kernel { s, ix, spares: Spares::default() };
        for i in 0..k.s.slots.len() {
            let slot = &k.s.slots[i];
            match &slot.trade {
                None => {
                    k.ix.free.insert(slot.id);
                }
                Some(_) => k.index_trade(slot.id),
            }
        }
        k
    }

    /// Adds a slot's trade to the lookups (its stage decides trigger arming).
    fn index_trade(&mut self, slot_id: u32) {
        let slot = &self.s.slots[slot_id as usize];
        let Some(t) = &slot.trade else { return };
        self.ix.free.remove(slot_id);
        self.ix.trades.insert(t.trade_id.clone(), slot_id);
        if t.size.is_positive() {
            let due = t.last_tick_ts.map_or(i64::MIN, |ts| ts.saturating_add(self.s.config.monitor_interval_ms));
            self.ix.ticks.entry(t.asset.clone()).or_default().insert((due, slot_id));
        }
        if slot.stage.is_armed() {
            self.arm(slot_id);
        }
    }

    fn unindex_trade(&mut self, slot_id: u32) {
        let slot = &self.s.slots[slot_id as usize];
        let Some(t) = &slot.trade else { return };
        self.ix.trades.remove(&t.trade_id);
        let due = t.last_tick_ts.map_or(i64::MIN, |ts| ts.saturating_add(self.s.config.monitor_interval_ms));
        if let Some(q) = self.ix.ticks.get_mut(&t.asset) {
            q.remove(&(due, slot_id));
        }
        // As in `index_trade`: a slot that left OPEN or ENTRY_PARTIAL was disarmed by `set_stage`.
        if slot.stage.is_armed() {
            self.disarm(slot_id);
        }
        self.ix.free.insert(slot_id);
    }

    /// Puts a trade that just gained exposure on its asset's tick queue.
    fn start_monitoring(&mut self, slot_id: u32) {
        if let Some(t) = &self.s.slots[slot_id as usize].trade {
            let due = t.last_tick_ts.map_or(i64::MIN, |ts| ts.saturating_add(self.s.config.monitor_interval_ms));
            self.ix.ticks.entry(t.asset.clone()).or_default().insert((due, slot_id));
        }
    }

    fn arm(&mut self, slot_id: u32) {
        let Some(t) = &self.s.slots[slot_id as usize].trade else { return };
        let (up, down) = up_down(t);
        if up.is_none() && down.is_none() {
            return;
        }
        let tr = self.ix.triggers.entry(t.asset.clone()).or_default();
        if let Some(p) = up {
            tr.up.insert((p, slot_id));
        }
        if let Some(p) = down {
            tr.down.insert((p, slot_id));
        }
    }

    fn disarm(&mut self, slot_id: u32) {
        let Some(t) = &self.s.slots[slot_id as usize].trade else { return };
        let (up, down) = up_down(t);
        if let Some(tr) = self.ix.triggers.get_mut(&t.asset) {
            if let Some(p) = up {
                tr.up.remove(&(p, slot_id));
            }
            if let Some(p) = down {
                tr.down.remove(&(p, slot_id));
            }
        }
    }

    /// The next domain event of a held trade.
    fn event(&mut self, kind: EventType, slot_id: u32, cause: Cause, ts: i64) -> DomainEvent {
        let t = self.s.slots[slot_id as usize].trade.as_ref().expect("events are emitted for held trades");
        new_event(&mut self.s.seq, kind, slot_id, t, cause, ts)
    }

    /// Appends the next domain event of a held trade to `out` and hands it
    /// back to be filled in: built where it stays, not moved there.
    fn emit<'o>(
        &mut self,
        out: &'o mut Outcome,
        kind: EventType,
        slot_id: u32,
        cause: Cause,
        ts: i64,
    ) -> &'o mut DomainEvent {
        let t = self.s.slots[slot_id as usize].trade.as_ref().expect("events are emitted for held trades");
        let events = &mut out.events;
        events.reserve(1);
        let len = events.len();
        // Built straight into the vector's spare room: an event built aside
        // and then pushed is ~300 bytes copied.
        // SAFETY: `reserve` made room for one more, and the length covers
        // the slot only once it is written.
        unsafe {
            events.as_mut_ptr().add(len).write(new_event(&mut self.s.seq, kind, slot_id, t, cause, ts));
            events.set_len(len + 1);
        }
        &mut events[len]
    }

    /// Moves a slot to `next`, recording the transition and keeping the
    /// protective triggers armed exactly while the slot is OPEN or
    /// ENTRY_PARTIAL.
    fn set_stage(
        &mut self,
        slot_id: u32,
        next: Stage,
        trigger: Input,
        ids: (Option<Id>, Option<Id>),
        out: &mut Outcome,
    ) {
        let prev = self.s.slots[slot_id as usize].stage;
        if prev.is_armed() && !next.is_armed() {
            self.disarm(slot_id);
        }
        self.s.slots[slot_id as usize].stage = next;
        if next.is_armed() && !prev.is_armed() {
            self.arm(slot_id);
        }
        if self.s.control.journal_transitions {
            out.transitions.push(Transition { slot_id, prev, next, trigger, intent_id: ids.0, event_id: ids.1 });
        }
        if self.s.control.verbosity == Verbosity::Debug {
            out.details.push(("rule", rule_text(prev, trigger, next)));
        }
    }

    /// Empties a slot: its trade goes to the retired book for late fills.
    fn free_slot(&mut self, slot_id: u32) {
        self.unindex_trade(slot_id);
        let slot = &mut self.s.slots[slot_id as usize];
        if let Some(t) = slot.trade.take() {
            slot.last = Some(LastTrade {
                trade_id: t.trade_id.clone(),
                close_reason: t.close_reason,
                realized_pnl: t.realized_pnl,
            });
            self.s.book.retire(t);
        }
    }

    /// Stamps the outcome with where the slot stands now.
    fn finish(&self, mut out: Outcome, slot_id: u32) -> Outcome {
        let slot = &self.s.slots[slot_id as usize];
        let trade_id = slot.trade.as_ref().map(|t| t.trade_id.clone()).or_else(|| out.trade_id.take());
        out = out.at(slot_id, trade_id, slot.stage);
        out
    }

    fn invalid(i: Invalid) -> Outcome {
        Outcome::rejected(i.code)
            .with_detail("field", i.field)
            .with_detail("value", i.value)
            .with_detail("reason", i.reason)
    }

    /// Hands an outcome back once read, so the next ones reuse its storage.
    /// Optional: it changes no state and no future output.
    pub fn recycle(&mut self, out: Outcome) {
        self.spares.put(out);
    }

    pub fn config(&self) -> &Config {
        &self.s.config
    }

    pub fn seq(&self) -> u64 {
        self.s.seq
    }

    /// The whole state, serialized (JSON, maps sorted: same state, same bytes).
    pub fn snapshot(&self) -> String {
        serde_json::to_string(&self.s).expect("state serializes: plain data, string keys")
    }

    pub fn restore(text: &str) -> Result<Kernel, KernelError> {
        let s: State = serde_json::from_str(text).map_err(|e| KernelError::InvalidSnapshot(e.to_string()))?;
        if s.format != FORMAT {
            return Err(KernelError::InvalidSnapshot(format!("format {} (expected {FORMAT})", s.format)));
        }
        let consistent = s.slots.len() == s.config.max_slots as usize
            && s.slots
                .iter()
                .enumerate()
                .all(|(i, slot)| slot.id as usize == i && slot.trade.is_some() != slot.stage.is_free())
            && s.orphans.iter().all(|(id, o)| {
                o.home_slot < s.config.max_slots
                    && o.trade.trade_id == *id
                    && !s.slots.iter().any(|slot| slot.trade.as_ref().is_some_and(|t| t.trade_id == *id))
            });
        if !consistent {
            return Err(KernelError::InvalidSnapshot("slots do not match maxSlots or their stages".into()));
        }
        Ok(Kernel::with_index(s))
    }
}

#[cfg(test)]
pub(crate) mod tests;
