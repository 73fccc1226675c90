//! An independent reader of our face-result files, written only from domain.md §3's element table with a plain
//! quick-xml event loop and encoding_rs — it shares no types with the crate. It must agree with what we meant.

use crate::support::*;
use oqs::files::write_face_result;
use oqs::xml::Charset;
use quick_xml::events::Event;
use std::collections::BTreeMap;

/// Element name → text, for the leaf elements inside the first ResultOfQualificationConfirmation and the body.
fn read_face_file(bytes: &[u8]) -> BTreeMap<String, String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(100)]).to_string();
    let text = if head.contains("Shift_JIS") {
        encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned()
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut results_seen = 0;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "ResultOfQualificationConfirmation" {
                    results_seen += 1;
                }
                current = Some(name);
            }
            Event::Text(t) => {
                if let (Some(name), true) = (&current, results_seen <= 1) {
                    let value = t.unescape().unwrap().trim().to_string();
                    if !value.is_empty() {
                        out.entry(name.clone()).or_insert(value);
                    }
                }
            }
            Event::End(_) => current = None,
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn an_independent_parser_agrees_on_insurer_numbers_validity_and_consent_flags() {
    let mock = start_mock();
    let mut q = card_query("p04-takahashi-yoshiko");
    let mut consent = all_consent();
    consent.operation_info_cons_flg = Some(oqs::codes::ConsentFlag::NotConsented);
    q.consent = Some(consent);
    let msg = client(&mock).query_by_card(&q).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for charset in [Charset::Utf8, Charset::ShiftJis] {
        let path = write_face_result(dir.path(), &msg, charset, now()).unwrap();
        let f = read_face_file(&std::fs::read(path).unwrap());
        let get = |k: &str| f.get(k).map(String::as_str);
        // Values from assets/eligibility/p04-takahashi-yoshiko.toml and the consent chosen above.
        assert_eq!(get("InsurerNumber"), Some("06139919"));
        assert_eq!(get("InsuredCardSymbol"), Some("1004"));
        assert_eq!(get("InsuredIdentificationNumber"), Some("1004"));
        assert_eq!(get("InsuredBranchNumber"), Some("01"));
        assert_eq!(get("PersonalFamilyClassification"), Some("2"));
        assert_eq!(get("QualificationValidity"), Some("1"));
        assert_eq!(get("Name"), Some("高橋 良子"));
        assert_eq!(get("PharmacistsInfoConsFlg"), Some("1"));
        assert_eq!(get("DiagnosisInfoConsFlg"), Some("1"));
        assert_eq!(get("SpecificHealthCheckupsInfoConsFlg"), Some("1"));
        assert_eq!(get("OperationInfoConsFlg"), Some("0"));
        assert_eq!(get("OperationInfoAvailableTime"), None);
        assert_eq!(get("PharmacistsInfoAvailableTime"), Some("20260303101530"));
        assert_eq!(get("LimitApplicationCertificateRelatedConsFlg"), Some("1"));
        let expected_cci = if charset == Charset::Utf8 { "0" } else { "1" };
        assert_eq!(get("CharacterCodeIdentifier"), Some(expected_cci));
    }
}

#[test]
fn an_independent_parser_reads_both_entries_of_a_multiple_match_in_order() {
    let mock = start_mock();
    let msg = client(&mock).query_by_card(&card_query("p16-inoue-ken")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_face_result(dir.path(), &msg, Charset::ShiftJis, now()).unwrap();
    let bytes = std::fs::read(path).unwrap();
    let text = encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned();
    let mut reader = quick_xml::Reader::from_str(&text);
    let (mut insurers, mut in_insurer) = (Vec::new(), false);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => in_insurer = e.name().as_ref() == b"InsurerNumber",
            Event::Text(t) if in_insurer => insurers.push(t.unescape().unwrap().into_owned()),
            Event::End(_) => in_insurer = false,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(insurers, vec!["01139997", "149997"]);
    let f = read_face_file(&bytes);
    assert_eq!(f.get("QualificationValidity").map(String::as_str), Some("5"));
}

#[test]
fn a_face_result_file_is_0600_and_appears_whole_with_no_temp_file_left() {
    use std::os::unix::fs::PermissionsExt as _;
    let mock = start_mock();
    let msg = client(&mock).query_by_card(&card_query("p16-inoue-ken")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_face_result(dir.path(), &msg, Charset::Utf8, now()).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", path.display());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 1, "only the result, no temp file: {names:?}");
}
