//! The dated rules table: every date or number the reception flow depends on, each with its source.
//!
//! Purpose: one place that a reviewer can hold against the seed FAQs (`S000` = `seeds/000_*.txt`, etc.)
//! and domain.md. Code elsewhere asks this module (`RULES`, the accessor functions) instead of writing
//! a date or a count inline; the rule-table tests pin each row to its source.
//!
//! Deliberately not here: UI timings (idle timeouts, poll intervals). They are our own design, not
//! published rules, so they live in [`crate::SiteSettings`]. Site switches (temporary rule on/off,
//! prescription question on/off, legacy 限度額 screen) are also settings; only their dates live here.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// Identifier of one row of the rules table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RuleId {
    /// Last day a legacy 健康保険証 may be used (経過措置の最終日).
    LegacyCardLastDay,
    /// Last day of the MHLW temporary rule (事務連絡 2025-11-12) for expired cards / お知らせ alone.
    TemporaryRuleLastDay,
    /// Renewal alert shown this many months before the 利用者証明用電子証明書 expires.
    CertWarningMonthsBefore,
    /// Grace period: months after expiry during which the card works for eligibility only.
    CertGraceMonthsAfter,
    /// Consecutive wrong PIN entries that lock the 利用者証明用 PIN.
    PinTries,
    /// Hours a consent given at the reader stays valid.
    ConsentValidityHours,
    /// Maximum validity of a 資格確認書 in years from 交付年月日.
    QualificationCertificateMaxYears,
    /// Business days (low end) before a new member's data is usable online.
    DataReflectionMinBusinessDays,
    /// Business days (high end) before a new member's data is usable online.
    DataReflectionMaxBusinessDays,
    /// The 限度額 consent screen was removed from readers on this day.
    LimitConsentScreenRemoved,
    /// 顔認証マイナンバーカード (no PIN) available from this day.
    FaceOnlyCardsFrom,
    /// Smartphone マイナ保険証 usable at equipped facilities from this day.
    SmartphoneFrom,
}

/// The value of a rule row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleValue {
    /// A calendar day (clinic-local).
    Date(NaiveDate),
    /// A count (months, tries, hours, years, days; the row says which).
    Count(u32),
}

/// One row: what, how much, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Row id.
    pub id: RuleId,
    /// The value.
    pub value: RuleValue,
    /// Seed file + question (S000 2-25) or domain.md section.
    pub source: &'static str,
    /// One-line English summary for tests and the README.
    pub summary: &'static str,
}

// `NaiveDate::from_ymd_opt` is const; the match keeps the table free of unwrap (a wrong literal
// would only show up as the 1970 fallback, and the table tests would catch it).
const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => NaiveDate::MIN,
    }
}

