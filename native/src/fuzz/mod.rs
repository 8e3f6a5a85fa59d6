//! The randomized harness shared by the property tests, the fuzz target
//! `kernel_inputs` (`native/fuzz/`) and the stable-Rust fuzz smoke run in
//! `cargo test`; `packed` is the harness of the target `packed_inputs`.
//!
//! `Op`s are decoded inputs — intents, venue events (including duplicates
//! and out-of-order kinds), marks, ticks, control changes, account events,
//! restarts and garbage — applied to one kernel while the harness checks,
//! after each: no panic, the kernel's invariants, gap-free seqs, and each
//! fill counted once (Σ fees of applied fills = feesPaid).

use crate::kernel::fixed::Fixed;
use crate::kernel::input::{AccountEventRaw, ControlRaw, IntentRaw, ReconcileRaw, VenueEventRaw};
use crate::kernel::outcome::Outcome;
use crate::kernel::types::{CommandKind, EventType};
use crate::kernel::{ConfigRaw, Kernel};
use std::collections::{HashMap, HashSet};

pub mod packed;

const KINDS: [&str; 9] =
    ["ACK", "PARTIAL_FILL", "FILL", "CANCELED", "REJECTED", "CANCEL_REJECTED", "EXPIRED", "RATE_LIMITED", "BOGUS"];

#[derive(Clone, Debug)]
pub enum Op {
    Enter {
        short: bool,
        limit: bool,
        size: f64,
        price: f64,
        legs: u8,
        protect: bool,
    },
    Exit {
        slot: u8,
    },
    Cancel {
        slot: u8,
    },
    Venue {
        kind: u8,
        /// Below 200: trade `trade % 12 + 1`, its entry or an exit by
        /// `exit`. From 200: the order slot `(trade - 200) % slots` is
        /// working on now, else the last order the kernel placed (`exit`
        /// unused), so that events meet live orders as a venue's do.
        trade: u8,
        exit: u8,
        size: f64,
        price: f64,
        fee: Option<f64>,
        venue_trade: Option<u8>,
    },
    /// Re-delivers an earlier venue event unchanged: a duplicate.
    Replay {
        back: u8,
    },
    Mark {
        price: f64,
        dt: u16,
    },
    Tick {
        dt: u16,
    },
    Kill,
    Control {
        mode: u8,
    },
    Account {
        kind: u8,
        amount: f64,
    },
    Reconcile {
        with_positions: bool,
    },
    /// Snapshot, restore, and carry on with the restored kernel.
    Restart,
    Garbage {
        text: String,
        num: f64,
    },
}

/// Interesting floats for decoded inputs: the boundary guard's cases and
/// ordinary sizes and prices.
const FLOATS: [f64; 16] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -1.0,
    0.0,
    1e-9,
    0.001,
    0.25,
    0.5,
    1.0,
    1.5,
    2.0,
    99.5,
    100.0,
    1e10,
    1e11,
];

/// Reads ops from fuzzer bytes.
pub fn decode(bytes: &[u8]) -> Vec<Op> {
    let mut it = bytes.iter().copied();
    let mut next = move || it.next();
    let mut ops = Vec::new();
    while let Some(tag) = next() {
        let mut b = || next().unwrap_or(0);
        let f = |b: u8| if b < 200 { FLOATS[(b % 16) as usize] } else { 90.0 + (b - 200) as f64 * 0.5 };
        let op = match tag % 13 {
            0 => Op::Enter {
                short: b() % 2 == 1,
                limit: b() % 2 == 1,
                size: f(b()),
                price: f(b()),
                legs: b(),
                protect: b() % 2 == 1,
            },
            1 => Op::Exit { slot: b() },
            2 => Op::Cancel { slot: b() },
            3 => {
                let (kind, trade, exit) = (b(), b(), b());
                let (size, price) = (f(b()), f(b()));
                let fee = (b() % 3 == 0).then(|| f(b()));
                let venue_trade = (b() % 2 == 0).then(&mut b);
                Op::Venue { kind, trade, exit, size, price, fee, venue_trade }
            }
            4 => Op::Replay { back: b() },
            5 => Op::Mark { price: f(b()), dt: b() as u16 * 40 },
            6 => Op::Tick { dt: b() as u16 * 100 },
            7 => Op::Kill,
            8 => Op::Control { mode: b() },
            9 => Op::Account { kind: b(), amount: f(b()) },
            10 => Op::Reconcile { with_positions: b() % 2 == 0 },
            11 => Op::Restart,
            _ => Op::Garbage { text: String::from_utf8_lossy(&[b(), b(), b()]).into_owned(), num: f(b()) },
        };
        ops.push(op);
    }
    ops
}

pub struct Harness {
    pub kernel: Kernel,
    ts: f64,
    n: u64,
    sent: Vec<VenueEventRaw>,
    /// The client order id of the last PLACE command the kernel gave.
    last_placed: Option<String>,
    counted_fills: HashSet<String>,
    /// Set for a re-delivery neither the dedupe window nor its order's fill
    /// memory still holds, which the kernel applies again by design
    /// (docs/KERNEL.md, *Bounded memory*).
    forgotten_replay: bool,
    fees: Fixed,
    /// Per trade, Σ its signed fills as they came, an exit never taking it
    /// below 0 (the excess is the kernel's OVERFILL): what its slot's size must be.
    positions: HashMap<String, Fixed>,
    last_seq: u64,
    /// Every outcome, in order: two runs of the same ops must produce the same trace.
    pub trace: Vec<Outcome>,
}

