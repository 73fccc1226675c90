//! Training and live never mix; a missing or damaged file is a clear error with a way back.

use crate::common::*;
use store::*;

#[test]
fn a_training_file_cannot_be_opened_as_live_nor_the_reverse() {
    let dir = tempfile::tempdir().unwrap();
    let training = dir.path().join("training.sqlite");
    let live = dir.path().join("live.sqlite");
    drop(Store::create(&training, Mode::Training).unwrap());
    drop(Store::create(&live, Mode::Live).unwrap());
    assert!(matches!(
        Store::open(&training, Mode::Live),
        Err(StoreError::ModeMismatch { expected: Mode::Live, ref found, .. }) if found == "training"
    ));
    assert!(matches!(
        Store::open(&live, Mode::Training),
        Err(StoreError::ModeMismatch { .. })
    ));
}

#[test]
fn a_training_reception_cannot_be_saved_into_the_live_file() {
    let mut s = Store::in_memory(Mode::Live).unwrap();
    let r = full_reception(Mode::Training, "t", time(2026, 1, 13, 9, 0));
    assert!(matches!(
        s.save_completed_reception(&r),
        Err(StoreError::WrongMode {
            reception: Mode::Training,
            database: Mode::Live
        })
    ));
}

#[test]
fn even_raw_sql_cannot_put_a_training_visit_into_a_live_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    drop(Store::create(&path, Mode::Live).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute("INSERT INTO patients (id, name, name_kana, birthdate, sex) VALUES (1, 'a', 'ｱ', '2000-01-01', 'male')", [])
        .unwrap();
    let err = c
        .execute(
            "INSERT INTO visits (session_id, patient_id, mode, at, kind, identity, presenter, outcome)
             VALUES ('t', 1, 'training', '2026-01-01 09:00:00', 'first', 'face', 'patient', 'confirmed')",
            [],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match the mode"), "{err}");
}

#[test]
fn a_missing_file_is_reported_with_its_backups_and_not_created_behind_the_users_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    drop(Store::create_at_version(&path, Mode::Live, 1).unwrap());
    drop(Store::open(&path, Mode::Live).unwrap()); // migration → backup
    std::fs::remove_file(&path).unwrap();
    match Store::open(&path, Mode::Live) {
        Err(StoreError::Missing { backups, .. }) => assert_eq!(backups.len(), 1),
        other => panic!("expected Missing, got {other:?}"),
    }
    assert!(!path.exists(), "open never creates a file");
}

#[test]
fn a_damaged_file_is_reported_and_can_be_replaced_by_its_backup_keeping_the_damaged_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    // A v1 file, migrated on open (backup taken), then used.
    drop(Store::create_at_version(&path, Mode::Live, 1).unwrap());
    let mut s = Store::open(&path, Mode::Live).unwrap();
    s.save_completed_reception(&full_reception(Mode::Live, "kept", time(2026, 1, 5, 9, 0)))
        .unwrap();
    drop(s);

    // Overwrite the header: the file is no longer a database.
    std::fs::write(
        &path,
        b"this is not a database, it was overwritten by a broken sync tool......",
    )
    .unwrap();
    let backups = match Store::open(&path, Mode::Live) {
        Err(StoreError::Corrupt { backups, .. }) => backups,
        other => panic!("expected Corrupt, got {other:?}"),
    };
    assert_eq!(backups.len(), 1);
    // Opening again gives the same answer (no crash loop, nothing changed).
    assert!(matches!(
        Store::open(&path, Mode::Live),
        Err(StoreError::Corrupt { .. })
    ));

    let aside = Store::restore_backup(&backups[0], &path).unwrap();
    assert!(
        aside.exists() && aside != path,
        "the damaged file is kept aside at {aside:?}"
    );
    let s = Store::open(&path, Mode::Live).unwrap();
    assert_eq!(s.schema_version().unwrap(), LATEST_VERSION);
    assert!(s.integrity_problems().unwrap().is_empty());
}

#[test]
fn an_empty_or_foreign_sqlite_file_is_not_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    std::fs::write(&path, b"").unwrap();
    assert!(matches!(
        Store::open(&path, Mode::Live),
        Err(StoreError::Corrupt { .. })
    ));
}
