//! The sans-IO reception state machine: `step(&State, Event, now) -> Step { next, effects, accepted }`.
//!
//! Follows the 顔認証付きカードリーダー (domain.md §1–§2) and the staff fallback path (§4). `step` is
//! pure: it reads no clock (time is the `now` argument) and calls no port — port calls are
//! `Effect::Call { seq, .. }` whose answers come back as `Event::Answer { seq, .. }`, and only the call the
//! current screen waits for is taken. Every `match` over a state or event is exhaustive
//! (`clippy::wildcard_enum_match_arm` is denied), so adding a screen or an event forces a decision
//! everywhere. Timeouts are `Effect::StartTimer` + `Event::TimerFired`, several at once, one per id.
//!
//! This module holds the types and the dispatch; [`phase`] holds `Phase`, nested by stage, with the data
//! each stage needs inside it; the handlers live with their phase: [`card`], [`identity`], [`consent`],
//! [`query`], [`staff`], [`timers`].
//!
//! Deliberately not here: message texts (the UI owns them; we emit codes), a face-failure lock (the
//! "10 failures" press claim is unverified, domain.md §1(b) 3), and any field for a My Number, a PIN
//! (a `Pin` only passes through from `Event` to `Call`) or a face frame.
#![deny(clippy::wildcard_enum_match_arm)]

use chrono::{NaiveDate, NaiveDateTime};

use crate::paper::VoidReason;
use serde::{Deserialize, Serialize};

use crate::model::{
    CardError, CardSummary, CertQuery, CertRef, ConsentItem, ConsentMode, ConsentRecord, EligibilityError,
    EligibilityResponse, FaceError, FaceVerdict, Method, NumberQuery, Operator, PatientLookup, PhonePlatform,
    PhoneReadOutcome, PinVerdict, PossessionProof, PrescriptionForm, QualificationValidity, ReaderMode,
    Registration, Segment, StoreError, StoredEligibility,
};
use crate::paper::{
    self, Basis, Billing, DeclarationEntry, PaperDecision, PaperDocument, PaperRefusal, ProblemKind,
    ReceptionRecord, RefundTask,
};
use crate::pin::Pin;
use crate::rules::{self, CertStatus};
use crate::validate::ValidationError;

mod card;
mod consent;
mod identity;
mod phase;
mod query;
mod staff;
mod timers;

pub use phase::{
    CardCheck, Consented, Found, Holder, Identified, IdentityStep, Known, PendingQuery, Phase, PhoneStep,
    Presented, Question, ReadCard, SoFar,
};

use card::*;
use consent::*;
use identity::*;
use query::*;
use staff::*;
use timers::*;

/// Site configuration. Switches and our own UI timings (not published rules, so not in `rules`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    /// MHLW temporary rule until 2026-03-31 (expired 保険証 / お知らせ alone + online check). National, so on by
    /// default; its dates (rules table) decide when it applies. Off only as a site override, which the staff
    /// console warns about.
    pub temporary_rule: bool,
    /// Ask 処方箋の発行形態 at check-in (OQSCD039 = 2).
    pub prescription_question: bool,
    /// Restore the pre-2024-10-07 限度額 consent screen (historical training only).
    pub legacy_limit_screen: bool,
    /// A smartphone reader is installed.
    pub smartphone_reader: bool,
    /// Training mode (watermark; never a real オン資 network).
    pub training: bool,
    /// Patient inactivity on a reader screen, seconds.
    pub idle_secs: u32,
    /// After that, how long 「操作を続けますか」 waits for a touch before the screen gives up, seconds.
    #[serde(default = "default_idle_confirm_secs")]
    pub idle_confirm_secs: u32,
    /// Give up waiting for the eligibility service, seconds.
    pub query_timeout_secs: u32,
    /// Ask again after SegmentOfResult 2 (処理中), seconds.
    pub poll_secs: u32,
    /// How many 処理中 answers before giving up.
    pub max_polls: u8,
    /// How long an error shows before the staff fallback opens, seconds.
    pub error_secs: u32,
    /// How long "complete" shows before "take your card", seconds.
    pub completed_secs: u32,
    /// Watchdog for a port call that never answers, seconds.
    pub watchdog_secs: u32,
}

fn default_idle_confirm_secs() -> u32 {
    20
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            temporary_rule: true,
            prescription_question: false,
            legacy_limit_screen: false,
            smartphone_reader: true,
            training: false,
            idle_secs: 60,
            idle_confirm_secs: default_idle_confirm_secs(),
            query_timeout_secs: 30,
            poll_secs: 5,
            max_polls: 3,
            error_secs: 10,
            completed_secs: 5,
            watchdog_secs: 20,
        }
    }
}

/// Why face authentication did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum FaceFailure {
    /// No face detected.
    NoFace,
    /// Face did not match the card photo.
    NoMatch,
    /// Camera or photo problem.
    DeviceError,
}

