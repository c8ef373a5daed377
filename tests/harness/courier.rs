//! Courier-IMAP and Courier POP3 on loopback, with authdaemond and a userdb of their own.
//!
//! Courier's auth library has its config (`/etc/courier`) and socket (`/run/courier`) paths
//! compiled in, so the whole server runs in a private mount namespace (`unshare --mount`) with
//! the run's own directories bound over those two: nothing system-wide is read or written.

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::PathBuf;
use std::process::Command;

use super::certs;
use super::daemon::ids_of;
use super::dovecot::chown_tree;
use super::interop::{self, INTEROP_USERS};
use super::{HOST, Result};

/// IMAP capabilities as Debian's Courier config announces them (no SPECIAL-USE, CONDSTORE, MOVE).
const IMAP_CAPABILITY: &str = "IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT \
    THREAD=REFERENCES SORT QUOTA IDLE";

/// Running Courier IMAP and POP3 servers.
pub struct Courier {
    /// IMAP with STARTTLS; before TLS it announces LOGINDISABLED and refuses LOGIN.
    pub imap: u16,
    /// IMAP over implicit TLS.
    pub imaps: u16,
    /// POP3 with STLS; before TLS it refuses the password.
    pub pop3: u16,
    /// POP3 over implicit TLS.
    pub pop3s: u16,
    running: interop::Running,
}

impl std::ops::Deref for Courier {
    type Target = interop::Running;

    fn deref(&self) -> &interop::Running {
        &self.running
    }
}

