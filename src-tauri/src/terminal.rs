//! Live beside a real 資格確認端末 (#16 §1): which eligibility path live mode takes, and the certified reader's
//! results taken into the desk's record.
//!
//! - [`LiveEligibility`]: the 端末's folders (`oqs::terminal::FolderPort`) when they are set, else the
//!   configured OQS endpoint over HTTPS (`oqs::EligibilityPort`). Through the folders only 記号番号 queries
//!   go: a card placed on Uketsuke's own (generic) reader is read and the identity checked here, and the
//!   online check by certificate is left to the certified reader (`ErrorCode::CertifiedReaderOnly`).
//! - [`take_face_result`]: each `OQSsiquc01res_face_*.xml` becomes a reception in today's list (資格有効), or,
//!   for an error or 資格なし, a line the console shows with 「代替手段へ」, the wizard opening by itself when
//!   the desk is free. The store takes each file once, ever (`terminal_results`).
//!
//! Deliberately not here: reading the folders (crates/oqs), the flow's rules (crates/reception).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDateTime;
use oqs::terminal::{FaceFile, FaceResult, FolderPort};
use reception::flow::ErrorCode;
use reception::model::{
    CertQuery, CertRef, ConsentMode, ConsentRecord, EligibilityError, EligibilityResponse, NumberQuery,
    QualificationValidity, Registration, Segment,
};
use reception::paper::{Basis, Billing, ProblemKind, ReceptionRecord};
use reception::OnlineEligibility;
use serde::Serialize;

/// Live mode's eligibility path.
pub enum LiveEligibility {
    /// The configured OQS endpoint (and training's mock on 127.0.0.1).
    Service(oqs::EligibilityPort),
    /// The 資格確認端末's request and result folders.
    Terminal(FolderPort),
}

impl LiveEligibility {
    fn port(&mut self) -> &mut dyn OnlineEligibility {
        match self {
            LiveEligibility::Service(p) => p,
            LiveEligibility::Terminal(p) => p,
        }
    }
}

impl OnlineEligibility for LiveEligibility {
    fn registration_status(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError> {
        self.port().registration_status(cert)
    }
    fn register(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError> {
        self.port().register(cert)
    }
    fn query_by_certificate(&mut self, q: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
        self.port().query_by_certificate(q)
    }
    fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
        self.port().query_by_numbers(q)
    }
}

/// What the certified reader's file said, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct CertifiedReaderResult {
    /// The file (`OQSsiquc01res_face_<YYYYMMDDHHMMSS>.xml`).
    pub file: String,
    /// When the reader finished (the file's 処理実行日時, else its name).
    pub at: NaiveDateTime,
    /// The patient's name, when the answer has one.
    pub name: Option<String>,
    /// In today's list, or for the desk.
    pub outcome: CertifiedOutcome,
    /// Why the desk must take over (a code the console words).
    pub problem: Option<CertifiedProblem>,
    /// The service's code and message for an error answer (simulated codes are labelled as such).
    pub detail: Option<String>,
    /// The wizard's problem class for this result, so it opens at the first step that applies (a 資格なし
    /// skips 再試行: retrying at this desk's reader cannot check what the certified reader answered).
    pub classified: Option<ProblemKind>,
}

/// Where a certified reader's result went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum CertifiedOutcome {
    /// 資格有効: saved as a reception (today's list).
    Received,
    /// Not a confirmed eligibility: the desk continues in the fallback wizard.
    NeedsDesk,
}

/// Why a certified reader's result needs the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum CertifiedProblem {
    /// 資格なし (無効, 該当資格なし, 複数該当 …).
    NotEligible,
    /// 処理中 / 異常終了 / a per-person error.
    ServiceError,
    /// The file could not be read as a result.
    Unreadable,
}

/// The certified reader's recent results (newest last), for the console.
#[derive(Clone, Default)]
pub struct CertifiedLog(Arc<Mutex<VecDeque<CertifiedReaderResult>>>);

/// How many lines the console keeps.
const LOG_LINES: usize = 30;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CertifiedLog {
    /// The lines, oldest first.
    pub fn lines(&self) -> Vec<CertifiedReaderResult> {
        lock(&self.0).iter().cloned().collect()
    }

    fn push(&self, line: CertifiedReaderResult) {
        let mut l = lock(&self.0);
        if l.len() >= LOG_LINES {
            l.pop_front();
        }
        l.push_back(line);
    }
}

