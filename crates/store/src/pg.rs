//! The record on a PostgreSQL server (#15): several desks, or a class of trainees, sharing one database.
//!
//! The schema is `migrations/postgres/` run by refinery under an advisory lock (two desks starting at once
//! migrate once). It is the SQLite schema in PostgreSQL's words (same tables, columns, constraint names and
//! trigger messages; every TEXT is `COLLATE "C"` so it compares bytewise as SQLite does); a test compares the
//! two column by column. A database records its mode in `meta` like a file does and refuses the other mode.
//!
//! Connecting: a libpq URL or key/value string without a password (the password comes from the caller, which
//! reads it from a file or the environment: never from settings). TLS follows the URL's `sslmode` through the
//! system's TLS library and certificate store; a Unix socket needs none.
//!
//! Statements are the SQLite text rewritten once ([`crate::sql::postgres_text`]) and kept prepared per
//! connection.

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, GenericClient, Statement};

use crate::error::StoreError;
use crate::model::Mode;
use crate::sql::{postgres_text, DbRow, Val};

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// The newest PostgreSQL migration (`migrations/postgres/V<n>__*.sql`).
pub(crate) const LATEST_VERSION: i64 = 3;

/// The channel on which the record's triggers announce a change (`migrations/postgres/V3__changes.sql`).
const CHANGES_CHANNEL: &str = "uketsuke_changes";

/// Key of the advisory lock held while the schema is migrated ("uketsuke" in ASCII, as a number).
const MIGRATION_LOCK: i64 = 0x756b_6574_7375_6b65;

/// Where the server is and how to log in.
#[derive(Clone, PartialEq, Eq)]
pub struct PgTarget {
    /// libpq URL or key/value connection string, without a password.
    pub url: String,
    /// The password (read from a file or the environment by the caller), if the server asks for one.
    pub password: Option<String>,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTarget")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .finish()
    }
}

/// One connection to the server.
pub(crate) struct PgConn {
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
    /// The server and database, for the status panel (no password).
    pub(crate) location: String,
}

/// A transaction on a [`PgConn`].
pub(crate) struct PgTx<'a> {
    tx: RefCell<postgres::Transaction<'a>>,
    statements: &'a RefCell<HashMap<String, Statement>>,
}

pub(crate) fn connect(target: &PgTarget, read_only: bool) -> Result<PgConn, StoreError> {
    let mut config: postgres::Config = target.url.parse().map_err(|e| StoreError::PostgresSettings {
        detail: format!("{e}"),
    })?;
    if config.get_password().is_some() {
        return Err(StoreError::PostgresSettings {
            detail: "the connection string holds a password; give it from a file or the environment instead"
                .into(),
        });
    }
    if let Some(p) = &target.password {
        config.password(p);
    }
    config.application_name("uketsuke");
    if config.get_connect_timeout().is_none() {
        // A server that is away is noticed in seconds, not after TCP's minutes: the desk goes on offline.
        config.connect_timeout(std::time::Duration::from_secs(3));
    }
    config.keepalives(true);
    if read_only {
        config.options("-c default_transaction_read_only=on");
    }
    let tls = native_tls::TlsConnector::new().map_err(|e| StoreError::PostgresSettings {
        detail: format!("TLS: {e}"),
    })?;
    let client = config.connect(postgres_native_tls::MakeTlsConnector::new(tls))?;
    let hosts = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    Ok(PgConn {
        client: RefCell::new(client),
        statements: RefCell::new(HashMap::new()),
        location: format!(
            "postgres {} / {}",
            hosts,
            config.get_dbname().unwrap_or("(default database)")
        ),
    })
}

impl PgConn {
    /// Brings the schema up to date (once, whichever desk comes first) and claims or checks the mode.
    pub(crate) fn migrate_and_claim(&mut self, mode: Mode) -> Result<(), StoreError> {
        let client = self.client.get_mut();
        client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
        let migrated = embedded::migrations::runner()
            .set_grouped(true)
            .run(client)
            .map_err(|e| StoreError::PostgresMigration(e.to_string()));
        let claimed = migrated.and_then(|_| {
            client.execute(
                "INSERT INTO meta (key, value) VALUES ('mode', $1) ON CONFLICT (key) DO NOTHING",
                &[&crate::codec::TextCode::code(&mode)],
            )?;
            Ok(())
        });
        let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
        claimed?;
        unlocked?;
        Ok(())
    }

    /// The newest migration applied.
    pub(crate) fn schema_version(&self) -> Result<i64, StoreError> {
        let row = self
            .client
            .borrow_mut()
            .query_one("SELECT max(version)::BIGINT FROM refinery_schema_history", &[])?;
        Ok(row.get::<_, Option<i64>>(0).unwrap_or(0))
    }

