include!("src/acl.rs");

fn main() {
    // An app manifest: each command gets an `allow-<command>` permission, and a window may call only what its
    // capability in `capabilities/` grants (without a manifest Tauri allows every command in every window).
    let manifest = tauri_build::AppManifest::new().commands(COMMAND_NAMES);
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo:warning=tauri-build: {e:#}");
        std::process::exit(1);
    }
    // READER_COMMANDS and TRAINING_ONLY_COMMANDS are read by the crate's tests, not here.
    let _ = (READER_COMMANDS, TRAINING_ONLY_COMMANDS);
}
