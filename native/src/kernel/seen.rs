//! The bounded dedupe memory: the ids the kernel must not apply twice.
//!
//! Remembering an id costs no allocation. A ring of fixed-size entries
//! holds the keys in arrival order: a key of at most 16 bytes lives inside
//! its entry (the host's ids are ~8–14 bytes), a longer one (up to the 128
//! bytes an id may have) in a byte buffer beside the ring. An
//! open-addressing table (linear probing) holds, per key, the top 32 bits
//! of its hash and its ring index, so most probes never touch an entry, and
//! forgetting the oldest key (backward-shift deletion) needs neither
//! rehashing it nor reading its bytes. A lookup compares the full key on
//! every hash hit, so a collision never makes two different ids equal.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What kind of id a key is: the same text may be an intent id and an event id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeenKind {
    Intent,
    Event,
    Account,
}

/// One key in the snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum SeenKey {
    Intent(String),
    Event(String),
    Account(String),
}

/// The longest key kept inside its entry.
const INLINE: usize = 16;
/// The `len` of an entry whose key lives in the byte buffer.
const LONG: u8 = u8::MAX;
/// Ring entries before the first growth.
const FIRST_RING: usize = 16;
/// How many evictions ahead the table slot of a key to forget is fetched
/// into the cache, so the miss overlaps the work of the inputs between.
const EVICT_AHEAD: usize = 8;

/// A key as the table sees it: hash tag, kind, length, and (when short) its
/// bytes packed into two words. Also what `check` hands to `remember`, so
/// a key is hashed and packed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Fresh {
    /// Short key: its bytes, packed by `pack`. Long key, once stored:
    /// [absolute offset in the byte buffer, length].
    words: [u64; 2],
    /// The top 32 bits of the key's hash; its own top bits give the home slot.
    tag: u32,
    /// The key's length when at most `INLINE`, else `LONG`.
    len: u8,
    kind: SeenKind,
}

/// A key hashed by `SeenIds::probe`, not yet looked up.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct Probe(Fresh);

/// A remembered key: the same layout as its lookup (24 bytes).
type Entry = Fresh;

const EMPTY: Entry = Fresh { words: [0; 2], tag: 0, len: 0, kind: SeenKind::Intent };

/// A set of ids that forgets its oldest past `cap`.
#[derive(Clone, Debug)]
pub struct SeenIds {
    /// The remembered keys, oldest at `head`. It doubles up to the window and
    /// then is exactly the window long, so the newest key overwrites the
    /// entry of the oldest it evicts: one pass over the ring, not two.
    ring: Vec<Entry>,
    head: usize,
    len: usize,
    /// Per key, `tag << 32 | ring index + 1`; 0 is an empty slot. At least
    /// twice the ring's length, so at most half full (38 % at the default
    /// window of 100,000): a quarter-full table probed ~16 fewer instructions
    /// per input but, twice the size, missed the cache more.
    table: Vec<u64>,
    /// `32 - log2(table.len())`: a tag shifted right by it is its home slot.
    shift: u32,
    /// The bytes of the long keys, oldest first, from absolute offset `base`.
    bytes: Vec<u8>,
    base: u64,
    cap: usize,
}

/// Starts loading the cache line of `at`: a hint, no effect on any result.
#[inline(always)]
fn prefetch<T>(at: &T) {
    // SAFETY: a prefetch reads nothing the program sees and cannot fault;
    // the address comes from a live reference, and SSE is baseline on x86_64.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>((at as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// Reads `N` bytes of `b` from `at`.
fn read<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&b[at..at + N]);
    out
}

/// Packs a key of at most `INLINE` bytes into two words with overlapping
/// reads (no byte loop); given the length, the words determine the bytes.
fn pack(b: &[u8]) -> [u64; 2] {
    let n = b.len();
    match n {
        0 => [0; 2],
        1..=3 => [u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16, 0],
        4..=7 => [u64::from(u32::from_le_bytes(read(b, 0))) | u64::from(u32::from_le_bytes(read(b, n - 4))) << 32, 0],
        _ => [u64::from_le_bytes(read(b, 0)), u64::from_le_bytes(read(b, n - 8))],
    }
}

