//! The built binary's real window under Xvfb: it opens and draws, and the everyday loop
//! (open a message, reply, type, send, find it in Sent) works from the keyboard alone against
//! the harness's Dovecot and Postfix.

use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::harness::{HOST, Servers};

/// Fails with the install line when a tool the window test needs is missing.
pub fn need(tool: &str, package: &str) -> Result<()> {
    let found = Process::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()?
        .status
        .success();
    if found {
        Ok(())
    } else {
        Err(format!("{tool} is missing; install it with: apt-get install -y {package}").into())
    }
}

/// Kills a child process when dropped, so a failed assertion leaves nothing running.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server of its own, and the built binary's window on it.
pub struct Window {
    pub display: String,
    pub id: String,
    log: PathBuf,
    stderr: PathBuf,
    pub shot: PathBuf,
    pub app: Running,
    _xvfb: Running,
}

pub fn run(program: &str, args: &[&str], display: &str) -> Result<std::process::Output> {
    Ok(Process::new(program)
        .args(args)
        .env("DISPLAY", display)
        .output()?)
}

impl Window {
    /// Starts Xvfb and the binary on the store in `dir`,
    /// and waits until its window is drawn.
    pub fn open(dir: &Path) -> Result<Window> {
        let mut window = Window::start(dir, &[], &[])?;
        window.wait_drawn()?;
        Ok(window)
    }

    /// Starts Xvfb and the binary on the store in `dir` with `args` and `env` added, without
    /// waiting for a window.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<Window> {
        need("Xvfb", "xvfb")?;
        need("xdotool", "xdotool")?;
        need("import", "imagemagick")?;
        // Xvfb picks a free display itself and names it when it is ready to take clients.
        let mut xvfb = Running(
            Process::new("Xvfb")
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?,
        );
        let out = xvfb.0.stdout.take().ok_or("no pipe from Xvfb")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
            let _ = tx.send(line);
        });
        let number = rx
            .recv_timeout(Duration::from_secs(20))
            .map_err(|_| "Xvfb did not start within 20 s")?;
        let number = number.trim();
        if number.is_empty() {
            return Err("Xvfb stopped before naming its display".into());
        }
        let display = format!(":{number}");
        let stderr = dir.join("window.stderr");
        let app = Running(
            Process::new(env!("CARGO_BIN_EXE_tidings"))
                .arg("--data-dir")
                .arg(dir)
                .args(args)
                .envs(env.iter().copied())
                .env("DISPLAY", &display)
                .env_remove("WAYLAND_DISPLAY")
                .env_remove("RUST_LOG")
                .env("LANG", "en_US.UTF-8")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&stderr)?)
                .spawn()?,
        );
        Ok(Window {
            display,
            id: String::new(),
            log: dir.join("logs").join("tidings.log"),
            stderr,
            shot: dir.join("window.png"),
            app,
            _xvfb: xvfb,
        })
    }

    /// Waits for the window to appear and be drawn (its id is kept).
    pub fn wait_drawn(&mut self) -> Result<()> {
        let window = self;
        window.id.clear();
        let stderr = window.stderr.clone();
        // Wait for the window, then for it to be drawn: a blank or half-drawn frame has few
        // colours.
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut colours = 0;
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(500));
            if window.id.is_empty() {
                let found = run(
                    "xdotool",
                    &["search", "--name", "^Tidings$"],
                    &window.display,
                )?;
                window.id = String::from_utf8_lossy(&found.stdout)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                continue;
            }
            colours = window.screenshot()?;
            if colours > 200 {
                break;
            }
        }
        let why = std::fs::read_to_string(&stderr).unwrap_or_default();
        if window.id.is_empty() {
            return Err(format!("no Tidings window appeared; its output: {why}").into());
        }
        if colours <= 200 {
            return Err(format!(
                "the window looks blank ({colours} colours; screenshot in {}); its output: {why}",
                window.kept("blank").display()
            )
            .into());
        }
        Ok(())
    }

    /// Ends the window's process with SIGKILL, as a crash would, and waits for it.
    pub fn kill(&mut self) -> Result<()> {
        self.app.0.kill()?;
        self.app.0.wait()?;
        Ok(())
    }

    /// Takes a screenshot; returns how many colours it has (0 when it could not be taken).
    pub fn screenshot(&self) -> Result<u64> {
        let path = self.shot.to_string_lossy().into_owned();
        if !run("import", &["-window", &self.id, &path], &self.display)?
            .status
            .success()
        {
            return Ok(0);
        }
        let counted = run("identify", &["-format", "%k", &path], &self.display)?;
        Ok(String::from_utf8_lossy(&counted.stdout)
            .trim()
            .parse()
            .unwrap_or(0))
    }

    /// Keeps the last screenshot in the target folder, for a person to look at after a failure.
    pub fn kept(&self, name: &str) -> PathBuf {
        let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("xvfb-{name}.png"));
        let _ = self.screenshot();
        let _ = std::fs::copy(&self.shot, &kept);
        kept
    }

    /// The window's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Types into the window through the X server, as a keyboard does (never into a field
    /// by name: what has the focus gets the keys).
    fn keys(&self, args: &[&str]) -> Result<()> {
        let focus = run(
            "xdotool",
            &["windowfocus", "--sync", &self.id],
            &self.display,
        )?;
        if !focus.status.success() {
            return Err(format!("xdotool could not focus the window: {focus:?}").into());
        }
        let out = run("xdotool", args, &self.display)?;
        if !out.status.success() {
            return Err(format!("xdotool {args:?}: {out:?}").into());
        }
        Ok(())
    }

    /// Waits (bounded) for `check`; on a timeout the error names `what`, the screenshot kept
    /// and the log.
    pub fn wait(
        &self,
        what: &str,
        within: Duration,
        mut check: impl FnMut() -> bool,
    ) -> Result<()> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if check() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "{what}: not within {within:?} (screenshot {}); the log:\n{}",
            self.kept(&what.replace(' ', "-")).display(),
            self.log()
        )
        .into())
    }
}

