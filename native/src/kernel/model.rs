//! The kernel's state: slots holding trades, the orders those trades sent,
//! and the bounded memories (seen ids, retired trades).

use super::fixed::Fixed;
use super::orders::Orders;
use super::retired::Retired;
use super::stage::Stage;
use super::types::{compose_id, CloseReason, EventType, Id, OrderSide, OrderType, Role, Side};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;
use std::collections::BTreeMap;
use std::hash::Hash;
use std::ops::Deref;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    Live,
    Filled,
    Canceled,
    Rejected,
    Expired,
}

impl OrderStatus {
    /// The event that says the venue ended an order so: cancelled, rejected or expired.
    pub fn ended_event(self) -> EventType {
        match self {
            OrderStatus::Rejected => EventType::OrderRejected,
            OrderStatus::Expired => EventType::OrderExpired,
            _ => EventType::OrderCanceled,
        }
    }
}

/// A request the kernel is holding back because the venue rate-limited it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pending {
    None,
    PlaceAt(i64),
    CancelAt(i64),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub client_order_id: Id,
    pub venue_order_id: Option<Id>,
    pub trade_id: Id,
    pub slot_id: u32,
    pub role: Role,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub size: Fixed,
    pub limit_price: Option<Fixed>,
    pub reduce_only: bool,
    pub filled: Fixed,
    /// Σ price × qty of its fills, for the average price.
    pub notional: Fixed,
    pub status: OrderStatus,
    pub acked: bool,
    pub sent_at: i64,
    pub pending: Pending,
    /// The cancel its ack timeout sent is out, with no answer yet.
    pub timed_out: bool,
    /// Ack timeouts it has had. Each refusal of a timeout's cancel watches
    /// the order again, twice as long as the last time (up to
    /// `2^MAX_TIMEOUT_DOUBLINGS` × `ackTimeoutMs`): an order the venue never
    /// got is asked about ever less often, and never given up in silence.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeouts: u8,
    /// Its last `FILL_MEMORY` executions, oldest first: a fill sent again is
    /// known by these for as long as the order is, whatever the dedupe
    /// window has forgotten since. The first two live inside the order (most
    /// orders fill in one or two parts), so most orders need no heap block.
    #[serde(default, skip_serializing_if = "SmallVec::is_empty")]
    pub fills: SmallVec<[OrderFill; 2]>,
}

/// The ack timeout doubles at most this many times (5 s becomes 320 s).
pub const MAX_TIMEOUT_DOUBLINGS: u8 = 6;

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// Executions an order remembers, at most: a fill beyond that many on one
/// order still meets the dedupe window, not this memory.
pub const FILL_MEMORY: usize = 64;

/// One execution of an order, as a venue might send it again: under the
/// same event id, or under a new one with the same venue trade id, with
/// the same quantity and price either way. Its ids are kept as 64-bit FNV-1a
/// hashes, so a remembered fill holds no heap block of its own: keeping each
/// fill's ids alive instead added ~15 % to `kernel_bench`'s wall clock, in
/// cache misses when old orders are forgotten (DECISIONS §17). A different
/// fill is taken for a re-sent one only if it has the same quantity and
/// price and an id hash collides (about 1 in 10^19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFill {
    pub event: u64,
    pub execution: Option<u64>,
    pub size: Fixed,
    pub price: Fixed,
}

impl OrderFill {
    pub fn new(event_id: &str, venue_trade_id: Option<&str>, size: Fixed, price: Fixed) -> Self {
        OrderFill { event: id_hash(event_id), execution: venue_trade_id.map(id_hash), size, price }
    }
}

/// FNV-1a, 64 bits: fixed by its definition, so a snapshot's hashes mean
/// the same to every build that restores it.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Why a fill is one its order has had already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatFill {
    SameEventId,
    SameExecution,
}

impl RepeatFill {
    /// The refusal's `reason` detail.
    pub fn reason(self) -> &'static str {
        match self {
            RepeatFill::SameEventId => "an earlier fill of this order had this event id",
            RepeatFill::SameExecution => "same venue trade id, quantity and price as an earlier fill",
        }
    }
}

impl Order {
    /// Whether this order has had the execution `fill` (of the last
    /// `FILL_MEMORY` it remembers), and how it is known.
    pub fn repeat_of(&self, fill: &OrderFill) -> Option<RepeatFill> {
        self.fills.iter().filter(|f| f.size == fill.size && f.price == fill.price).find_map(|f| {
            if f.event == fill.event {
                Some(RepeatFill::SameEventId)
            } else if fill.execution.is_some() && f.execution == fill.execution {
                Some(RepeatFill::SameExecution)
            } else {
                None
            }
        })
    }

