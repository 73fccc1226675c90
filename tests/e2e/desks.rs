//! Two desks on one PostgreSQL server (#15 §2, §4) through two real staff windows: two live apps, each beside a
//! mock 資格確認端末 of its own (folders on this machine, answers from one mock OQS over HTTP on 127.0.0.1),
//! sharing the record on a private PostgreSQL cluster. A 資格確認書 keyed in at desk A appears in desk B's open
//! 本日の受付 without a reload, and the reverse, each row naming its desk.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The mock 端末 and OQS stand in for other machines: they read the wall clock as the app's clock adapter does.
#![allow(clippy::disallowed_methods)]

use std::sync::{Arc, Mutex};

use anyhow::{ensure, Context, Result};
use serde_json::json;
use uketsuke_tests::{poll, run_two_live, Journey, KONDO_CERTIFICATE};

/// One desk's 端末 (its folders and the mock that plays it).
struct Terminal {
    _terminal: oqs::terminal::MockTerminal,
    _root: tempfile::TempDir,
}

/// What the journey needs from outside the windows (the body is a plain fn, so it reaches this through a static).
struct Site {
    _mock: oqs::MockOqs,
    _terminals: Vec<Terminal>,
    server: store::PgTarget,
}

static SITE: Mutex<Option<Site>> = Mutex::new(None);

fn clinic_now() -> chrono::NaiveDateTime {
    // JST, as the app's clock adapter reads it.
    chrono::Utc::now().naive_utc() + chrono::Duration::hours(9)
}

fn terminal_for(mock: &oqs::MockOqs) -> Terminal {
    let root = tempfile::Builder::new()
        .prefix("uketsuke-e2e-desk-")
        .tempdir()
        .unwrap();
    for d in ["req", "res", "face"] {
        std::fs::create_dir(root.path().join(d)).unwrap();
    }
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
    .unwrap();
    Terminal {
        _terminal: terminal,
        _root: root,
    }
}

fn settings(terminal: &Terminal, server: &store::PgTarget, desk: &str) -> String {
    let dir = |d: &str| terminal._root.path().join(d).display().to_string();
    json!({
        "mode": "live",
        "terminal_request_dir": dir("req"),
        "terminal_result_dir": dir("res"),
        "terminal_face_dir": dir("face"),
        "encoding": "sjis",
        "live_database": server.url,
        "desk_name": desk,
    })
    .to_string()
}

#[test]
fn two_desks_on_one_server_see_each_others_receptions_as_they_are_made() {
    let server = store::pgtest::new_pg_database();
    let mock = oqs::MockOqs::start(
        oqs::MockConfig::from_assets(&oqs::mock::repo_assets_dir(), Arc::new(clinic_now)).unwrap(),
    )
    .unwrap();
    let terminals = vec![terminal_for(&mock), terminal_for(&mock)];
    let a = settings(&terminals[0], &server, "受付1");
    let b = settings(&terminals[1], &server, "受付2");
    *SITE.lock().unwrap() = Some(Site {
        _mock: mock,
        _terminals: terminals,
        server,
    });
    run_two_live("45-two-desks", &a, &b, |a, b| Box::pin(two_desks(a, b)));
    SITE.lock().unwrap().take();
}

/// The day's receptions on the shared server, read as the back office would (on a thread of its own: the
/// blocking PostgreSQL client cannot run inside the journey's async runtime).
fn shared_record(day: chrono::NaiveDate) -> Result<Vec<store::ReceptionSummary>> {
    let server = SITE.lock().unwrap().as_ref().context("the site")?.server.clone();
    std::thread::spawn(move || -> Result<Vec<store::ReceptionSummary>> {
        let s = store::Store::connect(&server, store::Mode::Live)?;
        Ok(s.receptions_on(day, &Default::default())?)
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the back office read panicked"))?
}

/// Key in 近藤 幸子's 資格確認書 at `j`'s console and wait until the reception is saved; its row on the server.
async fn certificate_at(j: &mut Journey, desk: &str) -> Result<store::ReceptionSummary> {
    j.key_in_certificate(KONDO_CERTIFICATE).await?;
    j.click("paper-copay-30").await?;
    j.click("paper-submit").await?;
    j.wait_attr("staff-root", "data-reader-screen", "Completed")
        .await?;
    j.wait_attr("staff-root", "data-reception-saved", "true").await?;
    let today = j.today().await?;
    let rows = shared_record(today)?;
    rows.into_iter()
        .rev()
        .find(|r| r.desk.as_deref() == Some(desk))
        .with_context(|| format!("a reception of {desk} on the server"))
}

async fn two_desks(a: &mut Journey, b: &mut Journey) -> Result<()> {
    for j in [&mut *a, &mut *b] {
        j.switch_to_window_titled("職員用").await?;
        j.wait_attr("staff-desk-database-server", "data-online", "true")
            .await?;
        let path = j.text("staff-desk-database").await?;
        ensure!(path.contains("postgres"), "the panel names the server: {path}");
    }
    // Desk B's clerk keeps 本日の受付 open.
    b.click("staff-tab-today").await?;
    b.wait_exists("today-empty").await?;

    let first = certificate_at(a, "受付1").await?;
    let id = first.visit_id.0;
    b.wait_exists(&format!("today-row-{id}"))
        .await
        .context("desk A's reception appears at desk B by itself")?;
    let name = b.text(&format!("today-name-{id}")).await?;
    ensure!(name.contains("近藤 幸子"), "desk B shows {name:?}");
    b.shoot().await?;

    // Now desk A watches its list while desk B receives the same patient again (a 再診 found across desks).
    a.click("staff-tab-reception").await?;
    a.click("staff-next-patient").await?;
    a.wait_attr("staff-root", "data-reader-screen", "WaitingForCard")
        .await?;
    a.click("staff-tab-today").await?;
    a.wait_exists(&format!("today-row-{id}")).await?;
    let second = certificate_at(b, "受付2").await?;
    ensure!(
        second.patient_id == first.patient_id,
        "one patient for both desks: {first:?} / {second:?}"
    );
    let id2 = second.visit_id.0;
    a.wait_exists(&format!("today-row-{id2}"))
        .await
        .context("desk B's reception appears at desk A by itself")?;
    // With two desks in the list, each row names its desk.
    let desks = poll(std::time::Duration::from_secs(20), "the desk column", || async {
        let one = a.text(&format!("today-desk-{id}")).await.ok();
        let two = a.text(&format!("today-desk-{id2}")).await.ok();
        Ok(one.zip(two))
    })
    .await?;
    ensure!(
        desks == ("受付1".to_owned(), "受付2".to_owned()),
        "desk column at desk A: {desks:?}"
    );
    a.shoot().await?;
    Ok(())
}
