//! The app's driver thread with its workers: the real card layer over an in-process virtual card, a real
//! SQLite store, and face / eligibility ports held by the test (a hung face match, a hung OQS). While a call
//! hangs, the driver keeps answering: inputs get their snapshot at once, staff reads go straight to the
//! store, 照会キャンセル opens the fallbacks, and the late answer is dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use mynacard::reception_port::{CardPort, InProcessSlot, PersonaCheckCodes};
use mynacard::VirtualCard;
use reception::flow::{Lane, StaffActionKind};
use reception::model::{
    CertQuery, CertRef, ConsentMode, EligibilityError, EligibilityResponse, FaceError, FaceVerdict, Method,
    NumberQuery, QualificationValidity, Registration, Segment,
};
use reception::paper::ProblemKind;
use reception::{
    CardPhoto, Event, FaceMatcher, OnlineEligibility, Screen, SiteSettings, Snapshot, StaffAction, UserInput,
};
use uketsuke::app::{FnSink, Wiring};
use uketsuke::clock::FixedClock;
use uketsuke::session::Session;

const WAIT: Duration = Duration::from_secs(20);

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 5, 20)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

/// A face matcher that says when it starts and answers only when the test releases it.
struct GateFace {
    started: Sender<()>,
    release: Receiver<FaceVerdict>,
}

impl FaceMatcher for GateFace {
    fn verify(&mut self, photo: &CardPhoto) -> Result<FaceVerdict, FaceError> {
        assert!(!photo.0.is_empty(), "the worker hands over the chip photo");
        self.started.send(()).unwrap();
        self.release
            .recv()
            .map_err(|_| FaceError::Camera("test ended".into()))
    }
}

/// An eligibility service whose certificate queries hang until released; registration answers at once.
struct GateEligibility {
    started: Sender<()>,
    release: Receiver<()>,
}

impl OnlineEligibility for GateEligibility {
    fn registration_status(&mut self, _: &CertRef) -> Result<Registration, EligibilityError> {
        Ok(Registration::Registered)
    }
    fn register(&mut self, _: &CertRef) -> Result<Registration, EligibilityError> {
        Ok(Registration::Registered)
    }
    fn query_by_certificate(&mut self, q: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
        self.started.send(()).unwrap();
        self.release.recv().map_err(|_| EligibilityError::Unavailable)?;
        Ok(EligibilityResponse {
            segment: Segment::Normal,
            validity: Some(QualificationValidity::NotFound),
            record: None,
            confirmed_on: q.date,
        })
    }
    fn query_by_numbers(&mut self, _: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
        Err(EligibilityError::Unavailable)
    }
}

struct Desk {
    session: Session,
    lanes: uketsuke::session::Lanes<
        CardPort<InProcessSlot, PersonaCheckCodes>,
        GateEligibility,
        store::reception_port::StorePort,
        GateFace,
    >,
    snapshots: Receiver<Snapshot>,
    face_started: Receiver<()>,
    face_release: Sender<FaceVerdict>,
    query_started: Receiver<()>,
    query_release: Sender<()>,
    _data: tempfile::TempDir,
}

fn desk() -> Desk {
    let data = tempfile::tempdir().unwrap();
    let slot = InProcessSlot::default();
    slot.place(VirtualCard::builtin("p01-yamada-hanako", now().date(), None).unwrap());
    let (face_started_tx, face_started) = mpsc::channel();
    let (face_release, face_release_rx) = mpsc::channel();
    let (query_started_tx, query_started) = mpsc::channel();
    let (query_release, query_release_rx) = mpsc::channel();
    let (snap_tx, snapshots) = mpsc::channel();
    let snap_tx = std::sync::Mutex::new(snap_tx);
    let wiring = Wiring {
        card: CardPort::new(slot, PersonaCheckCodes),
        face: GateFace {
            started: face_started_tx,
            release: face_release_rx,
        },
        eligibility: GateEligibility {
            started: query_started_tx,
            release: query_release_rx,
        },
        clock: FixedClock(now()),
        store: store::reception_port::StorePort::new(
            store::Store::create(&data.path().join("uketsuke.sqlite3"), store::Mode::Training).unwrap(),
        ),
        sink: Box::new(FnSink(move |s: &Snapshot| {
            let _ = snap_tx.lock().unwrap().send(s.clone());
        })),
    };
    let (session, lanes, _thread) = Session::start(SiteSettings::default(), wiring).unwrap();
    Desk {
        session,
        lanes,
        snapshots,
        face_started,
        face_release,
        query_started,
        query_release,
        _data: data,
    }
}

