//! End-to-end harness: drives the real Uketsuke window (training mode) through tauri-driver +
//! WebKitWebDriver, one journey at a time, and reads what the journey left in the SQLite database.
//!
//! Each [`Journey`] gets its own X display (an `Xvfb` started here when `DISPLAY` is unset), its own
//! tauri-driver ports, its own temporary `UKETSUKE_DATA_DIR` and (unless one is already running) its own
//! pcscd; there is only one vpcd slot ("Virtual PCD 00 00"), so [`run`] serialises them with a
//! process-wide lock. Waiting is always
//! "poll the DOM until a condition holds, or fail after a timeout" — never a fixed sleep for logic.
//! Every distinct screen seen while waiting is saved as `target/e2e-artifacts/<journey>/NN-<screen>.png`.
//!
//! Deliberately not here: any assertion about reception rules (the journeys in `e2e/` make those), and any
//! skipping: a missing tool fails with install advice, because a skipped e2e suite looks green.

use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use fantoccini::{Client, ClientBuilder, Locator};
use mynacard::pcscd::Pcscd;
use serde_json::{json, Value};

/// How long a condition may take before the journey fails (OQS answers, card reads, face matching).
pub const WAIT: Duration = Duration::from_secs(25);
/// DOM polling interval (not a logic sleep: the condition is re-checked until it holds).
const POLL: Duration = Duration::from_millis(60);
/// The OQS client timeout the app runs with in the suite (`UKETSUKE_OQS_TIMEOUT_SECS`), so the timeout
/// journey waits 2 s instead of the production 10 s.
pub const OQS_TIMEOUT_SECS: u64 = 2;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The app binary built by `cargo build --workspace --all-targets`.
pub fn app_binary() -> Result<PathBuf> {
    let p = target_dir().join("debug").join("uketsuke");
    if p.is_file() {
        Ok(p)
    } else {
        bail!(
            "the app binary {} is missing: run `cargo build --workspace --all-targets` (or `make test`) first",
            p.display()
        )
    }
}

/// Find `name` on PATH (and in ~/.cargo/bin, where `cargo install` puts tauri-driver).
fn find_tool(name: &str, advice: &str) -> Result<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!("`{name}` not found: {advice} (`make test` installs it via scripts/install-deps.sh)")
        })
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Send SIGTERM (tauri-driver only stops its WebKitWebDriver on TERM/INT/QUIT, not on SIGKILL) and reap.
fn terminate(child: &mut Child) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
}

/// An X server for one journey: ours (killed on drop) or the caller's `DISPLAY`.
struct Display {
    name: String,
    xvfb: Option<Child>,
}

impl Display {
    fn start() -> Result<Display> {
        if let Some(d) = std::env::var_os("DISPLAY").filter(|d| !d.is_empty()) {
            return Ok(Display {
                name: d.to_string_lossy().into_owned(),
                xvfb: None,
            });
        }
        let xvfb = find_tool("Xvfb", "install the Debian packages `xvfb xauth`")?;
        // -displayfd 1: Xvfb picks a free display itself and prints its number once it accepts clients.
        let mut child = Command::new(xvfb)
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1600x900x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb")?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            BufReader::new(out).read_line(&mut line)?;
        }
        let n = line.trim();
        if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
            let _ = child.kill();
            let _ = child.wait();
            bail!("Xvfb did not report a display number (got {line:?})");
        }
        Ok(Display {
            name: format!(":{n}"),
            xvfb: Some(child),
        })
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(mut c) = self.xvfb.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// This test process's private pcscd with the vpcd reader (`mynacard::pcscd`), started for the journey and
/// stopped afterwards, so every journey starts with a fresh daemon and a free vpcd slot. The app finds it through
/// the inherited `PCSCLITE_CSOCK_NAME` and uses it instead of starting its own (a WebDriver session may end the
/// app with SIGKILL, which no handler sees).
fn ensure_pcscd() -> Result<Pcscd> {
    Pcscd::ensure().map_err(|e| anyhow!(e))
}

/// The app binary started directly (no WebDriver), in training mode on an X server of its own and with a
/// private pcscd of its own: the suite's `PCSCLITE_CSOCK_NAME` is not passed on. For what only the process
/// shows: how it ends on a signal, what it leaves behind.
pub struct BareApp {
    pub child: Child,
    pub data: tempfile::TempDir,
    _display: Display,
}

