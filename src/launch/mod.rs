//! What a launch asks the window for: the window as it was, a composer from a `mailto:` link,
//! or a message file in a reader of its own. The same request comes from the command line of
//! the first instance and, handed over, from a second one.

pub mod autostart;
pub mod default_app;
pub mod instance;
pub mod mailto;

use std::path::PathBuf;

/// What to show once the window is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// The window, as it was left.
    Window,
    /// A new message from a mailto: link (the link as given, read by the window so a bad one
    /// is shown there).
    Mailto(String),
    /// A message file (`.eml`) to read; an absolute path, since a second launch's working
    /// directory is not the window's.
    Eml(PathBuf),
}

impl Launch {
    /// What the command line's one argument asks of the window.
    pub fn from_arg(arg: Option<&std::ffi::OsStr>) -> Launch {
        let Some(arg) = arg else {
            return Launch::Window;
        };
        match arg.to_str() {
            Some(text) if mailto::is_mailto(text) => Launch::Mailto(text.to_owned()),
            _ => {
                let path = PathBuf::from(arg);
                Launch::Eml(std::path::absolute(&path).unwrap_or(path))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argument_is_a_link_or_a_file() -> std::io::Result<()> {
        use std::ffi::OsStr;
        assert_eq!(Launch::from_arg(None), Launch::Window);
        assert_eq!(
            Launch::from_arg(Some(OsStr::new("MailTo:bob@example.com"))),
            Launch::Mailto("MailTo:bob@example.com".into())
        );
        let absolute = std::env::temp_dir().join("报告.eml");
        assert_eq!(
            Launch::from_arg(Some(absolute.as_os_str())),
            Launch::Eml(absolute.clone())
        );
        // A relative name is made absolute where it was given.
        assert_eq!(
            Launch::from_arg(Some(OsStr::new("a.eml"))),
            Launch::Eml(std::env::current_dir()?.join("a.eml"))
        );
        Ok(())
    }
}
