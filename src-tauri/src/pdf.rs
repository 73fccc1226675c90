//! 被保険者資格申立書 as a real A4 PDF with an embedded (subset) Japanese font.
//!
//! The layout follows the field list in `reception::paper::Declaration`, which is a best-effort
//! reconstruction of the MHLW 様式 (domain.md §4: the official form was not available); the PDF says so
//! in its footer. Deliberately not here: any field for a My Number (the form has none).

use std::io::BufWriter;
use std::path::Path;

use printpdf::{IndirectFontRef, Line, Mm, PdfDocument, PdfLayerReference, Point};
use reception::model::Relationship;
use reception::paper::{Declaration, InsuranceType, Sex};

/// Where Debian's fonts-ipafont-gothic puts IPAGothic (installed by `make run` / `make test`).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf";

/// PDF creation failures.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The Japanese font could not be read.
    #[error("Japanese font not found at {path}: {source} (install fonts-ipafont-gothic)")]
    Font {
        /// Path tried.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// printpdf failed.
    #[error("PDF writer: {0}")]
    Pdf(#[from] printpdf::Error),
    /// Writing the file failed.
    #[error("writing the PDF: {0}")]
    Io(#[from] std::io::Error),
}

struct Page<'a> {
    layer: PdfLayerReference,
    font: &'a IndirectFontRef,
}

impl Page<'_> {
    fn text(&self, s: &str, size: f32, x: f32, y: f32) {
        self.layer.use_text(s, size, Mm(x), Mm(y), self.font);
    }

    fn rect(&self, x: f32, y: f32, w: f32, h: f32) {
        let p = |x: f32, y: f32| (Point::new(Mm(x), Mm(y)), false);
        self.layer.add_line(Line {
            points: vec![p(x, y), p(x + w, y), p(x + w, y + h), p(x, y + h)],
            is_closed: true,
        });
    }

    /// A labelled row of the form: label cell + value cell, 10 mm high, top edge at `top`.
    fn row(&self, top: f32, label: &str, value: &str) {
        self.rect(20.0, top - 10.0, 52.0, 10.0);
        self.rect(72.0, top - 10.0, 118.0, 10.0);
        self.text(label, 9.5, 22.0, top - 6.5);
        self.text(value, 11.0, 74.0, top - 6.5);
    }
}

fn or_blank(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Render `d` to `out` (A4 portrait). `font_path` is a TrueType font with Japanese glyphs.
pub fn write_declaration(d: &Declaration, font_path: &Path, out: &Path) -> Result<(), PdfError> {
    let font_bytes = std::fs::read(font_path).map_err(|source| PdfError::Font {
        path: font_path.display().to_string(),
        source,
    })?;
    let (doc, page, layer) = PdfDocument::new("被保険者資格申立書", Mm(210.0), Mm(297.0), "form");
    let font = doc.add_external_font_with_subsetting(font_bytes.as_slice(), true)?;
    let p = Page {
        layer: doc.get_page(page).get_layer(layer),
        font: &font,
    };

    p.text("被保険者資格申立書", 20.0, 70.0, 270.0);
    p.text(
        &format!("記入日 {}　受診日 {}", d.filled_on, d.visit_date),
        10.0,
        120.0,
        260.0,
    );
    p.text(
        "オンライン資格確認ができなかったため、下記のとおり申し立てます。",
        10.0,
        20.0,
        250.0,
    );

    let sex = match d.sex {
        Sex::Male => "男",
        Sex::Female => "女",
        Sex::Unstated => "—",
    };
    let kind = match d.insurance_type {
        InsuranceType::Employee => "被用者保険（協会けんぽ・健保組合・共済）",
        InsuranceType::National => "国民健康保険",
        InsuranceType::LateElderly => "後期高齢者医療",
        InsuranceType::Other => "その他・不明",
    };
    let relation = match d.relationship {
        Relationship::Insured => "本人（被保険者）",
        Relationship::Dependant => "家族（被扶養者）",
    };
    let numbers = format!(
        "記号 {}　番号 {}　枝番 {}",
        or_blank(&d.symbol),
        or_blank(&d.number),
        or_blank(&d.branch)
    );
    let rows: [(&str, String); 12] = [
        ("フリガナ", d.name_kana.clone()),
        ("氏名", d.name.clone()),
        ("生年月日", d.birthdate.to_string()),
        ("性別", sex.to_owned()),
        ("住所", d.address.clone()),
        ("電話番号", or_blank(&d.phone).to_owned()),
        ("保険の種類", kind.to_owned()),
        ("保険者名", or_blank(&d.insurer_name).to_owned()),
        ("保険者番号", or_blank(&d.insurer_number).to_owned()),
        ("被保険者証等の記号・番号", numbers),
        ("勤務先（事業所）名", or_blank(&d.employer).to_owned()),
        ("本人・家族の別", relation.to_owned()),
    ];
    let mut top = 240.0;
    for (label, value) in &rows {
        p.row(top, label, value);
        top -= 10.0;
    }
    top -= 8.0;
    p.text("上記の内容に相違ありません。", 11.0, 20.0, top);
    p.text("署名　＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿", 11.0, 110.0, top);
    top -= 14.0;
    p.rect(20.0, top - 30.0, 170.0, 30.0);
    p.text("医療機関記入欄", 10.0, 22.0, top - 6.0);
    p.text(or_blank(&d.staff_note), 10.0, 22.0, top - 14.0);
    p.text(
        "※ 様式は厚生労働省の様式（保発0710第1号 別添）を参考に再構成したものです（未検証）。Uketsuke",
        8.0,
        20.0,
        15.0,
    );

    let file = std::fs::File::create(out)?;
    doc.save(&mut BufWriter::new(file))?;
    Ok(())
}