impl BareApp {
    pub fn start() -> Result<BareApp> {
        Self::start_with(Command::new(app_binary()?))
    }

    /// [`BareApp::start`] for a command that runs the app (e.g. an installed copy, through a wrapper); training
    /// mode unless the command sets `UKETSUKE_MODE`.
    pub fn start_with(mut command: Command) -> Result<BareApp> {
        let display = Display::start()?;
        let data = tempfile::Builder::new().prefix("uketsuke-bare-").tempdir()?;
        if !command.get_envs().any(|(k, _)| k == "UKETSUKE_MODE") {
            command.env("UKETSUKE_MODE", "training");
        }
        let log = std::fs::File::create(
            std::env::temp_dir().join(format!("uketsuke-bare-{}.log", std::process::id())),
        )?;
        let child = command
            .env("DISPLAY", &display.name)
            .env("UKETSUKE_DATA_DIR", data.path())
            .env_remove("PCSCLITE_CSOCK_NAME")
            .env_remove("XDG_DATA_HOME")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("cannot start the app")?;
        Ok(BareApp {
            child,
            data,
            _display: display,
        })
    }

    /// The X display the app runs on (e.g. `:93`).
    pub fn display(&self) -> &str {
        &self._display.name
    }

    /// The folder of the app's private pcscd (`mynacard::pcscd::private_dir` of its process).
    pub fn pcscd_dir(&self) -> PathBuf {
        std::env::temp_dir().join(format!("uketsuke-pcscd-{}", self.child.id()))
    }
}

impl Drop for BareApp {
    /// SIGTERM first, so the app stops its pcscd as it would for a user; SIGKILL if it has not ended in 10 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .stderr(Stdio::null())
            .status();
        for _ in 0..200 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::park_timeout(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Re-check `cond` every [`POLL`] until it yields `Some`, or fail after `limit` naming `what`.
pub async fn poll<T, F, Fut>(limit: Duration, what: &str, mut cond: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let mut last: Option<String> = None;
    let waiting = async {
        loop {
            match cond().await {
                Ok(Some(v)) => return v,
                Ok(None) => {}
                Err(e) => last = Some(format!("{e:#}")),
            }
            tokio::time::sleep(POLL).await;
        }
    };
    let r = tokio::time::timeout(limit, waiting).await;
    r.map_err(|_| match &last {
        Some(e) => anyhow!(
            "timed out after {} s waiting for {what} (last error: {e})",
            limit.as_secs()
        ),
        None => anyhow!("timed out after {} s waiting for {what}", limit.as_secs()),
    })
}

/// tauri-driver with its own ports; SIGTERM on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// 近藤 幸子's 資格確認書 (`assets/eligibility/x01-kondo-sachiko.toml`), as the journeys key it in.
pub const KONDO_CERTIFICATE: &[(&str, &str)] = &[
    ("paper-insurer-number", "01139997"),
    ("paper-symbol", "31010101"),
    ("paper-number", "101"),
    ("paper-branch", "00"),
    ("paper-birthdate", "1954-11-03"),
    ("paper-name", "近藤 幸子"),
    ("paper-issued-on", "2025-12-02"),
    ("paper-valid-until", "2029-11-02"),
    ("paper-insurer-name", "全国健康保険協会 模擬支部"),
];

/// One journey through the real window.
pub struct Journey {
    /// Journey name (artefact folder).
    pub name: String,
    client: Client,
    session_id: Option<String>,
    artifacts: PathBuf,
    shots: u32,
    last_shot: String,
    // Dropped after the session (Drop below): driver, pcscd, display, data dir.
    launched: Launched,
}

/// A journey body: borrows the journey, returns when done.
pub type Body = for<'a> fn(&'a mut Journey) -> Pin<Box<dyn Future<Output = Result<()>> + 'a>>;

/// How long a placed card may take to be seen before the harness places it again (see `place_card`).
const PLACE_SEEN: Duration = Duration::from_secs(8);

/// Run one journey: take the lock, start display + driver + app, run `body`, save failure evidence, close.
/// Panics (fails the test) with the journey's error and where its artefacts are.
pub fn run(name: &str, body: Body) {
    run_with_env(name, &[], body);
}

/// [`run`] with extra environment for the app (set after the suite's own, so e.g.
/// `UKETSUKE_OQS_TIMEOUT_SECS` here overrides [`OQS_TIMEOUT_SECS`]).
pub fn run_with_env(name: &str, env: &[(&str, &str)], body: Body) {
    run_in(name, env, None, false, body);
}

/// [`run`] with the app in live mode (`UKETSUKE_MODE=live`): two windows, the patient's `reader` and the
/// `staff` console, and no trainer panel. The session starts in whichever window WebDriver attaches to; use
/// [`Journey::switch_to_window_titled`].
pub fn run_live(name: &str, body: Body) {
    run_in(name, &[("UKETSUKE_MODE", "live")], None, true, body);
}

/// [`run_live`] with `settings.json` (the site's settings as the console would have saved them) written into
/// the data folder before the app starts.
pub fn run_live_with_settings(name: &str, settings: &str, body: Body) {
    run_in(name, &[("UKETSUKE_MODE", "live")], Some(settings), true, body);
}

/// A journey body for two desks: borrows both journeys, returns when done.
pub type Body2 =
    for<'a> fn(&'a mut Journey, &'a mut Journey) -> Pin<Box<dyn Future<Output = Result<()>> + 'a>>;

/// Two desks at once (#15 §2): two apps in live mode, each on its own display, data folder and WebDriver
/// session, with `settings_a` / `settings_b` as their `settings.json` (e.g. one shared database server). Their
/// artefacts go to `<name>-a` and `<name>-b`.
pub fn run_two_live(name: &str, settings_a: &str, settings_b: &str, body: Body2) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let live = [("UKETSUKE_MODE", "live")];
    let (name_a, name_b) = (format!("{name}-a"), format!("{name}-b"));
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| {
            rt.block_on(async {
                let mut a = Journey::start(&name_a, &live, Some(settings_a), true).await?;
                let mut b = match Journey::start(&name_b, &live, Some(settings_b), true).await {
                    Ok(b) => b,
                    Err(e) => {
                        a.close().await;
                        return Err(e);
                    }
                };
                let r = body(&mut a, &mut b).await;
                if r.is_err() {
                    a.evidence().await;
                    b.evidence().await;
                }
                a.close().await;
                b.close().await;
                r
            })
        });
    if let Err(e) = outcome {
        let dir = target_dir().join("e2e-artifacts");
        panic!(
            "journey {name} failed: {e:#}\n(artefacts and driver.log in {} and {})",
            dir.join(&name_a).display(),
            dir.join(&name_b).display()
        );
    }
}

