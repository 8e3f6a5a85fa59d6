#![deny(clippy::all)]
//! The cockpit's execution kernel: `kernel` is the pure core, `binding` the
//! thin napi layer that converts JS records to and from it.

pub mod fuzz;
pub mod kernel;
pub mod packed;

mod binding;
