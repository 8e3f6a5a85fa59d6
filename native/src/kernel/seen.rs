//! The bounded dedupe memory: the ids the kernel must not apply twice.
//!
//! Remembering an id costs no allocation: the key bytes go, in arrival
//! order, into one byte buffer; a ring beside it holds each key's hash and
//! place, and the hash table holds only ring positions. Forgetting the
//! oldest key neither rehashes it nor reads its (long cold) bytes, and a
//! lookup compares the full key on every hash hit, so a collision never
//! makes two different ids equal.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::VecDeque;
use std::hash::BuildHasher;

/// What kind of id a key is: the same text may be an intent id and an event id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeenKind {
    Intent,
    Event,
    /// clientOrderId | venueTradeId | qty raw | price raw.
    Fill,
    Account,
}

/// One key in the snapshot (the layout of format 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum SeenKey {
    Intent(String),
    Event(String),
    Fill(String),
    Account(String),
}

/// A key's lookup that found it absent: its hash, kept for remembering it.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct Fresh {
    hash: u64,
    kind: SeenKind,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    hash: u64,
    /// Absolute offset of the key's first byte.
    start: u64,
    len: u32,
    kind: SeenKind,
}

/// A set of ids that forgets its oldest past `cap`.
#[derive(Clone, Debug)]
pub struct SeenIds {
    /// The bytes of the remembered keys, oldest first, from absolute offset `base`.
    bytes: Vec<u8>,
    base: u64,
    entries: VecDeque<Entry>,
    /// Absolute positions (`head` + ring index) of the entries.
    table: HashTable<u64>,
    /// Absolute position of `entries[0]`.
    head: u64,
    cap: usize,
}

fn hash_of(kind: SeenKind, key: &[u8]) -> u64 {
    FxBuildHasher.hash_one((kind as u8, key))
}

impl SeenIds {
    pub fn new(cap: usize) -> Self {
        SeenIds { bytes: Vec::new(), base: 0, entries: VecDeque::new(), table: HashTable::new(), head: 0, cap }
    }

    fn key_of(&self, e: &Entry) -> &[u8] {
        let at = (e.start - self.base) as usize;
        &self.bytes[at..at + e.len as usize]
    }

    fn find(&self, hash: u64, kind: SeenKind, key: &[u8]) -> Option<u64> {
        self.table
            .find(hash, |&pos| {
                let e = &self.entries[(pos - self.head) as usize];
                e.hash == hash && e.kind == kind && self.key_of(e) == key
            })
            .copied()
    }

    pub fn contains(&self, kind: SeenKind, key: &str) -> bool {
        self.check(kind, key).is_none()
    }

    /// Looks a key up once: `None` when it is remembered, else what
    /// `remember` needs to add it without hashing it again.
    pub fn check(&self, kind: SeenKind, key: &str) -> Option<Fresh> {
        let hash = hash_of(kind, key.as_bytes());
        match self.find(hash, kind, key.as_bytes()) {
            Some(_) => None,
            None => Some(Fresh { hash, kind }),
        }
    }

    /// Remembers a key found absent by `check` (and still absent: checked in
    /// debug builds), forgetting the oldest one past the window.
    pub fn remember(&mut self, fresh: Fresh, key: &str) {
        debug_assert_eq!(fresh.hash, hash_of(fresh.kind, key.as_bytes()));
        debug_assert!(!self.contains(fresh.kind, key));
        self.push(fresh.hash, fresh.kind, key.as_bytes());
    }

    /// Remembers a key (no-op when it already is).
    pub fn insert(&mut self, kind: SeenKind, key: &str) {
        if let Some(fresh) = self.check(kind, key) {
            self.push(fresh.hash, kind, key.as_bytes());
        }
    }

    fn push(&mut self, hash: u64, kind: SeenKind, key: &[u8]) {
        let pos = self.head + self.entries.len() as u64;
        let start = self.base + self.bytes.len() as u64;
        self.bytes.extend_from_slice(key);
        let (entries, head) = (&self.entries, self.head);
        self.table.insert_unique(hash, pos, |&p| entries[(p - head) as usize].hash);
        // Ids are bounded at the boundary, far below u32::MAX bytes.
        self.entries.push_back(Entry { hash, start, len: key.len() as u32, kind });
        if self.entries.len() > self.cap {
            self.forget_oldest();
        }
    }

