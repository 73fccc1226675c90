//! Live beside a 資格確認端末 (#16 §3) through the real staff window: the mock 端末 plays both folders on this
//! machine (answering from the mock OQS over HTTP on 127.0.0.1) and the certified reader's face folder.
//! A 資格確認書 keyed in at the console is answered 有効 through the files and stored; a face result dropped by
//! "the certified reader" appears in today's list; a 該当なし file opens the wizard; the status panel says
//! what is not ready instead of 「カード待ち」.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The mock 端末 and OQS stand in for other machines: they read the wall clock as the app's clock adapter does.
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{ensure, Context, Result};
use serde_json::json;
use uketsuke_tests::{run_live_with_settings, Journey, KONDO_CERTIFICATE};

/// The 端末 side, alive for the journey (the body is a plain fn, so it reaches this through a static).
struct Terminal {
    mock: oqs::MockOqs,
    terminal: oqs::terminal::MockTerminal,
    root: tempfile::TempDir,
}

static TERMINAL: Mutex<Option<Terminal>> = Mutex::new(None);

fn clinic_now() -> chrono::NaiveDateTime {
    // JST, as the app's clock adapter reads it.
    chrono::Utc::now().naive_utc() + chrono::Duration::hours(9)
}

fn terminal_dir(name: &str) -> PathBuf {
    TERMINAL.lock().unwrap().as_ref().unwrap().root.path().join(name)
}

#[test]
fn live_beside_a_terminal_checks_by_numbers_through_its_folders_and_lists_the_certified_readers_results() {
    let root = tempfile::Builder::new()
        .prefix("uketsuke-e2e-terminal-")
        .tempdir()
        .unwrap();
    for d in ["req", "res", "face"] {
        std::fs::create_dir(root.path().join(d)).unwrap();
    }
    let mock = oqs::MockOqs::start(
        oqs::MockConfig::from_assets(&oqs::mock::repo_assets_dir(), Arc::new(clinic_now)).unwrap(),
    )
    .unwrap();
    let client = oqs::OqsClient::new(oqs::ClientConfig::new(mock.url()));
    let terminal = oqs::terminal::MockTerminal::start(
        oqs::terminal::Folders {
            requests: root.path().join("req"),
            results: root.path().join("res"),
            charset: oqs::Charset::ShiftJis,
        },
        root.path().join("face"),
        Box::new(clinic_now),
        Box::new(move |req| client.query(req)),
    )
    .unwrap()
    .with_face_charset(oqs::Charset::ShiftJis);
    let dir = |d: &str| root.path().join(d).display().to_string();
    let settings = json!({
        "mode": "live",
        "terminal_request_dir": dir("req"),
        "terminal_result_dir": dir("res"),
        "terminal_face_dir": dir("face"),
        "encoding": "sjis",
    })
    .to_string();
    *TERMINAL.lock().unwrap() = Some(Terminal { mock, terminal, root });
    run_live_with_settings("60-live-beside-a-terminal", &settings, |j| {
        Box::pin(beside_a_terminal(j))
    });
    TERMINAL.lock().unwrap().take();
}

