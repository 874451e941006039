//! `cargo xtask test --fresh`: `cargo xtask test` as a new machine runs it.
//!
//! Clones the committed HEAD into a temporary directory and runs `cargo xtask test` there with a
//! new, empty `CARGO_HOME`: no registry cache, no target/, so every crate is downloaded and every
//! offline step has to find what `install` fetched. Only `bin/` of that CARGO_HOME is a symlink to
//! the real one, so trunk and wasm-bindgen-cli (half an hour of compiling) are reused, and
//! installed there once if missing. CI runs this (`.ci/run`).
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::root;
use crate::run::{describe, run};

/// The line `cargo xtask test` starts its summary with.
const SUMMARY_START: &str = "== cargo xtask test: summary";

pub fn test_fresh() -> anyhow::Result<()> {
    // The clone would stop at the same check, after minutes of downloading and compiling xtask.
    crate::toolchain::check_rust()?;
    let root = root();
    let head = git_output(&root, &["rev-parse", "HEAD"])?;
    let changes = git_output(&root, &["status", "--porcelain"])?;
    if !changes.is_empty() {
        eprintln!("xtask: WARNING: uncommitted changes are not in the clone, which tests the commit {head}:\n{changes}");
    }

    let temp = tempfile::Builder::new().prefix("hocso-fresh-").tempdir().context("creating a temporary directory")?;
    let clone = temp.path().join("hocso");
    let cargo_home = temp.path().join("cargo-home");
    let real_bin = crate::install::cargo_bin();
    let prepared = prepare(&root, &head, &clone, &cargo_home, &real_bin);
    if let Err(error) = prepared {
        return Err(error.context(format!("preparing the fresh clone failed; kept in {}", temp.keep().display())));
    }
    eprintln!(
        "xtask: testing {head} as a new machine would: a clone in {}, CARGO_HOME={} (empty; bin/ -> {}); \
         cargo first downloads and compiles xtask there, quietly (5 to 10 min on 2 cores)",
        clone.display(),
        cargo_home.display(),
        real_bin.display()
    );

    let started = Instant::now();
    let mut inner = Command::new("cargo");
    inner.args(["xtask", "test"]).current_dir(&clone).env("CARGO_HOME", &cargo_home);
    // Its own target/ inside the clone, and the toolchain chosen as a new shell there would choose.
    inner.env_remove("CARGO_TARGET_DIR").env_remove("CARGO_BUILD_TARGET_DIR");
    if std::env::var("RUSTUP_TOOLCHAIN_SOURCE").is_ok_and(|source| source != "env" && source != "cli") {
        inner.env_remove("RUSTUP_TOOLCHAIN").env_remove("RUSTUP_TOOLCHAIN_SOURCE");
    }
    let (passed, output) = run_echoing_stdout(&mut inner)?;
    let took = started.elapsed();

    println!("\n== cargo xtask test --fresh: {} in {}, {} ==", if passed { "passed" } else { "FAILED" }, clone.display(), minutes(took));
    match summary_of(&output) {
        Some(summary) => print!("{summary}"),
        None => println!("(no summary: the run stopped before its tests; its output is above)"),
    }
    if passed {
        let dir = temp.path().to_owned();
        temp.close().with_context(|| format!("removing {}", dir.display()))?;
        println!("(removed {})", dir.display());
        Ok(())
    } else {
        bail!("the fresh run failed; its clone and CARGO_HOME are kept in {}", temp.keep().display())
    }
}

/// The clone of `head` in `clone`, and an empty `cargo_home` whose bin/ is `real_bin`.
fn prepare(root: &Path, head: &str, clone: &Path, cargo_home: &Path, real_bin: &Path) -> anyhow::Result<()> {
    run(Command::new("git").args(["clone", "--quiet", "--no-checkout"]).arg(root).arg(clone))?;
    // A detached HEAD's commit may be on no branch, so not in the clone yet.
    let cloned = Command::new("git").args(["cat-file", "-e", &format!("{head}^{{commit}}")]).current_dir(clone).stderr(Stdio::null()).status()?;
    if !cloned.success() {
        run(Command::new("git").args(["fetch", "--quiet"]).arg(root).arg(head).current_dir(clone))?;
    }
    run(Command::new("git").args(["checkout", "--quiet", "--detach", head]).current_dir(clone))?;
    std::fs::create_dir_all(real_bin).with_context(|| format!("creating {}", real_bin.display()))?;
    std::fs::create_dir_all(cargo_home)?;
    std::os::unix::fs::symlink(real_bin, cargo_home.join("bin")).context("linking the fresh CARGO_HOME's bin/")?;
    Ok(())
}

fn git_output(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git").args(args).current_dir(dir).output().context("cannot run git")?;
    if !output.status.success() {
        bail!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim_end().to_owned())
}

/// Runs `command` with its stdout echoed line by line and kept (its stderr goes straight through).
fn run_echoing_stdout(command: &mut Command) -> anyhow::Result<(bool, String)> {
    eprintln!("$ {}", describe(command));
    let mut child = command.stdout(Stdio::piped()).spawn().with_context(|| format!("cannot start `{}`", describe(command)))?;
    let mut output = String::new();
    let mut reader = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
        let text = String::from_utf8_lossy(&line);
        print!("{text}");
        output.push_str(&text);
        line.clear();
    }
    Ok((child.wait()?.success(), output))
}

/// The summary `cargo xtask test` printed last, from its heading to the end.
fn summary_of(output: &str) -> Option<&str> {
    output.rfind(SUMMARY_START).map(|start| &output[start..])
}

fn minutes(took: Duration) -> String {
    let seconds = took.as_secs();
    format!("{} min {:02} s", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_the_last_one_to_the_end() {
        let output = "running 3 tests\n== cargo xtask test: summary (9 s) ==\n    ok  native\n== cargo xtask test: summary (1585 s) ==\n    ok  \
                      native tests\n  SKIP  end-to-end: the build failed\n120 passed, 0 failed\n";
        assert_eq!(
            summary_of(output),
            Some("== cargo xtask test: summary (1585 s) ==\n    ok  native tests\n  SKIP  end-to-end: the build failed\n120 passed, 0 failed\n")
        );
        assert_eq!(summary_of("error: could not compile `xtask`\n"), None);
    }

    #[test]
    fn prepare_clones_head_with_an_empty_cargo_home_sharing_bin() {
        let temp = tempfile::tempdir().unwrap();
        let (clone, cargo_home, bin) = (temp.path().join("clone"), temp.path().join("cargo-home"), temp.path().join("real-bin"));
        let head = git_output(&root(), &["rev-parse", "HEAD"]).unwrap();
        prepare(&root(), &head, &clone, &cargo_home, &bin).unwrap();
        assert_eq!(git_output(&clone, &["rev-parse", "HEAD"]).unwrap(), head);
        assert!(clone.join("xtask/src/main.rs").is_file());
        assert_eq!(std::fs::read_link(cargo_home.join("bin")).unwrap(), bin);
        assert_eq!(std::fs::read_dir(&cargo_home).unwrap().count(), 1, "only bin/ in the fresh CARGO_HOME");
    }

    #[test]
    fn durations_read_in_minutes() {
        assert_eq!(minutes(Duration::from_secs(1642)), "27 min 22 s");
        assert_eq!(minutes(Duration::from_millis(59_900)), "0 min 59 s");
    }
}
