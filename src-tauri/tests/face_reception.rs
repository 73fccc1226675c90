//! A face reception through the real adapters, in process: the virtual card (p01) behind the allow-listed card
//! layer, the face models on the training camera's still, the mock OQS over HTTP on 127.0.0.1, and a SQLite file.
//! Afterwards no image and no face embedding may be left in the data dir or the temp dir (issue #7).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;
use mynacard::reception_port::{CardPort, InProcessSlot, PersonaCheckCodes};
use mynacard::VirtualCard;
use reception::model::{ConsentMode, Method};
use reception::{Driver, Event, Screen, SiteSettings, Snapshot};
use uketsuke::app::{FnSink, Wiring};
use uketsuke::clock::FixedClock;
use uketsuke::face_port::{Camera, FacePort, SharedModels};
use uketsuke::training::CameraInput;

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const JP2: &[u8] = &[0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
const J2K_CODESTREAM: &[u8] = &[0xFF, 0x4F, 0xFF, 0x51];

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_face_reception_completes_and_leaves_no_image_or_embedding_behind() {
    let data = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // Anything the libraries would write to "the temp dir" lands here, where the test can look.
    std::env::set_var("TMPDIR", tmp.path());

    let now = NaiveDate::from_ymd_opt(2026, 5, 20)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let mock = oqs::MockOqs::start(
        oqs::MockConfig::from_assets(&oqs::mock::repo_assets_dir(), Arc::new(move || now)).unwrap(),
    )
    .unwrap();

    let slot = InProcessSlot::default();
    slot.place(VirtualCard::builtin("p01-yamada-hanako", now.date(), None).unwrap());
    let book = mynacard::reception_port::CertBook::default();
    let lookup = book.clone();
    let models: SharedModels = Arc::new(OnceLock::new());
    let _ = models.set(face::FaceModels::load().map_err(|e| e.to_string()));
    let camera = Camera::Training {
        input: Arc::new(Mutex::new(CameraInput::Same)),
        placed: Arc::new(Mutex::new(Some("p01-yamada-hanako".into()))),
        webcam: None,
    };
    let db_path = data.path().join("uketsuke.sqlite3");
    let ports = Wiring {
        card: CardPort::new(slot, PersonaCheckCodes).with_cert_book(book),
        face: FacePort::new(Arc::clone(&models), camera, 0.42),
        eligibility: oqs::reception_port::EligibilityPort::new(
            oqs::OqsClient::new(oqs::ClientConfig::new(mock.url())),
            Box::new(move |serial: &str| lookup.lock().unwrap().get(serial).cloned()),
            Box::new(move || now),
        )
        .with_face_output(data.path().join("face"), oqs::Charset::Utf8),
        clock: FixedClock(now),
        store: store::reception_port::StorePort::new(
            store::Store::create(&db_path, store::Mode::Training).unwrap(),
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
    driver.send(Event::CardPlaced);
    assert_eq!(driver.snapshot().unwrap().screen, Screen::MethodChoice);
    driver.send(Event::ChooseMethod(Method::Face));
    assert_eq!(
        driver.snapshot().unwrap().screen,
        Screen::ConsentMode,
        "the live still matched the chip photo"
    );
    driver.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert!(
        matches!(driver.snapshot().unwrap().screen, Screen::Completed { .. }),
        "reception completed: {:?}",
        driver.snapshot().unwrap().screen
    );
    let day = driver
        .ports()
        .store
        .db()
        .receptions_on(now.date(), &store::ReceptionFilter::default())
        .unwrap();
    assert_eq!(day.len(), 1, "one reception stored");
    drop(driver);

    // The card face's embedding, computed here, must not appear anywhere on disk.
    let m = models.get().unwrap().as_ref().unwrap();
    let photo = mynacard::Persona::builtin("p01-yamada-hanako")
        .unwrap()
        .photo_jp2()
        .unwrap();
    let img = face::RgbImage::from_jpeg2000(photo).unwrap();
    let found = m.detect(&img).unwrap();
    let emb = m.embed(&img, &found[0]).unwrap();
    let emb_bytes: Vec<u8> = emb.as_slice()[..8].iter().flat_map(|f| f.to_le_bytes()).collect();

    let mut files = Vec::new();
    files_under(data.path(), &mut files);
    files_under(tmp.path(), &mut files);
    assert!(
        files.iter().any(|f| f.extension().is_some_and(|e| e == "xml")),
        "the face-result file exists"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for (what, magic) in [
            ("JPEG", JPEG),
            ("PNG", PNG),
            ("JPEG 2000", JP2),
            ("J2K codestream", J2K_CODESTREAM),
        ] {
            assert!(
                !contains(&bytes, magic),
                "{} holds {what} image bytes",
                f.display()
            );
        }
        assert!(
            !contains(&bytes, &emb_bytes),
            "{} holds face-embedding bytes",
            f.display()
        );
    }
}
