//! A read-only connection for staff screens, next to the reception writer.
//!
//! The reception flow writes on the [`Store`] it owns; a staff screen (day list, patient search, CSV export,
//! 再診 history, trainee history) that queried the same connection would queue behind the flow, and a slow
//! query would hold up a reception. A [`StoreReader`] is a second connection to the same file, opened
//! read-only by [`Store::open_reader`]. The file is in WAL mode, so the reader answers from the last committed
//! state at once, even while the writer holds a write transaction open.
//!
//! Each call runs in one read transaction, so a query made of several statements (a whole reception with its
//! refund task and audit entries) sees one committed state even if the writer commits in between.
//! Deliberately not here: any write (the connection cannot write), migrations (the writer's job), and
//! maintenance (integrity checks, backups).

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::Store;
use crate::error::StoreError;
use crate::export::CsvEncoding;
use crate::model::{
    ConsentStatus, LastEligibility, Mode, Patient, PatientId, ReceptionFilter, ReceptionSummary, RefundTask,
    StoredReception, VisitId,
};
use crate::training::StoredTrainingRun;

/// A read-only connection to a reception database of one mode (see [`Store::open_reader`]).
#[derive(Debug)]
pub struct StoreReader {
    /// A store whose connection SQLite opened read-only (or a read-only server connection); only its queries
    /// are offered. In a cell so a read can reconnect after the server came back.
    inner: std::cell::RefCell<Store>,
    path: Option<std::path::PathBuf>,
}

impl StoreReader {
    pub(crate) fn new(inner: Store) -> StoreReader {
        let path = inner.path().map(std::path::Path::to_path_buf);
        StoreReader {
            inner: std::cell::RefCell::new(inner),
            path,
        }
    }

