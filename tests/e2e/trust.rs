//! Trust boundaries (#13 §1) through the real live-mode windows: the patient's reader window is refused every
//! command that is not the patient's (by the capability of its window label) and every staff input sent
//! through `send` (by the command), and nothing changes: no reception, no settings, no export.

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
    Ok(())
}
