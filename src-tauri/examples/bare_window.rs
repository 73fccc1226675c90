//! The benchmark peer for the app's cold start and memory: a bare Tauri window with an empty page, built from
//! the same crate, Tauri version and profile as the app, with no state, no pcscd, no mock OQS and no commands.

fn main() {
    let result = tauri::Builder::default()
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("bench-empty.html".into()))
                .title("bare")
                .inner_size(1600.0, 900.0)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("bare_window: {e}");
        std::process::exit(1);
    }
}
