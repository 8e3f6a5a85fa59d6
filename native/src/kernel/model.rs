//! The kernel's state: slots holding trades, the orders those trades sent,
//! and the bounded memories (seen ids, retired trades).

use super::fixed::Fixed;
use super::stage::Stage;
use super::types::{CloseReason, Id, OrderSide, OrderType, Role, Side};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, VecDeque};
use std::hash::{BuildHasher, Hash};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    Live,
    Filled,
    Canceled,
    Rejected,
    Expired,
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
    pub timed_out: bool,
}

impl Order {
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    pub trade_id: Id,
    pub correlation_id: Id,
    pub asset: Id,
    pub side: Side,
    pub leverage: Fixed,
    pub exit_leg_ratios: Vec<Fixed>,
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
}

impl Trade {
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
    pub trade: Trade,
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
    pub trade: Option<Trade>,
    pub last: Option<LastTrade>,
}

/// A set that forgets its oldest entries past `cap`: the bounded dedupe memory.
///
/// The keys live once, in arrival order, in a ring beside their hash; the
/// table holds only ring positions. Forgetting the oldest key thus needs
/// neither rehashing it nor reading its (long cold) text, and a lookup
/// compares the full key on every hash hit, so a collision never makes two
/// different ids equal.
#[derive(Clone, Debug)]
pub struct Window<K: Eq + Hash + Clone> {
    /// (hash, key), oldest first.
    fifo: VecDeque<(u64, K)>,
    /// Absolute positions (`head` + ring index) of the keys in `fifo`.
    table: HashTable<u64>,
    /// Absolute position of `fifo[0]`.
    head: u64,
    cap: usize,
}

fn hash_of<K: Hash>(k: &K) -> u64 {
    FxBuildHasher.hash_one(k)
}

impl<K: Eq + Hash + Clone> Window<K> {
    pub fn new(cap: usize) -> Self {
        Window { fifo: VecDeque::new(), table: HashTable::new(), head: 0, cap }
    }

    fn find(&self, hash: u64, k: &K) -> Option<u64> {
        let (fifo, head) = (&self.fifo, self.head);
        self.table.find(hash, |&pos| fifo[(pos - head) as usize].1 == *k).copied()
    }

    pub fn contains(&self, k: &K) -> bool {
        self.find(hash_of(k), k).is_some()
    }

    /// Remembers `k`; returns what was forgotten to make room.
    pub fn insert(&mut self, k: K) -> Option<K> {
        let hash = hash_of(&k);
        if self.find(hash, &k).is_some() {
            return None;
        }
        let pos = self.head + self.fifo.len() as u64;
        let fifo = &self.fifo;
        let head = self.head;
        self.table.insert_unique(hash, pos, |&p| fifo_hash(fifo, head, p));
        self.fifo.push_back((hash, k));
        if self.fifo.len() > self.cap {
            let (old_hash, old) = self.fifo.pop_front()?;
            let oldest = self.head;
            if let Ok(entry) = self.table.find_entry(old_hash, |&p| p == oldest) {
                entry.remove();
            }
            self.head += 1;
            return Some(old);
        }
        None
    }

    pub fn len(&self) -> usize {
        self.fifo.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fifo.is_empty()
    }
}

/// The stored hash of the key at absolute position `pos` (used when the table grows).
fn fifo_hash<K>(fifo: &VecDeque<(u64, K)>, head: u64, pos: u64) -> u64 {
    fifo.get((pos - head) as usize).map_or(0, |e| e.0)
}

/// Two windows are equal when they remember the same keys in the same order.
impl<K: Eq + Hash + Clone> PartialEq for Window<K> {
    fn eq(&self, other: &Self) -> bool {
        self.cap == other.cap && self.fifo.iter().map(|e| &e.1).eq(other.fifo.iter().map(|e| &e.1))
    }
}

impl<K: Eq + Hash + Clone> Eq for Window<K> {}

#[derive(Serialize, Deserialize)]
struct WindowRepr<K> {
    cap: usize,
    items: Vec<K>,
}

impl<K: Eq + Hash + Clone + Serialize> Serialize for Window<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WindowRepr { cap: self.cap, items: self.fifo.iter().map(|e| e.1.clone()).collect() }.serialize(s)
    }
}

impl<'de, K: Eq + Hash + Clone + Deserialize<'de>> Deserialize<'de> for Window<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = WindowRepr::<K>::deserialize(d)?;
        let mut w = Window::new(repr.cap);
        for k in repr.items {
            w.insert(k);
        }
        Ok(w)
    }
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    #[serde(with = "sorted")]
    pub orders: HashMap<Id, Order>,
    #[serde(with = "sorted")]
    pub retired: HashMap<Id, Trade>,
    pub retired_order: Window<Id>,
}

impl Book {
    pub fn new(retired_cap: usize) -> Self {
        Book { orders: HashMap::default(), retired: HashMap::default(), retired_order: Window::new(retired_cap) }
    }

    /// Keeps a freed trade for late fills, forgetting the oldest one (and
    /// its orders) past the window.
    pub fn retire(&mut self, trade: Trade) {
        let id = trade.trade_id.clone();
        self.retired.insert(id.clone(), trade);
        if let Some(old) = self.retired_order.insert(id) {
            if let Some(t) = self.retired.remove(&old) {
                for o in &t.orders {
                    self.orders.remove(o);
                }
            }
        }
    }
}
