//! Where the flow is, stage by stage, and what each stage knows. A stage holds exactly the data it needs:
//! the card once it is read, the identified patient once confirmed, the consent answers while they are
//! asked, the query while it is pending, and — for the error screen, the staff fallback and a completed
//! reception — what the reception has established so far ([`SoFar`]). So a state the reader cannot be in
//! cannot be written down, and nothing has to be looked up that might be missing.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{ErrorCode, FaceFailure, FallbackStep};
use crate::model::{
    CardKind, CardSummary, CertQuery, CertRef, ConsentItem, ConsentRecord, EligibilityRecord, Method,
    NumberQuery, PhoneCertInfo, PhonePlatform, PossessionProof, PrescriptionForm, QualificationValidity,
};
use crate::paper::{AcceptedDocument, Basis, Billing};
use crate::rules::CertStatus;

/// A card the reader has read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadCard {
    /// What the card said. `pin_tries_left` follows the PIN tries made since (a wrong PIN, a lock, a correct
    /// PIN resetting the counter).
    pub summary: CardSummary,
    /// Certificate status at read time.
    pub status: CertStatus,
}

impl ReadCard {
    /// The certificate the service is asked about.
    pub fn cert_ref(&self) -> CertRef {
        CertRef::Card {
            serial: self.summary.cert.serial.clone(),
        }
    }

    /// PIN tries left as last known (None on a card without a PIN).
    pub fn pin_tries_left(&self) -> Option<u8> {
        self.summary.pin_tries_left
    }

    /// The PIN can be offered: a normal card with tries left.
    pub fn pin_usable(&self) -> bool {
        self.summary.cert.kind == CardKind::Normal && self.pin_tries_left().unwrap_or(0) > 0
    }
}

/// How the holder of a card was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardCheck {
    /// 顔認証.
    Face,
    /// 暗証番号, with the card's signature over a fresh challenge.
    Pin(PossessionProof),
    /// Staff 目視.
    Visual,
}

/// Whose certificate identifies the patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holder {
    /// The physical card, and how its holder was confirmed.
    Card {
        /// The card.
        card: ReadCard,
        /// How.
        check: CardCheck,
    },
    /// The smartphone's certificate (the phone confirmed its holder itself).
    Phone {
        /// Platform.
        platform: PhonePlatform,
        /// What the phone presented.
        info: PhoneCertInfo,
    },
}

/// The identified patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identified {
    /// Certificate and method.
    pub holder: Holder,
    /// The card was registered for insurance use during this reception (its data may not be linked yet).
    pub just_registered: bool,
}

impl Identified {
    /// The identity method that succeeded.
    pub fn method(&self) -> Method {
        match &self.holder {
            Holder::Card { check, .. } => match check {
                CardCheck::Face => Method::Face,
                CardCheck::Pin(_) => Method::Pin,
                CardCheck::Visual => Method::Visual,
            },
            Holder::Phone { .. } => Method::Smartphone,
        }
    }

    /// The certificate the service is asked about.
    pub fn cert_ref(&self) -> CertRef {
        match &self.holder {
            Holder::Card { card, .. } => card.cert_ref(),
            Holder::Phone { platform, info } => CertRef::Smartphone {
                serial: info.serial.clone(),
                platform: *platform,
            },
        }
    }

    /// Certificate serial (card or phone).
    pub fn cert_serial(&self) -> String {
        match &self.holder {
            Holder::Card { card, .. } => card.summary.cert.serial.clone(),
            Holder::Phone { info, .. } => info.serial.clone(),
        }
    }

    /// Certificate status: the card's at read time; a phone is only taken with a valid certificate.
    pub fn cert_status(&self) -> CertStatus {
        match &self.holder {
            Holder::Card { card, .. } => card.status,
            Holder::Phone { .. } => CertStatus::Valid,
        }
    }

    /// In the certificate grace period: eligibility only (S000 2-25).
    pub fn grace(&self) -> bool {
        matches!(self.cert_status(), CertStatus::Grace { .. })
    }

    /// The possession proof (PIN path only).
    pub fn proof(&self) -> Option<&PossessionProof> {
        match &self.holder {
            Holder::Card {
                check: CardCheck::Pin(proof),
                ..
            } => Some(proof),
            Holder::Card {
                check: CardCheck::Face | CardCheck::Visual,
                ..
            }
            | Holder::Phone { .. } => None,
        }
    }

