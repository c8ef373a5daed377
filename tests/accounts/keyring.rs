//! The OS keyring holds the passwords; nothing else ever does.

use std::path::Path;
use std::process::{Command, Stdio};

use std::io::Write as _;

use tidings::accounts::secrets::{self, AccountSecrets};
use tidings::engine::{Protocol, SecretError, Secrets};
use tidings::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};

use crate::harness::{HOST, Result, Servers};

fn keyring_required() -> Result<()> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err(
            "no D-Bus session: run the tests with `bash tests/run.sh`, which starts \
                    gnome-keyring under dbus-run-session"
                .into(),
        );
    }
    Ok(())
}

fn account(id: i64, address: &str) -> Account {
    let server = ServerSettings {
        enabled: true,
        host: "imap.example.org".into(),
        port: 993,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: address.into(),
    };
    Account {
        id,
        display_name: String::new(),
        address: address.into(),
        provider_id: String::new(),
        imap: server.clone(),
        pop3: ServerSettings {
            enabled: false,
            ..server.clone()
        },
        smtp: server,
        pop3_options: Pop3Options::default(),
        sync_window_days: 0,
        provider_saves_sent: false,
        password_mode: PasswordMode::Keyring,
    }
}

#[test]
fn passwords_round_trip_through_the_secret_service() -> Result<()> {
    keyring_required()?;
    let a = account(9001, "round-trip@example.org");
    secrets::store_password(&a, Protocol::Imap, "imap-密码-1")?;
    secrets::store_password(&a, Protocol::Smtp, "smtp-secret-2")?;
    assert_eq!(secrets::load_password(&a, Protocol::Imap)?, "imap-密码-1");
    assert_eq!(secrets::load_password(&a, Protocol::Smtp)?, "smtp-secret-2");
    assert_eq!(
        secrets::load_password(&a, Protocol::Pop3),
        Err(SecretError::Missing)
    );
    let provider = AccountSecrets::new();
    assert_eq!(provider.password(&a, Protocol::Imap)?, "imap-密码-1");
    // "Ask each start" accounts never read the keyring; a typed password lives in memory.
    let ask = Account {
        password_mode: PasswordMode::Ask,
        ..a.clone()
    };
    assert_eq!(
        provider.password(&ask, Protocol::Imap),
        Err(SecretError::Missing)
    );
    provider.remember(ask.id, Protocol::Imap, "typed".into());
    assert_eq!(provider.password(&ask, Protocol::Imap)?, "typed");
    secrets::forget(&a)?;
    assert_eq!(
        secrets::load_password(&a, Protocol::Imap),
        Err(SecretError::Missing)
    );
    Ok(())
}

fn grep_tree(dir: &Path, needle: &[u8]) -> Result<Vec<String>> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            hits.extend(grep_tree(&path, needle)?);
        } else if std::fs::read(&path)?
            .windows(needle.len())
            .any(|w| w == needle)
        {
            hits.push(path.display().to_string());
        }
    }
    Ok(hits)
}

