#![deny(clippy::all)]
//! The cockpit's execution kernel: `kernel` is the pure core, `binding` the
//! thin napi layer that converts JS records to and from it.

pub mod fuzz;
pub mod kernel;
pub mod packed;

mod allocator;
mod binding;

/// The kernel allocates small, short-lived blocks (ids, outcome vectors) on
/// every input; mimalloc serves those several times faster than glibc's
/// malloc (docs/BENCHMARKS.md). It covers the addon's Rust allocations only.
#[global_allocator]
static ALLOCATOR: allocator::KernelAllocator = allocator::KernelAllocator;