    /// The card, if the patient was identified by one.
    pub fn card(&self) -> Option<&ReadCard> {
        match &self.holder {
            Holder::Card { card, .. } => Some(card),
            Holder::Phone { .. } => None,
        }
    }
}

/// The identified patient through the consent screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consented {
    /// Who.
    pub who: Identified,
    /// The consent record (None: skipped, the certificate is in its grace period).
    pub consent: Option<ConsentRecord>,
    /// 処方箋の発行形態, if asked and answered.
    pub prescription: Option<PrescriptionForm>,
}

/// How far the reader got with the patient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Known {
    /// Nothing read (a paper-only patient, a card that could not be read, a phone not read).
    #[default]
    Nobody,
    /// A card was read; its holder is not confirmed.
    Card(ReadCard),
    /// The patient was identified.
    Identified(Identified),
    /// The patient answered the consent screens.
    Consented(Consented),
}

impl Known {
    /// The identified patient, if identified.
    pub fn identified(&self) -> Option<&Identified> {
        match self {
            Known::Nobody | Known::Card(_) => None,
            Known::Identified(who) | Known::Consented(Consented { who, .. }) => Some(who),
        }
    }

    /// The card read, if any.
    pub fn card(&self) -> Option<&ReadCard> {
        match self {
            Known::Nobody => None,
            Known::Card(card) => Some(card),
            Known::Identified(who) | Known::Consented(Consented { who, .. }) => who.card(),
        }
    }

    /// The identity method that succeeded.
    pub fn method(&self) -> Option<Method> {
        self.identified().map(Identified::method)
    }

    /// Certificate serial, if a certificate was read.
    pub fn cert_serial(&self) -> Option<String> {
        match self {
            Known::Nobody => None,
            Known::Card(card) => Some(card.summary.cert.serial.clone()),
            Known::Identified(who) | Known::Consented(Consented { who, .. }) => Some(who.cert_serial()),
        }
    }

    /// Certificate status, if a certificate was read.
    pub fn cert_status(&self) -> Option<CertStatus> {
        match self {
            Known::Nobody => None,
            Known::Card(card) => Some(card.status),
            Known::Identified(who) | Known::Consented(Consented { who, .. }) => Some(who.cert_status()),
        }
    }

    /// The consent record, if given.
    pub fn consent(&self) -> Option<ConsentRecord> {
        match self {
            Known::Consented(c) => c.consent,
            Known::Nobody | Known::Card(_) | Known::Identified(_) => None,
        }
    }

    /// 処方箋の発行形態, if answered.
    pub fn prescription(&self) -> Option<PrescriptionForm> {
        match self {
            Known::Consented(c) => c.prescription,
            Known::Nobody | Known::Card(_) | Known::Identified(_) => None,
        }
    }

    /// Registered for insurance use during this reception.
    pub fn just_registered(&self) -> bool {
        self.identified().is_some_and(|w| w.just_registered)
    }
}

/// A paper document staff presented, once it passed the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presented {
    /// The document.
    pub document: AcceptedDocument,
    /// It stands on its own when the service cannot be reached (S000 2-19).
    pub stands_offline: bool,
}

/// Eligibility as found (an online answer or the previous visit), shown after completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// Validity code, if an online answer.
    pub validity: Option<QualificationValidity>,
    /// The record.
    pub record: EligibilityRecord,
    /// Confirmation date.
    pub confirmed_on: Option<NaiveDate>,
}

/// What the reception has established so far: carried through the error screen, the staff fallback and a
/// completed reception, so whichever way it completes, the record says what was known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SoFar {
    /// How far the reader got.
    pub known: Known,
    /// The document staff presented, if any.
    pub document: Option<Presented>,
    /// The eligibility found at completion (kept when the save fails, so staff still see it).
    pub found: Option<Found>,
}

impl From<Known> for SoFar {
    fn from(known: Known) -> Self {
        SoFar {
            known,
            document: None,
            found: None,
        }
    }
}

