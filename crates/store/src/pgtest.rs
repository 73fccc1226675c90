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
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster.sh");
        // A short path: the socket's path must stay under 108 bytes.
        let dir = tempfile::Builder::new().prefix("uk-pg-").tempdir_in("/tmp").unwrap();
        let out = std::process::Command::new(&script)
            .arg("start")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the private PostgreSQL cluster starts (make test installs postgresql): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Stopped when this process ends, even by SIGKILL: a watchdog waits for our pid to go.
        // `setsid -f` forks the watchdog into a session of its own and returns at once.
        std::process::Command::new("setsid")
            .arg("-f")
            .arg("sh")
            .arg("-c")
            .arg(r#"while kill -0 "$1" 2>/dev/null; do sleep 0.5; done; "$2" stop "$3" >/dev/null 2>&1; rm -rf "$3""#)
            .arg("watchdog")
            .arg(std::process::id().to_string())
            .arg(&script)
            .arg(dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        PgCluster {
            admin_url: String::from_utf8(out.stdout).unwrap().trim().to_owned(),
            _dir: dir,
        }
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
