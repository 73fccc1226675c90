//! Headless scenario runner: drives the real `Driver` + `step` with in-memory ports that play the
//! scenario's [`World`] (persona card, faults, 再診 history, a mis-linked record) and a clock pinned to
//! the scenario's "today". The app plays the same `World` on its real training ports.
//!
//! The patient's own moves (placing the card, typing the PIN, consent, prescription form) are played
//! by an autopilot; each staff decision is turned into the `UserInput`s a trainee would send, with
//! the fallback-wizard navigation (open the wizard, "next step") done for them. Decisions are recorded
//! from those inputs exactly as the app records them (only what the flow accepted), and the run is
//! scored on that record ([`RunReport::debrief`]).
//! Deliberately not here: any real port, file or clock; timing (timers fire when the runner asks).

use std::cell::Cell;
use std::collections::VecDeque;

use chrono::{NaiveDate, NaiveDateTime};

use crate::driver::Driver;
use crate::flow::{
    AuditEvent, FallbackStep, IdentityStep, Phase, PhoneStep, Question, SiteSettings, StaffAction, State,
};
use crate::input::UserInput;
use crate::model::{
    CardError, CardKind, CertInfo, CertQuery, CertRef, ConsentItem, EligibilityError, EligibilityRecord,
    EligibilityResponse, FaceError, FaceVerdict, Method, NumberQuery, PatientLookup, PhoneCertInfo,
    PhonePlatform, PhoneReadOutcome, PinVerdict, PrescriptionForm, QualificationValidity, Registration,
    Relationship, ReturnedConsent, Segment, StoreError, StoredEligibility,
};
use crate::paper::VoidReason;
use crate::paper::{
    Basis, Billing, DeclarationEntry, InsuranceType, LegacyCardEntry, PaperDocument,
    QualificationCertificateEntry, ReceptionRecord,
};
use crate::pin::Pin;
use crate::ports::{
    Adapters, CardPhoto, CardReader, Clock, FaceMatcher, OnlineEligibility, Ports, Presence, SnapshotSink,
    Store,
};
use crate::snapshot::Snapshot;
use crate::training::decision::{decision_of, DocumentUse, StaffDecision};
use crate::training::personas::PersonaFacts;
use crate::training::scenario::{BroughtDocument, Scenario};
use crate::training::score::{score, Debrief};
use crate::training::world::{Camera, Service, World};
use crate::validate::NumberEntry;

/// The simulated world of one scenario.
pub struct SimPorts {
    card: SimCard,
    face: SimFace,
    elig: SimEligibility,
    clock: SimClock,
    store: SimStore,
    sink: NullSink,
}

struct SimCard {
    cert: Result<CertInfo, CardError>,
    pin: String,
    tries_left: u8,
}

impl CardReader for SimCard {
    fn presence(&mut self) -> Result<Presence, CardError> {
        Ok(Presence::Present)
    }
    fn read_auth_cert(&mut self) -> Result<CertInfo, CardError> {
        self.cert.clone()
    }
    fn pin_tries_left(&mut self) -> Result<u8, CardError> {
        Ok(self.tries_left)
    }
    fn verify_pin(&mut self, pin: &Pin) -> Result<PinVerdict, CardError> {
        if self.tries_left == 0 {
            return Ok(PinVerdict::Locked);
        }
        if pin.expose() == self.pin {
            self.tries_left = crate::rules::pin_tries();
            Ok(PinVerdict::Ok)
        } else {
            self.tries_left = self.tries_left.saturating_sub(1);
            Ok(PinVerdict::Wrong {
                tries_left: self.tries_left,
            })
        }
    }
    fn sign_challenge(&mut self, challenge: &[u8]) -> Result<Vec<u8>, CardError> {
        // A stand-in signature: the simulated service does not verify it.
        Ok(challenge.iter().rev().take(8).copied().collect())
    }
    fn read_card_photo(&mut self) -> Result<CardPhoto, CardError> {
        self.cert
            .as_ref()
            .map(|_| CardPhoto(vec![0; 4]))
            .map_err(Clone::clone)
    }
    fn read_smartphone(
        &mut self,
        _p: PhonePlatform,
        pin: Option<&Pin>,
    ) -> Result<PhoneReadOutcome, CardError> {
        if pin.is_some_and(|p| p.expose() != self.pin) {
            return Ok(PhoneReadOutcome::WrongPin { tries_left: 2 });
        }
        let card_not_after = match &self.cert {
            Ok(c) => c.not_after,
            Err(e) => return Err(e.clone()),
        };
        Ok(PhoneReadOutcome::Read(PhoneCertInfo {
            serial: "PHONE".into(),
            not_after: card_not_after,
            card_cert_not_after: card_not_after,
        }))
    }
}

