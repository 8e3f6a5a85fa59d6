//! The fuzz harness as a bounded, seeded stable-Rust run: the same decoder
//! and checks as `native/fuzz/`, over pseudo-random bytes.

use cockpit_kernel::fuzz;

/// xorshift64*: deterministic bytes without a dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    fn byte(&mut self) -> u8 {
        let x = &mut self.0;
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
    }

    /// Uniform enough in `0..n` for a smoke test (`n` ≤ 256).
    fn below(&mut self, n: u16) -> u16 {
        (u16::from(self.byte()) * n) >> 8
    }

    /// True with probability `p`/256.
    fn chance(&mut self, p: u8) -> bool {
        self.byte() < p
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[usize::from(self.below(from.len() as u16))]
    }
}

fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut r = Rng::new(seed);
    (0..len).map(|_| r.byte()).collect()
}

#[test]
fn random_byte_streams_never_break_the_kernel() {
    for seed in 1..=400u64 {
        let data = bytes(seed, 64 + (seed as usize * 37) % 960);
        if let Err(e) = fuzz::run(&data) {
            panic!("seed {seed}: {e}");
        }
    }
}

/// A fuzz target's entry point: any bytes; an `Err` is a bug.
type Harness = fn(&[u8]) -> Result<(), String>;

/// Each fuzz target's seeds (`native/fuzz/seeds/<target>/`: inputs the
/// fuzzer once stopped on, and well-formed examples), so the harnesses and
/// the kernel go on passing them.
#[test]
fn the_fuzzers_seeds_pass() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let targets: [(&str, Harness); 2] =
        [("kernel_inputs", fuzz::run), ("packed_inputs", |d| fuzz::packed::run(d).map(|_| ()))];
    for (target, run) in targets {
        let dir = seeds.join(target);
        let mut found = 0;
        for entry in std::fs::read_dir(&dir).expect("the seeds folder") {
            let path = entry.expect("a readable entry").path();
            let data = std::fs::read(&path).expect("a readable input");
            if let Err(e) = run(&data) {
                panic!("{}: {e}", path.display());
            }
            found += 1;
        }
        assert!(found > 0, "no inputs in {}", dir.display());
    }
}

/// Random bytes: nearly every batch is malformed and refused whole, which
/// is what this checks (no panic, invariants); the apply path is the next test's.
#[test]
fn random_packed_batches_never_break_the_kernel() {
    for seed in 1..=400u64 {
        let data = bytes(seed, 64 + (seed as usize * 37) % 960);
        if let Err(e) = fuzz::packed::run(&data) {
            panic!("seed {seed}: {e}");
        }
    }
}

/// One number as the packed harness reads it (`Bytes::num` in
/// `src/fuzz/packed.rs`): 0..=127 itself, 128..=143 a special value (`FLOATS`),
/// 144..=249 a price from 90 by halves, 250 then two bytes a 16-bit number.
type Num = Vec<u8>;

fn int(n: u16) -> Num {
    match u8::try_from(n) {
        Ok(b) if b < 128 => vec![b],
        _ => vec![250, n.to_le_bytes()[0], n.to_le_bytes()[1]],
    }
}

fn special(i: u8) -> Num {
    vec![128 + i]
}

// Indexes into the harness's strings (`TEXTS`, then an unpaired surrogate at 20).
const ENTER: u16 = 0;
const EXIT: u16 = 1;
const CANCEL: u16 = 2;
const BTC: u16 = 8;
const STRINGS: u16 = 21;

/// Random field values, mostly ones the kernel takes, some it refuses.
impl Rng {
    fn string(&mut self) -> Num {
        int(self.below(STRINGS))
    }

    fn size(&mut self) -> Num {
        match self.below(8) {
            0..=2 => int(1 + self.below(3)),
            // 0.5, 0.25, 1.5
            3..=5 => special(self.pick(&[5, 8, 9])),
            // NaN, -1, 0
            _ if self.chance(128) => special(self.pick(&[0, 3])),
            _ => int(0),
        }
    }

    fn price(&mut self) -> Num {
        match self.below(10) {
            0..=7 => vec![144 + self.below(30) as u8],
            // 100, 99.5
            8 => special(self.pick(&[11, 10])),
            // NaN, ∞, 1e300, −0
            _ => special(self.pick(&[0, 1, 13, 4])),
        }
    }
}

