//! The Rust this project's release build was written for, checked before anything is installed.
//!
//! The size options of the release WASM (`build::smallest_wasm`) are unstable: another Rust may
//! rename or refuse them deep in a half-hour build. So `install` (run first by build, serve, test
//! and bench) asks the `rustc` that cargo would use (`$RUSTC`, else `rustc` on PATH, which follows
//! rustup's toolchain file, overrides and `RUSTUP_TOOLCHAIN`) for its version, and stops at once
//! with a sentence if it is not the one.
use std::process::Command;

use anyhow::{bail, Context};

use crate::build::STABLE_WASM_VAR;
use crate::root;

/// The Rust the unstable size options were written and measured with (also in rust-toolchain.toml).
pub const SIZE_OPTIONS_RUST: &str = "1.95.0";

/// A `rustc --version` line, read.
#[derive(Debug, PartialEq, Eq)]
pub struct RustVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// `nightly`, `beta.3`, `dev`: not a stable release.
    pub pre: Option<String>,
}

impl RustVersion {
    /// Reads `rustc 1.95.0 (59807616e 2026-04-14)`, `rustc 1.96.0-nightly (…)` or a bare `1.89`.
    pub fn parse(text: &str) -> Option<RustVersion> {
        let text = text.trim();
        let version = text.strip_prefix("rustc ").unwrap_or(text).split_whitespace().next()?;
        let (numbers, pre) = match version.split_once('-') {
            Some((numbers, pre)) => (numbers, Some(pre.to_owned())),
            None => (version, None),
        };
        let mut parts = numbers.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            Some(patch) => patch.parse().ok()?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(RustVersion { major, minor, patch, pre })
    }

    /// The size options need this release: the same minor version (patch releases only fix
    /// regressions), stable (a nightly or beta of it has other unstable features).
    fn runs_size_options_of(&self, wanted: &RustVersion) -> bool {
        self.pre.is_none() && (self.major, self.minor) == (wanted.major, wanted.minor)
    }

    /// At least `minimum` (a pre-release of `minimum` itself counts as older).
    fn at_least(&self, minimum: &RustVersion) -> bool {
        let own = (self.major, self.minor, self.patch);
        let min = (minimum.major, minimum.minor, minimum.patch);
        own > min || (own == min && self.pre.is_none())
    }
}

/// What is wrong with `found` (a `rustc --version` line), or None when it can build the app:
/// exactly the size options' Rust, or with `stable_wasm` any Rust at least `rust_version`.
pub fn problem(found: &str, stable_wasm: bool, rust_version: &str) -> Option<String> {
    let wanted = RustVersion::parse(SIZE_OPTIONS_RUST).expect("a valid version");
    let minimum = RustVersion::parse(rust_version).expect("a valid rust-version");
    let Some(version) = RustVersion::parse(found) else {
        return Some(format!("cannot read the Rust version from `{found}`"));
    };
    let stable_hint = format!(
        "`{STABLE_WASM_VAR}=1` builds without the size options on any Rust from {rust_version} (the workspace's rust-version); \
         the first visit is then over its gzipped budget and `cargo xtask test` reports that step as failed"
    );
    if stable_wasm {
        return (!version.at_least(&minimum))
            .then(|| format!("this is {found}, but HocSo needs Rust {rust_version} or newer (the workspace's rust-version)"));
    }
    (!version.runs_size_options_of(&wanted)).then(|| {
        format!(
            "this is {found}, but the release build's unstable size options were written for Rust {SIZE_OPTIONS_RUST} \
             and another Rust may refuse them: use Rust {SIZE_OPTIONS_RUST} (rust-toolchain.toml asks rustup for it: \
             `rustup toolchain install {SIZE_OPTIONS_RUST}`; a RUSTC, RUSTUP_TOOLCHAIN, `cargo +…` or `rustup override` \
             choosing another Rust wins over that file), or {stable_hint}"
        )
    })
}

/// The workspace's `rust-version` (root Cargo.toml, `[workspace.package]`).
pub fn workspace_rust_version() -> anyhow::Result<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).context("reading Cargo.toml")?;
    rust_version_of(&manifest).context("Cargo.toml has no rust-version")
}

