//! Fuzz target `quic`: the body and its input format are in `fuzz/harness.rs`, shared with
//! the corpus replay test (`tests/adversarial.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::quic(data));
