//! What every input returns: a verdict, the transitions it caused, the domain
//! events it emitted and the venue commands the host must carry out.

use super::fixed::Fixed;
use super::stage::{Input, Stage};
use super::types::{
    CloseReason, Code, CommandKind, EventType, Flag, Id, Liquidity, OrderSide, OrderType, Severity, Side,
};
use serde::Serialize;

/// What caused a domain event. Formatted into `causationId` at the boundary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Cause {
    /// An intent's causationId or intentId, or a venue event's eventId.
    External(Id),
    /// Another domain event of the same outcome, by `seq`.
    Event(u64),
    Mark(i64),
    Tick(i64),
    KillSwitch(i64),
    Reconcile(i64),
}

impl Cause {
    pub fn render(&self, id_prefix: &str) -> String {
        match self {
            Cause::External(id) => id.to_string(),
            Cause::Event(seq) => event_id(id_prefix, *seq),
            Cause::Mark(ts) => format!("mark@{ts}"),
            Cause::Tick(ts) => format!("tick@{ts}"),
            Cause::KillSwitch(ts) => format!("kill-switch@{ts}"),
            Cause::Reconcile(ts) => format!("reconcile@{ts}"),
        }
    }
}

/// The deterministic event id of a kernel instance: `<idPrefix>k-<seq>`.
pub fn event_id(id_prefix: &str, seq: u64) -> String {
    format!("{id_prefix}k-{seq}")
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DomainEvent {
    pub kind: EventType,
    pub seq: u64,
    pub correlation_id: Id,
    pub causation: Cause,
    pub ts: i64,
    pub slot_id: u32,
    pub trade_id: Id,
    pub intent_id: Option<Id>,
    pub client_order_id: Option<Id>,
    pub venue_order_id: Option<Id>,
    pub venue_event_id: Option<Id>,
    pub asset: Option<Id>,
    pub side: Option<Side>,
    pub order_side: Option<OrderSide>,
    pub order_type: Option<OrderType>,
    pub size: Option<Fixed>,
    pub price: Option<Fixed>,
    pub fee: Option<Fixed>,
    pub liquidity: Option<Liquidity>,
    pub filled_size: Option<Fixed>,
    pub avg_price: Option<Fixed>,
    pub realized_pnl: Option<Fixed>,
    pub unrealized_pnl: Option<Fixed>,
    pub mark_price: Option<Fixed>,
    pub reason: Option<Id>,
    pub close_reason: Option<CloseReason>,
    pub reduce_only: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Transition {
    pub slot_id: u32,
    pub prev: Stage,
    pub next: Stage,
    pub trigger: Input,
    pub intent_id: Option<Id>,
    pub event_id: Option<Id>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VenueCommand {
    pub kind: CommandKind,
    pub client_order_id: Id,
    pub trade_id: Id,
    pub slot_id: u32,
    pub asset: Id,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub size: Fixed,
    pub limit_price: Option<Fixed>,
    pub reduce_only: bool,
}

/// One finding of `reconcile`, or any secondary finding of an input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub slot_id: Option<u32>,
    pub client_order_id: Option<Id>,
    pub asset: Option<Id>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(code: Code, message: String) -> Self {
        Diagnostic { code, severity: code.severity(), slot_id: None, client_order_id: None, asset: None, message }
    }
}

/// The value of one outcome detail: kept as the kernel holds it and turned
/// into text only when read, so the common details cost no formatting.
/// Two details are equal when they read the same.
#[derive(Clone, Debug)]
pub enum Detail {
    Text(String),
    Word(&'static str),
    Id(Id),
}

impl Detail {
    pub fn as_str(&self) -> &str {
        match self {
            Detail::Text(t) => t,
            Detail::Word(w) => w,
            Detail::Id(i) => i,
        }
    }
}

impl AsRef<str> for Detail {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Detail {
    fn eq(&self, other: &Detail) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Detail {}

impl PartialEq<&str> for Detail {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for Detail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl From<String> for Detail {
    fn from(t: String) -> Self {
        Detail::Text(t)
    }
}

impl From<&'static str> for Detail {
    fn from(w: &'static str) -> Self {
        Detail::Word(w)
    }
}

impl From<Id> for Detail {
    fn from(i: Id) -> Self {
        Detail::Id(i)
    }
}

/// What an input returns. Boxed: an outcome is handed up through several
/// calls, and moving a pointer is cheaper than moving its ~200 bytes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Outcome(Box<OutcomeBody>);

impl std::ops::Deref for Outcome {
    type Target = OutcomeBody;
    fn deref(&self) -> &OutcomeBody {
        &self.0
    }
}

impl std::ops::DerefMut for Outcome {
    fn deref_mut(&mut self) -> &mut OutcomeBody {
        &mut self.0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutcomeBody {
    pub accepted: bool,
    pub code: Code,
    pub severity: Severity,
    pub slot_id: Option<u32>,
    pub trade_id: Option<Id>,
    pub state: Option<Stage>,
    pub transitions: Vec<Transition>,
    pub events: Vec<DomainEvent>,
    pub commands: Vec<VenueCommand>,
    pub details: Vec<(&'static str, Detail)>,
    pub flags: Vec<Flag>,
    pub retry_after_ms: Option<i64>,
    pub retry_at: Option<i64>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    pub fn new(accepted: bool, code: Code) -> Self {
        Outcome(Box::new(OutcomeBody {
            accepted,
            code,
            severity: code.severity(),
            slot_id: None,
            trade_id: None,
            state: None,
            transitions: Vec::new(),
            events: Vec::new(),
            commands: Vec::new(),
            details: Vec::new(),
            flags: Vec::new(),
            retry_after_ms: None,
            retry_at: None,
            diagnostics: Vec::new(),
        }))
    }

    pub fn into_body(self) -> OutcomeBody {
        *self.0
    }

    /// A refusal: nothing changed.
    pub fn rejected(code: Code) -> Self {
        Outcome::new(false, code)
    }

    pub fn with_detail(mut self, key: &'static str, value: impl Into<Detail>) -> Self {
        self.details.push((key, value.into()));
        self
    }

    pub fn at(mut self, slot_id: u32, trade_id: Option<Id>, state: Stage) -> Self {
        self.slot_id = Some(slot_id);
        self.trade_id = trade_id;
        self.state = Some(state);
        self
    }

    /// Raises the outcome's code when a later finding is more severe.
    pub fn escalate(&mut self, code: Code) {
        if code.severity() > self.severity || self.code == Code::Ok {
            self.code = code;
            self.severity = code.severity();
        }
    }

    pub fn flag(&mut self, flag: Flag) {
        if !self.flags.contains(&flag) {
            self.flags.push(flag);
        }
    }

    /// A venue may be asked again: set for rate limits.
    pub fn retryable(&self) -> bool {
        self.retry_at.is_some()
    }
}

/// Emptied outcomes whose vectors keep their capacity: a kernel whose caller
/// hands its outcomes back (`Kernel::recycle`) stops allocating them.
#[derive(Debug, Default)]
pub struct Spares(Vec<Outcome>);

impl Spares {
    /// At most this many are kept: enough for a mark, which returns one
    /// outcome per ticking slot of its asset (a pool of 16 was refilled with
    /// fresh allocations on every busy mark).
    const KEEP: usize = 128;

    /// `Outcome::new(accepted, code)`, on recycled storage when there is some.
    pub fn take(&mut self, accepted: bool, code: Code) -> Outcome {
        match self.0.pop() {
            Some(mut o) => {
                o.accepted = accepted;
                o.code = code;
                o.severity = code.severity();
                o
            }
            None => Outcome::new(accepted, code),
        }
    }

    pub fn put(&mut self, mut o: Outcome) {
        if self.0.len() < Self::KEEP {
            o.slot_id = None;
            o.trade_id = None;
            o.state = None;
            o.transitions.clear();
            o.events.clear();
            o.commands.clear();
            o.details.clear();
            o.flags.clear();
            o.retry_after_ms = None;
            o.retry_at = None;
            o.diagnostics.clear();
            self.0.push(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kernel::input::{IntentRaw, VenueEventRaw};
    use crate::kernel::tests::enter;
    use crate::kernel::{ConfigRaw, Kernel};

    /// Handing outcomes back changes nothing a caller can see.
    #[test]
    fn recycled_storage_gives_the_same_outcomes() {
        let config = ConfigRaw { max_slots: 2.0, seed_capital: 1e6, ..ConfigRaw::default() };
        let mut plain = Kernel::new(&config).expect("valid config");
        let mut recycling = Kernel::new(&config).expect("valid config");
        for n in 1..=20u32 {
            let intent = IntentRaw {
                leverage: Some(2.0),
                slot_id: Some(f64::from(n % 2)),
                ts: f64::from(n),
                ..enter(&format!("i{n}"), "LONG", "MARKET", 1.0, 100.0)
            };
            let fill = VenueEventRaw {
                event_id: format!("v{n}"),
                kind: "FILL".into(),
                client_order_id: format!("T{}-E1", n.div_ceil(2)),
                price: Some(100.0),
                size: Some(0.5),
                ts: f64::from(n),
                ..VenueEventRaw::default()
            };
            let mut expected = vec![plain.submit_intent(&intent), plain.on_venue_event(&fill)];
            expected.extend(plain.mark_price("BTC/USDT", 101.0, f64::from(n * 1000)));
            let mut got = vec![recycling.submit_intent(&intent), recycling.on_venue_event(&fill)];
            got.extend(recycling.mark_price("BTC/USDT", 101.0, f64::from(n * 1000)));
            assert_eq!(got, expected);
            assert!(got.iter().any(|o| !o.events.is_empty()));
            for o in got {
                recycling.recycle(o);
            }
        }
        assert_eq!(plain.snapshot(), recycling.snapshot());
    }
}
