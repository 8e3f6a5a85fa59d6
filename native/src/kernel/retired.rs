//! Trades that left their slot, kept for a bounded while so that late
//! fills still find them.
//!
//! The ids live once, in retirement order, in a ring beside their hash and
//! their trade; the hash table holds only ring positions. Retiring a trade
//! hashes its id once, and forgetting the oldest one neither rehashes nor
//! looks it up again: it is the ring's front. A trade taken back out (revived
//! into a slot, or adopted as an orphan) leaves its id in place, so it keeps
//! its turn if it is retired again within the window.

use super::model::Trade;
use super::types::Id;
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::collections::VecDeque;
use std::hash::BuildHasher;

#[derive(Clone, Debug)]
struct Entry {
    hash: u64,
    id: Id,
    /// None while the trade is back in a slot or an orphan.
    trade: Option<Box<Trade>>,
}

#[derive(Clone, Debug)]
pub struct Retired {
    /// Oldest first.
    ring: VecDeque<Entry>,
    /// Absolute positions (`head` + ring index) of the ids in `ring`.
    table: HashTable<u64>,
    /// Absolute position of `ring[0]`.
    head: u64,
    cap: usize,
}

fn hash_of(id: &Id) -> u64 {
    FxBuildHasher.hash_one(id)
}

impl Retired {
    pub fn new(cap: usize) -> Self {
        Retired { ring: VecDeque::new(), table: HashTable::new(), head: 0, cap }
    }

    /// How many ids the window remembers at most.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The ring index of `id`.
    fn find(&self, hash: u64, id: &Id) -> Option<usize> {
        let (ring, head) = (&self.ring, self.head);
        self.table.find(hash, |&pos| ring[(pos - head) as usize].id == *id).map(|&pos| (pos - head) as usize)
    }

    fn entry(&self, id: &Id) -> Option<&Entry> {
        self.find(hash_of(id), id).map(|i| &self.ring[i])
    }

    pub fn contains_key(&self, id: &Id) -> bool {
        self.get(id).is_some()
    }

    pub fn get(&self, id: &Id) -> Option<&Trade> {
        self.entry(id)?.trade.as_deref()
    }

    pub fn get_mut(&mut self, id: &Id) -> Option<&mut Trade> {
        let i = self.find(hash_of(id), id)?;
        self.ring[i].trade.as_deref_mut()
    }

    /// Takes a trade back out; its id keeps its place in the window.
    pub fn remove(&mut self, id: &Id) -> Option<Box<Trade>> {
        let i = self.find(hash_of(id), id)?;
        self.ring[i].trade.take()
    }

    /// Keeps `trade` under its id (in its old place if the id is still
    /// remembered); returns the trade forgotten to make room, if any.
    pub fn insert(&mut self, trade: Box<Trade>) -> Option<Box<Trade>> {
        let hash = hash_of(&trade.trade_id);
        if let Some(i) = self.find(hash, &trade.trade_id) {
            self.ring[i].trade = Some(trade);
            return None;
        }
        self.push(hash, trade.trade_id.clone(), Some(trade))
    }

    /// Appends an id not yet remembered; forgets the oldest past the cap.
    fn push(&mut self, hash: u64, id: Id, trade: Option<Box<Trade>>) -> Option<Box<Trade>> {
        let pos = self.head + self.ring.len() as u64;
        let (ring, head) = (&self.ring, self.head);
        self.table.insert_unique(hash, pos, |&p| ring.get((p - head) as usize).map_or(0, |e| e.hash));
        self.ring.push_back(Entry { hash, id, trade });
        if self.ring.len() <= self.cap {
            return None;
        }
        let old = self.ring.pop_front()?;
        let oldest = self.head;
        if let Ok(e) = self.table.find_entry(old.hash, |&p| p == oldest) {
            e.remove();
        }
        self.head += 1;
        old.trade
    }

    /// The remembered ids, oldest first.
    pub fn ids(&self) -> impl Iterator<Item = &Id> {
        self.ring.iter().map(|e| &e.id)
    }

    /// The trades still here, by id.
    pub fn trades(&self) -> impl Iterator<Item = (&Id, &Trade)> {
        self.ring.iter().filter_map(|e| e.trade.as_deref().map(|t| (&e.id, t)))
    }

    /// Rebuilds the window from its snapshot parts: the ids oldest first and
    /// the trades still held, each of which must be under a remembered id.
    pub fn rebuild(cap: usize, ids: Vec<Id>, mut trades: FxHashMap<Id, Trade>) -> Result<Retired, String> {
        let mut r = Retired::new(cap);
        for id in ids {
            let hash = hash_of(&id);
            if r.find(hash, &id).is_some() {
                continue;
            }
            if r.ring.len() >= cap {
                return Err(format!("retired_order holds more than its cap {cap}"));
            }
            let trade = trades.remove(&id).map(Box::new);
            r.push(hash, id, trade);
        }
        match trades.keys().next() {
            Some(id) => Err(format!("retired trade {id} is not in retired_order")),
            None => Ok(r),
        }
    }
}

