//! The PC/SC daemon with the vsmartcard vpcd reader, as training mode, the tests and the benchmarks need it: a
//! private pcscd per process that nothing else on the machine — or on the network — can reach.
//!
//! - **Its own socket.** The daemon gets a listening Unix socket in a 0700 folder of this process (systemd-style
//!   socket activation, `LISTEN_FDS`: pcscd 1.9.9 has no option for the socket path), and this process's PC/SC
//!   client finds it through `PCSCLITE_CSOCK_NAME`, which child processes (OpenSC, `scriptor`) inherit. A system
//!   pcscd, or another Uketsuke, keeps its own socket.
//! - **vpcd on a loopback no one else has.** vpcd listens on every interface (`INADDR_ANY`, hard-coded), so on
//!   the system daemon any host on the LAN could present a card on port 35963. The private daemon runs in its own
//!   network namespace (`unshare --net`), whose only interface is its loopback; the virtual card connects from a
//!   thread that enters that namespace for the `connect` ([`Netns::connect`]). Reversed mode (vpcd connecting to
//!   a card that listens on 127.0.0.1) would avoid the namespace, but Debian's vpcd 0.8 aborts in it
//!   (`FD_SET(-1)` in `vicc_connect`, fixed upstream in 0.9).
//! - **Its own `/run/pcscd`.** pcscd writes and at exit deletes `/run/pcscd/pcscd.pid`; in a private mount
//!   namespace that is a tmpfs of its own, so a system daemon's pid file is left alone.
//!
//! The daemon is stopped with SIGTERM on [`Pcscd::stop`] or drop; one left behind by a process that was killed
//! is found through the pid file in the folder and stopped at the next start. Starting needs root (namespaces),
//! as pcscd itself does.
//!
//! Deliberately not here: serialising users of the single vpcd slot (tests do that, see `testing`), live mode's
//! real reader (the system pcscd), and any card logic.

use std::fs::File;
use std::io::Write;
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::pcsc_transport::PcscContext;

/// Reader name of vpcd slot 0, the slot the virtual cards use.
pub const VPCD_READER: &str = "Virtual PCD 00 00";
/// vpcd slot 0's port (`0x8C7B`), inside the private daemon's network namespace.
pub const VPCD_PORT: u16 = 35963;
const PCSCD: &str = "/usr/sbin/pcscd";
const UNSHARE: &str = "/usr/bin/unshare";
/// iproute2's `ip`, where Debian 12 puts it (merged `/usr` or not).
const IP: [&str; 4] = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];
const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
/// The environment variable through which libpcsclite (ours and every child's) finds the daemon's socket.
pub const SOCKET_ENV: &str = "PCSCLITE_CSOCK_NAME";
/// Private folders are `<temp>/uketsuke-pcscd-<pid of the owning process>`.
const DIR_PREFIX: &str = "uketsuke-pcscd-";
/// `sun_path` is 108 bytes with its NUL.
const MAX_SOCKET_PATH: usize = 107;

/// What runs inside the namespaces (`$0` pcscd, `$1` the reader configuration, `$2` iproute2's `ip`): loopback up,
/// a private `/run/pcscd`, the inherited listening socket (stdin) moved to fd 3 for `LISTEN_FDS`, and pcscd in the
/// same process (so `$$` is its pid).
const IN_NAMESPACE: &str = "\"$2\" link set lo up \
    && mkdir -p /run/pcscd \
    && mount -t tmpfs -o mode=0755,size=1m uketsuke-pcscd /run/pcscd \
    && exec 3<&0 </dev/null \
    && LISTEN_PID=$$ LISTEN_FDS=1 exec \"$0\" --foreground --config \"$1\"";

/// The folder of this process's private daemon: the one `PCSCLITE_CSOCK_NAME` names if the process was started
/// with it (a test harness and the app it launches share one daemon), else a fresh 0700 folder in the temporary
/// directory, exported through `PCSCLITE_CSOCK_NAME`. Fixed for the life of the process, because libpcsclite
/// reads the variable once.
pub fn private_dir() -> Result<&'static Path, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(sock) = std::env::var_os(SOCKET_ENV) {
            let sock = PathBuf::from(sock);
            return sock
                .parent()
                .filter(|d| {
                    // Only a folder like the ones made below: a private daemon's, not /run/pcscd.
                    sock.file_name() == Some("pcscd.comm".as_ref())
                        && std::fs::metadata(d).is_ok_and(|m| m.is_dir() && m.mode() & 0o077 == 0)
                })
                .map(Path::to_path_buf)
                .ok_or_else(|| {
                    format!(
                        "{SOCKET_ENV}={} is not a private daemon's socket (<folder>/pcscd.comm)",
                        sock.display()
                    )
                });
        }
        sweep_orphans();
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let sock = dir.join("pcscd.comm");
        if sock.as_os_str().len() > MAX_SOCKET_PATH {
            return Err(format!(
                "socket path too long for a Unix socket: {}",
                sock.display()
            ));
        }
        // Before any PC/SC call of this process (libpcsclite reads it once), and inherited by children.
        std::env::set_var(SOCKET_ENV, &sock);
        Ok(dir)
    })
    .as_ref()
    .map(PathBuf::as_path)
    .map_err(Clone::clone)
}

