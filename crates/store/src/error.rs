//! The store's error type. Every failure a desk can meet (missing file, damaged file, wrong mode, a value the
//! schema refuses) has its own variant with a message a person can act on, and the recovery path where there
//! is one. Raw SQLite errors are only passed through for what cannot be classified.

use std::path::PathBuf;

use crate::model::Mode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file that should hold the records is not there.
    #[error(
        "database file {path} does not exist; restore one of the backups {backups:?} with \
         Store::restore_backup, or create an empty database with Store::create"
    )]
    Missing { path: PathBuf, backups: Vec<PathBuf> },

    #[error("database file {path} already exists; open it with Store::open instead of creating it")]
    AlreadyExists { path: PathBuf },

    /// Not a database, damaged pages, or an Uketsuke file without its metadata.
    #[error(
        "database file {path} is damaged or not an Uketsuke database ({detail}); it was not changed. \
         Restore one of the backups {backups:?} with Store::restore_backup (the damaged file is kept aside)"
    )]
    Corrupt {
        path: PathBuf,
        detail: String,
        backups: Vec<PathBuf>,
    },

    /// A training file opened as live, or the reverse.
    #[error("database file {path} holds {found} data but was opened as {expected}; training and live data never mix")]
    ModeMismatch {
        path: PathBuf,
        expected: Mode,
        found: String,
    },

    /// A reception tagged with the other mode was offered to this file.
    #[error("a {reception} reception cannot be saved into the {database} database")]
    WrongMode { reception: Mode, database: Mode },

    /// Trainee history offered to a live file (it is kept in training files only).
    #[error("trainee history is kept in training database files only; this file holds {database} data")]
    TrainingOnly { database: Mode },

    #[error("database schema version {found} is newer than this program supports ({supported}); update the program")]
    TooNew { found: i64, supported: i64 },

    /// A reader was opened on a file the writer has not migrated yet (readers never migrate).
    #[error(
        "database schema version {found} is older than this program's ({expected}); open it with Store::open \
         first, which migrates it after a backup, then open the reader"
    )]
    NotMigrated { found: i64, expected: i64 },

    /// A reader was opened on a file not in WAL mode: its reads would wait for the reception writer.
    #[error(
        "database file {path} is in {journal_mode} journal mode, not WAL; open it with Store::open once \
         (which turns WAL on) before opening a reader"
    )]
    NotWal { path: PathBuf, journal_mode: String },

    #[error("backup before migration to {path} failed: {source}")]
    Backup { path: PathBuf, source: rusqlite::Error },

    #[error("migration from schema version {from} failed (the database is unchanged, backup at {backup:?}): {source}")]
    Migration {
        from: i64,
        backup: Option<PathBuf>,
        source: Box<StoreError>,
    },

    /// The schema refused a value: the message names the constraint (e.g. `CHECK constraint failed:
    /// consent_expiry_after_consent`) or the trigger.
    #[error("the database refused the record: {0}")]
    Constraint(String),

    /// A text field contained what looks like a 12-digit My Number.
    #[error("field {field} contains a 12-digit number that looks like a My Number; it is never stored")]
    ForbiddenNumber { field: &'static str },

    #[error("reception session {0} was already saved")]
    DuplicateSession(String),

    #[error("patient {0} does not exist in this database")]
    UnknownPatient(i64),

    #[error("refund task {0} does not exist or is already done")]
    NoOpenRefundTask(i64),

    #[error("stored value {value:?} in column {column} cannot be read")]
    BadValue { column: &'static str, value: String },

    #[error("file operation on {path} failed: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error(transparent)]
    Sqlite(rusqlite::Error),

    /// The PostgreSQL server refused or lost the connection, or a statement failed for a reason that is not
    /// the record's rule (those are [`StoreError::Constraint`]).
    #[error("PostgreSQL: {}", postgres_text(.0))]
    Postgres(postgres::Error),

    /// The PostgreSQL server could not be reached for a step of a larger operation (the step's own error
    /// text); counts as [`StoreError::is_unreachable`].
    #[error("PostgreSQL server not reachable: {0}")]
    ServerAway(String),

    /// The PostgreSQL settings cannot be used as they are.
    #[error("PostgreSQL settings: {detail}")]
    PostgresSettings { detail: String },

    #[error("PostgreSQL schema migration failed (nothing was changed): {0}")]
    PostgresMigration(String),

    /// Something only a database file has (a backup, an integrity check, its WAL) asked of a server.
    #[error("this is a database file operation; the record is on a PostgreSQL server")]
    NotOnPostgres,
}

impl StoreError {
    /// The server could not be reached or went away (not a refusal of the record): the reception is kept in
    /// the desk's outbox and the connection made again later.
    pub fn is_unreachable(&self) -> bool {
        if matches!(self, StoreError::ServerAway(_)) {
            return true;
        }
        let StoreError::Postgres(e) = self else {
            return false;
        };
        if e.is_closed() {
            return true;
        }
        match e.as_db_error() {
            // 08: connection exception; 57P01–57P03: the server is shutting down or starting.
            Some(db) => {
                let code = db.code().code();
                code.starts_with("08") || code.starts_with("57P")
            }
            None => {
                std::error::Error::source(e).is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
            }
        }
    }
}

impl StoreError {
    /// The server gave up this transaction because another one ran into it (40001 serialization failure,
    /// 40P01 deadlock): nothing of it was kept, and running it again is the cure the server asks for.
    pub fn is_conflict(&self) -> bool {
        let StoreError::Postgres(e) = self else {
            return false;
        };
        e.code().is_some_and(|c| {
            *c == postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                || *c == postgres::error::SqlState::T_R_DEADLOCK_DETECTED
        })
    }
}

impl StoreError {
    /// Worth asking again later, as it is: the server is away, busy or gave the transaction up for another
    /// one. Anything else a server answers about a record is its refusal of that record.
    pub fn is_transient(&self) -> bool {
        if self.is_unreachable() || self.is_conflict() {
            return true;
        }
        let StoreError::Postgres(e) = self else {
            return false;
        };
        e.code().is_some_and(|c| {
            let code = c.code();
            // 40: transaction rollback; 53: insufficient resources; 55P03: lock not available; 57014: query
            // cancelled (a statement timeout).
            code.starts_with("40") || code.starts_with("53") || code == "55P03" || code == "57014"
        })
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        let Some(db) = e.as_db_error() else {
            return StoreError::Postgres(e);
        };
        let code = db.code();
        if code == &SqlState::UNIQUE_VIOLATION {
            // Worded as SQLite words it ("UNIQUE constraint failed: visits.session_id"): the column is in the
            // detail, "Key (session_id)=(…) already exists."
            let column = db
                .detail()
                .and_then(|d| d.strip_prefix("Key ("))
                .and_then(|d| d.split(')').next())
                .unwrap_or("?");
            return StoreError::Constraint(format!(
                "UNIQUE constraint failed: {}.{column}",
                db.table().unwrap_or("?")
            ));
        }
        if code == &SqlState::CHECK_VIOLATION {
            // A trigger's RAISE with this code names no constraint: its message is the reason.
            return StoreError::Constraint(match db.constraint() {
                Some(c) => format!("CHECK constraint failed: {c}"),
                None => db.message().to_owned(),
            });
        }
        // Class 23: integrity constraint violations (the record's triggers raise 23000, as SQLite's RAISE).
        if code.code().starts_with("23") {
            return StoreError::Constraint(db.message().to_owned());
        }
        StoreError::Postgres(e)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, msg) if f.code == ErrorCode::ConstraintViolation => {
                StoreError::Constraint(msg.clone().unwrap_or_else(|| f.to_string()))
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

/// True for SQLite errors that mean "this file is not a sound database".
pub(crate) fn is_corruption(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::ErrorCode;
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// A PostgreSQL error with the server's message and SQLSTATE (its `Display` says only "db error").
fn postgres_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}
