//! The bulk format of the packed methods, both ways; `native/packed.ts` is
//! the other end. Numbers travel as doubles in a `Float64Array`, strings as
//! one text plus where each ends (UTF-16 units, the unit of JS `slice`): no
//! JSON, and no JS object read or built property by property across napi.
//!
//! **Input** (`nums`, `text`, `ends`: a `Uint32Array`). `nums` = record
//! count, the answer the caller's string table last took in (see Output),
//! then the records; `s` = index of a string of the text. A record with
//! optional fields starts with a mask of those present (bit i = i-th
//! optional field) and only present ones follow, in order, so an absent
//! field is never confused with a NaN the caller passed: every double, NaN
//! and infinities included, reaches the kernel's guard exactly as a typed
//! call passes it, and strings are converted as napi converts them.
//!
//! - venue event: mask, eventId s, kind s, clientOrderId s, ts; optional
//!   venueOrderId s, venueTradeId s, price, size, fee, liquidity s,
//!   retryAfterMs, reason s.
//! - intent: mask, intentId s, action s, ts; optional asset s, side s,
//!   orderType s, targetSize, referencePrice, limitPrice, leverage,
//!   exitLegRatios (count, then the ratios), takeProfit, stopLoss, slotId,
//!   tradeId s, reason s, correlationId s, causationId s.
//! - mark: asset s, price, ts.
//!
//! The whole batch is read and checked (lengths, masks, string indexes, the
//! ends) into reused records before the first is applied: a malformed batch
//! is refused with nothing applied, naming the record and what is wrong.
//!
//! **Output** (into the caller's `out` array when it fits, else a new one;
//! and one text of new strings). `w` = index into the vocabulary (`words()`:
//! every enum word of the kernel, fetched once). `s` = a string reference:
//! ≥ 0 is a handle in the caller's string table, which keeps, from batch to
//! batch, the ids the kernel shares between outcomes (trades, correlations,
//! orders, assets) and detail keys, each sent once; −1 − i is the batch's
//! own string i: first the input's strings (an id the caller sent comes
//! back as a reference to its own string), then the new ones not kept
//! (event ids, rendered causes, texts). `?` = NaN when absent.
//!
//! - header: outcome count, where the new strings' list starts (it comes
//!   last), how many new strings, this answer's number.
//! - outcome: accepted, code w, severity w, slotId?, tradeId s?, state w?,
//!   retryable, retryAfterMs?, retryAt?, then the counts of transitions,
//!   events, commands, details, flags, diagnostics, then those in that order.
//! - transition: slotId, prev w, next w, trigger w, intentId s?, eventId s?
//! - event: type w, eventId s, seq, correlationId s, causationId s, ts,
//!   slotId, tradeId s, a mask of the optional fields present, then their
//!   values in the order of `DomainEvent`.
//! - command: kind w, clientOrderId s, tradeId s, slotId, asset s, side w,
//!   orderType w, size, limitPrice?, reduceOnly.
//! - detail: key s, value s. flag: w.
//! - diagnostic: code w, severity w, slotId?, clientOrderId s?, asset s?, message s.
//! - new strings, in order, two numbers each: where it ends in the text (or
//!   −1 − i: the batch's string i, no text), and its handle in the table
//!   (−1: the batch's own, numbered after those before it).
//!
//! The table is numbered by answer: the caller says which answer it last
//! took in, and one that is behind (it skipped an answer, or has no table
//! yet) is sent every string again. Its entries hold their `Rc`s, so an
//! address that keys an entry is never reused while the entry lives.

use crate::kernel::fixed::Fixed;
use crate::kernel::input::{IntentRaw, MarkRaw, VenueEventRaw};
use crate::kernel::outcome::{Cause, DomainEvent, Outcome};
use crate::kernel::stage::{Input, Stage};
use crate::kernel::types::{
    push_decimal, CloseReason, Code, CommandKind, EventType, Flag, Id, Liquidity, OrderSide, OrderType, Severity, Side,
};
use crate::kernel::Kernel;
use rustc_hash::FxHashMap;
use std::fmt;

const ABSENT: f64 = f64::NAN;
/// Output header: outcome count, where the new strings' ends and handles
/// start, how many new strings there are, the answer's number.
const HEADER: usize = 4;
/// Input header: record count, the answer the caller's table took in last.
pub const INPUT_HEADER: usize = 2;

/// A malformed packed input: what is wrong, and where.
#[derive(Debug, PartialEq, Eq)]
pub struct BadInput(String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "packed input: {}", self.0)
    }
}

// ── the vocabulary ──────────────────────────────────────────────────────────

/// An enum whose words are part of the vocabulary: its index there.
trait Word: Copy {
    fn word(self) -> f64;
}

macro_rules! vocabulary {
    ($($t:ty),+ $(,)?) => {
        vocabulary!(@at 0usize; $($t),+);

        /// Every enum word the outcomes use, in the order `Word::word` indexes them.
        pub fn words() -> Vec<&'static str> {
            let mut all = Vec::new();
            $(all.extend(<$t>::ALL.iter().map(|x| x.as_str()));)+
            all
        }
    };
    (@at $base:expr; $t:ty $(, $rest:ty)*) => {
        impl Word for $t {
            fn word(self) -> f64 {
                const BASE: usize = $base;
                (BASE + self as usize) as f64
            }
        }
        vocabulary!(@at $base + <$t>::ALL.len(); $($rest),*);
    };
    (@at $base:expr;) => {};
}

vocabulary!(
    Code,
    Severity,
    Stage,
    Input,
    EventType,
    CommandKind,
    OrderSide,
    OrderType,
    Side,
    Liquidity,
    CloseReason,
    Flag
);

fn opt_word<T: Word>(w: Option<T>) -> f64 {
    w.map_or(ABSENT, Word::word)
}

// ── input ───────────────────────────────────────────────────────────────────

/// The strings of a packed input: one UTF-16 text and where each string ends.
pub struct Strings<'a> {
    units: &'a [u16],
    ends: &'a [u32],
}