/// The bytes `pack` packed, the same overlapping writes undone.
fn unpack(w: [u64; 2], n: usize) -> [u8; INLINE] {
    let mut b = [0; INLINE];
    match n {
        0 => {}
        1..=3 => {
            b[0] = w[0] as u8;
            b[n / 2] = (w[0] >> 8) as u8;
            b[n - 1] = (w[0] >> 16) as u8;
        }
        4..=7 => {
            b[..4].copy_from_slice(&(w[0] as u32).to_le_bytes());
            b[n - 4..n].copy_from_slice(&((w[0] >> 32) as u32).to_le_bytes());
        }
        _ => {
            b[..8].copy_from_slice(&w[0].to_le_bytes());
            b[n - 8..n].copy_from_slice(&w[1].to_le_bytes());
        }
    }
    b
}

/// The 128-bit product of `a` and `b`, its halves folded: a cheap, well-mixing step.
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    p as u64 ^ (p >> 64) as u64
}

const K: [u64; 4] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];

impl Fresh {
    /// Inlined at the call sites: ids are short, the long path is out of line.
    #[inline]
    fn of(kind: SeenKind, key: &[u8]) -> Fresh {
        if key.len() > INLINE {
            return Fresh::long(kind, key);
        }
        let meta = (key.len() as u64) << 8 | kind as u64;
        let words = pack(key);
        let h = fold(words[0] ^ K[0], words[1] ^ K[1] ^ meta);
        Fresh { words, tag: (h >> 32) as u32, len: key.len() as u8, kind }
    }

    #[cold]
    #[inline(never)]
    fn long(kind: SeenKind, key: &[u8]) -> Fresh {
        let mut h = fold((key.len() as u64) << 8 ^ kind as u64 ^ K[0], K[1]);
        let mut chunks = key.chunks_exact(8);
        for c in &mut chunks {
            h = fold(h ^ u64::from_le_bytes(read(c, 0)) ^ K[2], K[3]);
        }
        let mut last = [0; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h = fold(h ^ u64::from_le_bytes(last) ^ K[2], K[3]);
        Fresh { words: [0; 2], tag: (h >> 32) as u32, len: LONG, kind }
    }
}

impl SeenIds {
    pub fn new(cap: usize) -> Self {
        let mut seen =
            SeenIds { ring: Vec::new(), head: 0, len: 0, table: Vec::new(), shift: 0, bytes: Vec::new(), base: 0, cap };
        seen.resize(FIRST_RING.min(cap.max(1)));
        seen
    }

    /// Lays the ring out anew at `ring_len` entries (oldest first) and rebuilds the table.
    fn resize(&mut self, ring_len: usize) {
        let mut ring = vec![EMPTY; ring_len];
        for (i, e) in ring.iter_mut().enumerate().take(self.len) {
            *e = self.ring[self.wrap(self.head + i)];
        }
        self.ring = ring;
        self.head = 0;
        // Tags are 32 bits: a table of more than 2^32 slots could not be addressed by them.
        let slots = (2 * ring_len).next_power_of_two();
        assert!(slots.trailing_zeros() <= 32, "dedupe window too large");
        self.table = vec![0; slots];
        self.shift = 32 - slots.trailing_zeros();
        for i in 0..self.len {
            self.place(self.ring[i].tag, i);
        }
    }

    /// Ring index `i` (below twice the ring's length) wrapped into the ring.
    fn wrap(&self, i: usize) -> usize {
        if i >= self.ring.len() {
            i - self.ring.len()
        } else {
            i
        }
    }

    fn home(&self, tag: u32) -> usize {
        (tag >> self.shift) as usize
    }

    fn next(&self, slot: usize) -> usize {
        (slot + 1) & (self.table.len() - 1)
    }

    /// Puts ring index `at` into the first empty slot from its home.
    fn place(&mut self, tag: u32, at: usize) {
        let mut slot = self.home(tag);
        while self.table[slot] != 0 {
            slot = self.next(slot);
        }
        self.table[slot] = u64::from(tag) << 32 | (at as u64 + 1);
    }

    fn long_key(&self, e: &Entry) -> &[u8] {
        let at = (e.words[0] - self.base) as usize;
        &self.bytes[at..at + e.words[1] as usize]
    }

    /// Whether entry `e` is the key `probe` (of bytes `key`).
    #[inline]
    fn holds(&self, e: &Entry, probe: &Fresh, key: &[u8]) -> bool {
        if probe.len == LONG {
            self.holds_long(e, probe, key)
        } else {
            e.words == probe.words && e.len == probe.len && e.kind == probe.kind
        }
    }

    /// Out of line, so the probe loop of short keys keeps its registers.
    #[cold]
    #[inline(never)]
    fn holds_long(&self, e: &Entry, probe: &Fresh, key: &[u8]) -> bool {
        e.len == LONG && e.kind == probe.kind && e.words[1] == key.len() as u64 && self.long_key(e) == key
    }

