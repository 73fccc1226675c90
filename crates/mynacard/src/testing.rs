//! Test support: a real pcscd (with the vsmartcard vpcd driver) for tests and benchmarks, one user at a time.
//!
//! `Pcscd::ensure()` serialises every pcscd-based test of the process (there is one vpcd slot) and holds a
//! [`crate::pcscd::Pcscd`] — the process's private daemon (own socket, vpcd in its own network namespace),
//! started for the test and stopped when the guard drops, so a system pcscd or a running app never collides with
//! the tests. A missing pcscd is an error with installation advice, never a silent skip.
//!
//! Behind feature `testing`, which only dev-dependencies turn on (this crate's and `uketsuke`'s): the app never
//! links it.

use std::sync::{Mutex, MutexGuard};

pub use crate::pcscd::VPCD_READER;
use crate::vpcd::VpcdCard;

static LOCK: Mutex<()> = Mutex::new(());

/// A running pcscd with the vpcd readers, held exclusively by one test at a time.
pub struct Pcscd {
    // Field order is drop order: the daemon stops before the next test may take the lock.
    _daemon: crate::pcscd::Pcscd,
    _lock: MutexGuard<'static, ()>,
}

impl Pcscd {
    /// Take the vpcd slot for this test and make sure a pcscd with the vpcd readers answers.
    pub fn ensure() -> Result<Pcscd, String> {
        let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        Ok(Pcscd {
            _daemon: crate::pcscd::Pcscd::ensure()?,
            _lock: lock,
        })
    }

    /// vpcd slot 0 of this daemon, empty.
    pub fn slot(&self) -> VpcdCard {
        VpcdCard::private(&self._daemon)
    }

    /// The daemon (its socket, its namespace).
    pub fn daemon(&self) -> &crate::pcscd::Pcscd {
        &self._daemon
    }
}