impl<'a> Strings<'a> {
    pub fn new(units: &'a [u16], ends: &'a [u32]) -> Result<Self, BadInput> {
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate() {
            if end < start || end as usize > units.len() {
                return Err(BadInput(format!(
                    "ends[{i}] = {end} is not between the previous end ({start}) and the text's length ({})",
                    units.len()
                )));
            }
            start = end;
        }
        Ok(Strings { units, ends })
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn get(&self, i: usize) -> &'a [u16] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.units[start..self.ends[i] as usize]
    }

    /// Whether string `i` is `s`.
    fn equals(&self, i: u32, s: &str) -> bool {
        let units = self.get(i as usize);
        // The usual case, ASCII: unit for byte. Otherwise an ASCII `s` is
        // not `units`, and any other is compared character by character.
        if units.len() == s.len() && units.iter().zip(s.bytes()).all(|(&u, b)| b < 0x80 && u == u16::from(b)) {
            return true;
        }
        !s.is_ascii() && char::decode_utf16(units.iter().copied()).map(|c| c.ok()).eq(s.chars().map(Some))
    }
}

/// `units` into `out`, as napi converts a JS string (an unpaired surrogate
/// becomes U+FFFD), reusing `out`'s storage.
fn utf16_into(out: &mut String, units: &[u16]) {
    out.clear();
    if units.iter().all(|&u| u < 0x80) {
        // SAFETY: ASCII, the usual case: one byte per unit, and ASCII bytes are UTF-8.
        unsafe { out.as_mut_vec() }.extend(units.iter().map(|&u| u as u8));
    } else {
        out.extend(char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    }
}

/// What is wrong with a record: the first fault met, put into words only
/// when the batch is refused.
#[derive(Clone, Copy, Debug)]
enum Fault {
    End,
    NotIndex { what: &'static str, v: f64, limit: usize },
}

/// Reads one batch's records front to back. Every read is checked; a read
/// never fails, it notes the first fault of the record (and gives 0, NaN or
/// an empty string), which `Batch::read` reports after the record.
pub struct Cursor<'a, 'b> {
    nums: &'a [f64],
    at: usize,
    strings: &'a Strings<'a>,
    fault: Option<Fault>,
    /// The input strings of the current record that may come back as ids.
    refs: &'b mut Vec<u32>,
}

impl Cursor<'_, '_> {
    fn num(&mut self) -> f64 {
        match self.nums.get(self.at) {
            Some(&v) => {
                self.at += 1;
                v
            }
            None => {
                self.fault.get_or_insert(Fault::End);
                f64::NAN
            }
        }
    }

    /// A whole number in `0..limit` (0 after a fault).
    fn index(&mut self, what: &'static str, limit: usize) -> usize {
        let v = self.num();
        // `as` saturates (NaN to 0): the round trip holds for whole numbers in range only.
        let i = v as usize;
        if v >= 0.0 && i < limit && i as f64 == v {
            return i;
        }
        self.fault.get_or_insert(Fault::NotIndex { what, v, limit });
        0
    }

    fn mask(&mut self, fields: u32) -> u32 {
        self.index("mask", 1 << fields) as u32
    }

    fn str(&mut self, out: &mut String) -> u32 {
        let i = self.index("string index", self.strings.len());
        if self.fault.is_none() {
            utf16_into(out, self.strings.get(i));
        }
        i as u32
    }

    /// A string that may come back in the outcome as an id.
    fn id(&mut self, out: &mut String) {
        let i = self.str(out);
        self.refs.push(i);
    }

    fn opt_num(&mut self, present: bool) -> Option<f64> {
        present.then(|| self.num())
    }

    fn opt_str(&mut self, present: bool, out: &mut Option<String>) {
        if present {
            self.str(out.get_or_insert_with(String::new));
        } else {
            *out = None;
        }
    }

    fn opt_id(&mut self, present: bool, out: &mut Option<String>) {
        if present {
            self.id(out.get_or_insert_with(String::new));
        } else {
            *out = None;
        }
    }
}

/// One record kind of the input.
pub trait Record: Default {
    fn read(c: &mut Cursor, raw: &mut Self);
}

impl Record for VenueEventRaw {
    fn read(c: &mut Cursor, e: &mut Self) {
        let m = c.mask(8);
        c.id(&mut e.event_id);
        c.str(&mut e.kind);
        c.id(&mut e.client_order_id);
        e.ts = c.num();
        c.opt_id(m & 1 != 0, &mut e.venue_order_id);
        c.opt_id(m & 2 != 0, &mut e.venue_trade_id);
        e.price = c.opt_num(m & 4 != 0);
        e.size = c.opt_num(m & 8 != 0);
        e.fee = c.opt_num(m & 16 != 0);
        c.opt_str(m & 32 != 0, &mut e.liquidity);
        e.retry_after_ms = c.opt_num(m & 64 != 0);
        c.opt_id(m & 128 != 0, &mut e.reason);
    }
}

impl Record for IntentRaw {
    fn read(c: &mut Cursor, i: &mut Self) {
        let m = c.mask(16);
        c.id(&mut i.intent_id);
        c.str(&mut i.action);
        i.ts = c.num();
        c.opt_id(m & 1 != 0, &mut i.asset);
        c.opt_str(m & 2 != 0, &mut i.side);
        c.opt_str(m & 4 != 0, &mut i.order_type);
        i.target_size = c.opt_num(m & 8 != 0);
        i.reference_price = c.opt_num(m & 16 != 0);
        i.limit_price = c.opt_num(m & 32 != 0);
        i.leverage = c.opt_num(m & 64 != 0);
        if m & 128 != 0 {
            // At most the numbers left after the count itself (n < left + 1).
            let n = c.index("exitLegRatios count", c.nums.len().saturating_sub(c.at));
            let legs = i.exit_leg_ratios.get_or_insert_with(Vec::new);
            legs.clear();
            legs.extend_from_slice(&c.nums[c.at..c.at + n]);
            c.at += n;
        } else {
            i.exit_leg_ratios = None;
        }
        i.take_profit = c.opt_num(m & 256 != 0);
        i.stop_loss = c.opt_num(m & 512 != 0);
        i.slot_id = c.opt_num(m & 1024 != 0);
        c.opt_id(m & 2048 != 0, &mut i.trade_id);
        c.opt_id(m & 4096 != 0, &mut i.reason);
        c.opt_id(m & 8192 != 0, &mut i.correlation_id);
        c.opt_id(m & 16384 != 0, &mut i.causation_id);
        i.lot_step = c.opt_num(m & 32768 != 0);
    }
}

impl Record for MarkRaw {
    fn read(c: &mut Cursor, k: &mut Self) {
        c.id(&mut k.asset);
        k.price = c.num();
        k.ts = c.num();
    }
}

/// One batch of input records, read whole before any is applied. Kept
/// between batches: the records' strings are refilled in place.
pub struct Batch<R> {
    records: Vec<R>,
    len: usize,
    /// The id-like input strings of each record (`refs[ref_ends[k-1]..ref_ends[k]]`).
    refs: Vec<u32>,
    ref_ends: Vec<usize>,
}

impl<R> Default for Batch<R> {
    fn default() -> Self {
        Batch { records: Vec::new(), len: 0, refs: Vec::new(), ref_ends: Vec::new() }
    }
}

impl<R: Record> Batch<R> {
    /// Reads a whole batch; on error, names the first malformed record.
    pub fn read(&mut self, nums: &[f64], strings: &Strings) -> Result<(), BadInput> {
        self.len = 0;
        self.refs.clear();
        self.ref_ends.clear();
        let count = nums.first().copied().unwrap_or(f64::NAN);
        // Every record takes at least one number.
        if !(count >= 0.0 && count <= nums.len() as f64 && count == (count as usize) as f64)
            || nums.len() < INPUT_HEADER
        {
            return Err(BadInput(format!("record count {count} does not fit {} numbers", nums.len())));
        }
        let mut c = Cursor { nums, at: INPUT_HEADER, strings, fault: None, refs: &mut self.refs };
        for k in 0..count as usize {
            if self.records.len() == k {
                self.records.push(R::default());
            }
            R::read(&mut c, &mut self.records[k]);
            if let Some(fault) = c.fault {
                return Err(BadInput(match fault {
                    Fault::End => format!("record {k}: the numbers end inside it"),
                    Fault::NotIndex { what, v, limit } => {
                        format!("record {k}: {what} {v} is not a whole number below {limit}")
                    }
                }));
            }
            self.ref_ends.push(c.refs.len());
        }
        if c.at != nums.len() {
            return Err(BadInput(format!("{} numbers left after the last record", nums.len() - c.at)));
        }
        self.len = count as usize;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Record `k` and its id-like input strings.
    pub fn get(&self, k: usize) -> (&R, &[u32]) {
        let start = if k == 0 { 0 } else { self.ref_ends[k - 1] };
        (&self.records[k], &self.refs[start..self.ref_ends[k]])
    }
}

// ── output ──────────────────────────────────────────────────────────────────

/// How many strings the decoder keeps from batch to batch. Small on
/// purpose: measured on (c), a table of 2^17 made the whole run ~20 %
/// slower than one of 2^10..2^12 (its map and the ids it kept alive crowded
/// the kernel out of the cache), for little more reuse.
const TABLE: usize = 1 << 12;

/// A string's key in the table and in the per-outcome cache: its address
/// and length.
type Key = (usize, usize);

fn key(s: &str) -> Key {
    (s.as_ptr() as usize, s.len())
}

/// The strings the decoder keeps between batches, by handle: the ids the
/// kernel shares from outcome to outcome (trades, correlations, orders,
/// assets) and the detail keys, each sent once, then referred to. Keyed by
/// address: an entry holds its `Rc`, so no address in the table is freed
/// and reused while the entry lives. Answers are numbered (`epoch`): the
/// caller says which answer its table last took in, and a caller that is
/// not at the latest (it skipped an answer, or never had one) gets every
/// string again.
struct Table {
    /// How many strings the decoder keeps (`TABLE`; fewer in tests).
    cap: usize,
    handles: FxHashMap<Key, u32>,
    /// Per handle: its key, the `Rc` kept alive (none for static text) and
    /// the last answer that used it (never evicted within that answer).
    slots: Vec<(Key, Option<Id>, u32)>,
    next: usize,
    epoch: u32,
}

impl Default for Table {
    fn default() -> Self {
        Table { cap: TABLE, handles: FxHashMap::default(), slots: Vec::new(), next: 0, epoch: 0 }
    }
}

impl Table {
    /// Starts an answer for a caller whose table took in answer `taken`.
    fn begin(&mut self, taken: f64) {
        if taken != f64::from(self.epoch) {
            self.handles.clear();
            self.slots.clear();
            self.next = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
    }

    fn get(&mut self, key: Key) -> Option<f64> {
        let h = *self.handles.get(&key)?;
        self.slots[h as usize].2 = self.epoch;
        Some(f64::from(h))
    }

    /// A handle for a new string; none when the slot to reuse is one this answer refers to.
    fn add(&mut self, key: Key, keep: Option<Id>) -> Option<f64> {
        let h = self.next % self.cap;
        if h == self.slots.len() {
            self.slots.push((key, keep, self.epoch));
        } else {
            let slot = &mut self.slots[h];
            if slot.2 == self.epoch {
                return None;
            }
            self.handles.remove(&slot.0);
            *slot = (key, keep, self.epoch);
        }
        self.handles.insert(key, h as u32);
        self.next += 1;
        Some(h as f64)
    }
}

/// Builds batches of outcomes (`begin`, then an `Answer` per batch).
/// Buffers are kept between batches.
#[derive(Default)]
pub struct Packer {
    /// The new strings, concatenated.
    text: String,
    /// Per new string: where it ends in `text` (UTF-16 units) or which of
    /// the batch's strings it is (−1 − i), and its handle (−1: the batch's own).
    tail: Vec<f64>,
    utf16_len: u32,
    /// The batch's own strings so far (the input's first).
    local: u32,
    table: Table,
    /// The current outcome's strings by key: the reference sent, and whether
    /// it is final for the outcome (a table handle, or the batch's own string
    /// when the table had no slot free in this answer) or only the batch's
    /// own copy of an id that a shared use should still try to keep
    /// (`own_id`). An outcome holds its `Rc`s while it is packed, so one key
    /// is one text.
    seen: Vec<(Key, f64, bool)>,
    /// The current outcome's events: seq and their eventId.
    seqs: Vec<(u64, f64)>,
    /// The last rendered causation (marks and ticks cause many events).
    cause: Option<(Cause, f64)>,
    /// `${prefix}k-` and its length in UTF-16 units, made on the batch's first event id.
    event_id_head: (String, usize),
    outcomes: u32,
}

/// The input strings an outcome may repeat: the batch's and its record's.
#[derive(Clone, Copy)]
pub struct Echo<'a> {
    pub strings: &'a Strings<'a>,
    pub refs: &'a [u32],
}

/// A reference to the batch's own string `i`.
fn local(i: u32) -> f64 {
    -1.0 - f64::from(i)
}

/// The numbers of the batch being packed, written straight into the
/// caller's array: copying them there from a buffer of our own took up to a
/// quarter of the packed call (perf, on the boundary-only loop of
/// scripts/bench-kernel.mjs): a memmove of ~400 bytes per input, many times
/// slower when the two arrays are not aligned alike. From the first number
/// that does not fit, all of them go to a new vector instead (the caller
/// then gets a new array, and passes a larger one next time).
struct Nums<'a> {
    out: &'a mut [f64],
    len: usize,
    /// Empty until a number does not fit in `out`; then every number.
    spilled: Vec<f64>,
}

impl Nums<'_> {
    #[inline(always)]
    fn extend(&mut self, v: &[f64]) {
        let end = self.len + v.len();
        match self.out.get_mut(self.len..end) {
            Some(to) => to.copy_from_slice(v),
            None => self.spill(v),
        }
        self.len = end;
    }

    fn push(&mut self, v: f64) {
        self.extend(&[v]);
    }

    #[cold]
    #[inline(never)]
    fn spill(&mut self, v: &[f64]) {
        if self.spilled.is_empty() {
            self.spilled.extend_from_slice(&self.out[..self.len]);
            self.out = &mut [];
        }
        self.spilled.extend_from_slice(v);
    }

    /// Overwrites number `i` (written before).
    fn set(&mut self, i: usize, v: f64) {
        match self.out.get_mut(i) {
            Some(x) => *x = v,
            None => self.spilled[i] = v,
        }
    }
}

/// A finished batch's numbers.
pub enum Numbers<'a> {
    /// In the caller's array, from its start.
    InOut(&'a [f64]),
    /// They did not fit there.
    Spilled(Vec<f64>),
}

impl Numbers<'_> {
    pub fn as_slice(&self) -> &[f64] {
        match self {
            Numbers::InOut(n) => n,
            Numbers::Spilled(n) => n,
        }
    }
}

