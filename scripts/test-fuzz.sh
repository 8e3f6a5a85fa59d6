#!/usr/bin/env bash
# The kernel's cargo-fuzz target (native/fuzz), coverage-guided, for a
# bounded time (FUZZ_SECONDS, default 60). Seeds: the inputs the fuzzer once
# stopped on (native/fuzz/regressions, only read); new corpus entries go to
# the git-ignored native/fuzz/corpus, so a developer's runs build on each
# other. A finding fails the run and is written to
# native/fuzz/artifacts/kernel_inputs/ (replay it with
# `cargo +nightly fuzz run kernel_inputs <file>`; keep it in regressions/).
# The per-input progress lines (#N NEW …) are left out of the output.
set -euo pipefail
cd "$(dirname "$0")/../native"
mkdir -p fuzz/corpus/kernel_inputs
cargo +nightly fuzz run kernel_inputs fuzz/corpus/kernel_inputs fuzz/regressions -- \
  -max_total_time="${FUZZ_SECONDS:-60}" -max_len=4096 -len_control=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | sed '/^#[0-9]/d'
