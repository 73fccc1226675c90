//! Sustained queries/second of the mock OQS service through our client over loopback, against a bare axum
//! "hello" endpoint served and queried the same way (same runtime shape, same client settings) in the same run.
//! Prints `ratio: ours/peer = …` (throughput ratio; 1.0 would mean our XML + certificate work is free).
//!
//! Second (#16 §3): 一件照会 through a 資格確認端末's folders — `FolderPort` writing the request, the mock 端末
//! (answering from memory, so only the file path is measured) writing the result, `FolderPort` reading it —
//! against a bare loop on the same disk doing the same file work in one thread: write + fsync + rename the
//! request, read it, write + fsync + rename the result, read it, remove both. Prints
//! `ratio: folder round trip / bare file loop = …` (latency ratio; goal ≤ 1.5).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::routing::get;
use chrono::NaiveDate;
use oqs::mock::{repo_assets_dir, MockConfig, MockOqs};
use oqs::{ClientConfig, NumberQuery, OqsClient};
use std::sync::Arc;
use std::time::Duration;

/// Each side runs `ROUNDS` slices of `SLICE`, alternating, so load from other processes hits both alike.
const SLICE: Duration = Duration::from_millis(500);
const ROUNDS: u32 = 8;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// Accumulated count and time of one side.
#[derive(Default)]
struct Tally {
    n: u32,
    time: Duration,
}

impl Tally {
    /// Runs `op` repeatedly for one `SLICE`.
    #[allow(clippy::disallowed_methods)] // a benchmark measures wall time by definition
    fn slice(&mut self, op: &mut impl FnMut()) {
        let start = std::time::Instant::now();
        while start.elapsed() < SLICE {
            op();
            self.n += 1;
        }
        self.time += start.elapsed();
    }

    /// (queries/s, mean latency)
    fn result(&self) -> (f64, Duration) {
        (
            f64::from(self.n) / self.time.as_secs_f64(),
            self.time / self.n.max(1),
        )
    }
}

fn main() {
    let clock: oqs::Clock = Arc::new(|| today().and_hms_opt(10, 0, 0).unwrap());
    let mock = MockOqs::start(MockConfig::from_assets(&repo_assets_dir(), clock).unwrap()).unwrap();
    let client = OqsClient::new(ClientConfig::new(mock.url()));
    let query = NumberQuery {
        insurer_number: "06139919".into(),
        symbol: Some("1001".into()),
        number: "1001".into(),
        branch: Some("00".into()),
        birthdate: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        date: today(),
        limit_consent: false,
    };

    // Peer: bare axum hello on its own 2-worker runtime, like the mock.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let hello_url = format!("http://{}/hello", listener.local_addr().unwrap());
    rt.spawn(async move {
        axum::serve(
            listener,
            axum::Router::new().route("/hello", get(|| async { "hello" })),
        )
        .await
    });
    // Same client settings as OqsClient: fresh connection per request, same timeouts.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(3)))
        .timeout_global(Some(Duration::from_secs(10)))
        .max_idle_connections(0)
        .max_idle_connections_per_host(0)
        .build()
        .into();

    let mut ours_op = || {
        let msg = client.query_by_numbers(&query, true).unwrap();
        assert!(msg.first_result().is_some());
    };
    let mut peer_op = || {
        let body = agent
            .get(&hello_url)
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        assert_eq!(body, "hello");
    };
    for _ in 0..50 {
        ours_op(); // warm-up
        peer_op();
    }
    let (mut ours, mut peer) = (Tally::default(), Tally::default());
    for _ in 0..ROUNDS {
        ours.slice(&mut ours_op);
        peer.slice(&mut peer_op);
    }
    let ((ours_qps, ours_lat), (peer_qps, peer_lat)) = (ours.result(), peer.result());
    println!(
        "oqs mock (記号番号 query, XML both ways): {ours_qps:.0} q/s, {:.3} ms/query",
        ours_lat.as_secs_f64() * 1e3
    );
    println!(
        "axum hello (peer):                       {peer_qps:.0} q/s, {:.3} ms/query",
        peer_lat.as_secs_f64() * 1e3
    );
    println!(
        "ratio: ours/peer = {:.2} (ours {:.3} ms, peer {:.3} ms)",
        ours_qps / peer_qps,
        ours_lat.as_secs_f64() * 1e3,
        peer_lat.as_secs_f64() * 1e3
    );
    rt.shutdown_background();
    folders(&client, &query);
}