/// One batch being packed: the packer, and the caller's array the numbers go to.
pub struct Answer<'a> {
    p: &'a mut Packer,
    nums: Nums<'a>,
}

impl Packer {
    /// Starts a batch answering an input of `input_strings` strings, its
    /// numbers written into `out`; `taken` is the answer the caller's table
    /// took in last (`input[1]`).
    pub fn begin<'a>(&'a mut self, out: &'a mut [f64], input_strings: usize, taken: f64) -> Answer<'a> {
        self.text.clear();
        self.tail.clear();
        self.utf16_len = 0;
        self.local = input_strings as u32;
        self.table.begin(taken);
        self.cause = None;
        self.event_id_head.0.clear();
        self.outcomes = 0;
        let mut nums = Nums { out, len: 0, spilled: Vec::new() };
        nums.extend(&[0.0; HEADER]);
        Answer { p: self, nums }
    }

    /// A new string: into the table under `handle`, or the batch's own.
    fn new_string(&mut self, s: &str, handle: Option<f64>) -> f64 {
        self.text.push_str(s);
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        self.new_string_end(units, handle)
    }

    fn new_string_end(&mut self, utf16_units: usize, handle: Option<f64>) -> f64 {
        // Strings are short (ids are bounded at the boundary): the sum fits in u32.
        self.utf16_len += utf16_units as u32;
        self.tail.extend_from_slice(&[f64::from(self.utf16_len), handle.unwrap_or(-1.0)]);
        handle.unwrap_or_else(|| {
            self.local += 1;
            local(self.local - 1)
        })
    }

