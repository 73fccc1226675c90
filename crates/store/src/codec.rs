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
    // The layout the store writes, read by hand (chrono's format parser was a third of today's list); anything
    // else goes through chrono as before.
    fast_date(s.as_bytes())
        .map(Ok)
        .unwrap_or_else(|| NaiveDate::parse_from_str(s, DATE_FMT))
        .map_err(|_| StoreError::BadValue {
            column,
            value: s.to_owned(),
        })
}

pub(crate) fn parse_time(column: &'static str, s: &str) -> Result<NaiveDateTime, StoreError> {
    fast_time(s.as_bytes())
        .map(Ok)
        .unwrap_or_else(|| NaiveDateTime::parse_from_str(s, TIME_FMT))
        .map_err(|_| StoreError::BadValue {
            column,
            value: s.to_owned(),
        })
}

/// The number written in ASCII digits `b` (none if any byte is not a digit).
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD` exactly (a day that does not exist is `None`, and chrono then refuses it too).
fn fast_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(digits(b.get(0..4)?)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(b.get(5..7)?)?, digits(b.get(8..10)?)?)
}

/// `YYYY-MM-DD HH:MM:SS` exactly.
fn fast_time(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() != 19 || b.get(10) != Some(&b' ') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    fast_date(b.get(0..10)?)?.and_hms_opt(
        digits(b.get(11..13)?)?,
        digits(b.get(14..16)?)?,
        digits(b.get(17..19)?)?,
    )
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::Datelike as _;

    /// The hand-read layout gives what chrono gives, for every day of eleven years and times across a day.
    #[test]
    fn dates_and_times_read_by_hand_are_chronos() {
        let mut d = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        while d < NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() {
            let text = date_text(d);
            assert_eq!(fast_date(text.as_bytes()), Some(d));
            assert_eq!(parse_date("c", &text).unwrap(), d);
            let t = d
                .and_hms_opt(d.ordinal() % 24, d.ordinal() % 60, (d.ordinal() * 7) % 60)
                .unwrap();
            let text = time_text(t);
            assert_eq!(fast_time(text.as_bytes()), Some(t), "{text}");
            assert_eq!(parse_time("c", &text).unwrap(), t);
            d = d.succ_opt().unwrap();
        }
    }

    /// What is not the layout is chrono's to judge, and a value that is no date is refused either way.
    #[test]
    fn anything_else_is_left_to_chrono_and_refused_alike() {
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1x-01",
            "20250101",
            "",
            "2025-01-01 ",
            "２０２５-01-01",
        ] {
            assert_eq!(fast_date(bad.as_bytes()), None, "{bad}");
            assert_eq!(
                parse_date("c", bad).is_err(),
                NaiveDate::parse_from_str(bad, DATE_FMT).is_err(),
                "{bad}"
            );
        }
        for bad in [
            "2025-01-01 24:00:00",
            "2025-01-01 12:60:00",
            "2025-01-01T12:00:00",
            "2025-01-01 1:00:00",
        ] {
            assert_eq!(fast_time(bad.as_bytes()), None, "{bad}");
            assert_eq!(
                parse_time("c", bad).ok(),
                NaiveDateTime::parse_from_str(bad, TIME_FMT).ok(),
                "{bad}"
            );
        }
        assert!(parse_date("c", "2025-02-29").is_err());
    }
}
