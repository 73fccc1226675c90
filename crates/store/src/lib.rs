//! store — the clinic's SQLite record of every reception (マイナ受付), kept for years and crash-safe.
//!
//! What it keeps: patients (internal id, names, kana, birthdate, sex), visits, the eligibility snapshot the desk
//! needs (for 再診 during outages), consents with their 24 h window, paper documents seen, 被保険者資格申立書
//! declarations, 10割 payments with refund tasks, and an append-only audit log. A [`CompletedReception`] is
//! written in one transaction — all of it or none of it (proved by a SIGKILL test).
//!
//! What it never keeps, by construction: the 12-digit My Number (no field, no column, and every text value is
//! refused if it holds a 12-digit run), PINs, 照合番号B, face frames or embeddings, card photos (no BLOB column
//! exists; tables are STRICT).
//!
//! Staff screens read on their own read-only connection ([`Store::open_reader`] → [`StoreReader`]): the file is
//! in WAL mode, so their reads never wait for the reception writer.
//!
//! Training and live data live in separate files; a file records its mode and refuses the other one. Time is
//! always an input: the store never reads the clock.
//!
//! ```no_run
//! # fn main() -> Result<(), store::StoreError> {
//! use store::{Mode, Store};
//! let path = std::path::Path::new("live.sqlite");
//! let store = match Store::open(path, Mode::Live) {
//!     Err(store::StoreError::Missing { .. }) => Store::create(path, Mode::Live)?,
//!     other => other?,
//! };
//! # let _ = store; Ok(()) }
//! ```

mod codec;
mod db;
mod error;
mod export;
mod kana;
mod model;
pub mod outbox;
mod pg;
#[cfg(feature = "sample")]
pub mod pgtest;
mod read;
mod reader;
pub mod reception_port;
#[cfg(feature = "sample")]
pub mod sample;
mod schema;
mod sql;

/// The store's own statements as text, for the benchmark's same-data peer: the same rows read through the raw
/// client, without decoding them into the model (bench support only, the `sample` feature).
#[cfg(feature = "sample")]
pub mod peer_sql {
    /// The 再診 look-up (`?1` patient id, `?2` validity code `'1'`).
    pub fn last_valid() -> &'static str {
        &crate::read::LAST_VALID_SQL
    }
    /// Today's list, unfiltered (`?1`, `?2`: the day's start and the next day's).
    pub fn day_list() -> String {
        crate::read::day_list_sql(&crate::ReceptionFilter::default())
    }
    /// `sql` as it is sent to PostgreSQL.
    pub fn postgres(sql: &str) -> String {
        crate::sql::postgres_text(sql)
    }
}
mod training;
mod write;

pub use codec::contains_twelve_digit_run;
pub use db::{backups_of, Store};
pub use error::StoreError;
pub use export::{csv_cell, CsvEncoding, CSV_HEADER};
pub use kana::search_key as kana_search_key;
pub use model::*;
pub use pg::{postgres_settings_problem, ChangeListener, PgTarget};
pub use reader::StoreReader;
pub use schema::LATEST_VERSION;
pub use training::{StoredTrainingRun, TrainingRun};
pub use write::TerminalTake;
