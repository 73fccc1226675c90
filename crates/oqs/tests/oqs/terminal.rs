//! Live beside a 資格確認端末 (#16 §1): 一件照会 through the request and result folders against the mock 端末
//! (answering from the mock OQS over real HTTP), its faults, a folder that disappears, the face-result watcher.

use crate::support::*;
use oqs::codes::QualificationValidity as WireValidity;
use oqs::terminal::{
    check_folder, Canceller, ExchangeOutcome, FaceFile, FaceResultWatcher, FolderPort, Folders, MockTerminal,
    TerminalFault,
};
use oqs::xml::{Charset, XmlMsg};
use reception::model::{EligibilityError, NumberQuery, QualificationValidity, Segment};
use reception::OnlineEligibility;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

struct Desk {
    _mock: oqs::MockOqs,
    terminal: MockTerminal,
    port: FolderPort,
    root: tempfile::TempDir,
}

impl Desk {
    fn requests(&self) -> std::path::PathBuf {
        self.root.path().join("req")
    }
    fn results(&self) -> std::path::PathBuf {
        self.root.path().join("res")
    }
    fn face(&self) -> std::path::PathBuf {
        self.root.path().join("face")
    }
}

/// The mock OQS, a mock 端末 in front of it, and our adapter on the same folders (`timeout` per exchange).
fn desk(charset: Charset, timeout: Duration) -> Desk {
    let mock = start_mock();
    let client = client(&mock);
    let root = tempfile::tempdir().unwrap();
    for d in ["req", "res", "face"] {
        std::fs::create_dir(root.path().join(d)).unwrap();
    }
    let folders = Folders {
        requests: root.path().join("req"),
        results: root.path().join("res"),
        charset,
    };
    let terminal = MockTerminal::start(
        folders.clone(),
        root.path().join("face"),
        Box::new(now),
        Box::new(move |req| client.query(req)),
    )
    .unwrap();
    let port = FolderPort::new(folders, "1399999999", timeout, Box::new(now));
    Desk {
        _mock: mock,
        terminal,
        port,
        root,
    }
}

