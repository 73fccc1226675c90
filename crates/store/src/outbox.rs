//! The desk's outbox (#15 §2): receptions completed while the shared PostgreSQL server cannot be reached.
//!
//! A desk keeps receiving patients when the server is down. Each completed reception is written here — a
//! SQLite file of the desk's own, in one transaction, fsynced — with the session id it will have on the server,
//! and replayed in the order it was taken as soon as the server answers again (before any newer reception, so
//! the server's record stays in order). A reception is removed from the outbox only after the server
//! committed it; if the desk stops between the two, the replay finds the session already on the server and
//! only removes it: exactly once.
//!
//! What is queued is reception's own record (the flow's `ReceptionRecord`, as JSON); the store decides 初診 /
//! 再診 and the patient when it reaches the server, as for any reception. The same My Number guard as every
//! stored text applies before anything is written.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use reception::paper::ReceptionRecord;
use rusqlite::{params, Connection, OptionalExtension};

use crate::codec::{parse_time, time_text};
use crate::error::StoreError;

/// One reception waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Order of arrival.
    pub seq: i64,
    /// The session id it is saved under on the server.
    pub session_id: String,
    /// When the desk completed it.
    pub completed_at: NaiveDateTime,
    /// The reception.
    pub record: ReceptionRecord,
}

/// The outbox file.
#[derive(Debug)]
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

impl Outbox {
    /// Opens (or creates, 0600) the outbox at `path`.
    pub fn open(path: &Path) -> Result<Outbox, StoreError> {
        let conn = Connection::open(path)?;
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| {
                StoreError::Io {
                    path: path.to_owned(),
                    source,
                }
            })?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS outbox (
                seq          INTEGER PRIMARY KEY,
                session_id   TEXT NOT NULL UNIQUE,
                completed_at TEXT NOT NULL,
                record_json  TEXT NOT NULL CHECK (json_valid(record_json))
            ) STRICT;",
        )?;
        Ok(Outbox {
            conn,
            path: path.to_owned(),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps `record` for the server under `session_id`.
    pub fn push(&self, session_id: &str, record: &ReceptionRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError::BadValue {
            column: "outbox.record_json",
            value: e.to_string(),
        })?;
        crate::codec::guard("outbox.record", &json)?;
        self.conn.execute(
            "INSERT INTO outbox (session_id, completed_at, record_json) VALUES (?1, ?2, ?3)",
            params![session_id, time_text(record.completed_at), json],
        )?;
        Ok(())
    }

    /// The oldest reception waiting, if any.
    pub fn first(&self) -> Result<Option<Queued>, StoreError> {
        let row: Option<(i64, String, String, String)> = self
            .conn
            .query_row(
                "SELECT seq, session_id, completed_at, record_json FROM outbox ORDER BY seq LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(seq, session_id, at, json)| {
            Ok(Queued {
                seq,
                session_id,
                completed_at: parse_time("outbox.completed_at", &at)?,
                record: serde_json::from_str(&json).map_err(|e| StoreError::BadValue {
                    column: "outbox.record_json",
                    value: e.to_string(),
                })?,
            })
        })
        .transpose()
    }

    /// Removes a reception the server has committed.
    pub fn remove(&self, seq: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM outbox WHERE seq = ?1", params![seq])?;
        Ok(())
    }

    /// How many receptions wait for the server.
    pub fn len(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Nothing waits.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }
}
