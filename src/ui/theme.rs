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