    /// The record's own string when it sent `s`.
    fn echo(s: &str, echo: Echo) -> Option<f64> {
        echo.refs.iter().find(|&&i| echo.strings.equals(i, s)).map(|&i| local(i))
    }

    /// A text of this outcome only.
    fn text(&mut self, s: &str, echo: Echo) -> f64 {
        Packer::echo(s, echo).unwrap_or_else(|| self.new_string(s, None))
    }

    /// `outcome::event_id(prefix, seq)`, written straight into the text.
    fn event_id(&mut self, prefix: &str, seq: u64) -> f64 {
        if self.event_id_head.0.is_empty() {
            self.event_id_head.0 = format!("{prefix}k-");
            self.event_id_head.1 = self.event_id_head.0.encode_utf16().count();
        }
        self.text.push_str(&self.event_id_head.0);
        let digits = push_decimal(&mut self.text, seq);
        let i = self.new_string_end(self.event_id_head.1 + digits, None);
        self.seqs.push((seq, i));
        i
    }

    /// An id the kernel shares between outcomes (a trade's, an order's, a
    /// correlation, an asset): its handle in the table, or the record's own
    /// string. Inline: most ids of an outcome repeat one seen before in it.
    #[inline(always)]
    fn id(&mut self, id: &Id, echo: Echo) -> f64 {
        let key = key(id);
        match self.seen.iter().enumerate().find(|&(_, &(k, _, _))| k == key) {
            Some((_, &(_, i, true))) => i,
            met => self.first_id(id, key, met.map(|(at, _)| at), echo),
        }
    }

