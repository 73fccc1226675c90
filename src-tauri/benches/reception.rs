//! Benchmark: one whole PIN-path reception with no injected latency — card placed → certificate read, PIN
//! VERIFY, signature, registration check and eligibility query over HTTP to the mock OQS, record stored in
//! SQLite — through the real pcscd + vpcd, against OpenSC's `pkcs15-tool --read-certificate` alone on the same
//! virtual card. Target: the whole reception costs less than OpenSC's certificate read (ratio < 1). It runs
//! through the app's own driver thread and port workers (`uketsuke::session`), and also measures how often
//! snapshots reach the windows while a slow query is in flight (promise: at least once a second).

// A benchmark is test code: failing loudly on a broken setup is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::process::Command;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use mynacard::reception_port::{CardPort, CertBook, PcscSource, PersonaCheckCodes};
use mynacard::testing::{Pcscd, VPCD_READER};
use mynacard::{PcscContext, VirtualCard};
use reception::model::{ConsentMode, Method};
use reception::{Event, Pin, Screen, SiteSettings, Snapshot, UserInput};
use uketsuke::app::{FnSink, Wiring};
use uketsuke::clock::SystemClock;
use uketsuke::face_port::{Camera, FacePort};
use uketsuke::session::Session;

// A benchmark measures wall time; this binary's main is allowed to read the clock.
#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let pcscd = Pcscd::ensure().unwrap_or_else(|e| panic!("{e}"));
    let at = NaiveDate::from_ymd_opt(2026, 5, 20)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let mock = oqs::MockOqs::start(
        oqs::MockConfig::from_assets(&oqs::mock::repo_assets_dir(), Arc::new(move || at)).unwrap(),
    )
    .unwrap();
    let mut slot = pcscd.slot();
    slot.insert(VirtualCard::builtin("p01-yamada-hanako", at.date(), None).unwrap())
        .unwrap();
    let ctx = PcscContext::establish().unwrap();
    assert!(ctx
        .wait_presence(VPCD_READER, true, Duration::from_secs(5))
        .unwrap());
    let dir = tempfile::tempdir().unwrap();
    let book = CertBook::default();
    let lookup = book.clone();
    let (snap_tx, snaps) = mpsc::channel::<(Instant, Snapshot)>();
    // The app's own clock: the driver's timers and elapsed seconds run on it (the snapshot interval below).
    let clock = SystemClock::default();
    clock.pin_to(at);
    let ports = Wiring {
        card: CardPort::new(PcscSource::new(VPCD_READER).unwrap(), PersonaCheckCodes).with_cert_book(book),
        face: FacePort::new(Arc::default(), Camera::None, 0.42),
        eligibility: oqs::reception_port::EligibilityPort::new(
            oqs::OqsClient::new(oqs::ClientConfig::new(mock.url())),
            Box::new(move |s: &str| lookup.lock().unwrap().get(s).cloned()),
            Box::new(move || at),
        ),
        clock,
        store: store::reception_port::StorePort::new(
            store::Store::create(&dir.path().join("bench.sqlite3"), store::Mode::Training).unwrap(),
        ),
        sink: Box::new(FnSink(move |s: &Snapshot| {
            let _ = snap_tx.send((now(), s.clone()));
        })),
    };
    // The app's driver thread with its port workers, as `make run` has it.
    let (session, lanes, _thread) = Session::start(
        SiteSettings {
            training: true,
            ..SiteSettings::default()
        },
        ports,
    )
    .unwrap();
    let until = |what: &str, f: &dyn Fn(&Screen) -> bool| -> Vec<(Instant, Snapshot)> {
        let mut seen = Vec::new();
        loop {
            let (t, s) = snaps
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no snapshot: {what}"));
            let done = f(&s.screen);
            seen.push((t, s));
            if done {
                return seen;
            }
        }
    };
    let reception = || -> Vec<(Instant, Snapshot)> {
        let mut seen = Vec::new();
        session.reader_event(Event::CardPlaced).unwrap();
        seen.extend(until("method choice", &|s| *s == Screen::MethodChoice));
        session.input(UserInput::ChooseMethod(Method::Pin)).unwrap();
        seen.extend(until("PIN entry", &|s| matches!(s, Screen::PinEntry { .. })));
        session
            .input(UserInput::PinEntered(Pin::new("1234".into())))
            .unwrap();
        seen.extend(until("consent", &|s| *s == Screen::ConsentMode));
        session
            .input(UserInput::ChooseConsentMode(ConsentMode::Comprehensive))
            .unwrap();
        seen.extend(until("completed", &|s| matches!(s, Screen::Completed { .. })));
        seen
    };

    let runs = 15;
    let mut ours = Vec::new();
    for i in 0..=runs {
        let t = now();
        let _ = reception();
        let took = t.elapsed();
        session.reader_event(Event::CardRemoved).unwrap();
        until("waiting again", &|s| *s == Screen::WaitingForCard);
        if i > 0 {
            ours.push(took); // run 0 warms up connections and the SQLite file
        }
    }

    // Snapshots while a slow query is in flight: the driver keeps publishing the elapsed seconds.
    let latency = Duration::from_millis(3_000);
    mock.inject(oqs::FaultRule {
        fault: oqs::Fault::Latency {
            millis: u64::try_from(latency.as_millis()).unwrap(),
        },
        person: None,
        count: None,
    });
    let seen = reception();
    mock.clear_faults();
    session.reader_event(Event::CardRemoved).unwrap();
    until("waiting again", &|s| *s == Screen::WaitingForCard);
    let querying: Vec<Instant> = seen
        .iter()
        .filter(|(_, s)| matches!(s.screen, Screen::Querying { .. }))
        .map(|(t, _)| *t)
        .collect();
    let end = seen.last().map(|(t, _)| *t).unwrap();
    let mut gaps: Vec<Duration> = querying.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.push(end - *querying.last().unwrap());
    let worst = gaps.iter().max().copied().unwrap();

    // The last save may still be on the store worker: give it a moment (bounded) before counting.
    let count = || {
        lanes
            .store
            .lock()
            .unwrap()
            .db()
            .receptions_on(at.date(), &store::ReceptionFilter::default())
            .unwrap()
            .len()
    };
    for _ in 0..100 {
        if count() == runs + 2 {
            break;
        }
        let _ = snaps.recv_timeout(Duration::from_millis(20));
    }
    assert_eq!(count(), runs + 2, "every reception was stored");
    session.stop();

    let peer_runs = 7;
    let mut peer = Vec::new();
    for _ in 0..peer_runs {
        let t = now();
        let ok = Command::new("pkcs15-tool")
            .args(["--reader", "0", "--read-certificate", "01"])
            .env("OPENSC_DRIVER", "jpki")
            .output()
            .unwrap()
            .status
            .success();
        peer.push(t.elapsed());
        assert!(ok, "pkcs15-tool failed");
    }
    let (o, p) = (median(ours), median(peer));
    println!(
        "snapshot interval while a query waits {} ms for the mock OQS: ratio: longest gap / the 1 s promise = \
         {:.2} (longest {:.0} ms over {} snapshots on the querying screen)",
        latency.as_millis(),
        worst.as_secs_f64(),
        worst.as_secs_f64() * 1e3,
        querying.len()
    );
    println!(
        "whole PIN reception (pcscd+vpcd, mock OQS over HTTP, SQLite) vs `pkcs15-tool --read-certificate`: \
         ratio: ours/peer = {:.2} (ours {:.1} ms, peer {:.1} ms; medians of {runs} and {peer_runs})",
        o.as_secs_f64() / p.as_secs_f64(),
        o.as_secs_f64() * 1e3,
        p.as_secs_f64() * 1e3
    );
}
