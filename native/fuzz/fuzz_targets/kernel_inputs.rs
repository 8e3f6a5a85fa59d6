//! Any bytes, decoded into kernel inputs (intents, venue events, marks,
//! ticks, control, account events, restarts, garbage) and applied with the
//! invariants checked after each: `cargo +nightly fuzz run kernel_inputs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = cockpit_kernel::fuzz::run(data) {
        panic!("{e}");
    }
});