/// Error screens (the code the UI renders). The numbers real readers show (001, 002, 006) are
/// vendor-specific (ONSHI-BLOG) and not reproduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum ErrorCode {
    /// Card cannot be read.
    CardUnreadable,
    /// Not a マイナンバーカード.
    NotMyNumberCard,
    /// Reader hardware failure.
    ReaderFailure,
    /// 利用者証明用電子証明書 expired more than 3 months ago (S000 2-25).
    CertExpired,
    /// Certificate not yet valid.
    CertNotYetValid,
    /// Smartphone refused: the physical card's certificate has expired (PORTAL-SMAPHO).
    SmartphoneCardCertExpired,
    /// Smartphone PIN locked.
    SmartphonePinLocked,
    /// Patient declined insurance-use registration.
    RegistrationDeclined,
    /// Staff 目視 judged the holder is not the person.
    IdentityRejected,
    /// QualificationValidity 2.
    EligibilityInvalid,
    /// QualificationValidity 3.
    EligibilityInvalidNewerExists,
    /// QualificationValidity 4.
    NoEligibilityData,
    /// QualificationValidity 5.
    MultipleMatches,
    /// SegmentOfResult 2 too many times.
    ServiceProcessing,
    /// SegmentOfResult 9.
    ServiceError,
    /// No answer in time.
    QueryTimeout,
    /// Service unreachable.
    ServiceUnavailable,
    /// Unparseable answer.
    MalformedResponse,
    /// Identity checked here, but the online check by certificate is the certified reader's (live beside a
    /// 資格確認端末, #16 §1): the desk goes on with the card + お知らせ or the numbers.
    CertifiedReaderOnly,
    /// The reception could not be saved.
    StoreFailed,
    /// A paper document was refused.
    Paper(PaperRefusal),
}

impl ErrorCode {
    /// The error an answer of this 資格有効性 is, when it is not a valid eligibility (None for 有効 / 有効（未登録）).
    /// One table for the flow's own answers and for the certified reader's results the desk takes in.
    pub fn of_validity(v: QualificationValidity) -> Option<ErrorCode> {
        match v {
            QualificationValidity::Valid | QualificationValidity::ValidUnregistered => None,
            QualificationValidity::Invalid => Some(ErrorCode::EligibilityInvalid),
            QualificationValidity::InvalidNewerExists => Some(ErrorCode::EligibilityInvalidNewerExists),
            QualificationValidity::NotFound => Some(ErrorCode::NoEligibilityData),
            QualificationValidity::MultipleMatches => Some(ErrorCode::MultipleMatches),
        }
    }

    /// The staff problem class this error suggests (staff may reclassify).
    pub fn problem(self) -> Option<ProblemKind> {
        match self {
            ErrorCode::CardUnreadable | ErrorCode::ReaderFailure | ErrorCode::StoreFailed => {
                Some(ProblemKind::DeviceFailure)
            }
            ErrorCode::SmartphonePinLocked => Some(ProblemKind::IdentityNotConfirmed),
            ErrorCode::IdentityRejected => Some(ProblemKind::IdentityRejected),
            ErrorCode::CertExpired | ErrorCode::CertNotYetValid | ErrorCode::SmartphoneCardCertExpired => {
                Some(ProblemKind::CardNotUsable)
            }
            ErrorCode::RegistrationDeclined | ErrorCode::NoEligibilityData | ErrorCode::MultipleMatches => {
                Some(ProblemKind::NoEligibilityData)
            }
            ErrorCode::EligibilityInvalid | ErrorCode::EligibilityInvalidNewerExists => {
                Some(ProblemKind::EligibilityInvalid)
            }
            ErrorCode::ServiceProcessing
            | ErrorCode::ServiceError
            | ErrorCode::QueryTimeout
            | ErrorCode::ServiceUnavailable
            | ErrorCode::MalformedResponse
            | ErrorCode::CertifiedReaderOnly => Some(ProblemKind::CommunicationFailure),
            ErrorCode::NotMyNumberCard | ErrorCode::Paper(_) => None,
        }
    }
}

/// The staff fallback path, in order (domain.md §4(b) 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum FallbackStep {
    /// 1. Retry or switch method (face → PIN → 目視).
    RetryOrSwitch,
    /// 2. Card + 資格情報のお知らせ / マイナポータル PDF: key in the numbers, query by them.
    CardWithNotice,
    /// 3. 再診: last stored eligibility.
    PreviousVisit,
    /// 4. 初診: 被保険者資格申立書.
    Declaration,
    /// 5. 10割 + refund task.
    FullCharge,
}

impl FallbackStep {
    /// All steps in order.
    pub const ALL: [FallbackStep; 5] = [
        FallbackStep::RetryOrSwitch,
        FallbackStep::CardWithNotice,
        FallbackStep::PreviousVisit,
        FallbackStep::Declaration,
        FallbackStep::FullCharge,
    ];

