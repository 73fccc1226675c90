//! Per-window permissions (#13 §1): the app manifest lists every command of the command table, and each
//! window label has one capability that grants exactly what that window's user may call. The reader window
//! (the patient's) gets the reader screen and the camera only; no window may emit events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use serde_json::Value;
use uketsuke::acl::{all_commands, READER_COMMANDS, TRAINING_ONLY_COMMANDS};

fn capability(name: &str) -> Value {
    let path = format!("{}/capabilities/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The commands a capability grants (`allow-face-frame` → `face_frame`) and its other permissions.
fn grants(cap: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut commands = BTreeSet::new();
    let mut other = BTreeSet::new();
    for p in cap["permissions"].as_array().unwrap() {
        let p = p.as_str().expect("plain permission identifiers, no scopes");
        match p.strip_prefix("allow-") {
            Some(c) => commands.insert(c.replace('-', "_")),
            None => other.insert(p.to_owned()),
        };
    }
    (commands, other)
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn the_manifest_names_every_command_of_the_table_in_its_order() {
    let table: Vec<String> = uketsuke::contract_commands()
        .iter()
        .map(|s| s.name.to_owned())
        .collect();
    assert_eq!(table, all_commands());
}

#[test]
fn each_window_has_one_capability_that_grants_exactly_its_users_commands() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["reader.json", "staff.json", "training.json"],
        "no catch-all capability"
    );
    let all = set(&all_commands());
    let training_only = set(TRAINING_ONLY_COMMANDS);
    for (file, window, expected) in [
        ("training", "main", all.clone()),
        (
            "staff",
            "staff",
            all.difference(&training_only).cloned().collect(),
        ),
        ("reader", "reader", set(READER_COMMANDS)),
    ] {
        let cap = capability(file);
        assert_eq!(
            cap["windows"],
            serde_json::json!([window]),
            "{file}: one window, by label"
        );
        assert!(
            cap.get("webviews").is_none() && cap.get("remote").is_none(),
            "{file}"
        );
        let (commands, other) = grants(&cap);
        assert_eq!(commands, expected, "{file}");
        assert_eq!(
            other,
            set(&["core:event:allow-listen", "core:event:allow-unlisten"]),
            "{file}: webviews listen to events; they never emit them (no core:default, no allow-emit)"
        );
    }
}

#[test]
fn the_reader_window_gets_no_staff_data_no_settings_no_files_and_no_trainer_command() {
    for c in [
        "today_list",
        "patient_search",
        "last_eligibility",
        "export_csv",
        "settings_get",
        "settings_set",
        "declaration_pdf",
        "card_photo",
        "trainer_place_card",
        "scenario_start",
    ] {
        assert!(all_commands().contains(&c), "{c} is a command");
        assert!(!READER_COMMANDS.contains(&c), "{c} is not the patient's");
    }
    for c in TRAINING_ONLY_COMMANDS {
        assert!(all_commands().contains(c), "{c} is a command");
    }
}
