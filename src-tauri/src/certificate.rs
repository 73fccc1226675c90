//! 研修修了証 — the printable A4 certificate of completion of the training curriculum, with an embedded
//! (subset) Japanese font, written the same way as the 申立書 in [`crate::pdf`].
//!
//! Deliberately not here: deciding who has completed the curriculum (`scenario::certificate_lines`) and
//! anything about patients (a certificate names the trainee and the scenarios only).

use std::io::BufWriter;
use std::path::Path;

use chrono::NaiveDate;
use printpdf::{IndirectFontRef, Line, Mm, PdfDocument, PdfLayerReference, Point};

use crate::pdf::PdfError;
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

fn japanese_date(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

fn text(layer: &PdfLayerReference, font: &IndirectFontRef, s: &str, size: f32, x: f32, y: f32) {
    layer.use_text(s, size, Mm(x), Mm(y), font);
}

fn frame(layer: &PdfLayerReference, x: f32, y: f32, w: f32, h: f32) {
    let p = |x: f32, y: f32| (Point::new(Mm(x), Mm(y)), false);
    layer.add_line(Line {
        points: vec![p(x, y), p(x + w, y), p(x + w, y + h), p(x, y + h)],
        is_closed: true,
    });
}

/// Render `c` to `out` (A4 portrait, one page: the curriculum has about 30 scenarios and each line is 5.6 mm).
pub fn write_certificate(c: &Certificate, font_path: &Path, out: &Path) -> Result<(), PdfError> {
    let font_bytes = std::fs::read(font_path).map_err(|source| PdfError::Font {
        path: font_path.display().to_string(),
        source,
    })?;
    let (doc, page, layer) = PdfDocument::new("研修修了証", Mm(210.0), Mm(297.0), "certificate");
    let font = doc.add_external_font_with_subsetting(font_bytes.as_slice(), true)?;
    let l = doc.get_page(page).get_layer(layer);

    frame(&l, 12.0, 12.0, 186.0, 273.0);
    text(&l, &font, "研修修了証", 28.0, 75.0, 262.0);
    text(&l, &font, "Certificate of completion", 11.0, 80.0, 254.0);
    text(&l, &font, &format!("{}　殿", c.trainee), 18.0, 25.0, 238.0);
    text(
        &l,
        &font,
        "あなたは Uketsuke マイナ受付の練習カリキュラムの全シナリオを修了したことを証します。",
        10.5,
        25.0,
        226.0,
    );
    text(&l, &font, "シナリオ", 9.5, 25.0, 214.0);
    text(&l, &font, "得点", 9.5, 150.0, 214.0);
    text(&l, &font, "合格日", 9.5, 165.0, 214.0);
    // Rows shrink for a longer curriculum so everything stays on one page.
    let step = (180.0 / c.lines.len().max(1) as f32).min(6.0);
    let mut y = 208.0;
    for line in &c.lines {
        text(&l, &font, &line.scenario_id, 8.0, 25.0, y);
        text(&l, &font, &line.title_ja, 8.5, 72.0, y);
        text(&l, &font, &format!("{} %", line.score_percent), 8.5, 150.0, y);
        text(&l, &font, &line.passed_on.to_string(), 8.5, 165.0, y);
        y -= step;
    }
    text(
        &l,
        &font,
        &format!("発行日 {}", japanese_date(c.issued_on)),
        10.5,
        130.0,
        22.0,
    );
    text(&l, &font, "Uketsuke 練習モード", 9.0, 25.0, 22.0);

    let file = std::fs::File::create(out)?;
    doc.save(&mut BufWriter::new(file))?;
    Ok(())
}