/// What one face result becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// A confirmed eligibility: this reception.
    Reception(Box<ReceptionRecord>),
    /// For the desk.
    NeedsDesk(CertifiedProblem, Option<String>, ProblemKind),
}

/// The wizard's class of a certified reader's problem: the class the flow gives the same answer of its own
/// (`ErrorCode::of_validity`, `ErrorCode::problem`). A file that cannot be read is the reader's fault (機器故障).
fn problem_kind(problem: CertifiedProblem, validity: Option<QualificationValidity>) -> ProblemKind {
    let code = match problem {
        CertifiedProblem::NotEligible => validity
            .and_then(ErrorCode::of_validity)
            .unwrap_or(ErrorCode::NoEligibilityData),
        CertifiedProblem::ServiceError => ErrorCode::ServiceError,
        CertifiedProblem::Unreadable => ErrorCode::ReaderFailure,
    };
    code.problem().unwrap_or(ProblemKind::DeviceFailure)
}

fn needs_desk(
    problem: CertifiedProblem,
    detail: Option<String>,
    validity: Option<QualificationValidity>,
) -> Taken {
    Taken::NeedsDesk(problem, detail, problem_kind(problem, validity))
}

/// The moment a face result stands for: its 処理実行日時, else the stamp in its name, else `fallback`.
fn finished_at(face: &FaceResult, fallback: NaiveDateTime) -> NaiveDateTime {
    let stamp = face
        .name
        .strip_prefix(oqs::files::FACE_RESULT_PREFIX)
        .and_then(|s| s.get(..14));
    face.msg
        .header
        .process_execution_time
        .as_deref()
        .and_then(oqs::derived::parse_timestamp)
        .or_else(|| stamp.and_then(oqs::derived::parse_timestamp))
        .unwrap_or(fallback)
}

/// Maps one face result onto the record: only 正常終了 with 資格有効 is a reception (basis: online by card,
/// identity and consent as the certified reader took them); everything else goes to the desk.
pub fn taken_of(face: &FaceResult, at: NaiveDateTime) -> Taken {
    let msg = match oqs::client::classify(face.msg.clone()) {
        Ok(m) => m,
        Err(e) => return needs_desk(CertifiedProblem::ServiceError, Some(e.to_string()), None),
    };
    let resp = match oqs::reception_port::response_from_msg(&msg, at.date()) {
        Ok(r) => r,
        Err(e) => return needs_desk(CertifiedProblem::Unreadable, Some(e.to_string()), None),
    };
    if let Segment::Error { code } = &resp.segment {
        return needs_desk(CertifiedProblem::ServiceError, Some(code.clone()), None);
    }
    let (Some(QualificationValidity::Valid), Some(record)) = (resp.validity, resp.record.clone()) else {
        return needs_desk(
            CertifiedProblem::NotEligible,
            resp.validity.map(|v| format!("{v:?}")),
            resp.validity,
        );
    };
    let c = &record.consent;
    let consent = match (c.given_at, c.valid_until) {
        (Some(given_at), Some(valid_until)) => Some(ConsentRecord {
            mode: if c.treatment_and_medicine && c.surgery && c.health_checkup {
                ConsentMode::Comprehensive
            } else {
                ConsentMode::Individual
            },
            treatment_and_medicine: c.treatment_and_medicine,
            surgery: c.surgery,
            health_checkup: c.health_checkup,
            // Since 2024-10-07 the reader asks no separate 限度額 consent (domain.md §2(b) 1).
            limit_info: true,
            given_at,
            valid_until,
        }),
        _ => None,
    };
    let medical = consent.is_some() && !record.medical_viewing_suspended;
    Taken::Reception(Box::new(ReceptionRecord {
        completed_at: at,
        basis: Basis::OnlineCard,
        billing: Billing::NormalShare,
        operator: reception::model::Operator::Patient,
        method: None,
        cert_serial: None,
        cert_status: None,
        consent,
        prescription: None,
        medical_info_available: medical,
        validity: resp.validity,
        eligibility: Some(record),
        confirmed_on: Some(resp.confirmed_on),
        document: None,
        declaration: None,
        problem: None,
        refund_task: None,
        recheck_online: false,
    }))
}