/// The rules table. Order follows the issue text.
pub const RULES: &[Rule] = &[
    Rule {
        id: RuleId::LegacyCardLastDay,
        value: RuleValue::Date(date(2025, 12, 1)),
        source: "S000 3-1; S002 Q1/Q6; S003 Q15; S004 §2",
        summary: "legacy 健康保険証 usable at most until 2025-12-01",
    },
    Rule {
        id: RuleId::TemporaryRuleLastDay,
        value: RuleValue::Date(date(2026, 3, 31)),
        source: "domain.md §4 (MHLW 事務連絡 2025-11-12, TEMP-2026)",
        summary: "temporary rule for expired cards / お知らせ alone ends 2026-03-31 (site switch)",
    },
    Rule {
        id: RuleId::CertWarningMonthsBefore,
        value: RuleValue::Count(3),
        source: "S000 2-24, 2-25; S003 Q12; domain.md §1 (MHLW-50657)",
        summary: "renewal alert from 3 months before certificate expiry",
    },
    Rule {
        id: RuleId::CertGraceMonthsAfter,
        value: RuleValue::Count(3),
        source: "S000 2-25",
        summary: "for 3 months after expiry: eligibility only, no medical information",
    },
    Rule {
        id: RuleId::PinTries,
        value: RuleValue::Count(3),
        source: "S003 Q1; S000 2-23",
        summary: "利用者証明用 PIN locks after 3 consecutive wrong entries",
    },
    Rule {
        id: RuleId::ConsentValidityHours,
        value: RuleValue::Count(24),
        source: "domain.md §2 (PORTAL-FAQ14)",
        summary: "a consent given at the reader is valid for 24 hours",
    },
    Rule {
        id: RuleId::QualificationCertificateMaxYears,
        value: RuleValue::Count(5),
        source: "S004 Q7",
        summary: "資格確認書 validity is at most 5 years",
    },
    Rule {
        id: RuleId::DataReflectionMinBusinessDays,
        value: RuleValue::Count(2),
        source: "S004 Q9 (翌々営業日)",
        summary: "new member's data usable from the 2nd business day after the insurer registers it",
    },
    Rule {
        id: RuleId::DataReflectionMaxBusinessDays,
        value: RuleValue::Count(5),
        source: "S003 Q14 (約3~5営業日)",
        summary: "new member's data usable about 3-5 business days after the 資格取得届 arrives",
    },
    Rule {
        id: RuleId::LimitConsentScreenRemoved,
        value: RuleValue::Date(date(2024, 10, 7)),
        source: "domain.md §2 (SHAHO-0930, MHLW-GENDO)",
        summary: "限度額 consent screen removed on 2024-10-07 (legacy switch restores it)",
    },
    Rule {
        id: RuleId::FaceOnlyCardsFrom,
        value: RuleValue::Date(date(2023, 12, 15)),
        source: "domain.md §1 (FACECARD); S000 2-40",
        summary: "顔認証マイナンバーカード (no PIN) exists from 2023-12-15",
    },
    Rule {
        id: RuleId::SmartphoneFrom,
        value: RuleValue::Date(date(2025, 9, 19)),
        source: "S000 2-33; S001; domain.md §1 (SMAPHO-NEWS)",
        summary: "smartphone マイナ保険証 from 2025-09 (2025-09-19)",
    },
];

/// 国民向けマイナンバー総合フリーダイヤル, for "another person's data is shown" (S000 2-28; S002 Q5).
pub const HOTLINE_NUMBER: &str = "0120-95-0178";
/// The voice-guidance option for that hotline (S000 2-28: 「5」を選択).
pub const HOTLINE_GUIDANCE_OPTION: u8 = 5;

/// Look a rule up. Every id has exactly one row (a table test checks it).
pub fn rule(id: RuleId) -> Rule {
    RULES.iter().copied().find(|r| r.id == id).unwrap_or(Rule {
        id,
        value: RuleValue::Count(0),
        source: "missing",
        summary: "missing",
    })
}

/// A date rule's value.
pub fn rule_date(id: RuleId) -> NaiveDate {
    match rule(id).value {
        RuleValue::Date(d) => d,
        RuleValue::Count(_) => NaiveDate::MIN,
    }
}

/// A count rule's value.
pub fn rule_count(id: RuleId) -> u32 {
    match rule(id).value {
        RuleValue::Count(c) => c,
        RuleValue::Date(_) => 0,
    }
}

/// Maximum PIN tries as `u8` (the card reports tries left as a byte).
pub fn pin_tries() -> u8 {
    u8::try_from(rule_count(RuleId::PinTries)).unwrap_or(3)
}

/// `day` shifted by `months` (clamped to month end, e.g. 05-31 − 3 months = 02-28).
pub fn add_months(day: NaiveDate, months: i64) -> NaiveDate {
    let m = Months::new(u32::try_from(months.unsigned_abs()).unwrap_or(0));
    let shifted = if months >= 0 {
        day.checked_add_months(m)
    } else {
        day.checked_sub_months(m)
    };
    shifted.unwrap_or(day)
}