    /// Does this step make sense for the problem? One answer per problem, the same in the flow, the hints,
    /// the wizard and the scoring (#12 §4):
    /// - outages offer card + お知らせ too: tried online, accepted on its own if the service cannot answer;
    /// - data problems skip retrying the reader and the (stale) 再診 history, which is for outages (S000 2-38);
    /// - a card not usable as マイナ保険証 (S000 2-25) goes to a 資格確認書 (書類入力) or the 申立書 (S001);
    /// - a 目視 rejection has no normal-share path from that card: a 資格確認書 or 10割;
    /// - the 申立書 needs a classified problem that allows it ([`ProblemKind::allows_declaration`]).
    pub fn applies(self, problem: Option<ProblemKind>) -> bool {
        use ProblemKind as P;
        match self {
            FallbackStep::RetryOrSwitch => match problem {
                Some(
                    P::NoEligibilityData | P::EligibilityInvalid | P::CardNotUsable | P::IdentityRejected,
                ) => false,
                Some(
                    P::CommunicationFailure | P::PowerOutage | P::DeviceFailure | P::IdentityNotConfirmed,
                )
                | None => true,
            },
            // In an outage too (S004 §5, S003 Q5, S001): the numbers are tried, and when the service cannot
            // answer, the card + お知らせ stands on its own with a task to re-check (query::communication_failed).
            FallbackStep::CardWithNotice => match problem {
                Some(P::CardNotUsable | P::IdentityRejected) => false,
                Some(
                    P::CommunicationFailure
                    | P::PowerOutage
                    | P::DeviceFailure
                    | P::NoEligibilityData
                    | P::EligibilityInvalid
                    | P::IdentityNotConfirmed,
                )
                | None => true,
            },
            FallbackStep::PreviousVisit => match problem {
                Some(
                    P::NoEligibilityData | P::EligibilityInvalid | P::CardNotUsable | P::IdentityRejected,
                ) => false,
                Some(
                    P::CommunicationFailure | P::PowerOutage | P::DeviceFailure | P::IdentityNotConfirmed,
                )
                | None => true,
            },
            FallbackStep::Declaration => problem.is_some_and(ProblemKind::allows_declaration),
            FallbackStep::FullCharge => true,
        }
    }

    /// First applicable step at or after `from`.
    pub fn first_from(from: FallbackStep, problem: Option<ProblemKind>) -> FallbackStep {
        FallbackStep::ALL
            .into_iter()
            .find(|s| *s >= from && s.applies(problem))
            .unwrap_or(FallbackStep::FullCharge)
    }

    /// Next applicable step after `self`.
    pub fn next(self, problem: Option<ProblemKind>) -> FallbackStep {
        FallbackStep::ALL
            .into_iter()
            .find(|s| *s > self && s.applies(problem))
            .unwrap_or(FallbackStep::FullCharge)
    }
}

/// Display notices (codes; the UI owns the wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Notice {
    /// 「電子証明書の有効期限が3か月以内に切れる」 (S000 2-24).
    CertExpiresSoon {
        /// Days left.
        days_left: i64,
    },
    /// Expired ≤ 3 months: eligibility only, no medical information (S000 2-25).
    CertGraceEligibilityOnly,
    /// Wrong PIN.
    PinWrong {
        /// Tries left.
        tries_left: u8,
    },
    /// PIN locked: use face or ask staff; reset at the 市区町村窓口 (S000 2-23).
    PinLocked,
    /// PIN was not 4 digits (no try used).
    PinFormat,
    /// Proxy operation (代理人): prompts address the card holder ("お子さまの暗証番号").
    ProxyOperation,
    /// Medical-information viewing suspended (S003 Q3).
    MedicalViewingSuspended,
    /// Newly joined: the data is usable this many business days after the insurer registers the member
    /// (S004 Q9, S003 Q14) — counted from that registration, which the desk does not know, not from the visit.
    DataReflectionPending {
        /// Earliest (翌々営業日).
        min_business_days: u32,
        /// Latest (about 3–5 business days).
        max_business_days: u32,
    },
    /// Registered just now; the insurer's data may not be linked yet.
    JustRegistered,
    /// No stored eligibility for this patient.
    PreviousVisitNotFound,
    /// Accepted on the document: the service could not be reached.
    AcceptedOffline,
    /// Staff 目視 mode switched back to unattended.
    ModeReturnedToUnattended,
    /// 10割 now; refund after the re-check (S002 R6.3.1; S000 2-4 療養費).
    RefundFollowUp,
}

impl Notice {
    /// Shown until the patient is done, not only on the screen that raised it.
    pub fn outlives_its_screen(&self) -> bool {
        match self {
            Notice::ModeReturnedToUnattended => true,
            Notice::CertExpiresSoon { .. }
            | Notice::CertGraceEligibilityOnly
            | Notice::PinWrong { .. }
            | Notice::PinLocked
            | Notice::PinFormat
            | Notice::ProxyOperation
            | Notice::MedicalViewingSuspended
            | Notice::DataReflectionPending { .. }
            | Notice::JustRegistered
            | Notice::PreviousVisitNotFound
            | Notice::AcceptedOffline
            | Notice::RefundFollowUp => false,
        }
    }
}

/// Which timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimerId {
    /// Patient inactivity.
    Idle,
    /// Eligibility service timeout.
    QueryTimeout,
    /// Ask again after 処理中.
    QueryPoll,
    /// Error shown long enough → staff fallback.
    ErrorDisplay,
    /// Complete shown long enough → take your card.
    CompletedDisplay,
    /// A port call never answered.
    Watchdog,
}

/// An armed timer (several may run at once, one per id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmedTimer {
    /// Which.
    pub id: TimerId,
    /// Sequence number; `TimerFired` must carry it.
    pub seq: u32,
}

