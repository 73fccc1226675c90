//! Opening, creating, migrating and recovering a database file, and opening a read-only staff reader on it.
//!
//! A file is opened in WAL mode with foreign keys on, a busy timeout and `synchronous = FULL` (a saved
//! reception survives a power cut, not just a crash). Before any migration the file is copied with
//! `VACUUM INTO` next to itself, and the migration runs in one transaction. A damaged or missing file becomes
//! a typed error naming the backups, never a panic, so the app can show a recovery screen instead of
//! crash-looping. Deliberately not here: any automatic "repair" that would silently discard records.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::codec::TextCode;
use crate::error::{is_corruption, StoreError};
use crate::model::Mode;
use crate::reader::StoreReader;
use crate::schema::{Step, LATEST_VERSION, MIGRATIONS};
use crate::sql::{DbRow, Exec, Val};

/// How long a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many times a PostgreSQL transaction runs again after a conflict with another desk's (#15 §2).
const CONFLICT_RETRIES: u32 = 5;

/// Page cache in KiB (negative = KiB for SQLite): 64 MiB.
pub(crate) const CACHE_KIB: i64 = -65_536;
/// Page cache during a bulk import: 512 MiB, released when the import ends.
pub(crate) const BULK_CACHE_KIB: i64 = -524_288;
/// Page cache of a staff reader: 16 MiB; its queries touch the day's rows and the search indexes.
const READER_CACHE_KIB: i64 = -16_384;

/// An open reception database of one mode.
pub struct Store {
    pub(crate) db: Db,
    pub(crate) mode: Mode,
    path: Option<PathBuf>,
    /// The desk that writes through this store (#15 §2), recorded with each visit and audit line.
    pub(crate) desk: Option<String>,
    /// The server and whether this is a read-only connection, to connect again after the server was away.
    remote: Option<(crate::pg::PgTarget, bool)>,
}

/// The connection under a [`Store`]: a SQLite file (one desk) or a PostgreSQL server (several desks, #15).
pub(crate) enum Db {
    Sqlite(Connection),
    Postgres(Box<crate::pg::PgConn>),
}

/// A transaction on a [`Db`]; committed when the closure given to [`Db::transaction`] returns `Ok`.
pub(crate) enum DbTx<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres(crate::pg::PgTx<'a>),
}

