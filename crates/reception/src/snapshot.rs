//! `Snapshot`: the UI's view model — a screen id plus display data, computed from `State` and `now`.
//!
//! Structural privacy: no type reachable from `Snapshot` can hold a PIN (`Pin` is not `Clone` or
//! `Serialize` and is not a field of `State`), a My Number (no such field exists anywhere) or a face
//! frame / card photo (they never enter `State`). Validation errors carry field + reason, not input.
//! Deliberately not here: message texts (the UI maps codes to ja/en strings).

#![deny(clippy::wildcard_enum_match_arm)]

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::flow::{
    ErrorCode, FaceFailure, FallbackStep, IdentityStep, Lane, Notice, Phase, PhoneStep, Question,
    StaffActionKind, State,
};
use crate::model::{
    ConsentItem, ConsentRecord, EligibilityRecord, Method, Operator, PhonePlatform, QualificationValidity,
    ReaderMode,
};
use crate::paper::{Basis, Billing, ProblemKind};
use crate::rules::{self, CertStatus};
use crate::validate::ValidationError;

/// Screen ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Screen {
    /// カードを置いてください.
    WaitingForCard,
    /// 読み取り中.
    ReadingCard,
    /// Certificate alert.
    CertWarning {
        /// Status.
        status: CertStatus,
    },
    /// 本人確認の方法を選択.
    MethodChoice,
    /// 顔認証中.
    FaceCapture,
    /// Face failed.
    FaceFailed {
        /// Why.
        reason: FaceFailure,
    },
    /// PIN entry.
    PinEntry {
        /// Tries left.
        tries_left: u8,
        /// Proxy prompts.
        proxy: bool,
    },
    /// Card busy (verify / sign / registration check).
    Verifying,
    /// 目視確認 (staff).
    VisualCheck,
    /// iPhone / Android.
    SmartphonePlatform,
    /// Android phone PIN.
    SmartphonePin {
        /// Tries left, if known.
        tries_left: Option<u8>,
    },
    /// Hold the phone.
    SmartphoneHold {
        /// Platform.
        platform: PhonePlatform,
    },
    /// 保険証利用登録 offer.
    RegistrationOffer,
    /// Registering.
    Registering,
    /// 包括 / 個別.
    ConsentMode,
    /// One consent item.
    ConsentItem {
        /// Item.
        item: ConsentItem,
    },
    /// Legacy 限度額.
    LimitConsent,
    /// 処方箋の発行形態.
    PrescriptionForm,
    /// Querying.
    Querying {
        /// Seconds since the request went out.
        elapsed_secs: i64,
    },
    /// Looking up the previous visit.
    LookingUpPrevious,
    /// 受付完了.
    Completed {
        /// Basis.
        basis: Basis,
        /// Billing.
        billing: Billing,
    },
    /// カードをお取りください.
    RemoveCard,
    /// Error.
    Error {
        /// Code.
        code: ErrorCode,
    },
    /// Staff fallback step.
    Fallback {
        /// Step.
        step: FallbackStep,
    },
    /// Hotline sheet (overlay).
    Hotline,
}

/// Eligibility as the staff view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct EligibilityView {
    /// Validity code, if an online answer.
    pub validity: Option<QualificationValidity>,
    /// The record.
    pub record: EligibilityRecord,
    /// Confirmation date.
    pub confirmed_on: Option<NaiveDate>,
}

/// Fallback wizard data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct FallbackView {
    /// Current step.
    pub step: FallbackStep,
    /// Problem class.
    pub problem: Option<ProblemKind>,
    /// Steps that apply, in order.
    pub steps: Vec<FallbackStep>,
    /// The card is in the reader.
    pub card_in_reader: bool,
    /// The service can still be asked by a document's numbers ([`ProblemKind::online_possible`]); when not (a
    /// line outage or power cut), a card + お知らせ stands on its own with a 要再照会 task.
    pub online_possible: bool,
}

/// Hotline sheet (S000 2-28; S002 Q5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct HotlineView {
    /// Phone number.
    pub number: &'static str,
    /// Voice-guidance option.
    pub guidance_option: u8,
}

/// A port call the flow waits for, with the time it has taken so far (the driver's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct BusyView {
    /// Which port is working.
    pub lane: Lane,
    /// Whole seconds since the call went out.
    pub elapsed_secs: i64,
}

/// The UI's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct Snapshot {
    /// Screen id.
    pub screen: Screen,
    /// Reader mode.
    pub mode: ReaderMode,
    /// Operator.
    pub operator: Operator,
    /// Training watermark.
    pub training: bool,
    /// Methods offered on MethodChoice.
    pub methods: Vec<Method>,
    /// Notices.
    pub notices: Vec<Notice>,
    /// Validation errors of the staff form.
    pub validation: Vec<ValidationError>,
    /// Eligibility for the staff console (online answer or previous visit).
    pub eligibility: Option<EligibilityView>,
    /// Consent with expiry, if given.
    pub consent: Option<ConsentRecord>,
    /// How identity was confirmed in this reception, once it was (the staff result says it).
    pub identity: Option<Method>,
    /// The reader asks 「操作を続けますか」 (the patient was idle once on this screen).
    pub still_there: bool,
    /// The waiting screen offers the smartphone マイナ保険証 (a smartphone reader is installed and the day is on or
    /// after its national start, rules table).
    pub smartphone: bool,
    /// Consent still valid at `now` (24 h).
    pub consent_valid: bool,
    /// Fallback wizard.
    pub fallback: Option<FallbackView>,
    /// Hotline sheet.
    pub hotline: Option<HotlineView>,
    /// The staff actions the flow takes now (the console offers these and no others).
    pub staff_actions: Vec<StaffActionKind>,
    /// The port call in flight that the screen waits for.
    pub busy: Option<BusyView>,
    /// Which patient the screens are about. It changes whenever the flow lets go of a patient (back to the
    /// waiting screen after a reception, completed or abandoned, or a fresh fallback after a completed
    /// one) and never within one reception, a staff retry of the reader included: when it changes, the
    /// page clears every per-patient form and the PIN pad.
    pub patient: u32,
}

