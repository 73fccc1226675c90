//! The e2e journeys of issue #6: each drives the real training window (reader screen, staff console,
//! trainer panel) through WebDriver, asserts what the screens show, then what the SQLite database holds.
//! One `#[test]` per journey so a failure names its journey; the harness runs them one at a time.

mod camera;
mod card;
mod day;
mod desks;
mod fallback;
mod package;
mod paper;
mod query;
mod rules;
mod terminal;
mod training;
mod trust;

use anyhow::{ensure, Context, Result};
use store::{ReceptionFilter, ReceptionSummary};
use uketsuke_tests::Journey;

/// p01 山田 花子: normal card, PIN 1234, 健保組合 本人 3割.
const P01: &str = "p01-yamada-hanako";
const PIN: &str = "1234";

/// Every reception of the app's today.
async fn receptions_today(j: &Journey) -> Result<Vec<ReceptionSummary>> {
    let today = j.today().await?;
    Ok(j.db()?.receptions_on(today, &ReceptionFilter::default())?)
}

/// Exactly one reception today; returns it.
async fn the_one_reception(j: &Journey) -> Result<ReceptionSummary> {
    let mut rows = receptions_today(j).await?;
    ensure!(
        rows.len() == 1,
        "expected one reception in the database, found {}: {rows:#?}",
        rows.len()
    );
    rows.pop().context("no row")
}

/// Nothing was saved: no visit at all (session ids are written only with a completed reception).
fn nothing_saved(j: &Journey) -> Result<()> {
    let ids = j.db()?.session_ids()?;
    ensure!(
        ids.is_empty(),
        "expected no reception in the database, found sessions {ids:?}"
    );
    Ok(())
}

/// Answer the steps after identity: consent (all) unless `expect_consent` is false, then the
/// prescription question, then wait for 受付完了 and check its text.
async fn consent_and_finish(j: &mut Journey, expect_consent: bool) -> Result<()> {
    let next = j
        .wait_screen_any(&["ConsentMode", "PrescriptionForm", "Completed"])
        .await?;
    ensure!(
        (next == "ConsentMode") == expect_consent,
        "consent screen expected: {expect_consent}, but the reader went to {next}"
    );
    if next == "ConsentMode" {
        j.click("consent-all").await?;
    }
    if j.wait_screen_any(&["PrescriptionForm", "Completed"]).await? == "PrescriptionForm" {
        j.click("prescription-electronic").await?;
    }
    j.wait_completed().await?;
    let title = j.text("reader-root").await?;
    ensure!(
        title.contains("受付が完了しました"),
        "Completed screen text: {title}"
    );
    Ok(())
}

/// The PDF's text via `pdftotext` (Debian package `poppler-utils`, installed by `make test`).
pub(crate) fn pdftotext(path: &str) -> Result<String> {
    let out = std::process::Command::new("pdftotext")
        .args([path, "-"])
        .output()
        .context("`pdftotext` not found: install the Debian package `poppler-utils`")?;
    ensure!(
        out.status.success(),
        "pdftotext {path} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
