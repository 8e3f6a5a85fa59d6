//! Benchmark (a): the kernel alone, on the stream of `scripts/bench-kernel.mjs`.
//! Usage: kernel_bench <slots> <events> [<dedupeWindow> <retiredWindow>]
//! (the kernel's defaults when omitted: the windows are what sets its
//! memory, DECISIONS §15). Prints one JSON line.
//!
//! The stream, per trade (round-robin over the slots, phase by phase):
//! ENTER, ACK, PARTIAL_FILL 0.4, FILL 0.6, mark, EXIT, ACK, FILL 1.0 —
//! the same function of (cycle, phase, slot) as the script's.
//!
//! Inputs are built a chunk at a time outside the timed region, as a venue
//! adapter would hand them over: the clock measures the kernel only.

use cockpit_kernel::kernel::input::{IntentRaw, VenueEventRaw};
use cockpit_kernel::kernel::outcome::Outcome;
use cockpit_kernel::kernel::{ConfigRaw, Kernel};
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

/// Reads an outcome (its event count) and hands it back, as the packed binding does.
fn done(k: &mut Kernel, out: Outcome) -> usize {
    let n = out.events.len();
    k.recycle(out);
    n
}

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
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
    let mut n = 0;
    while n < events {
        chunk.clear();
        chunk.extend((n..events.min(n + CHUNK as u64)).map(|i| input(slots, i)));
        n += chunk.len() as u64;
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
        "{{\"slots\":{slots},\"events\":{n},\"domainEvents\":{emitted},\"seconds\":{secs:.4},\"eventsPerSec\":{:.0},\"nsPerEvent\":{:.1},\"peakRssKb\":{},\"equity\":{}}}",
        n as f64 / secs,
        secs * 1e9 / n as f64,
        peak_rss_kb(),
        k.account().equity
    );
}