/// Status of the 利用者証明用電子証明書 on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum CertStatus {
    /// Valid, no alert.
    Valid,
    /// Valid but expires within the warning window (S000 2-24).
    ExpiresSoon {
        /// Days until the last valid day (0 = expires today).
        days_left: i64,
    },
    /// Expired, within the grace window: eligibility only, skip consent, no medical info (S000 2-25).
    Grace {
        /// Days since the last valid day.
        days_expired: i64,
    },
    /// Expired longer than the grace window (「電子証明書が失効しています」 S000 2-25).
    Expired,
    /// Not yet valid (clock or card problem); refused like an expired one.
    NotYetValid,
}

/// Certificate status from its real dates. `not_after` is the last valid day.
pub fn cert_status(not_before: NaiveDate, not_after: NaiveDate, today: NaiveDate) -> CertStatus {
    let before = i64::from(rule_count(RuleId::CertWarningMonthsBefore));
    let after = i64::from(rule_count(RuleId::CertGraceMonthsAfter));
    if today < not_before {
        CertStatus::NotYetValid
    } else if today <= not_after {
        if today > add_months(not_after, -before) {
            CertStatus::ExpiresSoon {
                days_left: (not_after - today).num_days(),
            }
        } else {
            CertStatus::Valid
        }
    } else if today <= add_months(not_after, after) {
        CertStatus::Grace {
            days_expired: (today - not_after).num_days(),
        }
    } else {
        CertStatus::Expired
    }
}

/// Is a legacy 健康保険証 usable on `today` on its own (before the temporary rule)? (S000 3-1)
pub fn legacy_card_period(today: NaiveDate) -> bool {
    today <= rule_date(RuleId::LegacyCardLastDay)
}

/// Is the temporary rule in force on `today`, given the site switch? (domain.md §4, TEMP-2026)
pub fn temporary_rule_applies(enabled: bool, today: NaiveDate) -> bool {
    enabled
        && today > rule_date(RuleId::LegacyCardLastDay)
        && today <= rule_date(RuleId::TemporaryRuleLastDay)
}

/// Latest acceptable 有効期限 for a 資格確認書 issued on `issued_on` (S004 Q7: at most 5 years).
pub fn qualification_certificate_latest_expiry(issued_on: NaiveDate) -> NaiveDate {
    let years = i64::from(rule_count(RuleId::QualificationCertificateMaxYears));
    add_months(issued_on, years * 12)
}

/// When a consent given at `at` stops being valid (24 h, PORTAL-FAQ14).
pub fn consent_valid_until(at: NaiveDateTime) -> NaiveDateTime {
    at + TimeDelta::hours(i64::from(rule_count(RuleId::ConsentValidityHours)))
}

/// Is a stored consent still valid at `now`?
pub fn consent_is_valid(given_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= given_at && now < consent_valid_until(given_at)
}

/// Whether the pre-2024-10-07 限度額 screen may be shown: only by the legacy switch (historical training).
pub fn limit_consent_screen_shown(legacy_switch: bool, today: NaiveDate) -> bool {
    legacy_switch || today < rule_date(RuleId::LimitConsentScreenRemoved)
}

/// May a patient use the smartphone マイナ保険証 here on `today`? Only where a smartphone reader is installed,
/// and not before the national start (S000 2-33).
pub fn smartphone_available(reader_installed: bool, today: NaiveDate) -> bool {
    reader_installed && today >= rule_date(RuleId::SmartphoneFrom)
}

/// Can a 顔認証マイナンバーカード (no PIN) exist on `today`? Not before it was introduced (S000 2-40).
pub fn face_only_card_exists(today: NaiveDate) -> bool {
    today >= rule_date(RuleId::FaceOnlyCardsFrom)
}

/// Business days from `registered_on` until data is expected online (low, high), skipping weekends
/// (holidays are not modelled). Used for the 資格情報なし hint: "data may appear between … and …".
pub fn data_reflection_window(registered_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let add = |n: u32| {
        let mut d = registered_on;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            if d.weekday().number_from_monday() <= 5 {
                left -= 1;
            }
        }
        d
    };
    (
        add(rule_count(RuleId::DataReflectionMinBusinessDays)),
        add(rule_count(RuleId::DataReflectionMaxBusinessDays)),
    )
}
