//! The status bar's words: each account's state or progress, then the outbox or a passing
//! notice. Kept apart from the view so the real window can log what it shows (the log is how
//! a bug report, and the window test, see what the user saw).

use std::sync::Mutex;

use super::data::Tree;
use super::message::Screen;
use super::window_state::{Status, Sync};
use crate::engine::AccountState;
use crate::i18n::I18n;

/// What the status bar is made from.
#[derive(Clone, Copy)]
pub struct Said<'a> {
    /// Words in the user's language.
    pub i18n: &'a I18n,
    /// The accounts, in order.
    pub tree: &'a Tree,
    /// Their connections, progress and the search backlog.
    pub sync: &'a Sync,
    /// Messages waiting in the outbox.
    pub waiting: usize,
    /// The passing notice.
    pub status: &'a Status,
}

/// The status bar's text as shown.
pub fn line(app: Said<'_>) -> String {
    let mut parts = Vec::new();
    for (account, _) in &app.tree.accounts {
        if let Some((done, total)) = app.sync.progress.get(&account.id) {
            parts.push(app.i18n.t(
                "ui-progress",
                &[("done", &done.to_string()), ("total", &total.to_string())],
            ));
        } else if let Some(state) = app.sync.states.get(&account.id) {
            parts.push(match state {
                AccountState::Connecting => app.i18n.t("ui-state-connecting", &[]),
                AccountState::Online => app.i18n.t("ui-state-online", &[]),
                AccountState::Offline(reason) => {
                    app.i18n.t("ui-state-offline", &[("reason", reason)])
                }
            });
        }
    }
    if app.sync.indexing > 0 {
        parts.push(
            app.i18n
                .t("ui-indexing", &[("count", &app.sync.indexing.to_string())]),
        );
    }
    if app.waiting > 0 {
        parts.push(
            app.i18n
                .count("compose-outbox-waiting", "count", app.waiting as i64),
        );
    } else if let Some(notice) = &app.status.notice {
        parts.push(notice.clone());
    }
    parts.join("   ·   ")
}

/// Logs the status bar's text when it changed since the last call.
pub fn log_change(last: &Mutex<String>, now: String) {
    let Ok(mut last) = last.lock() else {
        return;
    };
    if *last != now {
        tracing::info!(target: "tidings::ui", "status bar: {now:?}");
        *last = now;
    }
}

/// Logs the screen when it changed since the last call (the mail list, settings, the composer
/// or setup), so the log says what a launch or a handed-over link opened.
pub fn log_screen(last: &Mutex<Option<Screen>>, screen: Screen) {
    let Ok(mut last) = last.lock() else {
        return;
    };
    if *last != Some(screen) {
        tracing::info!(target: "tidings::ui", "screen: {screen:?}");
        *last = Some(screen);
    }
}
