//! Text codecs between Rust values and SQLite columns: dates, times, closed code enums, and the
//! My Number guard every text field passes before it reaches a statement.
//!
//! Dates are stored as ISO text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`) because they sort correctly as text and
//! stay readable in any SQLite browser an auditor may use. Nothing here touches the clock.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::StoreError;

pub(crate) const DATE_FMT: &str = "%Y-%m-%d";
pub(crate) const TIME_FMT: &str = "%Y-%m-%d %H:%M:%S";

pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format(DATE_FMT).to_string()
}

pub(crate) fn time_text(t: NaiveDateTime) -> String {
    t.format(TIME_FMT).to_string()
}

pub(crate) fn parse_date(column: &'static str, s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, DATE_FMT).map_err(|_| StoreError::BadValue {
        column,
        value: s.to_owned(),
    })
}

pub(crate) fn parse_time(column: &'static str, s: &str) -> Result<NaiveDateTime, StoreError> {
    NaiveDateTime::parse_from_str(s, TIME_FMT).map_err(|_| StoreError::BadValue {
        column,
        value: s.to_owned(),
    })
}

pub(crate) fn parse_opt_date(
    column: &'static str,
    s: Option<String>,
) -> Result<Option<NaiveDate>, StoreError> {
    s.map(|s| parse_date(column, &s)).transpose()
}

pub(crate) fn parse_opt_time(
    column: &'static str,
    s: Option<String>,
) -> Result<Option<NaiveDateTime>, StoreError> {
    s.map(|s| parse_time(column, &s)).transpose()
}

/// A closed code enum stored as a short lowercase text value, checked again by a `CHECK (... IN ...)` in the
/// schema so that a value written by hand in a SQL console cannot slip past the Rust side either.
pub(crate) trait TextCode: Sized {
    fn code(&self) -> &'static str;
    fn from_code(s: &str) -> Option<Self>;
}

pub(crate) fn parse_code<T: TextCode>(column: &'static str, s: &str) -> Result<T, StoreError> {
    T::from_code(s).ok_or_else(|| StoreError::BadValue {
        column,
        value: s.to_owned(),
    })
}

pub(crate) fn parse_opt_code<T: TextCode>(
    column: &'static str,
    s: Option<String>,
) -> Result<Option<T>, StoreError> {
    s.map(|s| parse_code(column, &s)).transpose()
}

/// 資格有効性 as its column holds it: the OQS code, or `-` when the answer carried none.
pub(crate) fn validity_text(v: Option<reception::model::QualificationValidity>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.code().to_string())
}

pub(crate) fn parse_validity(
    column: &'static str,
    s: &str,
) -> Result<Option<reception::model::QualificationValidity>, StoreError> {
    if s == "-" {
        return Ok(None);
    }
    s.parse::<u8>()
        .ok()
        .and_then(reception::model::QualificationValidity::from_code)
        .map(Some)
        .ok_or_else(|| StoreError::BadValue {
            column,
            value: s.to_owned(),
        })
}

/// Declares a text-coded enum: one table from variant to stored code, used for both directions.
macro_rules! text_code {
    ($ty:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $crate::codec::TextCode for $ty {
            fn code(&self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }
            fn from_code(s: &str) -> Option<Self> {
                match s { $($code => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use text_code;

/// True if `s` holds a run of exactly 12 digits (ASCII, full-width or kanji 〇一二…九), allowing one separator
/// between digit groups as people type or paste them: space, NBSP, ideographic space, tab, `-` `.` `,` `/` `_`,
/// their full-width forms, the Unicode dashes and minus, and ー. A 12-digit run is what a transcribed My Number
/// (個人番号) looks like; the clinic must never keep one (domain.md §5), so every free or structured text field
/// is refused if it contains one. Runs of 13+ digits are something else (e.g. a 14-digit `YYYYMMDDHHMMSS`) and
/// are not refused.
pub fn contains_twelve_digit_run(s: &str) -> bool {
    let mut digits = 0usize;
    let mut pending_sep = false;
    for c in s.chars() {
        if is_digit(c) {
            digits += 1;
            pending_sep = false;
        } else if digits > 0 && !pending_sep && is_group_separator(c) {
            // One separator between digit groups keeps the run going ("1234 5678 9012").
            pending_sep = true;
        } else {
            if digits == 12 {
                return true;
            }
            digits = 0;
            pending_sep = false;
        }
    }
    digits == 12
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "〇一二三四五六七八九".contains(c)
}

fn is_group_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}'
            | '　'
            | '\t'
            | '-'
            | '.'
            | ','
            | '/'
            | '_'
            | '－'
            | '．'
            | '，'
            | '／'
            | '＿'
            | 'ー'
            | '・'
            | '\u{2010}'..='\u{2015}' | '\u{2212}'
    )
}

/// Refuses a text value that looks like a My Number before it is bound to any statement.
pub(crate) fn guard(field: &'static str, value: &str) -> Result<(), StoreError> {
    if contains_twelve_digit_run(value) {
        Err(StoreError::ForbiddenNumber { field })
    } else {
        Ok(())
    }
}

pub(crate) fn guard_opt(field: &'static str, value: Option<&str>) -> Result<(), StoreError> {
    value.map_or(Ok(()), |v| guard(field, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_digit_runs_are_detected_in_any_common_spelling() {
        assert!(contains_twelve_digit_run("123456789012"));
        assert!(contains_twelve_digit_run("note: 1234 5678 9012."));
        assert!(contains_twelve_digit_run("1234-5678-9012"));
        assert!(contains_twelve_digit_run("１２３４５６７８９０１２"));
        for spelled in [
            "1234.5678.9012",
            "1234,5678,9012",
            "1234/5678/9012",
            "1234_5678_9012",
            "1234\u{a0}5678\u{a0}9012",
            "1234\t5678\t9012",
            "1234\u{2010}5678\u{2013}9012",
            "1234\u{2212}5678\u{2014}9012",
            "１２３４－５６７８－９０１２",
            "１２３４／５６７８．９０１２",
            "一二三四五六七八九〇一二",
            "一二三四 五六七八 九〇一二",
        ] {
            assert!(contains_twelve_digit_run(spelled), "{spelled:?}");
        }
    }

    #[test]
    fn shorter_and_longer_digit_runs_are_not_my_numbers() {
        assert!(!contains_twelve_digit_run("06133946")); // 保険者番号, 8 digits
        assert!(!contains_twelve_digit_run("090-1234-5678")); // phone, 11 digits
        assert!(!contains_twelve_digit_run("20250101093000")); // YYYYMMDDHHMMSS, 14 digits
        assert!(!contains_twelve_digit_run("2025-01-01 09:30:00"));
        assert!(!contains_twelve_digit_run("1234  5678 9012")); // two separators break the run
    }
}
