//! The fuzz harness as a bounded, seeded stable-Rust run: the same decoder
//! and checks as `native/fuzz/`, over pseudo-random bytes.

use cockpit_kernel::fuzz;

/// xorshift64*: deterministic bytes without a dependency.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
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

#[test]
fn random_packed_batches_never_break_the_kernel() {
    for seed in 1..=400u64 {
        let data = bytes(seed, 64 + (seed as usize * 37) % 960);
        if let Err(e) = fuzz::packed::run(&data) {
            panic!("seed {seed}: {e}");
        }
    }
}

/// The packed driver reaches the kernel: the seed `one-enter` is a
/// well-formed batch of one ENTER (numbers: mask 95, intentId "i1", action
/// "ENTER", ts 5, asset, side, orderType, targetSize 1, referencePrice 100
/// (byte 139), leverage 2), and it is applied.
#[test]
fn a_well_formed_packed_batch_is_applied() {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/packed_inputs/one-enter");
    let k = fuzz::packed::run(&std::fs::read(seed).expect("the seed")).expect("no fault");
    assert_eq!(k.seq(), 1, "one OrderRequested");
    assert!(!k.slots()[0].free);
}
