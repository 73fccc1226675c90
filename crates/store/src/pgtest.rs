//! A private PostgreSQL cluster for tests and benchmarks (#15 §4): started once per process with
//! `scripts/pg-cluster.sh` in a temporary folder (Unix socket only, nothing on TCP), stopped by a watchdog
//! when the process ends, however it ends. Each caller gets a database of its own. Test support only (the
//! `sample` feature), never part of the app.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::pg::PgTarget;

/// The private cluster of this test process.
pub struct PgCluster {
    /// `postgresql://postgres@/uketsuke?host=DIR`
    pub admin_url: String,
    _dir: tempfile::TempDir,
}

pub fn pg_cluster() -> &'static PgCluster {
    static CLUSTER: std::sync::OnceLock<PgCluster> = std::sync::OnceLock::new();
    CLUSTER.get_or_init(|| {
        // A short path: the socket's path must stay under 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("uk-pg-")
            .tempdir_in("/tmp")
            .unwrap();
        let admin_url = run(&["start"], dir.path());
        watchdog(dir.path());
        PgCluster { admin_url, _dir: dir }
    })
}

/// A new database on the cluster (one per test: tests run in parallel and never see each other's rows).
pub fn new_pg_database() -> PgTarget {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let cluster = pg_cluster();
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&cluster.admin_url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    PgTarget {
        url: cluster.admin_url.replacen("/uketsuke?", &format!("/{name}?"), 1),
        password: None,
    }
}

/// A cluster of one test's own, which the test may stop and start again (the server going away mid-day).
/// Stopped when dropped, and by a watchdog if the process dies first.
pub struct OwnCluster {
    dir: tempfile::TempDir,
    /// `postgresql://postgres@/uketsuke?host=DIR`
    pub url: String,
}

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster.sh")
}

impl OwnCluster {
    /// A durable cluster (every commit survives `stop`, which is an immediate shutdown).
    pub fn start() -> OwnCluster {
        let dir = tempfile::Builder::new()
            .prefix("uk-pg-")
            .tempdir_in("/tmp")
            .unwrap();
        let url = run_durable(&["start"], dir.path());
        watchdog(dir.path());
        OwnCluster { dir, url }
    }

    /// Stops the server (immediate shutdown: connections are cut, as when a server dies).
    pub fn stop(&self) {
        run(&["stop"], self.dir.path());
    }

    /// Starts it again on the same data.
    pub fn restart(&self) {
        run_durable(&["start"], self.dir.path());
    }

    pub fn target(&self) -> PgTarget {
        PgTarget {
            url: self.url.clone(),
            password: None,
        }
    }
}

/// Makes the server at `target` refuse every visit for which `condition` (an SQL expression over `NEW`) holds,
/// with `message` (SQLSTATE 23514, as a rule of the server's own would): a server that answers but will not take
/// a record.
pub fn refuse_visits_where(target: &PgTarget, condition: &str, message: &str) {
    let mut raw = postgres::Client::connect(&target.url, postgres::NoTls).unwrap();
    raw.batch_execute(&format!(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF {condition} THEN
                 RAISE EXCEPTION '{}' USING ERRCODE = '23514';
             END IF;
             RETURN NEW;
         END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON visits FOR EACH ROW EXECUTE FUNCTION refuse();",
        message.replace('\'', "''")
    ))
    .unwrap();
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script())
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

fn run_durable(args: &[&str], dir: &std::path::Path) -> String {
    command(args, dir, true)
}

fn run(args: &[&str], dir: &std::path::Path) -> String {
    command(args, dir, false)
}

fn command(args: &[&str], dir: &std::path::Path, durable: bool) -> String {
    let out = std::process::Command::new(script())
        .env("PG_CLUSTER_DURABLE", if durable { "1" } else { "0" })
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg-cluster {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Stops the cluster in `dir` when this process ends, however it ends.
fn watchdog(dir: &std::path::Path) {
    std::process::Command::new("setsid")
        .arg("-f")
        .arg("sh")
        .arg("-c")
        .arg(r#"while kill -0 "$1" 2>/dev/null; do sleep 0.5; done; "$2" stop "$3" >/dev/null 2>&1; rm -rf "$3""#)
        .arg("watchdog")
        .arg(std::process::id().to_string())
        .arg(script())
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
}
