//! Trainee history: runs saved and read back per trainee, kept in training files only, and added to files
//! written before it existed.

use crate::common::*;
use store::*;

fn run(trainee: &str, scenario: &str, score: u32, at: chrono::NaiveDateTime) -> TrainingRun {
    TrainingRun {
        trainee: trainee.into(),
        scenario_id: scenario.into(),
        score_percent: score,
        points: score / 10,
        max_points: 10,
        elapsed_secs: 95,
        decisions_json: r#"[{"kind":"Identify","value":"Pin"}]"#.into(),
        debrief_json: format!(r#"{{"scenario_id":"{scenario}","score_percent":{score}}}"#),
        finished_at: at,
    }
}

both! {
fn a_trainees_runs_read_back_oldest_first_and_only_theirs() {
    let mut s = fresh(Mode::Training);
    let late = run("研修 太郎", "s02-face-ordinary", 50, time(2025, 12, 3, 10, 5));
    let early = run("研修 太郎", "s01-pin-ordinary", 100, time(2025, 11, 30, 10, 2));
    let other = run("見習 花子", "s01-pin-ordinary", 100, time(2025, 11, 30, 10, 3));
    let id_late = s.save_training_run(&late).unwrap();
    let id_early = s.save_training_run(&early).unwrap();
    s.save_training_run(&other).unwrap();

    let back = s.training_runs("研修 太郎").unwrap();
    assert_eq!(
        back,
        vec![
            StoredTrainingRun {
                id: id_early,
                run: early.clone()
            },
            StoredTrainingRun {
                id: id_late,
                run: late
            },
        ]
    );
    assert!(back[0].run.passed() && !back[1].run.passed());
    assert_eq!(s.trainees().unwrap(), vec!["研修 太郎", "見習 花子"]);
    assert!(s.training_runs("誰でもない").unwrap().is_empty());
}
}

both! {
fn a_trainee_name_is_stored_without_surrounding_spaces_so_history_stays_together() {
    let mut s = fresh(Mode::Training);
    s.save_training_run(&run(
        " 研修 太郎　",
        "s01-pin-ordinary",
        100,
        time(2025, 11, 30, 10, 0),
    ))
    .unwrap();
    assert_eq!(s.training_runs("研修 太郎").unwrap().len(), 1);
    assert_eq!(s.trainees().unwrap(), vec!["研修 太郎"]);
}
}

both! {
fn trainee_history_is_refused_in_a_live_file() {
    let mut s = fresh(Mode::Live);
    let r = run("研修 太郎", "s01-pin-ordinary", 100, time(2025, 11, 30, 10, 0));
    assert!(matches!(
        s.save_training_run(&r),
        Err(StoreError::TrainingOnly { database: Mode::Live })
    ));
    assert!(matches!(
        s.training_runs("研修 太郎"),
        Err(StoreError::TrainingOnly { .. })
    ));
    assert!(matches!(s.trainees(), Err(StoreError::TrainingOnly { .. })));
}
}

#[test]
fn even_raw_sql_cannot_put_a_training_run_into_a_live_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    drop(Store::create(&path, Mode::Live).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    let err = c
        .execute(
            "INSERT INTO training_runs (trainee, scenario_id, score_percent, points, max_points, elapsed_secs,
               decisions_json, debrief_json, finished_at)
             VALUES ('a', 's01', 100, 2, 2, 1, '[]', '{}', '2025-11-30 10:00:00')",
            [],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("training database files only"), "{err}");
}

both! {
fn a_run_with_broken_json_or_impossible_points_is_refused_by_the_schema() {
    let mut s = fresh(Mode::Training);
    let mut bad_json = run("研修 太郎", "s01-pin-ordinary", 100, time(2025, 11, 30, 10, 0));
    bad_json.debrief_json = "{not json".into();
    match s.save_training_run(&bad_json) {
        Err(StoreError::Constraint(m)) => assert!(m.contains("training_debrief_json"), "{m}"),
        other => panic!("expected a constraint error, got {other:?}"),
    }
    let mut too_many = run("研修 太郎", "s01-pin-ordinary", 100, time(2025, 11, 30, 10, 0));
    too_many.points = 11;
    match s.save_training_run(&too_many) {
        Err(StoreError::Constraint(m)) => assert!(m.contains("training_points_within_max"), "{m}"),
        other => panic!("expected a constraint error, got {other:?}"),
    }
    assert!(s.trainees().unwrap().is_empty());
}
}

both! {
fn a_trainee_name_holding_a_my_number_is_refused() {
    let mut s = fresh(Mode::Training);
    let r = run(
        "1234 5678 9012",
        "s01-pin-ordinary",
        100,
        time(2025, 11, 30, 10, 0),
    );
    assert!(matches!(
        s.save_training_run(&r),
        Err(StoreError::ForbiddenNumber { field: "trainee" })
    ));
}
}

#[test]
fn a_training_file_from_before_trainee_history_migrates_and_accepts_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("training.sqlite");
    drop(Store::create_at_version(&path, Mode::Training, LATEST_VERSION - 1).unwrap());
    let mut s = Store::open(&path, Mode::Training).unwrap();
    assert_eq!(s.schema_version().unwrap(), LATEST_VERSION);
    assert_eq!(backups_of(&path).len(), 1);
    s.save_training_run(&run(
        "研修 太郎",
        "s01-pin-ordinary",
        100,
        time(2025, 11, 30, 10, 0),
    ))
    .unwrap();
    drop(s);
    let s = Store::open(&path, Mode::Training).unwrap();
    assert_eq!(s.training_runs("研修 太郎").unwrap().len(), 1);
}

both! {
/// A class (#15 §3): every trainee's runs at once, by trainee then time; refused in a live database.
fn the_whole_class_reads_back_by_trainee_then_time() {
    let mut s = fresh(Mode::Training);
    for r in [
        run("見習 花子", "s01-pin-ordinary", 100, time(2025, 11, 30, 10, 3)),
        run("研修 太郎", "s02-face-ordinary", 50, time(2025, 12, 3, 10, 5)),
        run("研修 太郎", "s01-pin-ordinary", 100, time(2025, 11, 30, 10, 2)),
    ] {
        s.save_training_run(&r).unwrap();
    }
    let all: Vec<(String, String)> = s
        .all_training_runs()
        .unwrap()
        .into_iter()
        .map(|r| (r.run.trainee, r.run.scenario_id))
        .collect();
    assert_eq!(
        all,
        [
            ("研修 太郎", "s01-pin-ordinary"),
            ("研修 太郎", "s02-face-ordinary"),
            ("見習 花子", "s01-pin-ordinary"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert!(matches!(
        fresh(Mode::Live).all_training_runs(),
        Err(StoreError::TrainingOnly { .. })
    ));
}
}
