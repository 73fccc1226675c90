//! Integration tests of the store: round-trips, migrations, constraints, queries, modes and recovery,
//! crash safety under SIGKILL, privacy scans, CSV export and the read-only staff reader.

// Helpers outside #[test] functions panic on purpose too: in a test binary a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod constraints;
mod crash;
mod export;
mod migrations;
mod modes;
mod port;
mod postgres;
mod privacy;
mod queries;
mod reader;
mod roundtrip;
mod training;
