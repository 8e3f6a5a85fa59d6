//! Benchmark (a): the kernel alone, on the stream of `scripts/bench-kernel.mjs`.
//! Usage: kernel_bench <slots> <events> [<dedupeWindow> <retiredWindow>] [--packed]
//! (the kernel's defaults when omitted: the windows are what sets its
//! memory, DECISIONS §15). Prints one JSON line.
//!
//! `--packed`: the Rust side of (c) instead, without napi and JS: each run
//! of consecutive inputs of one kind (up to 512) encoded as `native/packed.ts`
//! encodes it (before the clock), then on the clock read by `Batch::read`,
//! applied and packed by `Packer`, as the packed binding methods do.
//!
//! The stream, per trade (round-robin over the slots, phase by phase):
//! ENTER, ACK, PARTIAL_FILL 0.4, FILL 0.6, mark, EXIT, ACK, FILL 1.0 —
//! the same function of (cycle, phase, slot) as the script's.
//!
//! Inputs are built a chunk at a time outside the timed region, as a venue
//! adapter would hand them over: the clock measures the kernel only.

use cockpit_kernel::kernel::input::{IntentRaw, MarkRaw, VenueEventRaw};
use cockpit_kernel::kernel::outcome::Outcome;
use cockpit_kernel::kernel::{ConfigRaw, Kernel};
use cockpit_kernel::packed::{Batch, Numbers, Packer, Strings, INPUT_HEADER};
use std::time::{Duration, Instant};

const ASSETS: [&str; 3] = ["BTC/USDT", "ETH/USDT", "SOL/USDT"];
/// Inputs per chunk: small enough to stay in cache, large enough that the
/// clock's own cost vanishes.
const CHUNK: usize = 16_384;

enum StreamInput {
    Intent(IntentRaw),
    Venue(VenueEventRaw),
    Mark(&'static str, f64, f64),
}

fn price(slot: u64, cycle: u64, phase: u64) -> f64 {
    100.0 + ((slot * 7 + cycle * 13 + phase * 3) % 50) as f64 * 0.1
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Input number `n` (0-based) of the stream.
fn input(slots: u64, n: u64) -> StreamInput {
    let (cycle, rest) = (n / (8 * slots), n % (8 * slots));
    let (phase, slot) = (rest / slots, rest % slots);
    let ts = (n + 1) as f64;
    let trade = cycle * slots + slot + 1;
    let p = price(slot, cycle, phase);
    let asset = ASSETS[(slot % 3) as usize];
    match phase {
        0 => StreamInput::Intent(IntentRaw {
            intent_id: format!("i{trade}-0"),
            action: "ENTER".into(),
            asset: Some(asset.into()),
            side: Some("LONG".into()),
            order_type: Some("MARKET".into()),
            target_size: Some(1.0),
            reference_price: Some(p),
            leverage: Some(2.0),
            slot_id: Some(slot as f64),
            ts,
            ..IntentRaw::default()
        }),
        5 => StreamInput::Intent(IntentRaw {
            intent_id: format!("i{trade}-5"),
            action: "EXIT".into(),
            slot_id: Some(slot as f64),
            ts,
            ..IntentRaw::default()
        }),
        4 => StreamInput::Mark(asset, p, ts),
        _ => {
            let (kind, size) = match phase {
                1 | 6 => ("ACK", None),
                2 => ("PARTIAL_FILL", Some(0.4)),
                3 => ("FILL", Some(0.6)),
                _ => ("FILL", Some(1.0)),
            };
            StreamInput::Venue(VenueEventRaw {
                event_id: format!("v{trade}-{phase}"),
                kind: kind.into(),
                client_order_id: format!("T{trade}-{}", if phase < 4 { "E1" } else { "X1" }),
                size,
                price: size.map(|_| p),
                ts,
                ..VenueEventRaw::default()
            })
        }
    }
}

/// Which packed method a run goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RunKind {
    Intents,
    VenueEvents,
    Marks,
}

impl RunKind {
    fn of(input: &StreamInput) -> Self {
        match input {
            StreamInput::Intent(_) => RunKind::Intents,
            StreamInput::Venue(_) => RunKind::VenueEvents,
            StreamInput::Mark(..) => RunKind::Marks,
        }
    }
}

/// Inputs per packed call at most, as the script's driver sends them.
const RUN: usize = 512;

/// One run of the packed input, as `native/packed.ts` encodes it: numbers
/// (the header's first is the record count), the strings' UTF-16 text and
/// where each string ends.
struct PackedRun {
    kind: RunKind,
    count: usize,
    nums: Vec<f64>,
    units: Vec<u16>,
    ends: Vec<u32>,
}

impl PackedRun {
    fn new(kind: RunKind) -> Self {
        PackedRun { kind, count: 0, nums: vec![0.0; INPUT_HEADER], units: Vec::new(), ends: Vec::new() }
    }

