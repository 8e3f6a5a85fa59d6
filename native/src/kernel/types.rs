//! The kernel's closed vocabularies. Each enum has one text form, used at the
//! boundary (parse) and in every output (as_str), so JS sees the same words
//! the docs use.

use std::rc::Rc;

/// Shared immutable id text: cloned into events and commands without copying.
/// `Rc`, not `Arc`: a kernel lives on one thread (the napi class is not `Send`).
pub type Id = Rc<str>;

/// "00" to "99", two bytes each: decimal digits two at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `n` in decimal without the formatting machinery, two digits per
/// division, in one copy; returns the number of digits (ASCII: as many
/// bytes as UTF-16 units). Every event id and kernel-made id goes through
/// here, so digit by digit (one `char` push each) cost ~190 instructions.
pub fn push_decimal(text: &mut String, n: u64) -> usize {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut v = n;
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + v as u8;
    }
    // SAFETY: ASCII digits are UTF-8. (`from_utf8` on them cost ~70
    // instructions, as much as the digits themselves.)
    unsafe { text.as_mut_vec() }.extend_from_slice(&digits[at..]);
    digits.len() - at
}

/// `<head…><n><tail>` as an id: a trade id and an order id are made for
/// every entry and exit.
pub fn compose_id(head: &[&str], n: u64, tail: &str) -> Id {
    let len = head.iter().map(|h| h.len()).sum::<usize>() + 20 + tail.len();
    let mut text = String::with_capacity(len);
    for h in head {
        text.push_str(h);
    }
    push_decimal(&mut text, n);
    text.push_str(tail);
    Id::from(text)
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(Action { Enter => "ENTER", Exit => "EXIT", Cancel => "CANCEL" });

text_enum!(
    /// Direction of a trade.
    Side { Long => "LONG", Short => "SHORT" }
);

text_enum!(
    /// Direction of one order.
    OrderSide { Buy => "BUY", Sell => "SELL" }
);

text_enum!(OrderType { Market => "MARKET", Limit => "LIMIT" });

text_enum!(Liquidity { Maker => "MAKER", Taker => "TAKER" });

text_enum!(VenueKind {
    Ack => "ACK",
    PartialFill => "PARTIAL_FILL",
    Fill => "FILL",
    Canceled => "CANCELED",
    Rejected => "REJECTED",
    RateLimited => "RATE_LIMITED",
    CancelRejected => "CANCEL_REJECTED",
    Expired => "EXPIRED",
});

text_enum!(Mode { Active => "ACTIVE", Reducing => "REDUCING", Halted => "HALTED" });

text_enum!(Verbosity { Quiet => "QUIET", Normal => "NORMAL", Debug => "DEBUG" });

text_enum!(CloseReason {
    TakeProfit => "TP",
    StopLoss => "SL",
    Manual => "MANUAL",
    ExitSignal => "EXIT_SIGNAL",
    Liquidation => "LIQUIDATION",
    KillSwitch => "KILL_SWITCH",
});

text_enum!(Severity { Info => "INFO", Warning => "WARNING", Error => "ERROR", Critical => "CRITICAL" });

text_enum!(AccountEventKind {
    FillSettled => "FILL_SETTLED",
    AccountUpdate => "ACCOUNT_UPDATE",
    FundingFee => "FUNDING_FEE",
});

text_enum!(CommandKind { Place => "PLACE", Cancel => "CANCEL" });

text_enum!(ReconcileStatus { Ok => "OK", Drift => "DRIFT", Mismatch => "MISMATCH" });

text_enum!(CalibrationStatus { Ok => "OK", Warn => "WARN", Error => "ERROR" });

text_enum!(
    /// Which side of a trade an order serves.
    Role { Entry => "ENTRY", Exit => "EXIT" }
);

text_enum!(Flag {
    FillBeforeAck => "FILL_BEFORE_ACK",
    LateFill => "LATE_FILL",
    Overfill => "OVERFILL",
    Revived => "REVIVED",
    Orphan => "ORPHAN",
    Retry => "RETRY",
});

text_enum!(EventType {
    OrderRequested => "OrderRequested",
    OrderPlaced => "OrderPlaced",
    OrderPartiallyFilled => "OrderPartiallyFilled",
    OrderFilled => "OrderFilled",
    OrderCanceled => "OrderCanceled",
    OrderRejected => "OrderRejected",
    OrderExpired => "OrderExpired",
    OrderCancelRequested => "OrderCancelRequested",
    OrderCancelRejected => "OrderCancelRejected",
    OrderRateLimited => "OrderRateLimited",
    OrderTimedOut => "OrderTimedOut",
    TradeOpened => "TradeOpened",
    TradeIncreased => "TradeIncreased",
    TradeReduced => "TradeReduced",
    TradeClosed => "TradeClosed",
    TradeCanceled => "TradeCanceled",
    ProfitRealized => "ProfitRealized",
    TradeMonitoringTick => "TradeMonitoringTick",
    TradeMonitoringClosed => "TradeMonitoringClosed",
});

text_enum!(
    /// Diagnostic codes: the first word of every outcome.
    Code {
        Ok => "OK",
        InvalidIntent => "INVALID_INTENT",
        InvalidSlotId => "INVALID_SLOT_ID",
        InvalidEvent => "INVALID_EVENT",
        NoFreeSlot => "NO_FREE_SLOT",
        SlotBusy => "SLOT_BUSY",
        UnknownTrade => "UNKNOWN_TRADE",
        ModeRejected => "MODE_REJECTED",
        DuplicateEvent => "DUPLICATE_EVENT",
        DuplicateIntent => "DUPLICATE_INTENT",
        UnknownOrder => "UNKNOWN_ORDER",
        StaleEvent => "STALE_EVENT",
        LateFill => "LATE_FILL",
        Overfill => "OVERFILL",
        OrderRejected => "ORDER_REJECTED",
        OrderExpired => "ORDER_EXPIRED",
        CancelRejected => "CANCEL_REJECTED",
        RateLimited => "RATE_LIMITED",
        OrderTimeout => "ORDER_TIMEOUT",
        IllegalTransition => "ILLEGAL_TRANSITION",
        ArithmeticOverflow => "ARITHMETIC_OVERFLOW",
        KillSwitch => "KILL_SWITCH",
        ReconcileMismatch => "RECONCILE_MISMATCH",
        ReconcileIncomplete => "RECONCILE_INCOMPLETE",
        OrderAdopted => "ORDER_ADOPTED",
        OrderNotAtVenue => "ORDER_NOT_AT_VENUE",
        FillMissing => "FILL_MISSING",
        PositionMismatch => "POSITION_MISMATCH",
        PositionNotAtVenue => "POSITION_NOT_AT_VENUE",
        PositionUnknown => "POSITION_UNKNOWN",
        PositionAdopted => "POSITION_ADOPTED",
    }
);

impl Code {
    pub fn severity(self) -> Severity {
        use Code::*;
        match self {
            Ok | DuplicateEvent | DuplicateIntent | StaleEvent | OrderExpired | OrderAdopted => Severity::Info,
            NoFreeSlot | SlotBusy | UnknownTrade | ModeRejected | UnknownOrder | LateFill | Overfill
            | OrderRejected | CancelRejected | RateLimited | OrderTimeout | PositionAdopted => Severity::Warning,
            InvalidIntent | InvalidSlotId | InvalidEvent | IllegalTransition | ReconcileMismatch
            | ReconcileIncomplete | OrderNotAtVenue | FillMissing | PositionMismatch | PositionNotAtVenue
            | PositionUnknown => Severity::Error,
            ArithmeticOverflow | KillSwitch => Severity::Critical,
        }
    }
}

impl Side {
    /// The order side that opens a trade of this side.
    pub fn entry_order_side(self) -> OrderSide {
        match self {
            Side::Long => OrderSide::Buy,
            Side::Short => OrderSide::Sell,
        }
    }

    pub fn exit_order_side(self) -> OrderSide {
        match self {
            Side::Long => OrderSide::Sell,
            Side::Short => OrderSide::Buy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{compose_id, push_decimal};

    #[test]
    fn decimals_read_like_format() {
        let powers = (0..20).map(|e| 10u64.pow(e));
        let edges = powers.flat_map(|p| [p - 1, p, p + 1]).chain([u64::MAX, u64::MAX - 1]);
        // Every value below 100,000, then each power of ten's neighbours.
        for n in (0..100_000).chain(edges) {
            let mut text = String::from("k-");
            let digits = push_decimal(&mut text, n);
            assert_eq!(text, format!("k-{n}"));
            assert_eq!(digits, n.to_string().len());
        }
    }

    #[test]
    fn composed_ids_read_like_format() {
        assert_eq!(&*compose_id(&["p-", "T"], 0, ""), "p-T0");
        assert_eq!(&*compose_id(&["T42"], 7, "-X"), "T427-X");
        assert_eq!(
            &*compose_id(&["T18446744073709551615-X"], u64::MAX, ""),
            "T18446744073709551615-X18446744073709551615"
        );
    }
}
