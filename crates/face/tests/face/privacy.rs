//! Frames never touch disk: a whole verification, run in a child process whose temp, home, data and
//! working directories all point into one fresh directory, leaves that directory empty.

use std::path::Path;
use std::process::Command;

use face::{verify_frames, CameraFrame, Conclusion, Decision, VerifyConfig};

use crate::{fixture, models, testset};

const CHILD_ENV: &str = "FACE_PRIVACY_CHILD";

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
            found.push(format!("{}/", path.display()));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn a_verification_leaves_no_files_in_the_temp_home_data_or_working_directory() {
    let sandbox = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([
            "privacy::child_runs_one_verification_when_spawned_by_the_privacy_test",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD_ENV, "1")
        .env("TMPDIR", sandbox.path())
        .env("HOME", sandbox.path())
        .env("XDG_DATA_HOME", sandbox.path())
        .env("XDG_CACHE_HOME", sandbox.path())
        .env("XDG_CONFIG_HOME", sandbox.path())
        .current_dir(sandbox.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Prove the child really verified (the test filter matched and the models ran).
    assert!(stdout.contains("privacy-child: verdict Match"), "{stdout}");
    assert_eq!(files_under(sandbox.path()), Vec::<String>::new());
}

/// Runs only as the child of the test above (it does nothing in a normal test run).
#[test]
fn child_runs_one_verification_when_spawned_by_the_privacy_test() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let card = models()
        .enroll_card_photo(&fixture("person_b_2_card.jp2"))
        .unwrap();
    let live = testset("person_b_1.jpg");
    let frames = std::iter::repeat_n(CameraFrame::Encoded(&live), 3);
    let conclusion = verify_frames(models(), card, frames, VerifyConfig::default()).unwrap();
    let Conclusion::Decided(verdict) = conclusion else {
        panic!("{conclusion:?}")
    };
    assert_eq!(verdict.decision, Decision::Match);
    println!("privacy-child: verdict {:?}", verdict.decision);
}
