//! Embeds the icon and the version resource (from Cargo.toml) in the Windows executables, so
//! Explorer, the taskbar and "Apps & features" show Tidings' icon, name and version. Nothing
//! to do for other systems.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=resources/icons/tidings.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows::embed()?;
    }
    Ok(())
}

#[cfg(windows)]
mod windows {
    /// The resource script winresource writes and the SDK's rc.exe compiles into the link.
    pub fn embed() -> Result<(), Box<dyn std::error::Error>> {
        let mut res = winresource::WindowsResource::new();
        res.set_icon("resources/icons/tidings.ico")
            .set("ProductName", "Tidings")
            .set("FileDescription", "Tidings mail client")
            .set("CompanyName", "The Tidings developers")
            .set("LegalCopyright", "GPL-3.0-or-later");
        res.compile()
            .map_err(|e| format!("embedding the Windows icon and version resource: {e}"))?;
        Ok(())
    }
}

// Cross-building for Windows from another system has no rc.exe: say so instead of shipping an
// executable without its icon and version.
#[cfg(not(windows))]
mod windows {
    pub fn embed() -> Result<(), Box<dyn std::error::Error>> {
        Err("the Windows icon and version resource are embedded by building on Windows".into())
    }
}
