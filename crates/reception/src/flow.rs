//! The sans-IO reception state machine: `step(&State, Event, now) -> Step { next, effects }`.
//!
//! Follows the 顔認証付きカードリーダー (domain.md §1–§2) and the staff fallback path (§4). `step` is
//! pure: it reads no clock (time is the `now` argument), calls no port, and every `match` over a
//! state or event is exhaustive (no wildcard arm), so adding a screen or an event forces a decision
//! everywhere. Timeouts are `Effect::StartTimer` + `Event::TimerFired`; only the latest armed timer
//! (by sequence number) is honoured, so stale timers are harmless.
//!
//! Deliberately not here: port calls (see `driver`), message texts (the UI owns them; we emit codes),
//! a face-failure lock (the "10 failures" press claim is unverified, domain.md §1(b) 3), and any field
//! for a My Number, a PIN (a `Pin` only passes through from `Event` to `Effect`) or a face frame.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::model::{
    CardError, CardKind, CardSummary, CertQuery, CertRef, ConsentItem, ConsentMode, ConsentRecord,
    EligibilityError, EligibilityRecord, EligibilityResponse, FaceError, FaceVerdict, Method, NumberQuery,
    Operator, PatientLookup, PhoneCertInfo, PhonePlatform, PhoneReadOutcome, PinVerdict, PossessionProof,
    PrescriptionForm, QualificationValidity, ReaderMode, Registration, Segment, StoreError,
    StoredEligibility,
};
use crate::paper::{
    self, AcceptedDocument, Basis, Billing, DeclarationEntry, PaperDecision, PaperDocument, PaperRefusal,
    ProblemKind, ReceptionRecord, RefundTask,
};
use crate::pin::Pin;
use crate::rules::{self, CertStatus};
use crate::validate::ValidationError;

/// Site configuration. Switches and our own UI timings (not published rules, so not in `rules`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    /// MHLW temporary rule until 2026-03-31 (expired 保険証 / お知らせ alone + online check).
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

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            temporary_rule: false,
            prescription_question: false,
            legacy_limit_screen: false,
            smartphone_reader: true,
            training: false,
            idle_secs: 60,
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
    /// The reception could not be saved.
    StoreFailed,
    /// A paper document was refused.
    Paper(PaperRefusal),
}

