//! Trust boundaries (#13 §1) through the real live-mode windows: the patient's reader window is refused every
//! command that is not the patient's (by the capability of its window label) and every staff input sent
//! through `send` (by the command), and nothing changes: no reception, no settings, no export.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::{ensure, Result};
use serde_json::{json, Value};
use uketsuke_tests::{run_live, Journey};

// The command lists the app manifest is built from (plain data, shared with src-tauri/build.rs).
mod acl {
    #![allow(dead_code)]
    include!("../../src-tauri/src/acl.rs");
}

/// Plausible arguments, so a refusal is the window's permission, not a decoding error.
fn args_for(command: &str) -> Value {
    match command {
        "today_list" => json!({ "filter": {} }),
        "patient_search" => json!({ "kana": "ヤマダ" }),
        "last_eligibility" => json!({ "patient_id": "P-1" }),
        "export_csv" => json!({ "date": "2026-12-02", "encoding": "Utf8" }),
        "settings_set" => json!({ "settings": { "face_threshold": -1.0 } }),
        "declaration_pdf" => json!({ "declaration": {} }),
        "trainer_place_card" => json!({ "persona": "p01-yamada-hanako" }),
        "scenario_start" => json!({ "scenario": "s01-pin-ordinary", "trainee": "x" }),
        _ => json!({}),
    }
}

#[test]
fn the_patients_reader_window_is_refused_every_staff_command_and_staff_input_and_nothing_changes() {
    run_live("50-live-reader-refusals", |j| Box::pin(reader_refusals(j)));
}

async fn reader_refusals(j: &mut Journey) -> Result<()> {
    j.switch_to_window_titled("患者用").await?;
    let settings = j.data_dir().join("settings.json");
    let settings_before = std::fs::read(&settings).ok();
    let today = j.today().await?;
    let before = j.live_db()?.receptions_on(today, &Default::default())?;

    // The patient's own commands answer.
    ensure!(
        j.invoke("snapshot", json!({})).await?.is_ok(),
        "the reader reads its snapshot"
    );
    // Live windows have no WebKit inspector, even in this debug build (#13 §2): as read back from WebKit.
    let info = j.invoke("app_info", json!({})).await?;
    ensure!(
        info.as_ref().ok().and_then(|i| i.get("inspector")) == Some(&json!(false)),
        "the reader window's inspector is off: {info:?}"
    );

    // Every other command is refused by the window's capability.
    let mut refused = Vec::new();
    for command in acl::all_commands()
        .into_iter()
        .filter(|c| !acl::READER_COMMANDS.contains(c))
    {
        match j.invoke(command, args_for(command)).await? {
            Ok(reply) => anyhow::bail!("{command} answered the reader window: {reply}"),
            Err(e) => {
                let text = e.to_string();
                ensure!(
                    text.contains("not allowed"),
                    "{command}: refused by the ACL, got {text}"
                );
                refused.push(command);
            }
        }
    }
    ensure!(
        refused.len() >= 20,
        "every staff and trainer command was tried: {refused:?}"
    );

    // Staff inputs through `send` are refused with our closed code, whatever the action.
    for action in [
        json!({ "SetVisualMode": true }),
        json!({ "VisualCheckResult": true }),
        json!("NextPatient"),
        json!({ "Hotline": true }),
        json!("OpenFallback"),
        json!({ "ConfirmFullCharge": null }),
    ] {
        let r = j
            .invoke("send", json!({ "event": { "kind": "Staff", "value": action } }))
            .await?;
        match r {
            Ok(snap) => anyhow::bail!("staff input {action} was taken from the reader window: {snap}"),
            Err(e) => ensure!(
                e.get("code").and_then(Value::as_str) == Some("forbidden"),
                "staff input {action}: forbidden, got {e}"
            ),
        }
    }
    // No window emits events: a forged snapshot is refused too (`emit` is the `plugin:event|emit` command).
    let forged = j
        .invoke(
            "plugin:event|emit",
            json!({ "event": "snapshot", "payload": { "screen": "Completed" } }),
        )
        .await?;
    match forged {
        Ok(_) => anyhow::bail!("the reader window emitted a snapshot"),
        Err(e) => ensure!(
            e.to_string().contains("not allowed"),
            "emit refused by the ACL, got {e}"
        ),
    }

    // Nothing changed.
    let after = j.live_db()?.receptions_on(today, &Default::default())?;
    ensure!(
        after.len() == before.len(),
        "receptions {} → {}",
        before.len(),
        after.len()
    );
    ensure!(
        std::fs::read(&settings).ok() == settings_before,
        "settings.json changed"
    );
    let exports = j.data_dir().join("live").join("exports");
    let exported = std::fs::read_dir(&exports).map(|d| d.count()).unwrap_or(0);
    ensure!(exported == 0, "{exported} files in {}", exports.display());
    j.shoot().await?;

    // The staff console has no inspector either.
    j.switch_to_window_titled("職員用").await?;
    let info = j.invoke("app_info", json!({})).await?;
    ensure!(
        info.as_ref().ok().and_then(|i| i.get("inspector")) == Some(&json!(false)),
        "the staff window's inspector is off: {info:?}"
    );

    // #13 §3: the mode changes only from the console, confirmed, from the next start. This run is live through
    // UKETSUKE_MODE; settings.json (if any) starts in training.
    j.click("staff-tab-settings").await?;
    j.wait_exists("settings-mode-training").await?;
    ensure!(
        j.attr("settings-mode-training", "aria-checked").await?.as_deref() == Some("true"),
        "the console shows the mode the file starts in"
    );
    j.fill("settings-oqs-endpoint", "https://oqs.clinic.invalid/")
        .await?;
    j.click("settings-mode-live").await?;
    j.wait_exists("settings-mode-confirm").await?;
    j.click("settings-save").await?;
    j.wait_text("staff-toast", "確認").await?;
    ensure!(
        std::fs::read(&settings).ok() == settings_before,
        "nothing saved without the confirmation"
    );
    j.set_checked("settings-mode-confirm", true).await?;
    j.click("settings-save").await?;
    j.wait_text("staff-toast", "次回の起動から").await?;
    let saved: Value = serde_json::from_slice(&std::fs::read(&settings)?)?;
    ensure!(
        saved["mode"] == json!("live"),
        "saved for the next start: {saved}"
    );
    let info = j.invoke("app_info", json!({})).await?;
    ensure!(
        info.as_ref().ok().and_then(|i| i.get("mode")) == Some(&json!("live")),
        "the running mode is unchanged: {info:?}"
    );
    j.shoot().await?;
    Ok(())
}

