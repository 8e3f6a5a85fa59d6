//! The bulk format of the packed methods, both ways; `native/packed.ts` is
//! the other end. Numbers travel as doubles in one `Float64Array`, strings in
//! one text plus where each ends (UTF-16 units, the unit of JS `slice`): no
//! JSON, no object read or built property by property.
//!
//! **Input** (`nums`, `text`, `ends`: a `Uint32Array`): `nums[0]` = record count, then the
//! records; `s` = index of a string of the text. A record with optional
//! fields starts with a mask of those present (bit i = i-th optional field),
//! and only present ones follow, in order, so an absent field is never
//! confused with a NaN the caller passed: every double, NaN and infinities
//! included, reaches the kernel's guard exactly as a typed call passes it.
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
//! ends) before the first record is applied: a malformed batch is refused
//! with nothing applied, naming the record and what is wrong.
//!
//! **Output**: the numbers are written into the caller's `out` array when
//! they fit (else returned in a new one), the new strings in one text.
//! `w` = index into the vocabulary (`words()`, every enum word of the
//! kernel, fetched once by the decoder); `s` = index into the batch's
//! strings: first the input's own (an id the caller sent comes back as a
//! reference to it, not re-sent), then the output text's; `?` = NaN when
//! absent.
//!
//! - header: outcome count, where the ends of the output strings are (they
//!   come last, in UTF-16 units), how many there are.
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

use crate::kernel::fixed::Fixed;
use crate::kernel::input::{IntentRaw, MarkRaw, VenueEventRaw};
use crate::kernel::outcome::{Cause, DomainEvent, Outcome};
use crate::kernel::stage::{Input, Stage};
use crate::kernel::types::{
    CloseReason, Code, CommandKind, EventType, Flag, Id, Liquidity, OrderSide, OrderType, Severity, Side,
};
use rustc_hash::FxHashMap;
use std::fmt;
use std::sync::Arc;

const ABSENT: f64 = f64::NAN;
/// Outcome count, where the string ends start, how many there are.
const HEADER: usize = 3;

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
        if s.is_ascii() {
            // The usual case: unit for byte.
            units.len() == s.len() && units.iter().zip(s.bytes()).all(|(&u, b)| u == u16::from(b))
        } else {
            char::decode_utf16(units.iter().copied()).map(|c| c.ok()).eq(s.chars().map(Some))
        }
    }
}