    #[inline]
    fn find(&self, probe: &Fresh, key: &[u8]) -> bool {
        let mut slot = self.home(probe.tag);
        loop {
            let s = self.table[slot];
            if s == 0 {
                return false;
            }
            if (s >> 32) as u32 == probe.tag && self.holds(&self.ring[(s as u32 - 1) as usize], probe, key) {
                return true;
            }
            slot = self.next(slot);
        }
    }

    pub fn contains(&self, kind: SeenKind, key: &str) -> bool {
        self.find(&Fresh::of(kind, key.as_bytes()), key.as_bytes())
    }

    /// Hashes a key ahead of its `check_probed` and starts loading the table
    /// slot that probe begins at, so the miss overlaps the work between.
    #[inline]
    pub fn probe(&self, kind: SeenKind, key: &str) -> Probe {
        let probe = Fresh::of(kind, key.as_bytes());
        prefetch(&self.table[self.home(probe.tag)]);
        Probe(probe)
    }

    /// Looks a key up once: `None` when it is remembered, else what
    /// `remember` needs to add it without hashing it again.
    pub fn check(&self, kind: SeenKind, key: &str) -> Option<Fresh> {
        self.check_probed(Probe(Fresh::of(kind, key.as_bytes())), key)
    }

    /// `check` of the key `probe` was made from (checked in debug builds).
    pub fn check_probed(&self, probe: Probe, key: &str) -> Option<Fresh> {
        debug_assert_eq!(probe.0, Fresh::of(probe.0.kind, key.as_bytes()));
        (!self.find(&probe.0, key.as_bytes())).then_some(probe.0)
    }

    /// Remembers a key found absent by `check` (and still absent: checked in
    /// debug builds), forgetting the oldest one past the window.
    pub fn remember(&mut self, fresh: Fresh, key: &str) {
        debug_assert_eq!(fresh, Fresh::of(fresh.kind, key.as_bytes()));
        debug_assert!(!self.contains(fresh.kind, key));
        self.push(fresh, key.as_bytes());
    }

    /// Remembers a key (no-op when it already is).
    pub fn insert(&mut self, kind: SeenKind, key: &str) {
        if let Some(fresh) = self.check(kind, key) {
            self.push(fresh, key.as_bytes());
        }
    }

    fn push(&mut self, fresh: Fresh, key: &[u8]) {
        if self.cap == 0 {
            return;
        }
        if self.len == self.cap {
            self.forget_oldest();
        } else if self.len == self.ring.len() {
            self.resize((2 * self.ring.len()).min(self.cap));
        }
        let at = self.wrap(self.head + self.len);
        let mut e = fresh;
        if e.len == LONG {
            e.words = [self.base + self.bytes.len() as u64, key.len() as u64];
            self.bytes.extend_from_slice(key);
        }
        self.ring[at] = e;
        self.len += 1;
        self.place(e.tag, at);
        if self.len == self.cap && EVICT_AHEAD < self.cap {
            let later = self.ring[self.wrap(self.head + EVICT_AHEAD)].tag;
            prefetch(&self.table[self.home(later)]);
        }
    }