struct SimFace {
    verdicts: VecDeque<Result<FaceVerdict, FaceError>>,
    otherwise: Result<FaceVerdict, FaceError>,
}

impl FaceMatcher for SimFace {
    fn verify(&mut self, _photo: &CardPhoto) -> Result<FaceVerdict, FaceError> {
        self.verdicts
            .pop_front()
            .unwrap_or_else(|| self.otherwise.clone())
    }
}

struct SimEligibility {
    /// Error every call returns (outage, timeout).
    down: Option<EligibilityError>,
    /// Segment of every query (processing / error faults).
    segment: Segment,
    registered: bool,
    by_cert: (QualificationValidity, Option<EligibilityRecord>),
    by_numbers: (QualificationValidity, Option<EligibilityRecord>),
}

impl SimEligibility {
    fn answer(
        &self,
        a: &(QualificationValidity, Option<EligibilityRecord>),
        on: NaiveDate,
    ) -> EligibilityResponse {
        EligibilityResponse {
            segment: self.segment.clone(),
            validity: (self.segment == Segment::Normal).then_some(a.0),
            record: if self.segment == Segment::Normal {
                a.1.clone()
            } else {
                None
            },
            confirmed_on: on,
        }
    }
}

impl OnlineEligibility for SimEligibility {
    fn registration_status(&mut self, _c: &CertRef) -> Result<Registration, EligibilityError> {
        match &self.down {
            Some(e) => Err(e.clone()),
            None if self.registered => Ok(Registration::Registered),
            None => Ok(Registration::NotRegistered),
        }
    }
    fn register(&mut self, _c: &CertRef) -> Result<Registration, EligibilityError> {
        match &self.down {
            Some(e) => Err(e.clone()),
            None => {
                self.registered = true;
                Ok(Registration::Registered)
            }
        }
    }
    fn query_by_certificate(&mut self, q: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
        match &self.down {
            Some(e) => Err(e.clone()),
            None => Ok(self.answer(&self.by_cert, q.date)),
        }
    }
    fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
        match &self.down {
            Some(e) => Err(e.clone()),
            None => Ok(self.answer(&self.by_numbers, q.date)),
        }
    }
}

struct SimClock(Cell<NaiveDateTime>);

impl Clock for SimClock {
    fn now(&self) -> NaiveDateTime {
        self.0.get()
    }
}

#[derive(Default)]
struct SimStore {
    saved: Vec<ReceptionRecord>,
    previous: Option<StoredEligibility>,
    /// Indexes into `saved` of the receptions voided, with why.
    voided: Vec<(usize, VoidReason)>,
}

impl Store for SimStore {
    fn save_reception(&mut self, r: &ReceptionRecord) -> Result<(), StoreError> {
        self.saved.push(r.clone());
        Ok(())
    }
    fn last_eligibility(&mut self, _w: &PatientLookup) -> Result<Option<StoredEligibility>, StoreError> {
        Ok(self.previous.clone())
    }
    fn audit(&mut self, _e: &AuditEvent) -> Result<(), StoreError> {
        Ok(())
    }
    fn void_last_reception(&mut self, reason: VoidReason, _at: NaiveDateTime) -> Result<(), StoreError> {
        match self.saved.len().checked_sub(1) {
            Some(last) => {
                self.voided.push((last, reason));
                Ok(())
            }
            None => Err(StoreError("no reception to void".into())),
        }
    }
}