    /// Runs `query` in one read transaction (a WAL snapshot of the last commit; on PostgreSQL a repeatable-read,
    /// read-only transaction). A server that went away and came back is reconnected to once, and the query
    /// asked again.
    fn read<T>(&self, query: impl Fn(&Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let first = {
            let s = self.inner.borrow();
            s.db.read_snapshot(|| query(&s))
        };
        match first {
            Err(e) if e.is_unreachable() => {
                self.inner.borrow_mut().reconnect()?;
                let s = self.inner.borrow();
                s.db.read_snapshot(|| query(&s))
            }
            other => other,
        }
    }

    /// The mode this file holds.
    pub fn mode(&self) -> Mode {
        self.inner.borrow().mode()
    }

    /// Where the record is (see [`Store::location`]).
    pub fn location(&self) -> String {
        self.inner.borrow().location()
    }

    /// The file path.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// See [`Store::receptions_on`].
    pub fn receptions_on(
        &self,
        day: NaiveDate,
        filter: &ReceptionFilter,
    ) -> Result<Vec<ReceptionSummary>, StoreError> {
        self.read(|s| s.receptions_on(day, filter))
    }

    /// See [`Store::reception`].
    pub fn reception(&self, visit: VisitId) -> Result<Option<StoredReception>, StoreError> {
        self.read(|s| s.reception(visit))
    }

    /// See [`Store::patient`].
    pub fn patient(&self, id: PatientId) -> Result<Option<Patient>, StoreError> {
        self.read(|s| s.patient(id))
    }

    /// See [`Store::find_patients`].
    pub fn find_patients(
        &self,
        kana_prefix: Option<&str>,
        birthdate: Option<NaiveDate>,
    ) -> Result<Vec<Patient>, StoreError> {
        self.read(|s| s.find_patients(kana_prefix, birthdate))
    }

    /// See [`Store::last_valid_eligibility`].
    pub fn last_valid_eligibility(&self, patient: PatientId) -> Result<Option<LastEligibility>, StoreError> {
        self.read(|s| s.last_valid_eligibility(patient))
    }

    /// See [`Store::consent_status`].
    pub fn consent_status(
        &self,
        patient: PatientId,
        now: NaiveDateTime,
    ) -> Result<Option<ConsentStatus>, StoreError> {
        self.read(|s| s.consent_status(patient, now))
    }

    /// See [`Store::open_refund_tasks`].
    pub fn open_refund_tasks(&self) -> Result<Vec<RefundTask>, StoreError> {
        self.read(|s| s.open_refund_tasks())
    }

    /// See [`Store::export_day_csv`].
    pub fn export_day_csv(&self, day: NaiveDate, encoding: CsvEncoding) -> Result<Vec<u8>, StoreError> {
        self.read(|s| s.export_day_csv(day, encoding))
    }

    /// See [`Store::training_runs`]; refused in a live file.
    pub fn training_runs(&self, trainee: &str) -> Result<Vec<StoredTrainingRun>, StoreError> {
        self.read(|s| s.training_runs(trainee))
    }

    /// See [`Store::trainees`]; refused in a live file.
    pub fn trainees(&self) -> Result<Vec<String>, StoreError> {
        self.read(|s| s.trainees())
    }

    /// See [`Store::all_training_runs`]; refused in a live file.
    pub fn all_training_runs(&self) -> Result<Vec<StoredTrainingRun>, StoreError> {
        self.read(|s| s.all_training_runs())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::sample::SampleClinic;

    fn clinic() -> SampleClinic {
        SampleClinic {
            mode: Mode::Training,
            patients: 20,
            visits_per_day: 10,
            first_day: NaiveDate::from_ymd_opt(2026, 2, 2).unwrap(),
        }
    }

    #[test]
    fn a_reader_answers_at_once_with_the_last_commit_while_the_writer_holds_a_write_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("training.sqlite");
        let clinic = clinic();
        let day = clinic.time_of(0).date();
        let mut writer = Store::create(&path, Mode::Training).unwrap();
        writer.save_completed_reception(&clinic.reception(0)).unwrap();
        let reader = Store::open_reader(&path, Mode::Training).unwrap();
        // No waiting allowed: a read that had to wait for the writer's lock fails at once with SQLITE_BUSY
        // instead of sitting out the busy timeout.
        reader
            .inner
            .borrow()
            .db
            .sqlite()
            .unwrap()
            .busy_timeout(Duration::ZERO)
            .unwrap();

        // The writer is mid-reception: its transaction has written a visit but not committed. EXCLUSIVE so
        // that without WAL (rollback journal) this would lock readers out, and the test would fail.
        let crate::db::Db::Sqlite(conn) = &mut writer.db else {
            panic!("a file store")
        };
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
            .unwrap();
        crate::write::insert_reception(&*tx, &clinic.reception(1), None).unwrap();

        let seen = reader.receptions_on(day, &ReceptionFilter::default()).unwrap();
        assert_eq!(
            seen.iter().map(|r| r.session_id.as_str()).collect::<Vec<_>>(),
            [SampleClinic::session_id(0)],
            "only the committed reception is visible"
        );
        assert!(reader.export_day_csv(day, CsvEncoding::Utf8Bom).is_ok());

        tx.commit().unwrap();
        let after = reader.receptions_on(day, &ReceptionFilter::default()).unwrap();
        assert_eq!(after.len(), 2, "the next read sees the new commit");
    }

    #[test]
    fn a_reader_cannot_write_even_with_raw_sql() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("training.sqlite");
        drop(Store::create(&path, Mode::Training).unwrap());
        let reader = Store::open_reader(&path, Mode::Training).unwrap();
        let err = reader
            .inner
            .borrow()
            .db
            .sqlite()
            .unwrap()
            .execute(
                "INSERT INTO audit_log (at, actor, action) VALUES ('2026-02-02 09:00:00', 'x', 'y')",
                [],
            )
            .unwrap_err();
        assert!(err.to_string().contains("readonly"), "{err}");
    }
}