    /// A shared id met for the first time in this outcome, or sent in it
    /// so far as the batch's own string (at `seen[met]`).
    #[inline(never)]
    fn first_id(&mut self, id: &Id, key: Key, met: Option<usize>, echo: Echo) -> f64 {
        let sent = met.map(|at| self.seen[at].1);
        let i = match self.table.get(key) {
            Some(h) => h,
            None => {
                let h = self.table.add(key, Some(id.clone()));
                match (sent.or_else(|| Packer::echo(id, echo)), h) {
                    // A string the batch has (the caller's own, or sent new), kept in the table from now on.
                    (Some(i), Some(h)) => {
                        self.tail.extend_from_slice(&[i, h]);
                        h
                    }
                    (Some(i), None) => i,
                    (None, h) => self.new_string(id, h),
                }
            }
        };
        match met {
            Some(at) => self.seen[at] = (key, i, true),
            None => self.seen.push((key, i, true)),
        }
        i
    }

    /// An id of this input alone (a venue event's id, an external cause):
    /// not worth a table entry, which would only evict a shared id.
    fn own_id(&mut self, id: &Id, echo: Echo) -> f64 {
        let key = key(id);
        if let Some(&(_, i, _)) = self.seen.iter().find(|&&(k, _, _)| k == key) {
            return i;
        }
        let (i, kept) = match self.table.get(key) {
            Some(h) => (h, true),
            None => (Packer::echo(id, echo).unwrap_or_else(|| self.new_string(id, None)), false),
        };
        self.seen.push((key, i, kept));
        i
    }

    fn opt_id(&mut self, id: Option<&Id>, echo: Echo) -> f64 {
        id.map_or(ABSENT, |i| self.id(i, echo))
    }

    /// A detail key (static text): kept in the table.
    fn detail_key(&mut self, k: &'static str) -> f64 {
        let key = key(k);
        match self.table.get(key) {
            Some(h) => h,
            None => {
                let h = self.table.add(key, None);
                self.new_string(k, h)
            }
        }
    }
}

impl<'a> Answer<'a> {
    /// Applies the records of `batch`, read from `strings`, in order with
    /// `apply`, packs every outcome it gives, then hands each to `done` with
    /// its record's index (to keep, count or recycle it): the one sequence of
    /// the packed methods, `kernel_bench --packed` and the fuzz harness.
    pub fn apply<R: Record, O: IntoIterator<Item = Outcome>>(
        &mut self,
        k: &mut Kernel,
        batch: &Batch<R>,
        strings: &Strings,
        mut apply: impl FnMut(&mut Kernel, &R) -> O,
        mut done: impl FnMut(&mut Kernel, usize, Outcome),
    ) {
        let prefix = k.config().id_prefix.clone();
        for r in 0..batch.len() {
            let (record, refs) = batch.get(r);
            for o in apply(k, record) {
                self.push(&o, &prefix, Echo { strings, refs });
                done(k, r, o);
            }
        }
    }

    /// Packs one outcome.
    pub fn push(&mut self, out: &Outcome, prefix: &str, echo: Echo) {
        self.p.outcomes += 1;
        self.p.seqs.clear();
        self.p.seen.clear();
        let v = [
            f64::from(u8::from(out.accepted)),
            out.code.word(),
            out.severity.word(),
            out.slot_id.map_or(ABSENT, f64::from),
            self.p.opt_id(out.trade_id.as_ref(), echo),
            opt_word(out.state),
            f64::from(u8::from(out.retryable())),
            out.retry_after_ms.map_or(ABSENT, |x| x as f64),
            out.retry_at.map_or(ABSENT, |x| x as f64),
            out.transitions.len() as f64,
            out.events.len() as f64,
            out.commands.len() as f64,
            out.details.len() as f64,
            out.flags.len() as f64,
            out.diagnostics.len() as f64,
        ];
        self.nums.extend(&v);
        for t in &out.transitions {
            let v = [
                f64::from(t.slot_id),
                t.prev.word(),
                t.next.word(),
                t.trigger.word(),
                self.p.opt_id(t.intent_id.as_ref(), echo),
                t.event_id.as_ref().map_or(ABSENT, |i| self.p.own_id(i, echo)),
            ];
            self.nums.extend(&v);
        }
        for e in &out.events {
            self.event(e, prefix, echo);
        }
        for c in &out.commands {
            let v = [
                c.kind.word(),
                self.p.id(&c.client_order_id, echo),
                self.p.id(&c.trade_id, echo),
                f64::from(c.slot_id),
                self.p.id(&c.asset, echo),
                c.side.word(),
                c.order_type.word(),
                c.size.to_f64(),
                c.limit_price.map_or(ABSENT, Fixed::to_f64),
                f64::from(u8::from(c.reduce_only)),
            ];
            self.nums.extend(&v);
        }
        for (k, val) in &out.details {
            let v = [self.p.detail_key(k), self.p.text(val.as_str(), echo)];
            self.nums.extend(&v);
        }
        for f in &out.flags {
            self.nums.push(f.word());
        }
        for d in &out.diagnostics {
            let v = [
                d.code.word(),
                d.severity.word(),
                d.slot_id.map_or(ABSENT, f64::from),
                self.p.opt_id(d.client_order_id.as_ref(), echo),
                self.p.opt_id(d.asset.as_ref(), echo),
                self.p.text(&d.message, echo),
            ];
            self.nums.extend(&v);
        }
    }

