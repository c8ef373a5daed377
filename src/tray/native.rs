//! The tray on Windows (the notification area) and macOS (the menu bar), through tray-icon.
//! Both want the icon made and changed on the thread that runs the window's event loop, so
//! it lives in a thread-local there and `Handle` only names it; the menu's clicks arrive on
//! tray-icon's own handlers, which pass them on as `Event`s.

use std::cell::RefCell;

use tray_icon::menu::{Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem};
use tray_icon::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use super::{Action, Event, Events, ID, Look, badge};

/// The icon and its menu entries, on the event-loop thread.
struct Live {
    icon: TrayIcon,
    entries: [(MenuItem, Action); 4],
    shown: Look,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

/// Names the icon made by `start` on this thread.
#[derive(Debug, Clone)]
pub struct Handle;

impl Handle {
    /// Shows `look` now (call it on the event-loop thread); the future has nothing left to do.
    pub fn show(&self, look: Look) -> impl Future<Output = ()> + Send + 'static {
        LIVE.with_borrow_mut(|live| {
            let Some(live) = live.as_mut() else { return };
            if live.shown.unread != look.unread {
                if let Some(icon) = picture(look.unread) {
                    if let Err(e) = live.icon.set_icon(Some(icon)) {
                        tracing::warn!("tray icon: {e}");
                    }
                }
            }
            if let Err(e) = live.icon.set_tooltip(Some(&look.title)) {
                tracing::warn!("tray tooltip: {e}");
            }
            let words = [&look.open, &look.compose, &look.sync, &look.quit];
            for ((entry, _), word) in live.entries.iter().zip(words) {
                entry.set_text(word);
            }
            live.shown = look;
        });
        std::future::ready(())
    }

    /// Takes the icon away (at quit).
    pub fn close(&self) -> impl Future<Output = ()> + Send + 'static {
        LIVE.with_borrow_mut(|live| *live = None);
        std::future::ready(())
    }
}

/// The biggest badged picture, as tray-icon wants it.
fn picture(unread: u32) -> Option<tray_icon::Icon> {
    let image = badge::icons(unread).pop()?;
    let (width, height) = image.dimensions();
    tray_icon::Icon::from_rgba(image.into_raw(), width, height)
        .map_err(|e| tracing::warn!("tray icon: {e}"))
        .ok()
}

/// Makes the icon on this thread (the event loop's); the menu's picks go to `events`.
pub fn start(events: Events) -> Result<Handle, String> {
    let entries = [
        (MenuItem::new("Open", true, None), Action::Open),
        (MenuItem::new("New message", true, None), Action::Compose),
        (MenuItem::new("Sync now", true, None), Action::SyncNow),
        (MenuItem::new("Quit", true, None), Action::Quit),
    ];
    let menu = Menu::new();
    let separator = PredefinedMenuItem::separator();
    menu.append_items(&[
        &entries[0].0,
        &entries[1].0,
        &entries[2].0,
        &separator,
        &entries[3].0,
    ])
    .map_err(|e| e.to_string())?;
    let ids: Vec<(MenuId, Action)> = entries
        .iter()
        .map(|(item, action)| (item.id().clone(), *action))
        .collect();
    let picks = events.clone();
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        if let Some((_, action)) = ids.iter().find(|(id, _)| *id == event.id) {
            let _ = picks.unbounded_send(Event::Picked(*action));
        }
    }));
    let clicks = events.clone();
    TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
        if let TrayIconEvent::Click {
            button: MouseButton::Left,
            button_state: MouseButtonState::Up,
            ..
        } = event
        {
            let _ = clicks.unbounded_send(Event::Picked(Action::Open));
        }
    }));
    let mut builder = TrayIconBuilder::new()
        .with_id(ID)
        .with_menu(Box::new(menu))
        .with_tooltip("Tidings");
    // Windows: a left click opens the window and the menu is on the right button; the macOS
    // menu bar opens the menu on any click, as its other items do.
    if cfg!(windows) {
        builder = builder.with_menu_on_left_click(false);
    }
    if let Some(icon) = picture(0) {
        builder = builder.with_icon(icon);
    }
    let icon = builder.build().map_err(|e| e.to_string())?;
    LIVE.with_borrow_mut(|live| {
        *live = Some(Live {
            icon,
            entries,
            shown: Look::default(),
        })
    });
    let _ = events.unbounded_send(Event::Shown(true));
    Ok(Handle)
}
