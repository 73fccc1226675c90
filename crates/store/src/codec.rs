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

pub use reception::privacy::contains_twelve_digit_run;

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