/// The port call in flight that the flow waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Awaiting {
    /// The call's sequence number.
    pub seq: u32,
    /// Which call (for the screen and the trace).
    pub lane: Lane,
    /// When it was issued (the snapshot shows the elapsed time from it).
    pub since: NaiveDateTime,
}

/// What outlives a phase for the current patient: the card in the reader and the staff's problem
/// classification (it survives a retry of the reader). Everything else a stage knows lives in its
/// [`Phase`]. Cleared when the next patient starts. Holds no PIN, no My Number, no photo.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Session {
    /// The card is (believed) in the reader.
    pub card_in_reader: bool,
    /// Staff problem classification.
    pub problem: Option<ProblemKind>,
}

/// The whole state. Cheap to clone; no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Site settings.
    pub settings: SiteSettings,
    /// 無人運転 / 目視確認.
    pub mode: ReaderMode,
    /// Who operates.
    pub operator: Operator,
    /// Where we are.
    pub phase: Phase,
    /// What outlives a phase for the current patient.
    pub session: Session,
    /// Which patient the screens are about: bumped each time the flow lets go of one patient (back to the
    /// waiting screen, or a fresh fallback after a completed reception), never within one reception.
    pub patient: u32,
    /// Armed timers, at most one per id.
    pub timers: Vec<ArmedTimer>,
    /// Last timer sequence number used.
    pub timer_seq: u32,
    /// Last port-call sequence number used.
    pub call_seq: u32,
    /// The port call the current phase waits for (its answer is taken; any other is dropped).
    pub awaiting: Option<Awaiting>,
    /// The save in flight: it outlives the screen (a failed save must never pass unseen).
    pub saving: Option<u32>,
    /// Hotline overlay open (training: "another person's data is shown").
    pub hotline_open: bool,
    /// The reader asks 「操作を続けますか」: the patient was idle on this screen once already.
    #[serde(default)]
    pub still_there: bool,
    /// Notices for the current screen.
    pub notices: Vec<Notice>,
    /// Validation errors for the current staff form.
    pub validation: Vec<ValidationError>,
}

impl State {
    /// Fresh state, waiting for a card.
    pub fn new(settings: SiteSettings) -> Self {
        State {
            settings,
            mode: ReaderMode::Unattended,
            operator: Operator::Patient,
            phase: Phase::WaitingForCard,
            session: Session::default(),
            patient: 0,
            timers: Vec::new(),
            timer_seq: 0,
            call_seq: 0,
            awaiting: None,
            saving: None,
            hotline_open: false,
            still_there: false,
            notices: Vec::new(),
            validation: Vec::new(),
        }
    }

    /// The staff actions `step` takes in this state (the console shows these and no others). The guards in
    /// `on_staff` and this list are kept together by a property test.
    pub fn staff_actions(&self) -> Vec<StaffActionKind> {
        use StaffActionKind as K;
        let mut v = vec![K::SetVisualMode, K::SetOperator, K::Hotline];
        // Only the wizard's steps matter here; every other phase offers the same base list.
        let fallback = if let Phase::Fallback { step, .. } = self.phase {
            Some(step)
        } else {
            None
        };
        match fallback {
            Some(step) => {
                v.push(K::ClassifyProblem);
                if step.next(self.session.problem) != step {
                    v.push(K::FallbackNext);
                }
                v.push(match step {
                    FallbackStep::RetryOrSwitch => K::RetryReader,
                    FallbackStep::CardWithNotice => K::PresentPaper,
                    FallbackStep::PreviousVisit => K::LookupPrevious,
                    FallbackStep::Declaration => K::SubmitDeclaration,
                    FallbackStep::FullCharge => K::ConfirmFullCharge,
                });
            }
            None => v.push(K::OpenFallback),
        }
        if matches!(
            self.phase,
            Phase::WaitingForCard | Phase::Fallback { .. } | Phase::Error { .. }
        ) {
            if !v.contains(&K::PresentPaper) {
                v.push(K::PresentPaper);
            }
            v.push(K::RefuseDocument);
        }
        if matches!(
            self.phase,
            Phase::Identity {
                step: IdentityStep::VisualCheck,
                ..
            }
        ) {
            v.push(K::VisualCheckResult);
        }
        if matches!(self.phase, Phase::Querying { .. }) {
            v.push(K::CancelQuery);
        }
        if matches!(
            self.phase,
            Phase::Completed { .. } | Phase::RemoveCard(_) | Phase::Fallback { .. } | Phase::Error { .. }
        ) {
            v.push(K::NextPatient);
        }
        if self.can_void() {
            v.push(K::VoidReception);
        }
        v
    }

    /// The reception on screen was saved (its write is no longer in flight) and may be voided.
    pub fn can_void(&self) -> bool {
        matches!(self.phase, Phase::Completed { .. } | Phase::RemoveCard(_)) && self.saving.is_none()
    }

    /// PIN tries left on the card read for this patient, as last known.
    pub fn pin_tries_left(&self) -> Option<u8> {
        self.phase.card().and_then(ReadCard::pin_tries_left)
    }

