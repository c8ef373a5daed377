//! The window, driven through iced_test's simulator: clicks and state, the commands sent, and
//! PNG snapshots in tests/snapshots (committed; a changed rendering fails the test). Look at
//! every PNG before committing it. One binary, a module per screen or concern.

#[path = "harness/mod.rs"]
mod harness;

#[path = "ui/common.rs"]
mod common;
#[path = "ui/composer.rs"]
mod composer;
#[path = "ui/conversations.rs"]
mod conversations;
#[path = "ui/launch.rs"]
mod launch;
#[path = "ui/mail.rs"]
mod mail;
#[path = "ui/reader.rs"]
mod reader;
#[path = "ui/search.rs"]
mod search;
#[path = "ui/settings.rs"]
mod settings;
#[path = "ui/setup.rs"]
mod setup;
#[path = "ui/tray.rs"]
mod tray;
#[path = "ui/window.rs"]
mod window;