/// One bare round trip of the same files: what the folder exchange costs without our code.
fn bare_round_trip(req_dir: &std::path::Path, res_dir: &std::path::Path, req: &[u8], res: &[u8]) {
    use std::io::Write;
    let put = |dir: &std::path::Path, name: &str, bytes: &[u8]| {
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut f = std::fs::File::create(&tmp).unwrap();
        f.write_all(bytes).unwrap();
        f.sync_all().unwrap();
        std::fs::rename(&tmp, dir.join(name)).unwrap();
    };
    put(req_dir, "OQSsiquc01req_bare.xml", req);
    let got = std::fs::read(req_dir.join("OQSsiquc01req_bare.xml")).unwrap();
    std::fs::remove_file(req_dir.join("OQSsiquc01req_bare.xml")).unwrap();
    assert_eq!(got.len(), req.len());
    put(res_dir, "OQSsiquc01res_bare.xml", res);
    let got = std::fs::read(res_dir.join("OQSsiquc01res_bare.xml")).unwrap();
    std::fs::remove_file(res_dir.join("OQSsiquc01res_bare.xml")).unwrap();
    assert_eq!(got.len(), res.len());
}

fn folders(client: &OqsClient, query: &NumberQuery) {
    use oqs::terminal::{FolderPort, Folders, MockTerminal};
    use reception::OnlineEligibility;
    // Under target/ (the disk the build uses), not a tmpfs: the files cost what they cost at a desk.
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp");
    std::fs::create_dir_all(&base).unwrap();
    let root = tempfile::tempdir_in(&base).unwrap();
    let (req, res, face) = (
        root.path().join("req"),
        root.path().join("res"),
        root.path().join("face"),
    );
    // The peer's own folders beside them (the mock 端末 would take its request files).
    let (bare_req, bare_res) = (root.path().join("bare-req"), root.path().join("bare-res"));
    for d in [&req, &res, &face, &bare_req, &bare_res] {
        std::fs::create_dir(d).unwrap();
    }
    let folders = Folders {
        requests: req.clone(),
        results: res.clone(),
        charset: oqs::Charset::ShiftJis,
    };
    let answer = client.query_by_numbers(query, true).unwrap();
    let canned = answer.clone();
    let now = || today().and_hms_opt(10, 0, 0).unwrap();
    let _terminal = MockTerminal::start(
        folders.clone(),
        face,
        Box::new(now),
        Box::new(move |_| Ok(canned.clone())),
    )
    .unwrap();
    let mut port = FolderPort::new(folders, "1399999999", Duration::from_secs(10), Box::new(now));
    let req_bytes = oqs::client::number_request("1399999999", query, true)
        .to_bytes(oqs::Charset::ShiftJis)
        .unwrap();
    let res_bytes = answer.to_bytes(oqs::Charset::ShiftJis).unwrap();
    let mut ours_op = || {
        let r = port.query_by_numbers(query).unwrap();
        assert!(r.record.is_some());
    };
    let mut peer_op = || bare_round_trip(&bare_req, &bare_res, &req_bytes, &res_bytes);
    for _ in 0..20 {
        ours_op();
        peer_op();
    }
    let (mut ours, mut peer) = (Tally::default(), Tally::default());
    for _ in 0..ROUNDS {
        ours.slice(&mut ours_op);
        peer.slice(&mut peer_op);
    }
    let ((_, ours_lat), (_, peer_lat)) = (ours.result(), peer.result());
    println!(
        "一件照会 through the 端末's folders (Shift_JIS, inotify): {:.3} ms/query ({} queries)",
        ours_lat.as_secs_f64() * 1e3,
        ours.n
    );
    println!(
        "bare write+fsync+rename+read loop (peer):              {:.3} ms/round ({} rounds)",
        peer_lat.as_secs_f64() * 1e3,
        peer.n
    );
    println!(
        "ratio: folder round trip / bare file loop = {:.2} (goal <= 1.5)",
        ours_lat.as_secs_f64() / peer_lat.as_secs_f64()
    );
}
