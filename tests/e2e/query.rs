//! The non-blocking reader while オンライン資格確認 is slow (issue #11 §1): the querying screen counts the
//! seconds the driver has waited, staff cancel the query from the console, the fallback wizard opens with
//! 通信障害, and the answer that arrives afterwards is dropped (no reception completed, none stored).

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use uketsuke_tests::{poll, run_with_env, Journey};

use crate::{nothing_saved, receptions_today, P01, PIN};

/// The trainer's `latency_long` fault (src-tauri/src/app.rs `oqs_fault`).
const LATENCY: Duration = Duration::from_millis(6000);

/// The journey's OQS client timeout: longer than the latency, so the query stays in flight until staff
/// cancel it and its answer really comes back afterwards (the suite's 2 s would time it out first).
const CLIENT_TIMEOUT_SECS: &str = "15";

#[test]
fn a_slow_query_shows_rising_seconds_and_staff_cancel_opens_the_fallback_and_drops_the_late_answer() {
    run_with_env(
        "31-query-latency-cancel",
        &[("UKETSUKE_OQS_TIMEOUT_SECS", CLIENT_TIMEOUT_SECS)],
        |j| Box::pin(query_latency_cancel(j)),
    );
}

/// The seconds in the reader's caption (「{n}秒経過」), or `None` while the caption is not drawn.
async fn caption_secs(j: &Journey) -> Result<Option<i64>> {
    if !j.exists("reader-progress-caption").await? {
        return Ok(None);
    }
    let text = j.text("reader-progress-caption").await?;
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    ensure!(
        !digits.is_empty() && text.contains("秒経過"),
        "caption {text:?} is not 「n秒経過」"
    );
    Ok(Some(digits.parse()?))
}

/// Wait (within the injected latency) until the querying caption shows more than `above` seconds.
/// Fails at once if the reader leaves the querying screen: the answer must not have come yet.
async fn caption_above(j: &Journey, above: i64) -> Result<i64> {
    let seen = poll(
        LATENCY,
        &format!("the querying caption to pass {above} s"),
        || async move {
            let screen = j.screen().await?;
            if screen != "Querying" {
                return Ok(Some(Err(screen)));
            }
            Ok(caption_secs(j).await?.filter(|&n| n > above).map(Ok))
        },
    )
    .await?;
    match seen {
        Ok(n) => Ok(n),
        Err(screen) => {
            bail!("the reader left the querying screen for {screen} while waiting for more than {above} s")
        }
    }
}

// Waiting until the mock's latency has passed is wall time by nature (the app's own clock is not the test's);
// the assertions are on screens and the database, never on how long something took.
#[allow(clippy::disallowed_methods)]
async fn query_latency_cancel(j: &mut Journey) -> Result<()> {
    j.place_card(P01).await?;
    j.wait_screen("MethodChoice").await?;
    j.click("reader-method-pin").await?;
    j.wait_screen("PinEntry").await?;
    j.enter_pin(PIN).await?;
    j.wait_screen("ConsentMode").await?;
    j.click("consent-all").await?;
    j.wait_screen("PrescriptionForm").await?;
    // The service gets slow just before the eligibility query goes out.
    j.click("trainer-oqs-fault-latency-long").await?;
    j.wait_attr("trainer-oqs-fault-latency-long", "aria-pressed", "true")
        .await?;
    j.click("prescription-paper").await?;
    let asked = Instant::now();
    j.wait_screen("Querying").await?;

    // The caption shows the driver's elapsed seconds, and they rise while the call is in flight
    // (`caption_above` fails if the reader leaves the querying screen, i.e. if the answer came first).
    let first = caption_above(j, 0).await?;
    j.shoot().await?;
    let staff = j.text("staff-query-elapsed").await?;
    ensure!(
        staff.chars().any(|c| c.is_ascii_digit()),
        "the staff console shows the elapsed time too: {staff:?}"
    );
    let second = caption_above(j, first).await?;
    ensure!(second > first, "elapsed {first} s, then {second} s");

    // 照会キャンセル from the staff console while the query is still in flight → the fallback wizard,
    // classified as a communication failure. (Had the answer come first, the reader would be on 受付完了 and
    // the console would no longer offer the button.)
    j.click("staff-query-cancel").await?;
    j.wait_screen("Fallback-RetryOrSwitch").await?;
    ensure!(
        j.attr("fallback-problem-communication-failure", "aria-pressed")
            .await?
            .as_deref()
            == Some("true"),
        "the cancelled query is classified as a communication failure"
    );
    ensure!(
        !j.exists("staff-query-cancel").await?,
        "照会キャンセル is no longer offered once the query is cancelled"
    );

    // The answer comes back after the latency (plus a margin for the request itself); it must be dropped:
    // the reader stays in the fallback the whole time and nothing is completed or stored.
    let due = LATENCY + Duration::from_secs(3);
    let me = &*j;
    let left = poll(
        due + Duration::from_secs(5),
        "the late answer to be due",
        || async move {
            let screen = me.screen().await?;
            if screen != "Fallback-RetryOrSwitch" {
                return Ok(Some(Err(screen)));
            }
            if me.exists("staff-eligibility").await? {
                return Ok(Some(Err("staff eligibility panel".to_owned())));
            }
            Ok((asked.elapsed() >= due).then_some(Ok(())))
        },
    )
    .await?;
    if let Err(shown) = left {
        bail!(
            "after 照会キャンセル the late answer moved the reception on: {shown} ({} ms after the query)",
            asked.elapsed().as_millis()
        );
    }
    j.shoot().await?;
    let root = j.text("reader-root").await?;
    ensure!(
        !root.contains("受付が完了しました"),
        "the reader does not show 受付完了: {root}"
    );
    let rows = receptions_today(j).await?;
    ensure!(
        rows.is_empty(),
        "no reception stored for the cancelled query: {rows:#?}"
    );
    nothing_saved(j)
}