    /// Opens a transaction (rolled back when dropped uncommitted).
    pub(crate) fn begin(&mut self) -> Result<PgTx<'_>, StoreError> {
        let tx = self.client.get_mut().transaction()?;
        Ok(PgTx {
            tx: RefCell::new(tx),
            statements: &self.statements,
        })
    }

    /// Runs `query` in one repeatable-read, read-only transaction: every statement sees the same snapshot.
    pub(crate) fn read_snapshot<T>(
        &self,
        query: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.client
            .borrow_mut()
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        let out = query();
        let end = self
            .client
            .borrow_mut()
            .batch_execute(if out.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let out = out?;
        end?;
        Ok(out)
    }
}

/// Hears when any desk changed the shared record (a reception saved or voided, a task closed, a patient
/// edited, a training run stored): `LISTEN` on a connection of its own, which does nothing else. A change
/// committed while this listener was not connected is not heard; a caller that connects again should reload
/// once.
pub struct ChangeListener {
    client: Client,
}

impl ChangeListener {
    /// Connects (read-only) and listens.
    pub fn connect(target: &PgTarget) -> Result<ChangeListener, StoreError> {
        let conn = connect(target, true)?;
        let mut client = conn.client.into_inner();
        client.batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))?;
        Ok(ChangeListener { client })
    }

    /// Waits up to `timeout` for a change: `true` when one or more came (those already here are taken too, so
    /// a burst of saves is fewer reloads), `false` when none did. An error means the server went away: connect
    /// again.
    pub fn wait(&mut self, timeout: std::time::Duration) -> Result<bool, StoreError> {
        use postgres::fallible_iterator::FallibleIterator as _;
        let first = self.client.notifications().timeout_iter(timeout).next()?;
        if first.is_none() {
            if self.client.is_closed() {
                // Says why: the connection is closed.
                self.client.simple_query("")?;
            }
            return Ok(false);
        }
        while self.client.notifications().iter().next()?.is_some() {}
        Ok(true)
    }
}

/// A short pause before a transaction runs again after a conflict: longer each time, and not the same at two
/// desks (the thread's id shifts it), so two that ran into each other do not meet again at once.
pub(crate) fn conflict_pause(attempt: u32) {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::thread::current().id().hash(&mut h);
    std::process::id().hash(&mut h);
    let ms = (5u64 << attempt.min(6)) + h.finish() % 7;
    std::thread::park_timeout(std::time::Duration::from_millis(ms));
}

