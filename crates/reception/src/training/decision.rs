//! `StaffDecision` — the vocabulary a training run is scored in, and its derivation from the
//! `UserInput` stream the UI sends.
//!
//! A decision is a *judgement* staff make at the desk (switch to 目視, record a 代理人, classify an
//! outage, accept or refuse a paper document, charge 10割…). Mechanical navigation (opening the
//! fallback wizard, "next step", next patient) and the patient's own choices (consent items, the PIN
//! digits, 処方箋の発行形態) are deliberately not decisions: they are never scored.
//! Deliberately not here: the numbers typed from a document (they are data, not a decision).

use serde::{Deserialize, Serialize};

use crate::flow::{StaffAction, State};
use crate::input::UserInput;
use crate::model::{Method, Operator};
use crate::paper::{DocumentKind, GroupSetting, PaperDocument, PaperRefusal, ProblemKind};

/// How a presented paper document is used (the staff judgement behind keying it in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
#[serde(tag = "kind", content = "value")]
pub enum DocumentUse {
    /// 資格確認書.
    QualificationCertificate,
    /// Legacy 健康保険証.
    LegacyCard,
    /// The マイナ保険証 plus 資格情報のお知らせ or マイナポータル PDF (S000 2-4; S004 Q1).
    NoticeWithCard(DocumentKind),
    /// お知らせ / PDF without the card (only under the temporary rule, TEMP-2026).
    NoticeAlone(DocumentKind),
    /// School trip / nursery: PDF or お知らせ without the child's card (S000 2-30, 2-31).
    Group(GroupSetting),
}

impl DocumentUse {
    /// How a `PaperDocument` is being used.
    pub fn of(doc: &PaperDocument) -> DocumentUse {
        match doc {
            PaperDocument::QualificationCertificate(_) => DocumentUse::QualificationCertificate,
            PaperDocument::LegacyCard(_) => DocumentUse::LegacyCard,
            PaperDocument::Notice {
                kind,
                with_card: true,
                ..
            } => DocumentUse::NoticeWithCard(*kind),
            PaperDocument::Notice {
                kind,
                with_card: false,
                ..
            } => DocumentUse::NoticeAlone(*kind),
            PaperDocument::Group { setting, .. } => DocumentUse::Group(*setting),
        }
    }
}

/// One staff decision (what the debrief grades).
///
/// Serialized like `UserInput`: `{"kind":"Identify","value":"Pin"}`, `{"kind":"ChargeFull"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
#[serde(tag = "kind", content = "value")]
pub enum StaffDecision {
    /// Guide the patient to an identity method: 顔認証 / 暗証番号 / smartphone (RecommendPin =
    /// `Identify(Pin)`). 目視 is `SwitchVisualMode`.
    Identify(Method),
    /// Let the patient try the face check again.
    RetryFace,
    /// Switch the reader to 目視確認モード.
    SwitchVisualMode,
    /// Switch back to 無人運転 by hand.
    ReturnUnattendedMode,
    /// 目視確認 result: the card photo is (true) / is not (false) the person.
    ConfirmVisual(bool),
    /// Record who operates: 本人 / 代理人 / 職員補助.
    SetOperator(Operator),
    /// Acknowledge the 電子証明書 alert and continue (advise renewal at the 市区町村窓口).
    ContinueAfterCertAlert,
    /// 保険証利用登録 on the spot (true) or not (false).
    Registration(bool),
    /// Classify what went wrong (outage vs data problem).
    ClassifyProblem(ProblemKind),
    /// Try the card reader again.
    RetryReader,
    /// Key in / accept a presented document (EnterNotice = `AcceptDocument(NoticeWithCard(_))`).
    AcceptDocument(DocumentUse),
    /// Refuse a presented document, for this reason.
    RefuseDocument(PaperRefusal),
    /// 再診: use the eligibility of the previous visit.
    UsePreviousVisit,
    /// 初診: take a 被保険者資格申立書.
    TakeDeclaration,
    /// 10割 now, with the refund / 療養費 follow-up.
    ChargeFull,
    /// Show the hotline sheet (0120-95-0178).
    ShowHotline,
    /// Void the reception that showed another person's data (kept with the reason).
    VoidReception,
}

/// Groups of decisions that answer the same question; a wrong answer is found in the same group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Family {
    /// How identity is established.
    Identity,
    /// The 目視 verdict.
    Visual,
    /// Reader mode housekeeping.
    Mode,
    /// Who operates.
    Operator,
    /// Certificate alert.
    CertAlert,
    /// Insurance-use registration.
    Registration,
    /// Problem class.
    Problem,
    /// Which document, accepted or refused.
    Document,
    /// How the visit is billed when online confirmation fails.
    Billing,
    /// Hotline.
    Hotline,
}

impl StaffDecision {
    /// The question this decision answers.
    pub fn family(self) -> Family {
        match self {
            StaffDecision::Identify(_)
            | StaffDecision::RetryFace
            | StaffDecision::SwitchVisualMode
            | StaffDecision::RetryReader => Family::Identity,
            StaffDecision::ConfirmVisual(_) => Family::Visual,
            StaffDecision::ReturnUnattendedMode => Family::Mode,
            StaffDecision::SetOperator(_) => Family::Operator,
            StaffDecision::ContinueAfterCertAlert => Family::CertAlert,
            StaffDecision::Registration(_) => Family::Registration,
            StaffDecision::ClassifyProblem(_) => Family::Problem,
            StaffDecision::AcceptDocument(_) | StaffDecision::RefuseDocument(_) => Family::Document,
            StaffDecision::UsePreviousVisit | StaffDecision::TakeDeclaration | StaffDecision::ChargeFull => {
                Family::Billing
            }
            StaffDecision::ShowHotline | StaffDecision::VoidReception => Family::Hotline,
        }
    }