/// Where the face import writes and whom it tells.
pub struct FaceImport {
    /// The desk's store.
    pub store: Arc<Mutex<crate::app::AppStore>>,
    /// The reception flow (to open the wizard when the desk is free).
    pub session: crate::session::Session,
    /// The console's list.
    pub log: CertifiedLog,
    /// Called after a reception was saved (the console reloads today's list).
    pub changed: Arc<dyn Fn() + Send + Sync>,
    /// The clinic clock.
    pub now: Box<dyn Fn() -> NaiveDateTime + Send>,
}

impl FaceImport {
    /// Takes one file from the watcher; `false` leaves it to be offered again (the store could not write).
    pub fn take(&mut self, file: FaceFile) -> bool {
        let now = (self.now)();
        let (name, taken, at) = match file {
            Ok(face) => {
                let at = finished_at(&face, now);
                (face.name.clone(), taken_of(&face, at), at)
            }
            Err((name, why)) => (
                name,
                needs_desk(CertifiedProblem::Unreadable, Some(why), None),
                now,
            ),
        };
        let (record, line) = match taken {
            Taken::Reception(r) => {
                let line = CertifiedReaderResult {
                    file: name.clone(),
                    at,
                    name: r.eligibility.as_ref().map(|e| e.name.clone()),
                    outcome: CertifiedOutcome::Received,
                    problem: None,
                    detail: None,
                    classified: None,
                };
                (Some(r), line)
            }
            Taken::NeedsDesk(problem, detail, kind) => (
                None,
                CertifiedReaderResult {
                    file: name.clone(),
                    at,
                    name: None,
                    outcome: CertifiedOutcome::NeedsDesk,
                    problem: Some(problem),
                    classified: Some(kind),
                    detail,
                },
            ),
        };
        let result = lock(&self.store)
            .inner_mut()
            .take_terminal_result(&name, now, record.as_deref());
        match result {
            Ok(store::TerminalTake::AlreadyTaken) => true,
            Ok(store::TerminalTake::Taken(_)) => {
                let classified = line.classified;
                self.log.push(line);
                if let Some(kind) = classified {
                    self.open_wizard_if_free(kind);
                }
                (self.changed)();
                true
            }
            Err(e) => {
                eprintln!("uketsuke: {name}: the certified reader's result was not saved ({e}); retried at the next scan");
                false
            }
        }
    }

    /// The wizard opens by itself, classified, only when no patient is at this desk's own reader.
    fn open_wizard_if_free(&self, kind: ProblemKind) {
        let free = self.session.snapshot().is_ok_and(|s| {
            s.staff_actions
                .contains(&reception::flow::StaffActionKind::OpenFallback)
                && matches!(s.screen, reception::Screen::WaitingForCard)
        });
        if free {
            for action in [
                reception::flow::StaffAction::OpenFallback,
                reception::flow::StaffAction::ClassifyProblem(kind),
            ] {
                let _ = self.session.input(reception::UserInput::Staff(action));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wizard's class follows the certified reader's answer as the flow's own (`ErrorCode::problem`), so
    /// 資格無効 opens where 資格無効 does, and only the outage kinds keep 再試行 and the 申立書.
    #[test]
    fn each_certified_problem_gets_the_class_the_flow_gives_the_same_answer() {
        let cases = [
            (
                CertifiedProblem::NotEligible,
                Some(QualificationValidity::Invalid),
                ErrorCode::EligibilityInvalid,
            ),
            (
                CertifiedProblem::NotEligible,
                Some(QualificationValidity::InvalidNewerExists),
                ErrorCode::EligibilityInvalidNewerExists,
            ),
            (
                CertifiedProblem::NotEligible,
                Some(QualificationValidity::NotFound),
                ErrorCode::NoEligibilityData,
            ),
            (
                CertifiedProblem::NotEligible,
                Some(QualificationValidity::MultipleMatches),
                ErrorCode::MultipleMatches,
            ),
            (CertifiedProblem::ServiceError, None, ErrorCode::ServiceError),
            (CertifiedProblem::Unreadable, None, ErrorCode::CardUnreadable),
        ];
        for (problem, validity, same_as) in cases {
            assert_eq!(
                Some(problem_kind(problem, validity)),
                same_as.problem(),
                "{problem:?} {validity:?}"
            );
        }
    }
}
