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

/// Inputs the fuzzer once stopped on (`native/fuzz/regressions/`), kept so
/// the harness and the kernel go on passing them.
#[test]
fn the_fuzzers_past_findings_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).expect("the regressions folder") {
        let path = entry.expect("a readable entry").path();
        let data = std::fs::read(&path).expect("a readable input");
        if let Err(e) = fuzz::run(&data) {
            panic!("{}: {e}", path.display());
        }
        found += 1;
    }
    assert!(found > 0, "no inputs in {}", dir.display());
}