    /// Does an unexpected occurrence change what the patient pays or which document counts? Those
    /// are wrong even when a scenario does not list them (e.g. 10割 when 再診 history was possible).
    /// Returns the generic rule that makes it harmful.
    pub fn harm_if_unexpected(self) -> Option<&'static str> {
        match self {
            StaffDecision::ChargeFull => Some("S000 2-38; S002 Q11; domain.md §4 (10割 is the last resort)"),
            StaffDecision::AcceptDocument(_) => Some("S004 Q1; domain.md §4 (document not valid here)"),
            StaffDecision::RefuseDocument(_) => Some("S003 Q8; S001 (a valid way to confirm was refused)"),
            StaffDecision::TakeDeclaration => {
                Some("S002 Q3; S000 2-38 (申立書 only when nothing else works)")
            }
            StaffDecision::ConfirmVisual(false) => Some("S002 Q11 (目視 rejected a genuine holder)"),
            StaffDecision::Identify(_)
            | StaffDecision::RetryFace
            | StaffDecision::SwitchVisualMode
            | StaffDecision::ReturnUnattendedMode
            | StaffDecision::ConfirmVisual(true)
            | StaffDecision::SetOperator(_)
            | StaffDecision::ContinueAfterCertAlert
            // Registration is the patient's choice: declining it is never a staff error (S000 2-9, #12 §4).
            | StaffDecision::Registration(_)
            | StaffDecision::ClassifyProblem(_)
            | StaffDecision::RetryReader
            | StaffDecision::UsePreviousVisit
            | StaffDecision::ShowHotline
            | StaffDecision::VoidReception => None,
        }
    }
}

/// The decision behind one input the flow *accepted*, judged against the state *before* it.
///
/// Only accepted inputs are scored: the app's driver thread and the headless runner call this before
/// handing an input to the flow and record the `Some` result only when `step` accepted the input. So
/// the flow's own guards (which screen takes which button, whether a method is offered, whether the
/// hotline is already open) are not repeated here; what remains tells decisions apart (目視 on or off, a
/// verdict, which document) or finds no new decision in an accepted input (re-recording the operator
/// already set, closing the hotline). `None` for patient choices and navigation: they are never scored.
/// [`crate::training::score`] grades the recorded list later.
pub fn decision_of(input: &UserInput, before: &State) -> Option<StaffDecision> {
    match input {
        UserInput::ChooseMethod(m @ (Method::Face | Method::Pin)) => Some(StaffDecision::Identify(*m)),
        // Not methods of the reader's choice screen: 目視 is `SwitchVisualMode`, the phone starts with
        // `ChooseSmartphone`.
        UserInput::ChooseMethod(Method::Visual | Method::Smartphone) => None,
        UserInput::ChooseSmartphone => Some(StaffDecision::Identify(Method::Smartphone)),
        UserInput::RetryFace => Some(StaffDecision::RetryFace),
        UserInput::Continue => Some(StaffDecision::ContinueAfterCertAlert),
        UserInput::RegistrationAnswer(yes) => Some(StaffDecision::Registration(*yes)),
        UserInput::Cancel
        | UserInput::PinEntered(_)
        | UserInput::ChoosePlatform(_)
        | UserInput::ChooseConsentMode(_)
        | UserInput::AnswerConsent(_)
        | UserInput::AnswerLimit(_)
        | UserInput::ChoosePrescription(_)
        | UserInput::Activity => None,
        UserInput::SetProxy(on) => {
            let op = if *on { Operator::Proxy } else { Operator::Patient };
            (op != before.operator).then_some(StaffDecision::SetOperator(op))
        }
        UserInput::Staff(action) => staff_decision(action, before),
    }
}

fn staff_decision(action: &StaffAction, before: &State) -> Option<StaffDecision> {
    match action {
        StaffAction::SetVisualMode(true) => Some(StaffDecision::SwitchVisualMode),
        StaffAction::SetVisualMode(false) => Some(StaffDecision::ReturnUnattendedMode),
        StaffAction::VisualCheckResult(ok) => Some(StaffDecision::ConfirmVisual(*ok)),
        // The flow accepts (and audits) the operator it already has; that is no new decision.
        StaffAction::SetOperator(op) if *op != before.operator => Some(StaffDecision::SetOperator(*op)),
        StaffAction::SetOperator(_) => None,
        StaffAction::ClassifyProblem(k) => Some(StaffDecision::ClassifyProblem(*k)),
        StaffAction::RetryReader => Some(StaffDecision::RetryReader),
        StaffAction::PresentPaper(doc) => Some(StaffDecision::AcceptDocument(DocumentUse::of(doc))),
        StaffAction::RefuseDocument(r) => Some(StaffDecision::RefuseDocument(*r)),
        StaffAction::LookupPrevious(_) => Some(StaffDecision::UsePreviousVisit),
        StaffAction::SubmitDeclaration(_) => Some(StaffDecision::TakeDeclaration),
        StaffAction::ConfirmFullCharge => Some(StaffDecision::ChargeFull),
        StaffAction::Hotline(true) => Some(StaffDecision::ShowHotline),
        StaffAction::VoidReception(_) => Some(StaffDecision::VoidReception),
        StaffAction::Hotline(false)
        | StaffAction::OpenFallback
        | StaffAction::FallbackNext
        | StaffAction::CancelQuery
        | StaffAction::NextPatient => None,
    }
}