impl Db {
    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled back otherwise (all of it or none).
    pub(crate) fn transaction<T>(
        &mut self,
        f: impl FnMut(&DbTx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.transaction_with(CONFLICT_RETRIES, f)
    }

    fn transaction_with<T>(
        &mut self,
        retries: u32,
        mut f: impl FnMut(&DbTx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Db::Sqlite(c) => {
                let tx = DbTx::Sqlite(c.transaction()?);
                let out = f(&tx)?;
                if let DbTx::Sqlite(tx) = tx {
                    tx.commit()?;
                }
                Ok(out)
            }
            Db::Postgres(c) => {
                // Another desk's transaction ran into this one (a serialization failure under a server set to
                // SERIALIZABLE, a deadlock): the server kept nothing of it, so it runs again, a few times.
                let mut attempt = 0;
                loop {
                    let tx = DbTx::Postgres(c.begin()?);
                    let out = match f(&tx) {
                        Ok(out) => match tx {
                            DbTx::Postgres(tx) => tx.commit().map(|()| out),
                            DbTx::Sqlite(_) => Ok(out),
                        },
                        Err(e) => Err(e),
                    };
                    match out {
                        Err(e) if e.is_conflict() && attempt < retries => {
                            attempt += 1;
                            crate::pg::conflict_pause(attempt);
                        }
                        other => return other,
                    }
                }
            }
        }
    }

    /// [`Db::transaction`] without running `f` again after a conflict (for a transaction that consumes its input:
    /// it fails whole and the caller may run it again).
    pub(crate) fn transaction_once<T>(
        &mut self,
        f: impl FnOnce(&DbTx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut f = Some(f);
        self.transaction_with(0, |tx| match f.take() {
            Some(f) => f(tx),
            None => Err(StoreError::Constraint("a transaction ran twice".into())),
        })
    }

    /// A large page cache for a bulk import (SQLite; the server manages its own memory).
    pub(crate) fn bulk_cache(&self, on: bool) -> Result<(), StoreError> {
        if let Db::Sqlite(c) = self {
            c.pragma_update(None, "cache_size", if on { BULK_CACHE_KIB } else { CACHE_KIB })?;
        }
        Ok(())
    }

    /// Runs `query` inside one read-only snapshot: every statement it makes sees the same committed state.
    pub(crate) fn read_snapshot<T>(
        &self,
        query: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Db::Sqlite(c) => {
                let snapshot = c.unchecked_transaction()?;
                let out = query();
                // Dropping the transaction ends it (a rollback, which for a read changes nothing).
                drop(snapshot);
                out
            }
            Db::Postgres(c) => c.read_snapshot(query),
        }
    }

    /// The SQLite connection, for what only a file has (pragmas, WAL, backups, integrity checks).
    pub(crate) fn sqlite(&self) -> Result<&Connection, StoreError> {
        match self {
            Db::Sqlite(c) => Ok(c),
            Db::Postgres(_) => Err(StoreError::NotOnPostgres),
        }
    }
}

/// Both back-ends answer every statement; `$ty` holds one of them in its `Sqlite` / `Postgres` variant.
macro_rules! exec_by_variant {
    ($ty:ty) => {
        impl Exec for $ty {
            fn each_row(
                &self,
                sql: &str,
                params: &[Val<'_>],
                each: &mut dyn FnMut(&dyn DbRow) -> Result<(), StoreError>,
            ) -> Result<(), StoreError> {
                match self {
                    Self::Sqlite(c) => c.each_row(sql, params, each),
                    Self::Postgres(c) => c.each_row(sql, params, each),
                }
            }
            fn exec(&self, sql: &str, params: &[Val<'_>]) -> Result<u64, StoreError> {
                match self {
                    Self::Sqlite(c) => c.exec(sql, params),
                    Self::Postgres(c) => c.exec(sql, params),
                }
            }
            fn insert(&self, sql: &str, params: &[Val<'_>]) -> Result<i64, StoreError> {
                match self {
                    Self::Sqlite(c) => c.insert(sql, params),
                    Self::Postgres(c) => c.insert(sql, params),
                }
            }
            fn serialize_on(&self, key: &str) -> Result<(), StoreError> {
                match self {
                    Self::Sqlite(c) => c.serialize_on(key),
                    Self::Postgres(c) => c.serialize_on(key),
                }
            }
            fn serialize_patients(&self) -> Result<(), StoreError> {
                match self {
                    Self::Sqlite(c) => c.serialize_patients(),
                    Self::Postgres(c) => c.serialize_patients(),
                }
            }
        }
    };
}
exec_by_variant!(Db);
exec_by_variant!(DbTx<'_>);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("mode", &self.mode)
            .field("path", &self.path)
            .finish()
    }
}

/// The database file is the owner's only (0600, #13 §8).
fn owner_only(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| StoreError::Io {
        path: path.to_owned(),
        source,
    })
}

impl Store {
    /// Opens an existing database file, migrating it (after a backup) if it is older than this program.
    /// A missing file is [`StoreError::Missing`]; a file of the other mode is [`StoreError::ModeMismatch`].
    pub fn open(path: &Path, mode: Mode) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_owned(),
                backups: backups_of(path),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        owner_only(path)?;
        let mut store = Store {
            db: Db::Sqlite(conn),
            mode,
            path: Some(path.to_owned()),
            desk: None,
            remote: None,
        };
        store.configure().map_err(|e| classify_store(path, e))?;
        let version = store.known_version(path)?;
        store.check_mode().map_err(|e| classify_store(path, e))?;
        if version < LATEST_VERSION {
            let backup = store.backup_before_migration(version)?;
            store
                .migrate(version, LATEST_VERSION, None)
                .map_err(|e| StoreError::Migration {
                    from: version,
                    backup: Some(backup),
                    source: Box::new(e),
                })?;
        }
        Ok(store)
    }

    /// Opens a second, read-only connection to the database file at `path`, for staff screens (day list,
    /// patient search, CSV export, 再診 history, trainee history). The file is in WAL mode, so the reader
    /// answers from the last committed state at once, even while the reception writer holds a write
    /// transaction open; it never waits for it, and it can never write (SQLite opens the file read-only).
    ///
    /// Refused like [`Store::open`]: a missing file, a damaged or foreign one, a file of the other mode
    /// ([`StoreError::ModeMismatch`]) or from a newer program. A reader never migrates: a file older than
    /// this program is [`StoreError::NotMigrated`] until the writer ([`Store::open`]) has migrated it, and a
    /// file not in WAL mode is [`StoreError::NotWal`] (its readers would wait for the writer).
    pub fn open_reader(path: &Path, mode: Mode) -> Result<StoreReader, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_owned(),
                backups: backups_of(path),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        let store = Store {
            db: Db::Sqlite(conn),
            mode,
            path: Some(path.to_owned()),
            desk: None,
            remote: None,
        };
        store.configure_reader().map_err(|e| classify_store(path, e))?;
        let version = store.known_version(path)?;
        store.check_mode().map_err(|e| classify_store(path, e))?;
        if version < LATEST_VERSION {
            return Err(StoreError::NotMigrated {
                found: version,
                expected: LATEST_VERSION,
            });
        }
        let journal: String = store
            .db
            .sqlite()?
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NotWal {
                path: path.to_owned(),
                journal_mode: journal,
            });
        }
        Ok(StoreReader::new(store))
    }

    /// Creates a new, empty database file for `mode`. Refuses to overwrite an existing file.
    pub fn create(path: &Path, mode: Mode) -> Result<Store, StoreError> {
        Self::create_at_version(path, mode, LATEST_VERSION)
    }

    /// Creates a database at an older schema version, so migration tests can start from real old files.
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, mode: Mode, version: i64) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // 0600 before anything is written (SQLite gives its -wal and -shm files the same mode).
        owner_only(path)?;
        let mut store = Store {
            db: Db::Sqlite(conn),
            mode,
            path: Some(path.to_owned()),
            desk: None,
            remote: None,
        };
        store.configure()?;
        // The schema and the file's mode are written in the same transaction: a file never exists
        // half-created without knowing which mode it is.
        store.migrate(0, version.clamp(1, LATEST_VERSION), Some(mode))?;
        Ok(store)
    }

    /// Connects to the record on a PostgreSQL server (#15: several desks, one record), bringing its schema up
    /// to date. A new database takes `mode`; one that holds the other mode is [`StoreError::ModeMismatch`].
    pub fn connect(target: &crate::pg::PgTarget, mode: Mode) -> Result<Store, StoreError> {
        let mut conn = crate::pg::connect(target, false)?;
        conn.migrate_and_claim(mode)?;
        let store = Store {
            db: Db::Postgres(Box::new(conn)),
            mode,
            path: None,
            desk: None,
            remote: Some((target.clone(), false)),
        };
        store.check_mode()?;
        Ok(store)
    }

    /// A second, read-only connection to the server for staff screens (see [`Store::open_reader`]): each call
    /// reads one snapshot, and the server refuses any write on it. The writer ([`Store::connect`]) migrates;
    /// a reader on an older schema is [`StoreError::NotMigrated`].
    pub fn connect_reader(target: &crate::pg::PgTarget, mode: Mode) -> Result<StoreReader, StoreError> {
        let conn = crate::pg::connect(target, true)?;
        let version = conn.schema_version()?;
        let latest = crate::pg::LATEST_VERSION;
        if version < latest {
            return Err(StoreError::NotMigrated {
                found: version,
                expected: latest,
            });
        }
        let store = Store {
            db: Db::Postgres(Box::new(conn)),
            mode,
            path: None,
            desk: None,
            remote: Some((target.clone(), true)),
        };
        store.check_mode()?;
        Ok(StoreReader::new(store))
    }

    /// Names the desk that writes through this store (#15 §2): each visit and audit line it writes records it.
    /// A name is 1–40 characters and passes the My Number guard; an empty one records none.
    pub fn set_desk(&mut self, name: &str) -> Result<(), StoreError> {
        let name = name.trim();
        crate::codec::guard("desk", name)?;
        if name.chars().count() > 40 {
            return Err(StoreError::Constraint(
                "CHECK constraint failed: visit_desk_length".into(),
            ));
        }
        self.desk = (!name.is_empty()).then(|| name.to_owned());
        Ok(())
    }

    /// Connects to the server again (after it was away); a file has nothing to do. The mode is checked again.
    pub fn reconnect(&mut self) -> Result<(), StoreError> {
        let Some((target, read_only)) = self.remote.clone() else {
            return Ok(());
        };
        let mut conn = crate::pg::connect(&target, read_only)?;
        if !read_only {
            conn.migrate_and_claim(self.mode)?;
        }
        self.db = Db::Postgres(Box::new(conn));
        self.check_mode()
    }

    /// Whether this store is on a server (several desks) rather than a file.
    pub fn is_shared(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// Where the record is: the file, or the server and database (never a password).
    pub fn location(&self) -> String {
        match (&self.db, &self.path) {
            (Db::Postgres(c), _) => c.location.clone(),
            (Db::Sqlite(_), Some(p)) => p.display().to_string(),
            (Db::Sqlite(_), None) => "(in memory)".into(),
        }
    }

    /// A private in-memory database (tests, training demos without a file).
    pub fn in_memory(mode: Mode) -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            db: Db::Sqlite(conn),
            mode,
            path: None,
            desk: None,
            remote: None,
        };
        store.configure()?;
        store.migrate(0, LATEST_VERSION, Some(mode))?;
        Ok(store)
    }

    /// The mode this file holds.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The file path (None in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        match &self.db {
            Db::Sqlite(_) => self.user_version(),
            Db::Postgres(c) => c.schema_version(),
        }
    }

    /// Runs SQLite's full `PRAGMA integrity_check` and foreign-key check; returns the problems found (empty
    /// when the file is sound). Slow on a large file: for a maintenance screen, not for every start.
    pub fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.db.sqlite()?;
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let mut problems: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        problems.retain(|p| p != "ok");
        let mut fk = conn.prepare("PRAGMA foreign_key_check")?;
        let fk_rows = fk.query_map([], |r| {
            Ok(format!("foreign key broken in {}", r.get::<_, String>(0)?))
        })?;
        for row in fk_rows {
            problems.push(row?);
        }
        Ok(problems)
    }

    /// Restores `backup` as the database at `path`. A file already at `path` (damaged, or the one being
    /// replaced) and its WAL are moved aside to `<path>.damaged[-n]`, never deleted. Open the result with
    /// [`Store::open`], which migrates it if the backup is older.
    pub fn restore_backup(backup: &Path, path: &Path) -> Result<PathBuf, StoreError> {
        let io = |p: &Path| {
            let p = p.to_owned();
            move |source| StoreError::Io { path: p, source }
        };
        let mut aside = None;
        if path.exists() {
            let target = free_name(path, "damaged");
            std::fs::rename(path, &target).map_err(io(path))?;
            for suffix in ["-wal", "-shm"] {
                let side = with_suffix(path, suffix);
                if side.exists() {
                    std::fs::rename(&side, with_suffix(&target, suffix)).map_err(io(&side))?;
                }
            }
            aside = Some(target);
        }
        std::fs::copy(backup, path).map_err(io(backup))?;
        Ok(aside.unwrap_or_else(|| path.to_owned()))
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        let conn = self.db.sqlite()?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // journal_mode answers with the mode in effect; in memory it stays "memory", which is fine.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // 64 MiB of page cache: a ten-year file is a few hundred MB, and the indexes the desk and bulk imports
        // touch should stay in memory rather than spill half-written pages to the WAL.
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        stable_plans(conn)?;
        Ok(())
    }

    /// A reader's settings: nothing that writes to the file (the connection is read-only). The busy timeout
    /// only matters when SQLite has to rebuild the WAL index after a crash, which takes a lock for a moment.
    fn configure_reader(&self) -> Result<(), StoreError> {
        let conn = self.db.sqlite()?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "cache_size", READER_CACHE_KIB)?;
        stable_plans(conn)?;
        Ok(())
    }

    /// The file's schema version, refusing a file with no schema of ours or one from a newer program.
    fn known_version(&self, path: &Path) -> Result<i64, StoreError> {
        let version = self.user_version().map_err(|e| classify_store(path, e))?;
        if version == 0 {
            // An empty or foreign SQLite file: nothing of ours is in it, and we do not adopt it silently.
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                detail: "no Uketsuke schema in the file".into(),
                backups: backups_of(path),
            });
        }
        if version > LATEST_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: LATEST_VERSION,
            });
        }
        Ok(version)
    }

    fn user_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .db
            .sqlite()?
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn check_mode(&self) -> Result<(), StoreError> {
        let found: Option<String> = self.db.value("SELECT value FROM meta WHERE key = 'mode'", &[])?;
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(self.location()));
        match found {
            Some(f) if f == self.mode.code() => Ok(()),
            Some(f) => Err(StoreError::ModeMismatch {
                path,
                expected: self.mode,
                found: f,
            }),
            None => Err(StoreError::Corrupt {
                detail: "the file does not record whether it holds live or training data".into(),
                backups: backups_of(&path),
                path,
            }),
        }
    }

    /// Copies the file next to itself as `<name>.v<from>.bak[-n]` before a migration.
    fn backup_before_migration(&self, from: i64) -> Result<PathBuf, StoreError> {
        let path = self.path.clone().unwrap_or_default();
        let target = free_name(&path, &format!("v{from}.bak"));
        let target_text = target.to_string_lossy().into_owned();
        self.db
            .sqlite()?
            .execute("VACUUM INTO ?1", [&target_text])
            .map_err(|source| StoreError::Backup {
                path: target.clone(),
                source,
            })?;
        Ok(target)
    }

    /// Applies `MIGRATIONS[from..to]` in one transaction, setting `user_version` inside it.
    fn migrate(&mut self, from: i64, to: i64, create_mode: Option<Mode>) -> Result<(), StoreError> {
        let Db::Sqlite(conn) = &mut self.db else {
            return Err(StoreError::NotOnPostgres);
        };
        let tx = conn.transaction()?;
        let start = usize::try_from(from).unwrap_or(0);
        let end = usize::try_from(to).unwrap_or(0);
        for steps in MIGRATIONS.get(start..end).unwrap_or(&[]) {
            for step in steps.iter() {
                match step {
                    Step::Sql(sql) => tx.execute_batch(sql)?,
                    Step::Rust(f) => f(&tx)?,
                }
            }
        }
        if let Some(mode) = create_mode {
            tx.execute("INSERT INTO meta (key, value) VALUES ('mode', ?1)", [mode.code()])?;
        }
        tx.pragma_update(None, "user_version", to)?;
        tx.commit()?;
        Ok(())
    }
}