    /// Whether `input` can join this run.
    fn takes(&self, input: &StreamInput) -> bool {
        self.kind == RunKind::of(input) && self.count < RUN
    }

    fn str(&mut self, s: &str) {
        self.nums.push(self.ends.len() as f64);
        self.units.extend(s.encode_utf16());
        self.ends.push(self.units.len() as u32);
    }

    /// Appends one input of this run's kind (the stream's inputs use these fields only).
    fn push(&mut self, input: &StreamInput) {
        self.count += 1;
        self.nums[0] = self.count as f64;
        match input {
            StreamInput::Venue(e) => {
                let mask_at = self.nums.len();
                self.nums.push(0.0);
                self.str(&e.event_id);
                self.str(&e.kind);
                self.str(&e.client_order_id);
                self.nums.push(e.ts);
                let mut mask = 0;
                for (bit, v) in [(2, e.price), (3, e.size)] {
                    if let Some(v) = v {
                        mask |= 1 << bit;
                        self.nums.push(v);
                    }
                }
                self.nums[mask_at] = f64::from(mask);
            }
            StreamInput::Intent(i) => {
                let mask_at = self.nums.len();
                self.nums.push(0.0);
                self.str(&i.intent_id);
                self.str(&i.action);
                self.nums.push(i.ts);
                let mut mask = 0;
                for (bit, v) in [(0, &i.asset), (1, &i.side), (2, &i.order_type)] {
                    if let Some(v) = v {
                        mask |= 1 << bit;
                        self.str(v);
                    }
                }
                for (bit, v) in [(3, i.target_size), (4, i.reference_price), (5, i.limit_price), (6, i.leverage)] {
                    if let Some(v) = v {
                        mask |= 1 << bit;
                        self.nums.push(v);
                    }
                }
                if let Some(v) = i.slot_id {
                    mask |= 1 << 10;
                    self.nums.push(v);
                }
                self.nums[mask_at] = f64::from(mask);
            }
            StreamInput::Mark(asset, p, ts) => {
                self.str(asset);
                self.nums.extend([*p, *ts]);
            }
        }
    }
}

/// The packed side of the binding: reused batches, the packer, the caller's array.
struct PackedSide {
    intents: Batch<IntentRaw>,
    venue_events: Batch<VenueEventRaw>,
    marks: Batch<MarkRaw>,
    packer: Packer,
    out: Vec<f64>,
    /// The answer the caller's string table took in last (the decoder's `taken`).
    taken: f64,
}

impl PackedSide {
    /// One packed call on `run`: read, apply, pack; returns the domain events emitted.
    fn call(&mut self, k: &mut Kernel, run: &mut PackedRun) -> usize {
        run.nums[1] = self.taken;
        let strings = Strings::new(&run.units, &run.ends).expect("well-formed run");
        let mut emitted = 0;
        let mut answer = self.packer.begin(&mut self.out, strings.len(), run.nums[1]);
        macro_rules! apply {
            ($batch:expr, $apply:expr) => {{
                let batch = &mut $batch;
                batch.read(&run.nums, &strings).expect("well-formed run");
                answer.apply(k, batch, &strings, $apply, |k, _, o| emitted += done(k, o));
            }};
        }
        match run.kind {
            RunKind::Intents => apply!(self.intents, |k: &mut Kernel, i| std::iter::once(k.submit_intent(i))),
            RunKind::VenueEvents => apply!(self.venue_events, |k: &mut Kernel, e| std::iter::once(k.on_venue_event(e))),
            RunKind::Marks => apply!(self.marks, |k: &mut Kernel, m: &MarkRaw| k.mark_price(&m.asset, m.price, m.ts)),
        }
        let (nums, _text) = answer.finish();
        self.taken = nums.as_slice()[3];
        if let Numbers::Spilled(nums) = nums {
            // As packed.ts does: the next calls get an array large enough.
            self.out = vec![0.0; nums.len() * 2];
        }
        emitted
    }
}

/// Reads an outcome (its event count) and hands it back, as the packed binding does.
fn done(k: &mut Kernel, out: Outcome) -> usize {
    let n = out.events.len();
    k.recycle(out);
    n
}

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let packed = std::env::args().any(|a| a == "--packed");
    let (slots, events) = (args.first().copied().unwrap_or(100), args.get(1).copied().unwrap_or(1_000_000));
    let window = |i: usize| args.get(i).map(|&w| w as f64);
    let config = ConfigRaw {
        max_slots: slots as f64,
        seed_capital: 1e9,
        dedupe_window: window(2),
        retired_window: window(3),
        ..ConfigRaw::default()
    };
    let mut k = Kernel::new(&config).expect("valid config");
    let (mut emitted, mut elapsed) = (0usize, Duration::ZERO);
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut side = PackedSide {
        intents: Batch::default(),
        venue_events: Batch::default(),
        marks: Batch::default(),
        packer: Packer::default(),
        out: vec![0.0; 1 << 16],
        taken: -1.0,
    };
    let mut open_run: Option<PackedRun> = None;
    let mut n = 0;
    while n < events {
        chunk.clear();
        chunk.extend((n..events.min(n + CHUNK as u64)).map(|i| input(slots, i)));
        n += chunk.len() as u64;
        if packed {
            // A run still open at the chunk's end is carried into the next chunk, as the script's driver carries it.
            let mut runs: Vec<PackedRun> = open_run.take().into_iter().collect();
            for i in &chunk {
                match runs.last_mut() {
                    Some(run) if run.takes(i) => run.push(i),
                    _ => {
                        let mut run = PackedRun::new(RunKind::of(i));
                        run.push(i);
                        runs.push(run);
                    }
                }
            }
            if n < events && runs.last().is_some_and(|run| run.count < RUN) {
                open_run = runs.pop();
            }
            let start = Instant::now();
            for run in &mut runs {
                emitted += side.call(&mut k, run);
            }
            elapsed += start.elapsed();
            continue;
        }
        let start = Instant::now();
        for i in &chunk {
            emitted += match i {
                StreamInput::Intent(intent) => {
                    let out = k.submit_intent(intent);
                    done(&mut k, out)
                }
                StreamInput::Venue(ev) => {
                    let out = k.on_venue_event(ev);
                    done(&mut k, out)
                }
                StreamInput::Mark(asset, p, ts) => {
                    let outs = k.mark_price(asset, *p, *ts);
                    outs.into_iter().map(|o| done(&mut k, o)).sum()
                }
            };
        }
        elapsed += start.elapsed();
    }
    let secs = elapsed.as_secs_f64();
    println!(
        "{{\"mode\":\"{}\",\"slots\":{slots},\"events\":{n},\"domainEvents\":{emitted},\"seconds\":{secs:.4},\"eventsPerSec\":{:.0},\"nsPerEvent\":{:.1},\"peakRssKb\":{},\"equity\":{}}}",
        if packed { "packed" } else { "kernel" },
        n as f64 / secs,
        secs * 1e9 / n as f64,
        peak_rss_kb(),
        k.account().equity
    );
}
