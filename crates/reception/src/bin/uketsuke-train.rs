//! `uketsuke-train` — headless training-scenario checker (issue #8).
//!
//! ```text
//! uketsuke-train --list [--lang en]
//! uketsuke-train --scenario ID --decisions FILE [--lang en] [--seconds N] [--simulate]
//! ```
//! FILE (or `-` for stdin) holds the staff decisions in the order made, either TOML
//! (`decisions = [{ kind = "Identify", value = "Pin" }, { kind = "ChargeFull" }]`) or JSON
//! (`[{"kind":"Identify","value":"Pin"}]` or `{"decisions":[…]}`).
//! Prints the score and the debrief (Japanese by default). `--simulate` also plays the decisions
//! through the real reception flow, scores only those the flow accepted (as the app does) and prints
//! where it ends.
//!
//! Exit code: 0 when the score is 100 %, 1 when it is lower, 2 on a usage or input error.
//! Deliberately not here: any clock reading (time taken comes from `--seconds`).

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Parser;
use reception::training::{self, Lang, StaffDecision};

#[derive(Parser, Debug)]
#[command(
    name = "uketsuke-train",
    about = "Check a training decision file against a scenario"
)]
struct Args {
    /// List the scenarios and exit.
    #[arg(long)]
    list: bool,
    /// Scenario id (see --list).
    #[arg(long)]
    scenario: Option<String>,
    /// Decision file (TOML or JSON), `-` for stdin.
    #[arg(long)]
    decisions: Option<String>,
    /// Debrief language: ja or en.
    #[arg(long, default_value = "ja")]
    lang: String,
    /// Time taken, seconds (shown in the debrief).
    #[arg(long, default_value_t = 0)]
    seconds: u64,
    /// Also run the decisions through the reception flow.
    #[arg(long)]
    simulate: bool,
}

#[derive(serde::Deserialize)]
struct DecisionFile {
    decisions: Vec<StaffDecision>,
}

fn parse_decisions(text: &str) -> Result<Vec<StaffDecision>> {
    let t = text.trim_start();
    if t.starts_with('[') {
        return serde_json::from_str(t).context("JSON decision list");
    }
    if t.starts_with('{') {
        let f: DecisionFile = serde_json::from_str(t).context("JSON decision file")?;
        return Ok(f.decisions);
    }
    let f: DecisionFile = toml::from_str(text).context("TOML decision file (decisions = [...])")?;
    Ok(f.decisions)
}

fn read_input(path: &str) -> Result<String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading stdin")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {path}"))
    }
}

/// Print, treating a closed pipe (`| head`) as the reader's choice rather than an error.
fn emit(text: &str) -> Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing stdout"),
        Ok(()) | Err(_) => Ok(()),
    }
}

fn run(args: &Args) -> Result<bool> {
    let mut out = String::new();
    let lang = match args.lang.as_str() {
        "ja" => Lang::Ja,
        "en" => Lang::En,
        other => bail!("unknown language {other} (ja or en)"),
    };
    if args.list {
        for s in training::load_all()? {
            writeln!(out, "{}\t{}\t{}\t{}", s.id, s.today, s.persona, s.title_in(lang))?;
        }
        emit(&out)?;
        return Ok(true);
    }
    let (Some(id), Some(file)) = (&args.scenario, &args.decisions) else {
        bail!("give --list, or --scenario ID --decisions FILE");
    };
    let scenario = training::load(id)?;
    let decisions = parse_decisions(&read_input(file)?)?;
    // Simulated, the run is scored as the app scores it: on the decisions the flow accepted.
    let report = args.simulate.then(|| training::run(&scenario, &decisions));
    let debrief = match &report {
        Some(r) => r.debrief(&scenario, args.seconds),
        None => training::score(&scenario, &decisions, args.seconds),
    };
    out.push_str(&debrief.render(lang));
    if let Some(report) = &report {
        for (d, ok) in &report.steps {
            writeln!(
                out,
                "flow: {} {}",
                if *ok { "accepted" } else { "ignored (not scored)" },
                d.label(lang)
            )?;
        }
        match &report.end {
            Some((basis, billing)) => {
                writeln!(out, "flow end: {basis:?} / {billing:?} ({} saved)", report.saved)?
            }
            None => writeln!(out, "flow end: no reception completed ({})", report.final_phase)?,
        }
    }
    emit(&out)?;
    Ok(debrief.passed)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("uketsuke-train: {e:#}");
            ExitCode::from(2)
        }
    }
}
