//! Files written by every earlier schema version open, migrate after a backup, and keep their records.

use crate::common::*;
use store::*;

/// Rows written with the raw SQL of schema `version`, as an older program would have written them.
fn fill_old_file(path: &std::path::Path, version: i64) {
    let c = rusqlite::Connection::open(path).unwrap();
    match version {
        // v2 and later write the same rows; from v2 on the kana search key is written with the patient, from
        // v4 on a card-less document names its school-trip / nursery setting.
        2..=7 => {
            fill_v1_rows(&c, version >= 4);
            c.execute(
                "UPDATE patients SET kana_key = ?1 WHERE id = 1",
                [kana_search_key("ｷｭｳﾊﾞﾝ ｲﾁﾛｳ")],
            )
            .unwrap();
        }
        1 => fill_v1_rows(&c, false),
        v => panic!("no fixture for schema version {v}: add one when a migration is added"),
    }
}

fn fill_v1_rows(c: &rusqlite::Connection, with_setting: bool) {
    let sql =
                "INSERT INTO patients (id, name, name_kana, birthdate, sex) VALUES (1, '旧版 一郎', 'ｷｭｳﾊﾞﾝ ｲﾁﾛｳ', '1950-05-05', 'male');
                 INSERT INTO visits (id, session_id, patient_id, mode, at, kind, identity, presenter, outcome)
                   VALUES (1, 'old-1', 1, 'live', '2025-06-02 09:00:00', 'return', 'pin', 'patient', 'confirmed');
                 INSERT INTO eligibility_snapshots (visit_id, patient_id, confirmation_date, reference, validity,
                   insurer_number, card_number, name, name_kana, sex, birthdate, preschool)
                   VALUES (1, 1, '2025-06-02', 'card', '1', '39131234', '7654321', '旧版 一郎', 'ｷｭｳﾊﾞﾝ ｲﾁﾛｳ', 'male', '1950-05-05', 0);
                 INSERT INTO consents (visit_id, patient_id, given_at, expires_at, scope, item_medical, item_surgery,
                   item_checkups, flag_pharmacists, flag_diagnosis, flag_operation, flag_checkups, flag_limit)
                   VALUES (1, 1, '2025-06-02 09:00:00', '2025-06-03 09:00:00', 'comprehensive', 1, 1, 1, 1, 1, 1, 1, 1);
                 INSERT INTO audit_log (at, visit_id, actor, action) VALUES ('2025-06-02 09:00:00', 1, 'reader', 'reception.completed');
                 -- Before v4 the school-trip / nursery setting lived only in the visit note the adapter wrote.
                 INSERT INTO visits (id, session_id, patient_id, mode, at, kind, identity, presenter, outcome, fallback, note)
                   VALUES (2, 'old-2', 1, 'live', '2025-06-03 09:00:00', 'return', 'no_card', 'proxy', 'paper_document',
                           'school_trip', '保育所等（カードなし・付き添いあり）');
                 INSERT INTO paper_documents (visit_id, position, kind, insurer_number, card_number, birthdate, with_card, chaperone)
                   VALUES (2, 0, 'portal_pdf', '39131234', '7654321', '1950-05-05', 0, '保育士 見本');
                 INSERT INTO visits (id, session_id, patient_id, mode, at, kind, identity, presenter, outcome, fallback, note)
                   VALUES (3, 'old-3', 1, 'live', '2025-06-04 09:00:00', 'return', 'no_card', 'proxy', 'paper_document',
                           'school_trip', '障害区分: 通信障害; 修学旅行等（カードなし・付き添いあり）');
                 INSERT INTO paper_documents (visit_id, position, kind, insurer_number, card_number, birthdate, with_card, chaperone)
                   VALUES (3, 0, 'eligibility_notice', '39131234', '7654321', '1950-05-05', 0, '引率 見本'),
                          (3, 1, 'legacy_insurance_card', '39131234', '7654321', '1950-05-05', 1, NULL);
                 -- A 申立書 of a program that did not ask the share yet (before v6).
                 INSERT INTO visits (id, session_id, patient_id, mode, at, kind, identity, presenter, outcome, fallback)
                   VALUES (4, 'old-4', 1, 'live', '2025-06-05 09:00:00', 'first', 'pin', 'patient', 'declaration',
                           'declaration');
                 INSERT INTO declarations (visit_id, visit_date, written_on, name, name_kana, birthdate, sex, address,
                   insurance_type, relationship, attested, card_front_checked)
                   VALUES (4, '2025-06-05', '2025-06-05', '旧版 一郎', 'ｷｭｳﾊﾞﾝ ｲﾁﾛｳ', '1950-05-05', 'male', '見本市1-1',
                           'national', 'insured', 1, 0);";
    let sql = if with_setting {
        sql.replace("with_card, chaperone)", "with_card, chaperone, group_setting)")
            .replace("0, '保育士 見本')", "0, '保育士 見本', 'nursery')")
            .replace("0, '引率 見本')", "0, '引率 見本', 'school_trip')")
            .replace("1, NULL);", "1, NULL, NULL);")
    } else {
        sql.to_owned()
    };
    c.execute_batch(&sql).unwrap();
}

