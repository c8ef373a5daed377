//! Whether Tidings is the desktop's default mail program, and making it so. Linux asks
//! `xdg-mime` (xdg-utils), which reads and writes the user's `mimeapps.list` the way every
//! desktop does, for mailto: links and message files both. Windows no longer lets a program
//! make itself the default: it reads the user's choice for mailto: and opens the Default Apps
//! page for Tidings. macOS keeps the choice in Mail's settings, which are named.

use std::process::Command;

/// The desktop file (Linux) every package installs.
pub const DESKTOP_ID: &str = "org.tidings.Tidings.desktop";

/// What the desktop opens mail with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Tidings, for links and message files.
    Default,
    /// Another program (its name when known), or none.
    Other(String),
    /// It cannot be told here (the tool to ask is missing): the reason.
    Unknown(String),
}

/// What "Make default" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    /// Done: check again to see it.
    Done,
    /// The system's settings page was opened for the user to choose Tidings.
    SettingsOpened,
    /// The user must choose in another program's settings (macOS: Mail → Settings → General).
    ChooseInMail,
}

/// The MIME types Tidings handles.
#[cfg(all(unix, not(target_os = "macos")))]
const TYPES: [&str; 2] = ["x-scheme-handler/mailto", "message/rfc822"];

/// Asks the desktop which program opens mailto: links and message files.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn check() -> Standing {
    check_with(&[])
}

/// `xdg-mime` with these variables set (the tests' own XDG directories).
#[cfg(all(unix, not(target_os = "macos")))]
fn xdg_mime(env: &[(&str, &std::path::Path)]) -> Command {
    let mut command = Command::new("xdg-mime");
    command.envs(env.iter().copied());
    command
}

/// `check` with the XDG variables given.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn check_with(env: &[(&str, &std::path::Path)]) -> Standing {
    let mut others = Vec::new();
    for kind in TYPES {
        match xdg_mime(env).args(["query", "default", kind]).output() {
            Ok(out) if out.status.success() => {
                let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                if id != DESKTOP_ID {
                    others.push(id);
                }
            }
            Ok(out) => {
                return Standing::Unknown(String::from_utf8_lossy(&out.stderr).trim().to_owned());
            }
            Err(e) => return Standing::Unknown(missing_xdg_utils(e)),
        }
    }
    match others.into_iter().next() {
        None => Standing::Default,
        Some(other) => Standing::Other(other.trim_end_matches(".desktop").to_owned()),
    }
}

/// Makes Tidings the default for mailto: links and message files.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn make_default() -> Result<Made, String> {
    make_default_with(&[])
}

/// `make_default` with the XDG variables given.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn make_default_with(env: &[(&str, &std::path::Path)]) -> Result<Made, String> {
    let out = xdg_mime(env)
        .arg("default")
        .arg(DESKTOP_ID)
        .args(TYPES)
        .output()
        .map_err(missing_xdg_utils)?;
    if out.status.success() {
        Ok(Made::Done)
    } else {
        Err(format!(
            "xdg-mime default: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn missing_xdg_utils(e: std::io::Error) -> String {
    format!("xdg-mime could not run ({e}); install xdg-utils")
}

/// Reads the user's choice for mailto: links (the ProgId Windows keeps in UserChoice).
#[cfg(windows)]
pub fn check() -> Standing {
    let key =
        r"HKCU\Software\Microsoft\Windows\Shell\Associations\UrlAssociations\mailto\UserChoice";
    match Command::new("reg")
        .args(["query", key, "/v", "ProgId"])
        .output()
    {
        Ok(out) if out.status.success() => {
            let said = String::from_utf8_lossy(&out.stdout);
            let prog_id = said
                .lines()
                .find_map(|l| l.split("REG_SZ").nth(1))
                .map(str::trim)
                .unwrap_or_default()
                .to_owned();
            if prog_id == "Tidings.mailto" {
                Standing::Default
            } else {
                Standing::Other(prog_id)
            }
        }
        // No choice recorded: Windows asks the user on the first link.
        Ok(_) => Standing::Other(String::new()),
        Err(e) => Standing::Unknown(e.to_string()),
    }
}

/// Opens the Default Apps page for Tidings (the installer registered it there).
#[cfg(windows)]
pub fn make_default() -> Result<Made, String> {
    open::that_detached("ms-settings:defaultapps?registeredAppMachine=Tidings")
        .map_err(|e| format!("opening the Default Apps settings: {e}"))?;
    Ok(Made::SettingsOpened)
}

/// Reads Launch Services' handler for mailto: (the bundle id, lower-cased by the system).
#[cfg(target_os = "macos")]
pub fn check() -> Standing {
    match Command::new("defaults")
        .args([
            "read",
            "com.apple.LaunchServices/com.apple.launchservices.secure",
            "LSHandlers",
        ])
        .output()
    {
        Ok(out) if out.status.success() => {
            let said = String::from_utf8_lossy(&out.stdout).to_lowercase();
            // Each handler is a block; the mailto one names its program in the same block.
            let ours = said.split('}').any(|block| {
                block.contains("lshandlerurlscheme = mailto")
                    && block.contains("org.tidings.tidings")
            });
            if ours {
                Standing::Default
            } else {
                Standing::Other(String::new())
            }
        }
        Ok(_) => Standing::Other(String::new()),
        Err(e) => Standing::Unknown(e.to_string()),
    }
}

/// macOS keeps the choice in Mail: the window names where.
#[cfg(target_os = "macos")]
pub fn make_default() -> Result<Made, String> {
    Ok(Made::ChooseInMail)
}
