//! The one place in Uketsuke that reads the real clock. Everything else gets time from here.
//!
//! Training can shift "today" (a scenario pins its own date) by an offset; live mode never shifts.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};

/// Clinic-local wall clock (JST), optionally shifted for training.
#[derive(Debug, Clone, Default)]
pub struct SystemClock {
    offset_secs: Arc<AtomicI64>,
}

impl SystemClock {
    /// Shift "now" so that it reads `target` at this instant (training only).
    pub fn pin_to(&self, target: NaiveDateTime) {
        let delta = target - Self::real_now();
        self.offset_secs.store(delta.num_seconds(), Ordering::Relaxed);
    }

    /// Back to the real time (a scenario ended).
    pub fn unpin(&self) {
        self.offset_secs.store(0, Ordering::Relaxed);
    }

    /// The unshifted wall clock (a training certificate is dated by the real day, not a scenario's).
    #[allow(clippy::disallowed_methods)] // the one clock adapter: reading the real clock is its job
    pub fn real_now() -> NaiveDateTime {
        // JST has no daylight saving: UTC+9 all year.
        (chrono::Utc::now() + TimeDelta::hours(9)).naive_utc()
    }
}

impl reception::Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        Self::real_now() + TimeDelta::seconds(self.offset_secs.load(Ordering::Relaxed))
    }
}

/// A clock that always reads the same time (headless runs, tests and benchmarks).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub NaiveDateTime);

impl reception::Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        self.0
    }
}