/// `units` into `out`, as napi converts a JS string (an unpaired surrogate
/// becomes U+FFFD), reusing `out`'s storage.
fn utf16_into(out: &mut String, units: &[u16]) {
    if units.iter().all(|&u| u < 0x80) {
        // ASCII, the usual case: byte for unit, in `out`'s own buffer.
        let mut bytes = std::mem::take(out).into_bytes();
        bytes.clear();
        bytes.extend(units.iter().map(|&u| u as u8));
        *out = String::from_utf8(bytes).unwrap_or_default();
    } else {
        out.clear();
        out.extend(char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    }
}

/// Reads one batch's records front to back; every read is checked.
pub struct Cursor<'a, 'b> {
    nums: &'a [f64],
    at: usize,
    strings: &'a Strings<'a>,
    record: usize,
    /// The input strings of the current record that may come back as ids.
    refs: &'b mut Vec<u32>,
}

impl Cursor<'_, '_> {
    fn fail(&self, what: String) -> BadInput {
        BadInput(format!("record {}: {what}", self.record))
    }

    fn num(&mut self) -> Result<f64, BadInput> {
        let v = self.nums.get(self.at).copied().ok_or_else(|| self.fail("the numbers end inside it".into()))?;
        self.at += 1;
        Ok(v)
    }

    /// A whole number in `0..limit`.
    fn index(&mut self, what: &str, limit: usize) -> Result<usize, BadInput> {
        let v = self.num()?;
        if !(v >= 0.0 && v < limit as f64 && v == v.trunc()) {
            return Err(self.fail(format!("{what} {v} is not a whole number below {limit}")));
        }
        Ok(v as usize)
    }

    fn mask(&mut self, fields: u32) -> Result<u32, BadInput> {
        Ok(self.index("mask", 1 << fields)? as u32)
    }

    fn str(&mut self, out: &mut String) -> Result<u32, BadInput> {
        let i = self.index("string index", self.strings.len())?;
        utf16_into(out, self.strings.get(i));
        Ok(i as u32)
    }

    /// A string that may come back in the outcome as an id.
    fn id(&mut self, out: &mut String) -> Result<(), BadInput> {
        let i = self.str(out)?;
        self.refs.push(i);
        Ok(())
    }

    fn opt_num(&mut self, present: bool) -> Result<Option<f64>, BadInput> {
        present.then(|| self.num()).transpose()
    }

    fn opt_str(&mut self, present: bool, out: &mut Option<String>, id: bool) -> Result<(), BadInput> {
        if !present {
            *out = None;
            return Ok(());
        }
        let s = out.get_or_insert_with(String::new);
        if id {
            self.id(s)
        } else {
            self.str(s).map(drop)
        }
    }
}

/// One record kind of the input.
pub trait Record: Default {
    fn read(c: &mut Cursor, raw: &mut Self) -> Result<(), BadInput>;
}

impl Record for VenueEventRaw {
    fn read(c: &mut Cursor, e: &mut Self) -> Result<(), BadInput> {
        let m = c.mask(8)?;
        c.id(&mut e.event_id)?;
        c.str(&mut e.kind)?;
        c.id(&mut e.client_order_id)?;
        e.ts = c.num()?;
        c.opt_str(m & 1 != 0, &mut e.venue_order_id, true)?;
        c.opt_str(m & 2 != 0, &mut e.venue_trade_id, true)?;
        e.price = c.opt_num(m & 4 != 0)?;
        e.size = c.opt_num(m & 8 != 0)?;
        e.fee = c.opt_num(m & 16 != 0)?;
        c.opt_str(m & 32 != 0, &mut e.liquidity, false)?;
        e.retry_after_ms = c.opt_num(m & 64 != 0)?;
        c.opt_str(m & 128 != 0, &mut e.reason, true)
    }
}

impl Record for IntentRaw {
    fn read(c: &mut Cursor, i: &mut Self) -> Result<(), BadInput> {
        let m = c.mask(15)?;
        c.id(&mut i.intent_id)?;
        c.str(&mut i.action)?;
        i.ts = c.num()?;
        c.opt_str(m & 1 != 0, &mut i.asset, true)?;
        c.opt_str(m & 2 != 0, &mut i.side, false)?;
        c.opt_str(m & 4 != 0, &mut i.order_type, false)?;
        i.target_size = c.opt_num(m & 8 != 0)?;
        i.reference_price = c.opt_num(m & 16 != 0)?;
        i.limit_price = c.opt_num(m & 32 != 0)?;
        i.leverage = c.opt_num(m & 64 != 0)?;
        if m & 128 != 0 {
            let n = c.index("exitLegRatios count", c.nums.len() - c.at + 1)?;
            let legs = i.exit_leg_ratios.get_or_insert_with(Vec::new);
            legs.clear();
            legs.extend_from_slice(&c.nums[c.at..c.at + n]);
            c.at += n;
        } else {
            i.exit_leg_ratios = None;
        }
        i.take_profit = c.opt_num(m & 256 != 0)?;
        i.stop_loss = c.opt_num(m & 512 != 0)?;
        i.slot_id = c.opt_num(m & 1024 != 0)?;
        c.opt_str(m & 2048 != 0, &mut i.trade_id, true)?;
        c.opt_str(m & 4096 != 0, &mut i.reason, true)?;
        c.opt_str(m & 8192 != 0, &mut i.correlation_id, true)?;
        c.opt_str(m & 16384 != 0, &mut i.causation_id, true)
    }
}

impl Record for MarkRaw {
    fn read(c: &mut Cursor, k: &mut Self) -> Result<(), BadInput> {
        c.id(&mut k.asset)?;
        k.price = c.num()?;
        k.ts = c.num()?;
        Ok(())
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
        // Every record takes at least two numbers.
        if !(count >= 0.0 && count <= nums.len() as f64 && count == count.trunc()) {
            return Err(BadInput(format!("record count {count} does not fit {} numbers", nums.len())));
        }
        let mut c = Cursor { nums, at: 1, strings, record: 0, refs: &mut self.refs };
        for k in 0..count as usize {
            c.record = k;
            if self.records.len() == k {
                self.records.push(R::default());
            }
            R::read(&mut c, &mut self.records[k])?;
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

/// Builds one batch of outcomes. Buffers are kept between batches.
#[derive(Default)]
pub struct Packer {
    nums: Vec<f64>,
    /// The output strings, concatenated, and where each ends (UTF-16 units).
    text: String,
    ends: Vec<u32>,
    utf16_len: u32,
    /// Index of the first output string (= the input's string count).
    base: u32,
    /// Shared strings already sent, by address. `keep` holds a reference to
    /// each, so no address is freed and reused within a batch.
    known: FxHashMap<usize, u32>,
    keep: Vec<Id>,
    /// The current outcome's events: seq and the index of their eventId.
    seqs: Vec<(u64, f64)>,
    outcomes: u32,
}

/// The input strings an outcome may repeat: the batch's and its record's.
#[derive(Clone, Copy)]
pub struct Echo<'a> {
    pub strings: &'a Strings<'a>,
    pub refs: &'a [u32],
}

impl Packer {
    pub fn begin(&mut self, input_strings: usize) {
        self.nums.clear();
        self.nums.extend_from_slice(&[0.0; HEADER]);
        self.text.clear();
        self.ends.clear();
        self.utf16_len = 0;
        self.base = input_strings as u32;
        self.known.clear();
        self.keep.clear();
        self.outcomes = 0;
    }

    /// Ends the string just appended to `text`.
    fn end_string(&mut self, start: usize) -> f64 {
        let s = &self.text[start..];
        // Strings are short (ids are bounded at the boundary): the sum fits in u32.
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        self.utf16_len += units as u32;
        self.ends.push(self.utf16_len);
        f64::from(self.base + self.ends.len() as u32 - 1)
    }

    /// A new output string.
    fn text(&mut self, s: &str) -> f64 {
        let start = self.text.len();
        self.text.push_str(s);
        self.end_string(start)
    }

    /// `outcome::event_id(prefix, seq)`, written straight into the text.
    fn event_id(&mut self, prefix: &str, seq: u64) -> f64 {
        let start = self.text.len();
        self.text.push_str(prefix);
        self.text.push_str("k-");
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut v = seq;
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.text.extend(digits[i..].iter().map(|&d| char::from(d)));
        let i = self.end_string(start);
        self.seqs.push((seq, i));
        i
    }

    /// A string: the input's own when the record sent it, else a new one.
    fn echo_or_text(&mut self, s: &str, echo: Echo) -> f64 {
        match echo.refs.iter().find(|&&i| echo.strings.equals(i, s)) {
            Some(&i) => f64::from(i),
            None => self.text(s),
        }
    }

    /// A static key: sent once per batch.
    fn key(&mut self, s: &'static str) -> f64 {
        let key = s.as_ptr() as usize;
        match self.known.get(&key) {
            Some(&i) => f64::from(i),
            None => {
                let i = self.text(s);
                self.known.insert(key, i as u32);
                i
            }
        }
    }

    /// A shared id: sent once per batch however many outcomes carry it.
    fn id(&mut self, id: &Id, echo: Echo) -> f64 {
        let key = Arc::as_ptr(id) as *const u8 as usize;
        match self.known.get(&key) {
            Some(&i) => f64::from(i),
            None => {
                let i = self.echo_or_text(id, echo);
                self.known.insert(key, i as u32);
                self.keep.push(id.clone());
                i
            }
        }
    }

    fn opt_id(&mut self, id: Option<&Id>, echo: Echo) -> f64 {
        id.map_or(ABSENT, |i| self.id(i, echo))
    }

    pub fn push(&mut self, out: &Outcome, prefix: &str, echo: Echo) {
        self.outcomes += 1;
        self.seqs.clear();
        let v = [
            f64::from(u8::from(out.accepted)),
            out.code.word(),
            out.severity.word(),
            out.slot_id.map_or(ABSENT, f64::from),
            self.opt_id(out.trade_id.as_ref(), echo),
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
        self.nums.extend_from_slice(&v);
        for t in &out.transitions {
            let v = [
                f64::from(t.slot_id),
                t.prev.word(),
                t.next.word(),
                t.trigger.word(),
                self.opt_id(t.intent_id.as_ref(), echo),
                self.opt_id(t.event_id.as_ref(), echo),
            ];
            self.nums.extend_from_slice(&v);
        }
        for e in &out.events {
            self.event(e, prefix, echo);
        }
        for c in &out.commands {
            let v = [
                c.kind.word(),
                self.id(&c.client_order_id, echo),
                self.id(&c.trade_id, echo),
                f64::from(c.slot_id),
                self.id(&c.asset, echo),
                c.side.word(),
                c.order_type.word(),
                c.size.to_f64(),
                c.limit_price.map_or(ABSENT, Fixed::to_f64),
                f64::from(u8::from(c.reduce_only)),
            ];
            self.nums.extend_from_slice(&v);
        }
        for (k, val) in &out.details {
            let v = [self.key(k), self.echo_or_text(val, echo)];
            self.nums.extend_from_slice(&v);
        }
        self.nums.extend(out.flags.iter().map(|f| f.word()));
        for d in &out.diagnostics {
            let v = [
                d.code.word(),
                d.severity.word(),
                d.slot_id.map_or(ABSENT, f64::from),
                self.opt_id(d.client_order_id.as_ref(), echo),
                self.opt_id(d.asset.as_ref(), echo),
                self.echo_or_text(&d.message, echo),
            ];
            self.nums.extend_from_slice(&v);
        }
    }

    fn event(&mut self, e: &DomainEvent, prefix: &str, echo: Echo) {
        let event_id = self.event_id(prefix, e.seq);
        let causation = match &e.causation {
            Cause::External(id) => self.id(id, echo),
            // Usually an earlier event of the same outcome: its eventId again.
            Cause::Event(seq) => match self.seqs.iter().find(|(s, _)| s == seq) {
                Some(&(_, i)) => i,
                None => self.event_id(prefix, *seq),
            },
            other => self.text(&other.render(prefix)),
        };
        let v = [
            e.kind.word(),
            event_id,
            e.seq as f64,
            self.id(&e.correlation_id, echo),
            causation,
            e.ts as f64,
            f64::from(e.slot_id),
            self.id(&e.trade_id, echo),
        ];
        self.nums.extend_from_slice(&v);
        let mask_at = self.nums.len();
        self.nums.push(0.0);
        let mut mask = 0u32;
        // The optional fields, bit by bit, in the order `readEvent` of packed.ts reads them.
        let fields = [
            self.opt_id(e.intent_id.as_ref(), echo),
            self.opt_id(e.client_order_id.as_ref(), echo),
            self.opt_id(e.venue_order_id.as_ref(), echo),
            self.opt_id(e.venue_event_id.as_ref(), echo),
            self.opt_id(e.asset.as_ref(), echo),
            opt_word(e.side),
            opt_word(e.order_side),
            opt_word(e.order_type),
            e.size.map_or(ABSENT, Fixed::to_f64),
            e.price.map_or(ABSENT, Fixed::to_f64),
            e.fee.map_or(ABSENT, Fixed::to_f64),
            opt_word(e.liquidity),
            e.filled_size.map_or(ABSENT, Fixed::to_f64),
            e.avg_price.map_or(ABSENT, Fixed::to_f64),
            e.realized_pnl.map_or(ABSENT, Fixed::to_f64),
            e.unrealized_pnl.map_or(ABSENT, Fixed::to_f64),
            e.mark_price.map_or(ABSENT, Fixed::to_f64),
            self.opt_id(e.reason.as_ref(), echo),
            opt_word(e.close_reason),
            e.reduce_only.map_or(ABSENT, |b| f64::from(u8::from(b))),
        ];
        for (bit, v) in fields.into_iter().enumerate() {
            // Every present value is a finite number: NaN marks absence only.
            if !v.is_nan() {
                mask |= 1 << bit;
                self.nums.push(v);
            }
        }
        self.nums[mask_at] = f64::from(mask);
    }

    /// The batch: the numbers (the ends of the output strings last) and the
    /// output text. Borrowed: the caller copies them out, the buffers stay
    /// for the next batch.
    pub fn finish(&mut self) -> (&[f64], &str) {
        let ends_at = self.nums.len();
        self.nums.extend(self.ends.iter().map(|&e| f64::from(e)));
        self.nums[..HEADER].copy_from_slice(&[f64::from(self.outcomes), ends_at as f64, self.ends.len() as f64]);
        self.keep.clear();
        (&self.nums, &self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn output_strings(text: &str, ends: &[u32]) -> Vec<String> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut start = 0;
        ends.iter()
            .map(|&end| {
                let s = String::from_utf16(&units[start..end as usize]).expect("whole characters");
                start = end as usize;
                s
            })
            .collect()
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
        let nums = [2.0, 0.0, 0.0, 1.0, 2.0, 5.0, 128.0 + 4.0, 0.0, 1.0, 2.0, 6.0, f64::NAN, 3.0];
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
            err(&[2.0, 0.0, 0.0, 1.0, 2.0, 5.0, 0.0, 0.0, 7.0, 2.0, 6.0], &mut batch),
            "packed input: record 1: string index 7 is not a whole number below 3"
        );
        assert_eq!(batch.len(), 0);
        assert!(err(&[1.0, 256.0, 0.0, 1.0, 2.0, 5.0], &mut batch).contains("mask 256"));
        assert!(err(&[1.0, 0.0, 0.0, 1.0, 2.0], &mut batch).contains("record 0: the numbers end inside it"));
        assert!(err(&[1.0, 0.0, 0.0, 1.0, 2.0, 5.0, 9.0], &mut batch).contains("1 numbers left"));
        assert!(err(&[-1.0], &mut batch).contains("record count -1"));
        assert!(err(&[], &mut batch).contains("record count NaN"));
        assert!(Strings::new(&units, &[2, 1]).is_err());
        assert!(Strings::new(&units, &[2, 99]).is_err());
    }

    #[test]
    fn ids_the_caller_sent_come_back_as_references_and_shared_ids_once() {
        let prefix = "s\"é-";
        let mut k = Kernel::new(&ConfigRaw {
            max_slots: 1.0,
            seed_capital: 1e6,
            id_prefix: Some(prefix.into()),
            ..ConfigRaw::default()
        })
        .expect("valid config");
        let out = k.submit_intent(&IntentRaw {
            intent_id: "i\u{1F600}1".into(),
            action: "ENTER".into(),
            asset: Some("BTC/USDT".into()),
            side: Some("LONG".into()),
            order_type: Some("MARKET".into()),
            leverage: Some(2.0),
            target_size: Some(1.0),
            reference_price: Some(100.0),
            ts: 1.0,
            ..IntentRaw::default()
        });
        assert_eq!(out.events.len(), 1, "{out:?}");
        let (units, ends) = utf16(&["i\u{1F600}1", "ENTER", "BTC/USDT"]);
        let strings = Strings::new(&units, &ends).expect("valid ends");
        let mut p = Packer::default();
        p.begin(strings.len());
        p.push(&out, prefix, Echo { strings: &strings, refs: &[0, 2] });
        let (nums, text) = p.finish();
        assert_eq!(nums[0], 1.0);
        let (ends_at, count) = (nums[1] as usize, nums[2] as usize);
        assert_eq!(ends_at + count, nums.len());
        let ends: Vec<u32> = nums[ends_at..].iter().map(|&e| e as u32).collect();
        let strs = output_strings(text, &ends);
        // Output strings are numbered after the input's three.
        let str_at = |i: f64| strs[i as usize - 3].as_str();
        assert_eq!(strs.iter().filter(|s| *s == "s\"é-T1").count(), 1, "{strs:?}");
        assert!(!strs.iter().any(|s| s == "i\u{1F600}1" || s == "BTC/USDT"), "sent back as references: {strs:?}");
        let event = HEADER + 15 + 6;
        assert_eq!(words()[nums[event] as usize], "OrderRequested");
        assert_eq!(str_at(nums[event + 1]), outcome::event_id(prefix, out.events[0].seq));
        // The intentId (the first optional field, after the mask) refers to input string 0.
        assert_eq!(nums[event + 9], 0.0);
    }

    #[test]
    fn event_ids_are_the_kernels() {
        let mut p = Packer::default();
        for seq in [0, 7, 10, 12_345, u64::from(u32::MAX), (1 << 53) - 1] {
            p.begin(0);
            let i = p.event_id("p\u{e9}-", seq);
            let (nums, text) = p.finish();
            assert_eq!(i, 0.0);
            assert_eq!(text, outcome::event_id("p\u{e9}-", seq));
            assert_eq!(nums[nums[1] as usize], 5.0 + seq.to_string().len() as f64, "UTF-16 units");
        }
    }
}
