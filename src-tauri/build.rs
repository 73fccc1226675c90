include!("src/acl.rs");

fn main() {
    // An app manifest: each command gets an `allow-<command>` permission, and a window may call only what its
    // capability in `capabilities/` grants (without a manifest Tauri allows every command in every window).
    let commands: &'static [&'static str] = Box::leak(all_commands().into_boxed_slice());
    let manifest = tauri_build::AppManifest::new().commands(commands);
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo:warning=tauri-build: {e:#}");
        std::process::exit(1);
    }
    // READER_COMMANDS is read by the crate's tests, not here.
    let _ = READER_COMMANDS;
}