#[test]
fn the_cli_keeps_the_password_only_in_the_keyring() -> Result<()> {
    keyring_required()?;
    let servers = Servers::start()?;
    servers.seed("alice", "INBOX", 0, 5)?;
    let alice = servers.user("alice");
    let data = tempfile::tempdir()?;
    let ca = data.path().join("ca.pem");
    std::fs::write(&ca, &servers.ca_pem)?;
    let tidings = env!("CARGO_BIN_EXE_tidings");
    let mut add = Command::new(tidings)
        .arg("--data-dir")
        .arg(data.path())
        .args([
            "account",
            "add",
            "--email",
            &alice.address,
            "--password-stdin",
        ])
        .arg("--imap")
        .arg(format!("{HOST}:{}:tls", servers.ports.imaps))
        .arg("--smtp")
        .arg(format!("{HOST}:{}:tls", servers.ports.submissions))
        .arg("--no-pop3")
        .arg("--trust-cert")
        .arg(&ca)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    add.stdin
        .take()
        .ok_or("no stdin")?
        .write_all(format!("{}\n", alice.password).as_bytes())?;
    let out = add.wait_with_output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // No TIDINGS_PASSWORD: the sync must get the password from the keyring. Every run logs
    // at debug level, protocol commands included.
    let sync = Command::new(tidings)
        .arg("--data-dir")
        .arg(data.path())
        .args(["sync", "--once"])
        .env_remove("TIDINGS_PASSWORD")
        .env("RUST_LOG", "debug")
        .output()?;
    let log = [sync.stdout.clone(), sync.stderr.clone()].concat();
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&log));
    let list = Command::new(tidings)
        .arg("--data-dir")
        .arg(data.path())
        .arg("list")
        .output()?;
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 5);

    // The doctor and a send read the keyring from inside the CLI's runtime: no panic, and
    // they pass with the stored password.
    let test = Command::new(tidings)
        .arg("--data-dir")
        .arg(data.path())
        .args(["account", "test", &alice.address])
        .env_remove("TIDINGS_PASSWORD")
        .env("RUST_LOG", "debug")
        .output()?;
    let test_log = [test.stdout.clone(), test.stderr.clone()].concat();
    assert!(
        test.status.success(),
        "{}",
        String::from_utf8_lossy(&test_log)
    );
    let send = Command::new(tidings)
        .arg("--data-dir")
        .arg(data.path())
        .args(["send", "--account", &alice.address, "--to"])
        .arg(servers.user("bob").address)
        .args(["--subject", "from the keyring", "--body", "hello"])
        .env_remove("TIDINGS_PASSWORD")
        .output()?;
    let send_log = [send.stdout.clone(), send.stderr.clone()].concat();
    assert!(
        send.status.success(),
        "{}",
        String::from_utf8_lossy(&send_log)
    );
    let log = [log, test_log, send_log].concat();

    // The password is nowhere on disk or in what the program printed.
    let needle = alice.password.as_bytes();
    assert!(
        !log.windows(needle.len()).any(|w| w == needle),
        "password in the output"
    );
    assert_eq!(grep_tree(data.path(), needle)?, Vec::<String>::new());

    // Removing the account removes its keyring entries.
    let status = Command::new(tidings)
        .arg("--data-dir")
        .arg(data.path())
        .args(["account", "remove", &alice.address])
        .status()?;
    assert!(status.success());
    let gone = account(1, &alice.address);
    assert_eq!(
        secrets::load_password(&gone, Protocol::Imap),
        Err(SecretError::Missing)
    );
    Ok(())
}

#[test]
fn without_a_keyring_the_error_says_so_and_offers_ask_mode() -> Result<()> {
    let data = tempfile::tempdir()?;
    let mut add = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--data-dir")
        .arg(data.path())
        .args([
            "account",
            "add",
            "--email",
            "x@example.org",
            "--password-stdin",
        ])
        .args([
            "--imap",
            "imap.example.org:993:tls",
            "--no-pop3",
            "--no-smtp",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/tidings-test-bus",
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    add.stdin.take().ok_or("no stdin")?.write_all(b"secret\n")?;
    let out = add.wait_with_output()?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no keyring is reachable"), "{err}");
    assert!(err.contains("ask for the password each start"), "{err}");
    // Nothing half-saved.
    let list = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["account", "list"])
        .output()?;
    assert!(String::from_utf8_lossy(&list.stdout).contains("0 account(s)"));
    Ok(())
}

#[test]
fn sync_help_names_the_keyring_as_where_passwords_come_from() -> Result<()> {
    let help = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .args(["sync", "--help"])
        .output()?;
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("OS keyring"), "{text}");
    // The environment variable is the exception (ask-each-start accounts), not the rule.
    assert!(
        !text.contains("password comes from TIDINGS_PASSWORD"),
        "{text}"
    );
    assert!(text.contains("--ask-each-start"), "{text}");
    Ok(())
}
