//! The file interface: face results written atomically, request folder answered through the client.

use crate::support::*;
use oqs::codes::*;
use oqs::files::{scan_requests, write_face_result, RequestWatcher};
use oqs::xml::{Charset, XmlMsg};
use std::time::Duration;

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn face_results_are_named_by_time_leave_no_temp_files_and_parse_back() {
    let mock = start_mock();
    let msg = client(&mock)
        .query_by_card(&card_query("p01-yamada-hanako"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = write_face_result(dir.path(), &msg, Charset::Utf8, now()).unwrap();
    let b = write_face_result(dir.path(), &msg, Charset::ShiftJis, now()).unwrap();
    assert_eq!(
        names(dir.path()),
        vec![
            "OQSsiquc01res_face_20260302101530.xml",
            "OQSsiquc01res_face_20260302101531.xml"
        ],
        "same-second receptions get distinct names in the real pattern; no temp file remains"
    );
    assert_eq!(
        XmlMsg::from_bytes(&std::fs::read(a).unwrap()).unwrap().msg.body,
        msg.body
    );
    let sjis = XmlMsg::from_bytes(&std::fs::read(b).unwrap()).unwrap();
    assert_eq!(sjis.charset, Charset::ShiftJis);
    assert_eq!(sjis.msg.body, msg.body);
}

#[test]
fn a_face_result_contains_no_twelve_digit_number() {
    // Structural privacy: no field can hold a My Number; check the bytes anyway for any 12-digit run.
    let mock = start_mock();
    let dir = tempfile::tempdir().unwrap();
    for persona in personas() {
        let msg = client(&mock).query_by_card(&card_query(persona)).unwrap();
        let path = write_face_result(dir.path(), &msg, Charset::Utf8, now()).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let longest = text
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        // Timestamps are 14 digits; anything of exactly 12 would be suspicious.
        assert!(
            text.split(|c: char| !c.is_ascii_digit())
                .all(|run| run.len() != 12),
            "{persona}: {longest}"
        );
    }
}

fn request_bytes(mock: &oqs::MockOqs, charset: Charset) -> Vec<u8> {
    let q = oqs::NumberQuery {
        insurer_number: "06139919".into(),
        symbol: Some("1004".into()),
        number: "1004".into(),
        branch: Some("01".into()),
        birthdate: chrono::NaiveDate::from_ymd_opt(1971, 3, 3).unwrap(),
        date: today(),
        limit_consent: false,
    };
    client(mock).number_request(&q, false).to_bytes(charset).unwrap()
}

#[test]
fn a_dropped_request_is_answered_beside_it_in_its_own_encoding_and_consumed() {
    let mock = start_mock();
    let client = client(&mock);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("OQSsiquc01req_0001.xml"),
        request_bytes(&mock, Charset::ShiftJis),
    )
    .unwrap();
    std::fs::write(dir.path().join("unrelated.txt"), b"x").unwrap();
    let written = scan_requests(dir.path(), None, now(), &mut |req| client.query(req)).unwrap();
    assert_eq!(written.len(), 1);
    assert_eq!(names(dir.path()), vec!["OQSsiquc01res_0001.xml", "unrelated.txt"]);
    let d = XmlMsg::from_bytes(&std::fs::read(&written[0]).unwrap()).unwrap();
    assert_eq!(d.charset, Charset::ShiftJis);
    assert_eq!(
        d.msg.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(d.msg.first_result().unwrap().name.as_deref(), Some("高橋 良子"));
    // A second scan finds nothing left to do.
    assert!(
        scan_requests(dir.path(), None, now(), &mut |req| client.query(req))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn unreadable_requests_and_outages_still_get_an_error_result_file() {
    let mock = start_mock();
    let client = client(&mock);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("OQSsiquc01req_bad.xml"), b"<XmlMsg><oops").unwrap();
    std::fs::write(
        dir.path().join("OQSsiquc01req_down.xml"),
        request_bytes(&mock, Charset::Utf8),
    )
    .unwrap();
    mock.stop_listening().unwrap();
    scan_requests(dir.path(), Some(Charset::Utf8), now(), &mut |req| {
        client.query(req)
    })
    .unwrap();
    for id in ["bad", "down"] {
        let bytes = std::fs::read(dir.path().join(format!("OQSsiquc01res_{id}.xml"))).unwrap();
        let msg = XmlMsg::from_bytes(&bytes).unwrap().msg;
        assert_eq!(
            msg.header.segment_of_result,
            Some(SegmentOfResult::Abnormal),
            "{id}"
        );
        assert_eq!(msg.header.error_code.as_deref(), Some("SIM-T01"), "{id}");
    }
}

#[test]
fn the_polling_watcher_answers_requests_until_dropped() {
    let mock = start_mock();
    let client = client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let (answered_tx, answered) = std::sync::mpsc::channel();
    std::fs::write(
        dir.path().join("OQSsiquc01req_w1.xml"),
        request_bytes(&mock, Charset::Utf8),
    )
    .unwrap();
    let watcher = RequestWatcher::spawn(
        dir.path().to_owned(),
        Duration::from_millis(20),
        None,
        Box::new(now),
        Box::new(move |req| {
            let r = client.query(req);
            let _ = answered_tx.send(());
            r
        }),
    );
    answered
        .recv_timeout(Duration::from_secs(10))
        .expect("the watcher picked the request up");
    drop(watcher); // joins the thread, so the result file has been written
    assert_eq!(names(dir.path()), vec!["OQSsiquc01res_w1.xml"]);
}

/// #13 §8: a face result in which any value looks like a My Number (12 digits, in any common spelling) is not
/// written for the レセコン; the same answer without it is.
#[test]
fn a_face_result_holding_a_twelve_digit_value_is_not_written() {
    let mock = start_mock();
    let msg = client(&mock)
        .query_by_card(&card_query("p01-yamada-hanako"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for spelled in ["123456789012", "1234-5678-9012", "１２３４ ５６７８ ９０１２"] {
        let mut bad = msg.clone();
        if let Some(r) = bad.body.result_list.as_mut().and_then(|l| l.results.first_mut()) {
            r.name = Some(format!("山田 花子 {spelled}"));
        }
        let got = write_face_result(dir.path(), &bad, Charset::ShiftJis, now());
        assert!(
            matches!(got, Err(oqs::files::FileError::MyNumberLike)),
            "{spelled}: {got:?}"
        );
        assert!(names(dir.path()).is_empty(), "{spelled}: nothing written");
    }
    write_face_result(dir.path(), &msg, Charset::ShiftJis, now()).unwrap();
    assert_eq!(names(dir.path()).len(), 1);
}
