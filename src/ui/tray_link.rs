//! The tray as an iced subscription: it starts the tray (off the UI thread where the platform
//! allows, else by asking the update to make it) and turns the tray's events into messages
//! for as long as the window's program runs.

use futures::{SinkExt, StreamExt};
use iced::Subscription;

use super::message::DesktopMsg;

/// Starts the tray once and listens to it.
pub fn run() -> Subscription<DesktopMsg> {
    Subscription::run(|| {
        iced::stream::channel(
            16,
            async move |mut output: futures::channel::mpsc::Sender<DesktopMsg>| {
                let (events, mut received) = futures::channel::mpsc::unbounded();
                let started = start(events).await;
                if output.send(started).await.is_err() {
                    return;
                }
                while let Some(event) = received.next().await {
                    if output.send(DesktopMsg::Tray(event)).await.is_err() {
                        return;
                    }
                }
            },
        )
    })
}

/// The StatusNotifierItem starts here, off the UI thread.
#[cfg(all(unix, not(target_os = "macos")))]
async fn start(events: crate::tray::Events) -> DesktopMsg {
    DesktopMsg::TrayStarted(
        crate::tray::start(events)
            .await
            .map_err(|e| super::failure::Failure::new(super::failure::Kind::Tray, e)),
    )
}

/// Windows and macOS: the update makes the tray, on the event loop's thread.
#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn start(events: crate::tray::Events) -> DesktopMsg {
    DesktopMsg::TrayStart(events)
}
