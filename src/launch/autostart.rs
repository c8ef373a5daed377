//! Starting Tidings when the user logs in, in the background (the tray, no window): an XDG
//! autostart entry on Linux, the per-user Run key on Windows, a launch agent on macOS. Each
//! names the program the way it was installed (the AppImage file, the Flatpak id, or the
//! binary itself) with `--background`.

use std::path::PathBuf;

/// The flag that starts Tidings in the tray.
pub const BACKGROUND: &str = "--background";

/// Where the login entry lives: a folder on Linux and macOS (the tests' own), the registry on
/// Windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The autostart folder (Linux) or LaunchAgents folder (macOS); unused on Windows.
    pub dir: PathBuf,
    /// The command that starts Tidings.
    pub program: Vec<String>,
}

impl Place {
    /// The user's own place, for the program that runs now; None without a home folder.
    pub fn user() -> Option<Place> {
        let base = directories::BaseDirs::new()?;
        let dir = if cfg!(target_os = "macos") {
            base.home_dir().join("Library").join("LaunchAgents")
        } else {
            base.config_dir().join("autostart")
        };
        Some(Place {
            dir,
            program: this_program()?,
        })
    }
}

/// The command that starts this installation of Tidings.
fn this_program() -> Option<Vec<String>> {
    if let Some(id) = std::env::var_os("FLATPAK_ID") {
        return Some(vec![
            "flatpak".into(),
            "run".into(),
            id.to_string_lossy().into_owned(),
        ]);
    }
    // An AppImage runs from a temporary mount: the file itself is what starts again.
    let exe = match std::env::var_os("APPIMAGE") {
        Some(image) => PathBuf::from(image),
        None => std::env::current_exe().ok()?,
    };
    Some(vec![exe.to_string_lossy().into_owned()])
}

/// The autostart file's name (Linux) or launch agent's (macOS).
#[cfg(not(windows))]
fn entry_file(place: &Place) -> PathBuf {
    if cfg!(target_os = "macos") {
        place.dir.join("org.tidings.Tidings.plist")
    } else {
        place.dir.join(super::default_app::DESKTOP_ID)
    }
}

/// Whether Tidings starts at login.
#[cfg(not(windows))]
pub fn is_enabled(place: &Place) -> bool {
    let Ok(text) = std::fs::read_to_string(entry_file(place)) else {
        return false;
    };
    // A desktop may switch an entry off in place rather than delete it.
    !text.lines().any(|l| {
        let l = l.replace(' ', "");
        l == "Hidden=true" || l == "X-GNOME-Autostart-enabled=false"
    })
}

/// Starts Tidings at login (`on`), or no longer.
#[cfg(not(windows))]
pub fn set(place: &Place, on: bool) -> Result<(), String> {
    let file = entry_file(place);
    if !on {
        return match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("{}: {e}", file.display()))
            }
            _ => Ok(()),
        };
    }
    std::fs::create_dir_all(&place.dir).map_err(|e| format!("{}: {e}", place.dir.display()))?;
    let text = if cfg!(target_os = "macos") {
        launch_agent(&place.program)
    } else {
        desktop_entry(&place.program)
    };
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &file))
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// An XDG autostart entry running `program --background`.
pub fn desktop_entry(program: &[String]) -> String {
    let exec: Vec<String> = program
        .iter()
        .map(String::as_str)
        .chain([BACKGROUND])
        .map(exec_quoted)
        .collect();
    format!(
        "[Desktop Entry]\nType=Application\nName=Tidings\nComment=Mail in the background\n\
         Icon=org.tidings.Tidings\nExec={}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
        exec.join(" ")
    )
}

