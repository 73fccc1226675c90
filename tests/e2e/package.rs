//! #13 §2: the Debian package a clinic installs without a Rust toolchain. `make test` builds it from the debug
//! binary (the release build is `make package`'s: ~19 min more here), installs it into a scratch root with dpkg,
//! and starts the installed copy with the source tree's assets hidden, so what runs is what the package holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use uketsuke_tests::{workspace_root, BareApp};

fn field(deb: &Path, name: &str) -> String {
    let out = Command::new("dpkg-deb")
        .arg("--field")
        .arg(deb)
        .arg(name)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

#[test]
fn the_debian_package_installs_into_a_scratch_root_and_the_installed_copy_runs_on_its_own_assets() {
    let out = tempfile::tempdir().unwrap();
    let built = Command::new(workspace_root().join("scripts/package-deb.sh"))
        .arg("debug")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let deb = std::path::PathBuf::from(String::from_utf8_lossy(&built.stdout).trim());
    assert!(deb.is_file(), "{}", deb.display());

    assert_eq!(field(&deb, "Package"), "uketsuke");
    assert_eq!(field(&deb, "Version"), env!("CARGO_PKG_VERSION"));
    // Every dependency is a Debian package (this machine has them all: `make deps` installs the same set), so
    // `apt install ./uketsuke_*.deb` resolves from the Debian media, offline.
    let depends = field(&deb, "Depends");
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "pcscd", "fonts-noto-cjk"] {
        assert!(depends.contains(needed), "Depends lacks {needed}: {depends}");
    }
    for dep in depends.split(',').map(str::trim) {
        assert!(installed(dep), "{dep} is not a Debian package installed here");
    }
    assert!(
        field(&deb, "Description").contains("debug build"),
        "a debug package says so"
    );

    // Install into a scratch root (its own dpkg database; the dependencies are this machine's).
    let root = tempfile::tempdir().unwrap();
    let admin = root.path().join("var/lib/dpkg");
    std::fs::create_dir_all(admin.join("info")).unwrap();
    std::fs::create_dir_all(admin.join("updates")).unwrap();
    std::fs::write(admin.join("status"), "").unwrap();
    std::fs::write(admin.join("available"), "").unwrap();
    let install = Command::new("dpkg")
        .arg(format!("--root={}", root.path().display()))
        .args(["--force-depends", "--install"])
        .arg(&deb)
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let bin = root.path().join("usr/bin/uketsuke");
    let listed = Command::new("dpkg")
        .arg(format!("--root={}", root.path().display()))
        .args(["--listfiles", "uketsuke"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    for file in [
        "/usr/bin/uketsuke",
        "/usr/share/applications/uketsuke.desktop",
        "/usr/share/uketsuke/assets/cards/stories.toml",
        "/usr/share/uketsuke/assets/eligibility/p01-yamada-hanako.toml",
        "/usr/share/uketsuke/assets/faces/testset",
        "/usr/share/uketsuke/assets/pki/test-ca.crt.pem",
    ] {
        assert!(
            listed.lines().any(|l| l == file),
            "{file} not installed:\n{listed}"
        );
    }
    assert!(
        !listed.contains(".key.pem"),
        "no private key of the test PKI is shipped as a file:\n{listed}"
    );

    // The installed copy starts in training mode with the source tree's assets hidden (a tmpfs over them, in a
    // mount namespace of its own): it reads the package's. Started = its private pcscd is up, which comes after
    // the mock OQS loaded the eligibility data from the assets.
    let assets = workspace_root().join("assets");
    let mut run = Command::new("unshare");
    run.args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg("mount -t tmpfs hidden \"$1\" && exec \"$2\"")
        .arg("sh")
        .arg(&assets)
        .arg(&bin);
    let mut app = BareApp::start_with(run).unwrap();
    let pid_file = app.pcscd_dir().join("pcscd.pid");
    let mut waited = 0;
    while !pid_file.exists() && waited < 600 {
        assert!(
            app.child.try_wait().unwrap().is_none(),
            "the installed copy exited: it could not start from the package's files"
        );
        std::thread::park_timeout(std::time::Duration::from_millis(100));
        waited += 1;
    }
    assert!(
        pid_file.exists(),
        "the installed copy did not start training mode within 60 s"
    );
    let daemon: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SIGTERM while it is still starting: its pcscd goes with it (not left for the next start to sweep).
    Command::new("kill")
        .arg(app.child.id().to_string())
        .status()
        .unwrap();
    let _ = app.child.wait();
    let left = mynacard::pcscd::is_running(daemon);
    if left {
        let _ = Command::new("kill").arg(daemon.to_string()).status();
    }
    assert!(
        !left,
        "the app's pcscd (pid {daemon}) outlived a SIGTERM during start-up"
    );
}