    /// Remembers an execution just counted, forgetting the oldest past `FILL_MEMORY`.
    pub fn remember_fill(&mut self, fill: OrderFill) {
        if self.fills.len() == FILL_MEMORY {
            self.fills.remove(0);
        }
        self.fills.push(fill);
    }

    /// A copy without the fill memory, for the steps of a fill, which read
    /// the order as it was while they change the book: copying the memory
    /// would allocate for an order past two fills, and those steps never
    /// read it.
    pub fn copy_for_fill(&mut self) -> Order {
        let fills = std::mem::take(&mut self.fills);
        let copy = self.clone();
        self.fills = fills;
        copy
    }

    /// The reduce-only exit order `client_order_id` of `trade` (held in, or
    /// sent from, slot `slot_id`), as sent at `ts`.
    pub fn exit(
        client_order_id: Id,
        trade: &Trade,
        slot_id: u32,
        (order_type, limit_price): (OrderType, Option<Fixed>),
        size: Fixed,
        ts: i64,
    ) -> Order {
        Order {
            client_order_id,
            venue_order_id: None,
            trade_id: trade.trade_id.clone(),
            slot_id,
            role: Role::Exit,
            side: trade.side.exit_order_side(),
            order_type,
            size,
            limit_price,
            reduce_only: true,
            filled: Fixed::ZERO,
            notional: Fixed::ZERO,
            status: OrderStatus::Live,
            acked: false,
            sent_at: ts,
            pending: Pending::None,
            timed_out: false,
            timeouts: 0,
            fills: SmallVec::new(),
        }
    }

    /// The venue says it has the order (an ack, or a listing that is one):
    /// recorded with the venue's id for it, if it gave one and none is known.
    /// A placing a rate limit held back is moot: the venue has it (the
    /// limit's report crossed its acceptance). Returns whether it is the
    /// first such word.
    pub fn record_ack(&mut self, venue_order_id: Option<Id>) -> bool {
        let first = !self.acked;
        self.acked = true;
        if matches!(self.pending, Pending::PlaceAt(_)) {
            self.pending = Pending::None;
        }
        if self.venue_order_id.is_none() {
            self.venue_order_id = venue_order_id;
        }
        first
    }

    /// How long the order has waited for its ack, once that is past its
    /// timeout: `ack_timeout_ms`, doubled for each earlier timeout. Never for
    /// an order the venue has shown it has (an ack, a fill), one whose
    /// timeout cancel is out, one a rate limit holds back, or one that ended.
    pub fn ack_overdue(&self, ts: i64, ack_timeout_ms: i64) -> Option<i64> {
        let waiting = ack_timeout_ms > 0
            && !self.acked
            && !self.timed_out
            && !self.filled.is_positive()
            && self.pending == Pending::None
            && !self.is_terminal();
        let limit = ack_timeout_ms.saturating_mul(1 << self.timeouts.min(MAX_TIMEOUT_DOUBLINGS));
        let waited = ts.saturating_sub(self.sent_at);
        (waiting && waited >= limit).then_some(waited)
    }

    /// Its ack timeout fired: a cancel goes out.
    pub fn time_out(&mut self) {
        self.timed_out = true;
        self.timeouts = self.timeouts.saturating_add(1);
    }

    /// The venue refused the cancel its timeout sent. If the order is still
    /// unacknowledged the clock watches it again, from now.
    pub fn timeout_cancel_refused(&mut self, ts: i64) {
        if self.timed_out && !self.acked {
            self.sent_at = ts;
        }
        self.timed_out = false;
    }

    pub fn is_terminal(&self) -> bool {
        self.status != OrderStatus::Live
    }

    /// The stage this order's trade had before a cancel request: used when
    /// the venue refuses the cancel.
    pub fn resume_stage(&self) -> Stage {
        match (self.role, self.acked, self.filled.is_positive()) {
            (Role::Entry, _, true) => Stage::EntryPartial,
            (Role::Entry, true, false) => Stage::EntryWorking,
            (Role::Entry, false, false) => Stage::EntryRequested,
            (Role::Exit, _, true) => Stage::ExitPartial,
            (Role::Exit, true, false) => Stage::ExitWorking,
            (Role::Exit, false, false) => Stage::ExitRequested,
        }
    }
}

/// A trade's exit leg ratios. Most trades exit whole, in one leg: that
/// case holds no heap block of its own, so making, retiring and forgetting
/// such a trade touches one object fewer. Serializes as the list of ratios.
#[derive(Clone, Debug)]
pub enum ExitLegs {
    Whole,
    Split(Box<[Fixed]>),
}

impl Deref for ExitLegs {
    type Target = [Fixed];

