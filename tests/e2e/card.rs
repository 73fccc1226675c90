//! Journeys with the card on the reader: PIN, face, face → PIN, locked PIN → 目視, grace certificate,
//! card pulled mid-flow.

use anyhow::{ensure, Context as _, Result};
use chrono::Duration;
use store::{IdentityMethod, Outcome};
use uketsuke_tests::{run, Journey};

use crate::{consent_and_finish, nothing_saved, the_one_reception, P01, PIN};

#[test]
fn a_patient_who_types_the_right_pin_and_consents_is_checked_in_with_a_24h_consent() {
    run("01-pin-success", |j| Box::pin(pin_success(j)));
}

async fn pin_success(j: &mut Journey) -> Result<()> {
    // The clerk watches 本日の受付 while the patient checks in at the reader: the row must come by itself.
    j.click("staff-tab-today").await?;
    j.wait_exists("today-empty").await?;
    j.place_card(P01).await?;
    j.wait_screen("MethodChoice").await?;
    ensure!(j.exists("reader-method-pin").await?, "PIN offered for p01");
    j.click("reader-method-pin").await?;
    j.wait_screen("PinEntry").await?;
    ensure!(
        j.text("pin-tries-left").await?.contains('3'),
        "p01 has 3 tries: {}",
        j.text("pin-tries-left").await?
    );
    j.enter_pin(PIN).await?;
    consent_and_finish(j, true).await?;
    let row = the_one_reception(j).await?;
    j.wait_exists(&format!("today-row-{}", row.visit_id.0))
        .await
        .context("本日の受付, left open, shows the reception without a reload")?;
    j.click("staff-tab-reception").await?;
    let staff_basis = j.text("staff-completed-basis").await?;
    ensure!(!staff_basis.is_empty(), "staff console shows the basis");
    // Staff console shows the consent badges with the 24 h expiry.
    j.wait_exists("staff-eligibility-consent-expiry").await?;
    j.shoot().await?;

    ensure!(row.identity == IdentityMethod::Pin, "identity {:?}", row.identity);
    ensure!(row.outcome == Outcome::Confirmed, "outcome {:?}", row.outcome);
    ensure!(row.fallback.is_none(), "no fallback: {:?}", row.fallback);
    ensure!(row.name == "山田 花子", "name {}", row.name);
    ensure!(
        row.insurer_number.as_deref() == Some("06139919"),
        "insurer {:?}",
        row.insurer_number
    );
    let stored = j.db()?.reception(row.visit_id)?;
    let consent = stored.and_then(|s| s.consent);
    let Some(c) = consent else {
        anyhow::bail!("consent missing in the database");
    };
    ensure!(
        c.medical_and_drugs && c.surgery && c.checkups,
        "all consent items: {c:?}"
    );
    ensure!(
        c.expires_at - c.given_at == Duration::hours(24),
        "consent valid 24 h: given {} expires {}",
        c.given_at,
        c.expires_at
    );
    ensure!(
        row.consent_expires_at == Some(c.expires_at),
        "summary shows the expiry"
    );

    // 本日の受付 shows the stored reception with its real time, name and identity method (not 「—」).
    j.click("staff-tab-today").await?;
    let id = row.visit_id.0;
    j.wait_exists(&format!("today-row-{id}")).await?;
    let time = j.text(&format!("today-time-{id}")).await?;
    ensure!(
        time == row.at.format("%H:%M").to_string(),
        "today's list shows the time {time:?}; the reception was at {}",
        row.at
    );
    let name = j.text(&format!("today-name-{id}")).await?;
    ensure!(name == "山田 花子", "today's list shows the name {name:?}");
    let method = j.text(&format!("today-identity-{id}")).await?;
    ensure!(
        method.contains("暗証番号") && method.contains("本人"),
        "today's list shows the identity method and operator: {method:?}"
    );
    j.shoot().await?;
    Ok(())
}

#[test]
fn a_face_that_matches_the_card_photo_checks_the_patient_in() {
    run("02-face-match", |j| Box::pin(face_match(j)));
}

async fn face_match(j: &mut Journey) -> Result<()> {
    j.click("trainer-camera-same").await?;
    j.place_card(P01).await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-face").await?;
    consent_and_finish(j, true).await?;
    let row = the_one_reception(j).await?;
    ensure!(
        row.identity == IdentityMethod::Face,
        "identity {:?}",
        row.identity
    );
    ensure!(row.outcome == Outcome::Confirmed, "outcome {:?}", row.outcome);
    Ok(())
}

#[test]
fn a_face_that_does_not_match_lets_the_patient_switch_to_the_pin() {
    run("03-face-no-match-then-pin", |j| Box::pin(face_no_match(j)));
}

