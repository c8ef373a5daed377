//! What a launch asks the window for: the window as it was, or a composer from a `mailto:`
//! link. The same request comes from the command line of the first instance and, handed
//! over, from a second one. (An `.eml` argument is still printed as text by the CLI.)

pub mod instance;
pub mod mailto;

/// What to show once the window is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// The window, as it was left.
    Window,
    /// A new message from a mailto: link (the link as given, read by the window so a bad one
    /// is shown there).
    Mailto(String),
}

impl Launch {
    /// What the command line's one argument asks of the window: None when it is not a
    /// mailto: link (a file, for the CLI).
    pub fn from_arg(arg: Option<&std::ffi::OsStr>) -> Option<Launch> {
        let Some(arg) = arg else {
            return Some(Launch::Window);
        };
        arg.to_str()
            .filter(|text| mailto::is_mailto(text))
            .map(|text| Launch::Mailto(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argument_is_a_link_or_a_file() {
        use std::ffi::OsStr;
        assert_eq!(Launch::from_arg(None), Some(Launch::Window));
        assert_eq!(
            Launch::from_arg(Some(OsStr::new("MailTo:bob@example.com"))),
            Some(Launch::Mailto("MailTo:bob@example.com".into()))
        );
        assert_eq!(Launch::from_arg(Some(OsStr::new("/tmp/报告.eml"))), None);
    }
}