    fn deref(&self) -> &[Fixed] {
        match self {
            ExitLegs::Whole => &[Fixed::ONE],
            ExitLegs::Split(ratios) => ratios,
        }
    }
}

impl From<Vec<Fixed>> for ExitLegs {
    fn from(ratios: Vec<Fixed>) -> Self {
        if ratios == [Fixed::ONE] {
            ExitLegs::Whole
        } else {
            ExitLegs::Split(ratios.into_boxed_slice())
        }
    }
}

impl PartialEq for ExitLegs {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for ExitLegs {}

impl Serialize for ExitLegs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for ExitLegs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Fixed>::deserialize(d).map(ExitLegs::from)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    pub trade_id: Id,
    pub correlation_id: Id,
    pub asset: Id,
    pub side: Side,
    pub leverage: Fixed,
    pub exit_leg_ratios: ExitLegs,
    /// The next exit leg; advances when an exit order completes.
    pub active_leg: usize,
    pub take_profit: Option<Fixed>,
    pub stop_loss: Option<Fixed>,
    /// Every order this trade sent, entry first.
    pub orders: Vec<Id>,
    /// The order the slot's stage is about, if any.
    pub working_order: Option<Id>,
    /// Filled entry size (the slot's `initialSize`) and its Σ price × qty.
    pub entry_filled: Fixed,
    pub entry_notional: Fixed,
    pub avg_entry: Fixed,
    /// Σ signed fills, within [0, entry_filled].
    pub size: Fixed,
    pub realized_pnl: Fixed,
    pub fees: Fixed,
    pub opened_at: Option<i64>,
    pub close_reason: Option<CloseReason>,
    pub exit_count: u32,
    /// Set by the kill switch: close as soon as the working order is gone.
    pub flatten_pending: bool,
    /// Set by a take-profit or stop-loss that fired while the entry was
    /// still working: close with this reason once the entry order is gone.
    #[serde(default)]
    pub protect_pending: Option<CloseReason>,
    pub monitoring_closed: bool,
    pub protect_blocked: bool,
    pub last_tick_ts: Option<i64>,
    /// Venue rejections of its exit orders since one was last accepted, and
    /// when a take-profit, stop-loss or kill-switch exit may go again: a
    /// rejected one is retried after a backoff, not on every mark (which
    /// sent one order per mark for as long as the venue kept refusing).
    #[serde(default)]
    pub exit_rejections: u32,
    #[serde(default)]
    pub exit_retry_at: Option<i64>,
    /// The venue's lot for the asset when coarser than the kernel's: exit
    /// legs are sized on it (absent from older snapshots: the kernel's lot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot_step: Option<Fixed>,
}

/// The first retry of a rejected protective exit waits this long; each
/// further rejection doubles it, up to `EXIT_RETRY_MAX_MS`.
pub const EXIT_RETRY_MS: i64 = 1_000;
pub const EXIT_RETRY_MAX_MS: i64 = 60_000;

impl Trade {
    /// The venue rejected one of its exit orders at `ts`: when the next
    /// protective or kill-switch exit may go.
    pub fn exit_rejected(&mut self, ts: i64) -> i64 {
        self.exit_rejections = self.exit_rejections.saturating_add(1);
        let doublings = self.exit_rejections.saturating_sub(1).min(6);
        let wait = (EXIT_RETRY_MS << doublings).min(EXIT_RETRY_MAX_MS);
        let at = ts.saturating_add(wait);
        self.exit_retry_at = Some(at);
        at
    }

    /// Whether a protective or kill-switch exit must still wait at `ts`.
    pub fn exit_waits(&self, ts: i64) -> bool {
        self.exit_retry_at.is_some_and(|at| ts < at)
    }

    /// The client order id of its next exit order: `<tradeId>-X<n>`.
    pub fn next_exit_id(&self) -> Id {
        compose_id(&[&self.trade_id, "-X"], u64::from(self.exit_count + 1), "")
    }

    /// Its next exit order, `coid`, is sent: it becomes the working order
    /// and `reason` the close reason.
    pub fn exit_sent(&mut self, coid: &Id, reason: CloseReason) {
        self.exit_count += 1;
        self.orders.push(coid.clone());
        self.working_order = Some(coid.clone());
        self.close_reason = Some(reason);
    }

    pub fn sign(&self) -> Fixed {
        match self.side {
            Side::Long => Fixed::ONE,
            Side::Short => Fixed::ONE.negated(),
        }
    }

    /// size × (mark − entry) × sign; zero without a mark.
    pub fn unrealized(&self, mark: Option<Fixed>) -> Fixed {
        match mark {
            Some(mark) if self.size.is_positive() => {
                let diff = Fixed::from_raw(mark.raw().saturating_sub(self.avg_entry.raw()));
                self.size.mul_saturating(diff).mul_saturating(self.sign())
            }
            _ => Fixed::ZERO,
        }
    }

