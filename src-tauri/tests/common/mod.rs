//! Shared by the src-tauri test binaries: the real app state on Tauri's mock runtime, and a command call.
//! Training-mode apps share one pcscd and the single vpcd slot, so they are built one at a time per binary.

use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;
use uketsuke::config::{Mode, Paths, Settings};

static TRAINING_ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The app (commands + state) with one webview to call commands through.
pub struct MockApp {
    /// The webview commands are invoked from.
    pub webview: tauri::WebviewWindow<MockRuntime>,
    /// The app; dropping it stops the driver thread (and, in training, its pcscd).
    pub _app: tauri::App<MockRuntime>,
    // Declared last: released after the app is gone.
    _one_at_a_time: Option<MutexGuard<'static, ()>>,
}

impl Drop for MockApp {
    fn drop(&mut self) {
        // The state outlives the mock app (its snapshot sink holds a handle): stop it explicitly so the next
        // training fixture finds the vpcd slot free.
        uketsuke::shutdown(self._app.handle());
    }
}

/// Build the app with `settings`, its data under `root`.
pub fn mock_app(root: &std::path::Path, settings: Settings) -> MockApp {
    let one_at_a_time = (settings.mode == Mode::Training)
        .then(|| TRAINING_ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner()));
    let app = uketsuke::setup(mock_builder())
        .build(mock_context(noop_assets()))
        .expect("the app builds on the mock runtime");
    uketsuke::start_state(
        app.handle(),
        Paths {
            root: root.to_path_buf(),
        },
        settings,
    )
    .expect("the app state starts (training mode needs pcscd and vpcd: make test installs them)");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    MockApp {
        webview,
        _app: app,
        _one_at_a_time: one_at_a_time,
    }
}

/// Invoke `cmd` from another window of the app (`reader`, `staff`), created on first use.
#[allow(dead_code)] // only the binaries that test window permissions call it
pub fn call_from(app: &MockApp, label: &str, cmd: &str, body: Value) -> Result<Value, Value> {
    use tauri::Manager as _;
    let webview = match app._app.get_webview_window(label) {
        Some(w) => w,
        None => WebviewWindowBuilder::new(&app._app, label, Default::default())
            .build()
            .unwrap(),
    };
    invoke(&webview, cmd, body)
}

/// Invoke command `cmd` with JSON `body`, as the page would.
pub fn call(app: &MockApp, cmd: &str, body: Value) -> Result<Value, Value> {
    invoke(&app.webview, cmd, body)
}

fn invoke(webview: &tauri::WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, req).map(|r| r.deserialize::<Value>().unwrap())
}
