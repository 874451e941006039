//! `cargo xtask test`: every test of the project, in order, with one summary at the end.
//!
//! 1. native tests of every crate (core, server, xtask), the server's on SQLite, then the server's
//!    again on PostgreSQL: a throw-away cluster that xtask starts (`postgres`);
//! 2. the app's `wasm-bindgen-test` tests in headless Chromium (IndexedDB, localStorage: the real ones);
//! 3. a release build of the app and the server;
//! 4. the end-to-end suite in `tests/` (Playwright, real Chromium, a freshly started `hocso serve`).
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context;

use crate::install::{tool_path, CHROMEDRIVER, CHROMIUM};
use crate::root;
use crate::run::describe;

#[derive(Default)]
struct Counts {
    passed: u64,
    failed: u64,
}

impl Counts {
    /// Reads cargo's `test result: ok. 5 passed; 0 failed; …` and Playwright's `  5 passed (3.2s)`.
    fn scan(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result:") {
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(number)) = (words.next(), words.next()) else { continue };
                let number = number.trim_start_matches("ok.").trim_start_matches("FAILED.");
                if let Ok(n) = number.parse::<u64>() {
                    match label {
                        "passed" => self.passed += n,
                        "failed" => self.failed += n,
                        _ => {}
                    }
                }
            }
        } else {
            let mut words = line.split_whitespace();
            if let (Some(number), Some(label)) = (words.next(), words.next()) {
                if let Ok(n) = number.parse::<u64>() {
                    match label {
                        "passed" => self.passed += n,
                        "failed" | "flaky" => self.failed += n,
                        _ => {}
                    }
                }
            }
        }
    }
}

/// Runs a step, echoing its output while counting test results.
fn step(command: &mut Command, counts: &mut Counts) -> anyhow::Result<bool> {
    eprintln!("$ {}", describe(command));
    let mut child = command.stdout(Stdio::piped()).spawn().with_context(|| format!("cannot start `{}`", describe(command)))?;
    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap_or_default();
        println!("{line}");
        counts.scan(&line);
    }
    Ok(child.wait()?.success())
}

/// `cargo fmt --check` and clippy with warnings as errors: natively for core, server and xtask, and
/// for the app on its real target (wasm32), both builds (learner and team tools). Each command that
/// passes counts as one passed check.
fn style_checks(root: &std::path::Path) -> (anyhow::Result<bool>, Counts) {
    let wasm = ["clippy", "--package", "hocso-app", "--target", "wasm32-unknown-unknown", "--all-targets"];
    let checks: [Vec<&str>; 4] = [
        vec!["fmt", "--all", "--check"],
        vec!["clippy", "--workspace", "--exclude", "hocso-app", "--all-targets", "--", "-D", "warnings"],
        [&wasm[..], &["--", "-D", "warnings"]].concat(),
        [&wasm[..], &["--features", "team", "--", "-D", "warnings"]].concat(),
    ];
    let mut counts = Counts::default();
    for args in checks {
        match crate::run::run(Command::new("cargo").args(args).current_dir(root)) {
            Ok(()) => counts.passed += 1,
            Err(error) => {
                eprintln!("xtask: {error:#}");
                counts.failed += 1;
            }
        }
    }
    (Ok(counts.failed == 0), counts)
}

/// The server's tests (unit and integration: sync API, faults, dashboards, command line…) with
/// `HOCSO_TEST_DATABASE_URL` set: each test gets a PostgreSQL database of its own in a cluster
/// started for this run and stopped after it (tests about SQLite's file say so and skip).
fn server_tests_on_postgres(root: &std::path::Path, counts: &mut Counts) -> anyhow::Result<bool> {
    let cluster = crate::postgres::Cluster::start("postgres-test", false)?;
    step(
        Command::new("cargo")
            .args(["test", "--package", "hocso-server", "--no-fail-fast"])
            .current_dir(root)
            .env("HOCSO_TEST_DATABASE_URL", cluster.url())
            .env("HOCSO_SECRET_FILE", cluster.secret_file()),
        counts,
    )
}

/// `cargo xtask test --server`: the server's tests only, on SQLite then on PostgreSQL (what to run
/// after changing the store or the API, in a few minutes instead of the whole suite's half hour).
pub fn server_on_both_stores() -> anyhow::Result<()> {
    let root = root();
    let mut sqlite = Counts::default();
    let on_sqlite = step(Command::new("cargo").args(["test", "--package", "hocso-server", "--no-fail-fast"]).current_dir(&root), &mut sqlite)?;
    let mut postgres = Counts::default();
    let on_postgres = server_tests_on_postgres(&root, &mut postgres);
    println!("\n== cargo xtask test --server: summary ==");
    println!("{:>6}  server tests on SQLite      {:>4} passed {:>3} failed", if on_sqlite { "ok" } else { "FAILED" }, sqlite.passed, sqlite.failed);
    let status = match &on_postgres {
        Ok(true) => "ok".to_owned(),
        Ok(false) => "FAILED".to_owned(),
        Err(error) => format!("ERROR ({error:#})"),
    };
    println!("{status:>6}  server tests on PostgreSQL  {:>4} passed {:>3} failed", postgres.passed, postgres.failed);
    if !on_sqlite || !matches!(on_postgres, Ok(true)) {
        anyhow::bail!("some server tests failed (see above)");
    }
    Ok(())
}

