//! The built binary in the background, under Xvfb, each run on a D-Bus session of its own:
//! with a StatusNotifierWatcher there (the test's own, as a desktop's panel provides one) a
//! start in the tray registers the icon with the unread count and opens no window; the menu
//! opens the window and a composer, closing the window keeps Tidings running, and Quit ends
//! it. With no watcher, a start in the tray opens the window anyway and closing it quits.
//! The bus's keyring never answers, and quitting ends Tidings all the same.

use std::collections::HashMap;
use std::process::{Command as Process, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::zvariant::OwnedValue;

use crate::common::*;
use crate::window::{Running, Window, need, offline_seeded, windows_on};

/// A session bus of the test's own (so a watcher on it is seen by this run only). It starts
/// no services on demand: what answers on it is what the test serves, not whatever the
/// machine has installed.
struct Bus {
    address: String,
    _keyring: zbus::blocking::Connection,
    _daemon: Running,
    _config: tempfile::TempDir,
}

/// The session bus's rules, without the standard service directories.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

impl Bus {
    fn start() -> Result<Bus> {
        need("dbus-daemon", "dbus")?;
        let config = tempfile::tempdir()?;
        let file = config.path().join("session.conf");
        std::fs::write(&file, BUS_CONFIG)?;
        let mut daemon = Running(
            Process::new("dbus-daemon")
                .arg(format!("--config-file={}", file.display()))
                .args(["--nofork", "--print-address=1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?,
        );
        let out = daemon.0.stdout.take().ok_or("no pipe from dbus-daemon")?;
        let mut out = std::io::BufReader::new(out);
        let mut address = String::new();
        std::io::BufRead::read_line(&mut out, &mut address)?;
        // The pipe stays read: a daemon writing to a closed one would die of SIGPIPE.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let address = address.trim().to_owned();
        if address.is_empty() {
            return Err("dbus-daemon named no address".into());
        }
        let keyring = zbus::blocking::connection::Builder::address(address.as_str())?
            .name("org.freedesktop.secrets")?
            .serve_at("/org/freedesktop/secrets", HungKeyring)?
            .build()?;
        Ok(Bus {
            address,
            _keyring: keyring,
            _daemon: daemon,
            _config: config,
        })
    }
}

/// A Secret Service that takes every session request and never answers, as a keyring daemon
/// stuck at start does: the password lookups of the engine wait on it forever, and quitting
/// must end Tidings all the same.
struct HungKeyring;

#[zbus::interface(name = "org.freedesktop.Secret.Service")]
impl HungKeyring {
    async fn open_session(
        &self,
        _algorithm: &str,
        _input: zbus::zvariant::Value<'_>,
    ) -> (OwnedValue, zbus::zvariant::OwnedObjectPath) {
        std::future::pending().await
    }
}

/// The StatusNotifierWatcher a desktop's panel runs: it keeps the items that register.
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        // An item may give its bus name or only its object path.
        let name = if service.starts_with('/') {
            header.sender().map(|s| s.to_string()).unwrap_or_default()
        } else {
            service.to_owned()
        };
        if let Ok(mut items) = self.items.lock() {
            items.push(name);
        }
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().map(|i| i.clone()).unwrap_or_default()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// Serves a watcher on `bus`; the items that registered are in the returned list.
fn watch(bus: &Bus) -> Result<(zbus::blocking::Connection, Arc<Mutex<Vec<String>>>)> {
    let items = Arc::new(Mutex::new(Vec::new()));
    let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())?
        .name("org.kde.StatusNotifierWatcher")?
        .serve_at(
            "/StatusNotifierWatcher",
            Watcher {
                items: items.clone(),
            },
        )?
        .build()?;
    Ok((conn, items))
}

/// The menu of the item at `name`: each entry's label and id.
fn menu(conn: &zbus::blocking::Connection, name: &str) -> Result<Vec<(String, i32)>> {
    let proxy = zbus::blocking::Proxy::new(conn, name, "/MenuBar", "com.canonical.dbusmenu")?;
    type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
    let (_revision, (_root, _, children)): (u32, Node) =
        proxy.call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))?;
    let mut out = Vec::new();
    for child in children {
        let (id, props, _): Node = child.try_into()?;
        if let Some(label) = props.get("label") {
            out.push((String::try_from(label.try_clone()?)?, id));
        }
    }
    Ok(out)
}

/// Clicks the entry labelled `label` in the item's menu, as a panel does.
fn click(conn: &zbus::blocking::Connection, name: &str, label: &str) -> Result<()> {
    let entries = menu(conn, name)?;
    let (_, id) = entries
        .iter()
        .find(|(l, _)| l == label)
        .ok_or_else(|| format!("no {label:?} in the tray menu: {entries:?}"))?;
    let proxy = zbus::blocking::Proxy::new(conn, name, "/MenuBar", "com.canonical.dbusmenu")?;
    let () = proxy.call(
        "Event",
        &(*id, "clicked", zbus::zvariant::Value::from(0i32), 0u32),
    )?;
    Ok(())
}

