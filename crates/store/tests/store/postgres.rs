//! The PostgreSQL back-end (#15 §1) on a real server (a private cluster, see `common::pg_cluster`): the schema
//! in step with SQLite's, modes kept apart, the reader that cannot write, a settings string with a password
//! refused, no column that could hold a photo. The record round trips run on both back-ends (`both!` in
//! roundtrip.rs, queries.rs, port.rs, training.rs, export.rs, constraints.rs).

use std::collections::BTreeMap;

use crate::common::*;
use store::*;

/// table → [(column, not null, integer or text)] in column order.
type Columns = BTreeMap<String, Vec<(String, bool, &'static str)>>;

fn sqlite_columns() -> (Columns, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.sqlite");
    drop(Store::create(&path, Mode::Live).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Columns::new();
    for t in tables {
        let cols = c
            .prepare(&format!(
                "SELECT name, \"notnull\", pk, type FROM pragma_table_info('{t}') ORDER BY cid"
            ))
            .unwrap()
            .query_map([], |r| {
                let ty: String = r.get(3)?;
                let pk: i64 = r.get(2)?;
                let notnull: bool = r.get(1)?;
                Ok((
                    r.get::<_, String>(0)?,
                    notnull || pk > 0,
                    if ty == "INTEGER" { "integer" } else { "text" },
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        out.insert(t, cols);
    }
    let indexes = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (out, indexes)
}

fn postgres_columns(target: &PgTarget) -> (Columns, Vec<String>) {
    let mut c = postgres::Client::connect(&target.url, postgres::NoTls).unwrap();
    let mut out = Columns::new();
    for r in c
        .query(
            "SELECT table_name::TEXT, column_name::TEXT, is_nullable::TEXT, data_type::TEXT
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'refinery_schema_history'
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .unwrap()
    {
        let ty: String = r.get(3);
        let kind = match ty.as_str() {
            "bigint" => "integer",
            "text" => "text",
            other => panic!("a column of type {other}: the record holds only integers and text"),
        };
        out.entry(r.get(0))
            .or_default()
            .push((r.get(1), r.get::<_, String>(2) == "NO", kind));
    }
    let indexes = c
        .query(
            "SELECT indexname::TEXT FROM pg_indexes WHERE schemaname = 'public'
               AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    (out, indexes)
}

/// One record, two schemas: every table, column (in order), NOT NULL and type family, and every named index of
/// the SQLite file after all its migrations is in the PostgreSQL database after its own (and nothing else is).
/// A migration added to one side only fails here.
#[test]
fn the_postgres_schema_is_the_sqlite_schema_column_by_column() {
    let target = new_pg_database();
    drop(Store::connect(&target, Mode::Live).unwrap());
    let (lite, lite_idx) = sqlite_columns();
    let (pg, pg_idx) = postgres_columns(&target);
    assert_eq!(
        lite.keys().collect::<Vec<_>>(),
        pg.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, cols) in &lite {
        assert_eq!(Some(cols), pg.get(table), "columns of {table}");
    }
    assert_eq!(lite_idx, pg_idx, "the same named indexes");
}

/// A database holds one mode, as a file does: a training desk pointed at the live database is refused, and the
/// reverse, and the refusal names both.
#[test]
fn a_live_database_refuses_a_training_desk_and_the_reverse() {
    let live = new_pg_database();
    let mut s = Store::connect(&live, Mode::Live).unwrap();
    s.save_completed_reception(&full_reception(Mode::Live, "S-LIVE-1", time(2026, 5, 20, 9, 0)))
        .unwrap();
    match Store::connect(&live, Mode::Training) {
        Err(StoreError::ModeMismatch { expected, found, .. }) => {
            assert_eq!((expected, found.as_str()), (Mode::Training, "live"));
        }
        other => panic!("a training desk on the live database: {other:?}"),
    }
    let training = new_pg_database();
    drop(Store::connect(&training, Mode::Training).unwrap());
    assert!(matches!(
        Store::connect(&training, Mode::Live),
        Err(StoreError::ModeMismatch { .. })
    ));
    // Even raw SQL cannot put a training visit into the live database (the trigger, as in a file).
    let mut raw = postgres::Client::connect(&live.url, postgres::NoTls).unwrap();
    let err = raw
        .execute(
            "INSERT INTO visits (session_id, patient_id, mode, at, kind, identity, presenter, outcome)
             SELECT 'S-RAW', id, 'training', '2026-05-20 09:00:00', 'first', 'pin', 'patient', 'confirmed'
             FROM patients LIMIT 1",
            &[],
        )
        .unwrap_err();
    assert!(
        err.as_db_error()
            .unwrap()
            .message()
            .contains("visit mode does not match"),
        "{err:?}"
    );
    // Two desks of the same mode share the record.
    let other_desk = Store::connect(&live, Mode::Live).unwrap();
    assert_eq!(other_desk.session_ids().unwrap(), vec!["S-LIVE-1".to_owned()]);
}

/// The staff reader's connection is read-only on the server too, and reads what the writer committed.
#[test]
fn a_postgres_reader_sees_commits_and_cannot_write() {
    let target = new_pg_database();
    let mut writer = Store::connect(&target, Mode::Live).unwrap();
    let reader = Store::connect_reader(&target, Mode::Live).unwrap();
    let at = time(2026, 5, 20, 9, 0);
    assert!(reader
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap()
        .is_empty());
    writer
        .save_completed_reception(&full_reception(Mode::Live, "S-1", at))
        .unwrap();
    let seen = reader
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert!(
        reader.location().starts_with("postgres "),
        "{}",
        reader.location()
    );
    let mut raw = postgres::Client::connect(
        &target
            .url
            .replacen('?', "?options=-c%20default_transaction_read_only%3Don&", 1),
        postgres::NoTls,
    )
    .unwrap();
    let err = raw
        .execute("INSERT INTO meta (key, value) VALUES ('x', 'y')", &[])
        .unwrap_err();
    assert!(format!("{err:?}").contains("read-only"), "{err:?}");
}

/// A password belongs in a file or the environment, never in the settings' connection string; a duplicate
/// session is reported as on SQLite; the server's error is readable.
#[test]
fn a_password_in_the_connection_string_is_refused_and_errors_are_worded_as_on_sqlite() {
    let target = new_pg_database();
    let with_password = PgTarget {
        url: target.url.replacen("postgres@", "postgres:secret@", 1),
        password: None,
    };
    match Store::connect(&with_password, Mode::Live) {
        Err(StoreError::PostgresSettings { detail }) => assert!(detail.contains("password"), "{detail}"),
        other => panic!("{other:?}"),
    }
    let debug = format!(
        "{:?}",
        PgTarget {
            url: target.url.clone(),
            password: Some("secret".into())
        }
    );
    assert!(!debug.contains("secret"), "{debug}");
    let mut s = Store::connect(&target, Mode::Live).unwrap();
    let r = full_reception(Mode::Live, "S-DUP", time(2026, 5, 20, 9, 0));
    s.save_completed_reception(&r).unwrap();
    match s.save_completed_reception(&r) {
        Err(StoreError::DuplicateSession(id)) => assert_eq!(id, "S-DUP"),
        other => panic!("{other:?}"),
    }
    let unreachable = PgTarget {
        url: "postgresql://postgres@/uketsuke?host=/nonexistent-uketsuke-socket".into(),
        password: None,
    };
    let err = Store::connect(&unreachable, Mode::Live).unwrap_err().to_string();
    assert!(
        err.starts_with("PostgreSQL: ") && err.len() > "PostgreSQL: db error".len(),
        "{err}"
    );
}

/// #15 §2, §4: four desks save 250 receptions each at the same time into one database, the same twenty
/// patients arriving at every desk. Every reception is there once, no patient is created twice, nothing is
/// left half-written, and each visit names its desk.
#[test]
fn four_desks_saving_at_once_lose_nothing_and_never_create_a_patient_twice() {
    const DESKS: usize = 4;
    const EACH: usize = 250;
    const PEOPLE: usize = 20;
    let target = new_pg_database();
    drop(Store::connect(&target, Mode::Live).unwrap());
    let start = std::sync::Arc::new(std::sync::Barrier::new(DESKS));
    let desks: Vec<_> = (0..DESKS)
        .map(|d| {
            let target = target.clone();
            let start = std::sync::Arc::clone(&start);
            std::thread::spawn(move || {
                let mut s = Store::connect(&target, Mode::Live).unwrap();
                s.set_desk(&format!("受付{}", d + 1)).unwrap();
                start.wait();
                for i in 0..EACH {
                    let person = NewPatient {
                        name: format!("見本 {}", (i + d) % PEOPLE),
                        name_kana: format!("ﾐﾎﾝ {}", (i + d) % PEOPLE),
                        ..patient()
                    };
                    let at = time(2026, 5, 20, 9, 0) + chrono::Duration::seconds(i as i64);
                    s.save_completed_reception(&confirmed(
                        Mode::Live,
                        &format!("S-{d}-{i}"),
                        at,
                        PatientRef::MatchOrCreate(person),
                    ))
                    .unwrap();
                }
            })
        })
        .collect();
    for d in desks {
        d.join().unwrap();
    }
    let s = Store::connect(&target, Mode::Live).unwrap();
    let mut ids = s.session_ids().unwrap();
    assert_eq!(ids.len(), DESKS * EACH, "every reception once");
    ids.dedup();
    assert_eq!(ids.len(), DESKS * EACH);
    assert_eq!(s.orphan_rows().unwrap(), 0);
    let mut raw = postgres::Client::connect(&target.url, postgres::NoTls).unwrap();
    let patients: i64 = raw
        .query_one("SELECT count(*) FROM patients", &[])
        .unwrap()
        .get(0);
    assert_eq!(patients, PEOPLE as i64, "no patient created twice");
    let per_desk: Vec<(String, i64)> = raw
        .query(
            "SELECT desk, count(*) FROM visits GROUP BY desk ORDER BY desk",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        per_desk,
        (1..=DESKS)
            .map(|d| (format!("受付{d}"), EACH as i64))
            .collect::<Vec<_>>()
    );
}

/// An import of many receptions in one transaction (a move from the SQLite file, the benchmark's fill) holds one
/// lock for its new patients, not one per patient: 8,000 new patients in one transaction ran the server out of
/// its lock table ("out of shared memory") before.
#[test]
fn an_import_of_ten_thousand_receptions_in_one_transaction_fits_the_servers_lock_table() {
    let clinic = store::sample::SampleClinic {
        mode: Mode::Live,
        patients: 8_000,
        visits_per_day: 200,
        first_day: date(2024, 4, 1),
    };
    let mut s = Store::connect(&new_pg_database(), Mode::Live).unwrap();
    let ids = s
        .save_completed_receptions((0..10_000).map(|i| clinic.reception(i)))
        .unwrap();
    assert_eq!(ids.len(), 10_000);
    assert_eq!(s.session_ids().unwrap().len(), 10_000);
    assert_eq!(s.orphan_rows().unwrap(), 0);
}

/// A server that gives up the transaction (SQLSTATE 40001, as under SERIALIZABLE when two desks' saves run into
/// each other) `times` times in a row before letting a visit in: a trigger counts on a sequence, which a
/// rollback does not undo.
fn conflicting(target: &PgTarget, times: i64) -> postgres::Client {
    let mut raw = postgres::Client::connect(&target.url, postgres::NoTls).unwrap();
    raw.batch_execute(&format!(
        "CREATE SEQUENCE conflicts;
         CREATE FUNCTION conflict() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF nextval('conflicts') <= {times} THEN
                 RAISE EXCEPTION 'could not serialize access due to concurrent update' USING ERRCODE = '40001';
             END IF;
             RETURN NEW;
         END $$;
         CREATE TRIGGER conflict BEFORE INSERT ON visits FOR EACH ROW EXECUTE FUNCTION conflict();"
    ))
    .unwrap();
    raw
}

/// #15 §2: a reception whose transaction the server gave up because another desk's ran into it is saved by
/// running it again: once, whole, with its patient once.
#[test]
fn a_save_the_server_gave_up_for_a_conflict_runs_again_and_is_kept_once() {
    let target = new_pg_database();
    let mut s = Store::connect(&target, Mode::Live).unwrap();
    let mut raw = conflicting(&target, 2);
    let visit = s
        .save_completed_reception(&full_reception(Mode::Live, "S-1", time(2026, 5, 20, 9, 0)))
        .unwrap();
    assert!(s.reception(visit).unwrap().is_some());
    assert_eq!(s.session_ids().unwrap(), vec!["S-1".to_owned()]);
    assert_eq!(s.orphan_rows().unwrap(), 0);
    let counts: (i64, i64, i64) = {
        let r = raw
            .query_one(
                "SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM visits),
                        (SELECT last_value FROM conflicts)",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    assert_eq!(counts, (1, 1, 3), "two attempts given up, the third kept");
}

/// A conflict that does not clear is an error the desk sees (the outbox is for a server that is away, not for a
/// refusal), and nothing of the reception is half-kept.
#[test]
fn a_conflict_that_does_not_clear_is_an_error_and_keeps_nothing() {
    let target = new_pg_database();
    let mut s = Store::connect(&target, Mode::Live).unwrap();
    let _raw = conflicting(&target, 1_000);
    let err = s
        .save_completed_reception(&full_reception(Mode::Live, "S-1", time(2026, 5, 20, 9, 0)))
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(!err.is_unreachable(), "not queued as if the server were away");
    assert!(err.to_string().contains("40001"), "{err}");
    assert!(s.session_ids().unwrap().is_empty());
    assert_eq!(s.orphan_rows().unwrap(), 0);
}

/// #15 §2: a desk hears another desk's committed change (its console reloads today's list), and nothing of a
/// save that was refused and rolled back.
#[test]
fn a_listener_hears_each_committed_change_of_another_desk_and_no_rolled_back_one() {
    let target = new_pg_database();
    let mut a = Store::connect(&target, Mode::Live).unwrap();
    let mut listener = ChangeListener::connect(&target).unwrap();
    let wait = std::time::Duration::from_secs(20);
    assert!(!listener.wait(std::time::Duration::from_millis(200)).unwrap());

    let visit = a
        .save_completed_reception(&full_reception(Mode::Live, "S-1", time(2026, 5, 20, 9, 0)))
        .unwrap();
    assert!(listener.wait(wait).unwrap(), "a save is heard");
    assert!(!listener.wait(std::time::Duration::from_millis(200)).unwrap());

    // The same session again: refused, rolled back, not announced.
    a.save_completed_reception(&full_reception(Mode::Live, "S-1", time(2026, 5, 20, 9, 5)))
        .unwrap_err();
    assert!(
        !listener.wait(std::time::Duration::from_millis(500)).unwrap(),
        "a refused save changes nothing"
    );

    a.void_reception(
        visit,
        VoidReason::OtherPersonsData,
        time(2026, 5, 20, 9, 10),
        "staff",
    )
    .unwrap();
    assert!(listener.wait(wait).unwrap(), "a void is heard");

    for i in 0..5 {
        a.save_completed_reception(&full_reception(
            Mode::Live,
            &format!("S-burst-{i}"),
            time(2026, 5, 20, 10, i),
        ))
        .unwrap();
    }
    assert!(listener.wait(wait).unwrap());
    // What had come by then is taken with the first: at most one notice per save is left.
    let mut more = 0;
    while listener.wait(std::time::Duration::from_millis(300)).unwrap() {
        more += 1;
    }
    assert!(more < 5, "{more} more notices for 5 saves");
}

/// The listener says when the server went away (the desk connects again and reloads once).
#[test]
fn a_listener_whose_server_stops_says_so() {
    let cluster = store::pgtest::OwnCluster::start();
    let mut listener = ChangeListener::connect(&cluster.target()).unwrap();
    cluster.stop();
    let mut heard = Ok(false);
    for _ in 0..100 {
        heard = listener.wait(std::time::Duration::from_millis(100));
        if heard.is_err() {
            break;
        }
    }
    let err = heard.unwrap_err();
    assert!(err.is_unreachable(), "{err}");
}
