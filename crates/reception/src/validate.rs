//! Input validation for what staff key in: 保険者番号, 記号・番号, 枝番, dates, kana.
//!
//! Every failure is a [`ValidationError`] carrying the field and a reason, never the value typed,
//! so errors can go into snapshots and logs safely. `code()` is the i18n key the UI renders; the
//! `message_ja` / `message_en` strings are provided for the staff console and tests.
//! Deliberately not here: 生年月日 plausibility beyond "a real past date" (a 120-year cap only).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which input field failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Field {
    /// 保険者番号.
    InsurerNumber,
    /// 記号.
    Symbol,
    /// 番号.
    Number,
    /// 枝番.
    Branch,
    /// 生年月日.
    Birthdate,
    /// 氏名.
    Name,
    /// フリガナ.
    NameKana,
    /// 住所.
    Address,
    /// 交付年月日.
    IssuedOn,
    /// 有効期限.
    ValidUntil,
    /// 付き添い者氏名 (school trip / nursery).
    ChaperoneName,
    /// 記入日 / 受診日 and other dates.
    Date,
    /// The "entries are true" declaration on the 申立書.
    Declaration,
    /// 保険者名称.
    InsurerName,
    /// 勤務先 (被用者保険 申立書).
    Employer,
    /// 一部負担金の割合 (資格確認書, 高齢受給者証): 10, 20 or 30 %.
    CopayPercent,
}

/// Why it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Problem {
    /// Empty but required.
    Required,
    /// Wrong length / not digits.
    Format,
    /// 保険者番号 check digit wrong.
    CheckDigit,
    /// Not a real calendar date.
    NotADate,
    /// A date in the future where a past date is needed.
    InFuture,
    /// Not kana.
    NotKana,
    /// Date order wrong (e.g. expiry before issue).
    Order,
}

/// One validation failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[ts(export_to = "reception/")]
#[error("{field:?}: {problem:?}")]
pub struct ValidationError {
    /// Field.
    pub field: Field,
    /// Problem.
    pub problem: Problem,
}

impl ValidationError {
    fn new(field: Field, problem: Problem) -> Self {
        ValidationError { field, problem }
    }

    /// Stable i18n key, e.g. `insurer_number.check_digit`.
    pub fn code(&self) -> String {
        let f = match self.field {
            Field::InsurerNumber => "insurer_number",
            Field::Symbol => "symbol",
            Field::Number => "number",
            Field::Branch => "branch",
            Field::Birthdate => "birthdate",
            Field::Name => "name",
            Field::NameKana => "name_kana",
            Field::Address => "address",
            Field::IssuedOn => "issued_on",
            Field::ValidUntil => "valid_until",
            Field::ChaperoneName => "chaperone_name",
            Field::Date => "date",
            Field::Declaration => "declaration",
            Field::InsurerName => "insurer_name",
            Field::Employer => "employer",
            Field::CopayPercent => "copay_percent",
        };
        let p = match self.problem {
            Problem::Required => "required",
            Problem::Format => "format",
            Problem::CheckDigit => "check_digit",
            Problem::NotADate => "not_a_date",
            Problem::InFuture => "in_future",
            Problem::NotKana => "not_kana",
            Problem::Order => "order",
        };
        format!("{f}.{p}")
    }

    /// Japanese message for the staff console.
    pub fn message_ja(&self) -> String {
        let f = match self.field {
            Field::InsurerNumber => "保険者番号",
            Field::Symbol => "記号",
            Field::Number => "番号",
            Field::Branch => "枝番",
            Field::Birthdate => "生年月日",
            Field::Name => "氏名",
            Field::NameKana => "フリガナ",
            Field::Address => "住所",
            Field::IssuedOn => "交付年月日",
            Field::ValidUntil => "有効期限",
            Field::ChaperoneName => "付き添い者の氏名",
            Field::Date => "日付",
            Field::Declaration => "申立ての確認",
            Field::InsurerName => "保険者名称",
            Field::Employer => "勤務先",
            Field::CopayPercent => "一部負担金の割合",
        };
        let p = match self.problem {
            Problem::Required => "を入力してください",
            Problem::Format => "の形式が正しくありません（保険者番号は8桁または国保6桁、枝番は2桁）",
            Problem::CheckDigit => "の検証番号が一致しません。入力を確認してください",
            Problem::NotADate => "が正しい日付ではありません",
            Problem::InFuture => "が未来の日付です",
            Problem::NotKana => "はカタカナで入力してください",
            Problem::Order => "の日付の前後関係が正しくありません",
        };
        format!("{f}{p}")
    }

    /// English message for the staff console.
    pub fn message_en(&self) -> String {
        let f = match self.field {
            Field::InsurerNumber => "Insurer number",
            Field::Symbol => "Symbol (記号)",
            Field::Number => "Number (番号)",
            Field::Branch => "Branch number (枝番)",
            Field::Birthdate => "Date of birth",
            Field::Name => "Name",
            Field::NameKana => "Name in kana",
            Field::Address => "Address",
            Field::IssuedOn => "Issue date",
            Field::ValidUntil => "Expiry date",
            Field::ChaperoneName => "Chaperone's name",
            Field::Date => "Date",
            Field::Declaration => "Declaration",
            Field::InsurerName => "Insurer name",
            Field::Employer => "Employer",
            Field::CopayPercent => "Co-payment share",
        };
        let p = match self.problem {
            Problem::Required => "is required",
            Problem::Format => "has the wrong format (insurer: 8 digits or 6 for 国保; branch: 2 digits)",
            Problem::CheckDigit => "fails its check digit; please re-check the number",
            Problem::NotADate => "is not a real date",
            Problem::InFuture => "is in the future",
            Problem::NotKana => "must be written in katakana",
            Problem::Order => "is out of order with the other date",
        };
        format!("{f} {p}")
    }
}