async fn beside_a_terminal(j: &mut Journey) -> Result<()> {
    // No card reader: the patient is sent to the desk instead of being asked for a card.
    j.switch_to_window_titled("患者用").await?;
    j.wait_exists("reader-not-ready").await?;
    let patient = j.text("reader-not-ready").await?;
    ensure!(
        patient.contains("受付窓口") && !patient.contains("置いてください"),
        "the patient's screen: {patient}"
    );
    j.switch_to_window_titled("職員用").await?;
    // Started with no card reader: the console says what to do, not 「カード待ち」.
    j.wait_exists("staff-desk-panel").await?;
    j.wait_attr("staff-desk-eligibility", "data-path", "terminal")
        .await?;
    let screen = j.text("staff-reader-screen").await?;
    ensure!(
        screen.contains("準備ができていません"),
        "not ready, said so: {screen}"
    );
    let todo = j.text("staff-reader-todo").await?;
    ensure!(
        todo.contains("接続されていません") || todo.contains("pcscd"),
        "what to do about the reader: {todo}"
    );
    ensure!(
        !j.exists("staff-desk-todo").await?,
        "nothing else is missing (and the reader is not said twice)"
    );
    ensure!(
        j.attr("staff-desk-folder-request", "data-ok").await?.as_deref() == Some("true"),
        "the request folder is usable"
    );
    j.shoot().await?;

    // 1. A 資格確認書 keyed in at the console, answered 有効 through the folders.
    j.key_in_certificate(KONDO_CERTIFICATE).await?;
    j.click("paper-copay-30").await?;
    j.click("paper-submit").await?;
    j.click("staff-tab-reception").await?;
    j.wait_attr("staff-root", "data-reader-screen", "Completed")
        .await?;
    let basis = j.text("staff-completed-basis").await?;
    j.wait_attr("staff-desk-last", "data-outcome", "answered").await?;
    j.shoot().await?;
    let today = j.today().await?;
    let rows = j.live_db()?.receptions_on(today, &Default::default())?;
    ensure!(rows.len() == 1, "one reception: {rows:?} ({basis})");
    ensure!(rows[0].name == "近藤 幸子", "{rows:?}");
    ensure!(
        !rows[0].recheck_open,
        "checked online through the 端末, no re-check task"
    );
    ensure!(
        std::fs::read_dir(terminal_dir("req"))?.count() == 0
            && std::fs::read_dir(terminal_dir("res"))?.count() == 0,
        "the request was consumed by the 端末 and the result by us"
    );
    j.click("staff-next-patient").await?;
    j.wait_attr("staff-root", "data-reader-screen", "WaitingForCard")
        .await?;

    // 2. The certified reader finishes a reception: its face result appears in today's list.
    let answer = {
        let guard = TERMINAL.lock().unwrap();
        let t = guard.as_ref().context("the 端末")?;
        let client = oqs::OqsClient::new(oqs::ClientConfig::new(t.mock.url()));
        let q = oqs::NumberQuery {
            insurer_number: "06139919".into(),
            symbol: Some("1001".into()),
            number: "1001".into(),
            branch: Some("00".into()),
            birthdate: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            date: today,
            limit_consent: true,
        };
        let msg = client.query_by_numbers(&q, true)?;
        t.terminal.drop_face_result(&msg, clinic_now())?;
        msg
    };
    j.click("staff-tab-today").await?;
    let row = uketsuke_tests::poll(
        std::time::Duration::from_secs(20),
        "the certified reader's row",
        || async {
            let rows = j.live_db()?.receptions_on(today, &Default::default())?;
            Ok(rows.into_iter().find(|r| r.certified_reader_file.is_some()))
        },
    )
    .await?;
    ensure!(row.name == "山田 花子", "{row:?}");
    j.wait_exists(&format!("today-certified-{}", row.visit_id.0))
        .await?;
    j.shoot().await?;

    // 3. A 該当資格なし from the certified reader: listed for the desk, and the wizard opens.
    let mut not_found = answer;
    not_found.body.qualification_validity = Some(oqs::codes::QualificationValidity::NoMatch);
    not_found.body.result_list = None;
    {
        let guard = TERMINAL.lock().unwrap();
        let t = guard.as_ref().context("the 端末")?;
        t.terminal
            .drop_face_result(&not_found, clinic_now() + chrono::Duration::minutes(1))?;
    }
    j.click("staff-tab-reception").await?;
    j.wait_attr("staff-root", "data-reader-screen", "Fallback")
        .await?;
    j.wait_attr("staff-certified-1", "data-outcome", "needs_desk")
        .await?;
    let line = j.text("staff-certified-1").await?;
    ensure!(line.contains("資格なし"), "the desk sees why: {line}");
    j.shoot().await?;
    let rows = j.live_db()?.receptions_on(today, &Default::default())?;
    ensure!(rows.len() == 2, "資格なし is not a reception: {rows:?}");
    Ok(())
}
