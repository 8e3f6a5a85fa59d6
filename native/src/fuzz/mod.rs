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
use crate::kernel::input::{
    AccountEventRaw, ControlRaw, IntentRaw, PositionRaw, ReconcileRaw, VenueEventRaw, VenueOrderRaw,
};
use crate::kernel::outcome::{Cause, Outcome};
use crate::kernel::stage::Stage;
use crate::kernel::types::{Code, CommandKind, EventType, Flag, Mode, Side};
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
    /// A venue's report after a restart, all in one byte (see
    /// `Harness::venue_report`), so that the op stream keeps its layout.
    Reconcile {
        report: u8,
    },
    /// Snapshot, restore, and carry on with the restored kernel. One right
    /// after another is skipped: it would restore the state just restored.
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
            10 => Op::Reconcile { report: b() },
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
    /// Per client order id, Σ its fills as they came: what a venue reports filled.
    order_fills: HashMap<String, Fixed>,
    /// Per trade, the position and its average cost, from the fill events' sizes and prices alone.
    costs: HashMap<String, PositionCost>,
    /// Σ PnL of every exit fill by `costs`: what the kernel's realized PnL must be, computed apart
    /// from it (the equity identity alone only restates the kernel's own ledgers).
    realized: f64,
    /// Σ size × (|price| + |average cost|) of the exit fills: the scale of the rounding `realized` may differ by.
    exit_notional: f64,
    last_seq: u64,
    /// Whether the last op was a restart.
    just_restarted: bool,
    /// Every outcome, in order: two runs of the same ops must produce the same trace.
    pub trace: Vec<Outcome>,
}

impl Harness {
    pub fn new(slots: u32) -> Self {
        let config = ConfigRaw {
            max_slots: slots as f64,
            seed_capital: 10_000.0,
            // Small windows, so that sessions reach what is forgotten, and
            // the restarts' snapshots stay small (a long input restarts ~80 times).
            dedupe_window: Some(64.0),
            retired_window: Some(8.0),
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
            order_fills: HashMap::new(),
            costs: HashMap::new(),
            realized: 0.0,
            exit_notional: 0.0,
            last_seq: 0,
            just_restarted: false,
            trace: Vec::new(),
        }
    }

    fn id(&mut self, p: &str) -> String {
        self.n += 1;
        format!("{p}{}", self.n)
    }