async fn face_no_match(j: &mut Journey) -> Result<()> {
    j.click("trainer-camera-other").await?;
    j.place_card(P01).await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-face").await?;
    j.wait_screen("FaceFailed").await?;
    ensure!(j.exists("reader-face-retry").await?, "retry offered");
    j.click("reader-face-use-pin").await?;
    j.wait_screen("PinEntry").await?;
    j.enter_pin(PIN).await?;
    consent_and_finish(j, true).await?;
    let row = the_one_reception(j).await?;
    ensure!(row.identity == IdentityMethod::Pin, "identity {:?}", row.identity);
    ensure!(row.outcome == Outcome::Confirmed, "outcome {:?}", row.outcome);
    Ok(())
}

#[test]
fn a_locked_pin_is_handled_by_staff_visual_check_and_the_reader_returns_to_unattended() {
    run("04-pin-locked-visual-check", |j| Box::pin(pin_locked(j)));
}

async fn pin_locked(j: &mut Journey) -> Result<()> {
    j.place_card("p02-sato-kenji").await?;
    j.wait_screen("MethodChoice").await?;
    ensure!(
        !j.exists("reader-method-pin").await?,
        "a locked PIN is not offered"
    );
    j.wait_exists("reader-notice-PinLocked").await?;
    ensure!(
        j.text("reader-notice-PinLocked").await?.contains("ロック"),
        "locked notice text"
    );
    j.click("staff-visual-toggle").await?;
    j.wait_screen("VisualCheck").await?;
    j.wait_text("staff-reader-mode", "目視確認").await?;
    j.wait_exists("staff-visual-photo").await?;
    // The card front's 券面事項 sit next to the photo for the comparison (issue #6): p02's name and birth date.
    j.wait_text("staff-visual-name", "佐藤 健二").await?;
    let born = j.text("staff-visual-birthdate").await?;
    ensure!(
        born.contains("昭和53年5月12日") && born.contains("1978年5月12日"),
        "birthdate {born}"
    );
    j.shoot().await?;
    j.click("staff-visual-confirm").await?;
    // One 目視 use only: the reader is back in unattended mode as soon as staff confirm.
    j.wait_text("staff-reader-mode", "無人運転").await?;
    consent_and_finish(j, true).await?;
    j.wait_text("staff-reader-mode", "無人運転").await?;
    ensure!(
        j.attr("staff-visual-toggle", "aria-checked").await?.as_deref() == Some("false"),
        "visual switch off again"
    );
    let row = the_one_reception(j).await?;
    ensure!(
        row.identity == IdentityMethod::StaffVisual,
        "identity {:?}",
        row.identity
    );
    ensure!(row.name == "佐藤 健二", "name {}", row.name);
    ensure!(row.outcome == Outcome::Confirmed, "outcome {:?}", row.outcome);
    Ok(())
}

#[test]
fn an_expired_certificate_in_grace_checks_eligibility_only_without_consent() {
    run("05-expired-cert-grace", |j| Box::pin(grace(j)));
}

async fn grace(j: &mut Journey) -> Result<()> {
    j.place_card("p06-ito-akira").await?;
    j.wait_screen("CertWarning").await?;
    let warning = j.text("reader-root").await?;
    ensure!(
        warning.contains("有効期限が切れています") && warning.contains("資格の確認のみ"),
        "grace warning: {warning}"
    );
    j.click("reader-continue").await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-pin").await?;
    j.wait_screen("PinEntry").await?;
    j.enter_pin(PIN).await?;
    consent_and_finish(j, false).await?;
    ensure!(
        !j.exists("staff-eligibility-consent-expiry").await?,
        "no consent badge for grace"
    );
    let row = the_one_reception(j).await?;
    ensure!(row.name == "伊藤 明", "name {}", row.name);
    ensure!(row.outcome == Outcome::Confirmed, "outcome {:?}", row.outcome);
    ensure!(
        row.consent_expires_at.is_none(),
        "no consent row: {:?}",
        row.consent_expires_at
    );
    let stored = j.db()?.reception(row.visit_id)?;
    ensure!(stored.is_some_and(|s| s.consent.is_none()), "consent absent");
    Ok(())
}

#[test]
fn a_card_pulled_on_the_pin_screen_returns_to_waiting_and_saves_nothing() {
    run("09-card-pulled", |j| Box::pin(card_pulled(j)));
}

async fn card_pulled(j: &mut Journey) -> Result<()> {
    j.place_card(P01).await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-pin").await?;
    j.wait_screen("PinEntry").await?;
    j.click("pin-key-1").await?;
    j.remove_card().await?;
    j.wait_screen("WaitingForCard").await?;
    ensure!(j.exists("reader-smartphone").await?, "first screen is back");
    nothing_saved(j)
}
