//! What test and CI runs leave on the machine: a killed run's work directories are swept by
//! the next, and CI's clean clone takes its build directory with it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::harness::{Result, sweep_stale};

/// Makes `dir` look untouched for `age`.
fn age(dir: &Path, age: Duration) -> Result<()> {
    let then = SystemTime::now() - age;
    std::fs::File::open(dir)?.set_modified(then)?;
    Ok(())
}

#[test]
fn a_killed_runs_work_directories_are_swept_and_live_ones_kept() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let old = tmp.path().join("tidings-mail-old");
    let live = tmp.path().join("tidings-mail-live");
    let interop = tmp.path().join("tidings-interop");
    let other = tmp.path().join("someone-elses");
    for d in [&old, &live, &interop, &other] {
        std::fs::create_dir(d)?;
        std::fs::write(d.join("f"), b"x")?;
    }
    for d in [&old, &interop, &other] {
        age(d, Duration::from_secs(3 * 3600))?;
    }
    let removed = sweep_stale(tmp.path(), Duration::from_secs(2 * 3600));
    assert_eq!(removed, vec![old.clone()]);
    assert!(!old.exists());
    assert!(live.exists() && interop.exists() && other.exists());
    Ok(())
}

/// Runs a copy of `.ci/run` whose `cargo` builds a `target/` and fails, as a broken build does.
fn ci_run(env: &[(&str, &str)]) -> Result<bool> {
    let clone = tempfile::tempdir()?;
    let ci = clone.path().join(".ci");
    std::fs::create_dir(&ci)?;
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run"),
        ci.join("run"),
    )?;
    let bin = clone.path().join("bin");
    std::fs::create_dir(&bin)?;
    let cargo = bin.join("cargo");
    std::fs::write(
        &cargo,
        "#!/bin/sh\nmkdir -p target/debug && echo built > target/debug/app\nexit 1\n",
    )?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755))?;
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(ci.join("run"))
        .env("PATH", path)
        .env_remove("CI")
        .env_remove("CARGO_TARGET_DIR")
        .envs(env.iter().copied())
        .output()?;
    assert!(
        !out.status.success(),
        "the stub build fails, so must the run"
    );
    Ok(clone.path().join("target/debug/app").exists())
}

#[test]
fn ci_removes_the_clones_build_directory_pass_or_fail() -> Result<()> {
    assert!(!ci_run(&[("CI", "true")])?, "CI left target/ behind");
    // A developer's own run keeps its incremental build, and a target elsewhere is not ours.
    assert!(ci_run(&[])?);
    assert!(ci_run(&[
        ("CI", "true"),
        ("CARGO_TARGET_DIR", "/nonexistent-target")
    ])?);
    Ok(())
}