/// 顔認証 / 暗証番号 / 目視 with the card read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityStep {
    /// Renewal alert or grace notice (the card's status) before continuing.
    CertWarning,
    /// 顔認証 / 暗証番号.
    MethodChoice,
    /// Camera running, matching.
    FaceCapture,
    /// Face failed: retry or switch.
    FaceFailed(FaceFailure),
    /// PIN entry (the card's tries left).
    PinEntry,
    /// Card verifying the PIN.
    PinVerifying,
    /// Card signing the challenge.
    Signing,
    /// Staff 目視確認.
    VisualCheck,
}

/// The smartphone path, before the phone is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneStep {
    /// iPhone / Android.
    Platform,
    /// Android smartphone PIN entry.
    Pin {
        /// Tries left if the phone reported them.
        tries_left: Option<u8>,
    },
    /// Hold the phone to the reader.
    Hold(PhonePlatform),
}

/// What the reader asks or checks once the patient is identified, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Question {
    /// Asking whether the certificate is registered for insurance use.
    CheckingRegistration,
    /// 保険証利用登録 offer.
    RegistrationOffer,
    /// Registering.
    Registering,
    /// 包括同意 / 個別.
    ConsentMode,
    /// One consent item.
    ConsentItem {
        /// The item on screen.
        item: ConsentItem,
        /// Answers so far, in item order.
        answers: [Option<bool>; 3],
    },
    /// Legacy 限度額 screen, with the consent recorded so far.
    LimitConsent(ConsentRecord),
    /// 処方箋の発行形態, with the consent recorded (None: skipped in the grace period).
    PrescriptionForm(Option<ConsentRecord>),
}

/// What the flow asked the eligibility service, and about whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PendingQuery {
    /// By certificate, for the patient the reader identified.
    Cert {
        /// The question (sent again after 処理中).
        sent: CertQuery,
        /// The patient.
        who: Consented,
    },
    /// By a presented document's numbers.
    Numbers {
        /// The question (sent again after 処理中).
        sent: NumberQuery,
        /// The document (boxed: it is far larger than the certificate query).
        document: Box<Presented>,
        /// What the reader knew of the patient before.
        known: Known,
    },
}

impl PendingQuery {
    /// The document stands on its own when the service cannot answer.
    pub fn stands_offline(&self) -> bool {
        match self {
            PendingQuery::Cert { .. } => false,
            PendingQuery::Numbers { document, .. } => document.stands_offline,
        }
    }

    /// What the reception has established, should the query not complete it.
    pub fn so_far(&self) -> SoFar {
        match self {
            PendingQuery::Cert { who, .. } => SoFar::from(Known::Consented(who.clone())),
            PendingQuery::Numbers { document, known, .. } => SoFar {
                known: known.clone(),
                document: Some(Presented::clone(document)),
                found: None,
            },
        }
    }

    fn known(&self) -> Known {
        match self {
            PendingQuery::Cert { who, .. } => Known::Consented(who.clone()),
            PendingQuery::Numbers { known, .. } => known.clone(),
        }
    }
}

/// Where the flow is, by stage. The UI sees it through `Snapshot::screen`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// カードを置いてください.
    WaitingForCard,
    /// Reading the certificate.
    ReadingCard,
    /// Confirming the holder of the card read.
    Identity {
        /// The card.
        card: ReadCard,
        /// Which screen.
        step: IdentityStep,
    },
    /// The smartphone path until the phone is read.
    Smartphone(PhoneStep),
    /// Registration check and consent screens for the identified patient.
    Questions {
        /// The patient.
        who: Identified,
        /// Which screen.
        step: Question,
    },
    /// Waiting for the eligibility service.
    Querying {
        /// When the first request went out.
        started: NaiveDateTime,
        /// 処理中 answers so far.
        polls: u8,
        /// Waiting for the poll timer (after 処理中).
        waiting_poll: bool,
        /// What was asked, about whom.
        query: PendingQuery,
    },
    /// Looking up the previous visit.
    LookingUpPrevious(SoFar),
    /// Done.
    Completed {
        /// Basis.
        basis: Basis,
        /// Billing.
        billing: Billing,
        /// What the reception established (with the eligibility found).
        so_far: SoFar,
    },
    /// カードをお取りください.
    RemoveCard(SoFar),
    /// Error shown; the staff fallback follows.
    Error {
        /// Which.
        code: ErrorCode,
        /// What the reception had established.
        so_far: SoFar,
    },
    /// Staff fallback wizard.
    Fallback {
        /// Which step.
        step: FallbackStep,
        /// What the reception had established.
        so_far: SoFar,
    },
}

