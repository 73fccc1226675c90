//! The 被保険者資格申立書 PDF: a real A4 PDF with an embedded Japanese font subset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use reception::model::Relationship;
use reception::paper::{Declaration, InsuranceType, Sex};

fn declaration() -> Declaration {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    Declaration {
        visit_date: d(2026, 5, 20),
        filled_on: d(2026, 5, 20),
        name: "山田 花子".into(),
        name_kana: "ヤマダ ハナコ".into(),
        birthdate: d(1990, 1, 1),
        sex: Sex::Female,
        address: "東京都千代田区千代田9-9-9".into(),
        phone: Some("03-0000-0000".into()),
        insurance_type: InsuranceType::Employee,
        insurer_name: Some("うけつけ健康保険組合".into()),
        insurer_number: Some("06133946".into()),
        symbol: Some("12".into()),
        number: Some("345".into()),
        branch: Some("01".into()),
        employer: None,
        relationship: Relationship::Insured,
        staff_note: Some("停電のため".into()),
    }
}

#[test]
fn the_declaration_is_an_a4_pdf_with_an_embedded_japanese_font() {
    // Kept in the target's test temp dir so a person can open it after the run.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("shikaku-moushitate-sample.pdf");
    uketsuke::pdf::write_declaration(
        &declaration(),
        std::path::Path::new(uketsuke::pdf::DEFAULT_FONT),
        &out,
    )
    .expect("fonts-ipafont-gothic is installed by make test");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("/FontFile2"),
        "the TrueType font is embedded, not referenced"
    );
    assert!(
        text.contains("/MediaBox[0 0 595.27563 841.88983]"),
        "A4 portrait (210 × 297 mm)"
    );
    assert!(
        text.contains("/FontName") && text.contains("CIDFontType2"),
        "a CID TrueType font for Japanese"
    );
    assert!(
        bytes.len() < 1_500_000,
        "the font is subset ({} bytes)",
        bytes.len()
    );
}

#[test]
fn a_missing_font_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.pdf");
    let err =
        uketsuke::pdf::write_declaration(&declaration(), &dir.path().join("nope.ttf"), &out).unwrap_err();
    assert!(err.to_string().contains("fonts-ipafont-gothic"), "{err}");
    assert!(!out.exists());
}
