//! Journeys through the staff fallback wizard: OQS timeout → お知らせ numbers → success, and the
//! 初診 outage → 被保険者資格申立書 → PDF.

use anyhow::{ensure, Context, Result};
use store::{Fallback, IdentityMethod, Outcome};
use uketsuke_tests::{run, Journey};

use crate::{pdftotext, the_one_reception, P01, PIN};

#[test]
fn an_oqs_timeout_falls_back_to_the_notice_numbers_and_completes_once_the_service_answers() {
    run("06-oqs-timeout-notice", |j| Box::pin(oqs_timeout(j)));
}

async fn oqs_timeout(j: &mut Journey) -> Result<()> {
    j.place_card(P01).await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-pin").await?;
    j.wait_screen("PinEntry").await?;
    j.enter_pin(PIN).await?;
    j.wait_screen("ConsentMode").await?;
    j.click("consent-all").await?;
    j.wait_screen("PrescriptionForm").await?;
    // The service stops answering just before the eligibility query goes out.
    j.click("trainer-oqs-fault-timeout").await?;
    j.wait_attr("trainer-oqs-fault-timeout", "aria-pressed", "true")
        .await?;
    j.click("prescription-paper").await?;
    j.wait_screen("Error").await?;
    j.wait_text("staff-error-code", "QueryTimeout").await?;
    let reader = j.text("reader-root").await?;
    ensure!(
        reader.contains("資格確認の応答がありませんでした"),
        "reader explains the timeout: {reader}"
    );

    j.click("staff-open-fallback").await?;
    j.wait_screen("Fallback-RetryOrSwitch").await?;
    ensure!(
        j.attr("fallback-problem-communication-failure", "aria-pressed")
            .await?
            .as_deref()
            == Some("true"),
        "the timeout is classified as a communication failure"
    );
    // The line is back; staff key in the numbers from p01's 資格情報のお知らせ (assets/eligibility/p01*.toml)
    // on the 書類入力 tab (the wizard skips its own お知らせ step while the line counts as down).
    j.click("trainer-oqs-fault-none").await?;
    j.wait_attr("trainer-oqs-fault-none", "aria-pressed", "true")
        .await?;
    j.click("staff-tab-paper").await?;
    j.click("paper-kind-notice").await?;
    j.wait_attr("paper-form", "data-kind", "Notice").await?;
    j.click("paper-doc-notice").await?;
    j.fill("paper-insurer-number", "06139919").await?;
    j.fill("paper-symbol", "1001").await?;
    j.fill("paper-number", "1001").await?;
    j.fill("paper-branch", "00").await?;
    j.fill("paper-birthdate", "1990-01-01").await?;
    // 「マイナンバーカードも提示された」 is never pre-ticked (#12 §5): staff tick it, as the card is on the desk.
    ensure!(
        j.js(
            "return document.querySelector('[data-testid=\"paper-with-card\"]').checked;",
            vec![]
        )
        .await?
        .as_bool()
            == Some(false),
        "「マイナンバーカードも提示された」 starts unticked"
    );
    j.set_checked("paper-with-card", true).await?;
    ensure!(
        j.js(
            "return document.querySelector('[data-testid=\"paper-with-card\"]').checked;",
            vec![]
        )
        .await?
        .as_bool()
            == Some(true),
        "お知らせ presented with the card"
    );
    j.shoot().await?;
    j.click("paper-submit").await?;
    j.click("staff-tab-reception").await?;
    j.wait_completed().await?;
    j.wait_exists("staff-eligibility").await?;
    let name = j.text("staff-eligibility-name").await?;
    ensure!(name.contains("山田 花子"), "eligibility from the numbers: {name}");

    let row = the_one_reception(j).await?;
    ensure!(row.outcome == Outcome::Confirmed, "outcome {:?}", row.outcome);
    ensure!(
        row.fallback == Some(Fallback::CardWithNotice),
        "fallback {:?}",
        row.fallback
    );
    ensure!(
        row.insurer_number.as_deref() == Some("06139919"),
        "insurer {:?}",
        row.insurer_number
    );
    ensure!(row.name == "山田 花子", "name {}", row.name);
    ensure!(row.identity == IdentityMethod::Pin, "identity {:?}", row.identity);
    Ok(())
}

