//! The look the user chose.

/// Follow the system, light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Whatever the desktop uses.
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl ThemeChoice {
    /// The iced theme for this choice while the desktop is in `mode`.
    pub fn theme(self, mode: iced::theme::Mode) -> iced::Theme {
        match (self, mode) {
            (ThemeChoice::Light, _) => iced::Theme::Light,
            (ThemeChoice::Dark, _) | (ThemeChoice::System, iced::theme::Mode::Dark) => {
                iced::Theme::Dark
            }
            (ThemeChoice::System, _) => iced::Theme::Light,
        }
    }
}
