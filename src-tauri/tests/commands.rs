//! Command wiring through Tauri's mock runtime: the real commands, the real `App` state (live mode against
//! the mock OQS service on 127.0.0.1 and a real SQLite file in a temp dir), no window and no pcscd.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use serde_json::json;
use uketsuke::config::{Mode, Settings};

mod common;
use common::{call, mock_app, MockApp};

struct Fixture {
    _dir: tempfile::TempDir,
    _mock: oqs::MockOqs,
    app: MockApp,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(|| {
        chrono::NaiveDate::from_ymd_opt(2026, 5, 20)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    });
    let mock =
        oqs::MockOqs::start(oqs::MockConfig::from_assets(&oqs::mock::repo_assets_dir(), clock).unwrap())
            .unwrap();
    // Live mode: no trainer, no pcscd; the reader does not exist so no card event comes.
    let settings = Settings {
        mode: Mode::Live,
        oqs_endpoint: mock.url(),
        reader_name: "No Such Reader 00".into(),
        ..Settings::default()
    };
    let app = mock_app(dir.path(), settings);
    Fixture {
        _dir: dir,
        _mock: mock,
        app,
    }
}

#[test]
fn the_first_snapshot_is_the_waiting_screen_without_a_training_watermark_in_live_mode() {
    let f = fixture();
    let snap = call(&f.app, "snapshot", json!({})).unwrap();
    assert_eq!(snap["screen"], json!("WaitingForCard"));
    assert_eq!(
        snap["training"],
        json!(false),
        "live mode shows no 練習 watermark"
    );
    let info = call(&f.app, "app_info", json!({})).unwrap();
    assert_eq!(info["mode"], json!("live"));
    drop(f.app);
}

#[test]
fn a_staff_action_sent_as_user_input_changes_the_reader_mode() {
    let f = fixture();
    let snap = call(
        &f.app,
        "send",
        json!({"event": {"kind": "Staff", "value": {"SetVisualMode": true}}}),
    )
    .unwrap();
    assert_eq!(snap["mode"], json!("VisualCheck"));
    let snap = call(
        &f.app,
        "send",
        json!({"event": {"kind": "Staff", "value": {"SetVisualMode": false}}}),
    )
    .unwrap();
    assert_eq!(snap["mode"], json!("Unattended"));
}

#[test]
fn a_page_cannot_send_a_port_result_as_an_event() {
    let f = fixture();
    let err = call(
        &f.app,
        "send",
        json!({"event": {"kind": "CardRead", "value": {"Ok": {}}}}),
    )
    .unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"), "rejected at decoding: {err}");
    assert!(
        err["params"]["detail"].as_str().unwrap().contains("CardRead"),
        "the detail names what did not decode: {err}"
    );
    let snap = call(&f.app, "snapshot", json!({})).unwrap();
    assert_eq!(snap["screen"], json!("WaitingForCard"), "nothing happened");
}

