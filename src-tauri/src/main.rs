//! Entry point of the desktop app; everything lives in the library so tests can build the same app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    uketsuke::run();
}
