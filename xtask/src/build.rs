//! `cargo xtask build` and `serve`: the release app in `dist/`, then the server.
use std::process::Command;

use anyhow::Context;

use crate::install::tool_path;
use crate::root;
use crate::run::run;

pub fn build() -> anyhow::Result<()> {
    let root = root();
    run(Command::new("trunk").args(["build", "--release"]).current_dir(&root).env("PATH", tool_path()))?;
    let dist = root.join("dist");
    let version = crate::service_worker::generate(&dist)?;
    eprintln!("xtask: service worker version {version}");
    run(Command::new("cargo").args(["build", "--release", "--package", "hocso-server"]).current_dir(&root))?;
    Ok(())
}

/// Runs the built server; `args` may set `--addr` and `--port`.
pub fn serve(args: &[String]) -> anyhow::Result<()> {
    let root = root();
    let binary = root.join("target/release/hocso");
    let mut command = Command::new(&binary);
    command.arg("serve").arg("--dist").arg(root.join("dist")).args(args).current_dir(&root);
    run(&mut command).with_context(|| format!("running {}", binary.display()))
}