    fn event(&mut self, e: &DomainEvent, prefix: &str, echo: Echo) {
        let event_id = self.p.event_id(prefix, e.seq);
        let causation = match &e.causation {
            Cause::External(id) => self.p.own_id(id, echo),
            // Usually an earlier event of the same outcome: its eventId again.
            Cause::Event(seq) => match self.p.seqs.iter().find(|(s, _)| s == seq) {
                Some(&(_, i)) => i,
                None => self.p.event_id(prefix, *seq),
            },
            other => match &self.p.cause {
                Some((c, i)) if c == other => *i,
                _ => {
                    let i = self.p.text(&other.render(prefix), echo);
                    self.p.cause = Some((other.clone(), i));
                    i
                }
            },
        };
        let v = [
            e.kind.word(),
            event_id,
            e.seq as f64,
            self.p.id(&e.correlation_id, echo),
            causation,
            e.ts as f64,
            f64::from(e.slot_id),
            self.p.id(&e.trade_id, echo),
        ];
        self.nums.extend(&v);
        let mask_at = self.nums.len;
        self.nums.push(0.0);
        let mut mask = 0u32;
        // The optional fields, bit by bit, in the order `readEvent` of packed.ts reads them.
        macro_rules! opt {
            ($bit:expr, $v:expr) => {
                if let Some(v) = $v {
                    mask |= 1 << $bit;
                    self.nums.push(v);
                }
            };
        }
        opt!(0, e.intent_id.as_ref().map(|i| self.p.id(i, echo)));
        opt!(1, e.client_order_id.as_ref().map(|i| self.p.id(i, echo)));
        opt!(2, e.venue_order_id.as_ref().map(|i| self.p.id(i, echo)));
        opt!(3, e.venue_event_id.as_ref().map(|i| self.p.own_id(i, echo)));
        opt!(4, e.asset.as_ref().map(|i| self.p.id(i, echo)));
        opt!(5, e.side.map(Word::word));
        opt!(6, e.order_side.map(Word::word));
        opt!(7, e.order_type.map(Word::word));
        opt!(8, e.size.map(Fixed::to_f64));
        opt!(9, e.price.map(Fixed::to_f64));
        opt!(10, e.fee.map(Fixed::to_f64));
        opt!(11, e.liquidity.map(Word::word));
        opt!(12, e.filled_size.map(Fixed::to_f64));
        opt!(13, e.avg_price.map(Fixed::to_f64));
        opt!(14, e.realized_pnl.map(Fixed::to_f64));
        opt!(15, e.unrealized_pnl.map(Fixed::to_f64));
        opt!(16, e.mark_price.map(Fixed::to_f64));
        opt!(17, e.reason.as_ref().map(|i| self.p.id(i, echo)));
        opt!(18, e.close_reason.map(Word::word));
        opt!(19, e.reduce_only.map(|b| f64::from(u8::from(b))));
        self.nums.set(mask_at, f64::from(mask));
    }