/// One argument of a desktop entry's Exec line: quoted when it must be, with the characters
/// the specification reserves escaped inside the quotes (and `%` doubled, field codes aside).
fn exec_quoted(arg: &str) -> String {
    let arg = arg.replace('%', "%%");
    let plain = !arg.is_empty()
        && !arg.chars().any(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\''
                        | '\\'
                        | '>'
                        | '<'
                        | '~'
                        | '|'
                        | '&'
                        | ';'
                        | '$'
                        | '*'
                        | '?'
                        | '#'
                        | '('
                        | ')'
                        | '`'
                )
        });
    if plain {
        return arg;
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            // The key-file format reads one backslash away, the Exec rules the other.
            out.push_str("\\\\");
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A macOS launch agent running `program --background` at login.
pub fn launch_agent(program: &[String]) -> String {
    let xml = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let args: String = program
        .iter()
        .map(String::as_str)
        .chain([BACKGROUND])
        .map(|a| format!("        <string>{}</string>\n", xml(a)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \
         \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n<dict>\n    <key>Label</key>\n    \
         <string>org.tidings.Tidings</string>\n    <key>ProgramArguments</key>\n    <array>\n\
         {args}    </array>\n    <key>RunAtLoad</key>\n    <true/>\n</dict>\n</plist>\n"
    )
}

/// The Run key's value for Tidings.
#[cfg(windows)]
const RUN_KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";

/// Whether Tidings starts at login (its value under the Run key).
#[cfg(windows)]
pub fn is_enabled(_place: &Place) -> bool {
    std::process::Command::new("reg")
        .args(["query", RUN_KEY, "/v", "Tidings"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Starts Tidings at login (`on`), or no longer.
#[cfg(windows)]
pub fn set(place: &Place, on: bool) -> Result<(), String> {
    let mut reg = std::process::Command::new("reg");
    if on {
        let command: Vec<String> = place
            .program
            .iter()
            .map(|a| format!("\"{a}\""))
            .chain([BACKGROUND.to_owned()])
            .collect();
        reg.args(["add", RUN_KEY, "/v", "Tidings", "/t", "REG_SZ", "/f", "/d"])
            .arg(command.join(" "));
    } else {
        if !is_enabled(place) {
            return Ok(());
        }
        reg.args(["delete", RUN_KEY, "/v", "Tidings", "/f"]);
    }
    let out = reg.output().map_err(|e| format!("reg: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exec_line_quotes_what_the_desktop_entry_rules_reserve() {
        let entry = desktop_entry(&["/opt/My Apps/tidings".into()]);
        assert!(
            entry.contains("\nExec=\"/opt/My Apps/tidings\" --background\n"),
            "{entry}"
        );
        let entry = desktop_entry(&["/home/a$b/100%/tidings".into()]);
        assert!(
            entry.contains("\nExec=\"/home/a\\\\$b/100%%/tidings\" --background\n"),
            "{entry}"
        );
        let entry = desktop_entry(&["flatpak".into(), "run".into(), "org.tidings.Tidings".into()]);
        assert!(entry.contains("\nExec=flatpak run org.tidings.Tidings --background\n"));
    }

    #[test]
    fn the_launch_agent_runs_at_load_with_the_arguments_escaped() {
        let agent = launch_agent(&["/Applications/R&D/Tidings.app/Contents/MacOS/tidings".into()]);
        assert!(
            agent.contains(
                "<string>/Applications/R&amp;D/Tidings.app/Contents/MacOS/tidings</string>"
            )
        );
        assert!(agent.contains("<string>--background</string>"));
        assert!(agent.contains("<key>RunAtLoad</key>\n    <true/>"));
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn switching_on_and_off_writes_and_removes_the_autostart_entry() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let place = Place {
            dir: dir.path().join("autostart"),
            program: vec!["/usr/bin/tidings".into()],
        };
        assert!(!is_enabled(&place));
        set(&place, true)?;
        assert!(is_enabled(&place));
        let file = place.dir.join("org.tidings.Tidings.desktop");
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        assert!(text.contains("Exec=/usr/bin/tidings --background"));
        // Switched off by the desktop's own settings, in place.
        std::fs::write(&file, text.replace("enabled=true", "enabled=false"))
            .map_err(|e| e.to_string())?;
        assert!(!is_enabled(&place));
        set(&place, false)?;
        assert!(!file.exists());
        // Off twice is still off, not an error.
        set(&place, false)
    }
}