/// The seeded store with its accounts pointed at a loopback port where nothing listens.
pub fn offline_seeded() -> Result<(tempfile::TempDir, PathBuf)> {
    let (dir, db) = seeded()?;
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        for mut a in accounts::list(tx)? {
            for s in [&mut a.imap, &mut a.pop3, &mut a.smtp] {
                s.host = "127.0.0.1".into();
                s.port = 1;
            }
            accounts::update(tx, &a)?;
        }
        Ok(())
    })?;
    drop(store);
    Ok((dir, db))
}

#[test]
fn the_built_binary_opens_the_main_window_under_xvfb() -> Result<()> {
    let (dir, _db) = offline_seeded()?;
    let window = Window::open(dir.path())?;
    let _ = window.kept("window");
    let geometry = run(
        "xdotool",
        &["getwindowgeometry", &window.id],
        &window.display,
    )?;
    let geometry = String::from_utf8_lossy(&geometry.stdout).into_owned();
    assert!(geometry.contains("1200x760"), "{geometry}");
    // The desktop ties the window to org.tidings.Tidings.desktop by its class, and shows the
    // icon the window carries.
    need("xprop", "x11-utils")?;
    let class = run("xprop", &["-id", &window.id, "WM_CLASS"], &window.display)?;
    let class = String::from_utf8_lossy(&class.stdout).into_owned();
    assert!(class.contains("\"org.tidings.Tidings\""), "{class}");
    // The property is width, height, then the pixels: the first two say which size it is.
    let icon = run(
        "xprop",
        &[
            "-id",
            &window.id,
            "-notype",
            "-f",
            "_NET_WM_ICON",
            "32c",
            "=$0,$1\n",
            "_NET_WM_ICON",
        ],
        &window.display,
    )?;
    let icon = String::from_utf8_lossy(&icon.stdout).into_owned();
    assert_eq!(icon.trim(), "_NET_WM_ICON=256,256");
    Ok(())
}

