//! Uketsuke desktop shell (skeleton; wired to the domain crates by issue #6).

/// Runs the app.
pub fn run() {
    let _ = tauri::Builder::default().run(tauri::generate_context!());
}