impl Harness {
    pub fn new(slots: u32) -> Self {
        let config = ConfigRaw {
            max_slots: slots as f64,
            seed_capital: 10_000.0,
            dedupe_window: Some(64.0),
            ..ConfigRaw::default()
        };
        Harness {
            kernel: Kernel::new(&config).expect("a valid config"),
            ts: 1.0,
            n: 0,
            sent: Vec::new(),
            last_placed: None,
            counted_fills: HashSet::new(),
            forgotten_replay: false,
            fees: Fixed::ZERO,
            positions: HashMap::new(),
            last_seq: 0,
            trace: Vec::new(),
        }
    }

    fn id(&mut self, p: &str) -> String {
        self.n += 1;
        format!("{p}{}", self.n)
    }

    pub fn apply(&mut self, op: &Op) -> Result<(), String> {
        // A restart is not an input: time does not move.
        if !matches!(op, Op::Restart) {
            self.ts += 1.0;
        }
        let ts = self.ts;
        let slots = self.kernel.config().max_slots as u8;
        let outs: Vec<Outcome> = match op {
            Op::Enter { short, limit, size, price, legs, protect } => {
                let legs = match legs % 3 {
                    0 => None,
                    1 => Some(vec![0.5, 0.5]),
                    _ => Some(vec![0.3, 0.3, 0.4]),
                };
                let p = if price.is_finite() && *price > 0.0 { *price } else { 100.0 };
                let (tp, sl) = match (protect, short) {
                    (false, _) => (None, None),
                    (true, false) => (Some(p * 1.05), Some(p * 0.95)),
                    (true, true) => (Some(p * 0.95), Some(p * 1.05)),
                };
                let raw = IntentRaw {
                    intent_id: self.id("i"),
                    action: "ENTER".into(),
                    asset: Some("BTC/USDT".into()),
                    side: Some(if *short { "SHORT" } else { "LONG" }.into()),
                    order_type: Some(if *limit { "LIMIT" } else { "MARKET" }.into()),
                    target_size: Some(*size),
                    reference_price: Some(*price),
                    limit_price: limit.then_some(*price),
                    leverage: Some(2.0),
                    exit_leg_ratios: legs,
                    take_profit: tp,
                    stop_loss: sl,
                    ts,
                    ..IntentRaw::default()
                };
                vec![self.kernel.submit_intent(&raw)]
            }
            Op::Exit { slot } | Op::Cancel { slot } => {
                let action = if matches!(op, Op::Exit { .. }) { "EXIT" } else { "CANCEL" };
                // High bytes address a trade by id instead: held, retired or orphaned.
                let (slot_id, trade_id) = match slot.checked_sub(200) {
                    Some(t) => (None, Some(format!("T{}", t % 12 + 1))),
                    None => (Some((*slot % slots.saturating_add(1)) as f64), None),
                };
                let raw = IntentRaw {
                    intent_id: self.id("i"),
                    action: action.into(),
                    slot_id,
                    trade_id,
                    ts,
                    ..IntentRaw::default()
                };
                vec![self.kernel.submit_intent(&raw)]
            }
            Op::Venue { kind, trade, exit, size, price, fee, venue_trade } => {
                let (coid, venue_order_id) = match trade.checked_sub(200) {
                    Some(s) => {
                        let working = self.kernel.slot(u32::from(s % slots.max(1))).and_then(|v| v.working_order_id);
                        let coid = working.map(|c| c.to_string()).or_else(|| self.last_placed.clone());
                        let coid = coid.unwrap_or_else(|| "T1-E1".into());
                        (coid.clone(), format!("vo-{coid}"))
                    }
                    None => {
                        let trade = trade % 12 + 1;
                        let coid =
                            if exit % 3 == 0 { format!("T{trade}-E1") } else { format!("T{trade}-X{}", exit % 3) };
                        (coid, format!("vo{trade}"))
                    }
                };
                let raw = VenueEventRaw {
                    event_id: self.id("v"),
                    kind: KINDS[(*kind % 9) as usize].into(),
                    client_order_id: coid,
                    venue_order_id: Some(venue_order_id),
                    venue_trade_id: venue_trade.map(|t| format!("vt{t}")),
                    price: Some(*price),
                    size: Some(*size),
                    fee: *fee,
                    liquidity: None,
                    retry_after_ms: Some(250.0),
                    reason: None,
                    ts,
                };
                self.sent.push(raw.clone());
                vec![self.kernel.on_venue_event(&raw)]
            }
            Op::Replay { back } => match self.sent.len() {
                0 => Vec::new(),
                len => {
                    let raw = self.sent[len - 1 - (*back as usize % len)].clone();
                    self.forgotten_replay = !self.kernel.remembers_venue_event(&raw);
                    self.kernel.on_venue_events(std::slice::from_ref(&raw))
                }
            },
            Op::Mark { price, dt } => {
                self.ts += *dt as f64;
                self.kernel.mark_price("BTC/USDT", *price, self.ts)
            }
            Op::Tick { dt } => {
                self.ts += *dt as f64;
                self.kernel.tick(self.ts)
            }
            Op::Kill => vec![self.kernel.kill_switch(ts)],
            Op::Control { mode } => {
                let mode = ["ACTIVE", "ACTIVE", "REDUCING", "HALTED", "NOPE"][(*mode % 5) as usize];
                self.kernel.set_control(&ControlRaw { mode: mode.into(), verbosity: None, journal_transitions: None });
                Vec::new()
            }
            Op::Account { kind, amount } => {
                let raw = AccountEventRaw {
                    event_id: Some(self.id("a")),
                    kind: ["FUNDING_FEE", "ACCOUNT_UPDATE", "FILL_SETTLED", "?"][(*kind % 4) as usize].into(),
                    amount: Some(*amount),
                    wallet_balance: Some(*amount),
                    fee: Some(*amount),
                    ts,
                    ..AccountEventRaw::default()
                };
                self.kernel.on_account_event(&raw);
                Vec::new()
            }
            Op::Reconcile { with_positions } => {
                let raw =
                    ReconcileRaw { open_orders: Vec::new(), positions: with_positions.then(Vec::new), ts: Some(ts) };
                vec![self.kernel.reconcile(&raw)]
            }
            Op::Restart => {
                let snap = self.kernel.snapshot();
                let restored = Kernel::restore(&snap).map_err(|e| e.to_string())?;
                if restored.snapshot() != snap {
                    return Err("restore changed the snapshot".into());
                }
                self.kernel = restored;
                Vec::new()
            }
            Op::Garbage { text, num } => {
                let raw = IntentRaw {
                    intent_id: text.clone(),
                    action: text.clone(),
                    asset: Some(text.clone()),
                    side: Some(text.clone()),
                    target_size: Some(*num),
                    slot_id: Some(*num),
                    ts: *num,
                    ..IntentRaw::default()
                };
                let mut outs = vec![self.kernel.submit_intent(&raw)];
                outs.extend(self.kernel.mark_price(text, *num, *num));
                outs
            }
        };
        for o in &outs {
            self.check(o)?;
            if let Some(c) = o.commands.iter().rev().find(|c| c.kind == CommandKind::Place) {
                self.last_placed = Some(c.client_order_id.to_string());
            }
        }
        self.forgotten_replay = false;
        self.trace.extend(outs);
        self.kernel.check_invariants()?;
        for slot in self.kernel.slots() {
            let Some(trade_id) = slot.trade_id.as_deref() else { continue };
            let signed = self.positions.get(trade_id).copied().unwrap_or(Fixed::ZERO);
            if slot.size != signed {
                return Err(format!(
                    "slot {}: size {} but Σ signed fills of {trade_id} {signed}",
                    slot.slot_id, slot.size
                ));
            }
        }
        if self.kernel.account().fees_paid != self.fees {
            return Err(format!(
                "feesPaid {} != Σ fees of applied fills {}",
                self.kernel.account().fees_paid,
                self.fees
            ));
        }
        Ok(())
    }