fn run_in(name: &str, env: &[(&str, &str)], settings: Option<&str>, live: bool, body: Body) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| {
            rt.block_on(async {
                // Starting tauri-driver + WebKitWebDriver + the app is retried once: a WebDriver server that
                // does not answer is the machine's, not the journey's (nothing of the app ran yet).
                let mut j = match Journey::start(name, env, settings, live).await {
                    Ok(j) => j,
                    Err(e) => {
                        eprintln!("e2e: {name}: the WebDriver session did not start ({e:#}); starting again");
                        Journey::start(name, env, settings, live).await?
                    }
                };
                let r = body(&mut j).await;
                if r.is_err() {
                    j.evidence().await;
                }
                j.close().await;
                r
            })
        });
    if let Err(e) = outcome {
        let dir = target_dir().join("e2e-artifacts").join(name);
        panic!(
            "journey {name} failed: {e:#}\n(artefacts and driver.log in {})",
            dir.display()
        );
    }
}

/// A Tauri binary started through tauri-driver on its own display, with its own data dir (and a pcscd).
pub struct Launched {
    /// The WebDriver client of the session.
    pub client: Client,
    data: tempfile::TempDir,
    // Field order is drop order: the driver goes first, then pcscd, then the display.
    driver: Driver,
    _pcscd: Pcscd,
    _display: Display,
}

impl Launched {
    /// The app's data dir (`UKETSUKE_DATA_DIR`).
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// Resident memory (KiB) of every process the WebDriver session started: the app and its WebKit
    /// web and network processes (tauri-driver and WebKitWebDriver themselves excluded).
    pub fn resident_kib(&self) -> u64 {
        let procs: Vec<(u32, u32, String, u64)> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|pid| {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
                let field = |k: &str| {
                    status
                        .lines()
                        .find(|l| l.starts_with(k))
                        .map(|l| l[k.len()..].trim().to_owned())
                };
                let ppid = field("PPid:")?.parse().ok()?;
                let name = field("Name:")?;
                let rss = field("VmRSS:")
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
                    .unwrap_or(0);
                Some((pid, ppid, name, rss))
            })
            .collect();
        let mut tree = vec![self.driver.child.id()];
        let mut total = 0;
        let mut i = 0;
        while i < tree.len() {
            for (pid, ppid, name, rss) in &procs {
                if *ppid == tree[i] && !tree.contains(pid) {
                    tree.push(*pid);
                    if !name.starts_with("WebKitWebDriver") && !name.starts_with("tauri-driver") {
                        total += rss;
                    }
                }
            }
            i += 1;
        }
        total
    }
}

