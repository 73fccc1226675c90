//! `uketsuke-oqs` — run the mock OQS service on 127.0.0.1 (for the trainer panel and manual testing).
//!
//! Prints the query and admin URLs, then serves until killed. Deliberately not here: any non-loopback bind.

use anyhow::Context;
use clap::Parser;
use oqs::mock::{repo_assets_dir, MockConfig, MockOqs};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(about = "Mock オンライン資格確認 service on 127.0.0.1")]
struct Args {
    /// Query port (0 = ephemeral).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Admin (JSON) port (0 = ephemeral).
    #[arg(long, default_value_t = 0)]
    admin_port: u16,
    /// Assets folder holding eligibility/ and pki/test-ca.crt.pem.
    #[arg(long)]
    assets: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let assets = args.assets.unwrap_or_else(repo_assets_dir);
    // The binary is the one place allowed to read the wall clock: it is the service's clock adapter.
    // Clinic time is JST (UTC+9, no DST), independent of the host's time zone.
    #[allow(clippy::disallowed_methods)]
    let clock: oqs::Clock = Arc::new(|| {
        let utc = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
        utc.naive_utc() + chrono::Duration::hours(9)
    });
    let mut config =
        MockConfig::from_assets(&assets, clock).with_context(|| format!("loading {}", assets.display()))?;
    config.port = args.port;
    config.admin_port = args.admin_port;
    let mock = MockOqs::start(config).context("starting the mock service")?;
    println!("query: {}", mock.url());
    println!("admin: {}", mock.admin_url());
    println!(
        "admin token (header {}): {}",
        oqs::mock::ADMIN_TOKEN_HEADER,
        mock.admin_token()
    );
    // Serve until the process is killed; park instead of sleeping (no busy wait, no timer).
    loop {
        std::thread::park();
    }
}
