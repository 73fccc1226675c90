//! Integration tests of the oqs crate: XML round-trips, parser robustness, the mock service over real HTTP on
//! 127.0.0.1 (every persona, every fault), the file interface, an independent parser of our output, and the
//! training persona table (reception::training::personas) against the card and eligibility assets.

// Test helpers outside #[test] fns are not covered by clippy.toml's allow-unwrap-in-tests; a failing helper
// should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod external_parser;
mod faults;
mod files;
mod parser_props;
mod personas;
mod port;
mod roundtrip;
mod rules;
mod service;
mod support;
mod terminal;
mod transport;