    /// Methods the patient may choose on `MethodChoice` (目視 is a staff switch, not listed).
    pub fn method_options(&self) -> Vec<Method> {
        let mut v = vec![Method::Face];
        if self.phase.card().is_some_and(ReadCard::pin_usable) {
            v.push(Method::Pin);
        }
        v
    }
}

/// Staff-side actions (staff console).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum StaffAction {
    /// Switch the reader to 目視確認モード (true) or back to 無人運転 (false).
    SetVisualMode(bool),
    /// 目視 result: the card photo matches the person (true) or not.
    VisualCheckResult(bool),
    /// Record who operates.
    SetOperator(Operator),
    /// Open the fallback wizard now.
    OpenFallback,
    /// Classify the problem (outage type vs data problem).
    ClassifyProblem(ProblemKind),
    /// Skip to the next applicable fallback step.
    FallbackNext,
    /// Step 1: try the reader again.
    RetryReader,
    /// A paper document is presented (any fallback step, or at the start).
    PresentPaper(Box<PaperDocument>),
    /// Staff decline a presented document without keying it in (e.g. an expired 資格確認書 at a glance);
    /// same outcome as `assess` refusing it. Training scores this judgement.
    RefuseDocument(PaperRefusal),
    /// Step 3: look up the last stored eligibility.
    LookupPrevious(PatientLookup),
    /// Step 4: 申立書 filled in.
    SubmitDeclaration(Box<DeclarationEntry>),
    /// Step 5: charge 10割 and create the refund task.
    ConfirmFullCharge,
    /// Show / hide the hotline sheet (0120-95-0178, guidance 5).
    Hotline(bool),
    /// Void the reception just completed (another person's data was shown): kept as voided with the reason,
    /// the hotline sheet opens and the wizard continues on another basis (#12 §4).
    VoidReception(VoidReason),
    /// 照会キャンセル: stop waiting for the eligibility service; the fallbacks open at once.
    CancelQuery,
    /// Done with this patient; wait for the next.
    NextPatient,
}

/// The name of a staff action, without its data: what the console may offer now
/// ([`State::staff_actions`], `Snapshot::staff_actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum StaffActionKind {
    /// [`StaffAction::SetVisualMode`].
    SetVisualMode,
    /// [`StaffAction::VisualCheckResult`].
    VisualCheckResult,
    /// [`StaffAction::SetOperator`].
    SetOperator,
    /// [`StaffAction::OpenFallback`].
    OpenFallback,
    /// [`StaffAction::ClassifyProblem`].
    ClassifyProblem,
    /// [`StaffAction::FallbackNext`].
    FallbackNext,
    /// [`StaffAction::RetryReader`].
    RetryReader,
    /// [`StaffAction::PresentPaper`].
    PresentPaper,
    /// [`StaffAction::RefuseDocument`].
    RefuseDocument,
    /// [`StaffAction::LookupPrevious`].
    LookupPrevious,
    /// [`StaffAction::SubmitDeclaration`].
    SubmitDeclaration,
    /// [`StaffAction::ConfirmFullCharge`].
    ConfirmFullCharge,
    /// [`StaffAction::Hotline`].
    Hotline,
    /// [`StaffAction::VoidReception`].
    VoidReception,
    /// [`StaffAction::CancelQuery`].
    CancelQuery,
    /// [`StaffAction::NextPatient`].
    NextPatient,
}

impl StaffAction {
    /// Its name.
    pub fn kind(&self) -> StaffActionKind {
        match self {
            StaffAction::SetVisualMode(_) => StaffActionKind::SetVisualMode,
            StaffAction::VisualCheckResult(_) => StaffActionKind::VisualCheckResult,
            StaffAction::SetOperator(_) => StaffActionKind::SetOperator,
            StaffAction::OpenFallback => StaffActionKind::OpenFallback,
            StaffAction::ClassifyProblem(_) => StaffActionKind::ClassifyProblem,
            StaffAction::FallbackNext => StaffActionKind::FallbackNext,
            StaffAction::RetryReader => StaffActionKind::RetryReader,
            StaffAction::PresentPaper(_) => StaffActionKind::PresentPaper,
            StaffAction::RefuseDocument(_) => StaffActionKind::RefuseDocument,
            StaffAction::LookupPrevious(_) => StaffActionKind::LookupPrevious,
            StaffAction::SubmitDeclaration(_) => StaffActionKind::SubmitDeclaration,
            StaffAction::ConfirmFullCharge => StaffActionKind::ConfirmFullCharge,
            StaffAction::Hotline(_) => StaffActionKind::Hotline,
            StaffAction::VoidReception(_) => StaffActionKind::VoidReception,
            StaffAction::CancelQuery => StaffActionKind::CancelQuery,
            StaffAction::NextPatient => StaffActionKind::NextPatient,
        }
    }
}