/// Start `binary` (a Tauri app) through tauri-driver in training mode, and wait until the page
/// shows `ready_css`. Returns when the window is interactive.
pub async fn launch(binary: &Path, ready_css: &str, log: &Path) -> Result<Launched> {
    launch_with_env(binary, ready_css, log, &[]).await
}

/// [`launch`] with extra environment for the app (applied after the suite's defaults).
pub async fn launch_with_env(
    binary: &Path,
    ready_css: &str,
    log: &Path,
    env: &[(&str, &str)],
) -> Result<Launched> {
    launch_with(binary, ready_css, log, env, None).await
}

/// [`launch_with_env`] with `settings` written as the data folder's `settings.json` first.
pub async fn launch_with(
    binary: &Path,
    ready_css: &str,
    log: &Path,
    env: &[(&str, &str)],
    settings: Option<&str>,
) -> Result<Launched> {
    let tauri_driver = find_tool(
        "tauri-driver",
        "install it with `cargo install tauri-driver --locked --version 2.1.0`",
    )?;
    let native = find_tool(
        "WebKitWebDriver",
        "install the Debian package `webkit2gtk-driver`",
    )?;
    let pcscd = ensure_pcscd()?;
    let display = Display::start()?;
    let data = tempfile::Builder::new().prefix("uketsuke-e2e-").tempdir()?;
    if let Some(s) = settings {
        std::fs::write(data.path().join("settings.json"), s)?;
    }
    let port = free_port()?;
    let native_port = free_port()?;
    let log = std::fs::File::create(log)?;
    let child = Command::new(tauri_driver)
        .arg("--port")
        .arg(port.to_string())
        .arg("--native-port")
        .arg(native_port.to_string())
        .arg("--native-driver")
        .arg(native)
        .env("DISPLAY", &display.name)
        .env("UKETSUKE_DATA_DIR", data.path())
        .env("UKETSUKE_MODE", "training")
        .env("UKETSUKE_OQS_TIMEOUT_SECS", OQS_TIMEOUT_SECS.to_string())
        // WebKit's mock camera instead of real devices: the webcam journey runs on machines without one.
        .env("UKETSUKE_MOCK_CAMERA", "1")
        .env_remove("XDG_DATA_HOME")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("cannot start tauri-driver")?;
    let driver = Driver { child, port };
    poll(Duration::from_secs(15), "tauri-driver to listen", || async move {
        Ok(tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()
            .map(|_| ()))
    })
    .await?;
    let mut caps = serde_json::Map::new();
    caps.insert("tauri:options".into(), json!({ "application": binary }));
    let client = tokio::time::timeout(
        Duration::from_secs(60),
        ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}")),
    )
    .await
    .map_err(|_| anyhow!("WebDriver session did not start within 60 s (see driver.log)"))?
    .context("WebDriver session (see driver.log)")?;
    let c = client.clone();
    poll(WAIT, ready_css, || {
        let c = c.clone();
        async move { Ok(c.find(Locator::Css(ready_css)).await.ok().map(|_| ())) }
    })
    .await?;
    Ok(Launched {
        client,
        data,
        driver,
        _pcscd: pcscd,
        _display: display,
    })
}

impl Journey {
    async fn start(name: &str, env: &[(&str, &str)], settings: Option<&str>, live: bool) -> Result<Journey> {
        let app = app_binary()?;
        let artifacts = target_dir().join("e2e-artifacts").join(name);
        if artifacts.exists() {
            std::fs::remove_dir_all(&artifacts)?;
        }
        std::fs::create_dir_all(&artifacts)?;
        let launched = launch_with(
            &app,
            "[data-screen]",
            &artifacts.join("driver.log"),
            env,
            settings,
        )
        .await?;
        let session_id = launched.client.session_id().await.ok().flatten();
        let mut j = Journey {
            name: name.to_owned(),
            client: launched.client.clone(),
            session_id,
            artifacts,
            shots: 0,
            last_shot: String::new(),
            launched,
        };
        if !live {
            j.wait_screen("WaitingForCard").await?;
            // The trainer panel loads its persona list asynchronously.
            j.wait_exists("trainer-persona-p01-yamada-hanako").await?;
        }
        Ok(j)
    }

