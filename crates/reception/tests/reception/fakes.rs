//! In-process fake ports and a small harness around the driver.

use std::cell::Cell;
use std::collections::VecDeque;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use reception::flow::AuditEvent;
use reception::model::*;
use reception::paper::{ReceptionRecord, VoidReason};
use reception::ports::{CardPhoto, Presence};
use reception::*;

pub fn dt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub struct FakeCard {
    pub cert: Result<CertInfo, CardError>,
    pub pin: String,
    pub tries_left: u8,
    pub photo: Result<(), CardError>,
    pub phone: VecDeque<Result<PhoneReadOutcome, CardError>>,
    pub pins_seen: usize,
}

impl CardReader for FakeCard {
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
        self.pins_seen += 1;
        if self.tries_left == 0 {
            return Ok(PinVerdict::Locked);
        }
        if pin.expose() == self.pin {
            self.tries_left = 3;
            Ok(PinVerdict::Ok)
        } else {
            self.tries_left -= 1;
            Ok(PinVerdict::Wrong {
                tries_left: self.tries_left,
            })
        }
    }
    fn sign_challenge(&mut self, challenge: &[u8]) -> Result<Vec<u8>, CardError> {
        Ok(challenge.iter().rev().take(4).copied().collect())
    }
    fn read_card_photo(&mut self) -> Result<CardPhoto, CardError> {
        self.photo.clone().map(|()| CardPhoto(vec![0, 0, 0, 12]))
    }
    fn read_smartphone(
        &mut self,
        _p: PhonePlatform,
        pin: Option<&Pin>,
    ) -> Result<PhoneReadOutcome, CardError> {
        if let Some(p) = pin {
            if p.expose() != self.pin {
                return self
                    .phone
                    .pop_front()
                    .unwrap_or(Ok(PhoneReadOutcome::WrongPin { tries_left: 2 }));
            }
        }
        Ok(PhoneReadOutcome::Read(PhoneCertInfo {
            serial: "PHONE-01".into(),
            not_after: day(2027, 5, 1),
            card_cert_not_after: match &self.cert {
                Ok(c) => c.not_after,
                Err(_) => day(2027, 5, 1),
            },
        }))
    }
}

pub struct FakeFace {
    pub verdicts: VecDeque<Result<FaceVerdict, FaceError>>,
}

impl FaceMatcher for FakeFace {
    fn verify(&mut self, photo: &CardPhoto) -> Result<FaceVerdict, FaceError> {
        assert!(
            !photo.0.is_empty(),
            "the driver hands the card photo to the matcher"
        );
        self.verdicts
            .pop_front()
            .unwrap_or(Ok(FaceVerdict::Match { score: 0.8 }))
    }
}

pub struct FakeEligibility {
    pub registration: Registration,
    pub register_result: Result<Registration, EligibilityError>,
    /// What the registration check fails with, if it does (e.g. beside a 資格確認端末: not ours to ask).
    pub registration_failure: Option<EligibilityError>,
    pub answers: VecDeque<Result<EligibilityResponse, EligibilityError>>,
    pub cert_queries: Vec<CertQuery>,
    pub number_queries: Vec<NumberQuery>,
}

impl OnlineEligibility for FakeEligibility {
    fn registration_status(&mut self, _c: &CertRef) -> Result<Registration, EligibilityError> {
        if let Some(e) = &self.registration_failure {
            return Err(e.clone());
        }
        Ok(self.registration)
    }
    fn register(&mut self, _c: &CertRef) -> Result<Registration, EligibilityError> {
        self.register_result.clone()
    }
    fn query_by_certificate(&mut self, q: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
        self.cert_queries.push(q.clone());
        self.answers
            .pop_front()
            .unwrap_or_else(|| Ok(valid_response(q.date)))
    }
    fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
        self.number_queries.push(q.clone());
        self.answers
            .pop_front()
            .unwrap_or_else(|| Ok(valid_response(q.date)))
    }
}

pub struct ManualClock(pub Cell<NaiveDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        self.0.get()
    }
}