/// Does a pcscd with the vpcd reader answer on this process's socket?
pub fn vpcd_answers() -> bool {
    PcscContext::establish()
        .and_then(|c| c.readers())
        .is_ok_and(|r| r.iter().any(|n| n == VPCD_READER))
}

/// The private daemon's network namespace: where vpcd's port is, and nowhere else.
#[derive(Clone, Debug)]
pub struct Netns(Arc<File>);

impl Netns {
    /// The network namespace process `pid` is in.
    fn of(pid: u32) -> std::io::Result<Netns> {
        File::open(format!("/proc/{pid}/ns/net")).map(|f| Netns(Arc::new(f)))
    }

    /// Connect a TCP socket to `addr` from inside the namespace. The socket keeps the namespace it was created
    /// in, so it is created on a short-lived thread that entered the namespace (a thread's namespace is its
    /// own); the rest of the process stays where it is.
    pub fn connect(&self, addr: SocketAddr, timeout: Duration) -> std::io::Result<Socket> {
        std::thread::scope(|s| {
            s.spawn(|| {
                rustix::thread::move_into_link_name_space(
                    self.0.as_fd(),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )?;
                let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
                socket.connect_timeout(&addr.into(), timeout)?;
                Ok(socket)
            })
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("namespace thread panicked")))
        })
    }

    fn inode(&self) -> Option<u64> {
        self.0.metadata().ok().map(|m| m.ino())
    }
}

/// A pcscd with the vpcd reader: this process's private daemon, started (and so stoppable) by us, or one another
/// process of ours started on the same socket (a test harness, for the app it launches).
pub struct Pcscd {
    dir: PathBuf,
    child: Option<Child>,
    netns: Option<Netns>,
}

/// Wait before asking the daemon again: I/O back-off while it starts, not flow time.
#[allow(clippy::disallowed_methods)]
fn backoff(d: Duration) {
    std::thread::sleep(d);
}

impl Pcscd {
    /// Use this process's private daemon if it answers, or start it and wait (at most 5 s) for the vpcd reader.
    /// A missing pcscd or vpcd is an error with installation advice, never a silent skip.
    pub fn ensure() -> Result<Pcscd, String> {
        let dir = private_dir()?.to_path_buf();
        if vpcd_answers() {
            let netns = read_pid(&dir)
                .and_then(|pid| Netns::of(pid).ok())
                .ok_or("a pcscd answers on the private socket but its pid file is gone")?;
            return Ok(Pcscd {
                dir,
                child: None,
                netns: Some(netns),
            });
        }
        let mut daemon = Pcscd {
            dir,
            child: None,
            netns: None,
        };
        daemon.start()?;
        Ok(daemon)
    }

