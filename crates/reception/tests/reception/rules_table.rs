//! One test per row of the rules table; each names the rule and its source.

use reception::rules::*;

use crate::fakes::{day, dt};

fn row(id: RuleId) -> Rule {
    let rows: Vec<_> = RULES.iter().filter(|r| r.id == id).collect();
    assert_eq!(rows.len(), 1, "{id:?} has exactly one row");
    *rows[0]
}

fn check_date(id: RuleId, y: i32, m: u32, d: u32, source_has: &str) {
    let r = row(id);
    assert_eq!(
        r.value,
        RuleValue::Date(day(y, m, d)),
        "{} ({})",
        r.summary,
        r.source
    );
    assert!(
        r.source.contains(source_has),
        "{:?} cites {source_has}: {}",
        id,
        r.source
    );
}

fn check_count(id: RuleId, n: u32, source_has: &str) {
    let r = row(id);
    assert_eq!(r.value, RuleValue::Count(n), "{} ({})", r.summary, r.source);
    assert!(
        r.source.contains(source_has),
        "{:?} cites {source_has}: {}",
        id,
        r.source
    );
}

#[test]
fn legacy_card_last_day_2025_12_01_per_s000_3_1() {
    check_date(RuleId::LegacyCardLastDay, 2025, 12, 1, "S000 3-1");
    assert!(legacy_card_period(day(2025, 12, 1)), "usable on 2025-12-01");
    assert!(
        !legacy_card_period(day(2025, 12, 2)),
        "not usable from 2025-12-02 (S000 3-1)"
    );
}

#[test]
fn temporary_rule_ends_2026_03_31_and_is_a_site_switch_per_domain_4() {
    check_date(RuleId::TemporaryRuleLastDay, 2026, 3, 31, "domain.md §4");
    assert!(temporary_rule_applies(true, day(2026, 3, 31)));
    assert!(
        !temporary_rule_applies(true, day(2026, 4, 1)),
        "ends after 2026-03-31"
    );
    assert!(
        !temporary_rule_applies(false, day(2026, 1, 5)),
        "off when the site switch is off"
    );
    assert!(
        !temporary_rule_applies(true, day(2025, 12, 1)),
        "not needed while the legacy card is valid"
    );
}

#[test]
fn cert_warning_from_3_months_before_expiry_per_s000_2_24() {
    check_count(RuleId::CertWarningMonthsBefore, 3, "S000 2-24");
    let (nb, na) = (day(2022, 5, 1), day(2025, 9, 10));
    assert_eq!(
        cert_status(nb, na, day(2025, 6, 10)),
        CertStatus::Valid,
        "exactly 3 months before: no alert"
    );
    assert_eq!(
        cert_status(nb, na, day(2025, 6, 11)),
        CertStatus::ExpiresSoon { days_left: 91 }
    );
    assert_eq!(
        cert_status(nb, na, day(2025, 9, 10)),
        CertStatus::ExpiresSoon { days_left: 0 }
    );
}

#[test]
fn cert_grace_3_months_after_expiry_eligibility_only_per_s000_2_25() {
    check_count(RuleId::CertGraceMonthsAfter, 3, "S000 2-25");
    let (nb, na) = (day(2020, 1, 1), day(2025, 3, 10));
    assert_eq!(
        cert_status(nb, na, day(2025, 3, 11)),
        CertStatus::Grace { days_expired: 1 }
    );
    assert_eq!(
        cert_status(nb, na, day(2025, 6, 10)),
        CertStatus::Grace { days_expired: 92 }
    );
    assert_eq!(
        cert_status(nb, na, day(2025, 6, 11)),
        CertStatus::Expired,
        "longer than 3 months: refused"
    );
    assert_eq!(
        cert_status(day(2026, 1, 1), na, day(2025, 6, 11)),
        CertStatus::NotYetValid
    );
}

#[test]
fn pin_locks_after_3_consecutive_failures_per_s003_q1() {
    check_count(RuleId::PinTries, 3, "S003 Q1");
    assert_eq!(pin_tries(), 3);
}

#[test]
fn consent_valid_24_hours_per_portal_faq14() {
    check_count(RuleId::ConsentValidityHours, 24, "PORTAL-FAQ14");
    let at = dt(2025, 6, 10, 10, 0);
    assert_eq!(consent_valid_until(at), dt(2025, 6, 11, 10, 0));
    assert!(consent_is_valid(at, dt(2025, 6, 11, 9, 59)));
    assert!(
        !consent_is_valid(at, dt(2025, 6, 11, 10, 0)),
        "expired after 24 h"
    );
}

#[test]
fn qualification_certificate_at_most_5_years_per_s004_q7() {
    check_count(RuleId::QualificationCertificateMaxYears, 5, "S004 Q7");
    // S000 1-11: issued 2025-12-02, valid to 2030-11-30 — within 5 years.
    assert!(day(2030, 11, 30) <= qualification_certificate_latest_expiry(day(2025, 12, 2)));
    assert_eq!(
        qualification_certificate_latest_expiry(day(2025, 12, 2)),
        day(2030, 12, 2)
    );
}

#[test]
fn data_reflection_2_to_5_business_days_per_s004_q9_and_s003_q14() {
    check_count(RuleId::DataReflectionMinBusinessDays, 2, "S004 Q9");
    check_count(RuleId::DataReflectionMaxBusinessDays, 5, "S003 Q14");
    // Friday 2025-06-13: +2 business days = Tue 06-17, +5 = Fri 06-20 (weekends skipped).
    assert_eq!(
        data_reflection_window(day(2025, 6, 13)),
        (day(2025, 6, 17), day(2025, 6, 20))
    );
}