#[derive(Default)]
pub struct FakeStore {
    pub saved: Vec<ReceptionRecord>,
    pub previous: Option<StoredEligibility>,
    pub audits: Vec<AuditEvent>,
    pub fail_save: bool,
    /// Indexes into `saved` of voided receptions, with why.
    pub voided: Vec<(usize, VoidReason)>,
}

impl Store for FakeStore {
    fn save_reception(&mut self, r: &ReceptionRecord) -> Result<(), StoreError> {
        if self.fail_save {
            return Err(StoreError("disk full".into()));
        }
        self.saved.push(r.clone());
        Ok(())
    }
    fn last_eligibility(&mut self, _w: &PatientLookup) -> Result<Option<StoredEligibility>, StoreError> {
        Ok(self.previous.clone())
    }
    fn audit(&mut self, e: &AuditEvent) -> Result<(), StoreError> {
        self.audits.push(e.clone());
        Ok(())
    }
    fn void_last_reception(&mut self, reason: VoidReason, _at: NaiveDateTime) -> Result<(), StoreError> {
        let last = self
            .saved
            .len()
            .checked_sub(1)
            .ok_or_else(|| StoreError("nothing to void".into()))?;
        self.voided.push((last, reason));
        Ok(())
    }
}

#[derive(Default)]
pub struct RecordingSink(pub Vec<Snapshot>);

impl SnapshotSink for RecordingSink {
    fn publish(&mut self, s: &Snapshot) {
        self.0.push(s.clone());
    }
}

pub struct FakePorts {
    pub card: FakeCard,
    pub face: FakeFace,
    pub elig: FakeEligibility,
    pub clock: ManualClock,
    pub store: FakeStore,
    pub sink: RecordingSink,
}

impl Adapters for FakePorts {
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

impl Ports for FakePorts {
    fn clock(&self) -> &dyn Clock {
        &self.clock
    }
    fn sink(&mut self) -> &mut dyn SnapshotSink {
        &mut self.sink
    }
}

pub fn record() -> EligibilityRecord {
    EligibilityRecord {
        insurer_number: "06133946".into(),
        insurer_name: "模擬健康保険組合".into(),
        symbol: Some("000".into()),
        number: "00000001".into(),
        branch: Some("00".into()),
        name: "模擬 太郎".into(),
        name_kana: "ﾓｷﾞ ﾀﾛｳ".into(),
        birthdate: day(1980, 4, 1),
        sex: Default::default(),
        relationship: Some(Relationship::Insured),
        copay_percent: Some(30),
        valid_from: Some(day(2020, 4, 1)),
        valid_until: None,
        consent: ReturnedConsent::default(),
        medical_viewing_suspended: false,
        elderly: None,
        limit: None,
        specific_diseases: Vec::new(),
    }
}

pub fn valid_response(on: NaiveDate) -> EligibilityResponse {
    response(Segment::Normal, Some(QualificationValidity::Valid), on)
}

pub fn response(
    segment: Segment,
    validity: Option<QualificationValidity>,
    on: NaiveDate,
) -> EligibilityResponse {
    let with_record = matches!(
        validity,
        Some(
            QualificationValidity::Valid
                | QualificationValidity::ValidUnregistered
                | QualificationValidity::InvalidNewerExists
        )
    );
    EligibilityResponse {
        segment,
        validity,
        record: with_record.then(record),
        confirmed_on: on,
    }
}

/// Default world: 2025-06-10 10:00, normal card valid to 2027-05-01, PIN 4711, 3 tries, face matches,
/// registered, eligibility valid.
pub fn ports() -> FakePorts {
    FakePorts {
        card: FakeCard {
            cert: Ok(CertInfo {
                serial: "CERT-0001".into(),
                not_before: day(2022, 5, 1),
                not_after: day(2027, 5, 1),
                kind: CardKind::Normal,
            }),
            pin: "4711".into(),
            tries_left: 3,
            photo: Ok(()),
            phone: VecDeque::new(),
            pins_seen: 0,
        },
        face: FakeFace {
            verdicts: VecDeque::new(),
        },
        elig: FakeEligibility {
            registration: Registration::Registered,
            register_result: Ok(Registration::Registered),
            registration_failure: None,
            answers: VecDeque::new(),
            cert_queries: Vec::new(),
            number_queries: Vec::new(),
        },
        clock: ManualClock(Cell::new(dt(2025, 6, 10, 10, 0))),
        store: FakeStore::default(),
        sink: RecordingSink::default(),
    }
}

pub struct H {
    pub d: Driver<FakePorts>,
}

impl H {
    pub fn new(settings: SiteSettings, ports: FakePorts) -> H {
        H {
            // Journeys are read (and snapshot) as their full trace: fictional data only.
            d: Driver::new(settings, ports).with_trace_detail(reception::driver::TraceDetail::Full),
        }
    }

