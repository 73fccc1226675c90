//! Sustained queries/second of the mock OQS service through our client over loopback, against a bare axum
//! "hello" endpoint served and queried the same way (same runtime shape, same client settings) in the same run.
//! Prints `ratio: ours/peer = …` (throughput ratio; 1.0 would mean our XML + certificate work is free).

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
}