fn p01() -> NumberQuery {
    NumberQuery {
        insurer_number: "06139919".into(),
        symbol: Some("1001".into()),
        number: "1001".into(),
        branch: Some("00".into()),
        birthdate: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        date: today(),
        limit_consent: false,
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_number_query_is_answered_through_the_folders_in_the_terminals_encoding_and_both_files_are_gone() {
    for charset in [Charset::Utf8, Charset::ShiftJis] {
        let mut d = desk(charset, Duration::from_secs(10));
        let resp = d.port.query_by_numbers(&p01()).unwrap();
        assert_eq!(resp.segment, Segment::Normal, "{charset:?}");
        assert_eq!(resp.validity, Some(QualificationValidity::Valid));
        let r = resp.record.unwrap();
        assert_eq!(r.name, "山田 花子", "{charset:?}: the name survives the encoding");
        assert_eq!(r.copay_percent, Some(30));
        // The 端末 consumed the request, we consumed the result: nothing is left for anyone to read twice.
        assert!(names(&d.requests()).is_empty(), "{charset:?}");
        assert!(names(&d.results()).is_empty(), "{charset:?}");
        let last = d.port.monitor().last_exchange().unwrap();
        assert_eq!(last.outcome, ExchangeOutcome::Answered);
        let unknown = NumberQuery {
            number: "9999".into(),
            ..p01()
        };
        assert_eq!(
            d.port.query_by_numbers(&unknown).unwrap().validity,
            Some(QualificationValidity::NotFound),
            "該当資格なし comes back as an answer, not a failure"
        );
    }
}

#[test]
fn the_request_is_written_in_the_terminals_encoding_with_its_id() {
    let d = desk(Charset::ShiftJis, Duration::from_secs(5));
    // Stop the mock 端末 so the request stays in the folder to be looked at.
    let Desk {
        terminal,
        mut port,
        root,
        _mock,
    } = d;
    drop(terminal);
    let requests = root.path().join("req");
    let (seen_tx, seen) = mpsc::channel();
    let watcher_dir = requests.clone();
    let looker = std::thread::spawn(move || {
        for _ in 0..400 {
            let found: Vec<_> = names(&watcher_dir)
                .into_iter()
                .filter(|n| n.starts_with("OQSsiquc01req_"))
                .collect();
            if let Some(n) = found.first() {
                let bytes = std::fs::read(watcher_dir.join(n)).unwrap();
                let _ = seen_tx.send((n.clone(), bytes));
                return;
            }
            std::thread::park_timeout(Duration::from_millis(10));
        }
    });
    let q = NumberQuery {
        limit_consent: true,
        ..p01()
    };
    let canceller = port.canceller();
    let asked = std::thread::spawn(move || port.query_by_numbers(&q));
    let (name, bytes) = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    looker.join().unwrap();
    let decoded = XmlMsg::from_bytes(&bytes).unwrap();
    assert_eq!(decoded.charset, Charset::ShiftJis);
    let id = decoded.msg.header.arbitrary_file_identifier.clone().unwrap();
    assert_eq!(name, format!("OQSsiquc01req_{id}.xml"));
    let info = decoded.msg.body.qualification_confirm_search_info.unwrap();
    assert_eq!(info.insurer_number.as_deref(), Some("06139919"));
    assert_eq!(info.birthdate.as_deref(), Some("19900101"));
    assert!(canceller.cancel(), "an exchange was in progress");
    assert_eq!(asked.join().unwrap(), Err(EligibilityError::Timeout));
    // Withdrawn: the 端末 never took it, so it is taken back.
    assert!(names(&requests).is_empty());
}

#[test]
fn a_slow_terminal_times_out_and_its_late_answer_is_removed_unread() {
    let mut d = desk(Charset::Utf8, Duration::from_millis(400));
    d.terminal
        .inject(TerminalFault::Delay(Duration::from_millis(900)));
    assert_eq!(d.port.query_by_numbers(&p01()), Err(EligibilityError::Timeout));
    assert_eq!(
        d.port.monitor().last_exchange().unwrap().outcome,
        ExchangeOutcome::TimedOut
    );
    // The late answer lands; the next exchange sweeps it and gets its own.
    let mut waited = 0;
    while d.terminal.answered().is_empty() && waited < 300 {
        std::thread::park_timeout(Duration::from_millis(10));
        waited += 1;
    }
    assert_eq!(d.terminal.answered().len(), 1, "the slow 端末 answered after all");
    assert_eq!(names(&d.results()).len(), 1, "its late result is in the folder");
    let resp = d.port.query_by_numbers(&p01()).unwrap();
    assert_eq!(resp.validity, Some(QualificationValidity::Valid));
    assert!(
        names(&d.results()).is_empty(),
        "the late result was removed, never read as this patient's"
    );
}

#[test]
fn a_half_written_result_is_never_read_before_its_rename_and_a_malformed_one_is_malformed() {
    let mut d = desk(Charset::ShiftJis, Duration::from_secs(10));
    d.terminal
        .inject(TerminalFault::HalfWritten(Duration::from_millis(300)));
    let resp = d.port.query_by_numbers(&p01()).unwrap();
    assert_eq!(resp.record.unwrap().name, "山田 花子");
    d.terminal.inject(TerminalFault::Malformed);
    assert!(matches!(
        d.port.query_by_numbers(&p01()),
        Err(EligibilityError::Malformed(_))
    ));
    assert_eq!(
        d.port.monitor().last_exchange().unwrap().outcome,
        ExchangeOutcome::Failed
    );
    assert!(names(&d.results()).is_empty());
}

#[test]
fn a_terminal_that_answers_with_an_error_segment_gives_the_flow_its_code() {
    let mut d = desk(Charset::Utf8, Duration::from_secs(10));
    d._mock.stop_listening().unwrap();
    // The 端末 could not reach the service: it answers 異常終了, which the flow treats as an answer.
    let resp = d.port.query_by_numbers(&p01()).unwrap();
    assert!(matches!(resp.segment, Segment::Error { .. }), "{resp:?}");
}

#[test]
fn a_request_folder_that_disappears_is_a_clear_unavailable_error_and_the_next_query_works_again() {
    let mut d = desk(Charset::Utf8, Duration::from_secs(5));
    std::fs::remove_dir(d.requests()).unwrap();
    std::fs::write(d.requests(), b"not a folder").unwrap();
    assert_eq!(
        d.port.query_by_numbers(&p01()),
        Err(EligibilityError::Unavailable)
    );
    let last = d.port.monitor().last_exchange().unwrap();
    assert_eq!(last.outcome, ExchangeOutcome::Failed);
    assert!(
        last.detail.as_deref().unwrap_or("").contains("req"),
        "the error names the folder: {last:?}"
    );
    assert!(!check_folder(&d.requests()).writable);
    // The result folder goes too: the wait ends at once instead of at the deadline.
    std::fs::remove_file(d.requests()).unwrap();
    std::fs::create_dir(d.requests()).unwrap();
    std::fs::remove_dir(d.results()).unwrap();
    assert_eq!(
        d.port.query_by_numbers(&p01()),
        Err(EligibilityError::Unavailable)
    );
    // The clinic fixes the share: the desk continues without a restart.
    std::fs::create_dir(d.results()).unwrap();
    assert!(check_folder(&d.results()).writable);
    // The mock 端末 took the last request before the result folder was back; ask again.
    let resp = d.port.query_by_numbers(&p01()).unwrap();
    assert_eq!(resp.validity, Some(QualificationValidity::Valid));
}

#[test]
fn card_queries_are_the_certified_readers_and_a_cancel_without_an_exchange_does_nothing() {
    let mut d = desk(Charset::Utf8, Duration::from_secs(5));
    let cert = reception::model::CertRef::Card {
        serial: "1001".into(),
    };
    assert_eq!(
        d.port.registration_status(&cert),
        Err(EligibilityError::CertifiedReaderOnly)
    );
    let c: Canceller = d.port.canceller();
    assert!(!c.cancel());
    assert!(names(&d.requests()).is_empty(), "nothing was sent for a card");
}

#[test]
fn face_results_dropped_by_the_certified_reader_are_handed_on_once_each_oldest_first() {
    let d = desk(Charset::Utf8, Duration::from_secs(5));
    let answer = client(&d._mock)
        .query_by_card(&card_query("p01-yamada-hanako"))
        .unwrap();
    // One there before the watch starts, one after, one broken, one temp file that must never be read.
    d.terminal.drop_face_result(&answer, now()).unwrap();
    std::fs::write(
        d.face().join(".OQSsiquc01res_face_20260302101600.xml.x.tmp"),
        b"<XmlMsg",
    )
    .unwrap();
    let (tx, rx) = mpsc::channel::<FaceFile>();
    let watcher = FaceResultWatcher::spawn(
        d.face(),
        Box::new(move |f| {
            let _ = tx.send(f);
            true
        }),
    )
    .unwrap();
    let first = rx.recv_timeout(Duration::from_secs(5)).unwrap().unwrap();
    assert_eq!(first.name, "OQSsiquc01res_face_20260302101530.xml");
    assert_eq!(first.msg.body.qualification_validity, Some(WireValidity::Valid));
    let later = now() + chrono::Duration::minutes(3);
    d.terminal.drop_face_result(&answer, later).unwrap();
    let second = rx.recv_timeout(Duration::from_secs(5)).unwrap().unwrap();
    assert_eq!(second.name, "OQSsiquc01res_face_20260302101830.xml");
    std::fs::write(
        d.face().join("OQSsiquc01res_face_20260302102000.xml"),
        b"<XmlMsg><oops",
    )
    .unwrap();
    let (name, why) = rx.recv_timeout(Duration::from_secs(5)).unwrap().unwrap_err();
    assert_eq!(name, "OQSsiquc01res_face_20260302102000.xml");
    assert!(!why.is_empty());
    // Nothing is offered twice.
    assert!(rx.recv_timeout(Duration::from_millis(1200)).is_err());
    drop(watcher);
}

#[test]
fn a_face_file_the_sink_could_not_take_is_offered_again() {
    let d = desk(Charset::Utf8, Duration::from_secs(5));
    let answer = client(&d._mock)
        .query_by_card(&card_query("p01-yamada-hanako"))
        .unwrap();
    d.terminal.drop_face_result(&answer, now()).unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let mut refusals = 1;
    let _watcher = FaceResultWatcher::spawn(
        d.face(),
        Box::new(move |f| {
            let name = f.unwrap().name;
            let _ = tx.send(name);
            if refusals > 0 {
                refusals -= 1;
                false
            } else {
                true
            }
        }),
    )
    .unwrap();
    let a = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let b = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(a, b, "the refused file came back");
    assert!(
        rx.recv_timeout(Duration::from_millis(1200)).is_err(),
        "and once taken, not again"
    );
}