    fn forget_oldest(&mut self) {
        let old = self.ring[self.head];
        let mut slot = self.home(old.tag);
        while self.table[slot] as u32 as usize != self.head + 1 {
            slot = self.next(slot);
        }
        // Backward-shift deletion: pull later keys of the cluster into the
        // hole when it lies between their home and their slot, so no lookup
        // ever stops early at it.
        let mask = self.table.len() - 1;
        let mut hole = slot;
        let mut at = self.next(slot);
        loop {
            let s = self.table[at];
            if s == 0 {
                break;
            }
            let home = self.home((s >> 32) as u32);
            if at.wrapping_sub(home) & mask >= at.wrapping_sub(hole) & mask {
                self.table[hole] = s;
                hole = at;
            }
            at = self.next(at);
        }
        self.table[hole] = 0;
        self.head = self.wrap(self.head + 1);
        self.len -= 1;
        if old.len == LONG {
            // Drop the dead prefix of the byte buffer once it is the larger
            // half: each byte is moved at most once more, amortized O(1).
            let dead = (old.words[0] + old.words[1] - self.base) as usize;
            if dead > 4096 && dead * 2 > self.bytes.len() {
                self.bytes.drain(..dead);
                self.base += dead as u64;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries, oldest first.
    fn entries(&self) -> impl Iterator<Item = &Entry> {
        (0..self.len).map(move |i| &self.ring[self.wrap(self.head + i)])
    }

    /// Hands the bytes of entry `e` to `f`.
    fn with_key<R>(&self, e: &Entry, f: impl FnOnce(&[u8]) -> R) -> R {
        if e.len == LONG {
            f(self.long_key(e))
        } else {
            f(&unpack(e.words, e.len as usize)[..e.len as usize])
        }
    }
}

/// Two memories are equal when they remember the same keys in the same order.
impl PartialEq for SeenIds {
    fn eq(&self, other: &Self) -> bool {
        self.cap == other.cap
            && self.len == other.len
            && self
                .entries()
                .zip(other.entries())
                .all(|(a, b)| a.kind == b.kind && self.with_key(a, |ka| other.with_key(b, |kb| ka == kb)))
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
            .entries()
            .map(|e| {
                // Keys were inserted as `&str`: the bytes are UTF-8.
                let text = self.with_key(e, |key| String::from_utf8_lossy(key).into_owned());
                match e.kind {
                    SeenKind::Intent => SeenKey::Intent(text),
                    SeenKind::Event => SeenKey::Event(text),
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
        assert!(!seen.contains(SeenKind::Account, "a"));
        seen.insert(SeenKind::Event, "c");
        assert!(!seen.contains(SeenKind::Event, "a"));
        assert!(seen.contains(SeenKind::Intent, "a") && seen.contains(SeenKind::Event, "c"));
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn stays_exact_and_bounded_over_many_keys() {
        let mut seen = SeenIds::new(1000);
        // The host's ids: `<session tag>-<prefix><n>`.
        for n in 0..100_000u32 {
            seen.insert(SeenKind::Event, &format!("3fa9c1-v{n}"));
            assert!(seen.contains(SeenKind::Event, &format!("3fa9c1-v{n}")));
        }
        assert!(seen.contains(SeenKind::Event, "3fa9c1-v99000"));
        assert!(!seen.contains(SeenKind::Event, "3fa9c1-v98999"));
        assert!(seen.bytes.is_empty(), "short keys live in their entries");
        let long = |n: u32| format!("binance-usdm-fill-{n:0>40}-0000000001");
        for n in 0..100_000u32 {
            seen.insert(SeenKind::Event, &long(n));
        }
        assert!(seen.contains(SeenKind::Event, &long(99_999)) && !seen.contains(SeenKind::Event, &long(98_999)));
        assert!(seen.bytes.len() < 2 * 1000 * 80 + 8192, "byte buffer bounded: {}", seen.bytes.len());
        assert_eq!(seen.ring.len(), 1000, "the ring grows to the window, not past it");
    }

    /// Every key length on both sides of the inline limit, up to past 128
    /// bytes (and multi-byte UTF-8), packs and unpacks to itself and is told
    /// apart from its neighbours, including ones differing in a trailing NUL.
    #[test]
    fn keys_of_every_length_round_trip_and_stay_distinct() {
        let mut seen = SeenIds::new(10_000);
        let text: String = "aé€😀bcdefghij".chars().cycle().take(200).collect();
        let mut keys: Vec<&str> = (0..=text.len()).filter(|&n| text.is_char_boundary(n)).map(|n| &text[..n]).collect();
        keys.extend(["\0", "\0\0", "a\0", "x\0\0\0\0\0\0\0\0"]);
        for key in &keys {
            if key.len() <= INLINE {
                let n = key.len();
                assert_eq!(&unpack(pack(key.as_bytes()), n)[..n], key.as_bytes());
            }
            seen.insert(SeenKind::Event, key);
        }
        assert_eq!(seen.len(), keys.len(), "no two lengths or NUL paddings confused");
        for key in &keys {
            assert!(seen.contains(SeenKind::Event, key) && !seen.contains(SeenKind::Account, key), "{key:?}");
        }
        let text = serde_json::to_string(&seen).expect("serializes");
        let back: SeenIds = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, seen);
        assert_eq!(serde_json::to_string(&back).expect("serializes"), text);
    }

    /// A key hashed ahead (`probe`) is checked like one hashed at its check:
    /// new, remembered and forgotten keys, across growths of the ring.
    #[test]
    fn a_probed_check_answers_as_a_plain_one() {
        let mut seen = SeenIds::new(100);
        for n in 0..300 {
            let key = format!("venue-event-{n}");
            let probe = seen.probe(SeenKind::Event, &key);
            let fresh = seen.check_probed(probe, &key).expect("a new key");
            assert_eq!(Some(fresh), seen.check(SeenKind::Event, &key));
            seen.remember(fresh, &key);
            for key in [format!("venue-event-{}", n / 2), key] {
                let probe = seen.probe(SeenKind::Event, &key);
                assert_eq!(seen.check_probed(probe, &key), seen.check(SeenKind::Event, &key));
            }
        }
    }

    #[test]
    fn a_window_of_one_remembers_the_last_key_only() {
        let mut seen = SeenIds::new(1);
        for n in 0..100 {
            seen.insert(SeenKind::Intent, &format!("i{n}"));
            assert!(seen.contains(SeenKind::Intent, &format!("i{n}")));
            assert!(n == 0 || !seen.contains(SeenKind::Intent, &format!("i{}", n - 1)));
            assert_eq!(seen.len(), 1);
        }
        let mut none = SeenIds::new(0);
        none.insert(SeenKind::Intent, "i1");
        assert!(none.is_empty() && !none.contains(SeenKind::Intent, "i1"));
    }

    /// The lookup of `key` with its hash tag forced to `tag`.
    fn forced(kind: SeenKind, key: &str, tag: u32) -> Fresh {
        Fresh { tag, ..Fresh::of(kind, key.as_bytes()) }
    }

    /// Keys whose hashes collide in full (same tag, same home slot) are still
    /// told apart by their bytes, and forgetting the oldest of a cluster that
    /// wraps around the table's end leaves the rest findable.
    #[test]
    fn full_hash_collisions_never_make_two_keys_equal() {
        let mut seen = SeenIds::new(5);
        let tag = u32::MAX; // home slot: the table's last one, so the cluster wraps
        let long = "L".repeat(100);
        let keys: Vec<String> =
            (0..40).map(|n| if n % 7 == 3 { format!("{long}{n}") } else { format!("k{n}") }).collect();
        for (n, key) in keys.iter().enumerate() {
            let probe = forced(SeenKind::Event, key, tag);
            assert!(!seen.find(&probe, key.as_bytes()), "{key} is new");
            seen.push(probe, key.as_bytes());
            for (m, other) in keys.iter().enumerate().take(n + 1) {
                let remembered = n - m < 5;
                assert_eq!(seen.find(&forced(SeenKind::Event, other, tag), other.as_bytes()), remembered, "{other}");
                assert!(!seen.find(&forced(SeenKind::Account, other, tag), other.as_bytes()));
            }
        }
        assert_eq!(seen.table.iter().filter(|&&s| s != 0).count(), 5, "forgotten keys leave the table");
    }

    proptest::proptest! {
        /// Against a plain model (a queue and a scan), with few distinct tags
        /// so clusters collide, wrap and shift: same answers, same order.
        #[test]
        fn matches_a_plain_model(
            cap in 1usize..40,
            ops in proptest::collection::vec((0u32..60, 0usize..3), 1..400),
        ) {
            let mut seen = SeenIds::new(cap);
            let mut model: std::collections::VecDeque<(SeenKind, String)> = Default::default();
            for (id, shape) in ops {
                let kind = if id % 5 == 0 { SeenKind::Account } else { SeenKind::Event };
                let key = match shape { 0 => format!("{id}"), 1 => format!("venue-event-{id}"), _ => format!("{id:0>30}") };
                // Six tags in all, so keys collide in clusters that wrap and shift.
                let probe = forced(kind, &key, (id % 3).wrapping_mul(0x9e37_79b9) ^ (id % 2) << 27);
                let known = model.iter().any(|(k, s)| *k == kind && *s == key);
                proptest::prop_assert_eq!(seen.find(&probe, key.as_bytes()), known);
                if !known {
                    seen.push(probe, key.as_bytes());
                    model.push_back((kind, key));
                    if model.len() > cap {
                        model.pop_front();
                    }
                }
                proptest::prop_assert_eq!(seen.len(), model.len());
            }
            let keys: Vec<(SeenKind, Vec<u8>)> = seen.entries().map(|e| (e.kind, seen.with_key(e, <[u8]>::to_vec))).collect();
            let want: Vec<(SeenKind, Vec<u8>)> = model.into_iter().map(|(k, s)| (k, s.into_bytes())).collect();
            proptest::prop_assert_eq!(keys, want);
        }
    }

    #[test]
    fn round_trips_through_serde_in_order() {
        let mut seen = SeenIds::new(2);
        for id in ["x", "y", "z"] {
            seen.insert(SeenKind::Account, id);
        }
        let text = serde_json::to_string(&seen).expect("serializes");
        assert_eq!(text, r#"{"cap":2,"items":[{"Account":"y"},{"Account":"z"}]}"#);
        let back: SeenIds = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, seen);
    }
}
