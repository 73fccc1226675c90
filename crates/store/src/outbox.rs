//! The desk's outbox (#15 §2): receptions completed while the shared PostgreSQL server cannot be reached.
//!
//! A desk keeps receiving patients when the server is down. Each completed reception is written here — a
//! SQLite file of the desk's own, in one transaction, fsynced — with the session id it will have on the server,
//! and replayed in the order it was taken as soon as the server answers again (before any newer reception, so
//! the server's record stays in order). A reception is removed from the outbox only after the server
//! committed it; if the desk stops between the two, the replay finds the session already on the server and
//! only removes it: exactly once.
//!
//! A reception still waiting can be voided here (取消 of the reception just made): the void is kept with it and
//! the replay saves the reception and its void in one server transaction, so the server never has the one
//! without the other.
//!
//! A reception the server refuses (it answers, but will not take it: a constraint, a trigger, a record of the
//! other mode) is held, not dropped, and not left first in line: it stays in this file with the server's
//! answer, the ones behind it are sent, and the console counts it. Held receptions are offered to the server
//! again when the desk starts (an administrator fixes the server, then restarts the desk).
//!
//! What is queued is reception's own record (the flow's `ReceptionRecord`, as JSON); the store decides 初診 /
//! 再診 and the patient when it reaches the server, as for any reception. The same My Number guard as every
//! stored text applies before anything is written.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use reception::paper::ReceptionRecord;
use rusqlite::{params, Connection, OptionalExtension};

use crate::codec::{parse_code, parse_time, time_text, TextCode as _};
use crate::error::StoreError;
use crate::model::VoidReason;

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
    /// Voided while it waited: why, and when.
    pub void: Option<(VoidReason, NaiveDateTime)>,
}

/// A reception the server refused, kept in the outbox with the server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Order of arrival.
    pub seq: i64,
    /// When the desk completed it.
    pub completed_at: NaiveDateTime,
    /// What the server answered (never patient data: the store's error text names columns and codes).
    pub error: String,
}

/// The outbox file's layout: 1 added the void and the held answer.
const VERSION: i64 = 1;

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
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version < 1 {
            conn.execute_batch(
                "BEGIN IMMEDIATE;
                 ALTER TABLE outbox ADD COLUMN void_reason TEXT;
                 ALTER TABLE outbox ADD COLUMN voided_at TEXT;
                 ALTER TABLE outbox ADD COLUMN held_error TEXT;
                 PRAGMA user_version = 1;
                 COMMIT;",
            )?;
        } else if version > VERSION {
            return Err(StoreError::Constraint(format!(
                "the outbox {} is of a newer version ({version}) than this app knows ({VERSION})",
                path.display()
            )));
        }
        Ok(Outbox {
            conn,
            path: path.to_owned(),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps `record` for the server under `session_id`; its place in line (for [`Outbox::void`]).
    pub fn push(&self, session_id: &str, record: &ReceptionRecord) -> Result<i64, StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError::BadValue {
            column: "outbox.record_json",
            value: e.to_string(),
        })?;
        crate::codec::guard("outbox.record", &json)?;
        self.conn.execute(
            "INSERT INTO outbox (session_id, completed_at, record_json) VALUES (?1, ?2, ?3)",
            params![session_id, time_text(record.completed_at), json],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The oldest reception waiting (not held), if any.
    pub fn first(&self) -> Result<Option<Queued>, StoreError> {
        type Row = (i64, String, String, String, Option<String>, Option<String>);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT seq, session_id, completed_at, record_json, void_reason, voided_at FROM outbox
                 WHERE held_error IS NULL ORDER BY seq LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        row.map(|(seq, session_id, at, json, reason, voided_at)| {
            let void = match (reason, voided_at) {
                (Some(r), Some(v)) => Some((
                    parse_code("outbox.void_reason", &r)?,
                    parse_time("outbox.voided_at", &v)?,
                )),
                _ => None,
            };
            Ok(Queued {
                seq,
                session_id,
                completed_at: parse_time("outbox.completed_at", &at)?,
                record: serde_json::from_str(&json).map_err(|e| StoreError::BadValue {
                    column: "outbox.record_json",
                    value: e.to_string(),
                })?,
                void,
            })
        })
        .transpose()
    }

    /// Voids a reception that still waits: it is sent with its void. `false` when it is no longer here (sent
    /// meanwhile: void it on the server).
    pub fn void(&self, seq: i64, reason: VoidReason, at: NaiveDateTime) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET void_reason = ?2, voided_at = ?3 WHERE seq = ?1 AND void_reason IS NULL",
            params![seq, reason.code(), time_text(at)],
        )?;
        Ok(n == 1)
    }

    /// Sets a reception the server refused aside with the server's answer: the ones behind it go on.
    pub fn hold(&self, seq: i64, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET held_error = ?2 WHERE seq = ?1",
            params![seq, error],
        )?;
        Ok(())
    }

    /// The receptions the server refused, oldest first.
    pub fn held(&self) -> Result<Vec<Held>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, completed_at, held_error FROM outbox WHERE held_error IS NOT NULL ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (seq, at, error) = row?;
            Ok(Held {
                seq,
                completed_at: parse_time("outbox.completed_at", &at)?,
                error,
            })
        })
        .collect()
    }

    /// Puts every held reception back in line (in its old place), to be offered to the server again.
    pub fn release_held(&self) -> Result<u64, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET held_error = NULL WHERE held_error IS NOT NULL",
            [],
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Removes a reception the server has committed.
    pub fn remove(&self, seq: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM outbox WHERE seq = ?1", params![seq])?;
        Ok(())
    }

    /// How many receptions wait for the server (not counting the held ones).
    pub fn len(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.conn
                .query_row("SELECT count(*) FROM outbox WHERE held_error IS NULL", [], |r| {
                    r.get(0)
                })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Nothing waits.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }
}
