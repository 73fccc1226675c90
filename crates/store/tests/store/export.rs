//! CSV export: Excel-ready UTF-8 with BOM, or Shift_JIS, with only the allowed columns.

use crate::common::*;
use store::*;

fn filled() -> Store {
    let mut s = fresh(Mode::Live);
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "ok",
        time(2026, 1, 13, 9, 0),
        PatientRef::New(patient()),
    ))
    .unwrap();
    let mut odd = full_reception(Mode::Live, "pay", time(2026, 1, 13, 10, 30));
    // 𠮷 is outside Shift_JIS; the comma and the leading '=' must not break the CSV or run in Excel.
    odd.patient = PatientRef::New(NewPatient {
        name: "=𠮷田, 一".into(),
        ..patient()
    });
    s.save_completed_reception(&odd).unwrap();
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "other-day",
        time(2026, 1, 14, 9, 0),
        PatientRef::New(patient()),
    ))
    .unwrap();
    s
}

both! {
fn utf8_export_starts_with_a_bom_and_lists_the_days_receptions() {
    let bytes = filled()
        .export_day_csv(date(2026, 1, 13), CsvEncoding::Utf8Bom)
        .unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "header + two receptions of that day: {text}");
    assert_eq!(lines[0], CSV_HEADER.join(","));
    assert!(lines[1].starts_with("2026-01-13 09:00:00,ok,"), "{}", lines[1]);
    // 限度区分 and 特定疾病 of the answer travel with the row (#12 §2).
    assert!(
        lines[1].contains(
            ",顔認証,本人,資格確認済,,06133946,3割,ウ,人工透析を要する慢性腎不全,2026-01-14 09:00,"
        ),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",\"'=𠮷田, 一\","), "{}", lines[2]);
    assert!(
        lines[2].ends_with(",未了,,"),
        "refund open, no re-check, not voided: {}",
        lines[2]
    );
}
}

both! {
fn shift_jis_export_decodes_to_the_same_rows_with_unencodable_characters_as_black_circles() {
    let s = filled();
    let utf8 = s.export_day_csv(date(2026, 1, 13), CsvEncoding::Utf8Bom).unwrap();
    let sjis = s
        .export_day_csv(date(2026, 1, 13), CsvEncoding::ShiftJis)
        .unwrap();
    let (decoded, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!had_errors);
    let expected = std::str::from_utf8(&utf8[3..]).unwrap().replace('𠮷', "●");
    assert_eq!(decoded, expected);
}
}

both! {
fn a_day_without_receptions_exports_only_the_header() {
    let bytes = filled()
        .export_day_csv(date(2026, 2, 1), CsvEncoding::Utf8Bom)
        .unwrap();
    assert_eq!(
        std::str::from_utf8(&bytes[3..]).unwrap(),
        format!("{}\r\n", CSV_HEADER.join(","))
    );
}
}