    /// The batch: the numbers (the new strings' ends and handles last) and
    /// the new strings' text (borrowed: the buffer stays for the next batch).
    pub fn finish(self) -> (Numbers<'a>, &'a str) {
        let Answer { p, mut nums } = self;
        let tail_at = nums.len;
        nums.extend(&p.tail);
        let header = [f64::from(p.outcomes), tail_at as f64, (p.tail.len() / 2) as f64, f64::from(p.table.epoch)];
        for (i, v) in header.into_iter().enumerate() {
            nums.set(i, v);
        }
        let numbers = if nums.spilled.is_empty() {
            let out: &'a [f64] = nums.out;
            Numbers::InOut(&out[..nums.len])
        } else {
            Numbers::Spilled(nums.spilled)
        };
        (numbers, &p.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::tests::enter;
    use crate::kernel::{outcome, ConfigRaw, Kernel};

    fn utf16(strings: &[&str]) -> (Vec<u16>, Vec<u32>) {
        let mut units = Vec::new();
        let mut ends = Vec::new();
        for s in strings {
            units.extend(s.encode_utf16());
            ends.push(units.len() as u32);
        }
        (units, ends)
    }

    #[test]
    fn every_word_has_its_own_index() {
        let words = words();
        assert_eq!(words[Code::Ok.word() as usize], "OK");
        assert_eq!(words[Severity::Critical.word() as usize], "CRITICAL");
        assert_eq!(words[Stage::Closed.word() as usize], "CLOSED");
        assert_eq!(words[EventType::TradeMonitoringClosed.word() as usize], "TradeMonitoringClosed");
        assert_eq!(words[Flag::Retry.word() as usize], "RETRY");
        // Flag is the last enum, RETRY its last word.
        assert_eq!(words.len(), Flag::Retry.word() as usize + 1);
        for f in Flag::ALL {
            assert_eq!(words[f.word() as usize], f.as_str());
        }
        for s in Side::ALL {
            assert_eq!(words[s.word() as usize], s.as_str());
        }
    }

    #[test]
    fn a_batch_is_read_whole_and_strings_as_napi_converts_them() {
        let (units, ends) = utf16(&["v1", "ACK", "T\u{e9}1-E1", "r"]);
        let mut units = units;
        // "r" becomes a lone high surrogate: napi turns it into U+FFFD.
        *units.last_mut().unwrap() = 0xD800;
        let strings = Strings::new(&units, &ends).expect("valid ends");
        let nums = [2.0, -1.0, 0.0, 0.0, 1.0, 2.0, 5.0, 128.0 + 4.0, 0.0, 1.0, 2.0, 6.0, f64::NAN, 3.0];
        let mut batch = Batch::<VenueEventRaw>::default();
        batch.read(&nums, &strings).expect("valid batch");
        assert_eq!(batch.len(), 2);
        let (first, refs) = batch.get(0);
        assert_eq!(
            (first.event_id.as_str(), first.kind.as_str(), first.client_order_id.as_str()),
            ("v1", "ACK", "Té1-E1")
        );
        assert_eq!((first.ts, first.price, first.reason.as_deref()), (5.0, None, None));
        assert_eq!(refs, &[0, 2]);
        let (second, refs) = batch.get(1);
        assert!(second.price.is_some_and(f64::is_nan));
        assert_eq!(second.reason.as_deref(), Some("\u{FFFD}"));
        assert_eq!(refs, &[0, 2, 3]);
        assert!(strings.equals(2, "Té1-E1") && !strings.equals(2, "Te1-E1") && !strings.equals(0, "v2"));
    }

    #[test]
    fn a_malformed_batch_names_the_record_and_the_fault() {
        let (units, ends) = utf16(&["v1", "ACK", "T1-E1"]);
        let strings = Strings::new(&units, &ends).expect("valid ends");
        let mut batch = Batch::<VenueEventRaw>::default();
        let err = |nums: &[f64], batch: &mut Batch<VenueEventRaw>| batch.read(nums, &strings).unwrap_err().to_string();
        assert_eq!(
            err(&[2.0, -1.0, 0.0, 0.0, 1.0, 2.0, 5.0, 0.0, 0.0, 7.0, 2.0, 6.0], &mut batch),
            "packed input: record 1: string index 7 is not a whole number below 3"
        );
        assert_eq!(batch.len(), 0);
        assert!(err(&[1.0, -1.0, 256.0, 0.0, 1.0, 2.0, 5.0], &mut batch).contains("record 0: mask 256"));
        assert!(err(&[1.0, -1.0, 0.0, 0.0, 1.0, 2.0], &mut batch).contains("record 0: the numbers end inside it"));
        assert!(err(&[1.0, -1.0, 0.0, 0.0, 1.0, 2.0, 5.0, 9.0], &mut batch).contains("1 numbers left"));
        assert!(err(&[-1.0, -1.0], &mut batch).contains("record count -1"));
        assert!(err(&[0.0], &mut batch).contains("record count 0 does not fit 1 numbers"));
        assert!(err(&[], &mut batch).contains("record count NaN"));
        assert!(Strings::new(&units, &[2, 1]).is_err());
        assert!(Strings::new(&units, &[2, 99]).is_err());
    }

    /// Found by the fuzzer (`packed_inputs`): a ratio count one past the
    /// numbers left panicked on the slice instead of refusing the batch.
    #[test]
    fn an_exit_leg_count_past_the_numbers_left_is_refused() {
        let (units, ends) = utf16(&["i1", "EXIT"]);
        let strings = Strings::new(&units, &ends).expect("valid ends");
        let mut batch = Batch::<IntentRaw>::default();
        // count, taken, then: mask (exitLegRatios), intentId, action, ts, the ratios' count, the ratios.
        let exit = |legs: &[f64]| [&[1.0, -1.0, 128.0, 0.0, 1.0, 5.0], legs].concat();
        assert_eq!(
            batch.read(&exit(&[2.0, 0.5]), &strings).unwrap_err().to_string(),
            "packed input: record 0: exitLegRatios count 2 is not a whole number below 2"
        );
        batch.read(&exit(&[1.0, 0.5]), &strings).expect("one ratio, present");
        assert_eq!(batch.get(0).0.exit_leg_ratios, Some(vec![0.5]));
        batch.read(&exit(&[0.0]), &strings).expect("no ratios");
        assert!(batch.read(&exit(&[]), &strings).unwrap_err().to_string().contains("the numbers end inside it"));
    }

    /// The decoder's side of the strings, as `native/packed.ts` keeps them.
    struct Decoder {
        table: Vec<String>,
        taken: f64,
    }

    impl Decoder {
        /// Takes in an answer's new strings; the batch's own strings (input first).
        fn take(&mut self, nums: &[f64], text: &str, input: &[&str]) -> Vec<String> {
            let (tail, count) = (nums[1] as usize, nums[2] as usize);
            assert_eq!(tail + 2 * count, nums.len());
            let units: Vec<u16> = text.encode_utf16().collect();
            let mut batch: Vec<String> = input.iter().map(|s| s.to_string()).collect();
            let mut start = 0;
            for k in 0..count {
                let (at, handle) = (nums[tail + 2 * k], nums[tail + 2 * k + 1]);
                let s = if at < 0.0 {
                    batch[(-1.0 - at) as usize].clone()
                } else {
                    let s = String::from_utf16(&units[start..at as usize]).expect("whole characters");
                    start = at as usize;
                    s
                };
                if handle >= 0.0 {
                    let h = handle as usize;
                    if self.table.len() <= h {
                        self.table.resize(h + 1, String::new());
                    }
                    self.table[h] = s;
                } else {
                    batch.push(s);
                }
            }
            self.taken = nums[3];
            batch
        }

        fn str(&self, batch: &[String], v: f64) -> String {
            if v >= 0.0 {
                self.table[v as usize].clone()
            } else {
                batch[(-1.0 - v) as usize].clone()
            }
        }
    }

    /// Every id and event id of `outcomes`, in the order `Packer::push` writes them.
    fn expected_strings(out: &Outcome, prefix: &str) -> Vec<String> {
        let mut v: Vec<String> = out.trade_id.iter().map(|t| t.to_string()).collect();
        for e in &out.events {
            v.push(outcome::event_id(prefix, e.seq));
            v.push(e.correlation_id.to_string());
            v.push(e.causation.render(prefix));
            v.push(e.trade_id.to_string());
        }
        v
    }

    /// The same strings, read back from a packed outcome at `at` (the layout of the module's doc).
    fn packed_strings(d: &Decoder, batch: &[String], nums: &[f64], at: &mut usize) -> Vec<String> {
        let n = &nums[*at..];
        let mut v: Vec<String> = (!n[4].is_nan()).then(|| d.str(batch, n[4])).into_iter().collect();
        let counts: Vec<usize> = n[9..15].iter().map(|&c| c as usize).collect();
        *at += 15 + 6 * counts[0];
        for _ in 0..counts[1] {
            let e = &nums[*at..];
            v.extend([e[1], e[3], e[4], e[7]].iter().map(|&r| d.str(batch, r)));
            *at += 9 + (e[8] as u32).count_ones() as usize;
        }
        *at += 10 * counts[2] + 2 * counts[3] + counts[4] + 6 * counts[5];
        v
    }

    /// Packs `outs` (answering `input`), decodes the strings as the decoder does and checks them.
    fn round_trip(p: &mut Packer, d: &mut Decoder, outs: &[Outcome], input: &[String], prefix: &str) -> String {
        let input: Vec<&str> = input.iter().map(String::as_str).collect();
        let (units, ends) = utf16(&input);
        let strings = Strings::new(&units, &ends).expect("valid ends");
        let refs: Vec<u32> = (0..input.len() as u32).collect();
        let mut out = vec![0.0; 1 << 12];
        let mut answer = p.begin(&mut out, strings.len(), d.taken);
        for o in outs {
            answer.push(o, prefix, Echo { strings: &strings, refs: &refs });
        }
        let (nums, text) = answer.finish();
        assert!(matches!(nums, Numbers::InOut(_)));
        let nums = nums.as_slice();
        let batch = d.take(nums, text, &input);
        let mut at = HEADER;
        for o in outs {
            assert_eq!(packed_strings(d, &batch, nums, &mut at), expected_strings(o, prefix));
        }
        assert_eq!(at, nums[1] as usize);
        text.to_string()
    }

    #[test]
    fn ids_come_back_as_references_to_the_input_the_table_or_the_new_strings() {
        let prefix = "s\"é-";
        let config =
            ConfigRaw { max_slots: 4.0, seed_capital: 1e6, id_prefix: Some(prefix.into()), ..ConfigRaw::default() };
        // The full table, and tables too small for one answer (the eviction paths).
        for cap in [TABLE, 5, 1] {
            let mut k = Kernel::new(&config).expect("valid config");
            let mut p = Packer::default();
            p.table.cap = cap;
            let mut d = Decoder { table: Vec::new(), taken: -1.0 };
            for round in 0..6u32 {
                let intent = |slot: u32, action: &str| IntentRaw {
                    action: action.into(),
                    asset: Some(["BTC/USDT", "ETH/USDT"][slot as usize % 2].into()),
                    leverage: None,
                    slot_id: Some(f64::from(slot)),
                    ..enter(&format!("i\u{1F600}{round}-{slot}-{action}"), "LONG", "MARKET", 1.0, 100.0)
                };
                let fill = |o: &Outcome, n: usize| VenueEventRaw {
                    event_id: format!("v{round}-{n}-{}", o.commands[0].client_order_id),
                    kind: "FILL".into(),
                    client_order_id: o.commands[0].client_order_id.to_string(),
                    price: Some(100.0),
                    size: Some(1.0),
                    ts: 2.0,
                    ..VenueEventRaw::default()
                };
                for action in ["ENTER", "EXIT"] {
                    let intents: Vec<IntentRaw> = (0..4).map(|slot| intent(slot, action)).collect();
                    let outs: Vec<Outcome> = intents.iter().map(|i| k.submit_intent(i)).collect();
                    assert!(outs.iter().all(|o| o.commands.len() == 1), "{outs:?}");
                    let ids: Vec<String> = intents
                        .iter()
                        .flat_map(|i| [i.intent_id.clone(), i.asset.clone().unwrap_or_default()])
                        .collect();
                    let text = round_trip(&mut p, &mut d, &outs, &ids, prefix);
                    if cap == TABLE && round > 0 {
                        // The assets were sent before, the intent ids are the caller's own.
                        assert!(!text.contains("USDT") && !text.contains('\u{1F600}'), "{text}");
                    }
                    let fills: Vec<VenueEventRaw> = outs.iter().enumerate().map(|(n, o)| fill(o, n)).collect();
                    let filled: Vec<Outcome> = fills.iter().map(|f| k.on_venue_event(f)).collect();
                    let ids: Vec<String> =
                        fills.iter().flat_map(|f| [f.event_id.clone(), f.client_order_id.clone()]).collect();
                    let text = round_trip(&mut p, &mut d, &filled, &ids, prefix);
                    if cap == TABLE {
                        // Trades and correlations (the entry intents' ids) were sent before.
                        assert!(!text.contains("-T") && !text.contains('\u{1F600}'), "{text}");
                    }
                }
                if round == 3 {
                    // A caller that skipped an answer gets every string again.
                    d.taken = -1.0;
                    d.table.clear();
                }
            }
        }
    }

    #[test]
    fn event_ids_are_the_kernels() {
        let mut p = Packer::default();
        for seq in [0, 7, 10, 12_345, u64::from(u32::MAX), (1 << 53) - 1] {
            let answer = p.begin(&mut [], 0, f64::NAN);
            let i = answer.p.event_id("p\u{e9}-", seq);
            let (nums, text) = answer.finish();
            assert_eq!(i, -1.0);
            assert_eq!(text, outcome::event_id("p\u{e9}-", seq));
            let nums = nums.as_slice();
            assert_eq!(nums[nums[1] as usize], 5.0 + seq.to_string().len() as f64, "UTF-16 units");
        }
    }

    #[test]
    fn numbers_that_do_not_fit_the_callers_array_come_back_whole() {
        let mut k =
            Kernel::new(&ConfigRaw { max_slots: 2.0, seed_capital: 1e6, ..ConfigRaw::default() }).expect("config");
        let intent = |slot: u32| IntentRaw {
            leverage: None,
            slot_id: Some(f64::from(slot)),
            ..enter(&format!("i{slot}"), "LONG", "MARKET", 1.0, 100.0)
        };
        let outs: Vec<Outcome> = (0..2).map(|slot| k.submit_intent(&intent(slot))).collect();
        let (units, ends) = utf16(&[]);
        let strings = Strings::new(&units, &ends).expect("valid ends");
        let pack = |size: usize| {
            let (mut p, mut out) = (Packer::default(), vec![f64::NAN; size]);
            let mut answer = p.begin(&mut out, 0, f64::NAN);
            for o in &outs {
                answer.push(o, "", Echo { strings: &strings, refs: &[] });
            }
            let (nums, text) = answer.finish();
            // By bits: NaN marks what is absent.
            let bits: Vec<u64> = nums.as_slice().iter().map(|x| x.to_bits()).collect();
            (matches!(nums, Numbers::InOut(_)), bits, text.to_string())
        };
        let (fits, whole, text) = pack(1 << 12);
        assert!(fits);
        for size in [0, 1, HEADER, HEADER + 1, whole.len() / 2, whole.len() - 1] {
            assert_eq!(pack(size), (false, whole.clone(), text.clone()), "an array of {size}");
        }
        assert_eq!(pack(whole.len()), (true, whole, text));
    }
}
