//! 被保険者資格申立書 as a real A4 PDF with embedded (subset) Japanese fonts.
//!
//! The layout follows the field list in `reception::paper::Declaration`, which is a best-effort
//! reconstruction of the MHLW 様式 (domain.md §4: the official form was not available). The printed footer
//! tells the patient, in plain words, that this is the clinic's own form based on the ministry's 様式.
//! Deliberately not here: any field for a My Number (the form has none).
//!
//! Fonts: every text is drawn in IPAGothic ([`DEFAULT_FONT`]). IPAGothic lacks some characters of
//! people's names that are outside JIS X 0213, such as 𠮷 (U+20BB7, 「つちよし」). A character the main
//! font lacks is drawn in the first font of [`FALLBACK_FONTS`] that has it (IPAmj明朝, the font IPA made
//! for the characters of names in 戸籍 and 住民票). printpdf 0.7 embeds only TrueType outlines
//! (`FontFile2`, `CIDFontType2`), so the CFF-based Noto Sans CJK that the window uses cannot be embedded.
//! The fallback font is read only when a document needs it.
//!
//! printpdf 0.7 also writes two things wrong for Japanese, repaired after it saved ([`repair`]): the
//! document title as raw UTF-8 (shown as mojibake by PDF viewers) and ToUnicode entries above U+FFFF as
//! five hex digits instead of a UTF-16 surrogate pair (so 𠮷 could not be searched or copied).

use std::collections::BTreeSet;
use std::path::Path;

use printpdf::lopdf;
use printpdf::{IndirectFontRef, Line, Mm, PdfDocument, PdfLayerReference, Point};
use reception::model::Relationship;
use reception::paper::{Declaration, InsuranceType, Sex};

/// Where Debian's fonts-ipafont-gothic puts IPAGothic (installed by `make run` / `make test`).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf";

