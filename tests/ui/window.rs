//! The built binary's real window under Xvfb.

use crate::common::*;

/// Fails with the install line when a tool the window test needs is missing.
fn need(tool: &str, package: &str) -> Result<()> {
    let found = std::process::Command::new("sh")
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
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(program: &str, args: &[&str], display: &str) -> Result<std::process::Output> {
    Ok(std::process::Command::new(program)
        .args(args)
        .env("DISPLAY", display)
        .output()?)
}

#[test]
fn the_built_binary_opens_the_main_window_under_xvfb() -> Result<()> {
    use std::process::{Command as Process, Stdio};
    use std::time::{Duration, Instant};
    need("Xvfb", "xvfb")?;
    need("xdotool", "xdotool")?;
    need("import", "imagemagick")?;
    let (dir, db) = seeded()?;
    // Loopback only: the account points at a port where nothing listens.
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

    let display = format!(":{}", 60 + std::process::id() % 200);
    let socket = format!("/tmp/.X11-unix/X{}", &display[1..]);
    let _xvfb = Running(
        Process::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Path::new(&socket).exists() {
        if Instant::now() > deadline {
            return Err(format!("Xvfb did not start on {display}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = dir.path().join("window.log");
    let _app = Running(
        Process::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(dir.path())
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?,
    );
    // Wait for the window, then for it to be drawn: a blank or half-drawn frame has few colours.
    let shot = dir.path().join("window.png");
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut colours = 0u64;
    let mut window = String::new();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        if window.is_empty() {
            let found = run("xdotool", &["search", "--name", "^Tidings$"], &display)?;
            window = String::from_utf8_lossy(&found.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            continue;
        }
        let path = shot.to_string_lossy().into_owned();
        if !run("import", &["-window", &window, &path], &display)?
            .status
            .success()
        {
            continue;
        }
        let counted = run("identify", &["-format", "%k", &path], &display)?;
        colours = String::from_utf8_lossy(&counted.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        if colours > 200 {
            break;
        }
    }
    let geometry = run("xdotool", &["getwindowgeometry", &window], &display)?;
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xvfb-window.png");
    let _ = std::fs::copy(&shot, &kept);
    assert!(
        !window.is_empty(),
        "no Tidings window appeared; its log: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(
        colours > 200,
        "the window looks blank ({colours} colours; screenshot in {}); its log: {}",
        kept.display(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let geometry = String::from_utf8_lossy(&geometry.stdout).into_owned();
    assert!(geometry.contains("1200x760"), "{geometry}");
    Ok(())
}