#[test]
fn a_first_visit_during_an_outage_takes_a_declaration_and_prints_it_as_a_pdf() {
    run("07-outage-declaration-pdf", |j| Box::pin(outage_declaration(j)));
}

async fn outage_declaration(j: &mut Journey) -> Result<()> {
    j.click("staff-open-fallback").await?;
    j.wait_screen("Fallback-RetryOrSwitch").await?;
    j.click("fallback-problem-power-outage").await?;
    // 初診: no お知らせ, no previous visit — walk forward to the 申立書.
    let mut saw_notice_step = false;
    for _ in 0..3 {
        if j.screen().await? == "Fallback-Declaration" {
            break;
        }
        let before = j.screen().await?;
        if before == "Fallback-CardWithNotice" {
            // An outage offers the card + お知らせ too, and says it stands on its own if the query fails.
            let hint = j.text("fallback-notice-offline").await?;
            ensure!(
                hint.contains("要再照会"),
                "outage hint on the お知らせ step: {hint}"
            );
            saw_notice_step = true;
        }
        j.click("fallback-next").await?;
        let steps = [
            "Fallback-CardWithNotice",
            "Fallback-PreviousVisit",
            "Fallback-Declaration",
        ];
        let later: Vec<&str> = steps.iter().copied().filter(|s| *s != before).collect();
        j.wait_screen_any(&later).await?;
    }
    j.wait_screen("Fallback-Declaration").await?;
    ensure!(
        saw_notice_step,
        "the outage wizard passed the card + お知らせ step (S004 §5)"
    );
    j.fill("decl-name", "高田 美咲").await?;
    j.fill("decl-name-kana", "タカダ ミサキ").await?;
    j.fill("decl-birthdate", "1985-04-10").await?;
    j.click("decl-sex-female").await?;
    j.fill("decl-address", "東京都千代田区千代田9-9-9 ＊test").await?;
    j.fill("decl-phone", "03-0000-0000").await?;
    j.click("decl-insurance-employee").await?;
    j.fill("decl-insurer-name", "うけつけ商事健康保険組合（模擬）")
        .await?;
    j.fill("decl-insurer-number", "06139919").await?;
    j.fill("decl-symbol", "1001").await?;
    j.fill("decl-number", "2002").await?;
    j.fill("decl-branch", "00").await?;
    j.fill("decl-employer", "うけつけ商事（模擬）").await?;
    j.click("decl-relationship-insured").await?;
    j.click("decl-copay-30").await?;
    j.set_checked("decl-declared-true", true).await?;
    j.shoot().await?;
    j.click("decl-submit").await?;
    j.wait_completed().await?;
    j.click("decl-pdf").await?;
    let path = j.text("decl-pdf-path").await?;
    j.shoot().await?;

    let pdf = std::fs::read(&path).with_context(|| format!("reading the PDF {path}"))?;
    ensure!(pdf.starts_with(b"%PDF"), "{path} is a PDF");
    ensure!(
        pdf.len() > 10_000,
        "{path} has content with an embedded font ({} bytes)",
        pdf.len()
    );
    ensure!(
        std::path::Path::new(&path).starts_with(j.data_dir().join("training").join("documents")),
        "{path} is under the training documents folder"
    );
    let text = pdftotext(&path)?;
    ensure!(text.contains("申立書"), "the PDF says 申立書: {text}");
    ensure!(
        text.contains("高田 美咲") || text.contains("高田美咲"),
        "the PDF carries the name: {text}"
    );
    ensure!(
        text.contains("一部負担金の割合") && text.contains("3割"),
        "the PDF carries the declared share: {text}"
    );

    let row = the_one_reception(j).await?;
    ensure!(row.outcome == Outcome::Declaration, "outcome {:?}", row.outcome);
    ensure!(
        row.fallback == Some(Fallback::Declaration),
        "fallback {:?}",
        row.fallback
    );
    ensure!(row.name == "高田 美咲", "name {}", row.name);
    let stored = j.db()?.reception(row.visit_id)?.context("stored reception")?;
    ensure!(stored.declaration.is_some(), "the 申立書 is stored");
    Ok(())
}
