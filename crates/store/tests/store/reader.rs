//! The staff reader: a second, read-only connection to the same file that answers the desk's queries from
//! the last commit, keeps training and live apart, and never migrates or writes.

use crate::common::*;
use store::*;

fn files() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let training = dir.path().join("training.sqlite");
    let live = dir.path().join("live.sqlite");
    drop(Store::create(&training, Mode::Training).unwrap());
    drop(Store::create(&live, Mode::Live).unwrap());
    (dir, training, live)
}

#[test]
fn a_reader_refuses_a_file_of_the_other_mode_both_ways() {
    let (_d, training, live) = files();
    assert!(matches!(
        Store::open_reader(&training, Mode::Live),
        Err(StoreError::ModeMismatch { expected: Mode::Live, ref found, .. }) if found == "training"
    ));
    assert!(matches!(
        Store::open_reader(&live, Mode::Training),
        Err(StoreError::ModeMismatch { expected: Mode::Training, ref found, .. }) if found == "live"
    ));
    assert_eq!(Store::open_reader(&live, Mode::Live).unwrap().mode(), Mode::Live);
}

#[test]
fn a_reader_on_a_missing_file_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    assert!(matches!(
        Store::open_reader(&path, Mode::Live),
        Err(StoreError::Missing { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn a_reader_never_migrates_an_old_file_and_takes_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    drop(Store::create_at_version(&path, Mode::Live, 1).unwrap());
    assert!(matches!(
        Store::open_reader(&path, Mode::Live),
        Err(StoreError::NotMigrated { found: 1, expected }) if expected == LATEST_VERSION
    ));
    assert!(backups_of(&path).is_empty());
    // Once the writer has migrated it, the reader opens.
    drop(Store::open(&path, Mode::Live).unwrap());
    assert!(Store::open_reader(&path, Mode::Live).is_ok());
}

#[test]
fn a_reader_refuses_a_file_not_in_wal_mode_because_its_reads_would_wait_for_the_writer() {
    let (_d, _training, live) = files();
    let c = rusqlite::Connection::open(&live).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    drop(c);
    assert!(matches!(
        Store::open_reader(&live, Mode::Live),
        Err(StoreError::NotWal { ref journal_mode, .. }) if journal_mode == "delete"
    ));
}

#[test]
fn a_reader_opened_before_the_writer_sees_every_reception_the_writer_commits_afterwards() {
    let (_d, _training, live) = files();
    // No writer is connected: the WAL files are gone and the reader opens the bare file.
    let reader = Store::open_reader(&live, Mode::Live).unwrap();
    let at = time(2026, 2, 3, 9, 0);
    assert!(reader
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap()
        .is_empty());

    let mut writer = Store::open(&live, Mode::Live).unwrap();
    let visit = writer
        .save_completed_reception(&full_reception(Mode::Live, "r1", at))
        .unwrap();

    let day = reader
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(day.len(), 1);
    let back = reader.reception(visit).unwrap().unwrap();
    assert_eq!(back, writer.reception(visit).unwrap().unwrap());
    let patient = back.patient.id;
    assert_eq!(reader.patient(patient).unwrap(), Some(back.patient.clone()));
    assert_eq!(reader.find_patients(Some("みほん"), None).unwrap().len(), 1);
    assert_eq!(
        reader
            .last_valid_eligibility(patient)
            .unwrap()
            .map(|l| l.visit_id),
        Some(visit)
    );
    assert!(reader.consent_status(patient, at).unwrap().unwrap().valid);
    assert_eq!(reader.open_refund_tasks().unwrap().len(), 1);
    assert_eq!(
        reader.export_day_csv(at.date(), CsvEncoding::Utf8Bom).unwrap(),
        writer.export_day_csv(at.date(), CsvEncoding::Utf8Bom).unwrap()
    );
}

#[test]
fn trainee_history_reads_through_the_reader_and_stays_refused_for_a_live_file() {
    let (_d, training, live) = files();
    let mut writer = Store::open(&training, Mode::Training).unwrap();
    let run = TrainingRun {
        trainee: "受付 花子".into(),
        scenario_id: "s01-card-pin".into(),
        score_percent: 100,
        points: 4,
        max_points: 4,
        elapsed_secs: 95,
        decisions_json: "[]".into(),
        debrief_json: "{}".into(),
        finished_at: time(2026, 2, 3, 10, 0),
    };
    writer.save_training_run(&run).unwrap();
    let reader = Store::open_reader(&training, Mode::Training).unwrap();
    assert_eq!(reader.trainees().unwrap(), ["受付 花子"]);
    let runs = reader.training_runs("受付 花子").unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].run, run);

    let live_reader = Store::open_reader(&live, Mode::Live).unwrap();
    assert!(matches!(
        live_reader.trainees(),
        Err(StoreError::TrainingOnly { database: Mode::Live })
    ));
}
