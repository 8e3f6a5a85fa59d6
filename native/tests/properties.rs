//! Properties over random interleavings of intents, acks, partial fills,
//! fills, cancels, rejects, duplicates and reorderings.

use cockpit_kernel::fuzz::{run_ops, Op};
use cockpit_kernel::kernel::types::EventType;
use proptest::prelude::*;

fn size() -> impl Strategy<Value = f64> {
    prop_oneof![4 => (1u32..40).prop_map(|n| n as f64 * 0.05), 1 => prop::num::f64::ANY]
}

fn price() -> impl Strategy<Value = f64> {
    prop_oneof![6 => (180u32..220).prop_map(|n| n as f64 * 0.5), 1 => prop::num::f64::ANY]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<bool>(), any::<bool>(), size(), price(), any::<u8>(), any::<bool>())
            .prop_map(|(short, limit, size, price, legs, protect)| Op::Enter { short, limit, size, price, legs, protect }),
        1 => any::<u8>().prop_map(|slot| Op::Exit { slot }),
        1 => any::<u8>().prop_map(|slot| Op::Cancel { slot }),
        8 => (0u8..8, 0u8..4, any::<u8>(), size(), price(), prop::option::of(0.0f64..1.0), prop::option::of(0u8..4))
            .prop_map(|(kind, trade, exit, size, price, fee, venue_trade)| Op::Venue { kind, trade, exit, size, price, fee, venue_trade }),
        2 => any::<u8>().prop_map(|back| Op::Replay { back }),
        2 => (price(), 0u16..2000).prop_map(|(price, dt)| Op::Mark { price, dt }),
        1 => (0u16..8000).prop_map(|dt| Op::Tick { dt }),
        1 => Just(Op::Restart),
        1 => (0u8..4).prop_map(|mode| Op::Control { mode }),
        1 => (0u8..4, -5.0f64..5.0).prop_map(|(kind, amount)| Op::Account { kind, amount }),
    ]
}

fn without_restarts(ops: &[Op]) -> Vec<Op> {
    ops.iter().filter(|o| !matches!(o, Op::Restart)).cloned().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// No panic; after every input: slot size within [0, filled entry],
    /// the equity identity, gap-free seqs, each fill counted once.
    #[test]
    fn every_interleaving_keeps_the_invariants(ops in prop::collection::vec(op(), 1..120)) {
        if let Err(e) = run_ops(3, &ops) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn the_same_inputs_give_the_same_outputs(ops in prop::collection::vec(op(), 1..80)) {
        let a = run_ops(3, &ops).unwrap();
        let b = run_ops(3, &ops).unwrap();
        prop_assert_eq!(&a.trace, &b.trace);
        prop_assert_eq!(a.kernel.snapshot(), b.kernel.snapshot());
    }

    /// Restarting from a snapshot anywhere changes nothing that follows.
    #[test]
    fn snapshot_and_restore_at_any_point_continue_identically(ops in prop::collection::vec(op(), 1..80)) {
        let with = run_ops(3, &ops).unwrap();
        let without = run_ops(3, &without_restarts(&ops)).unwrap();
        prop_assert_eq!(&with.trace, &without.trace);
        prop_assert_eq!(with.kernel.snapshot(), without.kernel.snapshot());
    }
}

/// The generator reaches the interesting paths, so the properties mean something.
#[test]
fn the_interleavings_reach_fills_closes_late_fills_and_refusals() {
    use cockpit_kernel::kernel::types::Code;
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(op(), 100..120);
    let (mut codes, mut kinds) = (std::collections::HashSet::new(), std::collections::HashSet::new());
    for _ in 0..200 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        for o in &run_ops(3, &ops).unwrap().trace {
            codes.insert(o.code);
            kinds.extend(o.events.iter().map(|e| e.kind));
        }
    }
    for code in [
        Code::LateFill,
        Code::Overfill,
        Code::DuplicateEvent,
        Code::UnknownOrder,
        Code::IllegalTransition,
        Code::RateLimited,
    ] {
        assert!(codes.contains(&code), "never reached {code:?}");
    }
    for kind in [EventType::TradeOpened, EventType::TradeReduced, EventType::TradeClosed, EventType::TradeCanceled] {
        assert!(kinds.contains(&kind), "never reached {kind:?}");
    }
}