/// The answer of one port call, as the driver feeds it back.
#[derive(Debug, Deserialize)]
pub enum Answer {
    /// Of `Call::ReadCard`.
    CardRead(Result<CardSummary, CardError>),
    /// Of `Call::VerifyPin`.
    PinVerified(Result<PinVerdict, CardError>),
    /// Of `Call::SignChallenge`.
    Signed(Result<PossessionProof, CardError>),
    /// Of `Call::MatchFace`.
    FaceMatched(Result<FaceVerdict, FaceError>),
    /// Of `Call::ReadSmartphone`.
    SmartphoneRead(Result<PhoneReadOutcome, CardError>),
    /// Of `Call::CheckRegistration`.
    RegistrationChecked(Result<Registration, EligibilityError>),
    /// Of `Call::Register`.
    RegistrationDone(Result<Registration, EligibilityError>),
    /// Of a query call.
    EligibilityAnswered(Result<EligibilityResponse, EligibilityError>),
    /// Of `Call::LookupPrevious`.
    PreviousFound(Result<Option<StoredEligibility>, StoreError>),
    /// Of `Call::SaveReception`.
    Saved(Result<(), StoreError>),
    /// Of `Call::VoidLastReception`.
    Voided(Result<(), StoreError>),
}

/// Inputs to the machine.
// An event is moved once into `step` and dropped there; boxing the port answers would only add an
// allocation per answer.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Deserialize)]
pub enum Event {
    /// A card was placed.
    CardPlaced,
    /// The card left the reader.
    CardRemoved,
    /// A port call answered. `seq` is the one its `Effect::Call` carried: the flow takes an answer only
    /// for the call it is waiting for, so a late answer of a cancelled or timed-out call is dropped.
    Answer {
        /// The call's sequence number.
        seq: u32,
        /// What the port said.
        answer: Answer,
    },
    /// A timer fired.
    TimerFired {
        /// Which.
        id: TimerId,
        /// Its sequence number.
        seq: u32,
    },
    /// Patient pressed 次へ / 確認.
    Continue,
    /// Patient went back / cancelled.
    Cancel,
    /// Patient chose a method.
    ChooseMethod(Method),
    /// Patient typed a PIN (card or Android phone).
    PinEntered(Pin),
    /// Patient asked to retry the face check.
    RetryFace,
    /// Patient chose the smartphone path (from the waiting screen).
    ChooseSmartphone,
    /// Patient chose iPhone / Android.
    ChoosePlatform(PhonePlatform),
    /// Registration offer answered.
    RegistrationAnswer(bool),
    /// 包括 / 個別 / しない.
    ChooseConsentMode(ConsentMode),
    /// One item answered (applies to the item on screen).
    AnswerConsent(bool),
    /// Legacy 限度額 answered.
    AnswerLimit(bool),
    /// 電子 / 紙.
    ChoosePrescription(PrescriptionForm),
    /// The patient touched the screen without choosing anything (a PIN key, 「続ける」 on
    /// 「操作を続けますか」): the inactivity timer starts again.
    Activity,
    /// The reader's 代理人 button: a parent or carer operates for the patient (true), or the patient again.
    SetProxy(bool),
    /// Staff console.
    Staff(StaffAction),
}

/// A port call. Each runs on a worker in the app; its answer comes back as `Event::Answer`.
#[derive(Debug)]
pub enum Call {
    /// Read the auth certificate and PIN tries.
    ReadCard,
    /// VERIFY the PIN (the only place a `Pin` goes).
    VerifyPin {
        /// The PIN, zeroized after use.
        pin: Pin,
    },
    /// Sign a challenge with the auth key (after the PIN).
    SignChallenge {
        /// Challenge bytes.
        challenge: Vec<u8>,
    },
    /// Read the card photo and match it against the camera; the photo never leaves the worker.
    MatchFace,
    /// Read the phone (Android: with the phone PIN).
    ReadSmartphone {
        /// Platform.
        platform: PhonePlatform,
        /// Android PIN.
        pin: Option<Pin>,
    },
    /// Ask the registration status.
    CheckRegistration(CertRef),
    /// Register for insurance use.
    Register(CertRef),
    /// Query by certificate.
    QueryByCertificate(CertQuery),
    /// Query by numbers.
    QueryByNumbers(NumberQuery),
    /// Look up the last stored eligibility.
    LookupPrevious(PatientLookup),
    /// Save everything about the reception, atomically.
    SaveReception(Box<ReceptionRecord>),
    /// Mark the reception saved last as voided, with its reason and time.
    VoidLastReception {
        /// Why.
        reason: VoidReason,
        /// When.
        at: NaiveDateTime,
    },
}

/// Which port a call needs: the app runs each on that port's worker, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Lane {
    /// The card reader.
    Card,
    /// The card photo and the camera.
    Face,
    /// The eligibility service.
    Eligibility,
    /// The database.
    Store,
}

impl Call {
    /// Short name for tests and traces.
    pub fn name(&self) -> &'static str {
        match self {
            Call::ReadCard => "ReadCard",
            Call::VerifyPin { .. } => "VerifyPin",
            Call::SignChallenge { .. } => "SignChallenge",
            Call::MatchFace => "MatchFace",
            Call::ReadSmartphone { .. } => "ReadSmartphone",
            Call::CheckRegistration(_) => "CheckRegistration",
            Call::Register(_) => "Register",
            Call::QueryByCertificate(_) => "QueryByCertificate",
            Call::QueryByNumbers(_) => "QueryByNumbers",
            Call::LookupPrevious(_) => "LookupPrevious",
            Call::SaveReception(_) => "SaveReception",
            Call::VoidLastReception { .. } => "VoidLastReception",
        }
    }

    /// The port it needs.
    pub fn lane(&self) -> Lane {
        match self {
            Call::ReadCard
            | Call::VerifyPin { .. }
            | Call::SignChallenge { .. }
            | Call::ReadSmartphone { .. } => Lane::Card,
            Call::MatchFace => Lane::Face,
            Call::CheckRegistration(_)
            | Call::Register(_)
            | Call::QueryByCertificate(_)
            | Call::QueryByNumbers(_) => Lane::Eligibility,
            Call::LookupPrevious(_) | Call::SaveReception(_) | Call::VoidLastReception { .. } => Lane::Store,
        }
    }
}