    /// Make the window whose title contains `needle` the current one (live mode has two).
    pub async fn switch_to_window_titled(&mut self, needle: &str) -> Result<()> {
        let mut titles = Vec::new();
        for handle in self.client.windows().await? {
            self.client.switch_to_window(handle).await?;
            let title = self.client.title().await?;
            if title.contains(needle) {
                return Ok(());
            }
            titles.push(title);
        }
        anyhow::bail!("no window titled …{needle}… (there are {titles:?})")
    }

    /// Call a command from the current window's page as the page would (`__TAURI__.core.invoke`): `Ok` with
    /// the reply, or `Err` with the rejection (the ACL's message, or our `{code, message}`).
    pub async fn invoke(&self, command: &str, args: Value) -> Result<std::result::Result<Value, Value>> {
        let v = self
            .client
            .execute_async(
                "const [cmd, args, done] = arguments;
                 window.__TAURI__.core.invoke(cmd, args).then((r) => done({ ok: r === undefined ? null : r }),
                   (e) => done({ err: e === undefined ? null : e }));",
                vec![Value::from(command), args],
            )
            .await?;
        match (v.get("ok"), v.get("err")) {
            (Some(ok), None) => Ok(Ok(ok.clone())),
            (None, Some(err)) => Ok(Err(err.clone())),
            _ => anyhow::bail!("{command}: neither a reply nor a rejection: {v}"),
        }
    }

    /// The live database, opened with the store crate.
    pub fn live_db(&self) -> Result<store::Store> {
        let path = self.data_dir().join("live").join("uketsuke.sqlite3");
        Ok(store::Store::open(&path, store::Mode::Live)?)
    }

    /// End the WebDriver session (closes the app); the driver and display go on drop.
    async fn close(mut self) {
        let client = self.client.clone();
        if client.close().await.is_ok() {
            self.session_id = None;
        }
    }