struct NullSink;

impl SnapshotSink for NullSink {
    fn publish(&mut self, _s: &Snapshot) {}
}

impl Adapters for SimPorts {
    fn card(&mut self) -> &mut dyn CardReader {
        &mut self.card
    }
    fn face(&mut self) -> &mut dyn FaceMatcher {
        &mut self.face
    }
    fn eligibility(&mut self) -> &mut dyn OnlineEligibility {
        &mut self.elig
    }
    fn store(&mut self) -> &mut dyn Store {
        &mut self.store
    }
}

impl Ports for SimPorts {
    fn clock(&self) -> &dyn Clock {
        &self.clock
    }
    fn sink(&mut self) -> &mut dyn SnapshotSink {
        &mut self.sink
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The eligibility record the simulated service holds for a persona.
fn persona_record(p: &PersonaFacts) -> Option<EligibilityRecord> {
    Some(EligibilityRecord {
        insurer_number: p.insurer_number.to_owned(),
        insurer_name: p.insurer_name.to_owned(),
        symbol: (!p.symbol.is_empty()).then(|| p.symbol.to_owned()),
        number: p.number.to_owned(),
        branch: Some("00".into()),
        name: p.name.to_owned(),
        name_kana: String::new(),
        birthdate: parse_day(p.birthdate)?,
        sex: Default::default(),
        relationship: Some(p.relationship),
        copay_percent: Some(p.copay_percent),
        valid_from: NaiveDate::from_ymd_opt(2020, 4, 1),
        valid_until: None,
        consent: ReturnedConsent::default(),
        medical_viewing_suspended: p.suspended,
        elderly: None,
        limit: None,
        specific_diseases: Vec::new(),
    })
}

/// The eligibility record the simulated service returns for the patient: the persona's, or a paper-only
/// patient's first document.
fn record_of(w: &World, s: &Scenario) -> Option<EligibilityRecord> {
    if let Some(p) = w.persona {
        return persona_record(p);
    }
    let d = s.brings.documents.first()?;
    Some(EligibilityRecord {
        insurer_number: d.insurer_number.clone(),
        insurer_name: d.insurer_name.clone(),
        symbol: (!d.symbol.is_empty()).then(|| d.symbol.clone()),
        number: d.number.clone(),
        branch: Some("00".into()),
        name: d.name.clone(),
        name_kana: String::new(),
        birthdate: parse_day(&d.birthdate)?,
        sex: Default::default(),
        relationship: Some(if d.dependant {
            Relationship::Dependant
        } else {
            Relationship::Insured
        }),
        // What the paper says, never a default share (#12 §2).
        copay_percent: d.copay_percent,
        valid_from: NaiveDate::from_ymd_opt(2020, 4, 1),
        valid_until: None,
        consent: ReturnedConsent::default(),
        medical_viewing_suspended: false,
        elderly: None,
        limit: None,
        specific_diseases: Vec::new(),
    })
}

/// The fakes that play `w` (the scenario supplies a paper-only patient's documents).
fn build_ports(w: &World, s: &Scenario) -> SimPorts {
    let persona = w.persona;
    let cert = match persona {
        _ if w.reader_stopped => Err(CardError::Reader("reader not responding".into())),
        _ if w.card_unreadable => Err(CardError::Unreadable),
        Some(p) => {
            let (not_before, not_after) = p.cert.dates(w.today());
            Ok(CertInfo {
                serial: p.cert_serial(),
                not_before,
                not_after,
                kind: p.kind,
            })
        }
        None => Err(CardError::NotMyNumberCard),
    };
    let pin = persona.map(|p| p.pin.to_owned()).unwrap_or_default();
    let tries_left = persona.map_or(0, |p| if p.kind == CardKind::FaceOnly { 0 } else { p.tries });
    let no_match = Ok(FaceVerdict::NoMatch { score: 0.2 });
    let matched = Ok(FaceVerdict::Match { score: 0.9 });
    let (verdicts, otherwise) = match w.camera {
        Camera::Holder => (VecDeque::new(), matched),
        Camera::Stranger => (VecDeque::new(), no_match),
        Camera::StrangerOnce => (VecDeque::from([no_match]), matched),
        Camera::Broken => (VecDeque::new(), Err(FaceError::Camera("camera not found".into()))),
    };
    let (down, segment) = match w.service {
        Service::Up => (None, Segment::Normal),
        Service::Unreachable => (Some(EligibilityError::Unavailable), Segment::Normal),
        Service::Timeout => (Some(EligibilityError::Timeout), Segment::Normal),
        Service::Processing => (None, Segment::Processing),
        Service::Error => (
            None,
            Segment::Error {
                code: "SIM-E99".into(),
            },
        ),
    };
    let record = record_of(w, s);
    let validity = persona.map_or(QualificationValidity::Valid, |p| p.validity);
    // The certificate answer follows the persona; a record is only sent with the codes that carry one.
    let cert_answer = match validity {
        QualificationValidity::Valid
        | QualificationValidity::ValidUnregistered
        | QualificationValidity::InvalidNewerExists => (validity, record.clone()),
        QualificationValidity::Invalid
        | QualificationValidity::NotFound
        | QualificationValidity::MultipleMatches => (validity, None),
    };
    // 紐付け誤り: someone else's record, 資格有効性 1, as the mock OQS answers it.
    let by_cert = match w.other_person {
        Some(other) => (QualificationValidity::Valid, persona_record(other)),
        None => cert_answer,
    };
    // By numbers, the current insurer's data is found even when it is not yet linked to the card
    // (資格情報なし / 新しい資格あり / 複数該当); a lost eligibility stays invalid.
    let by_numbers = match validity {
        QualificationValidity::Invalid => (QualificationValidity::Invalid, None),
        QualificationValidity::Valid
        | QualificationValidity::ValidUnregistered
        | QualificationValidity::InvalidNewerExists
        | QualificationValidity::NotFound
        | QualificationValidity::MultipleMatches => (QualificationValidity::Valid, record.clone()),
    };
    let previous = w.previous_visit.and_then(|day| {
        record.map(|r| StoredEligibility {
            record: r,
            confirmed_on: day,
        })
    });
    SimPorts {
        card: SimCard {
            cert,
            pin,
            tries_left,
        },
        face: SimFace { verdicts, otherwise },
        elig: SimEligibility {
            down,
            segment,
            registered: persona.is_none_or(|p| p.registered),
            by_cert,
            by_numbers,
        },
        clock: SimClock(Cell::new(w.start)),
        store: SimStore {
            saved: Vec::new(),
            previous,
            voided: Vec::new(),
        },
        sink: NullSink,
    }
}

/// What happened when a decision list was played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// Each decision and whether the flow accepted it (changed state or issued an effect).
    pub steps: Vec<(StaffDecision, bool)>,
    /// The staff decisions recorded as the app records them: [`decision_of`] on the state before each
    /// input, kept only when the flow accepted the input. This is what a run is scored on: an input the
    /// flow refused is never scored.
    pub recorded: Vec<StaffDecision>,
    /// Basis and billing of the last completed reception, if any.
    pub end: Option<(Basis, Billing)>,
    /// Receptions saved.
    pub saved: usize,
    /// Phase at the end (Debug text).
    pub final_phase: String,
}

impl RunReport {
    /// Every decision was accepted by the flow.
    pub fn all_accepted(&self) -> bool {
        self.steps.iter().all(|(_, ok)| *ok)
    }

