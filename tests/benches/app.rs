//! Benchmark: cold start to the first interactive reader screen, and resident memory after one reception,
//! of the Uketsuke app against a bare Tauri window with an empty page (`src-tauri/examples/bare_window.rs`,
//! same Tauri, same profile), both launched the same way (tauri-driver + WebKitWebDriver on a virtual display)
//! in the same run. Printed as ratios; the launch overhead of WebDriver is in both numbers.

#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use uketsuke_tests::{app_binary, launch, poll, WAIT};

// A benchmark measures wall time; this binary's main is allowed to read the clock.
#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

/// Click, retrying while the UI re-renders the element (a stale reference is not a failure).
async fn click(c: &Client, testid: &str) {
    let css = format!("[data-testid=\"{testid}\"]");
    poll(WAIT, &css, || {
        let c = c.clone();
        let css = css.clone();
        async move {
            match c.find(Locator::Css(&css)).await {
                Ok(el) => Ok(el.click().await.ok()),
                Err(_) => Ok(None),
            }
        }
    })
    .await
    .unwrap();
}

async fn wait_screen(c: &Client, id: &str) {
    let css = format!("[data-screen=\"{id}\"]");
    poll(WAIT, &css, || {
        let c = c.clone();
        let css = css.clone();
        async move { Ok(c.find(Locator::Css(&css)).await.ok().map(|_| ())) }
    })
    .await
    .unwrap();
}

/// One PIN reception for p01 through the window.
async fn one_reception(c: &Client) {
    click(c, "trainer-persona-p01-yamada-hanako").await;
    click(c, "trainer-place-card").await;
    wait_screen(c, "MethodChoice").await;
    click(c, "reader-method-pin").await;
    for k in ["1", "2", "3", "4"] {
        click(c, &format!("pin-key-{k}")).await;
    }
    click(c, "pin-submit").await;
    wait_screen(c, "ConsentMode").await;
    click(c, "consent-all").await;
    wait_screen(c, "PrescriptionForm").await;
    click(c, "prescription-electronic").await;
    wait_screen(c, "Completed").await;
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let app = app_binary().unwrap();
    let bare = app.with_file_name("examples").join("bare_window");
    assert!(
        bare.is_file(),
        "{} missing: build with `cargo build --workspace --all-targets`",
        bare.display()
    );
    let logs = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut app_start, mut bare_start, mut app_mem, mut bare_mem) = (vec![], vec![], vec![], vec![]);
    rt.block_on(async {
        for round in 0..3 {
            let t = now();
            let b = launch(
                &bare,
                "body[data-ready]",
                &logs.path().join(format!("bare-{round}.log")),
            )
            .await
            .unwrap();
            bare_start.push(t.elapsed().as_secs_f64());
            // Let the page settle as the app's does during its reception.
            let (_tx, rx) = std::sync::mpsc::channel::<()>();
            let _ = rx.recv_timeout(Duration::from_secs(2));
            bare_mem.push(b.resident_kib() as f64);
            b.client.clone().close().await.unwrap();
            drop(b);

            let t = now();
            let a = launch(
                &app,
                "[data-screen=\"WaitingForCard\"]",
                &logs.path().join(format!("app-{round}.log")),
            )
            .await
            .unwrap();
            app_start.push(t.elapsed().as_secs_f64());
            one_reception(&a.client).await;
            app_mem.push(a.resident_kib() as f64);
            a.client.clone().close().await.unwrap();
            drop(a);
        }
    });
    let (a, b) = (median(app_start), median(bare_start));
    println!(
        "cold start to the interactive reader screen vs a bare Tauri window: ratio: ours/peer = {:.2} \
         (ours {:.2} s, peer {:.2} s, medians of 3, WebDriver launch included in both)",
        a / b,
        a,
        b
    );
    let (a, b) = (median(app_mem), median(bare_mem));
    println!(
        "resident memory after one reception vs the bare window: ratio: ours/peer = {:.2} \
         (ours {:.0} MiB, peer {:.0} MiB; app + WebKit processes)",
        a / b,
        a / 1024.0,
        b / 1024.0
    );
}
