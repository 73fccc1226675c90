//! The world a scenario sets up, described once: the day and site switch, the patient's card or phone, what
//! the reader, the camera and the eligibility service do wrong, whose record a mis-linked card shows, and
//! the 再診 history. [`World::of`] is the only place a scenario's faults are interpreted.
//!
//! Two sides apply the same description: the headless runner ([`crate::training::sim`]) onto its in-memory
//! fakes, and the app (`src-tauri/src/scenario.rs`) onto the real training world (clock, virtual card on
//! vpcd, pcscd, trainer camera, mock OQS faults, the training database).
//! Deliberately not here: how either side plays it (no port, no I/O), the patient's own moves on the reader
//! (`PatientScript`), anything graded.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use crate::flow::SiteSettings;
use crate::model::PhonePlatform;
use crate::training::personas::{self, PersonaFacts};
use crate::training::scenario::{Fault, Scenario};

/// How long before the scenario's day a 再診 patient was last here ("last month").
pub const PREVIOUS_VISIT_DAYS_BEFORE: i64 = 28;

/// What the camera sees when the face check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Camera {
    /// The card holder: face authentication matches.
    Holder,
    /// A camera that fails (no face is ever found).
    Broken,
    /// Somebody else for the first check; the holder once the patient tries again.
    StrangerOnce,
    /// Somebody else, every time: face authentication never matches.
    Stranger,
}

/// What the eligibility service (オンライン資格確認) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    /// Answers normally.
    Up,
    /// Queries answer 異常終了 (SegmentOfResult 9).
    Error,
    /// Queries answer 処理中 (SegmentOfResult 2) every time.
    Processing,
    /// Never answers in time.
    Timeout,
    /// Cannot be reached (通信障害, 停電).
    Unreachable,
}

/// The world one scenario sets up. Build it with [`World::of`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// The clinic clock at the start: 10:00 on the scenario's "today".
    pub start: NaiveDateTime,
    /// Site switch: the MHLW temporary rule until 2026-03-31.
    pub temporary_rule: bool,
    /// The patient (None: a paper-only patient).
    pub persona: Option<&'static PersonaFacts>,
    /// The patient holds the persona's マイナンバーカード out for the reader.
    pub card: bool,
    /// The patient uses the マイナ保険証 on this smartphone (the persona's card stands in for the phone).
    pub phone: Option<PhonePlatform>,
    /// The reader does not answer (pcscd stopped, 停電): nothing can be read.
    pub reader_stopped: bool,
    /// The card's chip answers the first command and then goes silent, as a worn card does.
    pub card_unreadable: bool,
    /// What the face check sees.
    pub camera: Camera,
    /// What the eligibility service does.
    pub service: Service,
    /// 紐付け誤り: the certificate query answers with this persona's record instead of the patient's.
    pub other_person: Option<&'static PersonaFacts>,
    /// 再診: the day of the patient's earlier completed reception (its eligibility is on record).
    pub previous_visit: Option<NaiveDate>,
}

/// Whose record a 紐付け誤り shows for `persona`: 佐藤 健二 (a man born 1978, another insurer), or 山田 花子 when
/// the patient is 佐藤 健二 himself — clearly someone else either way.
pub fn other_person_for(persona: &str) -> Option<&'static PersonaFacts> {
    personas::persona(if persona == "p02-sato-kenji" {
        "p01-yamada-hanako"
    } else {
        "p02-sato-kenji"
    })
}

impl World {
    /// The world `s` sets up. Every fault is interpreted here, and only here.
    pub fn of(s: &Scenario) -> World {
        let persona = s.persona_facts();
        let mut w = World {
            start: s
                .today
                .and_hms_opt(10, 0, 0)
                .unwrap_or_else(|| s.today.and_time(NaiveTime::MIN)),
            temporary_rule: s.temporary_rule,
            persona,
            card: persona.is_some() && s.brings.card,
            phone: persona.and(s.brings.phone),
            reader_stopped: false,
            card_unreadable: false,
            camera: Camera::Holder,
            service: Service::Up,
            other_person: None,
            previous_visit: persona
                .filter(|_| s.patient.previous_visit)
                .map(|_| s.today - TimeDelta::days(PREVIOUS_VISIT_DAYS_BEFORE)),
        };
        // Two faults of one kind keep the stronger (a scenario lists at most one of each today).
        for f in &s.faults {
            match f {
                Fault::OqsTimeout => w.service = w.service.max(Service::Timeout),
                Fault::OqsOutage => w.service = w.service.max(Service::Unreachable),
                Fault::OqsProcessing => w.service = w.service.max(Service::Processing),
                Fault::OqsError => w.service = w.service.max(Service::Error),
                Fault::CardUnreadable => w.card_unreadable = true,
                Fault::ReaderStopped => w.reader_stopped = true,
                Fault::PowerOutage => {
                    w.reader_stopped = true;
                    w.service = w.service.max(Service::Unreachable);
                }
                Fault::FaceNoMatch => w.camera = w.camera.max(Camera::Stranger),
                Fault::FaceNoMatchOnce => w.camera = w.camera.max(Camera::StrangerOnce),
                Fault::CameraError => w.camera = w.camera.max(Camera::Broken),
                Fault::OtherPersonsData => w.other_person = persona.and_then(|p| other_person_for(p.id)),
            }
        }
        w
    }

    /// The site settings a run uses: `base` (the clinic's own) with the scenario's switch, in training.
    pub fn site(&self, base: SiteSettings) -> SiteSettings {
        SiteSettings {
            temporary_rule: self.temporary_rule,
            training: true,
            ..base
        }
    }

    /// The scenario's "today".
    pub fn today(&self) -> NaiveDate {
        self.start.date()
    }
}