    /// Score the run: the recorded decisions against `s`, with the time taken.
    pub fn debrief(&self, s: &Scenario, elapsed_secs: u64) -> Debrief {
        score(s, &self.recorded, elapsed_secs)
    }
}

struct Runner<'a> {
    d: Driver<SimPorts>,
    s: &'a Scenario,
    w: World,
    pins: VecDeque<String>,
    recorded: Vec<StaffDecision>,
}

impl Runner<'_> {
    fn state(&self) -> &State {
        self.d.state()
    }

    /// Send one input; report whether the flow accepted it. Records its decision, if it is one, as the
    /// app's driver thread does: judged on the state before, kept only when accepted.
    fn send(&mut self, input: UserInput) -> bool {
        let decision = decision_of(&input, self.state());
        let accepted = self.d.send(input.into());
        if let (true, Some(d)) = (accepted, decision) {
            self.recorded.push(d);
        }
        accepted
    }

    fn fire_timer(&mut self) -> bool {
        match self.d.pending_timer() {
            Some(t) => {
                self.d.ports().clock.0.set(t.due);
                self.d.fire_due_timer()
            }
            None => false,
        }
    }

    /// Play the patient's side until a staff decision is needed.
    fn autopilot(&mut self) {
        for _ in 0..32 {
            let input = match &self.state().phase {
                Phase::Identity {
                    step: IdentityStep::PinEntry,
                    ..
                }
                | Phase::Smartphone(PhoneStep::Pin { .. }) => match self.pins.pop_front() {
                    Some(p) => UserInput::PinEntered(Pin::new(p)),
                    None => return,
                },
                Phase::Smartphone(PhoneStep::Platform) => {
                    UserInput::ChoosePlatform(self.w.phone.unwrap_or(PhonePlatform::Android))
                }
                Phase::Questions {
                    step: Question::ConsentMode,
                    ..
                } => UserInput::ChooseConsentMode(self.s.patient.consent),
                Phase::Questions {
                    step:
                        Question::ConsentItem {
                            item:
                                ConsentItem::TreatmentAndMedicine
                                | ConsentItem::Surgery
                                | ConsentItem::HealthCheckup,
                            ..
                        },
                    ..
                } => UserInput::AnswerConsent(true),
                Phase::Questions {
                    step: Question::LimitConsent(_),
                    ..
                } => UserInput::AnswerLimit(true),
                Phase::Questions {
                    step: Question::PrescriptionForm(_),
                    ..
                } => UserInput::ChoosePrescription(PrescriptionForm::Paper),
                Phase::Querying {
                    waiting_poll: true, ..
                } => {
                    if self.fire_timer() {
                        continue;
                    }
                    return;
                }
                _ => return,
            };
            if !self.send(input) {
                return;
            }
        }
    }

    fn ensure_fallback(&mut self) {
        if !matches!(self.state().phase, Phase::Fallback { .. }) {
            self.send(UserInput::Staff(StaffAction::OpenFallback));
        }
    }

    /// Move the wizard forward to `target` if the problem class lets it get there.
    fn reach(&mut self, target: FallbackStep) -> bool {
        self.ensure_fallback();
        for _ in 0..FallbackStep::ALL.len() {
            match self.state().phase {
                Phase::Fallback { step, .. } if step == target => return true,
                Phase::Fallback { step, .. } if step < target => {
                    self.send(UserInput::Staff(StaffAction::FallbackNext));
                }
                _ => return false,
            }
        }
        false
    }

    fn apply(&mut self, d: StaffDecision) -> bool {
        match d {
            StaffDecision::Identify(Method::Smartphone) => self.send(UserInput::ChooseSmartphone),
            StaffDecision::Identify(m) => self.send(UserInput::ChooseMethod(m)),
            StaffDecision::RetryFace => self.send(UserInput::RetryFace),
            StaffDecision::SwitchVisualMode => self.send(UserInput::Staff(StaffAction::SetVisualMode(true))),
            StaffDecision::ReturnUnattendedMode => {
                self.send(UserInput::Staff(StaffAction::SetVisualMode(false)))
            }
            StaffDecision::ConfirmVisual(ok) => {
                self.send(UserInput::Staff(StaffAction::VisualCheckResult(ok)))
            }
            StaffDecision::SetOperator(op) => self.send(UserInput::Staff(StaffAction::SetOperator(op))),
            StaffDecision::ContinueAfterCertAlert => self.send(UserInput::Continue),
            StaffDecision::Registration(yes) => self.send(UserInput::RegistrationAnswer(yes)),
            StaffDecision::ClassifyProblem(k) => {
                self.ensure_fallback();
                self.send(UserInput::Staff(StaffAction::ClassifyProblem(k)))
            }
            StaffDecision::RetryReader => {
                self.reach(FallbackStep::RetryOrSwitch)
                    && self.send(UserInput::Staff(StaffAction::RetryReader))
            }
            StaffDecision::AcceptDocument(u) => match paper_for(self.s, u) {
                Some(doc) => {
                    if !matches!(self.state().phase, Phase::WaitingForCard | Phase::Error { .. }) {
                        self.ensure_fallback();
                    }
                    self.send(UserInput::Staff(StaffAction::PresentPaper(Box::new(doc))))
                }
                None => false,
            },
            StaffDecision::RefuseDocument(r) => self.send(UserInput::Staff(StaffAction::RefuseDocument(r))),
            StaffDecision::UsePreviousVisit => {
                let who = PatientLookup::CertSerial(
                    self.w.persona.map(PersonaFacts::cert_serial).unwrap_or_default(),
                );
                self.reach(FallbackStep::PreviousVisit)
                    && self.send(UserInput::Staff(StaffAction::LookupPrevious(who)))
            }
            StaffDecision::TakeDeclaration => match declaration_for(&self.w) {
                Some(entry) => {
                    self.reach(FallbackStep::Declaration)
                        && self.send(UserInput::Staff(StaffAction::SubmitDeclaration(Box::new(entry))))
                }
                None => false,
            },
            StaffDecision::ChargeFull => {
                self.reach(FallbackStep::FullCharge)
                    && self.send(UserInput::Staff(StaffAction::ConfirmFullCharge))
            }
            StaffDecision::ShowHotline => self.send(UserInput::Staff(StaffAction::Hotline(true))),
            StaffDecision::VoidReception => self.send(UserInput::Staff(StaffAction::VoidReception(
                VoidReason::OtherPersonsData,
            ))),
        }
    }
}

