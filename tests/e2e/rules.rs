//! The #12 rules at a real desk, two patients in a row in one app (a clerk's walk, kept as a test):
//! an unregistered card whose holder declines registration and shows a 資格確認書 (not pushed, keyed in,
//! checked online), then card + お知らせ through the outage wizard while the line is down (accepted on its
//! own, listed 要再照会 in 本日の受付).

use anyhow::{ensure, Context, Result};
use uketsuke_tests::{run, Journey};

use crate::receptions_today;

#[test]
fn an_unregistered_card_with_a_certificate_then_card_and_notice_through_the_outage_wizard() {
    run("41-rules-at-the-desk", |j| Box::pin(rules_at_the_desk(j)));
}

async fn rules_at_the_desk(j: &mut Journey) -> Result<()> {
    // 1. 中村 翔太: the card is not registered; he chooses 登録しない and hands over his 資格確認書.
    j.click("trainer-camera-same").await?;
    j.place_card("p08-nakamura-shota").await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-face").await?;
    j.wait_screen("RegistrationOffer").await?;
    j.shoot().await?;
    j.click("reader-register-no").await?;
    j.wait_screen_any(&[
        "Error",
        "Fallback-RetryOrSwitch",
        "Fallback-CardWithNotice",
        "Fallback-Declaration",
    ])
    .await?;
    j.shoot().await?;
    let reader = j.text("reader-root").await?;
    ensure!(
        reader.contains("資格確認書"),
        "the reader asks for the 資格確認書: {reader}"
    );
    ensure!(
        !reader.contains("ATM"),
        "the reader does not push registration: {reader}"
    );
    j.key_in_certificate(&[
        ("paper-insurer-number", "06139927"),
        ("paper-symbol", "2008"),
        ("paper-number", "2008"),
        ("paper-branch", "00"),
        ("paper-birthdate", "2000-04-01"),
        ("paper-name", "中村 翔太"),
        ("paper-issued-on", "2025-12-02"),
        ("paper-valid-until", "2030-12-01"),
        ("paper-insurer-name", "みなみ精機健康保険組合（模擬）"),
    ])
    .await?;
    j.click("paper-copay-30").await?;
    j.click("paper-submit").await?;
    j.click("staff-tab-reception").await?;
    j.wait_completed().await?;
    j.shoot().await?;
    let first = receptions_today(j).await?;
    let row = first.last().context("中村 翔太's reception")?;
    ensure!(first.len() == 1, "one reception: {first:?}");
    ensure!(row.name == "中村 翔太", "name {}", row.name);
    ensure!(!row.recheck_open, "checked online, no re-check task");
    j.remove_card().await?;
    j.wait_screen("WaitingForCard").await?;

    // 2. 田中 誠 while the line is down: the wizard's card + お知らせ step, accepted on its own.
    j.click("trainer-oqs-fault-refused").await?;
    j.wait_attr("trainer-oqs-fault-refused", "aria-pressed", "true")
        .await?;
    j.place_card("p05-tanaka-makoto").await?;
    j.wait_screen_any(&["CertWarning", "MethodChoice"]).await?;
    if j.screen().await? == "CertWarning" {
        j.click("reader-continue").await?;
    }
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-face").await?;
    j.wait_screen_any(&["Error", "Fallback-RetryOrSwitch"]).await?;
    if !j.screen().await?.starts_with("Fallback-") {
        j.click("staff-open-fallback").await?;
    }
    j.wait_screen("Fallback-RetryOrSwitch").await?;
    j.click("fallback-problem-communication-failure").await?;
    j.click("fallback-next").await?;
    j.wait_screen("Fallback-CardWithNotice").await?;
    let hint = j.text("fallback-notice-offline").await?;
    ensure!(
        hint.contains("要再照会"),
        "the step says what happens offline: {hint}"
    );
    for (id, v) in [
        ("notice-name", "田中 誠"),
        ("notice-insurer-number", "06139927"),
        ("notice-symbol", "2005"),
        ("notice-number", "2005"),
        ("notice-branch", "00"),
        ("notice-birthdate", "1982-11-20"),
    ] {
        j.fill(id, v).await?;
    }
    j.set_checked("notice-with-card", true).await?;
    j.shoot().await?;
    j.click("notice-submit").await?;
    j.wait_completed().await?;
    j.shoot().await?;
    let rows = receptions_today(j).await?;
    ensure!(rows.len() == 2, "two receptions: {rows:?}");
    let row = rows.last().context("田中 誠's reception")?;
    ensure!(
        row.name == "田中 誠",
        "filed under the お知らせ's name: {}",
        row.name
    );
    ensure!(row.recheck_open, "accepted offline: a 要再照会 task is open");
    let id = row.visit_id.0;
    j.click("staff-tab-today").await?;
    j.wait_exists(&format!("today-task-recheck-{id}")).await?;
    // In view without scrolling the wide table sideways (the walk found it scrolled out of view).
    let visible = j
        .js(
            "const b = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
             const w = b.closest('.table-wrap').getBoundingClientRect(); const r = b.getBoundingClientRect();
             return r.left >= w.left && r.right <= w.right;",
            vec![serde_json::Value::from(format!("today-task-recheck-{id}"))],
        )
        .await?;
    ensure!(
        visible == serde_json::Value::Bool(true),
        "the 要再照会 badge is in view: {visible}"
    );
    j.shoot().await?;
    Ok(())
}
