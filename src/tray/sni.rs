//! The tray as a StatusNotifierItem (KDE, GNOME with the AppIndicator extension, Xfce, LXQt,
//! Cinnamon and most panels): ksni serves the item and its menu on the session bus and
//! registers them with the desktop's StatusNotifierWatcher. A watcher that is missing at start
//! or goes away later is reported as `Event::Shown(false)`, and one that comes back as
//! `Shown(true)` (ksni registers the item with it again).

use super::{Action, Event, Events, ID, Look, badge};
use ksni::TrayMethods;

/// The running item; `show` changes what it shows.
#[derive(Clone)]
pub struct Handle(ksni::Handle<Item>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("tray::Handle")
    }
}

impl Handle {
    /// Shows `look` (the count, the title and the menu's words); done when the future runs.
    pub fn show(&self, look: Look) -> impl Future<Output = ()> + Send + 'static {
        let handle = self.0.clone();
        async move {
            let icons = pixmaps(look.unread);
            handle
                .update(move |item| {
                    item.look = look;
                    item.icons = icons;
                })
                .await;
        }
    }

    /// Takes the item off the bus (at quit).
    pub fn close(&self) -> impl Future<Output = ()> + Send + 'static {
        self.0.shutdown()
    }
}

/// Serves the item on the session bus. An error means there is no session bus at all; a
/// session without a tray host still starts, and says `Shown(false)` on `events`.
pub async fn start(events: Events) -> Result<Handle, String> {
    let item = Item {
        look: Look::default(),
        icons: pixmaps(0),
        events,
    };
    let handle = item
        // A panel that starts after Tidings (at login) still gets the icon.
        .assume_sni_available(true)
        // Inside Flatpak the sandbox only lets the app own names under its own id.
        .disable_dbus_name(std::env::var_os("FLATPAK_ID").is_some())
        .spawn()
        .await
        .map_err(|e| e.to_string())?;
    Ok(Handle(handle))
}

fn pixmaps(unread: u32) -> Vec<ksni::Icon> {
    badge::icons(unread)
        .iter()
        .map(|icon| ksni::Icon {
            width: icon.width() as i32,
            height: icon.height() as i32,
            data: badge::argb(icon),
        })
        .collect()
}

/// What the item serves.
pub struct Item {
    look: Look,
    icons: Vec<ksni::Icon>,
    events: Events,
}

impl Item {
    fn send(&self, event: Event) {
        // The window has gone when nobody listens: nothing is left to tell.
        let _ = self.events.unbounded_send(event);
    }

    fn entry(&self, label: &str, action: Action) -> ksni::MenuItem<Item> {
        ksni::menu::StandardItem {
            label: label.to_owned(),
            activate: Box::new(move |item: &mut Item| item.send(Event::Picked(action))),
            ..Default::default()
        }
        .into()
    }
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        ID.to_owned()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::Communications
    }

    fn title(&self) -> String {
        self.look.title.clone()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.icons.clone()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.look.title.clone(),
            ..Default::default()
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(Event::Picked(Action::Open));
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        vec![
            self.entry(&self.look.open, Action::Open),
            self.entry(&self.look.compose, Action::Compose),
            self.entry(&self.look.sync, Action::SyncNow),
            ksni::MenuItem::Separator,
            self.entry(&self.look.quit, Action::Quit),
        ]
    }

    fn watcher_online(&self) {
        self.send(Event::Shown(true));
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        tracing::info!("no tray host: {reason:?}");
        self.send(Event::Shown(false));
        // Keep serving: the watcher may come back.
        true
    }
}
