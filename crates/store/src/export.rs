//! CSV export of a day's receptions for the clinic's own bookkeeping (Excel).
//!
//! Columns are a fixed allow-list built from the day-list query, so a forbidden value (My Number, PIN,
//! 照合番号B, images) cannot reach an export: none exists in the database, and no column here could carry one.
//! UTF-8 gets a BOM so Excel detects it; Shift_JIS replaces characters it cannot encode (旧字・外字) with
//! 「●」, the same convention the OQS result uses. Cells starting with `= + - @` are prefixed with `'` so a
//! name can never run as an Excel formula.

use chrono::NaiveDate;

use crate::db::Store;
use crate::error::StoreError;
use crate::model::{
    Fallback, IdentityMethod, Operator, Outcome, ReceptionFilter, ReceptionSummary, Sex, VisitKind,
    VoidReason,
};

/// Text encoding of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark (Excel opens it correctly).
    Utf8Bom,
    /// Shift_JIS (older レセコン tools); unencodable characters become 「●」.
    ShiftJis,
}

/// The header row; one entry per exported column.
pub const CSV_HEADER: [&str; 20] = [
    "受付日時",
    "受付ID",
    "患者ID",
    "氏名",
    "カナ",
    "生年月日",
    "性別",
    "初再診",
    "本人確認方法",
    "操作者",
    "結果",
    "代替手段",
    "保険者番号",
    "負担割合",
    "限度区分",
    "特定疾病",
    "同意有効期限",
    "返金タスク",
    "再照会タスク",
    "取消",
];

impl Store {
    /// The receptions of `day` as CSV bytes (CRLF line ends, RFC 4180 quoting).
    pub fn export_day_csv(&self, day: NaiveDate, encoding: CsvEncoding) -> Result<Vec<u8>, StoreError> {
        let rows = self.receptions_on(day, &ReceptionFilter::default())?;
        let text = render_csv(&rows);
        Ok(match encoding {
            CsvEncoding::Utf8Bom => {
                let mut out = Vec::with_capacity(text.len() + 3);
                out.extend_from_slice(b"\xEF\xBB\xBF");
                out.extend_from_slice(text.as_bytes());
                out
            }
            CsvEncoding::ShiftJis => encode_shift_jis(&text),
        })
    }
}

fn render_csv(rows: &[ReceptionSummary]) -> String {
    let mut out = String::new();
    push_line(&mut out, CSV_HEADER.iter().map(|s| s.to_string()));
    for r in rows {
        push_line(
            &mut out,
            [
                r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.session_id.clone(),
                r.patient_id.0.to_string(),
                r.name.clone(),
                r.name_kana.clone(),
                r.birthdate.format("%Y-%m-%d").to_string(),
                sex_label(r.sex).into(),
                kind_label(r.kind).into(),
                // The certified reader confirmed identity itself (its face or PIN); the desk saw no card.
                if r.certified_reader_file.is_some() {
                    "顔認証付きカードリーダー".into()
                } else {
                    identity_label(r.identity).into()
                },
                presenter_label(r.presenter).into(),
                outcome_label(r.outcome).into(),
                r.fallback.map(fallback_label).unwrap_or_default().into(),
                r.insurer_number.clone().unwrap_or_default(),
                r.copay_percent
                    .map(reception::paper::share_label)
                    .unwrap_or_default(),
                r.limit_class_name.clone().unwrap_or_default(),
                r.specific_diseases.clone().unwrap_or_default(),
                r.consent_expires_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                if r.refund_open {
                    "未了".into()
                } else {
                    String::new()
                },
                if r.recheck_open {
                    "未了".into()
                } else {
                    String::new()
                },
                match r.voided {
                    Some(VoidReason::OtherPersonsData) => "取消（他人の情報）".into(),
                    None => String::new(),
                },
            ]
            .into_iter(),
        );
    }
    out
}

fn push_line(out: &mut String, cells: impl Iterator<Item = String>) {
    let mut first = true;
    for cell in cells {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&csv_cell(&cell));
    }
    out.push_str("\r\n");
}

/// One CSV cell as Excel should read it: RFC 4180 quoting, and a leading `'` on a cell that starts like a
/// formula (so a name can never run as one). Also used by the training centre's class export.
pub fn csv_cell(cell: &str) -> String {
    // Spreadsheet formula starts, also after a TAB or CR and in their full-width forms (Excel reads ＝ as =).
    let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn encode_shift_jis(text: &str) -> Vec<u8> {
    let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut rest = text;
    let mut buf = [0u8; 4096];
    loop {
        let (result, read, written) = encoder.encode_from_utf8_without_replacement(rest, &mut buf, true);
        out.extend_from_slice(buf.get(..written).unwrap_or(&[]));
        rest = rest.get(read..).unwrap_or("");
        match result {
            encoding_rs::EncoderResult::InputEmpty => break,
            encoding_rs::EncoderResult::OutputFull => {}
            // 「●」 is 0x81 0x9C in Shift_JIS.
            encoding_rs::EncoderResult::Unmappable(_) => out.extend_from_slice(&[0x81, 0x9C]),
        }
    }
    out
}

fn sex_label(s: Sex) -> &'static str {
    match s {
        Sex::Male => "男",
        Sex::Female => "女",
        Sex::Unstated => "未設定",
    }
}

fn kind_label(k: VisitKind) -> &'static str {
    match k {
        VisitKind::First => "初診",
        VisitKind::Return => "再診",
    }
}

fn identity_label(i: IdentityMethod) -> &'static str {
    match i {
        IdentityMethod::Face => "顔認証",
        IdentityMethod::Pin => "暗証番号",
        IdentityMethod::StaffVisual => "目視確認",
        IdentityMethod::NoCard => "カードなし",
    }
}

fn presenter_label(p: Operator) -> &'static str {
    match p {
        Operator::Patient => "本人",
        Operator::Proxy => "代理人",
        Operator::StaffAssisted => "職員補助",
    }
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Confirmed => "資格確認済",
        Outcome::HistoryUsed => "前回資格",
        Outcome::PaperDocument => "書類確認",
        Outcome::Declaration => "資格申立書",
        Outcome::FullPayment => "10割負担",
        Outcome::Abandoned => "中断",
    }
}

fn fallback_label(f: Fallback) -> &'static str {
    match f {
        Fallback::CardWithNotice => "カード+資格情報のお知らせ",
        Fallback::CardWithPortalPdf => "カード+マイナポータル",
        Fallback::RevisitHistory => "再診履歴",
        Fallback::Declaration => "被保険者資格申立書",
        Fallback::FullPayment => "10割+返金",
        Fallback::QualificationCertificate => "資格確認書",
        Fallback::LegacyCard => "健康保険証(旧)",
        Fallback::SchoolTrip => "修学旅行等",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_separators_are_quoted_and_formulas_are_defused() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        for attack in [
            "\t=1+1",
            "\r=1+1",
            "＝HYPERLINK(1)",
            "＋1",
            "－1",
            "＠SUM(A1)",
            "+1",
            "@SUM(A1)",
        ] {
            let out = csv_cell(attack);
            assert!(
                out.starts_with('\'') || out.starts_with("\"'"),
                "{attack:?} → {out:?}"
            );
        }
        assert_eq!(csv_cell("山田"), "山田");
    }

    #[test]
    fn shift_jis_replaces_unencodable_characters_with_black_circle() {
        // 𠮷 (U+20BB7) has no Shift_JIS code.
        let bytes = encode_shift_jis("𠮷田");
        let (decoded, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert_eq!(decoded, "●田");
    }
}