impl Desk {
    /// Wait for a published snapshot that satisfies `f`.
    fn until(&self, what: &str, f: impl Fn(&Snapshot) -> bool) -> Snapshot {
        loop {
            let s = self
                .snapshots
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("no snapshot where {what}"));
            if f(&s) {
                return s;
            }
        }
    }

    fn up_to_face_capture(&self) {
        self.session.reader_event(Event::CardPlaced).unwrap();
        self.until("the method choice is shown", |s| s.screen == Screen::MethodChoice);
        let snap = self.session.input(UserInput::ChooseMethod(Method::Face)).unwrap();
        assert_eq!(
            snap.screen,
            Screen::FaceCapture,
            "the reply to 顔認証 comes at once: the capture screen, not the verdict"
        );
        self.face_started
            .recv_timeout(WAIT)
            .expect("the face match started");
    }

    fn received_today(&self) -> usize {
        self.lanes
            .store
            .lock()
            .unwrap()
            .db()
            .receptions_on(now().date(), &store::ReceptionFilter::default())
            .unwrap()
            .len()
    }
}

#[test]
fn staff_reads_and_snapshots_answer_while_a_face_match_hangs() {
    let d = desk();
    d.up_to_face_capture();
    // The match is in flight: the store answers the console, and the driver its snapshot.
    assert_eq!(d.received_today(), 0);
    let snap = d.session.snapshot().unwrap();
    assert_eq!(snap.screen, Screen::FaceCapture);
    assert_eq!(snap.busy.map(|b| b.lane), Some(Lane::Face));
    d.face_release.send(FaceVerdict::Match { score: 0.8 }).unwrap();
    d.until("consent is asked after the match", |s| {
        s.screen == Screen::ConsentMode
    });
}

#[test]
fn staff_cancel_during_a_hung_query_opens_the_fallbacks_and_the_late_answer_is_dropped() {
    let d = desk();
    d.up_to_face_capture();
    d.face_release.send(FaceVerdict::Match { score: 0.8 }).unwrap();
    d.until("consent is asked", |s| s.screen == Screen::ConsentMode);
    d.session
        .input(UserInput::ChooseConsentMode(ConsentMode::Comprehensive))
        .unwrap();
    d.query_started.recv_timeout(WAIT).expect("the query went out");
    let querying = d.until("the reader shows the query", |s| {
        matches!(s.screen, Screen::Querying { .. })
    });
    assert!(querying.staff_actions.contains(&StaffActionKind::CancelQuery));

    let after = d
        .session
        .input(UserInput::Staff(StaffAction::CancelQuery))
        .unwrap();
    assert!(
        matches!(after.screen, Screen::Fallback { .. }),
        "{:?}",
        after.screen
    );
    assert_eq!(
        after.fallback.as_ref().and_then(|f| f.problem),
        Some(ProblemKind::CommunicationFailure)
    );

    // The hung call answers after all; the flow has moved on and drops it.
    d.query_release.send(()).unwrap();
    // A probe through the same queue: once its snapshot is back, the late answer has been handled.
    let snap = d.session.snapshot().unwrap();
    assert!(matches!(snap.screen, Screen::Fallback { .. }));
    assert_eq!(
        d.received_today(),
        0,
        "nothing was saved from the cancelled query"
    );
}