/// Work for the driver.
#[derive(Debug)]
pub enum Effect {
    /// Call a port; answer with `Event::Answer { seq, .. }`.
    Call {
        /// Sequence number to echo back.
        seq: u32,
        /// The call.
        call: Call,
    },
    /// Audit line (no personal data beyond codes); fire and forget.
    Audit(AuditEvent),
    /// Arm a timer (replacing one with the same id).
    StartTimer {
        /// Which.
        id: TimerId,
        /// Sequence to echo back.
        seq: u32,
        /// Delay.
        after_secs: u32,
    },
    /// Disarm a timer.
    CancelTimer {
        /// Which.
        id: TimerId,
    },
}

impl Effect {
    /// Short name for tests and traces (a call's own name).
    pub fn name(&self) -> &'static str {
        match self {
            Effect::Call { call, .. } => call.name(),
            Effect::Audit(_) => "Audit",
            Effect::StartTimer { .. } => "StartTimer",
            Effect::CancelTimer { .. } => "CancelTimer",
        }
    }
}

/// What the audit log records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When.
    pub at: NaiveDateTime,
    /// What.
    pub kind: AuditKind,
}

/// Audit kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditKind {
    /// Reader mode changed.
    ModeChanged(ReaderMode),
    /// 目視 result.
    VisualCheck(bool),
    /// Fallback opened with this problem class.
    FallbackOpened(Option<ProblemKind>),
    /// Problem reclassified.
    ProblemClassified(ProblemKind),
    /// A document was refused.
    DocumentRefused(PaperRefusal),
    /// Hotline sheet shown.
    HotlineShown,
    /// The reception just completed was voided.
    ReceptionVoided(VoidReason),
    /// Operator recorded.
    OperatorSet(Operator),
    /// Staff stopped waiting for the eligibility service.
    QueryCancelled,
}

/// Output of `step`.
#[derive(Debug)]
pub struct Step {
    /// The new state.
    pub next: State,
    /// Effects to run, in order.
    pub effects: Vec<Effect>,
    /// The event meant something here: it changed the state or caused work. A refused input (a button
    /// of another screen, a late answer, a staff form answered with validation errors) is not accepted,
    /// and training never scores it.
    pub accepted: bool,
}

/// Working copy for one step.
struct Tx {
    st: State,
    fx: Vec<Effect>,
    now: NaiveDateTime,
    /// The input was answered with validation errors: shown to staff, but nothing was decided.
    invalid: bool,
}

impl Tx {
    /// A staff form that does not validate: the errors go to the screen, and the input counts as not
    /// accepted (a resubmission after a correction is the one decision training scores).
    fn invalid(&mut self, errors: Vec<crate::validate::ValidationError>) {
        self.st.validation = errors;
        self.invalid = true;
    }

    fn today(&self) -> NaiveDate {
        self.now.date()
    }

    fn go(&mut self, phase: Phase) {
        // Notices belong to the screen they were raised on, except those staff must still see after the
        // flow has moved on (the mode switch-back happens just before the next screens); a new patient
        // (back to waiting) starts clean.
        if matches!(phase, Phase::WaitingForCard) {
            self.st.notices.clear();
        } else {
            self.st.notices.retain(Notice::outlives_its_screen);
        }
        self.st.phase = phase;
        self.st.still_there = false;
        self.st.validation.clear();
    }

    /// Issue a port call. The save is tracked on its own (it outlives its screen); any other call is the
    /// one the phase now waits for.
    fn call(&mut self, call: Call) {
        self.st.call_seq = self.st.call_seq.wrapping_add(1);
        let seq = self.st.call_seq;
        match call {
            // A store write outlives its screen: tracked on its own, its failure shown whenever it comes.
            Call::SaveReception(_) | Call::VoidLastReception { .. } => self.st.saving = Some(seq),
            Call::ReadCard
            | Call::VerifyPin { .. }
            | Call::SignChallenge { .. }
            | Call::MatchFace
            | Call::ReadSmartphone { .. }
            | Call::CheckRegistration(_)
            | Call::Register(_)
            | Call::QueryByCertificate(_)
            | Call::QueryByNumbers(_)
            | Call::LookupPrevious(_) => {
                self.st.awaiting = Some(Awaiting {
                    seq,
                    lane: call.lane(),
                    since: self.now,
                })
            }
        }
        self.fx.push(Effect::Call { seq, call });
    }

    fn note(&mut self, n: Notice) {
        if !self.st.notices.contains(&n) {
            self.st.notices.push(n);
        }
    }