    pub fn default() -> H {
        H::new(SiteSettings::default(), ports())
    }

    pub fn with(f: impl FnOnce(&mut FakePorts)) -> H {
        let mut p = ports();
        f(&mut p);
        H::new(SiteSettings::default(), p)
    }

    /// [`H::with`], tracing names only, as the app does.
    pub fn names_only(f: impl FnOnce(&mut FakePorts)) -> H {
        let mut p = ports();
        f(&mut p);
        H {
            d: Driver::new(SiteSettings::default(), p),
        }
    }

    pub fn send(&mut self, e: Event) -> &mut Self {
        self.d.send(e);
        self
    }

    pub fn staff(&mut self, a: StaffAction) -> &mut Self {
        self.d.send(Event::Staff(a));
        self
    }

    pub fn pin(&mut self, digits: &str) -> &mut Self {
        self.d.send(Event::PinEntered(Pin::new(digits.to_owned())));
        self
    }

    /// Advance the clock by `secs` and fire the timer if it became due.
    pub fn wait(&mut self, secs: i64) -> &mut Self {
        let c = &self.d.ports().clock.0;
        c.set(c.get() + TimeDelta::seconds(secs));
        self.d.fire_due_timer();
        self
    }

    /// Advance to the pending timer's due time and fire it.
    pub fn fire(&mut self) -> &mut Self {
        if let Some(t) = self.d.pending_timer() {
            self.d.ports().clock.0.set(t.due);
            self.d.fire_due_timer();
        }
        self
    }

    pub fn screen(&self) -> Screen {
        self.d
            .snapshot()
            .expect("a snapshot was published")
            .screen
            .clone()
    }

    pub fn snap(&self) -> &Snapshot {
        self.d.snapshot().expect("a snapshot was published")
    }

    /// Phases visited (variant names, consecutive duplicates removed), starting at WaitingForCard.
    pub fn phases(&self) -> Vec<String> {
        let mut v = vec!["WaitingForCard".to_owned()];
        for line in self.d.trace() {
            let name: String = line.to.chars().take_while(|c| c.is_alphanumeric()).collect();
            if v.last() != Some(&name) {
                v.push(name);
            }
        }
        v
    }

    pub fn effects(&self) -> Vec<&'static str> {
        self.d
            .trace()
            .iter()
            .flat_map(|l| l.effect_names.iter().copied())
            .collect()
    }

    pub fn issued(&self, name: &str) -> usize {
        self.effects().iter().filter(|e| **e == name).count()
    }

    pub fn saved(&self) -> &[ReceptionRecord] {
        &self.d.ports().store.saved
    }

    pub fn voided(&self) -> Vec<(usize, VoidReason)> {
        self.d.ports().store.voided.clone()
    }

    pub fn only_saved(&self) -> &ReceptionRecord {
        assert_eq!(self.saved().len(), 1, "exactly one reception is saved");
        &self.saved()[0]
    }

    pub fn trace_text(&self) -> String {
        self.d.trace().iter().map(|l| format!("{l}\n")).collect()
    }
}

pub fn expect_phases(h: &H, expected: &[&str]) {
    assert_eq!(h.phases(), expected, "screens visited");
}
