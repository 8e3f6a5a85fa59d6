//! The bulk output format of the packed methods: a batch of outcomes as one
//! `Float64Array` plus one string table (all strings in one text, and a
//! `Uint32Array` of where each ends), decoded by `native/packed.ts`.
//!
//! Creating JS objects through napi costs a property set and a string
//! creation per field; here Rust writes numbers into one array and every
//! distinct string once into one text, and the decoder builds the
//! objects in JS, where fixed-shape literals are cheap. The layout (all
//! values f64; `s` = index into the string table, `?` = NaN when absent):
//!
//! - `nums[0]` = outcome count; `strs[0]` = the kernel's id prefix.
//! - outcome: accepted, code s, severity s, slotId?, tradeId s?, state s?,
//!   retryable, retryAfterMs?, retryAt?, then the counts of transitions,
//!   events, commands, details, flags, diagnostics, then those in that order.
//! - transition: slotId, prev s, next s, trigger s, intentId s?, eventId s?
//! - event: type s, seq, correlationId s, causationId s, ts, slotId,
//!   tradeId s, a bit mask of the optional fields present, then their values
//!   in the order of `DomainEvent` (`eventId` is `${prefix}k-${seq}`).
//! - command: kind s, clientOrderId s, tradeId s, slotId, asset s, side s,
//!   orderType s, size, limitPrice?, reduceOnly.
//! - detail: key s, value s. flag: s.
//! - diagnostic: code s, severity s, slotId?, clientOrderId s?, asset s?, message s.
//!
//! Enum words travel as strings too, so the decoder needs no copy of them.

use crate::kernel::fixed::Fixed;
use crate::kernel::outcome::{Cause, DomainEvent, Outcome};
use crate::kernel::types::Id;
use rustc_hash::FxHashMap;
use std::rc::Rc;

const ABSENT: f64 = f64::NAN;

/// Builds one batch. Buffers are kept between batches.
#[derive(Default)]
pub struct Packer {
    nums: Vec<f64>,
    /// The string table: every string, concatenated, and where each ends
    /// (in UTF-16 code units, the unit of JS `slice`).
    text: String,
    ends: Vec<u32>,
    utf16_len: u32,
    /// Shared strings already in the table, by address. `keep` holds a
    /// reference to each, so no address is freed and reused within a batch.
    known: FxHashMap<usize, u32>,
    keep: Vec<Id>,
    outcomes: u32,
}

impl Packer {
    pub fn begin(&mut self, prefix: &str) {
        self.nums.clear();
        self.nums.push(0.0);
        self.text.clear();
        self.ends.clear();
        self.utf16_len = 0;
        self.known.clear();
        self.keep.clear();
        self.outcomes = 0;
        self.text(prefix);
    }

    /// A string of its own (rendered text): added as is.
    fn text(&mut self, s: &str) -> f64 {
        self.text.push_str(s);
        // Ids are short (bounded at the boundary): the sum fits in u32.
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        self.utf16_len += units as u32;
        self.ends.push(self.utf16_len);
        f64::from(self.ends.len() as u32 - 1)
    }

    /// An enum word: static text, added once per batch.
    fn word(&mut self, s: &'static str) -> f64 {
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

    /// A shared id: added once per batch however many events carry it.
    fn id(&mut self, id: &Id) -> f64 {
        let key = Rc::as_ptr(id) as *const u8 as usize;
        match self.known.get(&key) {
            Some(&i) => f64::from(i),
            None => {
                let i = self.text(id);
                self.known.insert(key, i as u32);
                self.keep.push(id.clone());
                i
            }
        }
    }

    fn opt_id(&mut self, id: Option<&Id>) -> f64 {
        id.map_or(ABSENT, |i| self.id(i))
    }

    fn opt_word(&mut self, w: Option<&'static str>) -> f64 {
        w.map_or(ABSENT, |w| self.word(w))
    }

    fn num(&mut self, v: f64) {
        self.nums.push(v);
    }

    pub fn push(&mut self, out: &Outcome, prefix: &str) {
        self.outcomes += 1;
        let v = [
            f64::from(u8::from(out.accepted)),
            self.word(out.code.as_str()),
            self.word(out.severity.as_str()),
            out.slot_id.map_or(ABSENT, f64::from),
            self.opt_id(out.trade_id.as_ref()),
            self.opt_word(out.state.map(|s| s.as_str())),
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
                self.word(t.prev.as_str()),
                self.word(t.next.as_str()),
                self.word(t.trigger.as_str()),
                self.opt_id(t.intent_id.as_ref()),
                self.opt_id(t.event_id.as_ref()),
            ];
            self.nums.extend_from_slice(&v);
        }
        for e in &out.events {
            self.event(e, prefix);
        }
        for c in &out.commands {
            let v = [
                self.word(c.kind.as_str()),
                self.id(&c.client_order_id),
                self.id(&c.trade_id),
                f64::from(c.slot_id),
                self.id(&c.asset),
                self.word(c.side.as_str()),
                self.word(c.order_type.as_str()),
                c.size.to_f64(),
                c.limit_price.map_or(ABSENT, Fixed::to_f64),
                f64::from(u8::from(c.reduce_only)),
            ];
            self.nums.extend_from_slice(&v);
        }
        for (k, val) in &out.details {
            let v = [self.word(k), self.text(val.as_str())];
            self.nums.extend_from_slice(&v);
        }
        for f in &out.flags {
            let v = self.word(f.as_str());
            self.num(v);
        }
        for d in &out.diagnostics {
            let v = [
                self.word(d.code.as_str()),
                self.word(d.severity.as_str()),
                d.slot_id.map_or(ABSENT, f64::from),
                self.opt_id(d.client_order_id.as_ref()),
                self.opt_id(d.asset.as_ref()),
                self.text(&d.message),
            ];
            self.nums.extend_from_slice(&v);
        }
    }