    /// Margin held by the open size: size × entry / leverage.
    pub fn margin(&self) -> Fixed {
        self.size.checked_mul(self.avg_entry).and_then(|n| n.checked_div(self.leverage)).unwrap_or(Fixed::ZERO)
    }
}

/// Exposure that a late entry fill revived when no slot was free to hold
/// it: counted in the account, marked, and flattened by the kill switch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orphan {
    /// The slot the trade had; its orders still name it.
    pub home_slot: u32,
    pub trade: Box<Trade>,
}

/// What a freed slot remembers of its last trade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastTrade {
    pub trade_id: Id,
    pub close_reason: Option<CloseReason>,
    pub realized_pnl: Fixed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: u32,
    pub stage: Stage,
    /// Boxed once when it enters: retiring, reviving or orphaning it moves a pointer.
    pub trade: Option<Box<Trade>>,
    pub last: Option<LastTrade>,
}

/// Maps serialize sorted by key, so a snapshot is the same bytes however
/// the map was filled.
pub mod sorted {
    use super::*;

    pub fn serialize<K: Ord + Serialize, V: Serialize, S: Serializer>(
        map: &HashMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        map.iter().collect::<BTreeMap<_, _>>().serialize(s)
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<HashMap<K, V>, D::Error>
    where
        K: Eq + Hash + Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        HashMap::<K, V>::deserialize(d)
    }
}

/// Orders by client order id, plus trades that left their slot, kept for a
/// bounded while so that late fills still find them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    pub orders: Orders,
    pub retired: Retired,
}

/// The snapshot layout of a book: the retired trades sorted by
/// id, and apart from them the window of retired ids, oldest first.
#[derive(Serialize)]
struct BookRef<'a> {
    orders: BTreeMap<&'a Id, &'a Order>,
    retired: BTreeMap<&'a Id, &'a Trade>,
    retired_order: WindowRepr<&'a Id>,
}

#[derive(Deserialize)]
struct BookRepr {
    #[serde(with = "sorted")]
    orders: HashMap<Id, Order>,
    #[serde(with = "sorted")]
    retired: HashMap<Id, Trade>,
    retired_order: WindowRepr<Id>,
}

#[derive(Serialize, Deserialize)]
struct WindowRepr<K> {
    cap: usize,
    items: Vec<K>,
}

impl Serialize for Book {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        BookRef {
            orders: self.orders.iter().map(|o| (&o.client_order_id, o)).collect(),
            retired: self.retired.trades().collect(),
            retired_order: WindowRepr { cap: self.retired.cap(), items: self.retired.ids().collect() },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Book {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = BookRepr::deserialize(d)?;
        if let Some(id) = repr.orders.iter().find_map(|(id, o)| (*id != o.client_order_id).then_some(id)) {
            return Err(serde::de::Error::custom(format!("order {id} is kept under another client order id")));
        }
        let orders = repr.orders.into_values().collect();
        let retired = Retired::rebuild(repr.retired_order.cap, repr.retired_order.items, repr.retired)
            .map_err(serde::de::Error::custom)?;
        Ok(Book { orders, retired })
    }
}

impl Book {
    pub fn new(retired_cap: usize) -> Self {
        Book { orders: Orders::default(), retired: Retired::new(retired_cap) }
    }

    /// Keeps a freed trade for late fills, forgetting the oldest one (and
    /// its orders) past the window.
    pub fn retire(&mut self, trade: Box<Trade>) {
        if let Some(old) = self.retired.insert(trade) {
            for o in &old.orders {
                self.orders.remove(o);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExitLegs;
    use crate::kernel::fixed::Fixed;

    #[test]
    fn exit_legs_read_and_write_as_the_list_of_ratios_whatever_they_hold() {
        let half = Fixed::from_raw(Fixed::ONE.raw() / 2);
        let whole: ExitLegs = serde_json::from_str(&serde_json::to_string(&[Fixed::ONE]).unwrap()).unwrap();
        assert!(matches!(whole, ExitLegs::Whole));
        assert_eq!(whole, ExitLegs::Split(vec![Fixed::ONE].into_boxed_slice()));
        assert_eq!(serde_json::to_string(&whole).unwrap(), serde_json::to_string(&[Fixed::ONE]).unwrap());
        let split = ExitLegs::from(vec![half, half]);
        assert_eq!(*split, [half, half]);
        let text = serde_json::to_string(&split).unwrap();
        assert_eq!(text, serde_json::to_string(&[half, half]).unwrap());
        assert_eq!(serde_json::from_str::<ExitLegs>(&text).unwrap(), split);
    }
}
