//! Postfix with a config directory of its own: submission on loopback, SASL through Dovecot,
//! delivery into Dovecot over LMTP. Mail for any other domain goes to the local `sink` user, so
//! nothing ever leaves the machine.

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use super::certs::Tls;
use super::daemon::{Daemon, ids_of};
use super::{DOMAIN, HOST, Ports, Result, User};

/// Queue directories Postfix would otherwise create on a slow first start (~3 s).
const QUEUE_DIRS: &[&str] = &[
    "active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private",
    "saved", "trace",
];

/// Writes main.cf, master.cf and the lookup tables, then runs the master in the foreground.
pub fn start(root: &Path, ports: &Ports, users: &[User], tls: &Tls) -> Result<Daemon> {
    let base = root.join("postfix");
    let etc = base.join("etc");
    let queue = base.join("queue");
    let data = base.join("data");
    for dir in [&base, &etc, &queue, &data] {
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    }
    let (postfix_uid, postfix_gid) = ids_of("postfix")?;
    let postdrop_gid = group_id("postdrop")?;
    for name in QUEUE_DIRS {
        let dir = queue.join(name);
        fs::create_dir_all(&dir)?;
        chown(&dir, Some(postfix_uid), Some(postfix_gid))?;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
    }
    let maildrop = queue.join("maildrop");
    fs::create_dir_all(&maildrop)?;
    chown(&maildrop, Some(postfix_uid), Some(postdrop_gid))?;
    fs::set_permissions(&maildrop, fs::Permissions::from_mode(0o1730))?;
    let public = queue.join("public");
    fs::create_dir_all(&public)?;
    chown(&public, Some(postfix_uid), Some(postdrop_gid))?;
    fs::set_permissions(&public, fs::Permissions::from_mode(0o2710))?;
    fs::create_dir_all(queue.join("pid"))?;
    chown(&data, Some(postfix_uid), Some(postfix_gid))?;
    fs::set_permissions(&data, fs::Permissions::from_mode(0o700))?;

    let vmailbox: String = users
        .iter()
        .map(|u| format!("{} {}/\n", u.address, u.address))
        .collect();
    fs::write(etc.join("vmailbox"), vmailbox)?;
    fs::write(
        etc.join("sink.regexp"),
        format!("!/@{}$/ sink@{DOMAIN}\n", DOMAIN.replace('.', "\\.")),
    )?;

    let lmtp = format!("lmtp:inet:{HOST}:{}", ports.lmtp);
    let root_s = root.display();
    let etc_s = etc.display();
    let main_cf = format!(
        r#"compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.{DOMAIN}
mydomain = {DOMAIN}
myorigin = {DOMAIN}
mydestination =
mynetworks = {HOST}/32
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file = {root_s}/log/postfix.log
maillog_file_prefixes = {root_s}/log
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:local delivery is disabled
virtual_alias_domains =
virtual_alias_maps = regexp:{etc_s}/sink.regexp
virtual_mailbox_domains = {DOMAIN}
virtual_mailbox_maps = texthash:{etc_s}/vmailbox
virtual_transport = {lmtp}
default_transport = {lmtp}
relay_transport = {lmtp}
lmtp_host_lookup = native
smtp_host_lookup = native
smtp_tls_security_level = none
lmtp_tls_security_level = none
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {root_s}/run/sasl-auth
smtpd_sasl_auth_enable = yes
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
message_size_limit = 52428800
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
delay_warning_time = 0
"#,
        queue = queue.display(),
        data = data.display(),
        cert = tls.cert_file.display(),
        key = tls.key_file.display(),
    );
    let master_cf = format!(
        r#"{HOST}:{sub} inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
{HOST}:{subs} inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"#,
        sub = ports.submission,
        subs = ports.submissions,
    );
    let main_path = etc.join("main.cf");
    fs::write(&main_path, main_cf)?;
    fs::write(etc.join("master.cf"), master_cf)?;
    // Postfix re-reads main.cf in 300 ms naps until the file is over a second old.
    let past = SystemTime::now() - Duration::from_secs(5);
    fs::File::options()
        .write(true)
        .open(&main_path)?
        .set_modified(past)?;

    launch(root, ports)
}

/// Starts the Postfix master from the config `start` wrote and waits for its ports.
pub fn launch(root: &Path, ports: &Ports) -> Result<Daemon> {
    let etc = root.join("postfix").join("etc");
    let logs = root.join("log");
    let mut command = Command::new("/usr/lib/postfix/sbin/master");
    command
        .arg("-d")
        .arg("-c")
        .arg(&etc)
        .env("MAIL_CONFIG", &etc);
    let own_log = logs.join("postfix-master.out");
    let mut daemon = Daemon::spawn("postfix", command, &own_log)?;
    let addrs = [ports.submission, ports.submissions]
        .map(|p| std::net::SocketAddr::from(([127, 0, 0, 1], p)));
    daemon.wait_listening(&addrs, &logs.join("postfix.log"))?;
    Ok(daemon)
}

fn group_id(name: &str) -> Result<u32> {
    let groups = fs::read_to_string("/etc/group")?;
    groups
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[0] == name)
        .ok_or_else(|| format!("system group {name} is missing; reinstall Postfix").into())
        .and_then(|f| Ok(f[2].parse()?))
}
