//! Cyrus IMAP on loopback: `cyrmaster` with every path (config, spool, sockets, locks, SASL
//! users) under the run's own directory, in Debian's default namespace (`INBOX.` prefix, `.`
//! separator) with the special-use folders created at first login.

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::process::Command;

use super::certs;
use super::daemon::ids_of;
use super::dovecot::chown_tree;
use super::interop::{self, INTEROP_USERS};
use super::{HOST, Result};

/// A running Cyrus IMAP server.
pub struct Cyrus {
    /// IMAP with STARTTLS.
    pub imap: u16,
    /// IMAP over implicit TLS.
    pub imaps: u16,
    running: interop::Running,
}

impl std::ops::Deref for Cyrus {
    type Target = interop::Running;

    fn deref(&self) -> &interop::Running {
        &self.running
    }
}

impl Cyrus {
    /// Writes the config and SASL users, then starts `cyrmaster` and waits for both ports.
    pub fn start() -> Result<Cyrus> {
        let imapd = interop::unpacked("usr/lib/cyrus/bin/imapd")?;
        let master = interop::installed("/usr/lib/cyrus/bin/master")?;
        let ctl_cyrusdb = interop::installed("/usr/lib/cyrus/bin/ctl_cyrusdb")?;
        let saslpasswd = interop::installed("/usr/sbin/saslpasswd2")?;
        let (uid, gid) = ids_of("cyrus")?;

        let root = tempfile::Builder::new()
            .prefix("tidings-cyrus-")
            .tempdir_in("/tmp")?;
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755))?;
        let dir = root.path();
        for sub in ["conf", "spool", "proc", "lock", "socket", "sieve", "log"] {
            fs::create_dir_all(dir.join(sub))?;
        }
        let tls = certs::make(dir)?;
        let ports = interop::free_ports(2)?;
        let (imap, imaps) = (ports[0], ports[1]);
        let d = dir.display();
        let conf = dir.join("imapd.conf");
        fs::write(
            &conf,
            format!(
                "configdirectory: {d}/conf\npartition-default: {d}/spool\n\
                 defaultpartition: default\nproc_path: {d}/proc\nmboxname_lockpath: {d}/lock\n\
                 lmtpsocket: {d}/socket/lmtp\nidlesocket: {d}/socket/idle\n\
                 notifysocket: {d}/socket/notify\nsievedir: {d}/sieve\n\
                 altnamespace: no\nunixhierarchysep: no\nadmins: cyrus\n\
                 allowplaintext: no\nsasl_pwcheck_method: auxprop\n\
                 sasl_auxprop_plugin: sasldb\nsasl_sasldb_path: {d}/sasldb2\n\
                 sasl_mech_list: PLAIN LOGIN\n\
                 tls_server_cert: {cert}\ntls_server_key: {key}\n\
                 autocreate_post: yes\nautocreate_quota: 0\n\
                 autocreate_inbox_folders: Sent | Drafts | Trash | Junk\n\
                 autocreate_subscribe_folder: Sent | Drafts | Trash | Junk\n\
                 xlist-sent: Sent\nxlist-drafts: Drafts\nxlist-trash: Trash\nxlist-junk: Junk\n\
                 umask: 077\nimapidlepoll: 1\nsyslog_prefix: tidings-cyrus\n",
                cert = tls.cert_file.display(),
                key = tls.key_file.display(),
            ),
        )?;
        let cyrus_conf = dir.join("cyrus.conf");
        fs::write(
            &cyrus_conf,
            format!(
                "START {{\n  recover cmd=\"{ctl} -C {conf} -r\"\n}}\n\
                 SERVICES {{\n  imap cmd=\"{imapd} -C {conf}\" listen=\"{HOST}:{imap}\" prefork=0\n  \
                 imaps cmd=\"{imapd} -s -C {conf}\" listen=\"{HOST}:{imaps}\" prefork=0\n}}\n\
                 EVENTS {{\n}}\n",
                ctl = ctl_cyrusdb.display(),
                conf = conf.display(),
                imapd = imapd.display(),
            ),
        )?;
        let sasldb = dir.join("sasldb2");
        for (name, _) in INTEROP_USERS {
            let mut child = Command::new(&saslpasswd)
                .args(["-p", "-c", "-f"])
                .arg(&sasldb)
                .arg(name)
                .stdin(std::process::Stdio::piped())
                .spawn()?;
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write;
                stdin.write_all(interop::password_of(name).as_bytes())?;
            }
            let status = child.wait()?;
            if !status.success() {
                return Err(format!("saslpasswd2 failed for {name}: {status}").into());
            }
        }
        chown_tree(dir, uid, gid)?;
        chown(dir, Some(0), Some(0))?;
        let body = format!(
            "bg {master} -C {conf} -M {cyrus_conf} -p {d}/master.pid -D",
            master = master.display(),
            conf = conf.display(),
            cyrus_conf = cyrus_conf.display(),
        );
        let script = dir.join("start.sh");
        interop::write_script(&script, &body)?;
        let mut command = Command::new("bash");
        command.arg(&script);
        let running = interop::Running::start("cyrus", command, root, tls.ca_pem, &[imap, imaps])?;
        Ok(Cyrus {
            imap,
            imaps,
            running,
        })
    }
}
