//! The PC/SC daemon with the vsmartcard vpcd reader, as training mode, the tests and the benchmarks need it:
//! use the pcscd that already answers, or start `pcscd -f` and own it (stopped with SIGTERM on drop).
//!
//! Deliberately not here: serialising users of the single vpcd slot (tests do that, see `testing`), and any
//! card logic.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::pcsc_transport::PcscContext;

/// Reader name of vpcd slot 0, the slot the virtual cards use.
pub const VPCD_READER: &str = "Virtual PCD 00 00";
const PCSCD: &str = "/usr/sbin/pcscd";

/// Does a pcscd with the vpcd reader answer?
pub fn vpcd_answers() -> bool {
    PcscContext::establish()
        .and_then(|c| c.readers())
        .is_ok_and(|r| r.iter().any(|n| n == VPCD_READER))
}

/// A pcscd with the vpcd reader: started (and so stoppable) by us, or someone else's.
pub struct Pcscd {
    child: Option<Child>,
}

/// Wait before asking the daemon again: I/O back-off while it creates its socket, not flow time.
#[allow(clippy::disallowed_methods)]
fn backoff(d: Duration) {
    std::thread::sleep(d);
}

impl Pcscd {
    /// Use the running pcscd, or start one and wait (at most 5 s) for the vpcd reader. A missing daemon is an
    /// error with installation advice, never a silent skip.
    pub fn ensure() -> Result<Pcscd, String> {
        if vpcd_answers() {
            return Ok(Pcscd { child: None });
        }
        if !std::path::Path::new(PCSCD).exists() {
            return Err(format!(
                "{PCSCD} not found: install the Debian packages pcscd vsmartcard-vpcd \
                 (`make run` and `make test` do this)"
            ));
        }
        let child = Command::new(PCSCD)
            .arg("-f")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {PCSCD}: {e} (it needs root, or a pcscd already running)"))?;
        let daemon = Pcscd { child: Some(child) };
        for _ in 0..200 {
            if vpcd_answers() {
                return Ok(daemon);
            }
            backoff(Duration::from_millis(25));
        }
        Err("pcscd started but the vpcd reader did not appear within 5 s \
             (is vsmartcard-vpcd installed, /etc/reader.conf.d/vpcd present?)"
            .into())
    }

    /// Whether we started this daemon (and so may stop it).
    pub fn owned(&self) -> bool {
        self.child.is_some()
    }

    /// Stop the daemon we started (SIGTERM lets it remove its socket; SIGKILL if that cannot be sent).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            let term = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .stderr(Stdio::null())
                .status();
            if term.is_err() {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
    }
}
