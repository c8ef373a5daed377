//! A real DNS server (dnsmasq) on a loopback port, answering only the records a test gives it.

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::Result;
use super::daemon::Daemon;

/// The line that installs dnsmasq.
pub const DNS_INSTALL_LINE: &str = "apt-get install -y dnsmasq-base";

/// A running dnsmasq; stopped on drop.
pub struct DnsServer {
    /// Where it answers (UDP and TCP).
    pub addr: SocketAddr,
    _daemon: Daemon,
    _dir: tempfile::TempDir,
}

impl DnsServer {
    /// Starts dnsmasq with `records`: dnsmasq options such as
    /// `srv-host=_imaps._tcp.example.test,imap.example.test,993` or
    /// `mx-host=example.test,mx.example.test,10`. It knows nothing else and asks no one.
    pub fn start(records: &[&str]) -> Result<DnsServer> {
        if !Path::new("/usr/sbin/dnsmasq").exists() {
            return Err(format!("dnsmasq is missing; run: {DNS_INSTALL_LINE}").into());
        }
        let dir = tempfile::tempdir()?;
        let port = UdpSocket::bind(("127.0.0.1", 0))?.local_addr()?.port();
        let conf = dir.path().join("dnsmasq.conf");
        let mut text = format!(
            "port={port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n\
             no-poll\nuser=root\npid-file=\nlog-facility={}\n",
            dir.path().join("dnsmasq.log").display()
        );
        for r in records {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::write(&conf, text)?;
        let mut command = Command::new("/usr/sbin/dnsmasq");
        command
            .arg("--keep-in-foreground")
            .arg(format!("--conf-file={}", conf.display()));
        let daemon = Daemon::spawn("dnsmasq", command, &dir.path().join("out.log"))?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        // dnsmasq also listens on TCP: wait for that as the sign it is up.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
            if Instant::now() > deadline {
                return Err(format!(
                    "dnsmasq did not start:\n{}",
                    super::daemon::tail(&dir.path().join("out.log"))
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(DnsServer {
            addr,
            _daemon: daemon,
            _dir: dir,
        })
    }
}