/// Asks the window to close as its close button does (WM_DELETE_WINDOW; no window manager
/// runs to send it).
fn close_button(display: &str, window: &str) -> Result<()> {
    use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask};
    let (conn, _) = x11rb::connect(Some(display))?;
    let protocols = conn.intern_atom(false, b"WM_PROTOCOLS")?.reply()?.atom;
    let delete = conn.intern_atom(false, b"WM_DELETE_WINDOW")?.reply()?.atom;
    let id: u32 = window.parse()?;
    let event = ClientMessageEvent::new(32, id, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
    conn.send_event(false, id, EventMask::NO_EVENT, event)?;
    // A round trip, so the server has taken the event before this connection closes: on a
    // loaded machine a flushed but unread request died with its connection.
    conn.get_input_focus()?.reply()?;
    Ok(())
}

/// Waits for the window's process to end; its exit status.
fn exited(window: &mut Window, within: Duration) -> Result<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = window.app.0.try_wait()? {
            return Ok(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "Tidings still runs after {within:?}; its log:\n{}",
        window.log()
    )
    .into())
}

/// The unread count of the seeded inboxes, as the tray should show it.
fn inbox_unread(db: &Path) -> Result<u32> {
    let tree = data::tree(db)?;
    Ok(tree
        .accounts
        .iter()
        .flat_map(|(_, folders)| folders)
        .filter(|f| f.role == tidings::store::folders::Role::Inbox)
        .map(|f| f.unread_count)
        .sum())
}

#[test]
fn in_the_tray_tidings_runs_without_its_window_and_the_menu_brings_it_back() -> Result<()> {
    let (dir, db) = offline_seeded()?;
    let unread = inbox_unread(&db)?;
    assert!(unread > 0, "the seeded inbox has unread mail");
    let bus = Bus::start()?;
    let (conn, items) = watch(&bus)?;
    let mut window = Window::start(
        dir.path(),
        &["--background"],
        &[
            ("DBUS_SESSION_BUS_ADDRESS", &bus.address),
            ("LANG", "en_US.UTF-8"),
        ],
    )?;
    window.wait("the tray icon registered", Duration::from_secs(60), || {
        items.lock().is_ok_and(|i| !i.is_empty())
    })?;
    let item = items.lock().map_err(|_| "lock")?[0].clone();
    let proxy = zbus::blocking::Proxy::new(
        &conn,
        item.as_str(),
        "/StatusNotifierItem",
        "org.kde.StatusNotifierItem",
    )?;
    let expected = format!("Tidings — {unread} unread");
    window.wait(
        "the unread count in the title",
        Duration::from_secs(60),
        || {
            proxy
                .get_property::<String>("Title")
                .is_ok_and(|t| t == expected)
        },
    )?;
    // The badge is drawn on the icon: a picture, not a name from the icon theme.
    let pixmaps: Vec<(i32, i32, Vec<u8>)> = proxy.get_property("IconPixmap")?;
    assert!(
        pixmaps
            .iter()
            .any(|(w, h, data)| *w == 32 && *h == 32 && data.len() == 32 * 32 * 4)
    );
    let labels: Vec<String> = menu(&conn, &item)?.into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["Open Tidings", "New message", "Sync now", "Quit"]);
    // Started in the tray: no window, and still running.
    std::thread::sleep(Duration::from_secs(2));
    assert!(windows_on(&window.display)?.is_empty(), "a window opened");
    assert!(window.app.0.try_wait()?.is_none(), "Tidings ended");

    // Open brings the window; its close button sends it back to the tray.
    click(&conn, &item, "Open Tidings")?;
    window.wait_drawn()?;
    let _ = window.kept("tray-opened");
    close_button(&window.display, &window.id)?;
    window.wait("the window closed", Duration::from_secs(60), || {
        windows_on(&window.display).is_ok_and(|w| w.is_empty())
    })?;
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        window.app.0.try_wait()?.is_none(),
        "closing the window quit"
    );
    assert!(window.log().contains("running in the tray"));

    // New message opens the window again, with the composer.
    click(&conn, &item, "New message")?;
    window.wait_drawn()?;
    window.wait("the composer", Duration::from_secs(60), || {
        window.log().contains("screen: Compose")
    })?;
    let _ = window.kept("tray-compose");

    click(&conn, &item, "Quit")?;
    let status = exited(&mut window, Duration::from_secs(60))?;
    assert!(status.success(), "{status:?}");
    assert!(window.log().contains("ending anyway"), "{}", window.log());
    Ok(())
}

#[test]
fn without_a_tray_the_window_opens_anyway_and_closing_it_quits() -> Result<()> {
    let (dir, _db) = offline_seeded()?;
    let bus = Bus::start()?;
    let mut window = Window::start(
        dir.path(),
        &["--background"],
        &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)],
    )?;
    window.wait_drawn()?;
    assert!(window.log().contains("started in the tray"));
    close_button(&window.display, &window.id)?;
    let status = exited(&mut window, Duration::from_secs(60))?;
    assert!(status.success(), "{status:?}");
    // The engine's password lookups still wait on the hung keyring: quit did not wait for them.
    assert!(window.log().contains("ending anyway"), "{}", window.log());
    Ok(())
}
