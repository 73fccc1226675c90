//! 研修修了証 — the printable A4 certificate of completion of the training curriculum, with an embedded
//! (subset) Japanese font, written the same way as the 申立書 in [`crate::pdf`].
//!
//! Deliberately not here: deciding who has completed the curriculum (`scenario::certificate_lines`) and
//! anything about patients (a certificate names the trainee and the scenarios only).

use std::path::Path;

use chrono::NaiveDate;

use crate::pdf::{rect, text, Mark, PdfError};
use crate::scenario::CertificateLine;

/// What the certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The trainee's name.
    pub trainee: String,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// Every curriculum scenario with its passing score.
    pub lines: Vec<CertificateLine>,
}

/// Everything the certificate draws (pure: no fonts, no files).
fn certificate_marks(c: &Certificate) -> Vec<Mark> {
    let mut m = vec![
        rect(12.0, 12.0, 186.0, 273.0),
        text("研修修了証", 28.0, 75.0, 262.0),
        text("Certificate of completion", 11.0, 80.0, 254.0),
        text(format!("{}　殿", c.trainee), 18.0, 25.0, 238.0),
        text(
            "あなたは Uketsuke マイナ受付の練習カリキュラムの全シナリオを修了したことを証します。",
            10.5,
            25.0,
            226.0,
        ),
        text("シナリオ", 9.5, 25.0, 214.0),
        text("得点", 9.5, 150.0, 214.0),
        text("合格日", 9.5, 165.0, 214.0),
    ];
    // Rows shrink for a longer curriculum so everything stays on one page.
    let step = (180.0 / c.lines.len().max(1) as f32).min(6.0);
    let mut y = 208.0;
    for line in &c.lines {
        m.push(text(line.scenario_id.clone(), 8.0, 25.0, y));
        m.push(text(line.title_ja.clone(), 8.5, 72.0, y));
        m.push(text(format!("{} %", line.score_percent), 8.5, 150.0, y));
        m.push(text(line.passed_on.to_string(), 8.5, 165.0, y));
        y -= step;
    }
    m.push(text(
        format!("発行日 {}", crate::pdf::japanese_date(c.issued_on)),
        10.5,
        130.0,
        22.0,
    ));
    m.push(text("Uketsuke 練習モード", 9.0, 25.0, 22.0));
    m
}

/// Render `c` to `out` (A4 portrait, one page: the curriculum has about 30 scenarios and each line is 5.6 mm).
/// Characters of the trainee's name that `font_path` lacks come from [`crate::pdf::FALLBACK_FONTS`].
pub fn write_certificate(c: &Certificate, font_path: &Path, out: &Path) -> Result<(), PdfError> {
    crate::pdf::write_a4("研修修了証", &certificate_marks(c), font_path, out)
}
