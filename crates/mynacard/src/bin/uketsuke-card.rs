//! `uketsuke-card` — developer CLI for a real My Number card on a USB NFC reader, and a virtual card server.
//!
//! It never asks for, reads or prints the My Number; every command goes through the crate's privacy allow-list.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use mynacard::card::{MynaCard, PhotoOutcome, PinStatus, VerifyOutcome};
use mynacard::guard::Guarded;
use mynacard::vpcd::{VpcdCard, DEFAULT_PORT};
use mynacard::{CheckCodeB, PcscContext, PcscTransport, Pin, VirtualCard};

#[derive(Parser)]
#[command(
    name = "uketsuke-card",
    about = "My Number card tool for Uketsuke developers (never touches the My Number)"
)]
struct Cli {
    /// Reader name (default: the first reader with a card).
    #[arg(long, global = true)]
    reader: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List PC/SC readers and whether a card is present.
    Readers,
    /// PIN tries left and certificate validity.
    Status,
    /// Print the 利用者証明用電子証明書 (summary, or PEM with --pem).
    ReadCert {
        #[arg(long)]
        pem: bool,
    },
    /// VERIFY the 4-digit auth PIN (asked without echo, or one line on stdin with --pin-stdin).
    VerifyPin {
        #[arg(long)]
        pin_stdin: bool,
    },
    /// Read the face photo (JPEG 2000) from the 券面AP; asks for 照合番号B without echo.
    Photo {
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve a virtual card persona to pcscd through vpcd until pcscd closes the connection.
    Serve {
        #[arg(long)]
        persona: String,
        /// Training day (default: today's date).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        #[arg(long, default_value_t = DEFAULT_PORT)]
        port: u16,
        /// PIN counter state file (default: ~/.local/share/uketsuke/virtual-card-state.toml).
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Reset a virtual persona's persisted PIN counter to its starting value.
    ResetPinCounter {
        #[arg(long)]
        persona: String,
        #[arg(long)]
        state: Option<PathBuf>,
    },
}

fn connect(ctx: &PcscContext, reader: Option<&str>) -> Result<MynaCard<Guarded<PcscTransport>>> {
    let name = match reader {
        Some(r) => r.to_owned(),
        None => ctx
            .first_reader_with_card()?
            .context("no reader has a card; put the card on the reader")?,
    };
    Ok(MynaCard::new(ctx.connect(&name)?))
}

fn secret(prompt: &str, from_stdin: bool) -> Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim().to_owned());
    }
    Ok(rpassword::prompt_password(prompt)?)
}

fn state_path(state: Option<PathBuf>) -> Result<PathBuf> {
    state
        .or_else(mynacard::virtual_card::default_state_path)
        .context("no state path: set --state or HOME")
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let reader = cli.reader.as_deref();
    match cli.cmd {
        Cmd::Readers => {
            let ctx = PcscContext::establish()?;
            for r in ctx.readers()? {
                let atr = ctx.card_present(&r)?;
                println!(
                    "{r}\t{}",
                    atr.map(|a| format!("card ATR {}", hex::encode_upper(a)))
                        .unwrap_or("no card".into())
                );
            }
        }
        Cmd::Status => {
            let ctx = PcscContext::establish()?;
            let mut card = connect(&ctx, reader)?;
            let cert = card.read_auth_cert()?;
            match card.pin_status()? {
                PinStatus::TriesLeft(n) => println!("auth PIN: {n} tries left"),
                PinStatus::Locked => println!("auth PIN: LOCKED (reset at the municipal office)"),
                PinStatus::NotSet => println!("auth PIN: none (face-only card)"),
            }
            println!(
                "certificate serial {}: valid {} .. {} (JST)",
                cert.serial_hex(),
                cert.not_before,
                cert.not_after
            );
        }
        Cmd::ReadCert { pem } => {
            let ctx = PcscContext::establish()?;
            let cert = connect(&ctx, reader)?.read_auth_cert()?;
            if pem {
                println!("-----BEGIN CERTIFICATE-----");
                for line in base64(&cert.der).as_bytes().chunks(64) {
                    println!("{}", String::from_utf8_lossy(line));
                }
                println!("-----END CERTIFICATE-----");
            } else {
                println!(
                    "serial:     {}\nsubject:    {}\nissuer:     {}\nnotBefore:  {} JST\nnotAfter:   {} JST",
                    cert.serial_hex(),
                    cert.subject,
                    cert.issuer,
                    cert.not_before,
                    cert.not_after
                );
            }
        }
        Cmd::VerifyPin { pin_stdin } => {
            let ctx = PcscContext::establish()?;
            let mut card = connect(&ctx, reader)?;
            let pin = Pin::new(secret("利用者証明用 PIN (4 digits): ", pin_stdin)?);
            pin.check_format()?;
            match card.verify_pin(&pin)? {
                VerifyOutcome::Ok => println!("PIN OK"),
                VerifyOutcome::Wrong { tries_left } => bail!("wrong PIN: {tries_left} tries left"),
                VerifyOutcome::Locked => bail!("PIN locked"),
            }
        }
        Cmd::Photo { out } => {
            let ctx = PcscContext::establish()?;
            let mut card = connect(&ctx, reader)?;
            let code = CheckCodeB::new(&secret(
                "照合番号B (birth YYMMDD + expiry year YYYY + security code): ",
                false,
            )?)?;
            match card.read_photo(&code)? {
                PhotoOutcome::Photo(jp2) => {
                    std::fs::File::create(&out)?.write_all(&jp2)?;
                    println!("wrote {} ({} bytes, JPEG 2000)", out.display(), jp2.len());
                }
                PhotoOutcome::Refused(VerifyOutcome::Wrong { tries_left }) => {
                    bail!("wrong 照合番号B: {tries_left} tries left")
                }
                PhotoOutcome::Refused(o) => bail!("照合番号B refused: {o:?}"),
            }
        }
        Cmd::Serve {
            persona,
            today,
            port,
            state,
        } => {
            // The binary's main is the one place allowed to read the clock (default training day).
            let today = match today {
                Some(d) => d,
                None => today_jst()?,
            };
            let card = VirtualCard::builtin(&persona, today, Some(state_path(state)?))?;
            let mut slot = VpcdCard::new(port);
            slot.insert(card)?;
            eprintln!(
                "serving {persona} (training day {today}) to vpcd on 127.0.0.1:{port}; Ctrl-C to remove"
            );
            slot.wait();
        }
        Cmd::ResetPinCounter { persona, state } => {
            mynacard::Persona::builtin(&persona)?;
            let path = state_path(state)?;
            mynacard::virtual_card::reset_pin_counter(&path, &persona)?;
            println!("reset PIN counters of {persona} in {}", path.display());
        }
    }
    Ok(())
}

/// Today's date in Japan (JST = UTC+9, no DST).
// The binary's main path is the one place allowed to read the clock (default training day for `serve`).
#[allow(clippy::disallowed_methods)]
fn today_jst() -> Result<chrono::NaiveDate> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let utc = chrono::DateTime::from_timestamp(i64::try_from(secs)?, 0).context("clock out of range")?;
    Ok((utc.naive_utc() + chrono::Duration::hours(9)).date())
}

/// Standard base64 (for PEM output) without another dependency.
fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