    fn start(&mut self) -> Result<(), String> {
        for (path, package) in [
            (PCSCD, "pcscd"),
            (VPCD_DRIVER, "vsmartcard-vpcd"),
            (UNSHARE, "util-linux"),
        ] {
            if !Path::new(path).exists() {
                return Err(format!(
                    "{path} not found: install the Debian packages pcscd vsmartcard-vpcd ({package}; \
                     `make run` and `make test` do this)"
                ));
            }
        }
        let ip = IP.into_iter().find(|p| Path::new(p).exists()).ok_or(
            "iproute2's ip not found: install the Debian package iproute2 (`make run` and `make test` do this)",
        )?;
        stop_leftover(&self.dir);
        let conf = self.dir.join("reader.conf.d");
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&conf)
            .map_err(|e| format!("cannot create {}: {e}", conf.display()))?;
        std::fs::write(
            conf.join("vpcd"),
            format!(
                "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:0x{VPCD_PORT:X}\n\
                 LIBPATH      {VPCD_DRIVER}\nCHANNELID    0x{VPCD_PORT:X}\n"
            ),
        )
        .map_err(|e| format!("cannot write the vpcd reader configuration: {e}"))?;
        let sock = self.dir.join("pcscd.comm");
        let _ = std::fs::remove_file(&sock);
        let listener = UnixListener::bind(&sock)
            .map_err(|e| format!("cannot create the socket {}: {e}", sock.display()))?;
        let _ = std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o600));
        let log = File::create(self.dir.join("pcscd.log")).map_err(|e| format!("pcscd log: {e}"))?;
        let child = Command::new(UNSHARE)
            .args([
                "--net",
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                IN_NAMESPACE,
                PCSCD,
            ])
            .arg(&conf)
            .arg(ip)
            .stdin(Stdio::from(OwnedFd::from(listener)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {PCSCD}: {e}"))?;
        let pid = child.id();
        lock_owned().push(pid);
        self.child = Some(child);
        let _ = write_pid(&self.dir, pid);
        for _ in 0..200 {
            if vpcd_answers() {
                let netns = Netns::of(pid).map_err(|e| format!("pcscd's network namespace: {e}"))?;
                let own = Netns::of(std::process::id()).ok().and_then(|n| n.inode());
                if netns.inode().is_none() || netns.inode() == own {
                    self.stop();
                    return Err("pcscd did not get a network namespace of its own".into());
                }
                self.netns = Some(netns);
                return Ok(());
            }
            if self
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))))
            {
                break;
            }
            backoff(Duration::from_millis(25));
        }
        let log = std::fs::read_to_string(self.dir.join("pcscd.log")).unwrap_or_default();
        self.stop();
        Err(format!(
            "the private pcscd did not show the vpcd reader within 5 s (it needs root for its namespaces): {}",
            log.lines().rev().take(3).collect::<Vec<_>>().join(" | ")
        ))
    }

    /// Start the daemon again after [`Pcscd::stop`] (the trainer's "pcscd stopped" fault). It gets a new
    /// network namespace, so virtual card slots must be made anew ([`crate::vpcd::VpcdCard::private`]).
    pub fn restart(&mut self) -> Result<(), String> {
        if self.child.is_some() {
            return Ok(());
        }
        self.start()
    }

    /// Whether we started this daemon (and so may stop it).
    pub fn owned(&self) -> bool {
        self.child.is_some()
    }

    /// The namespace where vpcd listens, while the daemon runs.
    pub fn netns(&self) -> Option<&Netns> {
        self.netns.as_ref()
    }

    /// The daemon's socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("pcscd.comm")
    }

    /// Stop the daemon we started (SIGTERM; SIGKILL if that cannot be sent) and remove its socket and pid file.
    pub fn stop(&mut self) {
        self.netns = None;
        if let Some(mut child) = self.child.take() {
            lock_owned().retain(|p| *p != child.id());
            if !matches!(child.try_wait(), Ok(Some(_))) {
                let term = Command::new("kill")
                    .arg("-TERM")
                    .arg(child.id().to_string())
                    .stderr(Stdio::null())
                    .status();
                if term.is_err() {
                    let _ = child.kill();
                }
                let _ = child.wait();
            }
            let _ = std::fs::remove_file(self.dir.join("pcscd.comm"));
            let _ = std::fs::remove_file(self.dir.join("pcscd.pid"));
        }
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Is process `pid` running? A zombie waiting for its parent is not (its `/proc/<pid>/stat` state is `Z`).
pub fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(')').next().and_then(|r| r.trim_start().chars().next()))
        .is_some_and(|state| state != 'Z')
}

/// The daemons this process started and has not stopped yet.
static OWNED: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

fn lock_owned() -> std::sync::MutexGuard<'static, Vec<u32>> {
    OWNED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Stop every daemon this process started, wherever its [`Pcscd`] is — for a signal that arrives while the app is
/// still starting, before the state that owns the daemon exists (SIGTERM, then SIGKILL after 2 s).
pub fn stop_owned_daemons() {
    let pids = std::mem::take(&mut *lock_owned());
    for pid in &pids {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .stderr(Stdio::null())
            .status();
    }
    let running = |pid: &u32| is_running(*pid);
    for _ in 0..100 {
        if !pids.iter().any(running) {
            return;
        }
        backoff(Duration::from_millis(20));
    }
    for pid in pids.iter().filter(|p| running(p)) {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .stderr(Stdio::null())
            .status();
    }
}

fn read_pid(dir: &Path) -> Option<u32> {
    std::fs::read_to_string(dir.join("pcscd.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn write_pid(dir: &Path, pid: u32) -> std::io::Result<()> {
    let mut f = File::create(dir.join("pcscd.pid"))?;
    writeln!(f, "{pid}")
}

/// The folders of processes that are gone (killed with SIGKILL, which no handler sees): their daemon, if it still
/// runs, is stopped and the folder removed.
fn sweep_orphans() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(owner) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        let Ok(owner) = owner.parse::<u32>() else { continue };
        if owner == std::process::id() || Path::new(&format!("/proc/{owner}")).exists() {
            continue;
        }
        let dir = entry.path();
        stop_leftover(&dir);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A daemon of this folder whose owner died without stopping it (SIGKILL): stop it, so the socket and the vpcd
/// slot are ours again. Only a pcscd started with this folder's configuration is touched.
fn stop_leftover(dir: &Path) {
    let Some(pid) = read_pid(dir) else { return };
    let conf = dir.join("reader.conf.d");
    let ours = std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
        let args: Vec<&[u8]> = c.split(|b| *b == 0).collect();
        args.first().is_some_and(|a| a.ends_with(b"pcscd"))
            && args.iter().any(|a| *a == conf.as_os_str().as_encoded_bytes())
    });
    if ours {
        let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
        for _ in 0..100 {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                break;
            }
            backoff(Duration::from_millis(20));
        }
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .stderr(Stdio::null())
            .status();
    }
    let _ = std::fs::remove_file(dir.join("pcscd.pid"));
}
