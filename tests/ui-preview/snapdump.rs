use chrono::{NaiveDate, NaiveDateTime, Duration};
use reception::flow::{Answer, ErrorCode, Event, FallbackStep, SiteSettings, StaffAction, State, TimerId};
use reception::model::*;
use reception::paper::*;
use reception::validate::NumberEntry;
use reception::{step, Pin, Snapshot};
use std::fs;

const OUT: &str = "/work/main/tests/ui-preview/snapshots";

fn d(y: i32, m: u32, day: u32) -> NaiveDate { NaiveDate::from_ymd_opt(y, m, day).unwrap() }
fn now() -> NaiveDateTime { d(2025, 12, 2).and_hms_opt(9, 30, 0).unwrap() }

struct R { st: State, t: NaiveDateTime }
impl R {
    fn new(s: SiteSettings) -> Self { R { st: State::new(s), t: now() } }
    fn ev(&mut self, e: Event) -> &mut Self { self.st = step(&self.st, e, self.t).next; self }
    fn tick(&mut self, secs: i64) -> &mut Self { self.t += Duration::seconds(secs); self }
    fn fire(&mut self) -> &mut Self {
        let t = self.st.timers[0];
        self.ev(Event::TimerFired { id: t.id, seq: t.seq })
    }
    fn staff(&mut self, a: StaffAction) -> &mut Self { self.ev(Event::Staff(a)) }
    /// A port's answer to the call the flow waits for (or to the save in flight).
    fn port(&mut self, answer: Answer) -> &mut Self {
        let seq = self.st.awaiting.map(|w| w.seq).or(self.st.saving).unwrap_or(0);
        self.ev(Event::Answer { seq, answer })
    }
    fn save(&mut self, name: &str) -> &mut Self {
        let s = Snapshot::of(&self.st, self.t);
        fs::write(format!("{OUT}/{name}.json"), serde_json::to_string_pretty(&s).unwrap()).unwrap();
        println!("{name}: {}", serde_json::to_string(&s.screen).unwrap());
        self
    }
}

fn settings() -> SiteSettings { SiteSettings { training: true, ..Default::default() } }

fn card(kind: CardKind, not_after: NaiveDate, tries: Option<u8>) -> CardSummary {
    CardSummary { cert: CertInfo { serial: "0A1B2C3D".into(), not_before: d(2021, 4, 1), not_after, kind }, pin_tries_left: tries }
}

fn record(name: &str, kana: &str) -> EligibilityRecord {
    EligibilityRecord {
        insurer_number: "06133946".into(), insurer_name: "東京都××健康保険組合".into(),
        symbol: Some("1234".into()), number: "56789".into(), branch: Some("01".into()),
        name: name.into(), name_kana: kana.into(), birthdate: d(1985, 4, 12), sex: Default::default(),
        relationship: Some(Relationship::Insured), copay_percent: Some(30),
        valid_from: Some(d(2020, 4, 1)), valid_until: None,
        consent: ReturnedConsent { treatment_and_medicine: true, surgery: true, health_checkup: false,
            given_at: Some(now()), valid_until: Some(now() + Duration::hours(24)) },
        medical_viewing_suspended: false,
        elderly: None,
        limit: None,
        specific_diseases: Vec::new(),
    }
}

fn answer(v: QualificationValidity, rec: Option<EligibilityRecord>) -> Answer {
    Answer::EligibilityAnswered(Ok(EligibilityResponse { segment: Segment::Normal, validity: Some(v), record: rec, confirmed_on: d(2025, 12, 2) }))
}

fn placed(r: &mut R, c: CardSummary) { r.ev(Event::CardPlaced).port(Answer::CardRead(Ok(c))); }

fn numbers() -> NumberEntry {
    NumberEntry { insurer_number: "06133946".into(), symbol: "1234".into(), number: "56789".into(), branch: "01".into(), birthdate: "1985-04-12".into(), limit_consent: false }
}