/// Two windows are equal when they remember the same ids, in the same
/// order, holding the same trades.
impl PartialEq for Retired {
    fn eq(&self, other: &Self) -> bool {
        self.cap == other.cap
            && self.ring.len() == other.ring.len()
            && self.ring.iter().zip(&other.ring).all(|(a, b)| a.id == b.id && a.trade == b.trade)
    }
}

impl Eq for Retired {}

#[cfg(test)]
mod tests {
    use super::Retired;
    use crate::kernel::fixed::Fixed;
    use crate::kernel::model::{ExitLegs, Trade};
    use crate::kernel::types::{Id, Side};
    use std::collections::{HashMap, VecDeque};

    fn trade(id: &str, fees: i64) -> Trade {
        Trade {
            trade_id: id.into(),
            correlation_id: id.into(),
            asset: "BTC/USDT".into(),
            side: Side::Long,
            leverage: Fixed::ONE,
            exit_leg_ratios: ExitLegs::Whole,
            active_leg: 0,
            take_profit: None,
            stop_loss: None,
            orders: vec![format!("{id}-E1").into()],
            working_order: None,
            entry_filled: Fixed::ZERO,
            entry_notional: Fixed::ZERO,
            avg_entry: Fixed::ZERO,
            size: Fixed::ZERO,
            realized_pnl: Fixed::ZERO,
            fees: Fixed::from_raw(fees),
            opened_at: None,
            close_reason: None,
            exit_count: 0,
            flatten_pending: false,
            protect_pending: None,
            monitoring_closed: true,
            protect_blocked: false,
            last_tick_ts: None,
            exit_rejections: 0,
            exit_retry_at: None,
            lot_step: None,
        }
    }

    /// The window as it was before the ring: the ids in a FIFO set, the
    /// trades in a map, the oldest id's trade dropped past the cap.
    #[derive(Default)]
    struct Model {
        ids: VecDeque<Id>,
        trades: HashMap<Id, Trade>,
    }

    impl Model {
        fn insert(&mut self, cap: usize, t: Trade) -> Option<Trade> {
            let id = t.trade_id.clone();
            self.trades.insert(id.clone(), t);
            if self.ids.contains(&id) {
                return None;
            }
            self.ids.push_back(id);
            if self.ids.len() > cap {
                let old = self.ids.pop_front()?;
                return self.trades.remove(&old);
            }
            None
        }
    }

    #[test]
    fn retire_revive_and_forget_agree_with_a_fifo_window_across_many_wraps() {
        let cap = 5;
        let (mut r, mut m) = (Retired::new(cap), Model::default());
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for step in 0..20_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Ids repeat, so some are retired again while still remembered.
            let id: Id = format!("T{}", (x >> 8) % 12).into();
            let what = x % 3;
            if what == 0 {
                assert_eq!(r.remove(&id).map(|t| *t), m.trades.remove(&id), "step {step}");
            } else if what == 1 && !m.trades.contains_key(&id) {
                let t = trade(&id, step);
                assert_eq!(r.insert(Box::new(t.clone())).map(|t| *t), m.insert(cap, t), "step {step}");
            } else if let Some(t) = r.get_mut(&id) {
                t.fees = Fixed::from_raw(-step);
                m.trades.get_mut(&id).expect("same trades").fees = Fixed::from_raw(-step);
            }
            assert!(r.ids().eq(m.ids.iter()), "step {step}");
            assert_eq!(r.trades().count(), m.trades.len());
            for (id, t) in r.trades() {
                assert_eq!(Some(t), m.trades.get(id));
            }
        }
    }

    #[test]
    fn a_rebuilt_window_equals_the_one_it_was_taken_from() {
        let mut r = Retired::new(3);
        for n in 0..7 {
            r.insert(Box::new(trade(&format!("T{n}"), n)));
        }
        r.remove(&"T5".into());
        let ids: Vec<Id> = r.ids().cloned().collect();
        let trades = r.trades().map(|(id, t)| (id.clone(), t.clone())).collect();
        let back = Retired::rebuild(3, ids.clone(), trades).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.get(&"T6".into()).map(|t| t.fees), Some(Fixed::from_raw(6)));
        assert!(!back.contains_key(&"T5".into()) && !back.contains_key(&"T3".into()));
        // A trade under no remembered id, or more ids than the cap, is no snapshot the kernel wrote.
        let stray = [("T1".into(), trade("T1", 1))].into_iter().collect();
        assert!(Retired::rebuild(3, ids.clone(), stray).is_err());
        assert!(Retired::rebuild(2, ids, Default::default()).is_err());
    }
}
