//! Test support: a real pcscd (with the vsmartcard vpcd driver) for tests and benchmarks.
//!
//! `Pcscd::ensure()` serialises every pcscd-based test of the process (there is one vpcd slot), starts
//! `/usr/sbin/pcscd -f` when no pcscd answers, and stops the one it started when the guard drops. A missing pcscd
//! is an error with installation advice, never a silent skip. Deliberately not here: anything a production
//! binary would use.

use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::pcsc_transport::PcscContext;

/// Reader name of vpcd slot 0.
pub const VPCD_READER: &str = "Virtual PCD 00 00";
const PCSCD: &str = "/usr/sbin/pcscd";

static LOCK: Mutex<()> = Mutex::new(());

/// A running pcscd with the vpcd readers, held exclusively by one test at a time.
pub struct Pcscd {
    child: Option<Child>,
    _lock: MutexGuard<'static, ()>,
}

fn vpcd_answers() -> bool {
    PcscContext::establish()
        .and_then(|c| c.readers())
        .is_ok_and(|r| r.iter().any(|n| n.starts_with("Virtual PCD")))
}

impl Pcscd {
    /// Make sure a pcscd with the vpcd readers answers; start one if needed.
    pub fn ensure() -> Result<Pcscd, String> {
        let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        if vpcd_answers() {
            return Ok(Pcscd {
                child: None,
                _lock: lock,
            });
        }
        if !std::path::Path::new(PCSCD).exists() {
            return Err(format!(
                "{PCSCD} not found: install the Debian packages pcscd vsmartcard-vpcd opensc \
                 (apt-get install -y --no-install-recommends pcscd vsmartcard-vpcd opensc) — `make test` does this"
            ));
        }
        let child = Command::new(PCSCD)
            .arg("-f")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start {PCSCD}: {e} (tests must run as root or with pcscd already running)")
            })?;
        let guard = Pcscd {
            child: Some(child),
            _lock: lock,
        };
        // pcscd creates its socket within about a second; poll establish() with a bounded wait.
        for _ in 0..200 {
            if vpcd_answers() {
                return Ok(guard);
            }
            std::thread::park_timeout(Duration::from_millis(25));
        }
        Err("pcscd started but the vpcd readers did not appear within 5 s \
             (is vsmartcard-vpcd installed, /etc/reader.conf.d/vpcd present?)"
            .into())
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets pcscd remove its socket and pid file; fall back to SIGKILL.
            let term = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            if term.is_err() {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}
