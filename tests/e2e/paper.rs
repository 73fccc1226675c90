//! Paper documents at the desk: a legacy 健康保険証 after 2025-12-01 is refused with the reason shown.

use anyhow::{ensure, Result};
use uketsuke_tests::{run, Journey};

use crate::nothing_saved;

#[test]
fn a_legacy_insurance_card_after_december_2025_is_refused_with_the_reason_and_nothing_is_saved() {
    run("08-legacy-card-refused", |j| Box::pin(legacy_card(j)));
}

async fn legacy_card(j: &mut Journey) -> Result<()> {
    let today = j.today().await?;
    ensure!(
        today > chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or_default(),
        "this journey needs a clinic date after 2025-12-01 (today is {today})"
    );
    j.click("staff-tab-paper").await?;
    j.click("paper-kind-legacy").await?;
    j.wait_attr("paper-form", "data-kind", "LegacyCard").await?;
    j.fill("paper-insurer-number", "06139919").await?;
    j.fill("paper-symbol", "1001").await?;
    j.fill("paper-number", "1001").await?;
    j.fill("paper-branch", "00").await?;
    j.fill("paper-birthdate", "1990-01-01").await?;
    j.shoot().await?;
    j.click("paper-submit").await?;
    j.wait_screen("Error").await?;
    let reader = j.text("reader-root").await?;
    ensure!(
        reader.contains("従来の健康保険証は2025年12月2日からご利用いただけません"),
        "reader shows the reason: {reader}"
    );
    j.click("staff-tab-reception").await?;
    j.wait_text("staff-error-code", "Paper.LegacyCardAbolished")
        .await?;
    j.shoot().await?;
    nothing_saved(j)
}
