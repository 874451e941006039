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

/// Runs `command` like `run`, echoing its stdout and stderr line by line as they come, and returns
/// whether it succeeded with everything it printed (both streams), to explain a failure.
pub fn run_captured(command: &mut Command) -> anyhow::Result<(bool, String)> {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;

    /// Forwards `from` to `to` line by line; returns what it forwarded.
    fn forward(from: impl Read, mut to: impl Write) -> String {
        let mut reader = BufReader::new(from);
        let (mut all, mut line) = (String::new(), Vec::new());
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            let _ = to.write_all(&line).and_then(|()| to.flush());
            all.push_str(&String::from_utf8_lossy(&line));
            line.clear();
        }
        all
    }

    eprintln!("$ {}", describe(command));
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().with_context(|| format!("cannot start `{}`", describe(command)))?;
    let (stdout, stderr) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
    let (out, err) = std::thread::scope(|scope| {
        let out = scope.spawn(|| forward(stdout, std::io::stdout()));
        let err = forward(stderr, std::io::stderr());
        (out.join().unwrap_or_default(), err)
    });
    let status = child.wait()?;
    Ok((status.success(), out + &err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_captured_returns_both_streams_and_the_outcome() {
        let (ok, output) = run_captured(Command::new("sh").args(["-c", "echo one; echo two >&2; printf 'three'; exit 3"])).unwrap();
        assert!(!ok);
        assert!(output.contains("one\n") && output.contains("two\n") && output.contains("three"), "{output}");
        assert!(run_captured(&mut Command::new("true")).unwrap().0);
    }
}
