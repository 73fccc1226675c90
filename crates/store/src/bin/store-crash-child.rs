//! Test-support writer for the crash-safety test: opens the given database file (or connects to the
//! `postgresql://` database given instead, #15 §4) and saves sample receptions
//! `start, start+1, …` one transaction each, printing `saved <i>` after each commit, until it is killed.
//! It reads no clock: reception times come from the deterministic sample clinic.

use std::io::Write;
use std::path::PathBuf;

use store::sample::SampleClinic;
use store::{Mode, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .ok_or("usage: store-crash-child <db file or postgresql:// url> <start>")?;
    let start: u64 = args.next().ok_or("missing start index")?.parse()?;
    let clinic = crash_clinic();
    let mut store = if db.starts_with("postgresql://") {
        Store::connect(
            &store::PgTarget {
                url: db,
                password: None,
            },
            Mode::Training,
        )?
    } else {
        Store::open(&PathBuf::from(db), Mode::Training)?
    };
    let mut out = std::io::stdout().lock();
    // Bounded so an orphaned child cannot run forever if its parent died.
    for i in start..start + 100_000 {
        store.save_completed_reception(&clinic.reception(i))?;
        writeln!(out, "saved {i}")?;
        out.flush()?;
    }
    Ok(())
}

/// The clinic the crash test and this writer share.
fn crash_clinic() -> SampleClinic {
    SampleClinic {
        mode: Mode::Training,
        patients: 50,
        visits_per_day: 40,
        first_day: chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or_default(),
    }
}