impl Phase {
    /// What the reception has established here (empty before a card is read).
    pub fn so_far(&self) -> SoFar {
        match self {
            Phase::WaitingForCard | Phase::ReadingCard | Phase::Smartphone(_) => SoFar::default(),
            Phase::Identity { card, .. } => SoFar::from(Known::Card(card.clone())),
            Phase::Questions { who, step } => SoFar::from(match step {
                Question::CheckingRegistration
                | Question::RegistrationOffer
                | Question::Registering
                | Question::ConsentMode
                | Question::ConsentItem { .. } => Known::Identified(who.clone()),
                Question::LimitConsent(consent) => Known::Consented(Consented {
                    who: who.clone(),
                    consent: Some(*consent),
                    prescription: None,
                }),
                Question::PrescriptionForm(consent) => Known::Consented(Consented {
                    who: who.clone(),
                    consent: *consent,
                    prescription: None,
                }),
            }),
            Phase::Querying { query, .. } => query.so_far(),
            Phase::LookingUpPrevious(so_far)
            | Phase::Completed { so_far, .. }
            | Phase::RemoveCard(so_far)
            | Phase::Error { so_far, .. }
            | Phase::Fallback { so_far, .. } => so_far.clone(),
        }
    }

    /// What the reception has established, if this phase carries it as is.
    fn carried(&self) -> Option<&SoFar> {
        match self {
            Phase::LookingUpPrevious(so_far)
            | Phase::Completed { so_far, .. }
            | Phase::RemoveCard(so_far)
            | Phase::Error { so_far, .. }
            | Phase::Fallback { so_far, .. } => Some(so_far),
            Phase::WaitingForCard
            | Phase::ReadingCard
            | Phase::Identity { .. }
            | Phase::Smartphone(_)
            | Phase::Questions { .. }
            | Phase::Querying { .. } => None,
        }
    }

    /// The card read for this patient, if any.
    pub fn card(&self) -> Option<&ReadCard> {
        match self {
            Phase::Identity { card, .. } => Some(card),
            Phase::Questions { who, .. } => who.card(),
            Phase::Querying { query, .. } => match query {
                PendingQuery::Cert { who, .. } => who.who.card(),
                PendingQuery::Numbers { known, .. } => known.card(),
            },
            Phase::WaitingForCard | Phase::ReadingCard | Phase::Smartphone(_) => None,
            Phase::LookingUpPrevious(_)
            | Phase::Completed { .. }
            | Phase::RemoveCard(_)
            | Phase::Error { .. }
            | Phase::Fallback { .. } => self.carried().and_then(|s| s.known.card()),
        }
    }

    /// The consent recorded for this patient, if any.
    pub fn consent(&self) -> Option<ConsentRecord> {
        match self {
            Phase::Questions { step, .. } => match step {
                Question::LimitConsent(consent) => Some(*consent),
                Question::PrescriptionForm(consent) => *consent,
                Question::CheckingRegistration
                | Question::RegistrationOffer
                | Question::Registering
                | Question::ConsentMode
                | Question::ConsentItem { .. } => None,
            },
            Phase::Querying { query, .. } => query.known().consent(),
            Phase::WaitingForCard | Phase::ReadingCard | Phase::Identity { .. } | Phase::Smartphone(_) => {
                None
            }
            Phase::LookingUpPrevious(_)
            | Phase::Completed { .. }
            | Phase::RemoveCard(_)
            | Phase::Error { .. }
            | Phase::Fallback { .. } => self.carried().and_then(|s| s.known.consent()),
        }
    }

    /// How the patient's identity was confirmed, once it was (顔認証 / 暗証番号 / 目視 / スマートフォン).
    pub fn method(&self) -> Option<Method> {
        self.so_far().known.method()
    }

    /// The eligibility found at completion, while it is shown.
    pub fn found(&self) -> Option<&Found> {
        self.carried().and_then(|s| s.found.as_ref())
    }

