//! The book's orders by client order id.
//!
//! Orders live in a slab; the hash table holds only their slab positions,
//! each beside a 32-bit tag of its key's hash, so a probe compares tags
//! where it already reads and follows an id only on a tag match. A freed
//! position is the next one reused, so a new order lands where a forgotten
//! one has just been, not on a cold line; and growing or tidying the table
//! re-hashes tags, never ids.

use super::model::Order;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;
use std::ops::{Index, IndexMut};

#[derive(Clone, Debug, Default)]
pub struct Orders {
    /// None where an order was removed and no other has taken its place.
    slab: Vec<Option<Order>>,
    /// Free slab positions, most recently freed last.
    free: Vec<u32>,
    /// (slab position, tag) of every order.
    table: HashTable<(u32, u32)>,
}

/// Where an order sits in the book, so that the steps of one input find it
/// by a single probe. An order never moves while it is kept, but once it is
/// removed its place may hold another: see `Orders::still_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderAt(u32);

/// Both halves of the id's hash folded into 32 bits.
fn tag_of(coid: &str) -> u32 {
    let h = FxBuildHasher.hash_one(coid);
    (h ^ (h >> 32)) as u32
}

/// The table's hash of a tag: the low bits pick the bucket and the top
/// seven the control byte, so both come from the tag.
fn widen(tag: u32) -> u64 {
    u64::from(tag) * 0x1_0000_0001
}

/// Whether slab position `pos` holds the order `coid`: the check behind a tag match.
fn holds(slab: &[Option<Order>], pos: u32, coid: &str) -> bool {
    slab[pos as usize].as_ref().is_some_and(|o| *o.client_order_id == *coid)
}

impl Orders {
    pub fn find(&self, coid: &str) -> Option<OrderAt> {
        let tag = tag_of(coid);
        let found = self.table.find(widen(tag), |&(pos, t)| t == tag && holds(&self.slab, pos, coid));
        found.map(|&(pos, _)| OrderAt(pos))
    }

    /// The order at `at` if it is still `coid`'s: so a step that may have
    /// removed orders finds it again without a probe.
    pub fn still_at(&mut self, at: OrderAt, coid: &str) -> Option<&mut Order> {
        self.slab.get_mut(at.0 as usize)?.as_mut().filter(|o| *o.client_order_id == *coid)
    }

    pub fn get(&self, coid: &str) -> Option<&Order> {
        Some(&self[self.find(coid)?])
    }

    pub fn get_mut(&mut self, coid: &str) -> Option<&mut Order> {
        let at = self.find(coid)?;
        Some(&mut self[at])
    }

    pub fn contains_key(&self, coid: &str) -> bool {
        self.find(coid).is_some()
    }

    /// Keeps `order` under its client order id, replacing any order there.
    pub fn insert(&mut self, order: Order) {
        let tag = tag_of(&order.client_order_id);
        let slab = &self.slab;
        let entry = self.table.entry(
            widen(tag),
            |&(pos, t)| t == tag && holds(slab, pos, &order.client_order_id),
            |&(_, t)| widen(t),
        );
        match entry {
            Entry::Occupied(e) => self.slab[e.get().0 as usize] = Some(order),
            Entry::Vacant(e) => {
                let pos = match self.free.pop() {
                    Some(pos) => {
                        self.slab[pos as usize] = Some(order);
                        pos
                    }
                    None => {
                        self.slab.push(Some(order));
                        u32::try_from(self.slab.len() - 1).expect("fewer than 2^32 orders")
                    }
                };
                e.insert((pos, tag));
            }
        }
    }

    pub fn remove(&mut self, coid: &str) -> Option<Order> {
        let tag = tag_of(coid);
        let slab = &self.slab;
        let found = self.table.find_entry(widen(tag), |&(pos, t)| t == tag && holds(slab, pos, coid));
        let ((pos, _), _) = found.ok()?.remove();
        self.free.push(pos);
        self.slab[pos as usize].take()
    }

    fn len(&self) -> usize {
        self.table.len()
    }