#[test]
fn limit_consent_screen_removed_2024_10_07_unless_legacy_switch_per_shaho_0930() {
    check_date(RuleId::LimitConsentScreenRemoved, 2024, 10, 7, "SHAHO-0930");
    assert!(!limit_consent_screen_shown(false, day(2025, 6, 1)));
    assert!(limit_consent_screen_shown(true, day(2025, 6, 1)));
    assert!(
        limit_consent_screen_shown(false, day(2024, 10, 6)),
        "still on the readers the day before"
    );
}

#[test]
fn face_only_cards_exist_from_2023_12_15_per_facecard() {
    check_date(RuleId::FaceOnlyCardsFrom, 2023, 12, 15, "FACECARD");
    assert!(!face_only_card_exists(day(2023, 12, 14)));
    assert!(face_only_card_exists(day(2023, 12, 15)));
}

#[test]
fn smartphone_insurance_card_from_2025_09_per_s000_2_33() {
    check_date(RuleId::SmartphoneFrom, 2025, 9, 19, "S000 2-33");
    assert!(!smartphone_available(true, day(2025, 9, 18)));
    assert!(smartphone_available(true, day(2025, 9, 19)));
    assert!(
        !smartphone_available(false, day(2025, 12, 1)),
        "no reader, no smartphone"
    );
}

#[test]
fn hotline_is_0120_95_0178_option_5_per_s000_2_28() {
    assert_eq!(HOTLINE_NUMBER, "0120-95-0178");
    assert_eq!(HOTLINE_GUIDANCE_OPTION, 5);
}

#[test]
fn every_rule_row_has_a_source_and_a_unique_id() {
    for r in &RULES {
        assert!(
            !r.source.is_empty() && r.source != "missing",
            "{:?} has a source",
            r.id
        );
        assert_eq!(
            RULES.iter().filter(|o| o.id == r.id).count(),
            1,
            "{:?} is unique",
            r.id
        );
    }
}

#[test]
fn a_source_text_splits_into_one_citation_per_seed_line() {
    assert_eq!(
        citations("S000 2-24, 2-25; S003 Q12; domain.md §1 (MHLW-50657)"),
        ["S000 2-24", "S000 2-25", "S003 Q12", "domain.md §1"]
    );
    assert_eq!(
        citations("S002 Q1/Q6; S004 §4(2)"),
        ["S002 Q1", "S002 Q6", "S004 §4(2)"]
    );
    assert_eq!(citations("S004 Q9 (翌々営業日)"), ["S004 Q9"]);
    assert_eq!(citations("domain.md §1(b) 5 (当院の運用)"), ["domain.md §1"]);
    assert_eq!(
        citations("S001 (申立書); S002 (事務連絡 R6.3.1)"),
        ["S001", "S002"]
    );
    assert!(citations("  ").is_empty());
}

#[test]
fn every_rule_rows_source_is_in_the_index_of_seed_lines_and_the_index_has_no_duplicates() {
    for r in &RULES {
        for c in citations(r.source) {
            assert!(seed_line(&c).is_some(), "{:?} cites {c}, not in SEED_LINES", r.id);
        }
    }
    for l in SEED_LINES {
        assert_eq!(citations(l.cite), [l.cite], "{} is one citation", l.cite);
        assert_eq!(
            SEED_LINES.iter().filter(|o| o.cite == l.cite).count(),
            1,
            "{}",
            l.cite
        );
        assert!(!l.says.is_empty());
    }
}

#[test]
fn the_typed_lookups_are_the_table_rows_and_every_id_has_one_row_in_table_order() {
    // `Id`, not the full name: this test checks the lookups, it does not prove any one rule (rules_doc).
    use RuleId as Id;
    assert_eq!(RULES.len(), Id::ALL.len());
    for (row, id) in RULES.iter().zip(Id::ALL) {
        assert_eq!(row.id, id);
        assert_eq!(*row, rule(id));
    }
    let dates = [
        (DateRule::LegacyCardLastDay, Id::LegacyCardLastDay),
        (DateRule::TemporaryRuleLastDay, Id::TemporaryRuleLastDay),
        (DateRule::LimitConsentScreenRemoved, Id::LimitConsentScreenRemoved),
        (DateRule::FaceOnlyCardsFrom, Id::FaceOnlyCardsFrom),
        (DateRule::SmartphoneFrom, Id::SmartphoneFrom),
    ];
    for (d, id) in dates {
        assert_eq!(rule(id).value, RuleValue::Date(rule_date(d)), "{id:?}");
    }
    let counts = [
        (CountRule::CertWarningMonthsBefore, Id::CertWarningMonthsBefore),
        (CountRule::CertGraceMonthsAfter, Id::CertGraceMonthsAfter),
        (CountRule::PinTries, Id::PinTries),
        (CountRule::ConsentValidityHours, Id::ConsentValidityHours),
        (
            CountRule::QualificationCertificateMaxYears,
            Id::QualificationCertificateMaxYears,
        ),
        (
            CountRule::DataReflectionMinBusinessDays,
            Id::DataReflectionMinBusinessDays,
        ),
        (
            CountRule::DataReflectionMaxBusinessDays,
            Id::DataReflectionMaxBusinessDays,
        ),
    ];
    for (c, id) in counts {
        assert_eq!(rule(id).value, RuleValue::Count(rule_count(c)), "{id:?}");
    }
    assert_eq!(dates.len() + counts.len(), Id::ALL.len());
}