#[test]
fn trainer_commands_answer_not_available_in_live_mode_with_a_closed_code() {
    let f = fixture();
    let err = call(
        &f.app,
        "trainer_place_card",
        json!({"persona": "p01-yamada-hanako"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], json!("not_available"));
    assert_eq!(
        err["key"],
        json!("training_only"),
        "an i18n key, not a sentence: {err}"
    );
}

#[test]
fn an_argument_that_does_not_decode_is_an_invalid_input_error_naming_the_command() {
    let f = fixture();
    let err = call(&f.app, "today_list", json!({"filter": 7})).unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"), "{err}");
    assert_eq!(err["key"], json!("invalid_arguments"), "{err}");
    assert_eq!(err["params"]["command"], json!("today_list"), "{err}");
    // A required argument left out is the same error, not Tauri's bare string.
    let err = call(&f.app, "export_csv", json!({"date": "2026-05-20"})).unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"), "{err}");
    assert!(
        err["params"]["detail"].as_str().unwrap().contains("encoding"),
        "{err}"
    );
}

#[test]
fn every_command_of_the_contract_is_registered_and_fails_only_with_a_typed_error() {
    let f = fixture();
    for spec in uketsuke::contract_commands() {
        // Live mode and no arguments: each answers, or refuses with {code, key, params}; none is unknown.
        if let Err(err) = call(&f.app, spec.name, json!({})) {
            assert!(
                err["code"].is_string() && err["key"].is_string() && err["params"].is_object(),
                "{}: {err}",
                spec.name
            );
        }
    }
}

#[test]
fn the_search_finds_nobody_in_an_empty_file_and_a_patient_without_visits_has_no_last_eligibility() {
    let f = fixture();
    let rows = call(
        &f.app,
        "patient_search",
        json!({"kana": "ヤマダ", "birthdate": null}),
    )
    .unwrap();
    assert_eq!(rows, json!([]));
    let last = call(&f.app, "last_eligibility", json!({"patient_id": 1})).unwrap();
    assert_eq!(last, json!(null));
}

#[test]
fn bad_dates_and_unknown_filters_are_invalid_input_errors() {
    let f = fixture();
    let err = call(
        &f.app,
        "export_csv",
        json!({"date": "2026-13-40", "encoding": "utf8bom"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"));
    let err = call(&f.app, "today_list", json!({"filter": "everything"})).unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"));
}

#[test]
fn an_empty_day_lists_nothing_and_exports_a_csv_with_only_its_header() {
    let f = fixture();
    let rows = call(&f.app, "today_list", json!({"filter": "all"})).unwrap();
    assert_eq!(rows, json!([]));
    let out = call(
        &f.app,
        "export_csv",
        json!({"date": "2026-05-20", "encoding": "utf8bom"}),
    )
    .unwrap();
    let bytes = std::fs::read(out["path"].as_str().unwrap()).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 1, "header only: {text}");
}

#[test]
fn settings_survive_a_save_and_keep_the_mode() {
    let f = fixture();
    let mut s = call(&f.app, "settings_get", json!({})).unwrap();
    s["temporary_rule_suspended"] = json!(true);
    s["encoding"] = json!("sjis");
    // A live install's endpoint is https (the fixture's running app talks to the http mock on 127.0.0.1, set
    // directly; a saved endpoint applies at the next start).
    s["oqs_endpoint"] = json!("https://oqs.clinic.invalid/");
    let saved = call(&f.app, "settings_set", json!({"settings": s})).unwrap();
    assert_eq!(saved["temporary_rule_suspended"], json!(true));
    assert_eq!(
        call(&f.app, "settings_get", json!({})).unwrap()["encoding"],
        json!("sjis")
    );
}

fn declaration(name: &str, kana: &str) -> serde_json::Value {
    json!({
        "visit_date": "2026-05-20", "filled_on": "2026-05-20", "name": name, "name_kana": kana,
        "birthdate": "1978-05-12", "sex": "Male", "address": "東京都千代田区1-1", "phone": "",
        "insurance_type": "National", "insurer_name": "", "insurer_number": "", "symbol": "", "number": "",
        "branch": "", "employer": "", "dependant": false, "declared_true": true, "staff_note": "",
        "copay_percent": 30
    })
}

fn pdf_text(path: &str) -> String {
    let out = std::process::Command::new("pdftotext")
        .args([path, "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by make)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PDF is the form the console sends, never a remembered one: two patients in a row each get a PDF
/// with their own name (the last round printed the previous patient's 申立書), and a form that does not
/// validate yet is refused with the number of problems and writes nothing.
#[test]
fn declaration_pdf_prints_the_form_it_is_given_and_refuses_an_incomplete_one() {
    let f = fixture();
    let first = call(
        &f.app,
        "declaration_pdf",
        json!({"entry": declaration("鈴木 一郎", "スズキ イチロウ")}),
    )
    .unwrap();
    let second = call(
        &f.app,
        "declaration_pdf",
        json!({"entry": declaration("高橋 花子", "タカハシ ハナコ")}),
    )
    .unwrap();
    let (a, b) = (first["path"].as_str().unwrap(), second["path"].as_str().unwrap());
    assert_ne!(a, b, "each PDF is its own file");
    assert!(pdf_text(a).contains("鈴木"), "{}", pdf_text(a));
    let text = pdf_text(b);
    assert!(text.contains("高橋") && !text.contains("鈴木"), "{text}");
    assert!(text.contains("3割"), "the declared share is printed: {text}");

    let mut incomplete = declaration("", "スズキ イチロウ");
    incomplete["declared_true"] = json!(false);
    let docs = std::path::Path::new(b).parent().unwrap().to_path_buf();
    let before = std::fs::read_dir(&docs).unwrap().count();
    let err = call(&f.app, "declaration_pdf", json!({"entry": incomplete})).unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"));
    assert_eq!(err["key"], json!("declaration_incomplete"));
    assert_eq!(err["params"]["count"], json!("2"));
    assert_eq!(
        std::fs::read_dir(&docs).unwrap().count(),
        before,
        "nothing written"
    );
}

/// The patient's reader window can do only what a patient can (#13 §1, the `send` part): every staff input
/// from it is refused with `forbidden` and changes nothing, while the same input from the staff console is
/// taken; the reader's own 代理人 button is a patient input and works from the reader.
#[test]
fn the_reader_window_cannot_send_staff_inputs_but_its_proxy_button_works() {
    let f = fixture();
    let staff = |a: serde_json::Value| json!({"event": {"kind": "Staff", "value": a}});
    for action in [
        json!({"SetVisualMode": true}),
        json!({"VisualCheckResult": true}),
        json!({"SetOperator": "StaffAssisted"}),
        json!("OpenFallback"),
        json!("NextPatient"),
        json!({"Hotline": true}),
    ] {
        let err = common::call_from(&f.app, "reader", "send", staff(action.clone())).unwrap_err();
        assert_eq!(err["code"], json!("forbidden"), "{action}: {err}");
        assert_eq!(err["key"], json!("staff_only"), "{action}: {err}");
    }
    let snap = call(&f.app, "snapshot", json!({})).unwrap();
    assert_eq!(snap["mode"], json!("Unattended"), "nothing changed: {snap}");
    assert_eq!(snap["operator"], json!("Patient"));
    assert!(snap["hotline"].is_null());
    assert_eq!(snap["screen"], json!("WaitingForCard"));

    let proxy = common::call_from(
        &f.app,
        "reader",
        "send",
        json!({"event": {"kind": "SetProxy", "value": true}}),
    )
    .unwrap();
    assert_eq!(proxy["operator"], json!("Proxy"), "the reader's 代理人 button");
    let visual = common::call_from(&f.app, "staff", "send", staff(json!({"SetVisualMode": true}))).unwrap();
    assert_eq!(visual["mode"], json!("VisualCheck"), "the staff console may");
}

/// The settings a refused save must leave as they were.
fn saved_settings(f: &Fixture) -> serde_json::Value {
    call(&f.app, "settings_get", json!({})).unwrap()
}

fn refusal(f: &Fixture, change: impl Fn(&mut serde_json::Value)) -> serde_json::Value {
    let before = saved_settings(f);
    let mut s = before.clone();
    s["oqs_endpoint"] = json!("https://oqs.clinic.invalid/");
    change(&mut s);
    let err = call(&f.app, "settings_set", json!({"settings": s})).unwrap_err();
    assert_eq!(saved_settings(f), before, "nothing saved on a bad value: {err}");
    assert_eq!(err["code"], json!("invalid_input"), "{err}");
    err
}

#[test]
fn settings_that_would_weaken_the_checks_are_refused_with_the_field_and_nothing_is_saved() {
    let f = fixture();
    for t in [-1.0, 0.0, 0.29, 0.61, 1.0] {
        let err = refusal(&f, |s| s["face_threshold"] = json!(t));
        assert_eq!(err["key"], json!("face_threshold_out_of_range"), "{t}: {err}");
        assert_eq!(err["params"]["field"], json!("face_threshold"));
    }
    for endpoint in [
        "http://oqs.clinic.invalid/",
        "",
        "https://",
        "ftp://x",
        "https:// spaced",
    ] {
        let err = refusal(&f, |s| s["oqs_endpoint"] = json!(endpoint));
        assert_eq!(
            err["key"],
            json!("live_endpoint_not_https"),
            "{endpoint:?}: {err}"
        );
    }
    for reader in ["Virtual PCD 00 00", "vpcd 01"] {
        let err = refusal(&f, |s| s["reader_name"] = json!(reader));
        assert_eq!(err["key"], json!("virtual_reader_in_live"), "{reader}: {err}");
    }
    let data = f._dir.path().to_path_buf();
    std::fs::create_dir_all(data.join("training/face")).unwrap();
    let not_a_dir = data.join("file.txt");
    std::fs::write(&not_a_dir, "x").unwrap();
    for folder in [
        "relative/face".to_owned(),
        data.join("does-not-exist").display().to_string(),
        not_a_dir.display().to_string(),
        data.join("training/face").display().to_string(),
        data.join("live").display().to_string(),
    ] {
        let err = refusal(&f, |s| s["face_result_dir"] = json!(folder));
        assert_eq!(err["key"], json!("folder_not_usable"), "{folder}: {err}");
        assert_eq!(err["params"]["field"], json!("face_result_dir"));
    }
    for (field, value) in [
        ("reader_name", "Reader 1234-5678-9012"),
        (
            "oqs_endpoint",
            "https://oqs.clinic.invalid/１２３４５６７８９０１２",
        ),
    ] {
        let err = refusal(&f, |s| s[field] = json!(value));
        assert_eq!(err["key"], json!("my_number_like"), "{field}: {err}");
        assert!(
            !err.to_string().contains("9012") && !err.to_string().contains("９０１２"),
            "not echoed: {err}"
        );
    }
    // The edges of the range and a real folder outside the data are fine.
    let outside = tempfile::tempdir().unwrap();
    let mut s = saved_settings(&f);
    s["oqs_endpoint"] = json!("https://oqs.clinic.invalid/");
    s["face_threshold"] = json!(0.30);
    s["face_result_dir"] = json!(outside.path().display().to_string());
    let saved = call(&f.app, "settings_set", json!({"settings": s})).unwrap();
    assert_eq!(
        saved["face_result_dir"],
        json!(outside.path().display().to_string())
    );
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        0,
        "the writable probe is removed"
    );
}

#[test]
fn a_configured_face_result_folder_is_used_in_live_mode_only_and_training_writes_to_its_own() {
    use uketsuke::config::Paths;
    let data = tempfile::tempdir().unwrap();
    let recekon = tempfile::tempdir().unwrap();
    let paths = Paths {
        root: data.path().to_path_buf(),
    };
    let configured = Settings {
        face_result_dir: recekon.path().display().to_string(),
        ..Settings::default()
    };
    let training = Settings {
        mode: Mode::Training,
        ..configured.clone()
    };
    assert_eq!(
        training.face_dir(&paths).unwrap(),
        data.path().join("training").join("face"),
        "training never writes where the レセコン reads"
    );
    let live = Settings {
        mode: Mode::Live,
        ..configured
    };
    assert_eq!(live.face_dir(&paths).unwrap(), recekon.path());
    let live_default = Settings {
        mode: Mode::Live,
        ..Settings::default()
    };
    assert_eq!(
        live_default.face_dir(&paths).unwrap(),
        data.path().join("live").join("face")
    );
}

/// A JPEG that is only its SOI and a baseline frame header declaring `w`×`h` (nothing to decode).
fn jpeg_header(w: u16, h: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46];
    b.extend([0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend(h.to_be_bytes());
    b.extend(w.to_be_bytes());
    b.extend([0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    b
}

#[test]
fn face_frames_over_the_limit_or_without_a_jpeg_header_are_refused_before_decoding() {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let f = fixture();
    let frame = |text: String| call(&f.app, "face_frame", json!({ "jpeg_base64": text }));
    assert_eq!(
        uketsuke::commands::jpeg_dimensions(&jpeg_header(1280, 720)),
        Some((1280, 720))
    );
    // A normal frame is forwarded (no face step runs in this fixture, so it is dropped, not an error).
    assert!(frame(b64(&jpeg_header(1280, 720))).is_ok());
    for (w, h) in [(4097, 10), (10, 60000), (0, 10)] {
        let err = frame(b64(&jpeg_header(w, h))).unwrap_err();
        assert_eq!(err["key"], json!("frame_too_large"), "{w}×{h}: {err}");
    }
    let huge = "A".repeat(uketsuke::commands::MAX_FRAME_BASE64_BYTES + 4);
    assert_eq!(frame(huge).unwrap_err()["key"], json!("frame_too_large"));
    for not_jpeg in [
        b"GIF89a....".to_vec(),
        vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02],
        vec![0xFF, 0xD8],
    ] {
        let err = frame(b64(&not_jpeg)).unwrap_err();
        assert_eq!(err["key"], json!("frame_not_jpeg"), "{not_jpeg:?}: {err}");
    }
}

fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn data_folders_are_0700_files_0600_written_through_random_temp_names_and_a_symlink_is_never_followed() {
    let f = fixture();
    let root = f._dir.path().to_path_buf();
    let out = call(
        &f.app,
        "export_csv",
        json!({"date": "2026-05-20", "encoding": "utf8bom"}),
    )
    .unwrap();
    let csv = std::path::PathBuf::from(out["path"].as_str().unwrap());
    // A planted symlink where settings.json goes: the save replaces the link, the file it points at is untouched.
    let victim = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(victim.path(), "victim").unwrap();
    let _ = std::fs::remove_file(root.join("settings.json"));
    std::os::unix::fs::symlink(victim.path(), root.join("settings.json")).unwrap();
    let mut s = call(&f.app, "settings_get", json!({})).unwrap();
    s["oqs_endpoint"] = json!("https://oqs.clinic.invalid/");
    call(&f.app, "settings_set", json!({"settings": s})).unwrap();
    assert_eq!(
        std::fs::read_to_string(victim.path()).unwrap(),
        "victim",
        "the symlink was not followed"
    );
    assert!(!std::fs::symlink_metadata(root.join("settings.json"))
        .unwrap()
        .file_type()
        .is_symlink());

    // The data root existed before the app (a temp dir here): left as it is, see the next test.
    for dir in [root.join("live"), csv.parent().unwrap().to_path_buf()] {
        assert_eq!(mode_of(&dir), 0o700, "{}", dir.display());
    }
    for file in [
        root.join("settings.json"),
        csv.clone(),
        root.join("live").join("uketsuke.sqlite3"),
    ] {
        assert_eq!(mode_of(&file), 0o600, "{}", file.display());
    }
    let leftovers: Vec<_> = [root.clone(), csv.parent().unwrap().to_path_buf()]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_new_data_root_is_created_0700_and_an_existing_shared_folder_is_left_as_it_is() {
    use std::os::unix::fs::PermissionsExt as _;
    let base = tempfile::tempdir().unwrap();
    let fresh = base.path().join("new").join("uketsuke");
    uketsuke::files::new_private_dir(&fresh).unwrap();
    assert_eq!(mode_of(&fresh), 0o700);
    let shared = base.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let paths = uketsuke::config::Paths { root: shared.clone() };
    let live = paths.mode_dir(Mode::Live).unwrap();
    assert_eq!(mode_of(&shared), 0o755, "UKETSUKE_DATA_DIR may not be ours alone");
    assert_eq!(mode_of(&live), 0o700, "the mode's folder is");
}

/// A hand-edited `settings.json` cannot weaken identity either: the app refuses to start on it, saying which
/// field, and the file is left as it is (never silently reset).
#[test]
fn a_hand_edited_settings_file_that_weakens_identity_stops_the_start_and_is_kept() {
    use uketsuke::config::Paths;
    let data = tempfile::tempdir().unwrap();
    let paths = Paths {
        root: data.path().to_path_buf(),
    };
    for (text, field) in [
        (r#"{"face_threshold": -1.0}"#, "face_threshold"),
        (r#"{"face_threshold": 0.9}"#, "face_threshold"),
        (
            r#"{"mode": "live", "reader_name": "Virtual PCD 00 00"}"#,
            "reader_name",
        ),
        (r#"{"reader_name": "1234-5678-9012"}"#, "reader_name"),
    ] {
        std::fs::write(paths.settings(), text).unwrap();
        let err = Settings::load(&paths).unwrap_err();
        assert!(err.contains(field), "{text}: {err}");
        assert!(
            !err.contains("9012"),
            "a My Number-like value is not echoed: {err}"
        );
        assert_eq!(std::fs::read_to_string(paths.settings()).unwrap(), text);
    }
    // The range's edges, and a live file whose endpoint is not set yet, start.
    std::fs::write(paths.settings(), r#"{"face_threshold": 0.6}"#).unwrap();
    assert!(Settings::load(&paths).is_ok());
    std::fs::write(paths.settings(), r#"{"mode": "live", "oqs_endpoint": ""}"#).unwrap();
    assert!(Settings::load(&paths).is_ok());
}

/// #13 §3: the mode (練習 ↔ 本番) changes only when the staff confirm it, and only from the next start: the
/// running app keeps its mode, `settings.json` holds the new one.
#[test]
fn changing_the_mode_needs_the_staffs_confirmation_and_takes_effect_at_the_next_start() {
    let f = fixture();
    let file = f._dir.path().join("settings.json");
    let running = || call(&f.app, "app_info", json!({})).unwrap()["mode"].clone();
    assert_eq!(running(), json!("live"));
    let mut s = saved_settings(&f);
    assert_eq!(
        s["mode"],
        json!("training"),
        "the console edits the mode the file starts in"
    );
    s["oqs_endpoint"] = json!("https://oqs.clinic.invalid/");
    s["mode"] = json!("live");

    for confirm in [json!(null), json!(false)] {
        let err = call(
            &f.app,
            "settings_set",
            json!({"settings": s, "confirm_mode_change": confirm}),
        )
        .unwrap_err();
        assert_eq!(err["key"], json!("mode_change_needs_confirmation"), "{err}");
        assert_eq!(err["params"]["from"], json!("training"));
        assert_eq!(err["params"]["to"], json!("live"));
        assert!(!file.exists(), "nothing saved without the confirmation");
    }
    // Other settings save without a confirmation while the mode stays.
    let mut same = s.clone();
    same["mode"] = json!("training");
    call(&f.app, "settings_set", json!({"settings": same})).unwrap();

    call(
        &f.app,
        "settings_set",
        json!({"settings": s, "confirm_mode_change": true}),
    )
    .unwrap();
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["mode"], json!("live"), "the next start is in live mode");
    assert_eq!(saved_settings(&f)["mode"], json!("live"));
    assert_eq!(running(), json!("live"), "the running mode is unchanged");

    s["mode"] = json!("training");
    call(
        &f.app,
        "settings_set",
        json!({"settings": s, "confirm_mode_change": true}),
    )
    .unwrap();
    assert_eq!(running(), json!("live"), "still the mode it started in");
    assert_eq!(
        uketsuke::config::Settings::load_file(&uketsuke::config::Paths {
            root: f._dir.path().to_path_buf()
        })
        .unwrap()
        .mode,
        Mode::Training
    );
}

/// 開く / 印刷 hand only a PDF this app saved to the desktop: a file outside the mode's data folder, a file that
/// is not a PDF and a path that does not exist are refused with `not_our_file` before any program runs; the
/// app's own 申立書 passes that check (what the desktop then says depends on the machine: no `lp`, or no
/// default printer).
#[test]
fn open_and_print_take_only_the_apps_own_pdfs() {
    let f = fixture();
    let saved = call(
        &f.app,
        "declaration_pdf",
        json!({"entry": declaration("鈴木 一郎", "スズキ イチロウ")}),
    )
    .unwrap();
    let own = saved["path"].as_str().unwrap().to_owned();
    let outside = tempfile::tempdir().unwrap();
    let foreign = outside.path().join("other.pdf");
    std::fs::copy(&own, &foreign).unwrap();
    let not_pdf = std::path::Path::new(&own).with_extension("txt");
    std::fs::write(&not_pdf, b"x").unwrap();
    let escape = format!(
        "{}/../../../../../etc/passwd",
        std::path::Path::new(&own).parent().unwrap().display()
    );
    for path in [
        foreign.display().to_string(),
        not_pdf.display().to_string(),
        escape,
        "/nonexistent/x.pdf".to_owned(),
    ] {
        for action in ["Open", "Print"] {
            let err = call(
                &f.app,
                "saved_file_action",
                json!({"path": path, "action": action}),
            )
            .unwrap_err();
            assert_eq!(err["key"], json!("not_our_file"), "{action} {path}: {err}");
        }
    }
    match call(
        &f.app,
        "saved_file_action",
        json!({"path": own, "action": "Print"}),
    ) {
        Ok(done) => panic!("this test machine has a default printer: {done}"),
        Err(err) => assert!(
            ["printer_missing", "print_failed"].contains(&err["key"].as_str().unwrap()),
            "the app's own PDF reaches the spooler: {err}"
        ),
    }
}

/// A live install whose configured reader is not attached is told so (#16 §2): the reader line is never
/// 「接続中」 for a reader PC/SC does not list (this fixture runs no pcscd of its own, so the service may be down too).
#[test]
fn a_reader_that_is_not_attached_is_not_reported_ready() {
    let f = fixture();
    let status = call(&f.app, "reader_status", json!({})).unwrap();
    assert_eq!(status["reader"], json!("No Such Reader 00"));
    assert!(
        [json!("not_connected"), json!("service_down")].contains(&status["state"]),
        "{status}"
    );
    // The patient's window starts from app_info: a `reader-ready` push sent before the page listened is lost, and
    // the page must not invite a card in the meantime.
    let info = call(&f.app, "app_info", json!({})).unwrap();
    assert_eq!(info["reader_ready"], json!(false), "{info}");
}

/// #16 §1: live needs an eligibility path — the https endpoint or both of the 資格確認端末's folders; one folder
/// alone, or our own face folder read back as the certified reader's, is refused with the field.
#[test]
fn live_settings_take_the_terminals_folders_instead_of_an_endpoint_but_never_half_of_them() {
    let f = fixture();
    let req = tempfile::tempdir().unwrap();
    let res = tempfile::tempdir().unwrap();
    let face = tempfile::tempdir().unwrap();
    let path = |d: &tempfile::TempDir| json!(d.path().display().to_string());
    let err = refusal(&f, |s| {
        s["oqs_endpoint"] = json!("");
        s["terminal_request_dir"] = path(&req);
    });
    assert_eq!(err["key"], json!("terminal_folders_incomplete"), "{err}");
    assert_eq!(err["params"]["field"], json!("terminal_result_dir"));
    let err = refusal(&f, |s| {
        s["face_result_dir"] = path(&face);
        s["terminal_face_dir"] = path(&face);
    });
    assert_eq!(err["key"], json!("face_folder_twice"), "{err}");
    let err = refusal(&f, |s| s["terminal_face_dir"] = json!("relative/face"));
    assert_eq!(err["key"], json!("folder_not_usable"), "{err}");
    assert_eq!(err["params"]["field"], json!("terminal_face_dir"));

    let mut s = saved_settings(&f);
    s["oqs_endpoint"] = json!("");
    s["terminal_request_dir"] = path(&req);
    s["terminal_result_dir"] = path(&res);
    s["terminal_face_dir"] = path(&face);
    let saved = call(&f.app, "settings_set", json!({"settings": s})).unwrap();
    assert_eq!(
        saved["terminal_result_dir"],
        path(&res),
        "no endpoint needed beside a 端末"
    );
}

/// #15 §1: the shared record's address is a PostgreSQL URL without a password, with TLS over the network in
/// live mode; a bad one is refused with its field and nothing is saved, a good one is kept for the next start.
#[test]
fn a_database_server_address_is_refused_with_a_password_or_without_tls_and_kept_when_usable() {
    let f = fixture();
    for (field, url) in [
        (
            "live_database",
            "postgresql://uketsuke:secret@db.clinic.invalid/uketsuke?sslmode=require",
        ),
        (
            "live_database",
            "postgresql://uketsuke@db.clinic.invalid/uketsuke",
        ),
        ("live_database", "/srv/uketsuke.sqlite3"),
        ("training_database", "mysql://x@y/z"),
    ] {
        let err = refusal(&f, |s| s[field] = json!(url));
        assert_eq!(err["key"], json!("database_not_usable"), "{url}: {err}");
        assert_eq!(err["params"]["field"], json!(field));
    }
    let err = refusal(&f, |s| s["desk_name"] = json!("受".repeat(41)));
    assert_eq!(err["key"], json!("desk_name_too_long"));
    let mut s = saved_settings(&f);
    s["oqs_endpoint"] = json!("https://oqs.clinic.invalid/");
    s["live_database"] = json!("postgresql://uketsuke@db.clinic.invalid/uketsuke?sslmode=require");
    s["desk_name"] = json!("受付2");
    call(&f.app, "settings_set", json!({"settings": s})).unwrap();
    let kept = saved_settings(&f);
    assert_eq!(
        kept["live_database"],
        json!("postgresql://uketsuke@db.clinic.invalid/uketsuke?sslmode=require")
    );
    assert_eq!(kept["desk_name"], json!("受付2"));
}
