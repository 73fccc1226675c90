//! #13 §3: how the client reaches the service — in live mode https:// only, with the certificate validated, and
//! never following a redirect. Servers here are local: a plain TCP responder and `openssl s_server` (Debian's
//! openssl CLI) on 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use oqs::{ClientConfig, OqsClient, QueryError};

/// A one-request HTTP responder on 127.0.0.1 answering `status` with `extra` headers; counts requests.
fn responder(status: &str, extra: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let status = status.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            let mut length = 0usize;
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            let _ = (&stream).write_all(
                format!("HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
        }
    });
    (url, hits)
}

fn quick(base: &str) -> ClientConfig {
    let mut config = ClientConfig::new(base);
    config.connect_timeout = Duration::from_millis(800);
    config.total_timeout = Duration::from_secs(3);
    config
}

#[test]
fn a_redirect_is_not_followed_so_the_query_never_reaches_another_server() {
    for status in [
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let (elsewhere, elsewhere_hits) = responder("200 OK", String::new());
        let (service, service_hits) =
            responder(status, format!("Location: {elsewhere}/oqs/qualification\r\n"));
        let got = OqsClient::new(quick(&service)).query_by_card(&card_query("p01-yamada-hanako"));
        assert!(got.is_err(), "{status}: a redirect is not an answer: {got:?}");
        assert_eq!(service_hits.load(Ordering::SeqCst), 1, "{status}");
        assert_eq!(
            elsewhere_hits.load(Ordering::SeqCst),
            0,
            "{status}: the client followed the redirect to another server"
        );
    }
}

#[test]
fn https_only_refuses_a_plain_http_endpoint_before_sending_anything() {
    let (service, hits) = responder("200 OK", String::new());
    let mut config = quick(&service);
    config.https_only = true;
    let got = OqsClient::new(config).query_by_card(&card_query("p01-yamada-hanako"));
    assert!(
        matches!(&got, Err(QueryError::Unavailable(m)) if m.contains("https")),
        "{got:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was sent");
}

/// `openssl s_server` with a fresh self-signed certificate for 127.0.0.1; stopped on drop.
struct SelfSigned {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl SelfSigned {
    fn start() -> SelfSigned {
        let dir = tempfile::tempdir().unwrap();
        let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
        let made = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
            ])
            .args(["-addext", "subjectAltName=IP:127.0.0.1"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(Stdio::null())
            .status()
            .expect("openssl (Debian package openssl) must be installed");
        assert!(made.success());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::park_timeout(Duration::from_millis(50));
        }
        SelfSigned {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for SelfSigned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_https_service_with_a_certificate_no_authority_vouches_for_is_refused() {
    let server = SelfSigned::start();
    let mut config = quick(&format!("https://127.0.0.1:{}", server.port));
    config.https_only = true;
    let got = OqsClient::new(config).query_by_card(&card_query("p01-yamada-hanako"));
    match &got {
        Err(QueryError::Unavailable(m)) => assert!(
            m.to_ascii_lowercase().contains("certificate") || m.contains("UnknownIssuer"),
            "refused for its certificate: {m}"
        ),
        other => panic!("a self-signed certificate was accepted or misreported: {other:?}"),
    }
}
