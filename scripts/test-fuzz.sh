#!/usr/bin/env bash
# The kernel's cargo-fuzz targets (native/fuzz), coverage-guided, each for a
# bounded time: kernel_inputs (decoded intents, venue events, marks, ticks,
# control, account events, restarts) for FUZZ_SECONDS (default 60), and
# packed_inputs (raw packed batches, the bulk path's input) for half that.
# Seeds: native/fuzz/seeds/<target> (past findings and well-formed examples,
# only read); new corpus entries go to the git-ignored native/fuzz/corpus,
# so a developer's runs build on each other. That corpus keeps its newest
# entries up to FUZZ_CORPUS_KB (default 256) per target: libFuzzer replays
# the whole corpus before it fuzzes, and -max_total_time does not cut the
# replay short (at ~30 KiB a second with the sanitizers: 500 kernel_inputs
# entries, 480 KiB, take 17 s), so an unbounded corpus would unbound the run. A finding fails the run and is
# written to native/fuzz/artifacts/<target>/ (replay it with
# `cargo +nightly fuzz run <target> <file>`; keep it in seeds/<target>/).
# The per-input progress lines (#N NEW …) are left out of the output.
set -euo pipefail
cd "$(dirname "$0")/../native"
seconds="${FUZZ_SECONDS:-60}"
keep_bytes="$((${FUZZ_CORPUS_KB:-256} * 1024))"
fuzz() {
  mkdir -p "fuzz/corpus/$1"
  # Newest first; entries are named by their hash (no spaces or newlines).
  (
    cd "fuzz/corpus/$1"
    total=0
    for entry in $(ls -t); do
      total=$((total + $(wc -c <"$entry")))
      if [ "$total" -gt "$keep_bytes" ]; then rm -f "$entry"; fi
    done
  )
  cargo +nightly fuzz run "$1" "fuzz/corpus/$1" "fuzz/seeds/$1" -- \
    -max_total_time="$2" -max_len=4096 -len_control=10 -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | sed '/^#[0-9]/d'
}
fuzz kernel_inputs "$seconds"
fuzz packed_inputs "$((seconds / 2 > 0 ? seconds / 2 : 1))"
