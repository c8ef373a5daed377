//! Starting, waiting for and stopping a daemon we own.

use std::fs::{self, File};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::Result;

/// The line that installs everything the harness runs.
pub const INSTALL_LINE: &str = "echo 'postfix postfix/main_mailer_type select No configuration' | \
    debconf-set-selections && apt-get install -y dovecot-core dovecot-imapd dovecot-pop3d \
    dovecot-lmtpd postfix";

/// Fails with the install line when a server binary is missing; tests never skip.
pub fn require_installed() -> Result<()> {
    for (binary, what) in [
        ("/usr/sbin/dovecot", "Dovecot"),
        ("/usr/lib/dovecot/imap", "Dovecot IMAP"),
        ("/usr/lib/dovecot/pop3", "Dovecot POP3"),
        ("/usr/lib/dovecot/lmtp", "Dovecot LMTP"),
        ("/usr/lib/postfix/sbin/master", "Postfix"),
    ] {
        if !Path::new(binary).exists() {
            return Err(format!(
                "{what} is not installed ({binary} is missing); run: {INSTALL_LINE}"
            )
            .into());
        }
    }
    Ok(())
}

/// A running daemon in its own process group.
pub struct Daemon {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Daemon {
    /// Starts `command` with stdin from /dev/null and output to `log` (the Dovecot master keeps
    /// the caller's stderr open forever, so a pipe would never close).
    pub fn spawn(name: &'static str, mut command: Command, log: &Path) -> Result<Daemon> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Daemon {
            name,
            child,
            log: log.to_owned(),
        })
    }

    /// Waits until every address accepts TCP connections, or fails with the log.
    pub fn wait_listening(&mut self, addrs: &[SocketAddr], also_log: &Path) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        for addr in addrs {
            loop {
                if let Some(status) = self.child.try_wait()? {
                    return Err(format!(
                        "{} exited ({status}) before listening on {addr}:\n{}\n{}",
                        self.name,
                        tail(&self.log),
                        tail(also_log)
                    )
                    .into());
                }
                if TcpStream::connect_timeout(addr, Duration::from_millis(200)).is_ok() {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!(
                        "{} is not listening on {addr} after 20 s:\n{}\n{}",
                        self.name,
                        tail(&self.log),
                        tail(also_log)
                    )
                    .into());
                }
                thread::sleep(Duration::from_millis(25));
            }
        }
        Ok(())
    }

    /// The end of the daemon's own output.
    pub fn log_tail(&self) -> String {
        format!("== {} ==\n{}", self.name, tail(&self.log))
    }
}

impl Daemon {
    /// Stops the daemon and every process of its group.
    pub fn stop(&mut self) {
        let group = self.child.id() as i32;
        signal_group(group, "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            // Reaping our own child means it cannot linger as a zombie.
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        // Whatever is left of the group (workers that outlived the master) goes now.
        signal_group(group, "KILL");
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: i32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{group}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last 40 lines of a file, or a note that it is missing.
pub fn tail(path: &Path) -> String {
    match fs::read_to_string(path) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        }
        Err(e) => format!("({}: {e})", path.display()),
    }
}

/// Looks up a system user's uid and gid in /etc/passwd.
pub fn ids_of(user: &str) -> Result<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd")?;
    for line in passwd.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() > 3 && fields[0] == user {
            return Ok((fields[2].parse()?, fields[3].parse()?));
        }
    }
    Err(format!("system user {user} is missing; reinstall: {INSTALL_LINE}").into())
}