    /// Every order, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Order> {
        self.slab.iter().flatten()
    }
}

impl FromIterator<Order> for Orders {
    fn from_iter<I: IntoIterator<Item = Order>>(orders: I) -> Self {
        let mut book = Orders::default();
        for o in orders {
            book.insert(o);
        }
        book
    }
}

impl Index<&str> for Orders {
    type Output = Order;

    fn index(&self, coid: &str) -> &Order {
        self.get(coid).expect("known order")
    }
}

impl Index<OrderAt> for Orders {
    type Output = Order;

    fn index(&self, at: OrderAt) -> &Order {
        self.slab[at.0 as usize].as_ref().expect("an order found since the last removal")
    }
}

impl IndexMut<OrderAt> for Orders {
    fn index_mut(&mut self, at: OrderAt) -> &mut Order {
        self.slab[at.0 as usize].as_mut().expect("an order found since the last removal")
    }
}

/// Two books are equal when they hold the same orders under the same ids.
impl PartialEq for Orders {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|o| other.get(&o.client_order_id) == Some(o))
    }
}

impl Eq for Orders {}

#[cfg(test)]
mod tests {
    use super::Orders;
    use crate::kernel::fixed::Fixed;
    use crate::kernel::model::{Order, OrderStatus, Pending};
    use crate::kernel::types::{OrderSide, OrderType, Role};
    use std::collections::HashMap;

    fn order(coid: &str, size: i64) -> Order {
        Order {
            client_order_id: coid.into(),
            venue_order_id: None,
            trade_id: "T1".into(),
            slot_id: 0,
            role: Role::Entry,
            side: OrderSide::Buy,
            order_type: OrderType::Market,
            size: Fixed::from_raw(size),
            limit_price: None,
            reduce_only: false,
            filled: Fixed::ZERO,
            notional: Fixed::ZERO,
            status: OrderStatus::Live,
            acked: false,
            sent_at: 0,
            pending: Pending::None,
            timed_out: false,
            timeouts: 0,
            fills: smallvec::SmallVec::new(),
        }
    }

    #[test]
    fn inserts_replacements_lookups_and_removals_agree_with_a_hash_map() {
        let (mut book, mut model) = (Orders::default(), HashMap::new());
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for step in 0..50_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Few enough ids that they are replaced and removed while held.
            let coid = format!("T{}-E1", (x >> 8) % 3_000);
            match x % 4 {
                0 => assert_eq!(book.remove(&coid), model.remove(&coid), "step {step}"),
                1 => {
                    book.insert(order(&coid, step));
                    model.insert(coid.clone(), order(&coid, step));
                }
                2 => {
                    if let Some(o) = book.get_mut(&coid) {
                        o.filled = Fixed::from_raw(-step);
                    }
                    if let Some(o) = model.get_mut(&coid) {
                        o.filled = Fixed::from_raw(-step);
                    }
                }
                _ => assert_eq!(book.contains_key(&coid), model.contains_key(&coid), "step {step}"),
            }
            assert_eq!(book.get(&coid), model.get(&coid), "step {step}");
            assert_eq!(book.len(), model.len(), "step {step}");
        }
        assert!(model.values().all(|o| book[&*o.client_order_id] == *o));
        assert_eq!(book.iter().count(), model.len());
        let rebuilt: Orders = model.into_values().collect();
        assert_eq!(rebuilt, book);
    }

    #[test]
    fn a_book_restores_only_with_each_order_under_its_own_id() {
        use crate::kernel::model::Book;
        let book = |key: &str| {
            let orders = serde_json::json!({ key: order("T1-E1", 1) });
            serde_json::json!({ "orders": orders, "retired": {}, "retired_order": { "cap": 3, "items": [] } })
        };
        let back: Book = serde_json::from_value(book("T1-E1")).unwrap();
        assert_eq!(back.orders["T1-E1"], order("T1-E1", 1));
        assert_eq!(serde_json::to_value(&back).unwrap(), book("T1-E1"));
        assert!(serde_json::from_value::<Book>(book("T2-E1")).is_err());
    }
}