impl ErrorCode {
    /// The staff problem class this error suggests (staff may reclassify).
    pub fn problem(self) -> Option<ProblemKind> {
        match self {
            ErrorCode::CardUnreadable | ErrorCode::ReaderFailure | ErrorCode::StoreFailed => {
                Some(ProblemKind::DeviceFailure)
            }
            ErrorCode::SmartphonePinLocked | ErrorCode::IdentityRejected => {
                Some(ProblemKind::IdentityNotConfirmed)
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
            | ErrorCode::MalformedResponse => Some(ProblemKind::CommunicationFailure),
            ErrorCode::NotMyNumberCard
            | ErrorCode::CertExpired
            | ErrorCode::CertNotYetValid
            | ErrorCode::SmartphoneCardCertExpired
            | ErrorCode::Paper(_) => None,
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

    /// Does this step make sense for the problem? Outages skip nothing but the online query when the
    /// network is down; data problems skip retrying the reader and the (stale) 再診 history.
    pub fn applies(self, problem: Option<ProblemKind>) -> bool {
        match self {
            FallbackStep::RetryOrSwitch => match problem {
                Some(ProblemKind::NoEligibilityData | ProblemKind::EligibilityInvalid) => false,
                Some(
                    ProblemKind::CommunicationFailure
                    | ProblemKind::PowerOutage
                    | ProblemKind::DeviceFailure
                    | ProblemKind::IdentityNotConfirmed,
                )
                | None => true,
            },
            FallbackStep::CardWithNotice => problem.is_none_or(ProblemKind::online_possible),
            FallbackStep::PreviousVisit => match problem {
                Some(ProblemKind::NoEligibilityData | ProblemKind::EligibilityInvalid) => false,
                Some(
                    ProblemKind::CommunicationFailure
                    | ProblemKind::PowerOutage
                    | ProblemKind::DeviceFailure
                    | ProblemKind::IdentityNotConfirmed,
                )
                | None => true,
            },
            FallbackStep::Declaration | FallbackStep::FullCharge => true,
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
    /// Newly joined: data expected between these days (S004 Q9, S003 Q14).
    DataReflectionPending {
        /// Earliest.
        from: NaiveDate,
        /// Latest.
        to: NaiveDate,
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

/// Why the flow is querying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PendingQuery {
    /// By certificate.
    Cert(CertQuery),
    /// By a document's numbers.
    Numbers(NumberQuery),
}

/// Where the flow is. The UI sees it through `Snapshot::screen`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// カードを置いてください.
    WaitingForCard,
    /// Reading the certificate.
    ReadingCard,
    /// Renewal alert or grace notice before continuing.
    CertWarning(CertStatus),
    /// 顔認証 / 暗証番号.
    MethodChoice,
    /// Camera running, matching.
    FaceCapture,
    /// Face failed: retry or switch.
    FaceFailed(FaceFailure),
    /// PIN entry.
    PinEntry {
        /// Tries left.
        tries_left: u8,
    },
    /// Card verifying the PIN.
    PinVerifying,
    /// Card signing the challenge.
    Signing,
    /// Staff 目視確認.
    VisualCheck,
    /// iPhone / Android.
    SmartphonePlatform,
    /// Android smartphone PIN entry.
    SmartphonePin {
        /// Tries left if the phone reported them.
        tries_left: Option<u8>,
    },
    /// Hold the phone to the reader.
    SmartphoneHold(PhonePlatform),
    /// Asking whether the card is registered for insurance use.
    CheckingRegistration,
    /// 保険証利用登録 offer.
    RegistrationOffer,
    /// Registering.
    Registering,
    /// 包括同意 / 個別.
    ConsentMode,
    /// One consent item.
    ConsentItem(ConsentItem),
    /// Legacy 限度額 screen.
    LimitConsent,
    /// 処方箋の発行形態.
    PrescriptionForm,
    /// Waiting for the eligibility service.
    Querying {
        /// When the first request went out.
        started: NaiveDateTime,
        /// 処理中 answers so far.
        polls: u8,
        /// Waiting for the poll timer (after 処理中).
        waiting_poll: bool,
    },
    /// Looking up the previous visit.
    LookingUpPrevious,
    /// Done.
    Completed {
        /// Basis.
        basis: Basis,
        /// Billing.
        billing: Billing,
    },
    /// カードをお取りください.
    RemoveCard,
    /// Error shown; the staff fallback follows.
    Error(ErrorCode),
    /// Staff fallback wizard.
    Fallback(FallbackStep),
}

/// Per-patient data for the current reception. Cleared when the card is removed or the next patient
/// starts. Holds no PIN, no My Number, no photo.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Session {
    /// Card summary, if a card was read.
    pub card: Option<CardSummary>,
    /// The card is (believed) in the reader.
    pub card_in_reader: bool,
    /// Certificate status at read time.
    pub cert_status: Option<CertStatus>,
    /// PIN tries left as last known.
    pub pin_tries_left: Option<u8>,
    /// Smartphone, if that path is used.
    pub phone: Option<(PhonePlatform, Option<PhoneCertInfo>)>,
    /// Identity method that succeeded.
    pub method: Option<Method>,
    /// Signature proof (PIN path).
    pub proof: Option<PossessionProof>,
    /// Consent answers so far (in item order).
    pub answers: [Option<bool>; 3],
    /// Legacy 限度額 answer.
    pub limit_answer: Option<bool>,
    /// Final consent record.
    pub consent: Option<ConsentRecord>,
    /// Prescription format.
    pub prescription: Option<PrescriptionForm>,
    /// The registration was done in this session.
    pub just_registered: bool,
    /// Query in flight (kept to re-send after 処理中).
    pub query: Option<PendingQuery>,
    /// Document under check, and whether it stands offline.
    pub document: Option<(AcceptedDocument, bool)>,
    /// Staff problem classification.
    pub problem: Option<ProblemKind>,
    /// Eligibility shown after completion (validity, record, confirmation date).
    pub result: Option<(
        Option<QualificationValidity>,
        EligibilityRecord,
        Option<NaiveDate>,
    )>,
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
    /// Current patient.
    pub session: Session,
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
            timers: Vec::new(),
            timer_seq: 0,
            call_seq: 0,
            awaiting: None,
            saving: None,
            hotline_open: false,
            notices: Vec::new(),
            validation: Vec::new(),
        }
    }

    /// The staff actions `step` takes in this state (the console shows these and no others). The guards in
    /// `on_staff` and this list are kept together by a property test.
    pub fn staff_actions(&self) -> Vec<StaffActionKind> {
        use StaffActionKind as K;
        let mut v = vec![K::SetVisualMode, K::SetOperator, K::Hotline];
        let fallback = match self.phase {
            Phase::Fallback(step) => Some(step),
            Phase::WaitingForCard
            | Phase::ReadingCard
            | Phase::CertWarning(_)
            | Phase::MethodChoice
            | Phase::FaceCapture
            | Phase::FaceFailed(_)
            | Phase::PinEntry { .. }
            | Phase::PinVerifying
            | Phase::Signing
            | Phase::VisualCheck
            | Phase::SmartphonePlatform
            | Phase::SmartphonePin { .. }
            | Phase::SmartphoneHold(_)
            | Phase::CheckingRegistration
            | Phase::RegistrationOffer
            | Phase::Registering
            | Phase::ConsentMode
            | Phase::ConsentItem(_)
            | Phase::LimitConsent
            | Phase::PrescriptionForm
            | Phase::Querying { .. }
            | Phase::LookingUpPrevious
            | Phase::Completed { .. }
            | Phase::RemoveCard
            | Phase::Error(_) => None,
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
            Phase::WaitingForCard | Phase::Fallback(_) | Phase::Error(_)
        ) {
            if !v.contains(&K::PresentPaper) {
                v.push(K::PresentPaper);
            }
            v.push(K::RefuseDocument);
        }
        if self.phase == Phase::VisualCheck {
            v.push(K::VisualCheckResult);
        }
        if matches!(self.phase, Phase::Querying { .. }) {
            v.push(K::CancelQuery);
        }
        if matches!(
            self.phase,
            Phase::Completed { .. } | Phase::RemoveCard | Phase::Fallback(_) | Phase::Error(_)
        ) {
            v.push(K::NextPatient);
        }
        v
    }

    /// Methods the patient may choose on `MethodChoice` (目視 is a staff switch, not listed).
    pub fn method_options(&self) -> Vec<Method> {
        let mut v = vec![Method::Face];
        let pin_usable = self
            .session
            .card
            .as_ref()
            .is_some_and(|c| c.cert.kind == CardKind::Normal && c.pin_tries_left.unwrap_or(0) > 0)
            && self.session.pin_tries_left.unwrap_or(0) > 0;
        if pin_usable {
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
}

/// Inputs to the machine.
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
            Call::LookupPrevious(_) | Call::SaveReception(_) => Lane::Store,
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
    /// of another screen, a late answer) is not accepted, and training never scores it.
    pub accepted: bool,
}

/// Timers a phase wants while it is shown: patient inactivity on reader screens, a watchdog on port
/// calls, the eligibility deadline (plus the poll delay after 処理中), and how long results stay.
fn timers_for(phase: &Phase, s: &SiteSettings, card_in_reader: bool) -> Vec<(TimerId, u32)> {
    match phase {
        Phase::WaitingForCard | Phase::Fallback(_) | Phase::RemoveCard => Vec::new(),
        Phase::Completed { .. } => {
            if card_in_reader {
                vec![(TimerId::CompletedDisplay, s.completed_secs)]
            } else {
                Vec::new()
            }
        }
        Phase::Error(_) => vec![(TimerId::ErrorDisplay, s.error_secs)],
        Phase::Querying { waiting_poll, .. } => {
            let mut v = vec![(TimerId::QueryTimeout, s.query_timeout_secs)];
            if *waiting_poll {
                v.push((TimerId::QueryPoll, s.poll_secs));
            }
            v
        }
        Phase::ReadingCard
        | Phase::FaceCapture
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::Registering
        | Phase::LookingUpPrevious => vec![(TimerId::Watchdog, s.watchdog_secs)],
        Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::RegistrationOffer
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm => vec![(TimerId::Idle, s.idle_secs)],
    }
}

/// A timer that keeps its due time when the phase changes but still wants it: the overall deadline of a
/// query survives its 処理中 polls. Every other timer restarts with its screen.
fn keeps_due_time(id: TimerId) -> bool {
    match id {
        TimerId::QueryTimeout => true,
        TimerId::Idle
        | TimerId::QueryPoll
        | TimerId::ErrorDisplay
        | TimerId::CompletedDisplay
        | TimerId::Watchdog => false,
    }
}

/// Working copy for one step.
struct Tx {
    st: State,
    fx: Vec<Effect>,
    now: NaiveDateTime,
}

impl Tx {
    fn today(&self) -> NaiveDate {
        self.now.date()
    }

    fn go(&mut self, phase: Phase) {
        // Notices belong to the screen they were raised on, except those staff must still see after the
        // flow has moved on (the mode switch-back happens just before the next screens); a new patient
        // (back to waiting) starts clean.
        if phase == Phase::WaitingForCard {
            self.st.notices.clear();
        } else {
            self.st.notices.retain(Notice::outlives_its_screen);
        }
        self.st.phase = phase;
        self.st.validation.clear();
    }

    /// Issue a port call. The save is tracked on its own (it outlives its screen); any other call is the
    /// one the phase now waits for.
    fn call(&mut self, call: Call) {
        self.st.call_seq = self.st.call_seq.wrapping_add(1);
        let seq = self.st.call_seq;
        match call {
            Call::SaveReception(_) => self.st.saving = Some(seq),
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

    fn error(&mut self, code: ErrorCode) {
        self.go(Phase::Error(code));
    }

    fn reset_to_waiting(&mut self) {
        self.st.session = Session::default();
        self.st.operator = Operator::Patient;
        self.go(Phase::WaitingForCard);
    }

    fn open_fallback(&mut self, problem: Option<ProblemKind>) {
        if self.st.session.problem.is_none() {
            self.st.session.problem = problem;
        }
        let p = self.st.session.problem;
        self.audit(AuditKind::FallbackOpened(p));
        self.go(Phase::Fallback(FallbackStep::first_from(
            FallbackStep::RetryOrSwitch,
            p,
        )));
    }
}

/// The transition function. Pure: same inputs, same outputs.
pub fn step(state: &State, event: Event, now: NaiveDateTime) -> Step {
    let mut tx = Tx {
        st: state.clone(),
        fx: Vec::new(),
        now,
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
    let accepted = tx.st != *state || !tx.fx.is_empty();
    Step {
        next: tx.st,
        effects: tx.fx,
        accepted,
    }
}

/// Arm what the new phase wants, disarm the rest.
fn rearm_timers(tx: &mut Tx) {
    let wanted = timers_for(&tx.st.phase, &tx.st.settings, tx.st.session.card_in_reader);
    let mut kept = Vec::new();
    for t in std::mem::take(&mut tx.st.timers) {
        let still_wanted = wanted.iter().any(|(id, _)| *id == t.id);
        if still_wanted && keeps_due_time(t.id) {
            kept.push(t);
        } else if !still_wanted {
            tx.fx.push(Effect::CancelTimer { id: t.id });
        }
        // Wanted again but restarting: the `StartTimer` below replaces it.
    }
    tx.st.timers = kept;
    for (id, after_secs) in wanted {
        if tx.st.timers.iter().any(|t| t.id == id) {
            continue;
        }
        tx.st.timer_seq = tx.st.timer_seq.wrapping_add(1);
        let seq = tx.st.timer_seq;
        tx.st.timers.push(ArmedTimer { id, seq });
        tx.fx.push(Effect::StartTimer { id, seq, after_secs });
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
        Event::ChooseSmartphone => {
            if tx.st.phase == Phase::WaitingForCard && tx.st.settings.smartphone_reader {
                tx.st.session = Session::default();
                tx.go(Phase::SmartphonePlatform);
            }
        }
        Event::ChoosePlatform(p) => {
            if tx.st.phase == Phase::SmartphonePlatform {
                tx.st.session.phone = Some((p, None));
                match p {
                    // iPhone: Face ID / Touch ID happens on the phone while it is held.
                    PhonePlatform::IPhone => {
                        tx.go(Phase::SmartphoneHold(p));
                        tx.call(Call::ReadSmartphone {
                            platform: p,
                            pin: None,
                        });
                    }
                    PhonePlatform::Android => tx.go(Phase::SmartphonePin { tries_left: None }),
                }
            }
        }
        Event::RegistrationAnswer(yes) => {
            if tx.st.phase == Phase::RegistrationOffer {
                if yes {
                    if let Some(c) = cert_ref(&tx.st.session) {
                        tx.go(Phase::Registering);
                        tx.call(Call::Register(c));
                    }
                } else {
                    tx.error(ErrorCode::RegistrationDeclined);
                }
            }
        }
        Event::ChooseConsentMode(m) => on_consent_mode(tx, m),
        Event::AnswerConsent(yes) => on_consent_item(tx, yes),
        Event::AnswerLimit(yes) => {
            if tx.st.phase == Phase::LimitConsent {
                tx.st.session.limit_answer = Some(yes);
                after_limit(tx);
            }
        }
        Event::ChoosePrescription(f) => {
            if tx.st.phase == Phase::PrescriptionForm {
                tx.st.session.prescription = Some(f);
                start_cert_query(tx);
            }
        }
        Event::Staff(a) => on_staff(tx, a),
    }
}

/// Take the answer of the call the flow waits for; drop any other (cancelled, timed out, superseded).
fn on_port_answer(tx: &mut Tx, seq: u32, answer: Answer) {
    if let Answer::Saved(r) = answer {
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
        // Handled above: the save is tracked apart from the screen's call.
        Answer::Saved(_) => {}
    }
}

fn on_card_placed(tx: &mut Tx) {
    match tx.st.phase {
        Phase::WaitingForCard | Phase::Fallback(FallbackStep::RetryOrSwitch) => {
            let problem = tx.st.session.problem;
            let operator = tx.st.operator;
            tx.st.session = Session {
                card_in_reader: true,
                problem,
                ..Session::default()
            };
            tx.st.operator = operator;
            tx.go(Phase::ReadingCard);
            tx.call(Call::ReadCard);
        }
        Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {}
    }
}

/// Card removed: anywhere in the reader flow the session is dropped unsaved (nothing half-saved);
/// staff-side fallback work continues without the card.
fn on_card_removed(tx: &mut Tx) {
    if !tx.st.session.card_in_reader {
        return;
    }
    match tx.st.phase {
        Phase::Fallback(_) | Phase::LookingUpPrevious => tx.st.session.card_in_reader = false,
        Phase::Completed { .. } | Phase::RemoveCard => tx.reset_to_waiting(),
        Phase::Querying { .. } if tx.st.session.card.is_none() => tx.st.session.card_in_reader = false,
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::Error(_) => tx.reset_to_waiting(),
    }
}

fn on_card_read(tx: &mut Tx, r: Result<CardSummary, CardError>) {
    if tx.st.phase != Phase::ReadingCard {
        return;
    }
    match r {
        Ok(summary) => {
            let status = rules::cert_status(summary.cert.not_before, summary.cert.not_after, tx.today());
            tx.st.session.cert_status = Some(status);
            tx.st.session.pin_tries_left = summary.pin_tries_left;
            tx.st.session.card = Some(summary);
            match status {
                CertStatus::Valid => after_card_ok(tx),
                CertStatus::ExpiresSoon { days_left } => {
                    tx.go(Phase::CertWarning(status));
                    tx.note(Notice::CertExpiresSoon { days_left });
                }
                CertStatus::Grace { .. } => {
                    tx.go(Phase::CertWarning(status));
                    tx.note(Notice::CertGraceEligibilityOnly);
                }
                CertStatus::Expired => tx.error(ErrorCode::CertExpired),
                CertStatus::NotYetValid => tx.error(ErrorCode::CertNotYetValid),
            }
        }
        Err(e) => card_error(tx, e),
    }
}

fn card_error(tx: &mut Tx, e: CardError) {
    match e {
        CardError::Removed => tx.reset_to_waiting(),
        CardError::Unreadable => tx.error(ErrorCode::CardUnreadable),
        CardError::NotMyNumberCard => tx.error(ErrorCode::NotMyNumberCard),
        CardError::Reader(_) => tx.error(ErrorCode::ReaderFailure),
    }
}

/// After a usable certificate: 目視 mode goes straight to the staff check, else method choice.
fn after_card_ok(tx: &mut Tx) {
    match tx.st.mode {
        ReaderMode::VisualCheck => tx.go(Phase::VisualCheck),
        ReaderMode::Unattended => {
            tx.go(Phase::MethodChoice);
            if tx.st.session.pin_tries_left == Some(0) {
                tx.note(Notice::PinLocked);
            }
        }
    }
}

fn on_continue(tx: &mut Tx) {
    match tx.st.phase {
        Phase::CertWarning(_) => after_card_ok(tx),
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {}
    }
}

fn on_cancel(tx: &mut Tx) {
    match tx.st.phase {
        Phase::PinEntry { .. } | Phase::FaceFailed(_) => tx.go(Phase::MethodChoice),
        Phase::SmartphonePlatform | Phase::SmartphonePin { .. } => tx.reset_to_waiting(),
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {}
    }
}

fn on_choose_method(tx: &mut Tx, m: Method) {
    let allowed = matches!(tx.st.phase, Phase::MethodChoice | Phase::FaceFailed(_));
    if !allowed || !tx.st.method_options().contains(&m) {
        return;
    }
    match m {
        Method::Face => {
            tx.go(Phase::FaceCapture);
            tx.call(Call::MatchFace);
        }
        Method::Pin => {
            let tries_left = tx.st.session.pin_tries_left.unwrap_or(0);
            tx.go(Phase::PinEntry { tries_left });
            if tx.st.operator == Operator::Proxy {
                tx.note(Notice::ProxyOperation);
            }
        }
        // Not offered by `method_options`: 目視 is a staff switch, smartphone starts at the waiting screen.
        Method::Visual | Method::Smartphone => {}
    }
}

fn on_pin_entered(tx: &mut Tx, pin: Pin) {
    match tx.st.phase {
        Phase::PinEntry { .. } => {
            // A malformed PIN never reaches the card, so it costs no try.
            if pin.check_format().is_err() {
                tx.st.validation.clear();
                tx.note(Notice::PinFormat);
                return;
            }
            tx.go(Phase::PinVerifying);
            tx.call(Call::VerifyPin { pin });
        }
        Phase::SmartphonePin { .. } => {
            if pin.check_format().is_err() {
                tx.note(Notice::PinFormat);
                return;
            }
            tx.go(Phase::SmartphoneHold(PhonePlatform::Android));
            tx.call(Call::ReadSmartphone {
                platform: PhonePlatform::Android,
                pin: Some(pin),
            });
        }
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {} // `pin` is dropped (and zeroized) here.
    }
}

fn pin_locked(tx: &mut Tx) {
    tx.st.session.pin_tries_left = Some(0);
    if let Some(c) = tx.st.session.card.as_mut() {
        c.pin_tries_left = Some(0);
    }
    // A locked PIN leaves face and 目視 (S000 2-23).
    tx.go(Phase::MethodChoice);
    tx.note(Notice::PinLocked);
}

fn on_pin_verified(tx: &mut Tx, r: Result<PinVerdict, CardError>) {
    if tx.st.phase != Phase::PinVerifying {
        return;
    }
    match r {
        Ok(PinVerdict::Ok) => {
            tx.st.session.pin_tries_left = Some(rules::pin_tries());
            let serial = tx
                .st
                .session
                .card
                .as_ref()
                .map(|c| c.cert.serial.clone())
                .unwrap_or_default();
            // The challenge only has to be fresh per reception; the service checks the signature.
            let challenge = format!("uketsuke:{serial}:{}", tx.now.format("%Y%m%d%H%M%S")).into_bytes();
            tx.go(Phase::Signing);
            tx.call(Call::SignChallenge { challenge });
        }
        Ok(PinVerdict::Wrong { tries_left: 0 }) | Ok(PinVerdict::Locked) => pin_locked(tx),
        Ok(PinVerdict::Wrong { tries_left }) => {
            tx.st.session.pin_tries_left = Some(tries_left);
            tx.go(Phase::PinEntry { tries_left });
            tx.note(Notice::PinWrong { tries_left });
        }
        Err(e) => card_error(tx, e),
    }
}

fn on_signed(tx: &mut Tx, r: Result<PossessionProof, CardError>) {
    if tx.st.phase != Phase::Signing {
        return;
    }
    match r {
        Ok(proof) => {
            tx.st.session.proof = Some(proof);
            identity_confirmed(tx, Method::Pin);
        }
        Err(e) => card_error(tx, e),
    }
}

fn on_face(tx: &mut Tx, r: Result<FaceVerdict, FaceError>) {
    if tx.st.phase != Phase::FaceCapture {
        return;
    }
    match r {
        Ok(FaceVerdict::Match { .. }) => identity_confirmed(tx, Method::Face),
        Ok(FaceVerdict::NoMatch { .. }) => tx.go(Phase::FaceFailed(FaceFailure::NoMatch)),
        Ok(FaceVerdict::NoFace) => tx.go(Phase::FaceFailed(FaceFailure::NoFace)),
        Err(FaceError::CardRemoved) => tx.reset_to_waiting(),
        Err(FaceError::PhotoUnavailable | FaceError::Camera(_)) => {
            tx.go(Phase::FaceFailed(FaceFailure::DeviceError))
        }
    }
}

fn on_retry_face(tx: &mut Tx) {
    if matches!(tx.st.phase, Phase::FaceFailed(_)) {
        tx.go(Phase::FaceCapture);
        tx.call(Call::MatchFace);
    }
}

fn on_phone_read(tx: &mut Tx, r: Result<PhoneReadOutcome, CardError>) {
    let Phase::SmartphoneHold(platform) = tx.st.phase else {
        return;
    };
    match r {
        Ok(PhoneReadOutcome::Read(info)) => {
            // No grace on the phone: an expired physical-card certificate refuses it (PORTAL-SMAPHO).
            let today = tx.today();
            if today > info.card_cert_not_after || today > info.not_after {
                tx.error(ErrorCode::SmartphoneCardCertExpired);
                return;
            }
            tx.st.session.cert_status = Some(CertStatus::Valid);
            tx.st.session.phone = Some((platform, Some(info)));
            identity_confirmed(tx, Method::Smartphone);
        }
        Ok(PhoneReadOutcome::WrongPin { tries_left: 0 }) | Ok(PhoneReadOutcome::Locked) => {
            tx.error(ErrorCode::SmartphonePinLocked)
        }
        Ok(PhoneReadOutcome::WrongPin { tries_left }) => {
            tx.go(Phase::SmartphonePin {
                tries_left: Some(tries_left),
            });
            tx.note(Notice::PinWrong { tries_left });
        }
        Err(CardError::Removed) => tx.reset_to_waiting(),
        Err(CardError::Unreadable | CardError::NotMyNumberCard) => tx.error(ErrorCode::CardUnreadable),
        Err(CardError::Reader(_)) => tx.error(ErrorCode::ReaderFailure),
    }
}

fn cert_ref(s: &Session) -> Option<CertRef> {
    match (&s.phone, &s.card) {
        (Some((platform, Some(info))), _) => Some(CertRef::Smartphone {
            serial: info.serial.clone(),
            platform: *platform,
        }),
        (Some((_, None)), Some(c)) | (None, Some(c)) => Some(CertRef::Card {
            serial: c.cert.serial.clone(),
        }),
        (Some((_, None)), None) | (None, None) => None,
    }
}

/// Identity done by some method → ask the registration status.
fn identity_confirmed(tx: &mut Tx, method: Method) {
    tx.st.session.method = Some(method);
    match cert_ref(&tx.st.session) {
        Some(c) => {
            tx.go(Phase::CheckingRegistration);
            tx.call(Call::CheckRegistration(c));
        }
        None => tx.error(ErrorCode::CardUnreadable),
    }
}

fn on_registration(tx: &mut Tx, r: Result<Registration, EligibilityError>, after_register: bool) {
    let expected = if after_register {
        Phase::Registering
    } else {
        Phase::CheckingRegistration
    };
    if tx.st.phase != expected {
        return;
    }
    match r {
        Ok(Registration::Registered) => {
            tx.st.session.just_registered = after_register;
            start_consent(tx);
        }
        Ok(Registration::NotRegistered) => {
            if after_register {
                tx.error(ErrorCode::NoEligibilityData);
            } else {
                tx.go(Phase::RegistrationOffer);
            }
        }
        Err(e) => service_error(tx, e),
    }
}

fn service_error(tx: &mut Tx, e: EligibilityError) {
    match e {
        EligibilityError::Timeout => tx.error(ErrorCode::QueryTimeout),
        EligibilityError::Unavailable => tx.error(ErrorCode::ServiceUnavailable),
        EligibilityError::Malformed(_) => tx.error(ErrorCode::MalformedResponse),
    }
}

/// Consent, unless the certificate is in its grace period (eligibility only, S000 2-25).
fn start_consent(tx: &mut Tx) {
    let grace = matches!(tx.st.session.cert_status, Some(CertStatus::Grace { .. }));
    if grace {
        tx.st.session.consent = None;
        after_limit(tx);
        tx.note(Notice::CertGraceEligibilityOnly);
    } else {
        tx.go(Phase::ConsentMode);
    }
}

fn on_consent_mode(tx: &mut Tx, m: ConsentMode) {
    if tx.st.phase != Phase::ConsentMode {
        return;
    }
    match m {
        ConsentMode::Comprehensive => {
            tx.st.session.answers = [Some(true); 3];
            after_items(tx);
        }
        ConsentMode::DeclineAll => {
            tx.st.session.answers = [Some(false); 3];
            after_items(tx);
        }
        ConsentMode::Individual => tx.go(Phase::ConsentItem(ConsentItem::TreatmentAndMedicine)),
    }
}

fn item_index(i: ConsentItem) -> usize {
    match i {
        ConsentItem::TreatmentAndMedicine => 0,
        ConsentItem::Surgery => 1,
        ConsentItem::HealthCheckup => 2,
    }
}

fn on_consent_item(tx: &mut Tx, yes: bool) {
    let Phase::ConsentItem(item) = tx.st.phase else {
        return;
    };
    if let Some(slot) = tx.st.session.answers.get_mut(item_index(item)) {
        *slot = Some(yes);
    }
    match item.next() {
        Some(n) => tx.go(Phase::ConsentItem(n)),
        None => after_items(tx),
    }
}

/// Items answered: record them with time and 24 h expiry, then the legacy 限度額 screen if switched on.
fn after_items(tx: &mut Tx) {
    let [a, b, c] = tx.st.session.answers;
    tx.st.session.consent = Some(ConsentRecord {
        treatment_and_medicine: a.unwrap_or(false),
        surgery: b.unwrap_or(false),
        health_checkup: c.unwrap_or(false),
        limit_info: true,
        given_at: tx.now,
        valid_until: rules::consent_valid_until(tx.now),
    });
    if rules::limit_consent_screen_shown(tx.st.settings.legacy_limit_screen) {
        tx.go(Phase::LimitConsent);
    } else {
        after_limit(tx);
    }
}

fn after_limit(tx: &mut Tx) {
    if let (Some(c), Some(l)) = (tx.st.session.consent.as_mut(), tx.st.session.limit_answer) {
        c.limit_info = l;
    }
    if tx.st.settings.prescription_question {
        tx.go(Phase::PrescriptionForm);
    } else {
        start_cert_query(tx);
    }
}

fn start_cert_query(tx: &mut Tx) {
    let Some(cert) = cert_ref(&tx.st.session) else {
        tx.error(ErrorCode::CardUnreadable);
        return;
    };
    let grace = matches!(tx.st.session.cert_status, Some(CertStatus::Grace { .. }));
    let consent = tx.st.session.consent;
    let q = CertQuery {
        cert,
        proof: tx.st.session.proof.clone(),
        consent,
        prescription: tx.st.session.prescription,
        medical_info_allowed: !grace && consent.is_some_and(|c| c.any_medical()),
        date: tx.today(),
    };
    tx.st.session.query = Some(PendingQuery::Cert(q.clone()));
    tx.go(Phase::Querying {
        started: tx.now,
        polls: 0,
        waiting_poll: false,
    });
    tx.call(Call::QueryByCertificate(q));
}

fn start_number_query(tx: &mut Tx, doc: AcceptedDocument, accept_offline: bool) {
    let n = &doc.numbers;
    let q = NumberQuery {
        insurer_number: n.insurer_number.clone(),
        symbol: n.symbol.clone(),
        number: n.number.clone(),
        branch: n.branch.clone(),
        birthdate: n.birthdate,
        date: tx.today(),
    };
    tx.st.session.document = Some((doc, accept_offline));
    tx.st.session.query = Some(PendingQuery::Numbers(q.clone()));
    tx.go(Phase::Querying {
        started: tx.now,
        polls: 0,
        waiting_poll: false,
    });
    tx.call(Call::QueryByNumbers(q));
}

fn resend_query(tx: &mut Tx) {
    match tx.st.session.query.clone() {
        Some(PendingQuery::Cert(q)) => tx.call(Call::QueryByCertificate(q)),
        Some(PendingQuery::Numbers(q)) => tx.call(Call::QueryByNumbers(q)),
        None => tx.error(ErrorCode::ServiceError),
    }
}

fn by_numbers(s: &Session) -> bool {
    matches!(s.query, Some(PendingQuery::Numbers(_)))
}

fn on_answer(tx: &mut Tx, r: Result<EligibilityResponse, EligibilityError>) {
    let Phase::Querying {
        started,
        polls,
        waiting_poll: false,
    } = tx.st.phase
    else {
        return;
    };
    let offline_ok = tx.st.session.document.as_ref().is_some_and(|(_, ok)| *ok);
    match r {
        Ok(resp) => match resp.segment {
            Segment::Normal => on_validity(tx, resp),
            Segment::Processing => {
                if polls.saturating_add(1) >= tx.st.settings.max_polls {
                    communication_failed(tx, ErrorCode::ServiceProcessing, offline_ok);
                } else {
                    tx.go(Phase::Querying {
                        started,
                        polls: polls.saturating_add(1),
                        waiting_poll: true,
                    });
                }
            }
            Segment::Error { .. } => communication_failed(tx, ErrorCode::ServiceError, offline_ok),
        },
        Err(EligibilityError::Timeout) => communication_failed(tx, ErrorCode::QueryTimeout, offline_ok),
        Err(EligibilityError::Unavailable) => {
            communication_failed(tx, ErrorCode::ServiceUnavailable, offline_ok)
        }
        Err(EligibilityError::Malformed(_)) => {
            communication_failed(tx, ErrorCode::MalformedResponse, offline_ok)
        }
    }
}

/// The service could not answer. Card + お知らせ stands on its own then (S000 2-19); otherwise error.
fn communication_failed(tx: &mut Tx, code: ErrorCode, offline_ok: bool) {
    if offline_ok {
        if let Some((doc, _)) = tx.st.session.document.clone() {
            let kind = doc.kind;
            complete(tx, Basis::Document(kind), Billing::NormalShare, None, None, None);
            tx.note(Notice::AcceptedOffline);
            return;
        }
    }
    tx.error(code);
}

fn on_validity(tx: &mut Tx, resp: EligibilityResponse) {
    let numbers = by_numbers(&tx.st.session);
    let temporary_doc = tx
        .st
        .session
        .document
        .as_ref()
        .is_some_and(|(_, offline)| !*offline);
    let Some(v) = resp.validity else {
        tx.error(ErrorCode::MalformedResponse);
        return;
    };
    match v {
        QualificationValidity::Valid | QualificationValidity::ValidUnregistered => {
            let Some(record) = resp.record else {
                tx.error(ErrorCode::MalformedResponse);
                return;
            };
            let basis = if numbers {
                let kind = tx.st.session.document.as_ref().map(|(d, _)| d.kind);
                match kind {
                    Some(k) => Basis::OnlineNumbers(k),
                    None => Basis::OnlineNumbers(paper::DocumentKind::Notice),
                }
            } else if tx.st.session.phone.is_some() {
                Basis::OnlineSmartphone
            } else {
                Basis::OnlineCard
            };
            let suspended = record.medical_viewing_suspended;
            complete(
                tx,
                basis,
                Billing::NormalShare,
                Some(v),
                Some(record),
                Some(resp.confirmed_on),
            );
            if suspended {
                tx.note(Notice::MedicalViewingSuspended);
            }
        }
        QualificationValidity::Invalid
        | QualificationValidity::InvalidNewerExists
        | QualificationValidity::NotFound
        | QualificationValidity::MultipleMatches
            if temporary_doc =>
        {
            // Temporary rule: normal share only when the online check confirms (TEMP-2026).
            tx.error(ErrorCode::Paper(PaperRefusal::NotConfirmedOnline));
        }
        QualificationValidity::Invalid => tx.error(ErrorCode::EligibilityInvalid),
        QualificationValidity::InvalidNewerExists => tx.error(ErrorCode::EligibilityInvalidNewerExists),
        QualificationValidity::NotFound => {
            tx.error(ErrorCode::NoEligibilityData);
            if tx.st.session.just_registered {
                tx.note(Notice::JustRegistered);
            }
            let (from, to) = rules::data_reflection_window(tx.today());
            tx.note(Notice::DataReflectionPending { from, to });
        }
        QualificationValidity::MultipleMatches => tx.error(ErrorCode::MultipleMatches),
    }
}

/// 初診 on a 被保険者資格申立書: completed at the normal share, the declaration saved with it.
fn complete_with_declaration(tx: &mut Tx, declaration: paper::Declaration) {
    let record = reception_record(tx, Basis::Declaration, Billing::NormalShare, None, None, None);
    finish(
        tx,
        ReceptionRecord {
            declaration: Some(declaration),
            ..record
        },
    );
}

/// Enter `Completed` and save everything in one call.
fn complete(
    tx: &mut Tx,
    basis: Basis,
    billing: Billing,
    validity: Option<QualificationValidity>,
    eligibility: Option<EligibilityRecord>,
    confirmed_on: Option<NaiveDate>,
) {
    let record = reception_record(tx, basis, billing, validity, eligibility, confirmed_on);
    finish(tx, record);
}

fn finish(tx: &mut Tx, record: ReceptionRecord) {
    tx.st.session.result = record
        .eligibility
        .clone()
        .map(|e| (record.validity, e, record.confirmed_on));
    tx.go(Phase::Completed {
        basis: record.basis.clone(),
        billing: record.billing,
    });
    tx.call(Call::SaveReception(Box::new(record)));
}

/// What is saved for this patient, from the session.
fn reception_record(
    tx: &Tx,
    basis: Basis,
    billing: Billing,
    validity: Option<QualificationValidity>,
    eligibility: Option<EligibilityRecord>,
    confirmed_on: Option<NaiveDate>,
) -> ReceptionRecord {
    let s = &tx.st.session;
    let grace = matches!(s.cert_status, Some(CertStatus::Grace { .. }));
    let suspended = eligibility.as_ref().is_some_and(|e| e.medical_viewing_suspended);
    let online = matches!(basis, Basis::OnlineCard | Basis::OnlineSmartphone);
    let medical = online && !grace && !suspended && s.consent.is_some_and(|c| c.any_medical());
    let cert_serial = match (&s.phone, &s.card) {
        (Some((_, Some(info))), _) => Some(info.serial.clone()),
        (Some((_, None)), Some(c)) | (None, Some(c)) => Some(c.cert.serial.clone()),
        (Some((_, None)), None) | (None, None) => None,
    };
    let refund_task = match billing {
        Billing::FullCharge => Some(RefundTask {
            visit_on: tx.today(),
            recheck_on: rules::data_reflection_window(tx.today()).1,
            problem: s.problem,
            numbers: s.document.as_ref().map(|(d, _)| d.numbers.clone()),
        }),
        Billing::NormalShare => None,
    };
    ReceptionRecord {
        completed_at: tx.now,
        basis,
        billing,
        operator: tx.st.operator,
        method: s.method,
        cert_serial,
        cert_status: s.cert_status,
        consent: if online { s.consent } else { None },
        prescription: s.prescription,
        medical_info_available: medical,
        validity,
        eligibility,
        confirmed_on,
        document: s.document.as_ref().map(|(d, _)| d.clone()),
        declaration: None,
        problem: s.problem,
        refund_task,
    }
}

fn on_previous(tx: &mut Tx, r: Result<Option<StoredEligibility>, StoreError>) {
    if tx.st.phase != Phase::LookingUpPrevious {
        return;
    }
    match r {
        Ok(Some(stored)) => {
            let on = stored.confirmed_on;
            complete(
                tx,
                Basis::PreviousVisit { confirmed_on: on },
                Billing::NormalShare,
                None,
                Some(stored.record),
                Some(on),
            );
        }
        Ok(None) => {
            tx.go(Phase::Fallback(FallbackStep::PreviousVisit));
            tx.note(Notice::PreviousVisitNotFound);
        }
        Err(_) => tx.error(ErrorCode::StoreFailed),
    }
}

/// A failed save is never passed over: whatever screen is up by then, it gives way to the error.
fn on_saved(tx: &mut Tx, r: Result<(), StoreError>) {
    if r.is_err() {
        tx.error(ErrorCode::StoreFailed);
    }
}

fn on_timer(tx: &mut Tx, id: TimerId, seq: u32) {
    let armed = ArmedTimer { id, seq };
    if !tx.st.timers.contains(&armed) {
        return; // stale: disarmed, or a newer timer of this id replaced it
    }
    tx.st.timers.retain(|t| *t != armed);
    // Armed timers always belong to the current phase (`timers_for`), so the phase and the id decide.
    match (tx.st.phase.clone(), id) {
        (Phase::Error(code), TimerId::ErrorDisplay) => tx.open_fallback(code.problem()),
        (Phase::Completed { .. }, TimerId::CompletedDisplay) => tx.go(Phase::RemoveCard),
        (
            Phase::Querying {
                started,
                polls,
                waiting_poll: true,
            },
            TimerId::QueryPoll,
        ) => {
            tx.go(Phase::Querying {
                started,
                polls,
                waiting_poll: false,
            });
            resend_query(tx);
        }
        (Phase::Querying { .. }, TimerId::QueryTimeout) => {
            let offline_ok = tx.st.session.document.as_ref().is_some_and(|(_, ok)| *ok);
            communication_failed(tx, ErrorCode::QueryTimeout, offline_ok);
        }
        (Phase::LookingUpPrevious, TimerId::Watchdog) => tx.error(ErrorCode::StoreFailed),
        (
            Phase::ReadingCard
            | Phase::FaceCapture
            | Phase::PinVerifying
            | Phase::Signing
            | Phase::SmartphoneHold(_)
            | Phase::CheckingRegistration
            | Phase::Registering,
            TimerId::Watchdog,
        ) => tx.error(ErrorCode::ReaderFailure),
        // Idle: never leave a patient screen hanging; declining never blocks (domain.md §2(b) 2).
        (Phase::CertWarning(_), TimerId::Idle) => after_card_ok(tx),
        (Phase::PinEntry { .. }, TimerId::Idle) => tx.go(Phase::MethodChoice),
        (Phase::MethodChoice | Phase::FaceFailed(_) | Phase::VisualCheck, TimerId::Idle) => {
            tx.open_fallback(Some(ProblemKind::IdentityNotConfirmed))
        }
        (Phase::SmartphonePlatform | Phase::SmartphonePin { .. }, TimerId::Idle) => tx.reset_to_waiting(),
        (Phase::RegistrationOffer, TimerId::Idle) => tx.error(ErrorCode::RegistrationDeclined),
        (Phase::ConsentMode | Phase::ConsentItem(_), TimerId::Idle) => after_items(tx),
        (Phase::LimitConsent, TimerId::Idle) => after_limit(tx),
        (Phase::PrescriptionForm, TimerId::Idle) => start_cert_query(tx),
        // A timer the phase does not arm cannot be armed here (`timers_for`); nothing to do.
        (_, TimerId::Idle)
        | (_, TimerId::QueryTimeout)
        | (_, TimerId::QueryPoll)
        | (_, TimerId::ErrorDisplay)
        | (_, TimerId::CompletedDisplay)
        | (_, TimerId::Watchdog) => {}
    }
}

fn on_staff(tx: &mut Tx, a: StaffAction) {
    match a {
        StaffAction::SetVisualMode(on) => {
            let mode = if on {
                ReaderMode::VisualCheck
            } else {
                ReaderMode::Unattended
            };
            if tx.st.mode != mode {
                tx.st.mode = mode;
                tx.audit(AuditKind::ModeChanged(mode));
            }
            let card_ready = tx.st.session.card_in_reader && tx.st.session.card.is_some();
            let here = &tx.st.phase;
            let to_visual = matches!(
                here,
                Phase::MethodChoice | Phase::FaceFailed(_) | Phase::PinEntry { .. }
            ) || (*here == Phase::Fallback(FallbackStep::RetryOrSwitch) && card_ready);
            if on && to_visual {
                tx.go(Phase::VisualCheck);
            } else if !on && *here == Phase::VisualCheck {
                tx.go(Phase::MethodChoice);
            }
        }
        StaffAction::VisualCheckResult(ok) => {
            if tx.st.phase != Phase::VisualCheck {
                return;
            }
            tx.audit(AuditKind::VisualCheck(ok));
            // Back to unattended after one use, so the next patient can use face (KYOTO-IHOU p=16047).
            tx.st.mode = ReaderMode::Unattended;
            tx.audit(AuditKind::ModeChanged(ReaderMode::Unattended));
            if ok {
                // The PIN counter is NOT reset by 目視 (TBS-ITV, domain.md §1).
                identity_confirmed(tx, Method::Visual);
            } else {
                tx.error(ErrorCode::IdentityRejected);
            }
            tx.note(Notice::ModeReturnedToUnattended);
        }
        StaffAction::SetOperator(op) => {
            tx.st.operator = op;
            tx.audit(AuditKind::OperatorSet(op));
        }
        StaffAction::OpenFallback => match tx.st.phase {
            Phase::Fallback(_) => {}
            Phase::Error(code) => tx.open_fallback(code.problem()),
            Phase::WaitingForCard
            | Phase::ReadingCard
            | Phase::CertWarning(_)
            | Phase::MethodChoice
            | Phase::FaceCapture
            | Phase::FaceFailed(_)
            | Phase::PinEntry { .. }
            | Phase::PinVerifying
            | Phase::Signing
            | Phase::VisualCheck
            | Phase::SmartphonePlatform
            | Phase::SmartphonePin { .. }
            | Phase::SmartphoneHold(_)
            | Phase::CheckingRegistration
            | Phase::RegistrationOffer
            | Phase::Registering
            | Phase::ConsentMode
            | Phase::ConsentItem(_)
            | Phase::LimitConsent
            | Phase::PrescriptionForm
            | Phase::Querying { .. }
            | Phase::LookingUpPrevious
            | Phase::Completed { .. }
            | Phase::RemoveCard => {
                if matches!(tx.st.phase, Phase::Completed { .. } | Phase::RemoveCard) {
                    tx.st.session = Session::default();
                }
                tx.open_fallback(None)
            }
        },
        StaffAction::ClassifyProblem(kind) => {
            if let Phase::Fallback(step) = tx.st.phase {
                tx.st.session.problem = Some(kind);
                tx.audit(AuditKind::ProblemClassified(kind));
                let s = FallbackStep::first_from(step, Some(kind));
                // Reclassifying may reopen earlier applicable steps? No: the path only moves forward.
                tx.go(Phase::Fallback(s));
            }
        }
        StaffAction::FallbackNext => {
            if let Phase::Fallback(step) = tx.st.phase {
                tx.go(Phase::Fallback(step.next(tx.st.session.problem)));
            }
        }
        StaffAction::RetryReader => {
            if tx.st.phase == Phase::Fallback(FallbackStep::RetryOrSwitch) {
                let usable = tx.st.session.card_in_reader
                    && matches!(
                        tx.st.session.cert_status,
                        Some(CertStatus::Valid | CertStatus::ExpiresSoon { .. } | CertStatus::Grace { .. })
                    );
                if usable {
                    after_card_ok(tx);
                } else {
                    let problem = tx.st.session.problem;
                    tx.reset_to_waiting();
                    tx.st.session.problem = problem;
                }
            }
        }
        StaffAction::PresentPaper(doc) => on_paper(tx, *doc),
        StaffAction::RefuseDocument(r) => {
            if matches!(
                tx.st.phase,
                Phase::WaitingForCard | Phase::Fallback(_) | Phase::Error(_)
            ) {
                tx.audit(AuditKind::DocumentRefused(r));
                tx.error(ErrorCode::Paper(r));
            }
        }
        StaffAction::LookupPrevious(l) => {
            if tx.st.phase == Phase::Fallback(FallbackStep::PreviousVisit) {
                tx.go(Phase::LookingUpPrevious);
                tx.call(Call::LookupPrevious(l));
            }
        }
        StaffAction::SubmitDeclaration(entry) => {
            if tx.st.phase != Phase::Fallback(FallbackStep::Declaration) {
                return;
            }
            match entry.validate(tx.today()) {
                Ok(decl) => complete_with_declaration(tx, decl),
                Err(v) => tx.st.validation = v,
            }
        }
        StaffAction::ConfirmFullCharge => {
            if tx.st.phase == Phase::Fallback(FallbackStep::FullCharge) {
                complete(tx, Basis::Unconfirmed, Billing::FullCharge, None, None, None);
                tx.note(Notice::RefundFollowUp);
            }
        }
        StaffAction::Hotline(open) => {
            if open && !tx.st.hotline_open {
                tx.audit(AuditKind::HotlineShown);
            }
            tx.st.hotline_open = open;
        }
        StaffAction::CancelQuery => {
            if matches!(tx.st.phase, Phase::Querying { .. }) {
                tx.audit(AuditKind::QueryCancelled);
                let offline_ok = tx.st.session.document.as_ref().is_some_and(|(_, ok)| *ok);
                if offline_ok {
                    communication_failed(tx, ErrorCode::QueryTimeout, true);
                } else {
                    tx.open_fallback(Some(ProblemKind::CommunicationFailure));
                }
            }
        }
        StaffAction::NextPatient => match tx.st.phase {
            Phase::Completed { .. } | Phase::RemoveCard | Phase::Fallback(_) | Phase::Error(_) => {
                tx.st.mode = ReaderMode::Unattended;
                tx.reset_to_waiting();
            }
            Phase::WaitingForCard
            | Phase::ReadingCard
            | Phase::CertWarning(_)
            | Phase::MethodChoice
            | Phase::FaceCapture
            | Phase::FaceFailed(_)
            | Phase::PinEntry { .. }
            | Phase::PinVerifying
            | Phase::Signing
            | Phase::VisualCheck
            | Phase::SmartphonePlatform
            | Phase::SmartphonePin { .. }
            | Phase::SmartphoneHold(_)
            | Phase::CheckingRegistration
            | Phase::RegistrationOffer
            | Phase::Registering
            | Phase::ConsentMode
            | Phase::ConsentItem(_)
            | Phase::LimitConsent
            | Phase::PrescriptionForm
            | Phase::Querying { .. }
            | Phase::LookingUpPrevious => {}
        },
    }
}

fn on_paper(tx: &mut Tx, doc: PaperDocument) {
    let allowed = matches!(
        tx.st.phase,
        Phase::WaitingForCard | Phase::Fallback(_) | Phase::Error(_)
    );
    if !allowed {
        return;
    }
    if tx.st.phase == Phase::WaitingForCard {
        tx.st.session = Session::default();
    }
    match paper::assess(&doc, tx.today(), tx.st.settings.temporary_rule) {
        PaperDecision::Invalid(v) => tx.st.validation = v,
        PaperDecision::Refuse(r) => {
            tx.audit(AuditKind::DocumentRefused(r));
            tx.error(ErrorCode::Paper(r));
        }
        PaperDecision::Accept(d) => {
            let kind = d.kind;
            tx.st.session.document = Some((d, true));
            complete(tx, Basis::Document(kind), Billing::NormalShare, None, None, None);
        }
        PaperDecision::NeedsOnlineCheck {
            document,
            accept_offline,
        } => start_number_query(tx, document, accept_offline),
    }
}