/// Wait up to `limit` for `what`, re-checking every 50 ms (I/O back-off on another process, not flow time).
fn wait_for(limit: std::time::Duration, mut what: impl FnMut() -> bool) -> bool {
    let step = std::time::Duration::from_millis(50);
    let mut waited = std::time::Duration::ZERO;
    while waited < limit {
        if what() {
            return true;
        }
        std::thread::park_timeout(step);
        waited += step;
    }
    what()
}

/// #13 §6: Ctrl-C in `make run` (SIGINT) or a `kill` (SIGTERM) ends the app as closing it does — its private
/// pcscd is stopped with it, not left running (it used to outlive the app).
#[test]
fn the_app_stops_its_own_pcscd_on_sigterm_and_sigint() {
    for signal in ["TERM", "INT"] {
        let mut app = uketsuke_tests::BareApp::start().unwrap();
        let pid_file = app.pcscd_dir().join("pcscd.pid");
        let pcscd = || {
            std::fs::read_to_string(&pid_file)
                .ok()
                .and_then(|p| p.trim().parse::<u32>().ok())
        };
        assert!(
            wait_for(std::time::Duration::from_secs(60), || pcscd()
                .is_some_and(mynacard::pcscd::is_running)),
            "the app started its private pcscd ({})",
            pid_file.display()
        );
        let daemon = pcscd().unwrap();
        // The app catches both signals (SigCgt in /proc: bit n-1 for signal n) before it starts anything.
        let catches = |pid: u32| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("SigCgt:"))
                        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
                })
                .is_some_and(|mask| mask & (1 << (15 - 1)) != 0 && mask & (1 << (2 - 1)) != 0)
        };
        assert!(catches(app.child.id()), "the app handles SIGTERM and SIGINT");
        std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(app.child.id().to_string())
            .status()
            .unwrap();
        let exited = wait_for(std::time::Duration::from_secs(20), || {
            matches!(app.child.try_wait(), Ok(Some(_)))
        });
        let left = mynacard::pcscd::is_running(daemon);
        if left {
            let _ = std::process::Command::new("kill")
                .arg(daemon.to_string())
                .status();
        }
        assert!(exited, "SIG{signal} ended the app");
        assert!(!left, "SIG{signal}: the app's pcscd (pid {daemon}) outlived it");
    }
}

