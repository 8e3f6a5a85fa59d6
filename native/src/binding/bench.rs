//! What only the benchmark (`scripts/bench-kernel.mjs`) calls, compiled in
//! with the cargo feature `bench` alone so the production addon goes without.

use super::{answered, bad_input, writable, Kernel, PackedOutcomes};
use crate::kernel::{self as core, outcome};
use crate::packed::{Echo, Strings};
use napi::bindgen_prelude::{Env, Error, Float64ArraySlice, Result, Status, Utf16String};
use napi_derive::napi;

/// Outcomes of packed calls kept to be packed again without the kernel
/// (`benchRecordPacked`, `benchReplayPacked`).
#[derive(Default)]
pub(super) struct Recording {
    /// How many more batches to record.
    left: u32,
    /// Per batch: each outcome and the input record it answered.
    batches: Vec<Vec<(usize, outcome::Outcome)>>,
    replayed: usize,
}

impl Recording {
    pub(super) fn begin(&mut self) {
        if self.left > 0 {
            self.batches.push(Vec::new());
        }
    }

    pub(super) fn keep(&mut self, record: usize, o: &outcome::Outcome) {
        if self.left > 0 {
            if let Some(b) = self.batches.last_mut() {
                b.push((record, o.clone()));
            }
        }
    }

    pub(super) fn end(&mut self) {
        self.left = self.left.saturating_sub(1);
    }
}

#[napi]
impl Kernel {
    /// Keeps the outcomes of the next `batches` packed calls (dropping any
    /// kept before), for `benchReplayPacked`.
    #[napi]
    pub fn bench_record_packed(&mut self, batches: u32) {
        self.recording = Recording { left: batches, ..Recording::default() };
    }

    /// The boundary without the kernel: reads the input as the packed method
    /// of `kind` (`venue`, `intent`, `mark`) does, then packs the outcomes
    /// kept for the next recorded batch (in turn) instead of running the
    /// kernel. The input must be the one recorded.
    #[napi]
    pub fn bench_replay_packed<'env>(
        &mut self,
        env: &'env Env,
        kind: String,
        nums: &[f64],
        text: Utf16String,
        ends: &[u32],
        mut out: Float64ArraySlice,
    ) -> Result<PackedOutcomes<'env>> {
        let out = writable(&mut out, nums, ends)?;
        let strings = Strings::new(&text, ends).map_err(bad_input)?;
        let rec = &self.recording;
        let Some(batch) = rec.batches.get(rec.replayed % rec.batches.len().max(1)) else {
            return Err(Error::new(Status::InvalidArg, "nothing recorded".to_string()));
        };
        let len = match kind.as_str() {
            "venue" => self.venue_events.read(nums, &strings).map(|_| self.venue_events.len()),
            "intent" => self.intents.read(nums, &strings).map(|_| self.intents.len()),
            "mark" => self.marks.read(nums, &strings).map(|_| self.marks.len()),
            other => return Err(Error::new(Status::InvalidArg, format!("no packed method for {other:?}"))),
        }
        .map_err(bad_input)?;
        if batch.iter().any(|(k, _)| *k >= len) {
            return Err(Error::new(Status::InvalidArg, "not the recorded input".to_string()));
        }
        let prefix = self.prefix();
        // Each pass over the recording starts with an empty table, as a new stretch of trades would.
        let taken = if rec.replayed.is_multiple_of(rec.batches.len()) { f64::NAN } else { nums[1] };
        let mut answer = self.packer.begin(out, strings.len(), taken);
        for (k, o) in batch {
            let refs = match kind.as_str() {
                "venue" => self.venue_events.get(*k).1,
                "intent" => self.intents.get(*k).1,
                _ => self.marks.get(*k).1,
            };
            answer.push(o, &prefix, Echo { strings: &strings, refs });
        }
        self.recording.replayed += 1;
        answered(env, answer, &mut self.recording)
    }

    /// The seed's calling convention, kept to measure what the typed API
    /// saves: one JSON string in, one JSON string out.
    /// `method` is submitIntent, onVenueEvent or markPrice ({asset, price, ts}).
    #[napi]
    pub fn seed_json_call(&mut self, method: String, payload: String) -> String {
        core::seed_json::call(&mut self.inner, &method, &payload)
    }

    /// One slot as JSON, as the seed re-read after every event.
    #[napi]
    pub fn seed_json_slot(&self, slot_id: u32) -> String {
        core::seed_json::slot(&self.inner, slot_id)
    }
}
