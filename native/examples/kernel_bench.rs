//! Benchmark (a): the kernel alone, on the stream of `scripts/bench-kernel.mjs`.
//! Usage: kernel_bench <slots> <events>. Prints one JSON line.
//!
//! The stream, per trade (round-robin over the slots, phase by phase):
//! ENTER, ACK, PARTIAL_FILL 0.4, FILL 0.6, mark, EXIT, ACK, FILL 1.0 —
//! the same function of (cycle, phase, slot) as the script's.

use cockpit_kernel::kernel::input::{IntentRaw, VenueEventRaw};
use cockpit_kernel::kernel::outcome::Outcome;
use cockpit_kernel::kernel::{ConfigRaw, Kernel};
use std::time::Instant;

const ASSETS: [&str; 3] = ["BTC/USDT", "ETH/USDT", "SOL/USDT"];
const PHASE_TAILS: [&str; 8] = ["-0", "-1", "-2", "-3", "-4", "-5", "-6", "-7"];

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

/// `<head><n><tail>` into `buf`, without the formatting machinery: the
/// loop should measure the kernel, not `fmt`.
fn set(buf: &mut String, head: &str, n: u64, tail: &str) {
    buf.clear();
    buf.push_str(head);
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
    buf.push_str(tail);
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
    let config = ConfigRaw { max_slots: slots as f64, seed_capital: 1e9, ..ConfigRaw::default() };
    let mut k = Kernel::new(&config).expect("valid config");
    // Inputs are rebuilt in place: the loop measures the kernel, not the allocator.
    let mut intent = IntentRaw {
        action: "ENTER".into(),
        side: Some("LONG".into()),
        order_type: Some("MARKET".into()),
        target_size: Some(1.0),
        leverage: Some(2.0),
        ..IntentRaw::default()
    };
    let mut ev = VenueEventRaw::default();
    let (mut n, mut ts, mut emitted) = (0u64, 0f64, 0usize);
    let start = Instant::now();
    'outer: for cycle in 0.. {
        for phase in 0..8u64 {
            for slot in 0..slots {
                if n == events {
                    break 'outer;
                }
                n += 1;
                ts += 1.0;
                let trade = cycle * slots + slot + 1;
                let p = price(slot, cycle, phase);
                let asset = ASSETS[(slot % 3) as usize];
                emitted += match phase {
                    0 | 5 => {
                        set(&mut intent.intent_id, "i", trade, if phase == 0 { "-0" } else { "-5" });
                        intent.action.clear();
                        intent.action.push_str(if phase == 0 { "ENTER" } else { "EXIT" });
                        let a = intent.asset.get_or_insert_with(String::new);
                        a.clear();
                        a.push_str(asset);
                        intent.reference_price = Some(p);
                        intent.slot_id = Some(slot as f64);
                        intent.ts = ts;
                        {
                            let out = k.submit_intent(&intent);
                            done(&mut k, out)
                        }
                    }
                    4 => {
                        let outs = k.mark_price(asset, p, ts);
                        outs.into_iter().map(|o| done(&mut k, o)).sum()
                    }
                    _ => {
                        set(&mut ev.event_id, "v", trade, PHASE_TAILS[phase as usize]);
                        let leg = if phase < 4 { "-E1" } else { "-X1" };
                        set(&mut ev.client_order_id, "T", trade, leg);
                        let (kind, size) = match phase {
                            1 | 6 => ("ACK", None),
                            2 => ("PARTIAL_FILL", Some(0.4)),
                            3 => ("FILL", Some(0.6)),
                            _ => ("FILL", Some(1.0)),
                        };
                        ev.kind.clear();
                        ev.kind.push_str(kind);
                        ev.size = size;
                        ev.price = size.map(|_| p);
                        ev.ts = ts;
                        {
                            let out = k.on_venue_event(&ev);
                            done(&mut k, out)
                        }
                    }
                };
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"slots\":{slots},\"events\":{n},\"domainEvents\":{emitted},\"seconds\":{secs:.4},\"eventsPerSec\":{:.0},\"nsPerEvent\":{:.1},\"peakRssKb\":{},\"equity\":{}}}",
        n as f64 / secs,
        secs * 1e9 / n as f64,
        peak_rss_kb(),
        k.account().equity
    );
}
