//! The mock OQS service over HTTP on 127.0.0.1, with fault injection, embeddable in-process.
//!
//! Two listeners: the **query port** speaks XML (`POST /oqs/qualification`, `POST /oqs/registration`) and can
//! be stopped and resumed (a stopped port refuses connections, as a dead service does); the **admin port**
//! speaks JSON for the trainer panel and tests (faults, consents, pending data, revocations, stop/resume).
//! [`MockOqs`] owns its own tokio runtime so a synchronous caller (the reception driver, tests) can embed it.
//! Deliberately not here: answering logic (`answer`), TLS, any address other than 127.0.0.1.

use crate::answer::{
    answer_query, answer_registration, answer_unreadable, show_other_person, ConsentRecord, Prepared,
    ServiceState,
};
use crate::codes::{ReferenceClassification, SegmentOfResult, SimulatedCode};
use crate::data::{DataError, Eligibility};
use crate::trust::{AnchorError, TrustAnchor};
use crate::xml::{Charset, MessageBody, XmlMsg};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot};

/// The service's time source ("now", JST wall time). Tests pass a fixed time; the binary reads the system clock.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// How long a `Timeout` fault holds a request before giving up (far beyond any client timeout).
const HANG: Duration = Duration::from_secs(600);

/// An injected failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer normally after a delay.
    Latency { millis: u64 },
    /// Accept the request and never answer (the client's total timeout fires).
    Timeout,
    /// HTTP 500.
    Http500,
    /// HTTP 200 with a truncated, non-well-formed XML body.
    Malformed,
    /// `SegmentOfResult` 2 (処理中).
    Processing,
    /// `SegmentOfResult` 9 (異常終了).
    Error,
    /// 紐付け誤り — a card query answers with another person's record (validity 1), as when a card was linked
    /// to the wrong insurer record. Only card queries: a 記号番号 query still finds the right person, and a
    /// registration request is answered normally (and does not use up the rule). `shown` is a persona id;
    /// an unknown one answers 異常終了 so a mistyped rule is noticed.
    OtherPerson { shown: String },
}

/// A fault with its scope: all requests or one person's, forever or for the next `count` matching requests.
/// Connection refusal is not a rule: stop the query port instead ([`MockOqs::stop_listening`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    pub fault: Fault,
    /// Persona id; `None` = every request.
    #[serde(default)]
    pub person: Option<String>,
    /// Number of requests it applies to; `None` = until cleared.
    #[serde(default)]
    pub count: Option<u32>,
}

/// A rule as listed by the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveFault {
    pub id: u64,
    #[serde(flatten)]
    pub rule: FaultRule,
}

/// Configuration of an embedded mock.
#[derive(Clone)]
pub struct MockConfig {
    pub data: Eligibility,
    pub anchor: TrustAnchor,
    pub clock: Clock,
    /// Query port on 127.0.0.1 (0 = ephemeral).
    pub port: u16,
    /// Admin port on 127.0.0.1 (0 = ephemeral).
    pub admin_port: u16,
}

/// Why the mock could not start or be controlled.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Anchor(#[from] AnchorError),
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("socket error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the mock service has shut down")]
    Gone,
}

impl MockConfig {
    /// Loads `<assets>/eligibility/` and trusts `<assets>/pki/test-ca.crt.pem`; ephemeral ports.
    pub fn from_assets(assets: &Path, clock: Clock) -> Result<Self, MockError> {
        let data = Eligibility::load_dir(&assets.join("eligibility"))?;
        let ca_path = assets.join("pki").join("test-ca.crt.pem");
        let pem = std::fs::read(&ca_path).map_err(|e| MockError::Read(ca_path.clone(), e))?;
        let anchor = TrustAnchor::from_pem(&pem)?;
        Ok(MockConfig {
            data,
            anchor,
            clock,
            port: 0,
            admin_port: 0,
        })
    }
}

/// The repository's `assets/` folder (compile-time path; for tests, benches and the binary's default).
pub fn repo_assets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("assets")
}

struct Shared {
    anchor: TrustAnchor,
    clock: Clock,
    state: Mutex<ServiceState>,
    faults: Mutex<FaultTable>,
    ctl: mpsc::UnboundedSender<Ctl>,
}

