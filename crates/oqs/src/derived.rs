//! Values derived from a result entry, computed in exactly one place: 負担割合, 本人/家族 label, full-width
//! kana for display, and date parsing of the `YYYYMMDD` / `YYYYMMDDHHMMSS` strings.
//!
//! 負担割合 is not a field of the result: 3割 is the default, 70–74 use the 高齢受給者 ratio, 75+ use
//! `InsuredPartialContributionRatio`, and 未就学児 pay 2割 (the last mapping is derived from the general rule,
//! not stated in the sources; domain.md §3). Deliberately not here: 公費 / 自己負担上限 calculations.

use crate::codes::{PersonalFamilyClassification, PreschoolClassification};
use crate::xml::ResultOfQualificationConfirmation;
use chrono::{NaiveDate, NaiveDateTime};

/// Where a 負担割合 came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurdenBasis {
    /// No special field: the general 3割.
    General,
    /// 未就学 (`PreschoolClassification` 1): 2割.
    Preschool,
    /// 高齢受給者 70–74: `ElderlyRecipientContributionRatio`.
    ElderlyRecipient,
    /// 後期高齢者 75+: `InsuredPartialContributionRatio`.
    LateElderly,
}

/// 負担割合 — the patient's share of the fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurdenShare {
    /// Percent: 10, 20 or 30.
    pub percent: u8,
    pub basis: BurdenBasis,
}

impl BurdenShare {
    /// Display form, e.g. `3割`.
    pub fn label(&self) -> String {
        reception::paper::share_label(self.percent)
    }
}

/// 負担割合 for `r` on day `on`. A 高齢受給者 entry only counts while `on` is inside its validity dates.
pub fn burden_share(r: &ResultOfQualificationConfirmation, on: NaiveDate) -> BurdenShare {
    if let Some(percent) = r
        .insured_partial_contribution_ratio
        .as_deref()
        .and_then(parse_percent)
    {
        return BurdenShare {
            percent,
            basis: BurdenBasis::LateElderly,
        };
    }
    if let Some(e) = &r.elderly_recipient_certificate_info {
        let started = e
            .elderly_recipient_valid_start_date
            .as_deref()
            .and_then(parse_yyyymmdd)
            .is_none_or(|d| d <= on);
        let not_ended = e
            .elderly_recipient_valid_end_date
            .as_deref()
            .and_then(parse_yyyymmdd)
            .is_none_or(|d| on <= d);
        if let (true, true, Some(percent)) = (
            started,
            not_ended,
            e.elderly_recipient_contribution_ratio
                .as_deref()
                .and_then(parse_percent),
        ) {
            return BurdenShare {
                percent,
                basis: BurdenBasis::ElderlyRecipient,
            };
        }
    }
    if r.preschool_classification == Some(PreschoolClassification::Preschool) {
        return BurdenShare {
            percent: 20,
            basis: BurdenBasis::Preschool,
        };
    }
    BurdenShare {
        percent: 30,
        basis: BurdenBasis::General,
    }
}

/// Parses a share in percent (`010`, `20`) and accepts only the shares that exist (10–30 in steps of 10).
fn parse_percent(raw: &str) -> Option<u8> {
    let v: u8 = raw.trim().parse().ok()?;
    matches!(v, 10 | 20 | 30).then_some(v)
}

/// 本人/家族 label; `None` when the field is empty, as it is for 後期高齢者.
pub fn personal_family_label(r: &ResultOfQualificationConfirmation) -> Option<&'static str> {
    match r.personal_family_classification.as_ref()? {
        PersonalFamilyClassification::Unknown(raw) if raw.trim().is_empty() => None,
        other => Some(other.label()),
    }
}

/// Parses `YYYYMMDD`.
pub fn parse_yyyymmdd(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y%m%d").ok()
}

/// Parses `YYYYMMDDHHMMSS`.
pub fn parse_timestamp(raw: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y%m%d%H%M%S").ok()
}

/// Formats `YYYYMMDD`.
pub fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Formats `YYYYMMDDHHMMSS`.
pub fn fmt_timestamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%d%H%M%S").to_string()
}

/// Half-width katakana U+FF61..=U+FF9F mapped to full width, in code-point order.
const FULL_WIDTH: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