    fn forget_oldest(&mut self) {
        let Some(old) = self.entries.pop_front() else { return };
        let oldest = self.head;
        if let Ok(slot) = self.table.find_entry(old.hash, |&p| p == oldest) {
            slot.remove();
        }
        self.head += 1;
        // Drop the dead prefix of the byte buffer once it is the larger
        // half: each byte is moved at most once more, amortized O(1).
        let dead = (old.start + u64::from(old.len) - self.base) as usize;
        if dead > 4096 && dead * 2 > self.bytes.len() {
            self.bytes.drain(..dead);
            self.base += dead as u64;
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn keys(&self) -> impl Iterator<Item = (SeenKind, &[u8])> {
        self.entries.iter().map(|e| (e.kind, self.key_of(e)))
    }
}

/// Two memories are equal when they remember the same keys in the same order.
impl PartialEq for SeenIds {
    fn eq(&self, other: &Self) -> bool {
        self.cap == other.cap && self.keys().eq(other.keys())
    }
}

impl Eq for SeenIds {}

#[derive(Serialize, Deserialize)]
struct Repr {
    cap: usize,
    items: Vec<SeenKey>,
}

impl Serialize for SeenIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let items = self
            .keys()
            .map(|(kind, key)| {
                // Keys were inserted as `&str`: the bytes are UTF-8.
                let text = String::from_utf8_lossy(key).into_owned();
                match kind {
                    SeenKind::Intent => SeenKey::Intent(text),
                    SeenKind::Event => SeenKey::Event(text),
                    SeenKind::Fill => SeenKey::Fill(text),
                    SeenKind::Account => SeenKey::Account(text),
                }
            })
            .collect();
        Repr { cap: self.cap, items }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for SeenIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = Repr::deserialize(d)?;
        let mut seen = SeenIds::new(repr.cap);
        for key in repr.items {
            let (kind, text) = match key {
                SeenKey::Intent(t) => (SeenKind::Intent, t),
                SeenKey::Event(t) => (SeenKind::Event, t),
                SeenKey::Fill(t) => (SeenKind::Fill, t),
                SeenKey::Account(t) => (SeenKind::Account, t),
            };
            seen.insert(kind, &text);
        }
        Ok(seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_oldest_past_the_window_and_keeps_kinds_apart() {
        let mut seen = SeenIds::new(3);
        seen.insert(SeenKind::Event, "a");
        seen.insert(SeenKind::Intent, "a");
        seen.insert(SeenKind::Event, "b");
        assert!(seen.contains(SeenKind::Event, "a") && seen.contains(SeenKind::Intent, "a"));
        assert!(!seen.contains(SeenKind::Fill, "a"));
        seen.insert(SeenKind::Event, "c");
        assert!(!seen.contains(SeenKind::Event, "a"));
        assert!(seen.contains(SeenKind::Intent, "a") && seen.contains(SeenKind::Event, "c"));
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn stays_exact_and_bounded_over_many_keys() {
        let mut seen = SeenIds::new(1000);
        for n in 0..100_000u32 {
            seen.insert(SeenKind::Event, &format!("venue-event-{n}"));
            assert!(seen.contains(SeenKind::Event, &format!("venue-event-{n}")));
        }
        assert!(seen.contains(SeenKind::Event, "venue-event-99000"));
        assert!(!seen.contains(SeenKind::Event, "venue-event-98999"));
        assert!(seen.bytes.len() < 2 * 1000 * 20 + 8192, "byte buffer bounded: {}", seen.bytes.len());
    }

    #[test]
    fn round_trips_through_serde_in_order() {
        let mut seen = SeenIds::new(2);
        for id in ["x", "y", "z"] {
            seen.insert(SeenKind::Fill, id);
        }
        let text = serde_json::to_string(&seen).expect("serializes");
        assert_eq!(text, r#"{"cap":2,"items":[{"Fill":"y"},{"Fill":"z"}]}"#);
        let back: SeenIds = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, seen);
    }
}