#[derive(Default)]
struct FaultTable {
    next_id: u64,
    rules: Vec<ActiveFault>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, ServiceState> {
        // A poisoned lock only means a handler panicked mid-update; the data is still usable for a mock.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn faults(&self) -> MutexGuard<'_, FaultTable> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Picks the first rule matching `person` and consumes one use of it. `card_query` tells whether the
    /// request is a card query: an `OtherPerson` rule applies to nothing else.
    fn take_fault(&self, person: Option<&str>, card_query: bool) -> Option<Fault> {
        let mut table = self.faults();
        let idx = table.rules.iter().position(|r| {
            r.rule.person.as_deref().is_none_or(|p| Some(p) == person)
                && (card_query || !matches!(r.rule.fault, Fault::OtherPerson { .. }))
        })?;
        let rule = table.rules.get_mut(idx)?;
        let fault = rule.rule.fault.clone();
        if let Some(n) = rule.rule.count.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                table.rules.remove(idx);
            }
        }
        Some(fault)
    }

    fn inject(&self, rule: FaultRule) -> u64 {
        let mut table = self.faults();
        table.next_id += 1;
        let id = table.next_id;
        table.rules.push(ActiveFault { id, rule });
        id
    }
}

/// Commands to the stoppable query listener.
enum Ctl {
    Stop(oneshot::Sender<()>),
    Resume(oneshot::Sender<std::io::Result<()>>),
}

/// A listener whose socket can be closed and re-bound on the same port, so that a stopped service really
/// refuses connections (ECONNREFUSED) rather than accepting and hanging.
struct Switchable {
    addr: SocketAddr,
    inner: Option<TcpListener>,
    ctl: mpsc::UnboundedReceiver<Ctl>,
}

