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
        copay_percent: Some(30),
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

/// Output of a poppler-utils tool (installed by `make test`) run on `pdf`.
fn poppler(tool: &str, pdf: &std::path::Path) -> String {
    let mut cmd = std::process::Command::new(tool);
    cmd.arg(pdf);
    if tool == "pdftotext" {
        cmd.arg("-"); // to stdout
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("`{tool}` not found ({e}): install the Debian package poppler-utils"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_name_with_tsuchiyoshi_is_printed_and_can_be_read_back() {
    // 𠮷 (U+20BB7) is outside JIS X 0213: IPAGothic lacks it, the fallback font (IPAmj明朝) has it.
    let mut d = declaration();
    d.name = "𠮷田 太郎".into();
    d.name_kana = "ヨシダ タロウ".into();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("shikaku-moushitate-tsuchiyoshi.pdf");
    uketsuke::pdf::write_declaration(&d, std::path::Path::new(uketsuke::pdf::DEFAULT_FONT), &out)
        .expect("fonts-ipafont-gothic and fonts-ipamj-mincho are installed by make test");

    // printpdf leaves out a character no embedded font has a glyph for, so reading 𠮷 back means it was drawn.
    let text = poppler("pdftotext", &out);
    assert!(
        text.contains("𠮷田 太郎") || text.contains("𠮷田太郎"),
        "the name reads back: {text}"
    );
    assert!(
        text.contains("1990年1月1日"),
        "the birth date is written the Japanese way: {text}"
    );
    assert!(
        text.contains("厚生労働省が示す様式にもとづいて当院が作成したもの"),
        "the footer says whose form it is: {text}"
    );
    for word in ["未検証", "再構成", "Uketsuke"] {
        assert!(
            !text.contains(word),
            "no developer wording ({word}) on the patient's form: {text}"
        );
    }

    // Two embedded CID TrueType fonts with ToUnicode maps: IPAGothic and the fallback for 𠮷 (printpdf names
    // its subsets F0, F1 without the ABCDEF+ prefix, so pdffonts' "sub" column says no; the size says subset).
    let fonts = poppler("pdffonts", &out);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "the main font and the fallback: {fonts}");
    for row in &rows {
        assert!(row.contains("CID TrueType"), "{fonts}");
        // Columns from the right: object number, generation, uni, sub, emb.
        let flags: Vec<&str> = row.split_whitespace().rev().skip(2).take(3).collect();
        assert_eq!(
            (flags[2], flags[0]),
            ("yes", "yes"),
            "embedded, with a ToUnicode map: {fonts}"
        );
    }
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.len() < 1_500_000,
        "the fallback font is subset too ({} bytes)",
        bytes.len()
    );

    let info = poppler("pdfinfo", &out);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.trim_end().ends_with("被保険者資格申立書")),
        "the title is readable, not mojibake: {info}"
    );
}

#[test]
fn a_name_the_main_font_has_needs_no_second_font() {
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("shikaku-moushitate-one-font.pdf");
    uketsuke::pdf::write_declaration(
        &declaration(),
        std::path::Path::new(uketsuke::pdf::DEFAULT_FONT),
        &out,
    )
    .unwrap();
    let fonts = poppler("pdffonts", &out);
    assert_eq!(fonts.lines().skip(2).count(), 1, "{fonts}");
    assert!(poppler("pdftotext", &out).contains("山田 花子"));
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