fn numbers(d: &BroughtDocument) -> NumberEntry {
    NumberEntry {
        insurer_number: d.insurer_number.clone(),
        symbol: d.symbol.clone(),
        number: d.number.clone(),
        branch: d.branch.clone(),
        birthdate: d.birthdate.clone(),
        limit_consent: false,
    }
}

/// The `PaperDocument` a decision keys in, from what the patient brought.
fn paper_for(s: &Scenario, u: DocumentUse) -> Option<PaperDocument> {
    let docs = &s.brings.documents;
    let doc = match u {
        DocumentUse::QualificationCertificate => {
            let d = docs
                .iter()
                .find(|d| d.kind == crate::paper::DocumentKind::QualificationCertificate)?;
            PaperDocument::QualificationCertificate(QualificationCertificateEntry {
                numbers: numbers(d),
                dependant: d.dependant,
                name: d.name.clone(),
                sex: None,
                recognized_on: String::new(),
                insured_person_name: d.name.clone(),
                issued_on: d.issued_on.clone(),
                valid_until: d.valid_until.clone(),
                insurer_name: d.insurer_name.clone(),
                copay_percent: d.copay_percent,
                limit_class: d.limit_class.clone(),
            })
        }
        DocumentUse::LegacyCard => {
            let d = docs
                .iter()
                .find(|d| d.kind == crate::paper::DocumentKind::LegacyCard)?;
            PaperDocument::LegacyCard(LegacyCardEntry {
                numbers: numbers(d),
                valid_until: d.valid_until.clone(),
                elderly_copay_percent: d.copay_percent,
            })
        }
        DocumentUse::NoticeWithCard(k) | DocumentUse::NoticeAlone(k) => {
            let d = docs.iter().find(|d| d.kind == k && d.group.is_none())?;
            PaperDocument::Notice {
                kind: k,
                numbers: numbers(d),
                with_card: matches!(u, DocumentUse::NoticeWithCard(_)),
                name: d.name.clone(),
                copay_percent: d.copay_percent,
            }
        }
        DocumentUse::Group(g) => {
            let d = docs.iter().find(|d| d.group == Some(g))?;
            PaperDocument::Group {
                setting: g,
                kind: d.kind,
                numbers: numbers(d),
                chaperone_name: d.chaperone.clone(),
                copay_percent: d.copay_percent,
            }
        }
    };
    Some(doc)
}