/// Backups next to `path`, newest name last.
pub fn backups_of(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.v", name.to_string_lossy());
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().map(|n| n.to_string_lossy()).is_some_and(|n| {
                        n.starts_with(&prefix)
                            && n.contains(".bak")
                            && !n.ends_with("-wal")
                            && !n.ends_with("-shm")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `<path>.<tag>`, or `<path>.<tag>-2`, `-3`… if taken.
fn free_name(path: &Path, tag: &str) -> PathBuf {
    let base = with_suffix(path, &format!(".{tag}"));
    if !base.exists() {
        return base;
    }
    (2u32..)
        .map(|n| with_suffix(&base, &format!("-{n}")))
        .find(|p| !p.exists())
        .unwrap_or(base)
}

fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    if is_corruption(&e) {
        StoreError::Corrupt {
            path: path.to_owned(),
            detail: e.to_string(),
            backups: backups_of(path),
        }
    } else {
        StoreError::from(e)
    }
}

fn classify_store(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(inner) => classify(path, inner),
        other => other,
    }
}

/// One plan per statement, whatever its parameters (SQLite's query planner stability guarantee). Without it the
/// bundled SQLite (built with STAT4) lets a plan depend on bound values, and a statement that rusqlite's cache
/// hands back with its bindings cleared is compiled again on its next run: the 再診 look-up took 150 µs instead of
/// 12 µs (`cargo bench -p store`). Our statements are indexed look-ups whose best plan does not depend on values.
fn stable_plans(conn: &rusqlite::Connection) -> Result<(), StoreError> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}