fn main() {
    fs::create_dir_all(OUT).unwrap();
    let normal = card(CardKind::Normal, d(2030, 4, 1), Some(3));
    // waiting / reading
    let mut r = R::new(settings());
    r.save("waiting");
    r.ev(Event::CardPlaced).save("reading-card");
    r.port(Answer::CardRead(Ok(normal.clone()))).save("method-choice");
    r.ev(Event::ChooseMethod(Method::Face)).save("face-capture");
    r.port(Answer::FaceMatched(Ok(FaceVerdict::NoMatch { score: 0.2 }))).save("face-failed-nomatch");
    r.ev(Event::RetryFace).port(Answer::FaceMatched(Ok(FaceVerdict::NoFace))).save("face-failed-noface");
    r.ev(Event::ChooseMethod(Method::Pin)).save("pin-entry");
    r.ev(Event::PinEntered(Pin::new("12".into()))).save("pin-entry-format");
    r.ev(Event::PinEntered(Pin::new("1111".into()))).save("verifying");
    r.port(Answer::PinVerified(Ok(PinVerdict::Wrong { tries_left: 2 }))).save("pin-entry-wrong");
    r.ev(Event::PinEntered(Pin::new("1234".into()))).port(Answer::PinVerified(Ok(PinVerdict::Ok)))
        .port(Answer::Signed(Ok(PossessionProof { challenge: vec![1], signature: vec![2] })))
        .save("checking-registration");
    r.port(Answer::RegistrationChecked(Ok(Registration::Registered))).save("consent-mode");
    r.ev(Event::ChooseConsentMode(ConsentMode::Individual)).save("consent-item-treatment");
    r.ev(Event::AnswerConsent(true)).save("consent-item-surgery");
    r.ev(Event::AnswerConsent(true)).save("consent-item-checkup");
    r.ev(Event::AnswerConsent(false)).tick(7).save("querying");
    r.port(answer(QualificationValidity::Valid, Some(record("山田　花子", "ﾔﾏﾀﾞ ﾊﾅｺ")))).save("completed");
    r.fire().save("remove-card");
    r.ev(Event::CardRemoved).save("waiting-after");

    // proxy PIN, locked
    let mut r = R::new(settings());
    r.staff(StaffAction::SetOperator(Operator::Proxy));
    placed(&mut r, normal.clone());
    r.ev(Event::ChooseMethod(Method::Pin)).save("pin-entry-proxy");
    let mut r = R::new(settings());
    placed(&mut r, card(CardKind::Normal, d(2030, 4, 1), Some(0)));
    r.save("method-choice-pin-locked");
    r.staff(StaffAction::SetVisualMode(true)).save("visual-check");
    r.staff(StaffAction::VisualCheckResult(false)).save("error-identity-rejected");
    let mut r = R::new(settings());
    placed(&mut r, card(CardKind::FaceOnly, d(2030, 4, 1), None));
    r.save("method-choice-face-only");

    // cert warnings
    let mut r = R::new(settings());
    placed(&mut r, card(CardKind::Normal, d(2026, 1, 20), Some(3)));
    r.save("cert-warning-expires-soon");
    let mut r = R::new(settings());
    placed(&mut r, card(CardKind::Normal, d(2025, 11, 1), Some(3)));
    r.save("cert-warning-grace");
    let mut r = R::new(settings());
    placed(&mut r, card(CardKind::Normal, d(2025, 6, 1), Some(3)));
    r.save("error-cert-expired");

    // registration offer, legacy limit, prescription; ● in the name
    let mut r = R::new(SiteSettings { training: true, legacy_limit_screen: true, prescription_question: true, ..Default::default() });
    placed(&mut r, normal.clone());
    r.ev(Event::ChooseMethod(Method::Face)).port(Answer::FaceMatched(Ok(FaceVerdict::Match { score: 0.8 })))
        .port(Answer::RegistrationChecked(Ok(Registration::NotRegistered))).save("registration-offer");
    r.ev(Event::RegistrationAnswer(true)).save("registering");
    r.port(Answer::RegistrationDone(Ok(Registration::Registered)));
    r.ev(Event::ChooseConsentMode(ConsentMode::Comprehensive)).save("limit-consent");
    r.ev(Event::AnswerLimit(true)).save("prescription-form");
    r.ev(Event::ChoosePrescription(PrescriptionForm::Electronic));
    let mut rec = record("髙●　太郎", "ﾀｶﾊｼ ﾀﾛｳ");
    rec.relationship = Some(Relationship::Dependant);
    rec.copay_percent = Some(20);
    r.port(answer(QualificationValidity::Valid, Some(rec))).save("completed-gaiji");

    // errors from the service → fallback
    let mut r = R::new(settings());
    placed(&mut r, normal.clone());
    r.ev(Event::ChooseMethod(Method::Face)).port(Answer::FaceMatched(Ok(FaceVerdict::Match { score: 0.8 })))
        .port(Answer::RegistrationChecked(Ok(Registration::Registered)))
        .ev(Event::ChooseConsentMode(ConsentMode::DeclineAll)).tick(31);
    r.fire().save("error-query-timeout");
    r.fire().save("fallback-retry");
    r.staff(StaffAction::FallbackNext).save("fallback-previous");
    r.staff(StaffAction::LookupPrevious(PatientLookup::ClinicPatientId("000123".into()))).save("looking-up-previous");
    r.port(Answer::PreviousFound(Ok(None))).save("fallback-previous-notfound");
    r.staff(StaffAction::FallbackNext).save("fallback-declaration");
    r.staff(StaffAction::SubmitDeclaration(Box::new(DeclarationEntry { visit_date: "".into(), filled_on: "2025-12-02".into(), name: "".into(), name_kana: "やまだ".into(),
        birthdate: "1985-04-12".into(), sex: Sex::Female, address: "".into(), phone: "".into(), insurance_type: InsuranceType::Employee,
        insurer_name: "".into(), insurer_number: "".into(), symbol: "".into(), number: "".into(), branch: "".into(), employer: "".into(), dependant: false, declared_true: false, staff_note: "".into(),
        copay_percent: None, })))
        .save("fallback-declaration-invalid");
    r.staff(StaffAction::FallbackNext).save("fallback-full-charge");
    r.staff(StaffAction::ConfirmFullCharge).save("completed-full-charge");

    // classified outage: 停電
    let mut r = R::new(settings());
    r.staff(StaffAction::OpenFallback).staff(StaffAction::ClassifyProblem(ProblemKind::PowerOutage)).save("fallback-outage");
    // no eligibility data
    let mut r = R::new(settings());
    placed(&mut r, normal.clone());
    r.ev(Event::ChooseMethod(Method::Face)).port(Answer::FaceMatched(Ok(FaceVerdict::Match { score: 0.8 })))
        .port(Answer::RegistrationChecked(Ok(Registration::Registered)))
        .ev(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    r.port(answer(QualificationValidity::NotFound, None)).save("error-no-eligibility");
    r.fire().save("fallback-no-data");
    r.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Notice { kind: DocumentKind::Notice,
        numbers: NumberEntry { insurer_number: "06133945".into(), symbol: "".into(), number: "".into(), branch: "1".into(), birthdate: "2030-01-01".into(), limit_consent: false }, with_card: true, name: String::new(),
        copay_percent: None, })))
        .save("fallback-notice-invalid");
    // previous visit found (再診)
    let mut r = R::new(settings());
    r.staff(StaffAction::OpenFallback).staff(StaffAction::ClassifyProblem(ProblemKind::CommunicationFailure)).staff(StaffAction::FallbackNext);
    r.staff(StaffAction::LookupPrevious(PatientLookup::ClinicPatientId("000123".into())));
    r.port(Answer::PreviousFound(Ok(Some(StoredEligibility { record: record("鈴木　一郎", "ｽｽﾞｷ ｲﾁﾛｳ"), confirmed_on: d(2025, 10, 14) })))).save("completed-previous");

    // paper: legacy card refused
    let mut r = R::new(settings());
    r.staff(StaffAction::OpenFallback);
    r.staff(StaffAction::PresentPaper(Box::new(PaperDocument::LegacyCard(LegacyCardEntry { numbers: numbers(), valid_until: "".into() }))))
        .save("error-legacy-card");
    // group / school trip accepted
    let mut r = R::new(settings());
    r.staff(StaffAction::OpenFallback);
    r.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Group { setting: GroupSetting::SchoolTrip, kind: DocumentKind::PortalPdf, numbers: numbers(), chaperone_name: "佐藤 先生".into(), copay_percent: None  })))
        .save("paper-group");

    // smartphone
    let mut r = R::new(settings());
    r.ev(Event::ChooseSmartphone).save("smartphone-platform");
    r.ev(Event::ChoosePlatform(PhonePlatform::Android)).save("smartphone-pin");
    r.ev(Event::PinEntered(Pin::new("1234".into()))).save("smartphone-hold");
    let mut r = R::new(settings());
    r.ev(Event::ChooseSmartphone).ev(Event::ChoosePlatform(PhonePlatform::IPhone)).save("smartphone-hold-iphone");

    // hotline
    let mut r = R::new(settings());
    r.staff(StaffAction::Hotline(true)).save("hotline");
    // live mode sample
    let mut r = R::new(SiteSettings::default());
    r.save("waiting-live");
    let _ = (ErrorCode::CardUnreadable, FallbackStep::ALL, TimerId::Idle);
}
