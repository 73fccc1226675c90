//! vpcd client: serve a `VirtualCard` to pcscd through vsmartcard's vpcd driver (card-protocol.md §12).
//!
//! The card side is the TCP client: connecting to vpcd (127.0.0.1:35963 for slot 0) inserts the card, closing the
//! socket removes it. Frames are a big-endian u16 length + payload; a 1-byte payload is a control message (0 off,
//! 1 on, 2 reset, 4 get ATR). `TCP_NODELAY` is set once and `TCP_QUICKACK` is re-armed before every read, or
//! Nagle on vpcd's side plus our delayed ACK costs ~40 ms per APDU (§10). With the private daemon
//! ([`crate::pcscd`]) the connection is made inside its network namespace, where vpcd's port is the only one on a
//! loopback nothing else shares. Deliberately not here: reversed mode (Debian's vpcd 0.8 aborts in it).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::pcscd::{Netns, Pcscd, VPCD_PORT};
use crate::virtual_card::VirtualCard;

/// vpcd slot 0 port (`0x8C7B`) of the system daemon's default configuration.
pub const DEFAULT_PORT: u16 = VPCD_PORT;

/// Errors of the vpcd client.
#[derive(Debug, thiserror::Error)]
pub enum VpcdError {
    #[error("cannot connect to vpcd at {addr} (is pcscd with vsmartcard-vpcd running?): {source}")]
    Connect {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
    #[error("a card is already inserted")]
    AlreadyInserted,
    #[error("the private pcscd is not running, so its vpcd slot cannot take a card")]
    NoDaemon,
}

struct Connection {
    socket: Socket,
    thread: JoinHandle<()>,
}

/// A virtual reader slot: insert and remove virtual cards on command.
pub struct VpcdCard {
    addr: SocketAddr,
    /// The private daemon's namespace (`None`: vpcd of the system daemon, on this machine's loopback).
    netns: Option<Netns>,
    /// Made for a private daemon that was not running.
    no_daemon: bool,
    card: Option<Arc<Mutex<VirtualCard>>>,
    conn: Option<Connection>,
}

impl VpcdCard {
    /// A slot of the system daemon's vpcd on `127.0.0.1:port` (`DEFAULT_PORT` for "Virtual PCD 00 00"), for
    /// `uketsuke-card serve` next to a system pcscd.
    pub fn new(port: u16) -> Self {
        VpcdCard {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            netns: None,
            no_daemon: false,
            card: None,
            conn: None,
        }
    }

    /// Slot 0 ("Virtual PCD 00 00") of the private daemon, reached inside its network namespace.
    pub fn private(pcscd: &Pcscd) -> Self {
        VpcdCard {
            addr: SocketAddr::from(([127, 0, 0, 1], VPCD_PORT)),
            netns: pcscd.netns().cloned(),
            no_daemon: pcscd.netns().is_none(),
            card: None,
            conn: None,
        }
    }

    /// Insert a card: connect to vpcd and answer it on a background thread.
    pub fn insert(&mut self, card: VirtualCard) -> Result<(), VpcdError> {
        if self.conn.as_ref().is_some_and(|c| !c.thread.is_finished()) {
            return Err(VpcdError::AlreadyInserted);
        }
        if self.no_daemon {
            return Err(VpcdError::NoDaemon);
        }
        let timeout = Duration::from_secs(2);
        let socket = match &self.netns {
            Some(ns) => ns.connect(self.addr, timeout),
            None => Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
                .and_then(|s| s.connect_timeout(&self.addr.into(), timeout).map(|()| s)),
        }
        .map_err(|source| VpcdError::Connect {
            addr: self.addr,
            source,
        })?;
        socket.set_nodelay(true)?;
        let reader = socket.try_clone()?;
        let shared = Arc::new(Mutex::new(card));
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("vpcd-card".into())
            .spawn(move || serve(reader, for_thread))?;
        self.card = Some(shared);
        self.conn = Some(Connection { socket, thread });
        Ok(())
    }

    /// Remove the card: close the connection (pcscd notices at its next presence poll) and return the card.
    pub fn remove(&mut self) -> Option<VirtualCard> {
        if let Some(conn) = self.conn.take() {
            let _ = conn.socket.shutdown(Shutdown::Both);
            let _ = conn.thread.join();
        }
        let shared = self.card.take()?;
        match Arc::try_unwrap(shared) {
            Ok(m) => Some(m.into_inner().unwrap_or_else(|p| p.into_inner())),
            Err(_) => None,
        }
    }

    /// True while a card is connected to vpcd.
    pub fn is_inserted(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| !c.thread.is_finished())
    }

    /// Access the inserted card (stats, PIN counter, test hooks).
    pub fn card(&self) -> Option<MutexGuard<'_, VirtualCard>> {
        self.card
            .as_ref()
            .map(|c| c.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Block until vpcd closes the connection (used by `uketsuke-card serve`).
    pub fn wait(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = conn.thread.join();
        }
    }
}

impl Drop for VpcdCard {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Read exactly `buf.len()` bytes, re-arming TCP_QUICKACK before every read (Linux clears it after an ACK).
fn read_full(sock: &Socket, buf: &mut [u8]) -> std::io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        #[cfg(target_os = "linux")]
        sock.set_quickack(true)?;
        let n = (&*sock).read(buf.get_mut(got..).unwrap_or_default())?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        got += n;
    }
    Ok(())
}

fn send_frame(sock: &Socket, payload: &[u8]) -> std::io::Result<()> {
    let len = u16::try_from(payload.len()).map_err(std::io::Error::other)?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    // One write: length and payload in the same segment.
    (&*sock).write_all(&frame)
}

fn serve(sock: Socket, card: Arc<Mutex<VirtualCard>>) {
    let result = (|| -> std::io::Result<()> {
        loop {
            let mut len = [0u8; 2];
            read_full(&sock, &mut len)?;
            // What pcscd sent (a VERIFY holds the PIN): wiped when this frame is done.
            let mut msg = zeroize::Zeroizing::new(vec![0u8; usize::from(u16::from_be_bytes(len))]);
            read_full(&sock, &mut msg)?;
            let mut c = card.lock().unwrap_or_else(|p| p.into_inner());
            match msg.as_slice() {
                [0] | [1] | [2] => c.power_cycle(),
                [4] => send_frame(&sock, c.atr())?,
                [_] => {}
                apdu => {
                    if c.vanish_at.is_some_and(|n| c.stats().apdus + 1 >= n) {
                        // Simulated removal in the middle of a dialogue.
                        c.vanish_at = None;
                        let _ = sock.shutdown(Shutdown::Both);
                        return Ok(());
                    }
                    let resp = c.process(apdu);
                    drop(c);
                    send_frame(&sock, &resp)?;
                }
            }
        }
    })();
    if let Err(e) = result {
        tracing::debug!(error = %e, "vpcd connection ended");
    }
}