    fn audit(&mut self, kind: AuditKind) {
        self.fx.push(Effect::Audit(AuditEvent { at: self.now, kind }));
    }

    /// Show an error, keeping what the current phase has established.
    fn error(&mut self, code: ErrorCode) {
        let so_far = self.st.phase.so_far();
        self.fail(code, so_far);
    }

    /// Show an error with what the reception has established.
    fn fail(&mut self, code: ErrorCode, so_far: SoFar) {
        self.go(Phase::Error { code, so_far });
    }

    /// Let go of this patient: the next one starts clean (the page clears its forms on `patient`).
    fn next_patient(&mut self) {
        self.st.session = Session::default();
        self.st.patient = self.st.patient.wrapping_add(1);
    }

    fn reset_to_waiting(&mut self) {
        self.next_patient();
        self.st.operator = Operator::Patient;
        self.go(Phase::WaitingForCard);
    }

    /// The fallback wizard, with what the current phase has established.
    fn open_fallback(&mut self, problem: Option<ProblemKind>) {
        let so_far = self.st.phase.so_far();
        self.open_fallback_with(problem, so_far);
    }

    fn open_fallback_with(&mut self, problem: Option<ProblemKind>, so_far: SoFar) {
        if self.st.session.problem.is_none() {
            self.st.session.problem = problem;
        }
        let p = self.st.session.problem;
        self.audit(AuditKind::FallbackOpened(p));
        self.go(Phase::Fallback {
            step: FallbackStep::first_from(FallbackStep::RetryOrSwitch, p),
            so_far,
        });
    }
}

/// The transition function. Pure: same inputs, same outputs.
pub fn step(state: &State, event: Event, now: NaiveDateTime) -> Step {
    let mut tx = Tx {
        st: state.clone(),
        fx: Vec::new(),
        now,
        invalid: false,
    };
    transition(&mut tx, event);
    if tx.st.phase != state.phase {
        // A screen that moved on without issuing a new call no longer waits for the old one: its late
        // answer is dropped by sequence number (a timed-out or cancelled query never completes a reception).
        if tx.st.awaiting == state.awaiting {
            tx.st.awaiting = None;
        }
        rearm_timers(&mut tx);
    }
    let accepted = !tx.invalid && (tx.st != *state || !tx.fx.is_empty());
    Step {
        next: tx.st,
        effects: tx.fx,
        accepted,
    }
}

fn transition(tx: &mut Tx, event: Event) {
    match event {
        Event::CardPlaced => on_card_placed(tx),
        Event::CardRemoved => on_card_removed(tx),
        Event::Answer { seq, answer } => on_port_answer(tx, seq, answer),
        Event::TimerFired { id, seq } => on_timer(tx, id, seq),
        Event::Continue => on_continue(tx),
        Event::Cancel => on_cancel(tx),
        Event::ChooseMethod(m) => on_choose_method(tx, m),
        Event::PinEntered(pin) => on_pin_entered(tx, pin),
        Event::RetryFace => on_retry_face(tx),
        Event::ChooseSmartphone => on_choose_smartphone(tx),
        Event::ChoosePlatform(p) => on_choose_platform(tx, p),
        Event::RegistrationAnswer(yes) => on_registration_answer(tx, yes),
        Event::ChooseConsentMode(m) => on_consent_mode(tx, m),
        Event::AnswerConsent(yes) => on_consent_item(tx, yes),
        Event::AnswerLimit(yes) => on_limit_answer(tx, yes),
        Event::ChoosePrescription(f) => on_prescription(tx, f),
        Event::Activity => on_activity(tx),
        // The same change as the staff console's operator switch, limited to 本人 / 代理人.
        Event::SetProxy(on) => on_staff(
            tx,
            StaffAction::SetOperator(if on { Operator::Proxy } else { Operator::Patient }),
        ),
        Event::Staff(a) => on_staff(tx, a),
    }
}

/// Take the answer of the call the flow waits for; drop any other (cancelled, timed out, superseded).
fn on_port_answer(tx: &mut Tx, seq: u32, answer: Answer) {
    if let Answer::Saved(r) | Answer::Voided(r) = answer {
        if tx.st.saving == Some(seq) {
            tx.st.saving = None;
            on_saved(tx, r);
        }
        return;
    }
    if tx.st.awaiting.map(|a| a.seq) != Some(seq) {
        return;
    }
    tx.st.awaiting = None;
    match answer {
        Answer::CardRead(r) => on_card_read(tx, r),
        Answer::PinVerified(r) => on_pin_verified(tx, r),
        Answer::Signed(r) => on_signed(tx, r),
        Answer::FaceMatched(r) => on_face(tx, r),
        Answer::SmartphoneRead(r) => on_phone_read(tx, r),
        Answer::RegistrationChecked(r) => on_registration(tx, r, false),
        Answer::RegistrationDone(r) => on_registration(tx, r, true),
        Answer::EligibilityAnswered(r) => on_answer(tx, r),
        Answer::PreviousFound(r) => on_previous(tx, r),
        // Handled above: store writes are tracked apart from the screen's call.
        Answer::Saved(_) | Answer::Voided(_) => {}
    }
}
