//! The page's TypeScript contract (`ui/js/contract/`) is exactly what the Rust types and the command table
//! say: generated afresh into a temp dir and compared file by file with the checked-in declarations, which
//! `make test` then type-checks the page against (`tsc --checkJs`). `make contract` rewrites them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn checked_in() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/js/contract")
}

fn read_all(dir: &Path, files: &[PathBuf]) -> BTreeMap<PathBuf, String> {
    files
        .iter()
        .map(|f| {
            (
                f.clone(),
                std::fs::read_to_string(dir.join(f)).unwrap_or_default(),
            )
        })
        .collect()
}

fn files_under(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

#[test]
fn the_checked_in_contract_is_what_the_rust_types_and_the_command_table_say() {
    let fresh = tempfile::tempdir().unwrap();
    let files = uketsuke::contract::write(fresh.path(), &uketsuke::contract_commands())
        .expect("the contract generates");
    let target = checked_in();

    if std::env::var_os("UKETSUKE_WRITE_CONTRACT").is_some() {
        let _ = std::fs::remove_dir_all(&target);
        for f in &files {
            let to = target.join(f);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(fresh.path().join(f), to).unwrap();
        }
        eprintln!("wrote {} files into {}", files.len(), target.display());
        return;
    }

    let mut present = Vec::new();
    files_under(&target, &target, &mut present);
    present.sort();
    let want = read_all(fresh.path(), &files);
    let have = read_all(&target, &present);
    let mut problems = Vec::new();
    for (f, text) in &want {
        match have.get(f) {
            None => problems.push(format!("missing: {}", f.display())),
            Some(old) if old != text => problems.push(format!("stale: {}", f.display())),
            Some(_) => {}
        }
    }
    for f in have.keys().filter(|f| !want.contains_key(*f)) {
        problems.push(format!("not generated any more: {}", f.display()));
    }
    assert!(
        problems.is_empty(),
        "ui/js/contract/ does not match the Rust types; run `make contract` and commit the result:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_command_of_the_table_is_in_the_generated_command_map() {
    let fresh = tempfile::tempdir().unwrap();
    uketsuke::contract::write(fresh.path(), &uketsuke::contract_commands()).unwrap();
    let map = std::fs::read_to_string(fresh.path().join(uketsuke::contract::COMMANDS_FILE)).unwrap();
    let names: Vec<_> = uketsuke::contract_commands().iter().map(|c| c.name).collect();
    assert!(names.len() >= 20, "the table lists the app's commands: {names:?}");
    for name in names {
        assert!(
            map.contains(&format!("  {name}: {{ args: ")),
            "{name} missing from the map:\n{map}"
        );
    }
    assert!(
        map.contains("send: { args: SendArgs, reply: Snapshot }"),
        "typed per command:\n{map}"
    );
    for line in map.lines().filter(|l| l.contains("{ args: ")) {
        let untyped = line
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|word| word == "any" || word == "unknown");
        assert!(!untyped, "an untyped command: {line}");
    }
}