    pub fn apply(&mut self, op: &Op) -> Result<(), String> {
        // A restart is not an input: time does not move.
        let restart = matches!(op, Op::Restart);
        if !restart {
            self.ts += 1.0;
        }
        let just_restarted = std::mem::replace(&mut self.just_restarted, restart);
        let ts = self.ts;
        let slots = self.kernel.config().max_slots as u8;
        let before =
            matches!(op, Op::Enter { .. } | Op::Exit { .. } | Op::Cancel { .. } | Op::Venue { .. } | Op::Replay { .. })
                .then(|| self.kernel.snapshot());
        let outs: Vec<Outcome> = match op {
            Op::Enter { short, limit, size, price, legs, protect } => {
                // Now and then a venue lot coarser than the kernel's (sizes are multiples of 0.05).
                let lot_step = (legs & 4 != 0).then_some(0.05);
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
                    lot_step,
                    ts,
                    ..IntentRaw::default()
                };
                vec![self.submit(&raw)?]
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
                vec![self.submit(&raw)?]
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
                let known = self.kernel.knows_order(&raw.client_order_id);
                let out = self.kernel.on_venue_event(&raw);
                // A fill of an order the venue was sent is exposure, whatever the kernel thinks of its stage.
                let fill = matches!(&*raw.kind, "FILL" | "PARTIAL_FILL");
                if fill && known && matches!(out.code, Code::IllegalTransition | Code::UnknownOrder) {
                    return Err(format!(
                        "a fill of known order {} refused: {:?} {:?}",
                        raw.client_order_id, out.code, out.details
                    ));
                }
                vec![out]
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
            Op::Kill => {
                let out = self.kernel.kill_switch(ts);
                // Every trade is flagged to be flattened, and no entry goes on working.
                for s in self.kernel.slots().iter().filter(|s| s.trade_id.is_some()) {
                    let entry_works =
                        matches!(s.stage, Stage::EntryRequested | Stage::EntryWorking | Stage::EntryPartial);
                    if entry_works || !s.flatten_pending {
                        return Err(format!(
                            "after the kill switch slot {} is {:?}, flagged {}",
                            s.slot_id, s.stage, s.flatten_pending
                        ));
                    }
                }
                vec![out]
            }
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
            Op::Reconcile { report } => {
                let (raw, held) = self.venue_report(*report, ts);
                let before = (self.kernel.snapshot(), self.kernel.control().mode);
                let out = self.kernel.reconcile(&raw);
                self.check_reconcile(*report, &raw, held, before, &out)?;
                vec![out]
            }
            Op::Restart if just_restarted => Vec::new(),
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
                let mut outs = vec![self.submit(&raw)?];
                outs.extend(self.kernel.mark_price(text, *num, *num));
                outs
            }
        };
        // HALTED takes only cancels: whatever goes to the venue then only reduces (a kill switch's close, a
        // TP/SL's, a rate-limited close sent again); an entry sent in HALTED would open exposure.
        let halted = self.kernel.control().mode == Mode::Halted;
        for o in &outs {
            self.check(o)?;
            if let Some(c) = o.commands.iter().find(|c| halted && c.kind == CommandKind::Place && !c.reduce_only) {
                return Err(format!("HALTED, yet an order that does not reduce went out: {}", c.client_order_id));
            }
            if let Some(c) = o.commands.iter().rev().find(|c| c.kind == CommandKind::Place) {
                self.last_placed = Some(c.client_order_id.to_string());
            }
        }
        if let (Some(before), [o]) = (before, outs.as_slice()) {
            if !o.accepted && self.kernel.snapshot() != before {
                return Err(format!("refused {:?} {:?} changed the kernel", o.code, o.details));
            }
        }
        self.forgotten_replay = false;
        self.trace.extend(outs);
        self.kernel.check_invariants()?;
        for slot in self.kernel.slots() {
            // A trade the kill switch must flatten never has an entry working with nothing asked of the venue:
            // its cancel is on its way, or waits a refusal's backoff (`retry_at`).
            let entry_works = matches!(slot.stage, Stage::EntryRequested | Stage::EntryWorking | Stage::EntryPartial);
            if slot.flatten_pending && entry_works && slot.retry_at.is_none() {
                return Err(format!(
                    "slot {} is {:?} to be flattened, with no cancel coming",
                    slot.slot_id, slot.stage
                ));
            }
            let Some(trade_id) = slot.trade_id.as_deref() else { continue };
            let signed = self.positions.get(trade_id).copied().unwrap_or(Fixed::ZERO);
            if slot.size != signed {
                return Err(format!(
                    "slot {}: size {} but Σ signed fills of {trade_id} {signed}",
                    slot.slot_id, slot.size
                ));
            }
        }
        let realized = self.kernel.account().realized_pnl.to_f64();
        // The kernel rounds an average to 1e-8 per entry fill, and a PnL per exit fill: far below this.
        let off = (realized - self.realized).abs();
        if off.is_nan() || off > 1e-6 + 1e-9 * self.exit_notional {
            return Err(format!("realizedPnl {realized}, but the fills' own PnL is {}", self.realized));
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

    /// Submits, having asked `check_intent` first: a shape it refuses,
    /// submit refuses alike; one it takes, submit never calls malformed.
    fn submit(&mut self, raw: &IntentRaw) -> Result<Outcome, String> {
        let checked = self.kernel.check_intent(raw);
        let submitted = self.kernel.submit_intent(raw);
        let malformed = matches!(submitted.code, Code::InvalidIntent | Code::InvalidSlotId);
        let same = |a: &Outcome, b: &Outcome| a.accepted == b.accepted && a.code == b.code && a.details == b.details;
        if (!checked.accepted && !same(&checked, &submitted)) || (checked.accepted && malformed) {
            return Err(format!(
                "check_intent said {:?} {:?}, submit_intent {:?} {:?}",
                checked.code, checked.details, submitted.code, submitted.details
            ));
        }
        Ok(submitted)
    }

    fn check(&mut self, o: &Outcome) -> Result<(), String> {
        // A reconcile that finds differences is refused, yet adopts what the venue confirms.
        if !o.accepted && !o.events.iter().all(is_adoption) {
            return Err(format!("refused outcome {:?} emitted events", o.code));
        }
        // Every request the venue gets is a fact first (the host journals an outcome, then sends): a PLACE
        // comes with its OrderRequested and a CANCEL with its OrderCancelRequested. Only a request sent again
        // once a rate limit's wait is over (Retry) has none; the host journals that one itself.
        if !o.flags.contains(&Flag::Retry) {
            for c in &o.commands {
                let wanted = match c.kind {
                    CommandKind::Place => EventType::OrderRequested,
                    CommandKind::Cancel => EventType::OrderCancelRequested,
                };
                let announced = o
                    .events
                    .iter()
                    .any(|e| e.kind == wanted && e.client_order_id.as_deref() == Some(&*c.client_order_id));
                if !announced {
                    return Err(format!("{:?} {} went out with no {wanted:?}", c.kind, c.client_order_id));
                }
            }
        }
        for e in &o.events {
            if e.seq != self.last_seq + 1 {
                return Err(format!("seq gap: {} after {}", e.seq, self.last_seq));
            }
            self.last_seq = e.seq;
            if e.kind == EventType::TradeOpened && is_adoption(e) {
                // An adopted position is held without fills: its size, and what it entered, are the venue's.
                let size = e.size.unwrap_or_default();
                let entered = self.kernel.slot(e.slot_id).map(|s| s.initial_size);
                if entered != Some(size) {
                    return Err(format!("adopted {size} into slot {}, which entered {entered:?}", e.slot_id));
                }
                self.positions.insert(e.trade_id.to_string(), size);
                let cost = PositionCost::new(e.side, size.to_f64(), e.price.unwrap_or_default().to_f64());
                self.costs.insert(e.trade_id.to_string(), cost);
            }
            if matches!(e.kind, EventType::OrderFilled | EventType::OrderPartiallyFilled) {
                let id = e.venue_event_id.as_deref().unwrap_or_default().to_string();
                if !self.counted_fills.insert(id.clone()) && !self.forgotten_replay {
                    return Err(format!("fill {id} counted twice while the kernel remembered it"));
                }
                self.fees = self.fees.checked_add(e.fee.unwrap_or_default()).map_err(|x| x.to_string())?;
                let size = e.size.unwrap_or_default();
                let coid = e.client_order_id.as_deref().unwrap_or_default().to_string();
                let filled = self.order_fills.entry(coid).or_insert(Fixed::ZERO);
                *filled = filled.checked_add(size).map_err(|x| x.to_string())?;
                let exit = e.reduce_only == Some(true);
                let price = e.price.unwrap_or_default().to_f64();
                let cost = self.costs.entry(e.trade_id.to_string()).or_insert(PositionCost::new(e.side, 0.0, 0.0));
                if exit {
                    self.exit_notional += size.to_f64() * (price.abs() + cost.average.abs());
                    self.realized += cost.exit(size.to_f64(), price);
                } else {
                    cost.enter(size.to_f64(), price);
                }
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

impl Harness {
    /// The venue's report of `Op::Reconcile`, read from its byte:
    /// - bit 0 set: no position report at all;
    /// - bits 1–2, the orders the slots are working on: 0 left out; 1 listed
    ///   with the fills this harness saw; 2 listed with a lot more filled;
    ///   3 listed without a filled size or a venue order id;
    /// - bits 3–4, one more open order: 0 none; 1 one never sent; 2 the first
    ///   trade's entry; 3 one with an empty id, which makes the report invalid;
    /// - bits 5–7, the positions: 0 and 7 as the slots hold them; 1 the first
    ///   left out; 2 the first at twice its size; 3 an ETH long with its entry
    ///   price more (adoptable); 4 an ETH short without one more (not
    ///   adoptable); 5 none; 6 a BTC short with its entry price more.
    ///
    /// Returns the report and how many (asset, side) positions the slots hold.
    fn venue_report(&self, report: u8, ts: f64) -> (ReconcileRaw, usize) {
        let slots = self.kernel.slots();
        let mut open_orders = Vec::new();
        let listing = report >> 1 & 3;
        if listing != 0 {
            for coid in slots.iter().filter_map(|s| s.working_order_id.as_deref()) {
                let seen = self.order_fills.get(coid).copied().unwrap_or(Fixed::ZERO).to_f64();
                let (venue_order_id, filled_size) = match listing {
                    1 => (Some(format!("vo-{coid}")), Some(seen)),
                    2 => (Some(format!("vo-{coid}")), Some(seen + 0.001)),
                    _ => (None, None),
                };
                open_orders.push(VenueOrderRaw {
                    client_order_id: coid.to_string(),
                    venue_order_id,
                    filled_size,
                    ..VenueOrderRaw::default()
                });
            }
        }
        let stray = [None, Some("Z9-E1"), Some("T1-E1"), Some("")][(report >> 3 & 3) as usize];
        // Never a second entry for an order already listed: the report would contradict itself.
        if let Some(stray) = stray.filter(|id| !open_orders.iter().any(|o| o.client_order_id == *id)) {
            open_orders.push(VenueOrderRaw { client_order_id: stray.into(), ..VenueOrderRaw::default() });
        }
        let mut held_count = 0;
        let positions = (report & 1 == 0).then(|| {
            let mut held: Vec<(String, &'static str, Fixed, f64)> = Vec::new();
            for s in slots.iter().filter(|s| s.size.is_positive()) {
                let (Some(asset), Some(side)) = (s.asset.as_deref(), s.side) else { continue };
                match held.iter_mut().find(|p| p.0 == asset && p.1 == side.as_str()) {
                    Some(p) => p.2 = p.2.saturating_add(s.size),
                    None => held.push((asset.to_string(), side.as_str(), s.size, s.entry_price.to_f64())),
                }
            }
            held_count = held.len();
            let mut list: Vec<PositionRaw> = held
                .into_iter()
                .map(|(asset, side, size, entry)| PositionRaw {
                    asset,
                    side: side.into(),
                    size: size.to_f64(),
                    entry_price: Some(entry),
                })
                .collect();
            let more = |asset: &str, side: &str, size, entry_price| PositionRaw {
                asset: asset.into(),
                side: side.into(),
                size,
                entry_price,
            };
            match report >> 5 {
                1 if !list.is_empty() => drop(list.remove(0)),
                2 => list.iter_mut().take(1).for_each(|p| p.size *= 2.0),
                3 => list.push(more("ETH/USDT", "LONG", 1.0, Some(2000.0))),
                4 => list.push(more("ETH/USDT", "SHORT", 0.5, None)),
                5 => list.clear(),
                6 => list.push(more("BTC/USDT", "SHORT", 0.1, Some(100.0))),
                _ => {}
            }
            list
        });
        (ReconcileRaw { open_orders, positions, ts: Some(ts) }, held_count)
    }

    /// What a reconcile must do with the report `venue_report` made from
    /// `report`, given the kernel's snapshot and mode before it:
    /// - an invalid report (an empty id, or a doubled size out of range) is
    ///   refused whole and changes nothing; no other report is invalid;
    /// - a missing position report is `RECONCILE_INCOMPLETE`, never flat;
    /// - it is refused exactly when it finds a difference (anything but an
    ///   adoption), and then an ACTIVE kernel is REDUCING;
    /// - it adopts, never guesses: no venue command, and no event but one
    ///   per adoption;
    /// - each variant finds what it differs by: no `FILL_MISSING` where the
    ///   report lists exactly the fills sent, one per order listed with a lot
    ///   more; a position left out or all of them is `POSITION_NOT_AT_VENUE`;
    ///   an ETH short without an entry price, which no slot holds, is
    ///   `POSITION_UNKNOWN`.
    fn check_reconcile(
        &self,
        report: u8,
        raw: &ReconcileRaw,
        held: usize,
        (snapshot, mode): (String, Mode),
        out: &Outcome,
    ) -> Result<(), String> {
        let empty_id = raw.open_orders.iter().any(|o| o.client_order_id.is_empty());
        if out.code == Code::InvalidEvent {
            let field = out.details.iter().find(|(k, _)| *k == "field").map_or("", |(_, v)| v.as_str());
            if !empty_id && !field.starts_with("positions[") {
                return Err(format!("a report made from the kernel's own state was refused at {field}"));
            }
            if out.accepted || !out.events.is_empty() || self.kernel.snapshot() != snapshot {
                return Err("a report refused as invalid changed the kernel".into());
            }
            return Ok(());
        }
        if empty_id {
            return Err(format!("a report with an empty order id gave {:?}", out.code));
        }
        if raw.positions.is_none() && (out.accepted || out.code != Code::ReconcileIncomplete) {
            return Err(format!("a report without positions gave {:?}", out.code));
        }
        if !out.commands.is_empty() {
            return Err(format!("reconcile gave {} venue commands", out.commands.len()));
        }
        if let Some(e) = out.events.iter().find(|e| !is_adoption(e)) {
            return Err(format!("reconcile emitted {:?}, which is not an adoption", e.kind));
        }
        let found = |code: Code| out.diagnostics.iter().filter(|d| d.code == code).count();
        let emitted = |kind: EventType| out.events.iter().filter(|e| e.kind == kind).count();
        if found(Code::OrderAdopted) != emitted(EventType::OrderPlaced)
            || found(Code::PositionAdopted) != emitted(EventType::TradeOpened)
        {
            return Err("reconcile's adoptions and its events disagree".into());
        }
        let differences = out.diagnostics.len() - found(Code::OrderAdopted) - found(Code::PositionAdopted);
        if out.accepted != (differences == 0) {
            return Err(format!("reconcile accepted: {} with {differences} differences", out.accepted));
        }
        if differences > 0 && mode == Mode::Active && self.kernel.control().mode != Mode::Reducing {
            return Err("a reconcile with differences left an ACTIVE kernel ACTIVE".into());
        }
        let listed_with_more = raw.open_orders.iter().filter(|o| o.filled_size.is_some()).count();
        match report >> 1 & 3 {
            1 if found(Code::FillMissing) > 0 => {
                return Err("FILL_MISSING for a report listing exactly the fills the kernel was sent".into())
            }
            2 if found(Code::FillMissing) != listed_with_more => {
                return Err(format!(
                    "{} FILL_MISSING for {listed_with_more} orders listed with a lot more filled",
                    found(Code::FillMissing)
                ))
            }
            _ => {}
        }
        if raw.positions.is_some() {
            let wanted = match report >> 5 {
                1 => (Code::PositionNotAtVenue, held.min(1)),
                5 => (Code::PositionNotAtVenue, held),
                4 => (Code::PositionUnknown, 1),
                _ => (Code::Ok, 0),
            };
            if found(wanted.0) < wanted.1 {
                return Err(format!("{:?} found {} times, at least {} expected", wanted.0, found(wanted.0), wanted.1));
            }
        }
        Ok(())
    }
}

/// A trade's position and the average cost of what it holds, kept from its
/// fills: an entry fill averages in; an exit fill realizes (price − average)
/// on what it reduces (never more than is held) and leaves the average.
struct PositionCost {
    sign: f64,
    held: f64,
    average: f64,
}

impl PositionCost {
    fn new(side: Option<Side>, held: f64, average: f64) -> Self {
        PositionCost { sign: if side == Some(Side::Short) { -1.0 } else { 1.0 }, held, average }
    }

    fn enter(&mut self, size: f64, price: f64) {
        self.average = (self.held * self.average + size * price) / (self.held + size);
        self.held += size;
    }

    /// The PnL an exit fill of `size` at `price` realizes.
    fn exit(&mut self, size: f64, price: f64) -> f64 {
        let reduced = size.min(self.held);
        self.held -= reduced;
        reduced * (price - self.average) * self.sign
    }
}

/// An event a reconcile emits for what it adopts: an order the venue lists
/// open, or a position it reports.
fn is_adoption(e: &crate::kernel::outcome::DomainEvent) -> bool {
    matches!(e.causation, Cause::Reconcile(_)) && matches!(e.kind, EventType::OrderPlaced | EventType::TradeOpened)
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