fn refs<'a>(params: &'a [Val<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

fn with_returning_id(sql: &str) -> String {
    format!("{sql} RETURNING id")
}

/// The statements of a connection or of a transaction on it: prepared once per text, kept by the connection.
fn prepared<C: GenericClient>(
    client: &RefCell<C>,
    statements: &RefCell<HashMap<String, Statement>>,
    sql: &str,
) -> Result<Statement, StoreError> {
    if let Some(s) = statements.borrow().get(sql) {
        return Ok(s.clone());
    }
    let s = client.borrow_mut().prepare(&postgres_text(sql))?;
    statements.borrow_mut().insert(sql.to_owned(), s.clone());
    Ok(s)
}

fn each_row_on<C: GenericClient>(
    client: &RefCell<C>,
    statements: &RefCell<HashMap<String, Statement>>,
    sql: &str,
    params: &[Val<'_>],
    each: &mut dyn FnMut(&dyn DbRow) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let stmt = prepared(client, statements, sql)?;
    // All rows first: a row's reader may run statements of its own on this connection.
    let rows = client.borrow_mut().query(&stmt, &refs(params))?;
    for r in &rows {
        each(r)?;
    }
    Ok(())
}

fn exec_on<C: GenericClient>(
    client: &RefCell<C>,
    statements: &RefCell<HashMap<String, Statement>>,
    sql: &str,
    params: &[Val<'_>],
) -> Result<u64, StoreError> {
    let stmt = prepared(client, statements, sql)?;
    Ok(client.borrow_mut().execute(&stmt, &refs(params))?)
}

fn insert_on<C: GenericClient>(
    client: &RefCell<C>,
    statements: &RefCell<HashMap<String, Statement>>,
    sql: &str,
    params: &[Val<'_>],
) -> Result<i64, StoreError> {
    let stmt = prepared(client, statements, &with_returning_id(sql))?;
    Ok(client
        .borrow_mut()
        .query_one(&stmt, &refs(params))?
        .try_get::<_, i64>(0)?)
}

impl crate::sql::Exec for PgConn {
    fn each_row(
        &self,
        sql: &str,
        params: &[Val<'_>],
        each: &mut dyn FnMut(&dyn DbRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        each_row_on(&self.client, &self.statements, sql, params, each)
    }

    fn exec(&self, sql: &str, params: &[Val<'_>]) -> Result<u64, StoreError> {
        exec_on(&self.client, &self.statements, sql, params)
    }

    fn insert(&self, sql: &str, params: &[Val<'_>]) -> Result<i64, StoreError> {
        insert_on(&self.client, &self.statements, sql, params)
    }
}

impl PgTx<'_> {
    pub(crate) fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.into_inner().commit()?)
    }
}

impl crate::sql::Exec for PgTx<'_> {
    fn each_row(
        &self,
        sql: &str,
        params: &[Val<'_>],
        each: &mut dyn FnMut(&dyn DbRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        each_row_on(&self.tx, self.statements, sql, params, each)
    }

    fn exec(&self, sql: &str, params: &[Val<'_>]) -> Result<u64, StoreError> {
        exec_on(&self.tx, self.statements, sql, params)
    }

    fn serialize_patients(&self) -> Result<(), StoreError> {
        // SHARE ROW EXCLUSIVE: other inserts of patients wait; reads go on.
        self.exec("LOCK TABLE patients IN SHARE ROW EXCLUSIVE MODE", &[])?;
        Ok(())
    }

    fn serialize_on(&self, key: &str) -> Result<(), StoreError> {
        self.exec(
            "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))) AS locked",
            &crate::sql::p![key],
        )?;
        Ok(())
    }

    fn insert(&self, sql: &str, params: &[Val<'_>]) -> Result<i64, StoreError> {
        insert_on(&self.tx, self.statements, sql, params)
    }
}

impl ToSql for Val<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                _ => Err(format!("an integer cannot be bound to a {ty} parameter").into()),
            },
            Val::Text(s) => s.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8
                | Type::INT4
                | Type::INT2
                | Type::BOOL
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
        ) || ty.name() == "unknown"
    }

    postgres::types::to_sql_checked!();
}

impl DbRow for postgres::Row {
    fn value(&self, i: usize) -> Result<Val<'_>, StoreError> {
        let ty = self
            .columns()
            .get(i)
            .map(|c| c.type_().clone())
            .ok_or(StoreError::BadValue {
                column: "(result column)",
                value: format!("no column {i}"),
            })?;
        let v = match ty {
            Type::INT8 => self.try_get::<_, Option<i64>>(i)?.map(Val::Int),
            Type::INT4 => self.try_get::<_, Option<i32>>(i)?.map(|n| Val::Int(i64::from(n))),
            Type::INT2 => self.try_get::<_, Option<i16>>(i)?.map(|n| Val::Int(i64::from(n))),
            Type::BOOL => self
                .try_get::<_, Option<bool>>(i)?
                .map(|b| Val::Int(i64::from(b))),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => self
                .try_get::<_, Option<&str>>(i)?
                .map(|s| Val::Text(std::borrow::Cow::Borrowed(s))),
            other => {
                return Err(StoreError::BadValue {
                    column: "(result column)",
                    value: format!("column {i} of type {other}"),
                })
            }
        };
        Ok(v.unwrap_or(Val::Null))
    }
}

/// Why `url` cannot be used as a desk's database setting, if it cannot (#15 §1): it must be a PostgreSQL URL
/// (`postgres://` or `postgresql://`) that libpq would accept, it must not hold a password (that comes from a
/// file or the environment), and in live mode a server reached over the network must be asked for TLS
/// (`sslmode=require`: the certificate is then checked against the system's store). A Unix socket or the
/// loopback address needs none.
pub fn postgres_settings_problem(url: &str, live: bool) -> Option<String> {
    let url = url.trim();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Some("not a postgres:// or postgresql:// address".into());
    }
    let config: postgres::Config = match url.parse() {
        Ok(c) => c,
        Err(e) => return Some(e.to_string()),
    };
    if config.get_password().is_some() {
        return Some("the address holds a password".into());
    }
    let remote = config.get_hosts().iter().any(|h| match h {
        postgres::config::Host::Tcp(name) => !matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
        postgres::config::Host::Unix(_) => false,
    });
    if live && remote && config.get_ssl_mode() != postgres::config::SslMode::Require {
        return Some("a server on the network needs sslmode=require".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desk_database_setting_is_a_postgres_address_without_a_password_and_with_tls_over_the_network() {
        let ok = [
            (
                "postgresql://uketsuke@db.clinic.example/uketsuke?sslmode=require",
                true,
            ),
            ("postgres://uketsuke@127.0.0.1/uketsuke", true),
            ("postgresql://postgres@/uketsuke?host=/run/postgresql", true),
            ("postgresql://uketsuke@db.clinic.example/training", false),
        ];
        for (url, live) in ok {
            assert_eq!(postgres_settings_problem(url, live), None, "{url}");
        }
        let refused = [
            ("postgresql://uketsuke:secret@127.0.0.1/uketsuke", "password"),
            (
                "postgresql://uketsuke@db.clinic.example/uketsuke",
                "sslmode=require",
            ),
            (
                "postgresql://uketsuke@db.clinic.example/uketsuke?sslmode=prefer",
                "sslmode=require",
            ),
            ("mysql://x@y/z", "postgres://"),
            ("/var/lib/uketsuke.sqlite3", "postgres://"),
        ];
        for (url, why) in refused {
            let problem = postgres_settings_problem(url, true).unwrap_or_default();
            assert!(problem.contains(why), "{url}: {problem}");
        }
    }
}