fn rust_version_of(manifest: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let value = line.trim().strip_prefix("rust-version")?.trim_start().strip_prefix('=')?;
        Some(value.trim().trim_matches('"').to_owned())
    })
}

/// Fails with a sentence unless the `rustc` cargo would use can build the app (see `problem`).
pub fn check_rust() -> anyhow::Result<()> {
    let rustc = crate::install::rustc();
    let output = Command::new(&rustc).arg("--version").output().with_context(|| format!("cannot run `{rustc} --version`"))?;
    if !output.status.success() {
        bail!("`{rustc} --version` failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    let found = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    match problem(&found, crate::build::stable_wasm_only(), &workspace_rust_version()?) {
        Some(problem) => bail!("{problem}"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rustc_version_lines() {
        let v = |major, minor, patch, pre: Option<&str>| Some(RustVersion { major, minor, patch, pre: pre.map(str::to_owned) });
        assert_eq!(RustVersion::parse("rustc 1.95.0 (59807616e 2026-04-14)"), v(1, 95, 0, None));
        assert_eq!(RustVersion::parse("rustc 1.96.0-nightly (0123abcde 2026-04-20)\n"), v(1, 96, 0, Some("nightly")));
        assert_eq!(RustVersion::parse("rustc 1.95.0-beta.3 (a 2026-03-30)"), v(1, 95, 0, Some("beta.3")));
        assert_eq!(RustVersion::parse("rustc 1.63.0"), v(1, 63, 0, None));
        assert_eq!(RustVersion::parse("1.89"), v(1, 89, 0, None));
        assert_eq!(RustVersion::parse("rustc 1.95.1 (abc 2026-05-01) (Fedora 1.95.1-1.fc42)"), v(1, 95, 1, None));
        assert_eq!(RustVersion::parse("rustc"), None);
        assert_eq!(RustVersion::parse("error: toolchain 'x' is not installed"), None);
    }

    #[test]
    fn the_size_options_need_their_own_stable_rust() {
        assert_eq!(problem("rustc 1.95.0 (59807616e 2026-04-14)", false, "1.89"), None);
        assert_eq!(problem("rustc 1.95.1 (abc 2026-05-01)", false, "1.89"), None);
        for other in ["rustc 1.96.0 (abc 2026-05-28)", "rustc 1.94.1 (abc 2026-03-20)", "rustc 1.95.0-nightly (abc 2026-02-20)"] {
            let problem = problem(other, false, "1.89").expect(other);
            assert!(problem.starts_with(&format!("this is {other}, but")), "{problem}");
            assert!(problem.contains("written for Rust 1.95.0"), "{problem}");
            assert!(problem.contains("HOCSO_STABLE_WASM=1` builds without the size options on any Rust from 1.89"), "{problem}");
        }
    }

    #[test]
    fn stable_wasm_needs_only_the_workspace_rust_version() {
        assert_eq!(problem("rustc 1.96.0 (abc 2026-05-28)", true, "1.89"), None);
        assert_eq!(problem("rustc 1.89.0 (abc 2025-08-07)", true, "1.89"), None);
        assert_eq!(problem("rustc 1.99.0-nightly (abc 2026-09-01)", true, "1.89"), None);
        let old = problem("rustc 1.88.0 (abc 2025-06-26)", true, "1.89").unwrap();
        assert_eq!(old, "this is rustc 1.88.0 (abc 2025-06-26), but HocSo needs Rust 1.89 or newer (the workspace's rust-version)");
        assert!(problem("rustc 1.89.0-beta.1 (abc 2025-07-01)", true, "1.89").is_some());
    }

    #[test]
    fn an_unreadable_version_is_a_problem() {
        assert_eq!(problem("something else", false, "1.89").unwrap(), "cannot read the Rust version from `something else`");
    }

    #[test]
    fn reads_the_workspace_rust_version() {
        assert_eq!(rust_version_of("[workspace.package]\nedition = \"2021\"\nrust-version = \"1.89\"\n").as_deref(), Some("1.89"));
        assert_eq!(rust_version_of("[package]\nname = \"x\"\n"), None);
        assert!(RustVersion::parse(&workspace_rust_version().unwrap()).is_some());
    }
}