pub fn test() -> anyhow::Result<()> {
    let root = root();
    let started = Instant::now();
    crate::install::install(true)?;
    let mut results: Vec<(&str, Result<bool, String>, f64, Counts)> = Vec::new();
    let mut record = |name, outcome: anyhow::Result<bool>, since: Instant, counts| {
        let outcome = outcome.map_err(|e| format!("{e:#}"));
        let ok = matches!(outcome, Ok(true));
        results.push((name, outcome, since.elapsed().as_secs_f64(), counts));
        ok
    };

    let since = Instant::now();
    let (outcome, counts) = style_checks(&root);
    record("style (rustfmt, clippy -D warnings)", outcome, since, counts);

    let since = Instant::now();
    let mut counts = Counts::default();
    let outcome = step(Command::new("cargo").args(["test", "--workspace", "--exclude", "hocso-app"]).current_dir(&root), &mut counts);
    record("native tests (core, server, xtask)", outcome, since, counts);

    // The app built into `hocso` (feature `embed-app`), with the small test app: no release build needed.
    let since = Instant::now();
    let mut counts = Counts::default();
    let outcome = step(
        Command::new("cargo")
            .args(["test", "--package", "hocso-server", "--features", "embed-app", "--test", "serve_embedded"])
            .env("HOCSO_EMBED_DIST", "server/tests/fixtures/dist")
            .current_dir(&root),
        &mut counts,
    );
    record("server with the app built in", outcome, since, counts);

    let since = Instant::now();
    let mut counts = Counts::default();
    let outcome = server_tests_on_postgres(&root, &mut counts);
    record("server tests on PostgreSQL", outcome, since, counts);

    let since = Instant::now();
    let mut counts = Counts::default();
    let outcome = step(
        Command::new("cargo")
            .args(["test", "--package", "hocso-app", "--target", "wasm32-unknown-unknown"])
            .current_dir(root.join("app"))
            .env("PATH", tool_path())
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            // The sync fault test runs for about a minute on a busy 2-core machine.
            .env("WASM_BINDGEN_TEST_TIMEOUT", "600"),
        &mut counts,
    );
    record("wasm tests in headless Chromium", outcome, since, counts);

    let since = Instant::now();
    let first_visit = crate::build::build();
    let budget = first_visit.as_ref().ok().map(|sizes| sizes.gzip <= crate::size_report::BUDGET_GZIPPED);
    let built = record("release build (app + server)", first_visit.map(|_| true), since, Counts::default());
    if let Some(within) = budget {
        let counts = Counts { passed: u64::from(within), failed: u64::from(!within) };
        record("first visit within its gzipped budget", Ok(within), Instant::now(), counts);
    }

    if built {
        let since = Instant::now();
        let mut counts = Counts::default();
        let outcome = step(
            Command::new("npx")
                .args(["playwright", "test"])
                .current_dir(root.join("tests"))
                .env("HOCSO_BIN", root.join("target/release/hocso"))
                .env("HOCSO_DIST", root.join("dist"))
                .env("CHROMIUM", CHROMIUM),
            &mut counts,
        );
        record("end-to-end (Playwright, Chromium)", outcome, since, counts);
    }

    println!("\n== cargo xtask test: summary ({:.0} s) ==", started.elapsed().as_secs_f64());
    let (mut passed, mut failed, mut all_ok) = (0, 0, built);
    for (name, outcome, seconds, counts) in &results {
        let status = match outcome {
            Ok(true) => "ok",
            Ok(false) => "FAILED",
            Err(_) => "ERROR",
        };
        all_ok &= matches!(outcome, Ok(true));
        passed += counts.passed;
        failed += counts.failed;
        println!("{status:>6}  {name:<40} {:>4} passed {:>3} failed  {seconds:>6.1} s", counts.passed, counts.failed);
        // Below its row, so the table stays readable.
        if let Err(e) = outcome {
            println!("        {e}");
        }
    }
    if !built {
        println!("  SKIP  end-to-end: the build failed");
    }
    println!("{passed} passed, {failed} failed");
    if !all_ok {
        anyhow::bail!("some steps failed (see the summary above)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn counts_cargo_and_playwright_result_lines() {
        let mut counts = Counts::default();
        for line in [
            "test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            "test result: FAILED. 2 passed; 1 failed; 0 ignored",
            "  5 passed (12.4s)",
            "  1 failed",
            "running 7 tests",
        ] {
            counts.scan(line);
        }
        assert_eq!((counts.passed, counts.failed), (14, 2));
    }
}
