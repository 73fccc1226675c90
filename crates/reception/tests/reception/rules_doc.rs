//! `docs/rules.md` is generated from the rules table and the fallback routes (#12 §8): every rule the app
//! applies, what it decides, the seed line (or domain.md section) that says it, the tests that prove it and the
//! scenarios that teach it. The checked-in file must equal what this test generates; run it with
//! `UKETSUKE_WRITE_RULES=1` to rewrite it. It fails when a rule has no source, no test, or (for a rule a desk
//! decision depends on) no scenario.

use reception::flow::FallbackStep;
use reception::paper::ProblemKind;
use reception::rules::{citations, seed_line, Rule, RuleId, RuleValue, RULES, SEED_LINES};
use reception::training;

/// The test files searched for tests that name a rule (`RuleId::X`).
const TEST_FILES: &[(&str, &str)] = &[
    ("rules_table.rs", include_str!("rules_table.rs")),
    ("journeys.rs", include_str!("journeys.rs")),
    ("paper_docs.rs", include_str!("paper_docs.rs")),
    ("training.rs", include_str!("training.rs")),
    ("host.rs", include_str!("host.rs")),
];

/// Rules no desk decision depends on, so no scenario needs to teach them, and why.
fn not_a_desk_decision(id: RuleId) -> Option<&'static str> {
    match id {
        RuleId::ConsentValidityHours => Some("the reader keeps the 24 h window; the desk only reads it"),
        RuleId::LimitConsentScreenRemoved => Some("only restores a historical reader screen"),
        RuleId::DataReflectionMinBusinessDays => {
            Some("the low end of the window s14 teaches with its high end")
        }
        RuleId::LegacyCardLastDay
        | RuleId::TemporaryRuleLastDay
        | RuleId::CertWarningMonthsBefore
        | RuleId::CertGraceMonthsAfter
        | RuleId::PinTries
        | RuleId::QualificationCertificateMaxYears
        | RuleId::DataReflectionMaxBusinessDays
        | RuleId::FaceOnlyCardsFrom
        | RuleId::SmartphoneFrom => None,
    }
}

/// The routes the wizard offers for each problem class, with the lines that say so.
fn route_source(p: ProblemKind) -> &'static str {
    match p {
        ProblemKind::CommunicationFailure | ProblemKind::PowerOutage | ProblemKind::DeviceFailure => {
            "S000 2-38; S002 Q11; S004 §5; S003 Q5; S001"
        }
        ProblemKind::NoEligibilityData => "S000 2-4, 2-27; S004 Q1, Q9; S001",
        ProblemKind::EligibilityInvalid => "S000 2-4; S002 (事務連絡 R6.3.1)",
        ProblemKind::IdentityNotConfirmed => "S002 Q11 (目視); S000 2-4",
        ProblemKind::CardNotUsable => "S000 2-25, 1-6; S001",
        ProblemKind::IdentityRejected => "S002 Q11; S000 2-4",
    }
}

fn value(r: &Rule) -> String {
    match r.value {
        RuleValue::Date(d) => d.to_string(),
        RuleValue::Count(n) => n.to_string(),
    }
}

/// `file::test` for every test whose body names `RuleId::<id>`.
fn tests_naming(id: RuleId) -> Vec<String> {
    let needle = format!("RuleId::{id:?}");
    let mut out = Vec::new();
    for (file, text) in TEST_FILES {
        for chunk in text.split("#[test]").skip(1) {
            let Some(name) = chunk.split("fn ").nth(1).and_then(|rest| rest.split('(').next()) else {
                continue;
            };
            let mentions = chunk.contains(&needle) && !chunk.contains(&format!("{needle} =>"));
            if mentions {
                out.push(format!("{}::{}", file.trim_end_matches(".rs"), name.trim()));
            }
        }
    }
    out
}