fn bind_reuse(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

impl axum::serve::Listener for Switchable {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let Switchable { addr, inner, ctl } = self;
            let cmd = match inner {
                Some(listener) => tokio::select! {
                    accepted = TcpListener::accept(listener) => match accepted {
                        Ok((stream, peer)) => {
                            let _ = stream.set_nodelay(true);
                            return (stream, peer);
                        }
                        // Transient accept errors (EMFILE, aborted handshakes): back off briefly.
                        Err(_) => { tokio::time::sleep(Duration::from_millis(5)).await; continue; }
                    },
                    cmd = ctl.recv() => cmd,
                },
                None => ctl.recv().await,
            };
            match cmd {
                Some(Ctl::Stop(ack)) => {
                    *inner = None;
                    let _ = ack.send(());
                }
                Some(Ctl::Resume(ack)) => {
                    let result = match inner {
                        Some(_) => Ok(()),
                        None => bind_reuse(*addr).map(|l| *inner = Some(l)),
                    };
                    let _ = ack.send(result);
                }
                // Every handle is gone: keep serving (or staying stopped) until the runtime shuts down.
                None => std::future::pending::<()>().await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// A running mock OQS service. Dropping it shuts the service down.
pub struct MockOqs {
    addr: SocketAddr,
    admin_addr: SocketAddr,
    admin_token: Arc<str>,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl MockOqs {
    /// Starts the service on 127.0.0.1 (ephemeral ports unless configured). Do not call from inside an async
    /// task: the control methods block on the service's own runtime.
    pub fn start(config: MockConfig) -> Result<Self, MockError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("uketsuke-oqs-mock")
            .enable_all()
            .build()?;
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            anchor: config.anchor,
            clock: config.clock,
            state: Mutex::new(ServiceState::new(config.data)),
            faults: Mutex::new(FaultTable::default()),
            ctl: tx,
        });
        let admin_token = new_admin_token()?;
        let (addr, admin_addr) = runtime.block_on(async {
            let shared = &shared;
            let query = bind_reuse(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)))?;
            let admin = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.admin_port))).await?;
            let addr = query.local_addr()?;
            let admin_addr = admin.local_addr()?;
            let listener = Switchable {
                addr,
                inner: Some(query),
                ctl: rx,
            };
            let query_app = query_router(Arc::clone(shared));
            tokio::spawn(async move { axum::serve(listener, query_app).await });
            let admin_app = admin_router(Arc::clone(shared), Arc::clone(&admin_token));
            tokio::spawn(async move { axum::serve(admin, admin_app).await });
            Ok::<_, std::io::Error>((addr, admin_addr))
        })?;
        Ok(MockOqs {
            addr,
            admin_addr,
            admin_token,
            shared,
            runtime: Some(runtime),
        })
    }

    /// Base URL of the query port, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the admin port.
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }

    /// This run's admin token: every admin request but `GET /admin/health` sends it in [`ADMIN_TOKEN_HEADER`]
    /// (any local process can reach 127.0.0.1; only the one that started the mock, or was told, holds this).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a fault rule; returns its id.
    pub fn inject(&self, rule: FaultRule) -> u64 {
        self.shared.inject(rule)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults().rules.clear();
    }

    /// The active fault rules.
    pub fn faults(&self) -> Vec<ActiveFault> {
        self.shared.faults().rules.clone()
    }

    /// Closes the query port: new connections are refused until [`Self::resume_listening`].
    pub fn stop_listening(&self) -> Result<(), MockError> {
        let (ack, done) = oneshot::channel();
        self.shared
            .ctl
            .send(Ctl::Stop(ack))
            .map_err(|_| MockError::Gone)?;
        done.blocking_recv().map_err(|_| MockError::Gone)
    }

    /// Re-opens the query port on the same address.
    pub fn resume_listening(&self) -> Result<(), MockError> {
        let (ack, done) = oneshot::channel();
        self.shared
            .ctl
            .send(Ctl::Resume(ack))
            .map_err(|_| MockError::Gone)?;
        Ok(done.blocking_recv().map_err(|_| MockError::Gone)??)
    }

    /// The consent recorded for `person` by the last card query (flags + time), if any.
    pub fn consent(&self, person: &str) -> Option<ConsentRecord> {
        self.shared.state().consents.get(person).cloned()
    }

    /// Marks `person`'s insurer data as pending (資格情報なし) or linked; false if unknown.
    pub fn set_pending(&self, person: &str, pending: bool) -> bool {
        self.shared
            .state()
            .data
            .people
            .get_mut(person)
            .map(|p| p.pending = pending)
            .is_some()
    }

    /// Whether `person` has done 保険証利用登録 (None if unknown).
    pub fn registered(&self, person: &str) -> Option<bool> {
        self.shared.state().data.people.get(person).map(|p| p.registered)
    }

    /// Adds a serial to the revocation list.
    pub fn revoke(&self, serial: u64) {
        self.shared.state().revoked.insert(serial);
    }

    /// Shuts the service down now (also done on drop).
    pub fn shutdown(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for MockOqs {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn query_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oqs/qualification", post(qualification))
        .route("/oqs/registration", post(registration))
        .with_state(shared)
}

async fn qualification(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    handle(shared, body, Kind::Query).await
}

async fn registration(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    handle(shared, body, Kind::Registration).await
}

enum Kind {
    Query,
    Registration,
}

async fn handle(shared: Arc<Shared>, body: Bytes, kind: Kind) -> Response {
    let now = (shared.clock)();
    let (prepared, charset, card_query) = match XmlMsg::from_bytes(&body) {
        Ok(decoded) => {
            let state = shared.state();
            let p = match kind {
                Kind::Query => answer_query(&state, &shared.anchor, &decoded.msg, now),
                Kind::Registration => answer_registration(&state, &shared.anchor, &decoded.msg, now),
            };
            let card_query = matches!(kind, Kind::Query)
                && decoded.msg.header.reference_classification == Some(ReferenceClassification::MyNumberCard);
            (p, decoded.charset, card_query)
        }
        Err(_) => (answer_unreadable(now), Charset::Utf8, false),
    };
    let fault = shared.take_fault(prepared.person.as_deref(), card_query);
    match fault {
        None => deliver(&shared, prepared, charset),
        Some(Fault::OtherPerson { shown }) => {
            let mut prepared = prepared;
            let swapped = show_other_person(&shared.state(), &mut prepared.msg, &shown, now);
            if swapped {
                // The patient's own consent answers are still recorded: they did consent at the reader.
                deliver(&shared, prepared, charset)
            } else {
                header_failure(
                    prepared.msg,
                    SegmentOfResult::Abnormal,
                    SimulatedCode::SystemError,
                    charset,
                )
            }
        }
        Some(Fault::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            deliver(&shared, prepared, charset)
        }
        Some(Fault::Timeout) => {
            tokio::time::sleep(HANG).await;
            (StatusCode::SERVICE_UNAVAILABLE, "gave up (simulated timeout)").into_response()
        }
        Some(Fault::Http500) => (StatusCode::INTERNAL_SERVER_ERROR, "simulated failure").into_response(),
        Some(Fault::Malformed) => {
            let full = prepared.msg.to_bytes(charset).unwrap_or_default();
            // Cut mid-document and append junk: not well-formed whatever the cut point.
            let mut cut = full.get(..full.len() / 2).unwrap_or(&[]).to_vec();
            cut.extend_from_slice(b"<<</MessageBody");
            xml_response(cut, charset)
        }
        Some(Fault::Processing) => header_failure(
            prepared.msg,
            SegmentOfResult::Processing,
            SimulatedCode::Processing,
            charset,
        ),
        Some(Fault::Error) => header_failure(
            prepared.msg,
            SegmentOfResult::Abnormal,
            SimulatedCode::SystemError,
            charset,
        ),
    }
}

/// Sends the answer and commits its side effects (consent, registration).
fn deliver(shared: &Shared, prepared: Prepared, charset: Charset) -> Response {
    {
        let mut state = shared.state();
        if let Some((person, record)) = prepared.consent {
            state.consents.insert(person, record);
        }
        if let Some(person) = prepared.register {
            if let Some(p) = state.data.people.get_mut(&person) {
                p.registered = true;
            }
        }
    }
    match prepared.msg.to_bytes(charset) {
        Ok(bytes) => xml_response(bytes, charset),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn header_failure(
    mut msg: XmlMsg,
    segment: SegmentOfResult,
    code: SimulatedCode,
    charset: Charset,
) -> Response {
    msg.header.segment_of_result = Some(segment);
    msg.header.error_code = Some(code.code().to_owned());
    msg.header.error_message = Some(code.label().to_owned());
    msg.body = MessageBody::default();
    match msg.to_bytes(charset) {
        Ok(bytes) => xml_response(bytes, charset),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn xml_response(bytes: Vec<u8>, charset: Charset) -> Response {
    let ctype = match charset {
        Charset::Utf8 => "application/xml; charset=UTF-8",
        Charset::ShiftJis => "application/xml; charset=Shift_JIS",
    };
    ([(header::CONTENT_TYPE, ctype)], bytes).into_response()
}

/// The header that carries the admin token.
pub const ADMIN_TOKEN_HEADER: &str = "x-uketsuke-admin-token";

/// 32 random bytes from the OS, hex: new for every start of the mock.
fn new_admin_token() -> std::io::Result<Arc<str>> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(hex::encode(bytes).into())
}

/// Admin requests without this run's token are refused (401) before they reach a handler.
async fn require_token(
    State(token): State<Arc<str>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let given = req
        .headers()
        .get(ADMIN_TOKEN_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    // Compare every byte whatever the first difference, so the time taken says nothing about the token.
    let same = given.len() == token.len()
        && given
            .iter()
            .zip(token.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        next.run(req).await
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

fn admin_router(shared: Arc<Shared>, token: Arc<str>) -> Router {
    let guarded = Router::new()
        .route(
            "/admin/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/admin/stop", post(stop_query_port))
        .route("/admin/resume", post(resume_query_port))
        .route("/admin/consents/{person}", get(get_consent))
        .route("/admin/persons/{person}/pending", post(set_pending))
        .route("/admin/revocations", post(add_revocation))
        .with_state(shared)
        .route_layer(axum::middleware::from_fn_with_state(token, require_token));
    Router::new()
        .route("/admin/health", get(|| async { "ok" }))
        .merge(guarded)
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Json<Vec<ActiveFault>> {
    Json(shared.faults().rules.clone())
}

#[derive(Serialize)]
struct Created {
    id: u64,
}

async fn add_fault(State(shared): State<Arc<Shared>>, Json(rule): Json<FaultRule>) -> Json<Created> {
    Json(Created {
        id: shared.inject(rule),
    })
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.faults().rules.clear();
    StatusCode::NO_CONTENT
}

async fn stop_query_port(State(shared): State<Arc<Shared>>) -> StatusCode {
    let (ack, done) = oneshot::channel();
    if shared.ctl.send(Ctl::Stop(ack)).is_err() || done.await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::NO_CONTENT
}

async fn resume_query_port(State(shared): State<Arc<Shared>>) -> StatusCode {
    let (ack, done) = oneshot::channel();
    if shared.ctl.send(Ctl::Resume(ack)).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    match done.await {
        Ok(Ok(())) => StatusCode::NO_CONTENT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn get_consent(State(shared): State<Arc<Shared>>, UrlPath(person): UrlPath<String>) -> Response {
    match shared.state().consents.get(&person) {
        Some(c) => Json(c.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct PendingBody {
    pending: bool,
}

async fn set_pending(
    State(shared): State<Arc<Shared>>,
    UrlPath(person): UrlPath<String>,
    Json(body): Json<PendingBody>,
) -> StatusCode {
    match shared.state().data.people.get_mut(&person) {
        Some(p) => {
            p.pending = body.pending;
            StatusCode::NO_CONTENT
        }
        None => StatusCode::NOT_FOUND,
    }
}

#[derive(Deserialize)]
struct RevokeBody {
    serial: u64,
}

async fn add_revocation(State(shared): State<Arc<Shared>>, Json(body): Json<RevokeBody>) -> StatusCode {
    shared.state().revoked.insert(body.serial);
    StatusCode::NO_CONTENT
}