/// A 申立書 as the persona would fill it in.
fn declaration_for(w: &World) -> Option<DeclarationEntry> {
    let p = w.persona?;
    let day = w.today().format("%Y-%m-%d").to_string();
    Some(DeclarationEntry {
        visit_date: day.clone(),
        filled_on: day,
        name: p.name.to_owned(),
        name_kana: p.kana.to_owned(),
        birthdate: p.birthdate.to_owned(),
        sex: p.sex,
        address: "東京都千代田区千代田9-9-9 ＊test".into(),
        phone: String::new(),
        insurance_type: p.insurance,
        insurer_name: p.insurer_name.to_owned(),
        insurer_number: p.insurer_number.to_owned(),
        symbol: p.symbol.to_owned(),
        number: p.number.to_owned(),
        branch: String::new(),
        employer: if p.insurance == InsuranceType::Employee {
            "模擬商事株式会社".into()
        } else {
            String::new()
        },
        dependant: p.relationship == Relationship::Dependant,
        declared_true: true,
        staff_note: String::new(),
        copay_percent: Some(p.copay_percent),
    })
}

/// Play `decisions` through the real flow in the scenario's world ([`World::of`]), starting at 10:00 on its
/// "today".
pub fn run(s: &Scenario, decisions: &[StaffDecision]) -> RunReport {
    let w = World::of(s);
    let settings = w.site(SiteSettings::default());
    let mut pins: VecDeque<String> = s.patient.pins.iter().cloned().collect();
    if pins.is_empty() {
        if let Some(p) = w.persona {
            pins.push_back(p.pin.to_owned());
        }
    }
    let mut r = Runner {
        d: Driver::new(settings, build_ports(&w, s)),
        s,
        w,
        pins,
        recorded: Vec::new(),
    };
    // The patient places the card (a phone user starts from the smartphone button instead).
    if r.w.card && r.w.phone.is_none() {
        r.d.send(crate::flow::Event::CardPlaced);
        r.autopilot();
    }
    let mut steps = Vec::new();
    for d in decisions {
        let ok = r.apply(*d);
        r.autopilot();
        steps.push((*d, ok));
    }
    let store = &r.d.ports().store;
    let saved = &store.saved;
    // How the scenario ended: its last reception that staff did not void.
    let standing = saved
        .iter()
        .enumerate()
        .rev()
        .find(|(i, _)| !store.voided.iter().any(|(v, _)| v == i));
    RunReport {
        steps,
        recorded: r.recorded.clone(),
        end: standing.map(|(_, rec)| (rec.basis.clone(), rec.billing)),
        saved: saved.len(),
        final_phase: r.state().phase.trace_name(),
    }
}
