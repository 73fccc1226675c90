//! 開く / 印刷 hand the file to the desktop's programs: what `lp` and `xdg-open` receive, and how their
//! failures reach the clerk. The programs here are small scripts standing in for CUPS's `lp` and the desktop's
//! opener (this test machine has no printer); the app finds the real ones on `PATH`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// 開く reaps the opener on a thread of its own (a viewer may stay open): the test waits for the stand-in's file by
// polling, which is I/O, not flow logic.
#![allow(clippy::disallowed_methods)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use uketsuke::desktop::{FileAction, Programs};
use uketsuke::error::Key;

/// The tests of this file one at a time: a script just written by one test cannot be executed while another
/// test's fork still holds it open for writing (ETXTBSY, "Text file busy"), so writing and running stubs must
/// not interleave.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn programs(opener: PathBuf, printer: PathBuf) -> Programs {
    Programs { opener, printer }
}

#[test]
fn print_sends_the_file_to_lp_and_reports_the_spoolers_answer() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shikaku-moushitate.pdf");
    std::fs::write(&file, b"%PDF-1.7").unwrap();
    let lp = script(
        dir.path(),
        "lp",
        r#"printf '%s\n' "$@" > "$(dirname "$0")/args"; echo 'request id is desk-7 (1 file(s))'"#,
    );
    let done = programs(PathBuf::from("/nonexistent/xdg-open"), lp)
        .hand_over(&file, FileAction::Print)
        .unwrap();
    assert_eq!(done.action, FileAction::Print);
    assert_eq!(done.detail, "request id is desk-7 (1 file(s))");
    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["--", file.to_str().unwrap()],
        "the file after `--`, so no name can be read as an option"
    );
}

#[test]
fn a_spooler_refusal_and_a_missing_lp_are_clear_errors() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.pdf");
    std::fs::write(&file, b"%PDF-1.7").unwrap();
    let refusing = script(
        dir.path(),
        "lp",
        "echo 'lp: Error - No default destination.' >&2; exit 1",
    );
    let err = programs(PathBuf::from("xdg-open"), refusing)
        .hand_over(&file, FileAction::Print)
        .unwrap_err();
    assert_eq!(err.key, Key::PrintFailed);
    assert_eq!(
        err.params.get("detail").map(String::as_str),
        Some("lp: Error - No default destination.")
    );
    let err = programs(PathBuf::from("xdg-open"), dir.path().join("no-lp-here"))
        .hand_over(&file, FileAction::Print)
        .unwrap_err();
    assert_eq!(err.key, Key::PrinterMissing);
    let err = programs(dir.path().join("no-opener-here"), PathBuf::from("lp"))
        .hand_over(&file, FileAction::Open)
        .unwrap_err();
    assert_eq!(err.key, Key::OpenerMissing);
}

#[test]
fn open_hands_the_file_to_the_desktops_opener() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.pdf");
    std::fs::write(&file, b"%PDF-1.7").unwrap();
    let opener = script(
        dir.path(),
        "xdg-open",
        r#"printf '%s\n' "$@" > "$(dirname "$0")/opened.tmp"; mv "$(dirname "$0")/opened.tmp" "$(dirname "$0")/opened""#,
    );
    let done = programs(opener, PathBuf::from("lp"))
        .hand_over(&file, FileAction::Open)
        .unwrap();
    assert_eq!(done.action, FileAction::Open);
    let seen = dir.path().join("opened");
    let start = std::time::Instant::now();
    while !seen.exists() && start.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap().trim(),
        file.to_str().unwrap()
    );
}
