//! Running commands with a readable echo and a clear error.
use std::process::Command;

use anyhow::{bail, Context};

/// Runs `command`, echoing it first; fails if it exits non-zero.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    eprintln!("$ {}", describe(command));
    let status = command.status().with_context(|| format!("cannot start `{}`", describe(command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(command));
    }
    Ok(())
}

/// The first line `command` prints, or None if it cannot run (tool missing).
pub fn output_line(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout).lines().next().map(|l| l.trim().to_owned())
}

pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program()).chain(command.get_args()).map(|s| s.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
}