impl Courier {
    /// Starts authdaemond, IMAP and POP3 and waits for every port.
    pub fn start() -> Result<Courier> {
        let imaplogin = interop::unpacked("usr/lib/courier/courier/imaplogin")?;
        let imapd = interop::unpacked("usr/bin/imapd")?;
        let pop3login = interop::unpacked("usr/lib/courier/courier/courierpop3login")?;
        let pop3d = interop::unpacked("usr/lib/courier/courier/courierpop3d")?;
        let authdaemond = interop::installed("/usr/lib/courier/courier-authlib/authdaemond")?;
        let couriertcpd = interop::installed("/usr/sbin/couriertcpd")?;
        let couriertls = interop::installed("/usr/bin/couriertls")?;
        interop::installed("/usr/sbin/makeuserdb")?;

        let root = tempfile::Builder::new()
            .prefix("tidings-courier-")
            .tempdir_in("/tmp")?;
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755))?;
        let etc = root.path().join("etc");
        let run = root.path().join("run");
        fs::create_dir_all(&etc)?;
        fs::create_dir_all(run.join("authdaemon"))?;
        fs::create_dir_all(root.path().join("log"))?;
        let tls = certs::make(root.path())?;
        // couriertls wants key and certificate in one file.
        let pem = etc.join("server.pem");
        fs::write(
            &pem,
            format!(
                "{}{}",
                fs::read_to_string(&tls.key_file)?,
                fs::read_to_string(&tls.cert_file)?
            ),
        )?;
        fs::set_permissions(&pem, fs::Permissions::from_mode(0o600))?;
        fs::write(
            etc.join("authdaemonrc"),
            "authmodulelist=\"authuserdb\"\ndaemons=3\nauthdaemonvar=/run/courier/authdaemon\n\
             DEBUG_LOGIN=0\nDEFAULTOPTIONS=\"\"\nLOGGEROPTS=\"\"\n",
        )?;
        let (uid, gid) = ids_of("mail")?;
        let mut userdb = String::new();
        for (name, _) in INTEROP_USERS {
            let home = root.path().join("mail").join(name);
            for sub in ["cur", "new", "tmp"] {
                fs::create_dir_all(home.join("Maildir").join(sub))?;
            }
            userdb.push_str(&format!(
                "userdb {name} set uid={uid} gid={gid} home={home} mail={home}/Maildir\n\
                 printf '%s' '{password}' | userdbpw | userdb {name} set systempw\n",
                home = home.display(),
                password = interop::password_of(name),
            ));
        }
        chown_tree(&root.path().join("mail"), uid, gid)?;
        let ports = interop::free_ports(4)?;
        let (imap, imaps, pop3, pop3s) = (ports[0], ports[1], ports[2], ports[3]);
        let common = format!(
            "IMAP_KEYWORDS=1 IMAP_ACL=1 IMAP_IDLE_TIMEOUT=5 IMAP_USELOCKS=1 MAILDIRPATH=Maildir \
             TLS_CERTFILE=/etc/courier/server.pem TLS_VERIFYPEER=NONE \
             TLS_PROTOCOL=TLSv1.2+ COURIERTLS={couriertls}",
            couriertls = couriertls.display()
        );
        let tcpd = format!(
            "{} -address={HOST} -nodnslookup -noidentlookup -maxprocs=40 -maxperip=40",
            couriertcpd.display()
        );
        let body = format!(
            r#"mkdir -p /etc/courier /run/courier
mount --bind {etc} /etc/courier
mount --bind {run} /run/courier
{userdb}makeuserdb
bg {authdaemond}
for i in $(seq 100); do [ -S /run/courier/authdaemon/socket ] && break; sleep 0.05; done
bg env -i {common} IMAP_STARTTLS=YES IMAP_TLS_REQUIRED=1 \
    IMAP_CAPABILITY="{IMAP_CAPABILITY}" IMAP_CAPABILITY_TLS="{IMAP_CAPABILITY} AUTH=PLAIN" \
    {tcpd} {imap} {imaplogin} {imapd} Maildir
bg env -i {common} IMAP_CAPABILITY="{IMAP_CAPABILITY} AUTH=PLAIN" \
    {tcpd} {imaps} {couriertls} -server -tcpd {imaplogin} {imapd} Maildir
bg env -i {common} POP3_STARTTLS=YES POP3_TLS_REQUIRED=1 POP3AUTH="" POP3AUTH_TLS="LOGIN PLAIN" \
    {tcpd} {pop3} {pop3login} {pop3d} Maildir
bg env -i {common} POP3AUTH="LOGIN PLAIN" \
    {tcpd} {pop3s} {couriertls} -server -tcpd {pop3login} {pop3d} Maildir"#,
            etc = etc.display(),
            run = run.display(),
            authdaemond = authdaemond.display(),
            imaplogin = imaplogin.display(),
            imapd = imapd.display(),
            pop3login = pop3login.display(),
            pop3d = pop3d.display(),
            couriertls = couriertls.display(),
        );
        let script = root.path().join("start.sh");
        interop::write_script(&script, &body)?;
        let mut command = Command::new("unshare");
        command
            .args(["--mount", "--propagation", "private", "bash"])
            .arg(&script);
        let running = interop::Running::start(
            "courier",
            command,
            root,
            tls.ca_pem,
            &[imap, imaps, pop3, pop3s],
        )?;
        Ok(Courier {
            imap,
            imaps,
            pop3,
            pop3s,
            running,
        })
    }

    /// A user's maildir (`folder` "INBOX" or a Maildir++ folder such as "Sent").
    pub fn maildir(&self, user: &str, folder: &str) -> PathBuf {
        let base = self.root().join("mail").join(user).join("Maildir");
        if folder.eq_ignore_ascii_case("INBOX") {
            base
        } else {
            base.join(format!(".{folder}"))
        }
    }

    /// Puts `raw` into a user's maildir as a new message, as a local delivery would: with bare
    /// LF line ends, which Courier turns back into CRLF on the wire.
    pub fn deliver_raw(&self, user: &str, folder: &str, name: &str, raw: &[u8]) -> Result<()> {
        let dir = self.maildir(user, folder);
        let (uid, gid) = ids_of("mail")?;
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(dir.join(sub))?;
            chown(dir.join(sub), Some(uid), Some(gid))?;
        }
        chown(&dir, Some(uid), Some(gid))?;
        let tmp = dir.join("tmp").join(name);
        let mut lf = Vec::with_capacity(raw.len());
        for (i, b) in raw.iter().enumerate() {
            if !(*b == b'\r' && raw.get(i + 1) == Some(&b'\n')) {
                lf.push(*b);
            }
        }
        fs::write(&tmp, lf)?;
        chown(&tmp, Some(uid), Some(gid))?;
        fs::rename(&tmp, dir.join("new").join(name))?;
        Ok(())
    }
}
