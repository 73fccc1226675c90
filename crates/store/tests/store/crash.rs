//! Crash safety: a writer process killed with SIGKILL at random points, 200 times, never leaves a partial
//! reception, a broken file, or loses a reception it reported as saved.
//!
//! The writer is the crate's `store-crash-child` binary; it saves deterministic sample receptions and prints
//! `saved <i>` after each commit. After every kill the checker regenerates each reception found in the file and
//! compares the row count of every table that belongs to it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use store::sample::{PartCounts, SampleClinic};
use store::*;

const RUNS: usize = 200;

/// Must match `crash_clinic()` in `src/bin/store-crash-child.rs`.
fn clinic() -> SampleClinic {
    SampleClinic {
        mode: Mode::Training,
        patients: 50,
        visits_per_day: 40,
        first_day: chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
    }
}

/// Checks the file; returns the number of receptions in it (always `0..n` without gaps).
fn check_file(path: &Path) -> Result<u64, String> {
    let s = Store::open(path, Mode::Training).map_err(|e| format!("open after kill: {e}"))?;
    let problems = s.integrity_problems().map_err(|e| e.to_string())?;
    if !problems.is_empty() {
        return Err(format!("integrity_check: {problems:?}"));
    }
    check_store(&s)
}

/// Every reception in `s` is whole and they are `0..n` without gaps; returns n.
fn check_store(s: &Store) -> Result<u64, String> {
    let clinic = clinic();
    let mut indices = Vec::new();
    for session in s.session_ids().map_err(|e| e.to_string())? {
        let i = SampleClinic::index_of(&session).ok_or(format!("foreign session {session}"))?;
        let visit = s
            .visit_of_session(&session)
            .map_err(|e| e.to_string())?
            .ok_or("visit vanished")?;
        let expected = PartCounts::of(&clinic.reception(i));
        let found = s.part_counts(visit).map_err(|e| e.to_string())?;
        if found != expected {
            return Err(format!(
                "reception {session} is partial: expected {expected:?}, found {found:?}"
            ));
        }
        indices.push(i);
    }
    let orphans = s.orphan_rows().map_err(|e| e.to_string())?;
    if orphans != 0 {
        return Err(format!("{orphans} rows belong to no reception"));
    }
    indices.sort_unstable();
    let n = indices.len() as u64;
    if indices != (0..n).collect::<Vec<_>>() {
        return Err(format!("receptions are not 0..{n}: {indices:?}"));
    }
    Ok(n)
}

/// xorshift64: reproducible choices of where to kill (the exact instant still varies with scheduling).
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn the_crash_check_detects_a_half_written_reception() {
    // The check must be able to fail: a visit row without its eligibility, consent and audit rows.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("training.sqlite");
    let mut s = Store::create(&path, Mode::Training).unwrap();
    s.save_completed_reception(&clinic().reception(0)).unwrap();
    drop(s);
    assert_eq!(check_file(&path), Ok(1));
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute(
        "INSERT INTO visits (session_id, patient_id, mode, at, kind, identity, presenter, outcome)
         VALUES ('S000000001', 1, 'training', '2025-12-01 08:43:30', 'return', 'face', 'patient', 'confirmed')",
        [],
    )
    .unwrap();
    let err = check_file(&path).unwrap_err();
    assert!(err.contains("S000000001 is partial"), "{err}");
}

#[test]
fn a_writer_killed_at_random_points_200_times_leaves_every_reception_complete_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("training.sqlite");
    drop(Store::create(&path, Mode::Training).unwrap());
    kill_writers(RUNS, path.as_os_str(), || check_file(&path));
}

/// #15 §4: the same on a PostgreSQL server: a desk killed mid-save leaves its reception whole or absent.
#[test]
fn a_writer_on_postgres_killed_at_random_points_leaves_every_reception_complete_or_absent() {
    let target = crate::common::new_pg_database();
    drop(Store::connect(&target, Mode::Training).unwrap());
    kill_writers(RUNS / 2, std::ffi::OsStr::new(&target.url), || {
        let s = Store::connect(&target, Mode::Training).map_err(|e| format!("connect after kill: {e}"))?;
        check_store(&s)
    });
}

fn kill_writers(runs: usize, db: &std::ffi::OsStr, check: impl Fn() -> Result<u64, String>) {
    let exe = env!("CARGO_BIN_EXE_store-crash-child");
    let mut rng = 0x5EED_CAFE_F00D_u64;
    let mut saved_total = 0u64;
    let mut killed_after_saves = 0usize;

    for run in 0..runs {
        let start = saved_total;
        let mut child = Command::new(exe)
            .arg(db)
            .arg(start.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let 0–3 saves commit, then kill somewhere in the next one (or during start-up when 0).
        let saves_before_kill = next_random(&mut rng) % 4;
        let mut acknowledged = Vec::new();
        for _ in 0..saves_before_kill {
            match lines.next() {
                Some(Ok(line)) => acknowledged.push(line),
                other => panic!("run {run}: writer stopped early: {other:?}"),
            }
        }
        // A little busy jitter so the kill lands at varying points inside the transaction (not a sleep: the
        // only event waited on is the line above).
        let spins = next_random(&mut rng) % 200_000;
        let mut x = 0u64;
        for k in 0..spins {
            x = std::hint::black_box(x.wrapping_add(k));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Saves reported between our last read and the kill also count as acknowledged.
        acknowledged.extend(lines.map_while(Result::ok));
        if !acknowledged.is_empty() {
            killed_after_saves += 1;
        }

        let n = check().unwrap_or_else(|e| panic!("run {run}: {e}"));
        let last_ack = acknowledged
            .iter()
            .filter_map(|l| l.strip_prefix("saved ")?.parse::<u64>().ok())
            .max();
        if let Some(last) = last_ack {
            assert!(
                n > last,
                "run {run}: reception {last} was reported saved but is missing (file has {n})"
            );
        }
        saved_total = n;
    }
    assert!(
        killed_after_saves > runs / 2,
        "most kills should land after the writer started saving"
    );
    assert!(
        saved_total > runs as u64,
        "the writers made progress ({saved_total} receptions)"
    );
}
