//! Any bytes, decoded into packed batches (numbers, UTF-16 strings, their
//! ends) of intents, venue events and marks, read, applied and packed as
//! the binding's packed methods do: `cargo +nightly fuzz run packed_inputs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = cockpit_kernel::fuzz::packed::run(data) {
        panic!("{e}");
    }
});