/// 検証番号 of a 保険者番号: weights 2,1,2,… from the right over the digits before it (7 for an 8-digit
/// number, 5 for a 6-digit 国保 one), products digit-summed (14 → 1+4), check = (10 − sum mod 10) mod 10.
/// `06133946` (S001) and `138057` pass.
pub fn insurer_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let p = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    u8::try_from((10 - sum % 10) % 10).unwrap_or(0)
}

/// 保険者番号: 8 digits (法別番号 + 都道府県 + 保険者別番号 + 検証番号) or 6 digits (国保: 都道府県 2 + 保険者別
/// 3 + 検証番号), each with its 検証番号 checked the same way over the digits before it (#12 §5).
pub fn insurer_number(input: &str) -> Result<String, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ValidationError::new(Field::InsurerNumber, Problem::Required));
    }
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    if digits.len() != s.len() {
        return Err(ValidationError::new(Field::InsurerNumber, Problem::Format));
    }
    match digits.as_slice() {
        [body @ .., check] if digits.len() == 8 || digits.len() == 6 => {
            if insurer_check_digit(body) == *check {
                Ok(s.to_owned())
            } else {
                Err(ValidationError::new(Field::InsurerNumber, Problem::CheckDigit))
            }
        }
        _ => Err(ValidationError::new(Field::InsurerNumber, Problem::Format)),
    }
}

/// 枝番: exactly 2 digits, or empty (older cards have none).
pub fn branch(input: &str) -> Result<Option<String>, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(s.to_owned()))
    } else {
        Err(ValidationError::new(Field::Branch, Problem::Format))
    }
}

/// 記号 (optional) or 番号 (required): printable, no control characters, at most 38 chars.
pub fn symbol_or_number(
    input: &str,
    field: Field,
    required: bool,
) -> Result<Option<String>, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return if required {
            Err(ValidationError::new(field, Problem::Required))
        } else {
            Ok(None)
        };
    }
    if s.chars().count() > 38 || s.chars().any(char::is_control) {
        return Err(ValidationError::new(field, Problem::Format));
    }
    Ok(Some(s.to_owned()))
}

/// A real calendar date, `YYYY-MM-DD` or `YYYYMMDD`.
pub fn date(input: &str, field: Field) -> Result<NaiveDate, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ValidationError::new(field, Problem::Required));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
        .map_err(|_| ValidationError::new(field, Problem::NotADate))
}

/// A real birth date, not after `today`.
pub fn birthdate(input: &str, today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let d = date(input, Field::Birthdate)?;
    if d > today {
        Err(ValidationError::new(Field::Birthdate, Problem::InFuture))
    } else {
        Ok(d)
    }
}

/// Is this character acceptable in a フリガナ? Katakana (full or half width), ー, ・, spaces.
fn is_kana_char(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | ' ' | '\u{3000}' | '\u{FF66}'..='\u{FF9F}')
}

/// フリガナ: non-empty, katakana only.
pub fn kana(input: &str) -> Result<String, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ValidationError::new(Field::NameKana, Problem::Required));
    }
    if s.chars().all(is_kana_char) {
        Ok(s.to_owned())
    } else {
        Err(ValidationError::new(Field::NameKana, Problem::NotKana))
    }
}

/// Non-empty free text.
pub fn required(input: &str, field: Field) -> Result<String, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        Err(ValidationError::new(field, Problem::Required))
    } else {
        Ok(s.to_owned())
    }
}

/// Collects errors so a form reports all of them at once.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<ValidationError>);

impl Collect {
    /// Keep the value or record the error.
    pub fn take<T>(&mut self, r: Result<T, ValidationError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// Record an error.
    pub fn push(&mut self, field: Field, problem: Problem) {
        self.0.push(ValidationError::new(field, problem));
    }
}

/// Numbers keyed in from a 資格情報のお知らせ, a マイナポータル PDF, a 保険証 or a 資格確認書.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct NumberEntry {
    /// 保険者番号.
    pub insurer_number: String,
    /// 記号.
    pub symbol: String,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: String,
    /// 生年月日.
    pub birthdate: String,
    /// The patient agreed, when asked at the desk, that 限度額適用認定証 and 特定疾病 information be provided with
    /// the answer (a number query has no reader screen to ask it, domain.md §2(a)).
    #[serde(default)]
    pub limit_consent: bool,
}

/// Validated numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Numbers {
    /// 保険者番号.
    pub insurer_number: String,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 生年月日.
    pub birthdate: NaiveDate,
}

impl NumberEntry {
    /// Validate all fields, reporting every problem.
    pub fn validate(&self, today: NaiveDate) -> Result<Numbers, Vec<ValidationError>> {
        let mut c = Collect::default();
        let insurer = c.take(insurer_number(&self.insurer_number));
        let symbol = c.take(symbol_or_number(&self.symbol, Field::Symbol, false));
        let number = c.take(symbol_or_number(&self.number, Field::Number, true));
        let branch = c.take(branch(&self.branch));
        let birth = c.take(birthdate(&self.birthdate, today));
        match (insurer, symbol, number, branch, birth) {
            (Some(insurer_number), Some(symbol), Some(Some(number)), Some(branch), Some(birthdate)) => {
                Ok(Numbers {
                    insurer_number,
                    symbol,
                    number,
                    branch,
                    birthdate,
                })
            }
            (_, _, _, _, _) => Err(c.0),
        }
    }
}
