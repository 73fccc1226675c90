//! Integration tests of mynacard: parser properties, in-process dialogues with the virtual card, and dialogues
//! through a real pcscd + vpcd with OpenSC as an independent client.

// Helper functions outside #[test] fns are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod dialogue;
mod pcscd;
mod port;
mod props;

use chrono::NaiveDate;

/// The training day used by the tests.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 20).unwrap()
}
