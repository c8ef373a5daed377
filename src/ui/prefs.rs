//! The window's own preferences (language, theme, notifications, pane sizes, background), kept in a small JSON file in the config
//! directory. No secret ever goes here.

use std::path::{Path, PathBuf};

use iced::Task;

use super::failure::{Failure, Kind};
use super::screen::settings::Pref;
use super::theme::ThemeChoice;
use crate::i18n::I18n;

/// What the user chose in Settings → App.
#[derive(Debug, Clone, PartialEq)]
pub struct Prefs {
    /// "en-US", "zh-CN", or "" to follow the system.
    pub language: String,
    /// Follow the system, light or dark.
    pub theme: ThemeChoice,
    /// Desktop notifications for new mail.
    pub notifications: bool,
    /// The mail panes' split ratios (folders of the window, list of the rest).
    pub panes: [f32; 2],
    /// Closing the window keeps Tidings running in the tray (where there is one).
    pub background: bool,
    /// "All inboxes", "All sent" and "All drafts" at the top of the folder pane (with more than
    /// one account).
    pub unified: bool,
    /// One list row per conversation instead of per message.
    pub conversations: bool,
}

impl Default for Prefs {
    fn default() -> Prefs {
        Prefs {
            language: String::new(),
            theme: ThemeChoice::System,
            notifications: true,
            panes: super::screen::mail::DEFAULT_PANES,
            background: true,
            unified: true,
            conversations: true,
        }
    }
}

impl Prefs {
    /// Takes the choice made in Settings; a new language comes back as its messages.
    pub fn apply(&mut self, pref: Pref) -> Option<I18n> {
        match pref {
            Pref::Language(locale) => {
                let i18n = if locale.is_empty() {
                    I18n::from_env()
                } else {
                    I18n::new(&locale)
                };
                self.language = locale;
                return Some(i18n);
            }
            Pref::Theme(choice) => self.theme = choice,
            Pref::Notifications(on) => self.notifications = on,
            Pref::Background(on) => self.background = on,
            Pref::Unified(on) => self.unified = on,
            Pref::Conversations(on) => self.conversations = on,
        }
        None
    }
}

/// Saves `prefs` to `path` off the UI thread (even a small file write stays off it).
pub fn saving(path: PathBuf, prefs: Prefs) -> Task<Result<(), Failure>> {
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || {
                save(&path, &prefs)
                    .map_err(|e| Failure::new(Kind::Write, format!("{}: {e}", path.display())))
            })
            .await?
        },
        |r| r,
    )
}

/// Where the preferences of the store in `data_dir` live.
pub fn file_for(data_dir: &Path) -> PathBuf {
    data_dir.join("window.json")
}

/// Reads preferences; missing or unreadable files give the defaults.
pub fn load(path: &Path) -> Prefs {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Prefs::default();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Prefs::default();
    };
    Prefs {
        language: value["language"].as_str().unwrap_or_default().to_owned(),
        theme: match value["theme"].as_str() {
            Some("dark") => ThemeChoice::Dark,
            Some("light") => ThemeChoice::Light,
            _ => ThemeChoice::System,
        },
        notifications: value["notifications"].as_bool().unwrap_or(true),
        background: value["background"].as_bool().unwrap_or(true),
        unified: value["unified"].as_bool().unwrap_or(true),
        conversations: value["conversations"].as_bool().unwrap_or(true),
        panes: {
            let ratio = |i: usize| {
                value["panes"][i]
                    .as_f64()
                    .map(|r| r as f32)
                    .filter(|r| (0.12..=0.8).contains(r))
                    .unwrap_or(super::screen::mail::DEFAULT_PANES[i])
            };
            [ratio(0), ratio(1)]
        },
    }
}

/// Writes preferences atomically (a temporary file renamed over the old one).
pub fn save(path: &Path, prefs: &Prefs) -> std::io::Result<()> {
    let value = serde_json::json!({
        "language": prefs.language,
        "theme": match prefs.theme {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        },
        "notifications": prefs.notifications,
        "panes": prefs.panes,
        "background": prefs.background,
        "unified": prefs.unified,
        "conversations": prefs.conversations,
    });
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, value.to_string())?;
    std::fs::rename(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_round_trip_and_survive_garbage() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = file_for(dir.path());
        assert_eq!(load(&path), Prefs::default());
        let prefs = Prefs {
            language: "zh-CN".into(),
            theme: ThemeChoice::Dark,
            notifications: false,
            panes: [0.25, 0.5],
            background: false,
            unified: false,
            conversations: false,
        };
        save(&path, &prefs)?;
        assert_eq!(load(&path), prefs);
        std::fs::write(&path, r#"{"panes": [0.01, 0.5]}"#)?;
        assert_eq!(
            load(&path).panes,
            [0.2, 0.5],
            "a vanishing pane is not restored"
        );
        std::fs::write(&path, "{not json")?;
        assert_eq!(load(&path), Prefs::default());
        Ok(())
    }
}