/// Run an X tool on `display`; its stdout.
fn x_tool(display: &str, tool: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .env("DISPLAY", display)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (make deps installs it): {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The pixels of a 260×220 box right-below (x, y) of the screen, as PPM bytes.
fn crop(display: &str, x: u32, y: u32) -> Vec<u8> {
    let out = std::process::Command::new("import")
        .args(["-window", "root", "-crop"])
        .arg(format!("260x220+{x}+{y}"))
        .arg("ppm:-")
        .env("DISPLAY", display)
        .output()
        .expect("import (ImageMagick; make deps installs it)");
    out.stdout
}

/// Does a PPM crop hold more than one colour (text drawn, not a blank window)?
fn painted(ppm: &[u8]) -> bool {
    // P6 header: magic, size and depth, each ended by a newline.
    let body = ppm
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(2)
        .map_or(&[][..], |(i, _)| &ppm[i + 1..]);
    let mut pixels = body.chunks_exact(3);
    let first = pixels.next();
    pixels.any(|p| Some(p) != first)
}

/// Right-click inside the window titled `title` and report whether anything appeared there (WebKit's menu:
/// Back / Forward / Reload / Inspect Element).
fn right_click_shows_a_menu(app: &uketsuke_tests::BareApp, title: &str) -> bool {
    let d = app.display();
    let mut window = String::new();
    assert!(
        wait_for(std::time::Duration::from_secs(60), || {
            window = x_tool(d, "xdotool", &["search", "--name", title])
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            !window.is_empty()
        }),
        "the window {title} appeared"
    );
    // Without a window manager live's two windows overlap at 0,0: bring this one to the top.
    x_tool(d, "xdotool", &["windowraise", &window]);
    let geometry = x_tool(d, "xdotool", &["getwindowgeometry", "--shell", &window]);
    let value = |k: &str| -> u32 {
        geometry
            .lines()
            .find_map(|l| l.strip_prefix(k).and_then(|v| v.parse().ok()))
            .unwrap_or(0)
    };
    // A quiet spot left of the centre, away from buttons.
    let (x, y) = (
        value("X=") + value("WIDTH=") / 4,
        value("Y=") + value("HEIGHT=") / 2,
    );
    // The page has settled when it is painted (the spot holds text, not one flat colour: a window still blank
    // under load looked "settled" and then painted after the click) and two looks a moment apart agree (raised
    // again each time: live's staff window may map on top after the reader's).
    let mut before = crop(d, x, y);
    assert!(
        wait_for(std::time::Duration::from_secs(30), || {
            x_tool(d, "xdotool", &["windowraise", &window]);
            std::thread::park_timeout(std::time::Duration::from_millis(500));
            let now = crop(d, x, y);
            let same = now == before && painted(&now);
            before = now;
            same
        }),
        "the page settled"
    );
    x_tool(
        d,
        "xdotool",
        &["mousemove", &x.to_string(), &y.to_string(), "click", "3"],
    );
    // WebKit's menu is a window of its own mapped at the pointer (seen: 167×134 at the click point). Looking for
    // that window, not for changed pixels: a late repaint of the page (a font, the other window mapping) is not
    // a menu. A menu opens within a moment; give it two seconds before concluding there is none.
    wait_for(std::time::Duration::from_secs(2), || menu_window_at(d, x, y))
}

/// Is a top-level window of menu size mapped with its corner at (`x`, `y`)?
fn menu_window_at(d: &str, x: u32, y: u32) -> bool {
    let tree = x_tool(d, "xwininfo", &["-root", "-children"]);
    tree.lines().any(|line| {
        // "  0x200104 "uketsuke": ("uketsuke" "Uketsuke")  167x134+400+451  +400+451"
        let Some(geometry) = line.split_whitespace().rev().nth(1) else {
            return false;
        };
        let mut parts = geometry.split(['x', '+']);
        let mut next = || parts.next().and_then(|v| v.parse::<i64>().ok());
        let (Some(w), Some(h), Some(wx), Some(wy)) = (next(), next(), next(), next()) else {
            return false;
        };
        w >= 50 && h >= 30 && (wx - i64::from(x)).abs() <= 3 && (wy - i64::from(y)).abs() <= 3
    })
}

/// #13 §2: the patient's window in live mode has no WebKit context menu (Reload / Back / Inspect Element are
/// not the patient's); the training window of this debug build has one, so the probe sees a menu when there is.
#[test]
fn the_patients_window_in_live_mode_opens_no_context_menu() {
    let mut training = std::process::Command::new(uketsuke_tests::app_binary().unwrap());
    training.env("UKETSUKE_MODE", "training");
    let app = uketsuke_tests::BareApp::start_with(training).unwrap();
    assert!(
        right_click_shows_a_menu(&app, "練習モード"),
        "control: WebKit's menu opens in the training window"
    );
    drop(app);

    let mut live = std::process::Command::new(uketsuke_tests::app_binary().unwrap());
    live.env("UKETSUKE_MODE", "live");
    let app = uketsuke_tests::BareApp::start_with(live).unwrap();
    assert!(
        !right_click_shows_a_menu(&app, "患者用"),
        "a context menu opened on the patient's window"
    );
}
