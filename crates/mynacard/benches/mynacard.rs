//! Benchmark: reading the auth certificate through pcscd + vpcd, ours vs OpenSC (`pkcs15-tool
//! --read-certificate`) on the same virtual card, counting READ BINARY APDUs on the card side; and the per-APDU
//! round trip through pcscd + vpcd. Targets: ≤ 2 READ BINARY, < 1 ms per round trip.

// A benchmark is test code: failing loudly on a broken setup is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::process::Command;
use std::time::{Duration, Instant};

use mynacard::card::MynaCard;
use mynacard::testing::{Pcscd, VPCD_READER};
use mynacard::{PcscContext, Transport, VirtualCard};

// A benchmark measures wall time; this binary's main is allowed to read the clock.
#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

fn main() {
    let pcscd = Pcscd::ensure().unwrap_or_else(|e| panic!("{e}"));
    let ctx = PcscContext::establish().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 5, 20).unwrap();
    let mut slot = pcscd.slot();
    slot.insert(VirtualCard::builtin("p01-yamada-hanako", today, None).unwrap())
        .unwrap();
    assert!(ctx
        .wait_presence(VPCD_READER, true, Duration::from_secs(5))
        .unwrap());

    // ours
    let runs = 20;
    let mut card = MynaCard::new(ctx.connect(VPCD_READER).unwrap());
    card.read_auth_cert().unwrap();
    slot.card().unwrap().reset_stats();
    let t = now();
    for _ in 0..runs {
        card.read_auth_cert().unwrap();
    }
    let ours = t.elapsed() / runs;
    let ours_stats = slot.card().unwrap().stats();
    drop(card);

    // OpenSC
    let peer_runs = 5;
    slot.card().unwrap().reset_stats();
    let t = now();
    for _ in 0..peer_runs {
        let ok = Command::new("pkcs15-tool")
            .args(["--reader", "0", "--read-certificate", "01"])
            .env("OPENSC_DRIVER", "jpki")
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "pkcs15-tool failed");
    }
    let peer = t.elapsed() / peer_runs;
    let peer_stats = slot.card().unwrap().stats();
    // OpenSC reads every certificate EF at bind; count only what a single run sends.
    let ours_rb = ours_stats.read_binary as f64 / f64::from(runs);
    let peer_rb = peer_stats.read_binary as f64 / f64::from(peer_runs);
    let ours_apdu = ours_stats.apdus as f64 / f64::from(runs);
    let peer_apdu = peer_stats.apdus as f64 / f64::from(peer_runs);
    println!("read auth cert: ours {ours_rb:.0} READ BINARY / {ours_apdu:.0} APDUs, OpenSC pkcs15-tool {peer_rb:.0} READ BINARY / {peer_apdu:.0} APDUs (whole process incl. PKCS#15 bind)");
    println!(
        "ratio: ours/peer READ BINARY = {:.2} (ours {ours_rb:.0}, peer {peer_rb:.0})",
        ours_rb / peer_rb
    );
    println!(
        "ratio: ours/peer wall = {:.3} (ours {:.2} ms, peer {:.2} ms incl. process start)",
        ours.as_secs_f64() / peer.as_secs_f64(),
        ours.as_secs_f64() * 1e3,
        peer.as_secs_f64() * 1e3
    );

    // per-APDU round trip
    let mut t_ = ctx.connect(VPCD_READER).unwrap();
    let select = mynacard::Command::select_df(&mynacard::card::JPKI_AID)
        .to_bytes()
        .unwrap();
    let n = 1000;
    let t = now();
    for _ in 0..n {
        t_.transmit(&select).unwrap();
    }
    let rt = t.elapsed() / n;
    println!(
        "per-APDU round trip through pcscd+vpcd: {:.3} ms (target < 1 ms)",
        rt.as_secs_f64() * 1e3
    );
    println!(
        "ratio: round trip/target = {:.2} (ours {:.3} ms, target 1.000 ms)",
        rt.as_secs_f64() * 1e3,
        rt.as_secs_f64() * 1e3
    );
    drop(t_);
    slot.remove();
}
