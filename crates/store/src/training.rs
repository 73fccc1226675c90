//! Trainee history (issue #8): one row per finished training scenario run — who, which scenario, the score,
//! the time taken, the recorded decisions and the debrief (JSON text the app generates), and when.
//!
//! Kept in training files only: the API refuses a live file with [`StoreError::TrainingOnly`] and a trigger
//! refuses raw SQL too. Deliberately not here: scoring (that is `reception::training`), the certificate, and
//! any update or delete — a finished run is a record, like a reception.

use chrono::NaiveDateTime;

use crate::codec::{guard, parse_time, time_text};
use crate::db::Store;
use crate::error::StoreError;
use crate::model::Mode;
use crate::sql::{get, p, DbRow, Exec};

/// A finished scenario run, as the app saves it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrainingRun {
    /// The trainee's name as typed (1–100 characters).
    pub trainee: String,
    /// Scenario id, e.g. `s05-pin-locked-visual`.
    pub scenario_id: String,
    /// Score 0–100.
    pub score_percent: u32,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub max_points: u32,
    /// Time taken, seconds.
    pub elapsed_secs: u64,
    /// The recorded staff decisions, JSON (an array).
    pub decisions_json: String,
    /// The debrief, JSON.
    pub debrief_json: String,
    /// When the run was finished (clinic clock; in training, the scenario's pinned day).
    pub finished_at: NaiveDateTime,
}

impl TrainingRun {
    /// 100 % is a pass.
    pub fn passed(&self) -> bool {
        self.score_percent == 100
    }
}

/// A run read back, with its row id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredTrainingRun {
    /// Row id.
    pub id: i64,
    /// The run.
    #[serde(flatten)]
    pub run: TrainingRun,
}

const RUN_COLS: &str = "id, trainee, scenario_id, score_percent, points, max_points, elapsed_secs, \
                        decisions_json, debrief_json, finished_at";

fn count<T: TryFrom<i64>>(column: &'static str, v: i64) -> Result<T, StoreError> {
    T::try_from(v).map_err(|_| StoreError::BadValue {
        column,
        value: v.to_string(),
    })
}

fn run_of(r: &dyn DbRow) -> Result<StoredTrainingRun, StoreError> {
    let finished: String = get(r, 9)?;
    Ok(StoredTrainingRun {
        id: get(r, 0)?,
        run: TrainingRun {
            trainee: get(r, 1)?,
            scenario_id: get(r, 2)?,
            score_percent: count("score_percent", get(r, 3)?)?,
            points: count("points", get(r, 4)?)?,
            max_points: count("max_points", get(r, 5)?)?,
            elapsed_secs: count("elapsed_secs", get(r, 6)?)?,
            decisions_json: get(r, 7)?,
            debrief_json: get(r, 8)?,
            finished_at: parse_time("finished_at", &finished)?,
        },
    })
}

impl Store {
    fn training_only(&self) -> Result<(), StoreError> {
        match self.mode {
            Mode::Training => Ok(()),
            Mode::Live => Err(StoreError::TrainingOnly { database: self.mode }),
        }
    }

    /// Saves a finished run; returns its row id. Refused in a live file.
    pub fn save_training_run(&mut self, run: &TrainingRun) -> Result<i64, StoreError> {
        self.training_only()?;
        // The name is typed by a person: it gets the same My Number guard as every other typed text.
        guard("trainee", &run.trainee)?;
        guard("scenario_id", &run.scenario_id)?;
        self.db.insert(
            "INSERT INTO training_runs (trainee, scenario_id, score_percent, points, max_points, elapsed_secs,
                                        decisions_json, debrief_json, finished_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            &p![
                run.trainee.trim(),
                run.scenario_id,
                i64::from(run.score_percent),
                i64::from(run.points),
                i64::from(run.max_points),
                i64::try_from(run.elapsed_secs).unwrap_or(i64::MAX),
                run.decisions_json,
                run.debrief_json,
                time_text(run.finished_at),
            ],
        )
    }

    /// A trainee's runs, oldest first. Refused in a live file.
    pub fn training_runs(&self, trainee: &str) -> Result<Vec<StoredTrainingRun>, StoreError> {
        self.training_only()?;
        self.db.rows(
            &format!("SELECT {RUN_COLS} FROM training_runs WHERE trainee = ?1 ORDER BY finished_at, id"),
            &p![trainee.trim()],
            run_of,
        )
    }

    /// Every trainee's runs (a training centre's class, #15 §3), by trainee, oldest first. Refused in a live file.
    pub fn all_training_runs(&self) -> Result<Vec<StoredTrainingRun>, StoreError> {
        self.training_only()?;
        self.db.rows(
            &format!("SELECT {RUN_COLS} FROM training_runs ORDER BY trainee, finished_at, id"),
            &[],
            run_of,
        )
    }

    /// Every trainee with at least one run, by name. Refused in a live file.
    pub fn trainees(&self) -> Result<Vec<String>, StoreError> {
        self.training_only()?;
        self.db.rows(
            "SELECT DISTINCT trainee FROM training_runs ORDER BY trainee",
            &[],
            |r| get(r, 0),
        )
    }
}