    fn check(&mut self, o: &Outcome) -> Result<(), String> {
        if !o.accepted && !o.events.is_empty() {
            return Err(format!("refused outcome {:?} emitted events", o.code));
        }
        for e in &o.events {
            if e.seq != self.last_seq + 1 {
                return Err(format!("seq gap: {} after {}", e.seq, self.last_seq));
            }
            self.last_seq = e.seq;
            if matches!(e.kind, EventType::OrderFilled | EventType::OrderPartiallyFilled) {
                let id = e.venue_event_id.as_deref().unwrap_or_default().to_string();
                if !self.counted_fills.insert(id.clone()) && !self.forgotten_replay {
                    return Err(format!("fill {id} counted twice while the kernel remembered it"));
                }
                self.fees = self.fees.checked_add(e.fee.unwrap_or_default()).map_err(|x| x.to_string())?;
                let size = e.size.unwrap_or_default();
                let held = self.positions.entry(e.trade_id.to_string()).or_insert(Fixed::ZERO);
                *held = if e.reduce_only == Some(true) {
                    held.checked_sub(size).map_err(|x| x.to_string())?.max(Fixed::ZERO)
                } else {
                    held.checked_add(size).map_err(|x| x.to_string())?
                };
            }
        }
        Ok(())
    }
}

/// Applies `ops` to a fresh kernel of `slots` slots, checking every step.
pub fn run_ops(slots: u32, ops: &[Op]) -> Result<Harness, String> {
    let mut h = Harness::new(slots);
    for op in ops {
        h.apply(op)?;
    }
    Ok(h)
}

/// The fuzz entry point: any bytes, any order; an `Err` is a bug.
pub fn run(bytes: &[u8]) -> Result<(), String> {
    run_ops(3, &decode(bytes)).map(|_| ())
}
