//! Benchmark: one whole PIN-path reception with no injected latency — card placed → certificate read, PIN
//! VERIFY, signature, registration check and eligibility query over HTTP to the mock OQS, record stored in
//! SQLite — through the real pcscd + vpcd, against OpenSC's `pkcs15-tool --read-certificate` alone on the same
//! virtual card. Target: the whole reception costs less than OpenSC's certificate read (ratio < 1).

// A benchmark is test code: failing loudly on a broken setup is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use mynacard::reception_port::{CardPort, CertBook, PcscSource, PersonaCheckCodes};
use mynacard::testing::{Pcscd, VPCD_READER};
use mynacard::vpcd::{VpcdCard, DEFAULT_PORT};
use mynacard::{PcscContext, VirtualCard};
use reception::model::{ConsentMode, Method};
use reception::{Driver, Event, Pin, Screen, SiteSettings, Snapshot};
use uketsuke::app::{FnSink, Wiring};
use uketsuke::clock::FixedClock;
use uketsuke::face_port::{Camera, FacePort};

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
    let _pcscd = Pcscd::ensure().unwrap_or_else(|e| panic!("{e}"));
    let at = NaiveDate::from_ymd_opt(2026, 5, 20)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let mock = oqs::MockOqs::start(
        oqs::MockConfig::from_assets(&oqs::mock::repo_assets_dir(), Arc::new(move || at)).unwrap(),
    )
    .unwrap();
    let mut slot = VpcdCard::new(DEFAULT_PORT);
    slot.insert(VirtualCard::builtin("p01-yamada-hanako", at.date(), None).unwrap())
        .unwrap();
    let ctx = PcscContext::establish().unwrap();
    assert!(ctx
        .wait_presence(VPCD_READER, true, Duration::from_secs(5))
        .unwrap());
    let dir = tempfile::tempdir().unwrap();
    let book = CertBook::default();
    let lookup = book.clone();
    let ports = Wiring {
        card: CardPort::new(PcscSource::new(VPCD_READER).unwrap(), PersonaCheckCodes).with_cert_book(book),
        face: FacePort::new(Arc::default(), Camera::None, 0.42),
        eligibility: oqs::reception_port::EligibilityPort::new(
            oqs::OqsClient::new(oqs::ClientConfig::new(mock.url())),
            Box::new(move |s: &str| lookup.lock().unwrap().get(s).cloned()),
            Box::new(move || at),
        ),
        clock: FixedClock(at),
        store: store::reception_port::StorePort::new(
            store::Store::create(&dir.path().join("bench.sqlite3"), store::Mode::Training).unwrap(),
        ),
        sink: Box::new(FnSink(|_: &Snapshot| {})),
    };
    let mut driver = Driver::new(
        SiteSettings {
            training: true,
            ..SiteSettings::default()
        },
        ports,
    );

    let runs = 15;
    let mut ours = Vec::new();
    for i in 0..=runs {
        let t = now();
        driver.send(Event::CardPlaced);
        driver.send(Event::ChooseMethod(Method::Pin));
        driver.send(Event::PinEntered(Pin::new("1234".into())));
        driver.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
        let took = t.elapsed();
        let screen = driver.snapshot().unwrap().screen.clone();
        assert!(
            matches!(screen, Screen::Completed { .. }),
            "run {i} ended on {screen:?}"
        );
        driver.send(Event::CardRemoved);
        if i > 0 {
            ours.push(took); // run 0 warms up connections and the SQLite file
        }
    }
    let stored = driver
        .ports()
        .store
        .db()
        .receptions_on(at.date(), &store::ReceptionFilter::default())
        .unwrap();
    assert_eq!(stored.len(), runs + 1, "every reception was stored");
    drop(driver);

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
        "whole PIN reception (pcscd+vpcd, mock OQS over HTTP, SQLite) vs `pkcs15-tool --read-certificate`: \
         ratio: ours/peer = {:.2} (ours {:.1} ms, peer {:.1} ms; medians of {runs} and {peer_runs})",
        o.as_secs_f64() / p.as_secs_f64(),
        o.as_secs_f64() * 1e3,
        p.as_secs_f64() * 1e3
    );
}