fn screen_of(state: &State, now: NaiveDateTime) -> Screen {
    match &state.phase {
        Phase::WaitingForCard => Screen::WaitingForCard,
        Phase::ReadingCard => Screen::ReadingCard,
        Phase::Identity { card, step } => match step {
            IdentityStep::CertWarning => Screen::CertWarning { status: card.status },
            IdentityStep::MethodChoice => Screen::MethodChoice,
            IdentityStep::FaceCapture => Screen::FaceCapture,
            IdentityStep::FaceFailed(reason) => Screen::FaceFailed { reason: *reason },
            IdentityStep::PinEntry => Screen::PinEntry {
                tries_left: card.pin_tries_left().unwrap_or(0),
                proxy: state.operator == Operator::Proxy,
            },
            IdentityStep::PinVerifying | IdentityStep::Signing => Screen::Verifying,
            IdentityStep::VisualCheck => Screen::VisualCheck,
        },
        Phase::Smartphone(step) => match step {
            PhoneStep::Platform => Screen::SmartphonePlatform,
            PhoneStep::Pin { tries_left } => Screen::SmartphonePin {
                tries_left: *tries_left,
            },
            PhoneStep::Hold(platform) => Screen::SmartphoneHold { platform: *platform },
        },
        Phase::Questions { step, .. } => match step {
            Question::CheckingRegistration => Screen::Verifying,
            Question::RegistrationOffer => Screen::RegistrationOffer,
            Question::Registering => Screen::Registering,
            Question::ConsentMode => Screen::ConsentMode,
            Question::ConsentItem { item, .. } => Screen::ConsentItem { item: *item },
            Question::LimitConsent(_) => Screen::LimitConsent,
            Question::PrescriptionForm(_) => Screen::PrescriptionForm,
        },
        Phase::Querying { started, .. } => Screen::Querying {
            elapsed_secs: (now - *started).num_seconds(),
        },
        Phase::LookingUpPrevious(_) => Screen::LookingUpPrevious,
        Phase::Completed { basis, billing, .. } => Screen::Completed {
            basis: basis.clone(),
            billing: *billing,
        },
        Phase::RemoveCard(_) => Screen::RemoveCard,
        Phase::Error { code, .. } => Screen::Error { code: *code },
        Phase::Fallback { step, .. } => Screen::Fallback { step: *step },
    }
}

impl Snapshot {
    /// Build the view of `state` at `now`.
    pub fn of(state: &State, now: NaiveDateTime) -> Snapshot {
        let screen = if state.hotline_open {
            Screen::Hotline
        } else {
            screen_of(state, now)
        };
        let fallback = match &state.phase {
            Phase::Fallback { step, .. } => Some(FallbackView {
                step: *step,
                problem: state.session.problem,
                steps: FallbackStep::ALL
                    .into_iter()
                    .filter(|s| s.applies(state.session.problem))
                    .collect(),
                card_in_reader: state.session.card_in_reader,
                online_possible: state.session.problem.is_none_or(ProblemKind::online_possible),
            }),
            Phase::WaitingForCard
            | Phase::ReadingCard
            | Phase::Identity { .. }
            | Phase::Smartphone(_)
            | Phase::Questions { .. }
            | Phase::Querying { .. }
            | Phase::LookingUpPrevious(_)
            | Phase::Completed { .. }
            | Phase::RemoveCard(_)
            | Phase::Error { .. } => None,
        };
        let consent = state.phase.consent();
        Snapshot {
            screen,
            mode: state.mode,
            operator: state.operator,
            training: state.settings.training,
            // Also on a failed face check, so the reader can offer 「暗証番号で確認する」 directly.
            methods: if matches!(
                state.phase,
                Phase::Identity {
                    step: IdentityStep::MethodChoice | IdentityStep::FaceFailed(_),
                    ..
                }
            ) {
                state.method_options()
            } else {
                Vec::new()
            },
            notices: state.notices.clone(),
            validation: state.validation.clone(),
            eligibility: state.phase.found().map(|f| EligibilityView {
                validity: f.validity,
                record: f.record.clone(),
                confirmed_on: f.confirmed_on,
            }),
            consent,
            identity: state.phase.method(),
            still_there: state.still_there,
            smartphone: rules::smartphone_available(state.settings.smartphone_reader, now.date()),
            consent_valid: consent.is_some_and(|c| rules::consent_is_valid(c.given_at, now)),
            fallback,
            hotline: state.hotline_open.then_some(HotlineView {
                number: rules::HOTLINE_NUMBER,
                guidance_option: rules::HOTLINE_GUIDANCE_OPTION,
            }),
            staff_actions: state.staff_actions(),
            busy: state.awaiting.map(|a| BusyView {
                lane: a.lane,
                elapsed_secs: (now - a.since).num_seconds().max(0),
            }),
            patient: state.patient,
        }
    }
}
