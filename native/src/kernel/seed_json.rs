//! The seed's calling convention (JSON text in, JSON text out), kept only so
//! the benchmark can compare it with the typed API.

use super::input::{IntentRaw, MarkRaw, VenueEventRaw};
use super::Kernel;

fn reply<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
}

fn refused(e: serde_json::Error) -> String {
    format!("{{\"error\":{:?}}}", e.to_string())
}

pub fn call(k: &mut Kernel, method: &str, payload: &str) -> String {
    match method {
        "submitIntent" => match serde_json::from_str::<IntentRaw>(payload) {
            Ok(raw) => reply(&k.submit_intent(&raw)),
            Err(e) => refused(e),
        },
        "onVenueEvent" => match serde_json::from_str::<VenueEventRaw>(payload) {
            Ok(raw) => reply(&k.on_venue_event(&raw)),
            Err(e) => refused(e),
        },
        "markPrice" => match serde_json::from_str::<MarkRaw>(payload) {
            Ok(m) => reply(&k.mark_price(&m.asset, m.price, m.ts)),
            Err(e) => refused(e),
        },
        other => format!("{{\"error\":\"unknown method {other}\"}}"),
    }
}

pub fn slot(k: &Kernel, slot_id: u32) -> String {
    match k.slot(slot_id) {
        Some(s) => reply(&s),
        None => "null".to_string(),
    }
}
