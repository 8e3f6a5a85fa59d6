//! The packed input surface under the fuzzer (`native/fuzz/`, target
//! `packed_inputs`): bytes become batches of numbers, UTF-16 strings and
//! their ends, as `native/packed.ts` would send them but with any layout,
//! counts, masks, indexes and values. Each batch is read by `Strings::new`
//! and `Batch::read`, its records applied and their outcomes packed by
//! `Packer`, in the order of the binding's packed methods, into a small
//! caller array (so answers spill). Checked after every batch: no panic,
//! the answer counts exactly the outcomes packed, and the kernel's
//! invariants hold.

use crate::kernel::input::{IntentRaw, MarkRaw, VenueEventRaw};
use crate::kernel::outcome::Outcome;
use crate::kernel::types::EventType;
use crate::kernel::{ConfigRaw, Kernel};
use crate::packed::{Batch, Numbers, Packer, Record, Strings};

/// The strings every batch carries: the vocabulary and ids a well-formed
/// batch uses, an empty one, and non-ASCII text.
const TEXTS: [&str; 20] = [
    "ENTER",
    "EXIT",
    "CANCEL",
    "ACK",
    "PARTIAL_FILL",
    "FILL",
    "CANCELED",
    "REJECTED",
    "BTC/USDT",
    "LONG",
    "SHORT",
    "MARKET",
    "LIMIT",
    "T1-E1",
    "T1-X1",
    "T2-E1",
    "i1",
    "v1",
    "",
    "ÉTH/€",
];

/// Values a single byte stands for, beyond the small whole numbers.
const FLOATS: [f64; 16] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -1.0,
    -0.0,
    0.5,
    0.001,
    1e-9,
    0.25,
    1.5,
    99.5,
    100.0,
    1e10,
    1e300,
    9007199254740993.0,
    4294967296.0,
];

struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        self.0.next().copied()
    }

    /// A number: small whole numbers (counts, masks, indexes), special
    /// values, prices, or a 16-bit whole number (wide masks).
    fn num(&mut self) -> f64 {
        match self.byte().unwrap_or(0) {
            b @ 0..=127 => f64::from(b),
            b @ 128..=143 => FLOATS[usize::from(b - 128)],
            b @ 144..=249 => 90.0 + f64::from(b - 144) * 0.5,
            _ => f64::from(u16::from_le_bytes([self.byte().unwrap_or(0), self.byte().unwrap_or(0)])),
        }
    }
}

/// What a run did: its kernel, and how far its batches reached into it, so a
/// test can tell a run that applied something from one refused at the door.
pub struct Run {
    pub kernel: Kernel,
    /// Batches read whole and applied (a malformed batch is refused whole).
    pub batches: usize,
    /// Outcomes of those batches the kernel accepted.
    pub accepted: usize,
    /// Accepted outcomes that counted a fill.
    pub fills: usize,
}

/// An applied batch: the answer's number, and how many of its outcomes were
/// accepted and counted a fill.
struct Applied {
    number: f64,
    accepted: usize,
    fills: usize,
}

/// The packer and the caller's array, kept between batches as the binding keeps them.
struct Caller {
    packer: Packer,
    out: Vec<f64>,
}

impl Caller {
    /// One batch read, applied and packed, or `None` when it was refused whole.
    fn call<R: Record>(
        &mut self,
        k: &mut Kernel,
        batch: &mut Batch<R>,
        (nums, units, ends): (&[f64], &[u16], &[u32]),
        apply: impl FnMut(&mut Kernel, &R) -> Vec<Outcome>,
    ) -> Result<Option<Applied>, String> {
        let Ok(strings) = Strings::new(units, ends) else { return Ok(None) };
        if batch.read(nums, &strings).is_err() {
            return Ok(None);
        }
        let (mut packed, mut accepted, mut fills) = (0usize, 0usize, 0usize);
        let mut answer = self.packer.begin(&mut self.out, strings.len(), nums[1]);
        answer.apply(k, batch, &strings, apply, |k, _, o| {
            packed += 1;
            accepted += usize::from(o.accepted);
            let fill = |kind| matches!(kind, EventType::OrderFilled | EventType::OrderPartiallyFilled);
            fills += usize::from(o.accepted && o.events.iter().any(|e| fill(e.kind)));
            k.recycle(o);
        });
        let (numbers, _text) = answer.finish();
        let header = numbers.as_slice();
        if header[0] != packed as f64 {
            return Err(format!("the answer counts {} outcomes, {packed} were packed", header[0]));
        }
        let number = header[3];
        if let Numbers::Spilled(n) = numbers {
            self.out = vec![0.0; n.len() * 2];
        }
        Ok(Some(Applied { number, accepted, fills }))
    }
}

/// The fuzz entry point: any bytes; an `Err` is a bug. Gives the kernel the
/// batches left and how many of them it applied.
pub fn run(bytes: &[u8]) -> Result<Run, String> {
    let config =
        ConfigRaw { max_slots: 3.0, seed_capital: 10_000.0, dedupe_window: Some(64.0), ..ConfigRaw::default() };
    let mut k = Kernel::new(&config).expect("a valid config");
    let mut intents = Batch::<IntentRaw>::default();
    let mut venue_events = Batch::<VenueEventRaw>::default();
    let mut marks = Batch::<MarkRaw>::default();
    // A small array at first, so answers spill into a new one.
    let mut caller = Caller { packer: Packer::default(), out: vec![0.0; 16] };
    // The number of the last answer taken in, as `packed.ts` keeps it.
    let mut taken = -1.0;
    let mut units: Vec<u16> = Vec::new();
    let mut ends: Vec<u32> = Vec::new();
    let (mut batches, mut accepted, mut fills) = (0, 0, 0);
    for t in TEXTS {
        units.extend(t.encode_utf16());
        ends.push(units.len() as u32);
    }
    // An unpaired surrogate, as a JS string may hold.
    units.extend([0xD800, u16::from(b'x')]);
    ends.push(units.len() as u32);
    let mut b = Bytes(bytes.iter());
    while let Some(tag) = b.byte() {
        let mut ends = ends.clone();
        if tag & 0x80 != 0 {
            // A malformed end: past the text, or before the one before it.
            let i = usize::from(b.byte().unwrap_or(0)) % ends.len();
            ends[i] = if tag & 0x40 != 0 { units.len() as u32 + 1 } else { 0 };
        }
        let len = usize::from(b.byte().unwrap_or(0));
        let mut nums = vec![b.num(), taken];
        if tag & 0x20 != 0 {
            // An answer the caller did not take in: every string is sent again.
            nums[1] = b.num();
        }
        nums.extend((0..len).map(|_| b.num()));
        let input = (nums.as_slice(), units.as_slice(), ends.as_slice());
        let answer = match tag % 3 {
            0 => caller.call(&mut k, &mut intents, input, |k, i| vec![k.submit_intent(i)]),
            1 => caller.call(&mut k, &mut venue_events, input, |k, e| vec![k.on_venue_event(e)]),
            _ => caller.call(&mut k, &mut marks, input, |k, m| k.mark_price(&m.asset, m.price, m.ts)),
        }?;
        if let Some(a) = answer {
            taken = a.number;
            batches += 1;
            accepted += a.accepted;
            fills += a.fills;
        }
        k.check_invariants()?;
    }
    Ok(Run { kernel: k, batches, accepted, fills })
}