#[test]
fn every_earlier_schema_version_migrates_to_the_latest_and_keeps_its_records() {
    for version in 1..LATEST_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.sqlite");
        let old = Store::create_at_version(&path, Mode::Live, version).unwrap();
        assert_eq!(old.schema_version().unwrap(), version);
        drop(old);
        fill_old_file(&path, version);

        let s = Store::open(&path, Mode::Live).unwrap();
        assert_eq!(s.schema_version().unwrap(), LATEST_VERSION, "from v{version}");
        assert!(s.integrity_problems().unwrap().is_empty());

        // The old rows read through today's API, including columns added later.
        let visit = s.visit_of_session("old-1").unwrap().expect("old visit kept");
        let back = s.reception(visit).unwrap().unwrap();
        assert_eq!(back.patient.name, "旧版 一郎");
        assert_eq!(back.consent.unwrap().prescription_format, None);
        assert_eq!(back.audit.len(), 1);
        // The kana search key was backfilled for patients written before it existed.
        let found = s.find_patients(Some("きゅうばん"), None).unwrap();
        assert_eq!(
            found.len(),
            1,
            "from v{version}: backfilled kana key finds the old patient"
        );
        assert_eq!(
            s.last_valid_eligibility(back.patient.id)
                .unwrap()
                .unwrap()
                .snapshot
                .insurer_number,
            "39131234"
        );

        // The school-trip / nursery setting was backfilled from the note; a document with the card has none.
        let group_of = |session: &str| -> Vec<Option<(GroupSetting, String)>> {
            let v = s.visit_of_session(session).unwrap().unwrap();
            s.reception(v)
                .unwrap()
                .unwrap()
                .documents
                .into_iter()
                .map(|d| d.group)
                .collect()
        };
        assert_eq!(
            group_of("old-2"),
            vec![Some((GroupSetting::Nursery, "保育士 見本".to_owned()))],
            "from v{version}"
        );
        assert_eq!(
            group_of("old-3"),
            vec![Some((GroupSetting::SchoolTrip, "引率 見本".to_owned())), None],
            "from v{version}"
        );
        let kinds: Vec<DocumentKind> = {
            let v = s.visit_of_session("old-3").unwrap().unwrap();
            s.reception(v)
                .unwrap()
                .unwrap()
                .documents
                .into_iter()
                .map(|d| d.kind)
                .collect()
        };
        assert_eq!(kinds, vec![DocumentKind::Notice, DocumentKind::LegacyCard]);
        let old_declaration = {
            let v = s.visit_of_session("old-4").unwrap().unwrap();
            s.reception(v)
                .unwrap()
                .unwrap()
                .declaration
                .expect("old 申立書 kept")
        };
        assert_eq!(
            (old_declaration.address.as_str(), old_declaration.copay_percent),
            ("見本市1-1", None),
            "from v{version}: a 申立書 stored before the share was asked reads with none"
        );

        // A backup of the old file was taken first, and it still is the old version.
        let backups = backups_of(&path);
        assert_eq!(backups.len(), 1, "one backup per migration: {backups:?}");
        let b = rusqlite::Connection::open(&backups[0]).unwrap();
        let v: i64 = b.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, version);
        let visits: i64 = b
            .query_row("SELECT count(*) FROM visits", [], |r| r.get(0))
            .unwrap();
        assert_eq!(visits, 4);
    }
}

#[test]
fn opening_a_current_file_takes_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    drop(Store::create(&path, Mode::Live).unwrap());
    drop(Store::open(&path, Mode::Live).unwrap());
    assert!(backups_of(&path).is_empty());
}

#[test]
fn a_file_from_a_newer_program_is_refused_without_being_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    drop(Store::create(&path, Mode::Live).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    assert!(matches!(
        Store::open(&path, Mode::Live),
        Err(StoreError::TooNew { found: 99, .. })
    ));
    assert!(backups_of(&path).is_empty());
}

#[test]
fn a_new_file_is_created_at_the_latest_version_with_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("training.sqlite");
    let s = Store::create(&path, Mode::Training).unwrap();
    assert_eq!(
        (s.schema_version().unwrap(), s.mode()),
        (LATEST_VERSION, Mode::Training)
    );
    assert!(matches!(
        Store::create(&path, Mode::Training),
        Err(StoreError::AlreadyExists { .. })
    ));
}

#[test]
fn a_migrated_file_accepts_new_receptions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    drop(Store::create_at_version(&path, Mode::Live, 1).unwrap());
    let mut s = Store::open(&path, Mode::Live).unwrap();
    let id = s
        .save_completed_reception(&full_reception(Mode::Live, "new", time(2026, 2, 2, 9, 0)))
        .unwrap();
    assert!(s.reception(id).unwrap().is_some());
}