    fn event(&mut self, e: &DomainEvent, prefix: &str) {
        let causation = match &e.causation {
            Cause::External(id) => self.id(id),
            other => self.text(&other.render(prefix)),
        };
        let v = [
            self.word(e.kind.as_str()),
            e.seq as f64,
            self.id(&e.correlation_id),
            causation,
            e.ts as f64,
            f64::from(e.slot_id),
            self.id(&e.trade_id),
        ];
        self.nums.extend_from_slice(&v);
        let mask_at = self.nums.len();
        self.nums.push(0.0);
        let mut mask = 0u32;
        // The optional fields, bit by bit, in the order `readEvent` of packed.ts reads them.
        let fields = [
            self.opt_id(e.intent_id.as_ref()),
            self.opt_id(e.client_order_id.as_ref()),
            self.opt_id(e.venue_order_id.as_ref()),
            self.opt_id(e.venue_event_id.as_ref()),
            self.opt_id(e.asset.as_ref()),
            self.opt_word(e.side.map(|x| x.as_str())),
            self.opt_word(e.order_side.map(|x| x.as_str())),
            self.opt_word(e.order_type.map(|x| x.as_str())),
            e.size.map_or(ABSENT, Fixed::to_f64),
            e.price.map_or(ABSENT, Fixed::to_f64),
            e.fee.map_or(ABSENT, Fixed::to_f64),
            self.opt_word(e.liquidity.map(|x| x.as_str())),
            e.filled_size.map_or(ABSENT, Fixed::to_f64),
            e.avg_price.map_or(ABSENT, Fixed::to_f64),
            e.realized_pnl.map_or(ABSENT, Fixed::to_f64),
            e.unrealized_pnl.map_or(ABSENT, Fixed::to_f64),
            e.mark_price.map_or(ABSENT, Fixed::to_f64),
            self.opt_id(e.reason.as_ref()),
            self.opt_word(e.close_reason.map(|x| x.as_str())),
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

    /// The batch: the numbers, the concatenated strings and their ends
    /// (borrowed: the caller copies them out, the buffers stay for the next batch).
    pub fn finish(&mut self) -> (&[f64], &str, &[u32]) {
        self.nums[0] = f64::from(self.outcomes);
        self.keep.clear();
        (&self.nums, &self.text, &self.ends)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{input::IntentRaw, ConfigRaw, Kernel};

    #[test]
    fn shared_ids_are_stored_once_and_ends_count_utf16_units() {
        let mut k = Kernel::new(&ConfigRaw {
            max_slots: 1.0,
            seed_capital: 1e6,
            id_prefix: Some("s\"é-".into()),
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
        let mut p = Packer::default();
        p.begin("s\"é-");
        p.push(&out, "s\"é-");
        let (nums, text, ends) = p.finish();
        assert_eq!(nums[0], 1.0);
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut start = 0;
        let strs: Vec<String> = ends
            .iter()
            .map(|&end| {
                let s = String::from_utf16(&units[start..end as usize]).expect("whole characters");
                start = end as usize;
                s
            })
            .collect();
        assert_eq!(strs[0], "s\"é-");
        assert_eq!(strs.iter().filter(|s| *s == "s\"é-T1").count(), 1, "{strs:?}");
        assert!(strs.contains(&"i\u{1F600}1".to_string()), "{strs:?}");
    }
}
