//! Dovecot with a config file of its own: IMAP, POP3 and LMTP on loopback.

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;
use std::process::Command;

use super::certs::Tls;
use super::daemon::{Daemon, ids_of};
use super::{HOST, INSECURE_HOST, NO_TLS_HOST, Ports, Result, User, maildir_path};

/// Writes the config, users and maildirs, then starts `dovecot -F`.
pub fn start(root: &Path, ports: &Ports, users: &[User], tls: &Tls) -> Result<Daemon> {
    let etc = root.join("dovecot");
    let run = root.join("run");
    let logs = root.join("log");
    for dir in [&etc, &run, &logs, &root.join("state")] {
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    }
    let (mail_uid, mail_gid) = ids_of("mail")?;

    // One passwd-file serves as passdb and userdb: user:{PLAIN}password:uid:gid::home::
    let mut passwd = String::new();
    for user in users {
        let home = root.join("mail").join(&user.address);
        let maildir = maildir_path(root, &user.address, "INBOX");
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(maildir.join(sub))?;
        }
        passwd.push_str(&format!(
            "{}:{{PLAIN}}{}:{mail_uid}:{mail_gid}::{}::\n",
            user.address,
            user.password,
            home.display()
        ));
    }
    chown_tree(&root.join("mail"), mail_uid, mail_gid)?;
    let users_file = etc.join("users");
    fs::write(&users_file, passwd)?;

    let root_s = root.display();
    let config = format!(
        r#"
base_dir = {root_s}/run/dovecot
state_dir = {root_s}/state
instance_name = tidings-{port}
log_path = {root_s}/log/dovecot.log
protocols = imap pop3 lmtp
listen = {HOST}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \Drafts
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \Trash
    auto = subscribe
  }}
  mailbox Junk {{
    special_use = \Junk
    auto = subscribe
  }}
  mailbox Archive {{
    special_use = \Archive
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST} {INSECURE_HOST}
    port = {imap}
  }}
  inet_listener imap_no_tls {{
    address = {NO_TLS_HOST}
    port = {imap_no_tls}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {imaps}
    ssl = yes
  }}
}}
local {NO_TLS_HOST} {{
  ssl = no
}}
service pop3-login {{
  inet_listener pop3 {{
    address = {HOST} {INSECURE_HOST}
    port = {pop3}
  }}
  inet_listener pop3_no_tls {{
    address = {NO_TLS_HOST}
    port = {pop3_no_tls}
  }}
  inet_listener pop3s {{
    address = {HOST}
    port = {pop3s}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = {HOST}
    port = {lmtp}
  }}
}}
service auth {{
  unix_listener {root_s}/run/sasl-auth {{
    mode = 0666
  }}
}}
# Tests log in with wrong passwords on purpose; no growing penalty.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 500
}}
protocol pop3 {{
  mail_max_userip_connections = 500
}}
protocol lmtp {{
  postmaster_address = postmaster@{domain}
}}
"#,
        port = ports.imap,
        cert = tls.cert_file.display(),
        key = tls.key_file.display(),
        users = users_file.display(),
        imap = ports.imap,
        imaps = ports.imaps,
        pop3 = ports.pop3,
        pop3s = ports.pop3s,
        imap_no_tls = ports.imap_no_tls,
        pop3_no_tls = ports.pop3_no_tls,
        lmtp = ports.lmtp,
        domain = super::DOMAIN,
    );
    fs::write(etc.join("dovecot.conf"), config)?;
    launch(root, ports)
}

/// Starts Dovecot from the config `start` wrote and waits for its ports.
pub fn launch(root: &Path, ports: &Ports) -> Result<Daemon> {
    let logs = root.join("log");
    let conf = root.join("dovecot").join("dovecot.conf");
    let mut command = Command::new("/usr/sbin/dovecot");
    command.arg("-F").arg("-c").arg(&conf);
    let own_log = logs.join("dovecot-master.out");
    let mut daemon = Daemon::spawn("dovecot", command, &own_log)?;
    let addrs = [ports.imap, ports.imaps, ports.pop3, ports.pop3s, ports.lmtp]
        .map(|p| std::net::SocketAddr::from(([127, 0, 0, 1], p)));
    daemon.wait_listening(&addrs, &logs.join("dovecot.log"))?;
    Ok(daemon)
}

/// Gives a directory tree to the mail user (files written as root are unreadable to Dovecot's
/// mail processes otherwise).
pub fn chown_tree(dir: &Path, uid: u32, gid: u32) -> Result<()> {
    chown(dir, Some(uid), Some(gid))?;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            chown_tree(&path, uid, gid)?;
        } else {
            chown(&path, Some(uid), Some(gid))?;
        }
    }
    Ok(())
}