fn generate() -> String {
    let scenarios = training::load_all().unwrap();
    let mut md = String::from(
        "# The rules Uketsuke applies\n\n\
         Generated from `crates/reception/src/rules.rs` and the fallback wizard by\n\
         `cargo test -p reception --test reception rules_doc` (`UKETSUKE_WRITE_RULES=1` rewrites this file). Do not\n\
         edit by hand: the test fails when this file, the table, a rule's source, its tests or the curriculum drift\n\
         apart. Seeds: `S000`–`S004` are `../shared/seeds/000_*.txt`–`004_*.txt`.\n\n\
         ## Dated and counted rules\n\n\
         | Rule | Value | What it decides | Source | Tests | Scenarios |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in &RULES {
        let tests = tests_naming(r.id).join("<br>");
        let taught: Vec<&str> = scenarios
            .iter()
            .filter(|s| s.expect.iter().any(|e| e.rule_id == Some(r.id)))
            .map(|s| s.id.as_str())
            .collect();
        let taught = if taught.is_empty() {
            not_a_desk_decision(r.id).map_or_else(String::new, |why| format!("— ({why})"))
        } else {
            taught.join("<br>")
        };
        md.push_str(&format!(
            "| `{:?}` | {} | {} | {} | {} | {} |\n",
            r.id,
            value(r),
            r.summary,
            r.source,
            tests,
            taught
        ));
    }
    md.push_str(
        "\n## What the fallback wizard offers for each problem\n\n\
         Step 1 retry / switch method, 2 card + お知らせ / マイナポータル PDF, 3 再診 (previous visit), 4 被保険者資格申立書,\n\
         5 10割 + refund; a 資格確認書 can be keyed in on 書類入力 at any step.\n\n\
         | Problem | Steps | Source |\n|---|---|---|\n",
    );
    for p in ProblemKind::ALL {
        let steps: Vec<String> = FallbackStep::ALL
            .iter()
            .filter(|s| s.applies(Some(p)))
            .map(|s| format!("{s:?}"))
            .collect();
        md.push_str(&format!(
            "| `{p:?}` | {} | {} |\n",
            steps.join(", "),
            route_source(p)
        ));
    }
    md.push_str(
        "\n## The seed lines cited\n\n\
         Every line a rule, a route or a scenario cites (`rules::SEED_LINES`); a scenario citing a line that is\n\
         not here does not load.\n\n\
         | Line | What it says | Cited by |\n|---|---|---|\n",
    );
    for l in SEED_LINES {
        let mut by: Vec<String> = RULES
            .iter()
            .filter(|r| citations(r.source).iter().any(|c| c == l.cite))
            .map(|r| format!("`{:?}`", r.id))
            .collect();
        by.extend(
            ProblemKind::ALL
                .into_iter()
                .filter(|p| citations(route_source(*p)).iter().any(|c| c == l.cite))
                .map(|p| format!("route `{p:?}`")),
        );
        by.extend(
            scenarios
                .iter()
                .filter(|s| {
                    let sources = s.expect.iter().map(|e| e.source.as_str());
                    let sources = sources.chain(s.forbidden.iter().map(|f| f.source.as_str()));
                    sources.flat_map(citations).any(|c| c == l.cite)
                })
                .map(|s| s.id.clone()),
        );
        md.push_str(&format!("| {} | {} | {} |\n", l.cite, l.says, by.join(", ")));
    }
    md
}

#[test]
fn every_route_cites_lines_in_the_index_of_seed_lines() {
    for p in ProblemKind::ALL {
        let cites = citations(route_source(p));
        assert!(!cites.is_empty(), "{p:?}");
        for c in cites {
            assert!(
                seed_line(&c).is_some(),
                "route {p:?} cites {c}, not in SEED_LINES"
            );
        }
    }
}

#[test]
fn every_rule_has_a_source_a_test_and_if_the_desk_decides_by_it_a_scenario() {
    let scenarios = training::load_all().unwrap();
    for r in &RULES {
        assert!(
            r.source.contains('S') || r.source.contains("domain.md §"),
            "{:?}: no source",
            r.id
        );
        assert!(!tests_naming(r.id).is_empty(), "{:?}: no test names it", r.id);
        let taught = scenarios
            .iter()
            .any(|s| s.expect.iter().any(|e| e.rule_id == Some(r.id)));
        assert!(
            taught || not_a_desk_decision(r.id).is_some(),
            "{:?}: a desk decision depends on it, but no scenario teaches it",
            r.id
        );
    }
}

#[test]
fn docs_rules_md_is_what_the_table_generates() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
    let md = generate();
    if std::env::var_os("UKETSUKE_WRITE_RULES").is_some() {
        std::fs::write(path, &md).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == md,
        "docs/rules.md is out of date: run UKETSUKE_WRITE_RULES=1 cargo test -p reception --test reception rules_doc"
    );
}