    /// After a failure: a screenshot and the visible state, for the report.
    async fn evidence(&mut self) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(self.artifacts.join("99-failure.png"), png);
        }
        if let Ok(state) = self.state_dump().await {
            let _ = std::fs::write(self.artifacts.join("99-failure.txt"), state);
        }
    }

    /// The visible reader screen, staff error code and toasts, for error messages.
    pub async fn state_dump(&self) -> Result<String> {
        let v = self
            .js(
                "const q=(t)=>document.querySelector(`[data-testid=\"${t}\"]`);
                 const tx=(t)=>{const e=q(t);return e&&!e.hidden?e.textContent.trim():null};
                 const r=q('reader-root');
                 return JSON.stringify({reader:r&&r.dataset.current, staff_error:tx('staff-error-code'),
                   reader_toast:tx('reader-toast'), staff_toast:tx('staff-toast'), trainer_toast:tx('trainer-toast'),
                   status:tx('staff-reader-screen'), fallback:(q('fallback-wizard')||{dataset:{}}).dataset.step});",
                vec![],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Run a script in the page (`return …` gives the value).
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        match self.client.execute(script, args.clone()).await {
            // WebKitWebDriver sometimes cannot read back a result it was given (seen once in 90 screens of
            // the desk day); the scripts here only read the page or set a field to a value, so once more is safe.
            Err(e) if e.to_string().contains("Could not parse script result") => {
                tokio::time::sleep(POLL).await;
                Ok(self.client.execute(script, args).await?)
            }
            other => Ok(other?),
        }
    }

    /// The temporary data dir the app runs with.
    pub fn data_dir(&self) -> &Path {
        self.launched.data_dir()
    }

    /// Today on the app's clock (from `app_info`), so database checks use the same day the app used.
    pub async fn today(&self) -> Result<NaiveDate> {
        let v = self
            .client
            .execute_async(
                "const done=arguments[arguments.length-1];
                 window.__TAURI__.core.invoke('app_info').then((i)=>done(i.today),(e)=>done('ERR '+JSON.stringify(e)));",
                vec![],
            )
            .await?;
        let s = v.as_str().unwrap_or_default();
        NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("app_info.today = {v}"))
    }

    /// The training database, opened with the store crate (after the app wrote to it).
    pub fn db(&self) -> Result<store::Store> {
        let path = self.data_dir().join("training").join("uketsuke.sqlite3");
        Ok(store::Store::open(&path, store::Mode::Training)?)
    }

    /// The reader screen id (`reader-root[data-current]`), plus the fallback step when on Fallback.
    pub async fn screen(&self) -> Result<String> {
        let v = self
            .js(
                "const r=document.querySelector('[data-testid=\"reader-root\"]');
                 if(!r) return '';
                 const f=document.querySelector('[data-testid=\"fallback-wizard\"]');
                 return r.dataset.current + (r.dataset.current==='Fallback'&&f ? '-'+f.dataset.step : '');",
                vec![],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Save a screenshot named after the screen shown (two animation frames first, else it is stale).
    pub async fn shoot(&mut self) -> Result<()> {
        self.client
            .execute_async(
                "const d=arguments[arguments.length-1];requestAnimationFrame(()=>requestAnimationFrame(()=>d(null)));",
                vec![],
            )
            .await?;
        let label = self.screen().await?;
        let png = self.client.screenshot().await?;
        self.shots += 1;
        let file = self.artifacts.join(format!("{:02}-{}.png", self.shots, label));
        std::fs::write(&file, png).with_context(|| format!("writing {}", file.display()))?;
        self.last_shot = label;
        Ok(())
    }

    async fn shoot_if_new(&mut self, label: &str) -> Result<()> {
        if !label.is_empty() && label != self.last_shot {
            self.shoot().await?;
        }
        Ok(())
    }

    /// Wait until the reader shows one of `ids` (screen ids, or `Fallback-<Step>`); screenshots every
    /// distinct screen seen on the way. Returns the one reached.
    pub async fn wait_screen_any(&mut self, ids: &[&str]) -> Result<String> {
        let waiting = async {
            loop {
                let now = self.screen().await?;
                self.shoot_if_new(&now).await?;
                if ids.contains(&now.as_str()) {
                    return Ok::<_, anyhow::Error>(now);
                }
                tokio::time::sleep(POLL).await;
            }
        };
        match tokio::time::timeout(WAIT, waiting).await {
            Ok(r) => r,
            Err(_) => bail!(
                "timed out after {} s waiting for screen {ids:?}; visible: {}",
                WAIT.as_secs(),
                self.state_dump().await.unwrap_or_default()
            ),
        }
    }

    /// Wait for 受付完了 and for its save. The reader shows 受付完了 while the reception is still being written,
    /// so a read of the record right after the screen could miss it; the staff console says when it is
    /// written (`staff-root[data-reception-saved]`). Without a staff console in this window, or once the reader
    /// has moved on, there is nothing more to wait for here.
    pub async fn wait_completed(&mut self) -> Result<()> {
        self.wait_screen("Completed").await?;
        let me = &*self;
        poll(WAIT, "the completed reception to be saved", || async move {
            let done = me
                .js(
                    "const s=document.querySelector('[data-testid=\"staff-root\"]');
                     const r=document.querySelector('[data-testid=\"reader-root\"]');
                     const shown=!!r&&['Completed','RemoveCard'].includes(r.dataset.current);
                     return !s||!shown||s.dataset.receptionSaved==='true';",
                    vec![],
                )
                .await?;
            Ok(done.as_bool().unwrap_or(false).then_some(()))
        })
        .await
    }

    /// Wait for one screen.
    pub async fn wait_screen(&mut self, id: &str) -> Result<()> {
        self.wait_screen_any(&[id]).await.map(|_| ())
    }

    fn css(testid: &str) -> String {
        format!("[data-testid=\"{testid}\"]")
    }

    /// Wait until an element with `testid` exists.
    pub async fn wait_exists(&self, testid: &str) -> Result<()> {
        let sel = Self::css(testid);
        let client = &self.client;
        poll(WAIT, &format!("element {testid}"), || {
            let sel = sel.clone();
            async move { Ok(client.find(Locator::Css(&sel)).await.ok().map(|_| ())) }
        })
        .await
    }

    /// Whether an element with `testid` is present now.
    pub async fn exists(&self, testid: &str) -> Result<bool> {
        Ok(self
            .js(
                "return !!document.querySelector(arguments[0]);",
                vec![json!(Self::css(testid))],
            )
            .await?
            .as_bool()
            .unwrap_or(false))
    }

    /// Click `testid` as a user would (WebDriver element click), retrying while the pane re-renders
    /// (a snapshot push can replace the element between find and click) or the button is still disabled.
    pub async fn click(&self, testid: &str) -> Result<()> {
        let sel = Self::css(testid);
        let client = &self.client;
        let mut last = String::from("not found");
        let waiting = async {
            loop {
                match client.find(Locator::Css(&sel)).await {
                    Ok(el) => match el.is_enabled().await {
                        Ok(true) => match el.click().await {
                            Ok(()) => return,
                            Err(e) => last = format!("{e:?}"),
                        },
                        Ok(false) => last = "disabled".into(),
                        Err(e) => last = format!("{e:?}"),
                    },
                    Err(e) => last = format!("{e:?}"),
                }
                tokio::time::sleep(POLL).await;
            }
        };
        match tokio::time::timeout(WAIT, waiting).await {
            Ok(()) => Ok(()),
            Err(_) => bail!(
                "could not click {testid} within {} s ({last}); visible: {}",
                WAIT.as_secs(),
                self.state_dump().await.unwrap_or_default()
            ),
        }
    }

    /// Ticks (`on`) or unticks the checkbox `testid` and waits until it shows that state. Not [`Journey::click`]:
    /// a click is not idempotent on a checkbox, and a click WebDriver reports as failed after it landed would be
    /// retried and untick the box again (seen once: the お知らせ went out without 「カードと一緒に提示」).
    pub async fn set_checked(&self, testid: &str, on: bool) -> Result<()> {
        self.wait_exists(testid).await?;
        let sel = Self::css(testid);
        let mut last = Value::Null;
        // As long as a click may wait (a toast over the box goes away by itself).
        let deadline = tokio::time::Instant::now() + WAIT;
        while tokio::time::Instant::now() < deadline {
            last = self
                .js(
                    "const e=document.querySelector(arguments[0]);return e?e.checked:null;",
                    vec![json!(sel)],
                )
                .await?;
            if last == json!(on) {
                return Ok(());
            }
            // In the middle of its pane: not under the sticky header and tabs, nor under a toast.
            self.js(
                "const e=document.querySelector(arguments[0]);if(e)e.scrollIntoView({block:'center'});return null;",
                vec![json!(sel)],
            )
            .await?;
            if let Ok(el) = self.client.find(Locator::Css(&sel)).await {
                // One attempt per look: whether it landed is read back above.
                let _ = el.click().await;
            }
            tokio::time::sleep(POLL).await;
        }
        bail!(
            "{testid} did not become {} (last {last}); visible: {}",
            if on { "ticked" } else { "unticked" },
            self.state_dump().await.unwrap_or_default()
        )
    }

    /// The trimmed text of `testid` (waits for it to exist).
    pub async fn text(&self, testid: &str) -> Result<String> {
        self.wait_exists(testid).await?;
        let v = self
            .js(
                "const e=document.querySelector(arguments[0]);return e?e.textContent.trim():null;",
                vec![json!(Self::css(testid))],
            )
            .await?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("{testid} vanished"))
    }

    /// An attribute of `testid` (waits for the element).
    pub async fn attr(&self, testid: &str, name: &str) -> Result<Option<String>> {
        self.wait_exists(testid).await?;
        let v = self
            .js(
                "const e=document.querySelector(arguments[0]);return e?e.getAttribute(arguments[1]):null;",
                vec![json!(Self::css(testid)), json!(name)],
            )
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Wait until the text of `testid` contains `needle`; returns the text.
    pub async fn wait_text(&self, testid: &str, needle: &str) -> Result<String> {
        let sel = Self::css(testid);
        let found = poll(WAIT, &format!("{testid} to contain {needle:?}"), || {
            let sel = sel.clone();
            async move {
                let v = self
                    .js(
                        "const e=document.querySelector(arguments[0]);return e?e.textContent.trim():'';",
                        vec![json!(sel)],
                    )
                    .await?;
                let t = v.as_str().unwrap_or_default().to_owned();
                Ok(t.contains(needle).then_some(t))
            }
        })
        .await;
        match found {
            Ok(t) => Ok(t),
            Err(e) => bail!("{e}; it shows {:?}", self.text(testid).await.unwrap_or_default()),
        }
    }

    /// Wait until attribute `name` of `testid` equals `value`.
    pub async fn wait_attr(&self, testid: &str, name: &str, value: &str) -> Result<()> {
        poll(WAIT, &format!("{testid}[{name}={value:?}]"), || async move {
            Ok((self.attr(testid, name).await?.as_deref() == Some(value)).then_some(()))
        })
        .await
    }

    /// Key a 資格確認書 in on the 書類入力 tab: open the certificate form and fill `fields` (testid, value), in
    /// order. The share and the submit are the caller's (a journey may check the form first).
    pub async fn key_in_certificate(&self, fields: &[(&str, &str)]) -> Result<()> {
        self.click("staff-tab-paper").await?;
        self.click("paper-kind-certificate").await?;
        self.wait_attr("paper-form", "data-kind", "QualificationCertificate")
            .await?;
        for (id, v) in fields {
            self.fill(id, v).await?;
        }
        Ok(())
    }

    /// Fill a staff form field: scroll it into view, set its value and fire the `input` event the form
    /// binds to. (WebKitWebDriver refuses `clear`/`send_keys` on fields below the fold of a scrolled pane
    /// and cannot type into native date pickers, so the harness fills every field the same way.)
    pub async fn fill(&self, testid: &str, value: &str) -> Result<()> {
        self.wait_exists(testid).await?;
        let now = self
            .js(
                "const e=document.querySelector(arguments[0]);e.scrollIntoView({block:'center'});e.focus();
                 e.value=arguments[1];e.dispatchEvent(new Event('input',{bubbles:true}));
                 e.dispatchEvent(new Event('change',{bubbles:true}));return e.value;",
                vec![json!(Self::css(testid)), json!(value)],
            )
            .await?;
        if now.as_str() != Some(value) {
            bail!("{testid} holds {now} after filling in {value:?}");
        }
        Ok(())
    }

    /// Trainer: select `persona` and place its card on the virtual reader.
    pub async fn place_card(&mut self, persona: &str) -> Result<()> {
        self.click(&format!("trainer-persona-{persona}")).await?;
        let me = &*self;
        poll(WAIT, "the persona to be selected", || async move {
            Ok((me
                .attr(&format!("trainer-persona-{persona}"), "aria-pressed")
                .await?
                .as_deref()
                == Some("true"))
            .then_some(()))
        })
        .await?;
        let waiting = self.screen().await? == "WaitingForCard";
        self.click("trainer-place-card").await?;
        if !waiting {
            return Ok(());
        }
        // The reader should leave the waiting screen once pcscd sees the card. On this machine the single vpcd
        // slot is sometimes not seen for the first placement after the previous app let go of it (the one
        // flake of the suite, see #13 §6); a clerk would lift the card and place it again, and so does the
        // harness, once, saying so in the test output.
        let me = &*self;
        let seen = poll(PLACE_SEEN, "the reader to see the card", || async move {
            Ok((me.screen().await? != "WaitingForCard").then_some(()))
        })
        .await;
        if seen.is_err() {
            eprintln!(
                "e2e: the reader did not see the {persona} card within {PLACE_SEEN:?}; placing it again"
            );
            self.click("trainer-remove-card").await?;
            self.click("trainer-place-card").await?;
        }
        Ok(())
    }

    /// Trainer: take the card off the reader.
    pub async fn remove_card(&mut self) -> Result<()> {
        self.click("trainer-remove-card").await
    }

    /// Type `pin` on the reader's pad and press 確定.
    pub async fn enter_pin(&mut self, pin: &str) -> Result<()> {
        for d in pin.chars() {
            self.click(&format!("pin-key-{d}")).await?;
        }
        let n = pin.chars().count().to_string();
        let me = &*self;
        poll(WAIT, "the PIN dots to fill", || {
            let n = n.clone();
            async move {
                let label = me.attr("pin-display", "aria-label").await?.unwrap_or_default();
                Ok(label.contains(&n).then_some(()))
            }
        })
        .await?;
        self.shoot().await?;
        self.click("pin-submit").await
    }

    /// Where this journey's artefacts go.
    pub fn artifacts(&self) -> &Path {
        &self.artifacts
    }
}

impl Drop for Journey {
    /// A journey that panicked still ends its session (so the app quits) before the driver is terminated.
    fn drop(&mut self) {
        if let Some(id) = self.session_id.take() {
            let _ = delete_session(self.launched.driver.port, &id);
        }
    }
}

/// `DELETE /session/<id>` over a plain blocking socket (usable from `Drop`, outside any async context).
fn delete_session(port: u16, id: &str) -> std::io::Result<()> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut sink = Vec::new();
    let _ = s.read_to_end(&mut sink);
    Ok(())
}
