//! The main window's settings as the desktop sees them: its size, the app icon, and (on Linux)
//! the application id that ties the window to `org.tidings.Tidings.desktop`, so docks and
//! task bars show the right icon and name.

use iced::window;

/// The one application id (desktop file, metainfo, bundle identifier).
pub const APP_ID: &str = "org.tidings.Tidings";

/// The app icon, rendered from `resources/icons/org.tidings.Tidings.svg`.
const ICON_PNG: &[u8] =
    include_bytes!("../../resources/icons/hicolor/256x256/apps/org.tidings.Tidings.png");

/// The app icon as the window system wants it, or None if it cannot be decoded.
pub fn icon() -> Option<window::Icon> {
    let decoded = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png)
        .map_err(|e| tracing::warn!("app icon: {e}"))
        .ok()?
        .to_rgba8();
    let (width, height) = decoded.dimensions();
    window::icon::from_rgba(decoded.into_raw(), width, height)
        .map_err(|e| tracing::warn!("app icon: {e}"))
        .ok()
}

/// The main window's settings.
pub fn main_window() -> window::Settings {
    window::Settings {
        size: iced::Size::new(1200.0, 760.0),
        icon: icon(),
        exit_on_close_request: false,
        #[cfg(target_os = "linux")]
        platform_specific: window::settings::PlatformSpecific {
            application_id: APP_ID.to_owned(),
            ..Default::default()
        },
        ..window::Settings::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_icon_decodes_at_its_full_size() {
        let decoded = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png)
            .map(|i| i.to_rgba8());
        assert!(matches!(
            decoded.as_ref().map(|i| i.dimensions()),
            Ok((256, 256))
        ));
        assert!(icon().is_some());
    }
}