/// Full-width katakana for display (`ﾔﾏﾀﾞ ﾊﾅｺ` → `ヤマダ　ハナコ`). Voiced marks combine with the preceding kana
/// where a combined character exists; everything else passes through unchanged.
pub fn kana_full_width(half: &str) -> String {
    let mut out = String::with_capacity(half.len() * 2);
    for c in half.chars() {
        match c {
            '\u{FF9E}' | '\u{FF9F}' => {
                let semi = c == '\u{FF9F}';
                match out.pop() {
                    Some(prev) => match combine_mark(prev, semi) {
                        Some(combined) => out.push(combined),
                        None => {
                            out.push(prev);
                            out.push(if semi { '゜' } else { '゛' });
                        }
                    },
                    None => out.push(if semi { '゜' } else { '゛' }),
                }
            }
            '\u{FF61}'..='\u{FF9D}' => {
                let idx = (c as u32 - 0xFF61) as usize;
                out.push(FULL_WIDTH.chars().nth(idx).unwrap_or(c));
            }
            ' ' => out.push('\u{3000}'),
            other => out.push(other),
        }
    }
    out
}

/// ゛ / ゜ combination for full-width katakana.
fn combine_mark(base: char, semi: bool) -> Option<char> {
    let b = base as u32;
    let voiced_plus_one = |start: char, end: char| (start as u32..=end as u32).contains(&b);
    if semi {
        // ハ ヒ フ ヘ ホ are 3 code points apart; the semi-voiced form is +2.
        let is_ha_row = voiced_plus_one('ハ', 'ホ') && (b - 'ハ' as u32).is_multiple_of(3);
        return is_ha_row.then(|| char::from_u32(b + 2)).flatten();
    }
    if base == 'ウ' {
        return Some('ヴ');
    }
    // カ..チ and ハ..ホ rows alternate plain/voiced; ツ テ ト sit after small ッ, so check membership.
    const VOICEABLE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
    if VOICEABLE.contains(base) {
        return char::from_u32(b + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::ElderlyRecipientCertificateInfo;

    fn day(s: &str) -> NaiveDate {
        parse_yyyymmdd(s).unwrap()
    }

    #[test]
    fn half_width_kana_becomes_full_width_with_voiced_marks_combined() {
        assert_eq!(kana_full_width("ﾔﾏﾀﾞ ﾊﾅｺ"), "ヤマダ　ハナコ");
        assert_eq!(
            kana_full_width("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ｳﾞ ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾂﾞﾃﾞﾄﾞ"),
            "パピプペポ　ヴ　ガギグゲゴ　ヅデド"
        );
        assert_eq!(kana_full_width("ｱﾞ"), "ア゛");
        assert_eq!(kana_full_width("ｼｮｳﾀ"), "ショウタ");
    }

    #[test]
    fn burden_share_follows_late_elderly_then_elderly_then_preschool_then_default() {
        let mut r = ResultOfQualificationConfirmation::default();
        assert_eq!(burden_share(&r, day("20260301")).percent, 30);
        r.preschool_classification = Some(PreschoolClassification::Preschool);
        assert_eq!(burden_share(&r, day("20260301")).basis, BurdenBasis::Preschool);
        r.elderly_recipient_certificate_info = Some(ElderlyRecipientCertificateInfo {
            elderly_recipient_valid_start_date: Some("20240701".into()),
            elderly_recipient_valid_end_date: Some("20260731".into()),
            elderly_recipient_contribution_ratio: Some("20".into()),
            ..Default::default()
        });
        assert_eq!(
            burden_share(&r, day("20260301")),
            BurdenShare {
                percent: 20,
                basis: BurdenBasis::ElderlyRecipient
            }
        );
        // Outside the 高齢受給者 validity it no longer applies.
        assert_eq!(burden_share(&r, day("20260801")).basis, BurdenBasis::Preschool);
        r.insured_partial_contribution_ratio = Some("010".into());
        assert_eq!(burden_share(&r, day("20260301")).label(), "1割");
    }

    #[test]
    fn nonsense_ratios_fall_back_to_the_next_rule() {
        let r = ResultOfQualificationConfirmation {
            insured_partial_contribution_ratio: Some("abc".into()),
            ..Default::default()
        };
        assert_eq!(burden_share(&r, day("20260301")).percent, 30);
    }
}