/// TrueType fonts for the characters [`DEFAULT_FONT`] lacks, tried in order. IPAmj明朝 (Debian's
/// fonts-ipamj-mincho, installed by `make run` / `make test`) has the name characters of the MJ文字
/// set, 𠮷 (U+20BB7) among them.
pub const FALLBACK_FONTS: &[&str] = &["/usr/share/fonts/truetype/ipamj/ipamjm.ttf"];

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
    /// The font file is not a font ttf-parser can read.
    #[error("the font at {path} cannot be read as TrueType: {reason}")]
    BadFont {
        /// Path tried.
        path: String,
        /// What ttf-parser said.
        reason: String,
    },
    /// printpdf failed.
    #[error("PDF writer: {0}")]
    Pdf(#[from] printpdf::Error),
    /// Re-reading printpdf's output to repair it failed.
    #[error("PDF repair: {0}")]
    Repair(#[from] lopdf::Error),
    /// Writing the file failed.
    #[error("writing the PDF: {0}")]
    Io(#[from] std::io::Error),
}

/// One thing drawn on an A4 page, in millimetres from the bottom-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    /// Text with its baseline starting at `x`, `y`.
    Text {
        /// What is written.
        s: String,
        /// Font size in points.
        size: f32,
        /// Left end of the baseline.
        x: f32,
        /// Baseline.
        y: f32,
    },
    /// An outlined rectangle.
    Rect {
        /// Left.
        x: f32,
        /// Bottom.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
    },
}

/// A text mark.
pub(crate) fn text(s: impl Into<String>, size: f32, x: f32, y: f32) -> Mark {
    Mark::Text {
        s: s.into(),
        size,
        x,
        y,
    }
}

/// A rectangle mark.
pub(crate) fn rect(x: f32, y: f32, w: f32, h: f32) -> Mark {
    Mark::Rect { x, y, w, h }
}

fn or_blank(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// 2026-05-20 → 「2026年5月20日」, as on a Japanese form.
pub(crate) fn japanese_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The 申立書's footer: whose form this is, in plain words for the patient.
pub const DECLARATION_FOOTER: &str =
    "※ この申立書は、厚生労働省が示す様式にもとづいて当院が作成したものです。";

/// Everything the 申立書 draws, top to bottom (pure: no fonts, no files).
pub(crate) fn declaration_marks(d: &Declaration) -> Vec<Mark> {
    let mut m = vec![
        text("被保険者資格申立書", 20.0, 70.0, 270.0),
        text(
            format!(
                "記入日 {}　受診日 {}",
                japanese_date(d.filled_on),
                japanese_date(d.visit_date)
            ),
            10.0,
            112.0,
            260.0,
        ),
        text(
            "オンライン資格確認ができなかったため、下記のとおり申し立てます。",
            10.0,
            20.0,
            250.0,
        ),
    ];

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
    let share = d
        .copay_percent
        .map_or_else(|| "—".to_owned(), reception::paper::share_label);
    let rows: [(&str, String); 13] = [
        ("フリガナ", d.name_kana.clone()),
        ("氏名", d.name.clone()),
        ("生年月日", japanese_date(d.birthdate)),
        ("性別", sex.to_owned()),
        ("住所", d.address.clone()),
        ("電話番号", or_blank(&d.phone).to_owned()),
        ("保険の種類", kind.to_owned()),
        ("保険者名", or_blank(&d.insurer_name).to_owned()),
        ("保険者番号", or_blank(&d.insurer_number).to_owned()),
        ("被保険者証等の記号・番号", numbers),
        ("勤務先（事業所）名", or_blank(&d.employer).to_owned()),
        ("本人・家族の別", relation.to_owned()),
        ("一部負担金の割合", share),
    ];
    let mut top = 240.0;
    for (label, value) in rows {
        // A labelled row of the form: label cell + value cell, 10 mm high, top edge at `top`.
        m.push(rect(20.0, top - 10.0, 52.0, 10.0));
        m.push(rect(72.0, top - 10.0, 118.0, 10.0));
        m.push(text(label, 9.5, 22.0, top - 6.5));
        m.push(text(value, 11.0, 74.0, top - 6.5));
        top -= 10.0;
    }
    top -= 8.0;
    m.push(text("上記の内容に相違ありません。", 11.0, 20.0, top));
    m.push(text("署名　＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿", 11.0, 110.0, top));
    top -= 14.0;
    m.push(rect(20.0, top - 30.0, 170.0, 30.0));
    m.push(text("医療機関記入欄", 10.0, 22.0, top - 6.0));
    m.push(text(or_blank(&d.staff_note), 10.0, 22.0, top - 14.0));
    m.push(text(DECLARATION_FOOTER, 8.0, 20.0, 15.0));
    m
}

/// Render `d` to `out` (A4 portrait). `font_path` is a TrueType font with Japanese glyphs; characters it
/// lacks come from [`FALLBACK_FONTS`].
pub fn write_declaration(d: &Declaration, font_path: &Path, out: &Path) -> Result<(), PdfError> {
    write_a4("被保険者資格申立書", &declaration_marks(d), font_path, out)
}

/// Runs of `s` to draw with one font each: `true` for a run drawn with the fallback font, which is used
/// exactly for the characters in `fallback`.
pub(crate) fn runs(s: &str, fallback: &BTreeSet<char>) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in s.chars() {
        let fb = fallback.contains(&c);
        match out.last_mut() {
            Some((last, run)) if *last == fb => run.push(c),
            _ => out.push((fb, c.to_string())),
        }
    }
    out
}

fn parse_face<'a>(bytes: &'a [u8], path: &Path) -> Result<ttf_parser::Face<'a>, PdfError> {
    ttf_parser::Face::parse(bytes, 0).map_err(|e| PdfError::BadFont {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn read_font(path: &Path) -> Result<Vec<u8>, PdfError> {
    std::fs::read(path).map_err(|source| PdfError::Font {
        path: path.display().to_string(),
        source,
    })
}

/// The characters of `marks` that `face` has no glyph for (spaces and controls aside).
fn lacking(face: &ttf_parser::Face<'_>, marks: &[Mark]) -> BTreeSet<char> {
    marks
        .iter()
        .filter_map(|m| match m {
            Mark::Text { s, .. } => Some(s.chars()),
            Mark::Rect { .. } => None,
        })
        .flatten()
        .filter(|c| !c.is_control() && face.glyph_index(*c).is_none())
        .collect()
}

/// A fallback font's file and the characters it is used for.
struct Fallback {
    bytes: Vec<u8>,
    chars: BTreeSet<char>,
}

/// The first fallback font that has any of `missing`, with the characters it has.
fn fallback_font(missing: &BTreeSet<char>) -> Result<Option<Fallback>, PdfError> {
    for path in FALLBACK_FONTS.iter().map(Path::new) {
        if !path.exists() {
            continue;
        }
        let bytes = read_font(path)?;
        let has: BTreeSet<char> = {
            let face = parse_face(&bytes, path)?;
            missing
                .iter()
                .copied()
                .filter(|c| face.glyph_index(*c).is_some())
                .collect()
        };
        if !has.is_empty() {
            return Ok(Some(Fallback { bytes, chars: has }));
        }
    }
    Ok(None)
}

fn draw_text(
    layer: &PdfLayerReference,
    fonts: (&IndirectFontRef, Option<&IndirectFontRef>),
    fallback: &BTreeSet<char>,
    (s, size, x, y): (&str, f32, f32, f32),
) {
    layer.begin_text_section();
    layer.set_text_cursor(Mm(x), Mm(y));
    for (fb, run) in runs(s, fallback) {
        let font = match (fb, fonts.1) {
            (true, Some(f)) => f,
            _ => fonts.0,
        };
        // Within one text section each run starts where the previous one's glyphs ended.
        layer.set_font(font, size);
        layer.write_text(run, font);
    }
    layer.end_text_section();
}

fn draw_rect(layer: &PdfLayerReference, (x, y, w, h): (f32, f32, f32, f32)) {
    let p = |x: f32, y: f32| (Point::new(Mm(x), Mm(y)), false);
    layer.add_line(Line {
        points: vec![p(x, y), p(x + w, y), p(x + w, y + h), p(x, y + h)],
        is_closed: true,
    });
}

/// Draw `marks` on one A4 portrait page titled `title` and write it to `out` (nothing is written when
/// the main font is missing).
pub(crate) fn write_a4(title: &str, marks: &[Mark], font_path: &Path, out: &Path) -> Result<(), PdfError> {
    let font_bytes = read_font(font_path)?;
    let missing = lacking(&parse_face(&font_bytes, font_path)?, marks);
    let fallback = if missing.is_empty() {
        None
    } else {
        fallback_font(&missing)?
    };

    let (doc, page, layer) = PdfDocument::new(title, Mm(210.0), Mm(297.0), "page");
    let main = doc.add_external_font_with_subsetting(font_bytes.as_slice(), true)?;
    let (second, fallback_chars) = match &fallback {
        Some(f) => (
            Some(doc.add_external_font_with_subsetting(f.bytes.as_slice(), true)?),
            f.chars.clone(),
        ),
        None => (None, BTreeSet::new()),
    };
    let layer = doc.get_page(page).get_layer(layer);
    for m in marks {
        match m {
            Mark::Text { s, size, x, y } => draw_text(
                &layer,
                (&main, second.as_ref()),
                &fallback_chars,
                (s, *size, *x, *y),
            ),
            Mark::Rect { x, y, w, h } => draw_rect(&layer, (*x, *y, *w, *h)),
        }
    }
    let bytes = repair(&doc.save_to_bytes()?, title)?;
    crate::files::write_private(out, &bytes)?;
    Ok(())
}

/// A PDF text string in UTF-16BE with its byte order mark (how PDF writes text outside Latin-1).
fn pdf_text_string(s: &str) -> lopdf::Object {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

/// One ToUnicode CMap with every destination above U+FFFF rewritten as its UTF-16 surrogate pair
/// (`<0012> <20bb7>` → `<0012> <d842dfb7>`); everything else stays as it is.
pub(crate) fn utf16_to_unicode_cmap(cmap: &str) -> String {
    let fix = |line: &str| -> Option<String> {
        let (gid, dest) = line.split_once("> <")?;
        let hex = dest.strip_suffix('>')?;
        if hex.len() <= 4 {
            return None;
        }
        let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
        let units: String = c
            .encode_utf16(&mut [0; 2])
            .iter()
            .map(|u| format!("{u:04x}"))
            .collect();
        Some(format!("{gid}> <{units}>"))
    };
    cmap.split_inclusive('\n')
        .map(|line| {
            let (body, end) = match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            };
            match fix(body) {
                Some(fixed) => format!("{fixed}{end}"),
                None => line.to_owned(),
            }
        })
        .collect()
}

/// printpdf's output with a UTF-16 title and surrogate pairs in the ToUnicode CMaps (see the module doc).
fn repair(pdf: &[u8], title: &str) -> Result<Vec<u8>, PdfError> {
    let mut doc = lopdf::Document::load_mem(pdf)?;
    for obj in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = obj else {
            continue;
        };
        let compressed = stream.dict.get(b"Filter").is_ok();
        let plain = if compressed {
            match stream.decompressed_content() {
                Ok(p) => p,
                Err(_) => continue,
            }
        } else {
            stream.content.clone()
        };
        if !plain.windows(11).any(|w| w == b"beginbfchar") {
            continue;
        }
        let fixed = utf16_to_unicode_cmap(&String::from_utf8_lossy(&plain));
        stream.set_plain_content(fixed.into_bytes());
        if compressed {
            stream.compress()?;
        }
    }
    let info = match doc.trailer.get(b"Info") {
        Ok(lopdf::Object::Reference(id)) => Some(*id),
        _ => None,
    };
    if let Some(lopdf::Object::Dictionary(d)) = info.and_then(|id| doc.objects.get_mut(&id)) {
        d.set("Title", pdf_text_string(title));
    } else if let Ok(lopdf::Object::Dictionary(d)) = doc.trailer.get_mut(b"Info") {
        d.set("Title", pdf_text_string(title));
    }
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_switch_font_only_for_the_fallback_characters() {
        let fb: BTreeSet<char> = ['𠮷'].into_iter().collect();
        assert_eq!(
            runs("𠮷田 太郎", &fb),
            vec![(true, "𠮷".to_owned()), (false, "田 太郎".to_owned())]
        );
        assert_eq!(runs("山田", &fb), vec![(false, "山田".to_owned())]);
        assert_eq!(
            runs("a𠮷𠮷b", &fb),
            vec![
                (false, "a".to_owned()),
                (true, "𠮷𠮷".to_owned()),
                (false, "b".to_owned())
            ]
        );
        assert!(runs("", &fb).is_empty());
    }

    #[test]
    fn cmap_destinations_above_the_bmp_become_surrogate_pairs() {
        let cmap = "2 beginbfchar\r\n<0003> <7530>\n<0004> <20bb7>\nendbfchar\r\n";
        assert_eq!(
            utf16_to_unicode_cmap(cmap),
            "2 beginbfchar\r\n<0003> <7530>\n<0004> <d842dfb7>\nendbfchar\r\n"
        );
    }

    #[test]
    fn the_title_is_utf16_with_a_byte_order_mark() {
        let lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal) = pdf_text_string("申𠮷")
        else {
            panic!("a hexadecimal string");
        };
        assert_eq!(bytes, [0xFE, 0xFF, 0x75, 0x33, 0xD8, 0x42, 0xDF, 0xB7]);
    }

    #[test]
    fn the_form_dates_are_written_the_japanese_way_and_the_footer_is_plain() {
        assert_eq!(
            japanese_date(chrono::NaiveDate::from_ymd_opt(1978, 5, 12).unwrap_or_default()),
            "1978年5月12日"
        );
        assert!(!DECLARATION_FOOTER.contains("未検証"));
        assert!(!DECLARATION_FOOTER.contains("再構成"));
    }
}