    /// One flat name per screen with the screen's own data, as the trace and the training reports print
    /// it (`PinEntry { tries_left: 2 }`, `Querying { started: .., polls: 0, .. }`, `Fallback(Declaration)`).
    /// What a stage carries beyond its screen is left out.
    pub fn trace_name(&self) -> String {
        format!("{:?}", Flat::of(self))
    }
}

/// A screen as the trace names it (derived `Debug` gives the text; its fields are read by `Debug` only).
#[allow(dead_code)]
#[derive(Debug)]
enum Flat<'a> {
    WaitingForCard,
    ReadingCard,
    CertWarning(&'a CertStatus),
    MethodChoice,
    FaceCapture,
    FaceFailed(&'a FaceFailure),
    PinEntry {
        tries_left: u8,
    },
    PinVerifying,
    Signing,
    VisualCheck,
    SmartphonePlatform,
    SmartphonePin {
        tries_left: &'a Option<u8>,
    },
    SmartphoneHold(&'a PhonePlatform),
    CheckingRegistration,
    RegistrationOffer,
    Registering,
    ConsentMode,
    ConsentItem(&'a ConsentItem),
    LimitConsent,
    PrescriptionForm,
    Querying {
        started: &'a NaiveDateTime,
        polls: &'a u8,
        waiting_poll: &'a bool,
        query: FlatQuery<'a>,
    },
    LookingUpPrevious,
    Completed {
        basis: &'a Basis,
        billing: &'a Billing,
    },
    RemoveCard,
    Error(&'a ErrorCode),
    Fallback(&'a FallbackStep),
}

#[allow(dead_code)]
#[derive(Debug)]
enum FlatQuery<'a> {
    Cert(&'a CertQuery),
    Numbers(&'a NumberQuery),
}

impl<'a> Flat<'a> {
    fn of(phase: &'a Phase) -> Flat<'a> {
        match phase {
            Phase::WaitingForCard => Flat::WaitingForCard,
            Phase::ReadingCard => Flat::ReadingCard,
            Phase::Identity { card, step } => match step {
                IdentityStep::CertWarning => Flat::CertWarning(&card.status),
                IdentityStep::MethodChoice => Flat::MethodChoice,
                IdentityStep::FaceCapture => Flat::FaceCapture,
                IdentityStep::FaceFailed(f) => Flat::FaceFailed(f),
                IdentityStep::PinEntry => Flat::PinEntry {
                    tries_left: card.pin_tries_left().unwrap_or(0),
                },
                IdentityStep::PinVerifying => Flat::PinVerifying,
                IdentityStep::Signing => Flat::Signing,
                IdentityStep::VisualCheck => Flat::VisualCheck,
            },
            Phase::Smartphone(step) => match step {
                PhoneStep::Platform => Flat::SmartphonePlatform,
                PhoneStep::Pin { tries_left } => Flat::SmartphonePin { tries_left },
                PhoneStep::Hold(p) => Flat::SmartphoneHold(p),
            },
            Phase::Questions { step, .. } => match step {
                Question::CheckingRegistration => Flat::CheckingRegistration,
                Question::RegistrationOffer => Flat::RegistrationOffer,
                Question::Registering => Flat::Registering,
                Question::ConsentMode => Flat::ConsentMode,
                Question::ConsentItem { item, .. } => Flat::ConsentItem(item),
                Question::LimitConsent(_) => Flat::LimitConsent,
                Question::PrescriptionForm(_) => Flat::PrescriptionForm,
            },
            Phase::Querying {
                started,
                polls,
                waiting_poll,
                query,
            } => Flat::Querying {
                started,
                polls,
                waiting_poll,
                query: match query {
                    PendingQuery::Cert { sent, .. } => FlatQuery::Cert(sent),
                    PendingQuery::Numbers { sent, .. } => FlatQuery::Numbers(sent),
                },
            },
            Phase::LookingUpPrevious(_) => Flat::LookingUpPrevious,
            Phase::Completed { basis, billing, .. } => Flat::Completed { basis, billing },
            Phase::RemoveCard(_) => Flat::RemoveCard,
            Phase::Error { code, .. } => Flat::Error(code),
            Phase::Fallback { step, .. } => Flat::Fallback(step),
        }
    }
}