/// One intent: mask, intentId, action, ts, then the fields the mask holds.
fn intent(r: &mut Rng, ts: u16) -> Vec<Num> {
    let action = if r.chance(200) { r.pick(&[ENTER, ENTER, EXIT, CANCEL]) } else { r.below(STRINGS) };
    let mut mask: u16 = match action {
        // asset, side, orderType, targetSize, referencePrice, leverage; maybe limitPrice, legs, TP and SL.
        ENTER => 0b101_1111 | (r.below(2) << 5) | (r.below(2) << 7) | ((r.below(2) * 0b11) << 8),
        // slotId, or tradeId.
        _ if r.chance(200) => 1 << 10,
        _ => 1 << 11,
    };
    if r.chance(24) {
        mask ^= 1 << r.below(15);
    }
    let mut nums = vec![int(mask), r.string(), int(action), int(ts)];
    for bit in 0..15 {
        if mask & (1 << bit) == 0 {
            continue;
        }
        nums.extend(match bit {
            0 => vec![int(if r.chance(230) { BTC } else { r.below(STRINGS) })],
            // LONG, SHORT
            1 => vec![int(9 + r.below(2))],
            // MARKET, LIMIT
            2 => vec![int(11 + r.below(2))],
            3 => vec![r.size()],
            4 | 5 | 8 | 9 => vec![r.price()],
            6 => vec![int(1 + r.below(3))],
            7 => {
                // [1], [0.5, 0.5], or a count of ratios that do not add up.
                let legs: Vec<Num> = match r.below(3) {
                    0 => vec![int(1)],
                    1 => vec![special(5), special(5)],
                    _ => (0..r.below(4)).map(|_| special(r.pick(&[5, 8, 9]))).collect(),
                };
                std::iter::once(int(legs.len() as u16)).chain(legs).collect()
            }
            10 => vec![int(r.below(4))],
            _ => vec![r.string()],
        });
    }
    nums
}

/// One venue event: mask, eventId, kind, clientOrderId, ts, then the fields the mask holds.
fn venue_event(r: &mut Rng, ts: u16) -> Vec<Num> {
    // ACK, PARTIAL_FILL, FILL, CANCELED, REJECTED; else any string.
    let kind = if r.chance(230) { 3 + r.below(5) } else { r.below(STRINGS) };
    // Fills carry a price and a size; anything may carry the rest.
    let mut mask: u16 = if kind == 4 || kind == 5 { 0b1100 } else { 0 };
    for bit in [0, 1, 4, 6] {
        mask |= u16::from(r.chance(40)) << bit;
    }
    if r.chance(24) {
        mask ^= 1 << r.below(8);
    }
    // T1-E1, T1-X1, T2-E1; else any string.
    let coid = if r.chance(230) { 13 + r.below(3) } else { r.below(STRINGS) };
    let mut nums = vec![int(mask), r.string(), int(kind), int(coid), int(ts)];
    for bit in 0..8 {
        if mask & (1 << bit) != 0 {
            nums.push(match bit {
                2 => r.price(),
                3 => r.size(),
                4 => special(r.pick(&[6, 4, 3])),
                6 => int(r.below(128)),
                _ => r.string(),
            });
        }
    }
    nums
}

/// Bytes the packed harness reads as `batches` well-formed batches of
/// intents, venue events and marks with random field values: each a tag
/// (its kind, by the tag mod 3; 33 to 35 when the caller did not take the
/// last answer in), how many numbers follow the header, the record count,
/// then the records.
fn well_formed(seed: u64, batches: usize) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut out = Vec::new();
    for b in 0..batches {
        let ts = 10 + 10 * b as u16;
        let kind = r.pick(&[0u8, 0, 1, 1, 1, 2]);
        let records: Vec<Vec<Num>> = (0..1 + r.below(4))
            .map(|_| match kind {
                0 => intent(&mut r, ts),
                1 => venue_event(&mut r, ts),
                _ => vec![int(if r.chance(230) { BTC } else { r.below(STRINGS) }), r.price(), int(ts)],
            })
            .collect();
        let skipped = r.chance(24);
        let numbers: Vec<Num> = records.iter().flatten().cloned().collect();
        out.push(if skipped { 33 + kind } else { kind });
        out.push(u8::try_from(numbers.len()).expect("at most 255 numbers a batch"));
        out.extend(int(records.len() as u16));
        if skipped {
            out.extend(int(r.below(128)));
        }
        out.extend(numbers.into_iter().flatten());
    }
    out
}

/// Well-formed batches with random values reach the kernel: every one is
/// applied, and over the seeds the kernel accepts records and counts fills.
#[test]
fn well_formed_packed_batches_with_random_values_are_applied_and_never_break_the_kernel() {
    let (seeds, batches) = (200u64, 40);
    let (mut accepted, mut fills) = (0, 0);
    for seed in 1..=seeds {
        let run = fuzz::packed::run(&well_formed(seed, batches)).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(run.batches, batches, "seed {seed}: a well-formed batch was refused");
        accepted += run.accepted;
        fills += run.fills;
    }
    assert!(accepted >= 1000, "{accepted} accepted outcomes in {seeds} runs");
    assert!(fills >= 100, "{fills} fills in {seeds} runs");
}

/// The packed driver reaches the kernel: the seed `one-enter` is a
/// well-formed batch of one ENTER (numbers: mask 95, intentId "i1", action
/// "ENTER", ts 5, asset, side, orderType, targetSize 1, referencePrice 100
/// (byte 139), leverage 2), and it is applied.
#[test]
fn a_well_formed_packed_batch_is_applied() {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/packed_inputs/one-enter");
    let run = fuzz::packed::run(&std::fs::read(seed).expect("the seed")).expect("no fault");
    assert_eq!((run.batches, run.accepted), (1, 1));
    assert_eq!(run.kernel.seq(), 1, "one OrderRequested");
    assert!(!run.kernel.slots()[0].free);
}