/// The Tidings windows on the display.
pub fn windows_on(display: &str) -> Result<Vec<String>> {
    let found = run(
        "xdotool",
        &["search", "--class", "org.tidings.Tidings"],
        display,
    )?;
    Ok(String::from_utf8_lossy(&found.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

#[test]
fn a_second_launch_hands_its_link_or_file_to_the_running_window_and_exits() -> Result<()> {
    let (dir, _db) = offline_seeded()?;
    let mut window = Window::open(dir.path())?;
    let windows = windows_on(&window.display)?;
    let before = std::fs::read(&window.shot)?;
    let link = "mailto:bob@example.org?subject=%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A&body=Hi%0ABob";
    let started = Instant::now();
    let mut second = Running(
        Process::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(dir.path())
            .arg(link)
            .env("DISPLAY", &window.display)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?,
    );
    let status = loop {
        if let Some(status) = second.0.try_wait()? {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            return Err("the second launch did not exit: it opened a window of its own".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let mut said = String::new();
    if let Some(mut err) = second.0.stderr.take() {
        std::io::Read::read_to_string(&mut err, &mut said)?;
    }
    assert!(status.success(), "the second launch failed: {said}");
    // It only handed the link over: no store opened, no window of its own.
    assert!(
        took < Duration::from_secs(2),
        "the second launch took {took:?}"
    );
    window.wait(
        "the composer open in the first window",
        Duration::from_secs(20),
        || window.log().contains("screen: Compose"),
    )?;
    assert_eq!(
        windows_on(&window.display)?,
        windows,
        "a second window appeared"
    );
    window.wait("the composer drawn", Duration::from_secs(20), || {
        window.screenshot().is_ok_and(|c| c > 200)
            && std::fs::read(&window.shot).is_ok_and(|now| now != before)
    })?;
    let _ = window.kept("handed-over-composer");

    // Beside the window, a command that would run a second engine is refused with the
    // reason; a reading one works.
    let cli = |args: &[&str]| {
        Process::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .output()
    };
    let sync = cli(&["sync", "--once"])?;
    // 75 (EX_TEMPFAIL): a script can tell "busy, try later" from a wrong argument.
    assert_eq!(sync.status.code(), Some(75));
    let said = String::from_utf8_lossy(&sync.stderr);
    assert!(said.contains("window is open"), "{said}");
    // A folder that is not there: 66 (EX_NOINPUT), said in the user's language.
    let missing = Process::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["list", "--folder", "没有这个"])
        .env("LC_ALL", "zh_CN.UTF-8")
        .stdin(Stdio::null())
        .output()?;
    assert_eq!(missing.status.code(), Some(66));
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(
        said.contains("找不到") && said.contains("没有这个"),
        "{said}"
    );
    let list = cli(&["list", "--folder", "INBOX"])?;
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );

    // A message file handed over (as a double-click in the file manager does) opens in the
    // window's reader of its own.
    let eml = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eml/01-gbk-163.eml");
    let opened = cli(&[&eml.to_string_lossy()])?;
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    window.wait(
        "the message file in its reader",
        Duration::from_secs(20),
        || window.log().contains("screen: File"),
    )?;
    let _ = window.kept("message-file");

    // kill -9 leaves the lock file and the socket behind: the next start is not blocked.
    window.kill()?;
    let again = Window::open(dir.path())?;
    assert_eq!(windows_on(&again.display)?.len(), 1);
    Ok(())
}

/// The files of a maildir folder (new and cur), with their names.
fn maildir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            if let Ok(bytes) = std::fs::read(e.path()) {
                out.push((e.file_name().to_string_lossy().into_owned(), bytes));
            }
        }
    }
    out
}

/// The bodies the mirror holds for the account's folder with `role`.
fn local_bodies(db: &Path, account: i64, role: Role) -> Vec<Vec<u8>> {
    let Ok(reader) = tidings::store::open_reader(db) else {
        return Vec::new();
    };
    let Ok(Some(folder)) = folders::with_role(&reader, account, role) else {
        return Vec::new();
    };
    let Ok(mut stmt) = reader.prepare("SELECT id FROM messages WHERE folder_id = ?1") else {
        return Vec::new();
    };
    let ids: Vec<i64> = stmt
        .query_map([folder.id], |r| r.get(0))
        .map(|rows| rows.flatten().collect())
        .unwrap_or_default();
    ids.into_iter()
        .filter_map(|id| bodies::get(&reader, id).ok().flatten())
        .collect()
}

#[test]
fn reply_from_the_keyboard_sends_files_in_sent_and_marks_the_original() -> Result<()> {
    let servers = Servers::start()?;
    let alice = servers.user("alice");
    let original = b"From: Bob Builder <bob@tidings.test>\r\n\
To: alice@tidings.test\r\n\
Subject: Lunch on Friday?\r\n\
Date: Tue, 01 Dec 2026 09:30:00 +0000\r\n\
Message-ID: <lunch-friday@tidings.test>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Shall we try the new place?\r\n";
    servers.deliver_raw("alice", "INBOX", "lunch", original)?;

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    let store = Store::open(&db)?;
    let ca: Vec<Vec<u8>> = servers.ca_der()?.into_iter().map(|c| c.to_vec()).collect();
    let server = |enabled: bool, port: u16| ServerSettings {
        enabled,
        host: HOST.to_owned(),
        port,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: alice.address.clone(),
    };
    let account = Account {
        id: 0,
        display_name: "Alice".into(),
        address: alice.address.clone(),
        provider_id: String::new(),
        imap: server(true, servers.ports.imaps),
        pop3: server(false, servers.ports.pop3s),
        smtp: server(true, servers.ports.submissions),
        pop3_options: Pop3Options::default(),
        sync_window_days: 0,
        provider_saves_sent: false,
        // Asked at start, as the user chose: the prompt is typed into like any field.
        password_mode: PasswordMode::Ask,
    };
    let id = crate::harness::events::add_account(&store, account, HOST, ca)?;
    drop(store);

    let window = Window::open(dir.path())?;
    window.wait("the password prompt", Duration::from_secs(30), || {
        window
            .log()
            .contains("asking for the password of alice@tidings.test")
    })?;
    // Typed without a click: the prompt has the focus.
    window.keys(&["type", "--delay", "30", &alice.password])?;
    window.keys(&["key", "Return"])?;
    window.wait("the original mirrored", Duration::from_secs(60), || {
        local_bodies(&db, id, Role::Inbox).len() == 1
    })?;
    // The newest message (j), reply (r), words typed straight away, Ctrl+Enter.
    window.keys(&["key", "j"])?;
    std::thread::sleep(Duration::from_millis(800));
    window.keys(&["key", "r"])?;
    std::thread::sleep(Duration::from_millis(1500));
    let words = "Friday works for me";
    window.keys(&["type", "--delay", "30", words])?;
    std::thread::sleep(Duration::from_millis(500));
    let _ = window.kept("reply-typed");
    window.keys(&["key", "ctrl+Return"])?;

    let bob_inbox = servers.maildir("bob", "INBOX");
    window.wait(
        "the reply delivered to bob",
        Duration::from_secs(30),
        || {
            maildir(&bob_inbox).iter().any(|(_, raw)| {
                let text = String::from_utf8_lossy(raw);
                text.contains(words) && text.contains("Subject: Re: Lunch on Friday?")
            })
        },
    )?;
    window.wait(
        "the copy in the local Sent",
        Duration::from_secs(10),
        || {
            local_bodies(&db, id, Role::Sent)
                .iter()
                .any(|raw| String::from_utf8_lossy(raw).contains(words))
        },
    )?;
    let alice_inbox = servers.maildir("alice", "INBOX");
    window.wait(
        "the original answered on the server",
        Duration::from_secs(10),
        || {
            // Dovecot keeps a message's flags in its file name: R is \Answered.
            maildir(&alice_inbox).iter().any(|(name, raw)| {
                raw.starts_with(b"From: Bob Builder")
                    && name
                        .rsplit_once(":2,")
                        .is_some_and(|(_, flags)| flags.contains('R'))
            })
        },
    )?;
    window.wait(
        "the status bar past Sending",
        Duration::from_secs(15),
        || {
            let log = window.log();
            let shown: Vec<&str> = log
                .lines()
                .filter_map(|l| l.split_once("status bar: ").map(|(_, s)| s))
                .collect();
            shown.iter().any(|s| s.contains("Sent."))
                && shown.last().is_some_and(|s| !s.contains("Sending"))
        },
    )?;
    let _ = window.kept("after-send");
    assert_eq!(
        maildir(&bob_inbox).len(),
        1,
        "the reply must arrive exactly once"
    );
    Ok(())
}
