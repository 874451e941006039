//! Installs exactly the tools the build and the tests need, skipping what is already right.
//!
//! Versions are pinned: Trunk 0.21.14 (0.22 needs a newer rustc than ours), wasm-bindgen-cli equal to
//! the `wasm-bindgen` in Cargo.lock (otherwise the generated JS does not match the WASM), wasm-opt
//! from the npm package `binaryen` (Trunk may not download it: the build is offline), esbuild from npm.
//!
//! Trunk runs cargo with `--offline`, so every crate the release build compiles must already be in
//! cargo's cache: the workspace's, and those of the standard library, which the release WASM
//! rebuilds (`build::smallest_wasm`). Both are fetched here, before any offline build.
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context};

use crate::root;
use crate::run::{output_line, run};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_NPM_VERSION: &str = "132.0.0";
pub const ESBUILD_NPM_VERSION: &str = "0.25.12";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Where npm-installed build tools live (wasm-opt): put first on PATH when running Trunk.
pub fn tools_bin() -> PathBuf {
    root().join("target/tools/node_modules/.bin")
}

/// Where `cargo install` puts binaries: `$CARGO_HOME/bin`, by default `~/.cargo/bin`.
pub fn cargo_bin() -> PathBuf {
    std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"))
        .join("bin")
}

/// PATH with cargo's bin dir and our tools first, so Trunk finds the pinned tools.
pub fn tool_path() -> String {
    format!("{}:{}:{}", tools_bin().display(), cargo_bin().display(), std::env::var("PATH").unwrap_or_default())
}

pub fn install(with_test_tools: bool) -> anyhow::Result<()> {
    // First, before a half-hour install: a Rust the size options were not written for stops here.
    crate::toolchain::check_rust()?;
    wasm_target()?;
    if !crate::build::stable_wasm_only() {
        rust_src()?;
        std_dependencies()?;
    }
    workspace_dependencies()?;
    let bindgen = wasm_bindgen_version()?;
    check_trunk_toml(&bindgen)?;
    // The durations are a 2-core machine's, printed so that a first run does not look stuck.
    cargo_tool("trunk", TRUNK_VERSION, "about 14 min", &["install", "--locked", &format!("trunk@{TRUNK_VERSION}")])?;
    // Not --locked: the registry here lacks some of the CLI's locked dependency versions.
    cargo_tool("wasm-bindgen", &bindgen, "4 to 5 min", &["install", &format!("wasm-bindgen-cli@{bindgen}")])?;
    npm_build_tools()?;
    if with_test_tools {
        chromium()?;
        openssl()?;
        npm_test_packages()?;
    }
    Ok(())
}

fn wasm_target() -> anyhow::Result<()> {
    rustup_add_missing("target", "wasm32-unknown-unknown")
}

/// The standard library's source, which the release WASM rebuilds for size (see `build::smallest_wasm`).
fn rust_src() -> anyhow::Result<()> {
    rustup_add_missing("component", "rust-src")
}

/// The crates of the standard library's own lock file (`library/Cargo.lock` of `rust-src`), which
/// `-Zbuild-std` compiles in the release build: in cargo's cache, or Trunk's offline cargo stops
/// with "no matching package named `moto-rt`" on a machine that never downloaded them. `--locked`:
/// the toolchain's lock file is never rewritten.
fn std_dependencies() -> anyhow::Result<()> {
    let sysroot = output_line(Command::new(rustc()).args(["--print", "sysroot"])).context("`rustc --print sysroot` failed")?;
    let manifest = PathBuf::from(sysroot).join("lib/rustlib/src/rust/library/Cargo.toml");
    fetch_unless_cached("the standard library's crates (the size build rebuilds it)", || {
        let mut fetch = Command::new("cargo");
        // The library's manifest uses an unstable cargo feature (profile-rustflags).
        fetch.args(["fetch", "--locked", "--manifest-path"]).arg(&manifest).env("RUSTC_BOOTSTRAP", "1");
        fetch
    })
}

/// The workspace's crates, for every target (the app's wasm32 ones too): `cargo xtask build` on a
/// new machine has compiled only xtask's before Trunk's offline cargo needs the app's.
fn workspace_dependencies() -> anyhow::Result<()> {
    fetch_unless_cached("the workspace's crates", || {
        let mut fetch = Command::new("cargo");
        fetch.args(["fetch", "--locked"]).current_dir(root());
        fetch
    })
}

/// Runs the `cargo fetch` that `fetch` makes with `--offline` first, quietly: a machine that has
/// every crate needs no network. Otherwise runs it online, which downloads what is missing.
fn fetch_unless_cached(what: &str, fetch: impl Fn() -> Command) -> anyhow::Result<()> {
    if fetch().arg("--offline").output().is_ok_and(|o| o.status.success()) {
        return Ok(());
    }
    eprintln!("xtask: downloading {what} into cargo's cache (seconds; Trunk builds offline)");
    run(&mut fetch()).with_context(|| format!("downloading {what} failed: the release build needs them in cargo's cache (it runs offline)"))
}

/// The `rustc` cargo uses (`$RUSTC`, else the one on PATH, which follows rustup's toolchain choice).
pub fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned())
}

/// `rustup <kind> add <name>` unless `rustup <kind> list --installed` already lists it.
fn rustup_add_missing(kind: &str, name: &str) -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args([kind, "list", "--installed"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == name));
    if !installed {
        run(Command::new("rustup").args([kind, "add", name]))?;
    }
    Ok(())
}

/// The `wasm-bindgen` version in Cargo.lock (the CLI must be exactly this one).
pub fn wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen entry")
}

fn check_trunk_toml(bindgen: &str) -> anyhow::Result<()> {
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml")).context("reading Trunk.toml")?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{bindgen}\"")) {
        bail!("Trunk.toml must pin wasm_bindgen = \"{bindgen}\" to match Cargo.lock");
    }
    Ok(())
}

/// Installs a cargo-installed tool unless `<tool> --version` already reports `version`; `takes` is
/// how long compiling it takes on a 2-core machine.
fn cargo_tool(tool: &str, version: &str, takes: &str, install_args: &[&str]) -> anyhow::Result<()> {
    let current = output_line(Command::new(tool).arg("--version").env("PATH", tool_path()));
    if current.as_deref().is_some_and(|v| v.split_whitespace().nth(1) == Some(version)) {
        return Ok(());
    }
    eprintln!(
        "xtask: installing {tool} {version} (found: {}); compiling it takes {takes} on an idle 2-core machine (more when busy), once",
        current.as_deref().unwrap_or("none")
    );
    run(Command::new("cargo").args(install_args))
}

/// The npm build tools, in target/tools: wasm-opt (binaryen) and esbuild, which minifies
/// wasm-bindgen's JS glue (Trunk's own minifier cannot parse it). One `npm install` for both, since
/// a second `--no-save` install into the same prefix would remove the first.
fn npm_build_tools() -> anyhow::Result<()> {
    let major = BINARYEN_NPM_VERSION.split('.').next().unwrap_or_default();
    let wasm_opt = output_line(Command::new(tools_bin().join("wasm-opt")).arg("--version"));
    let esbuild = output_line(Command::new(tools_bin().join("esbuild")).arg("--version"));
    if wasm_opt.as_deref().is_some_and(|v| v.contains(&format!("version {major}"))) && esbuild.as_deref() == Some(ESBUILD_NPM_VERSION) {
        return Ok(());
    }
    let prefix = root().join("target/tools");
    eprintln!(
        "xtask: installing wasm-opt (npm binaryen {BINARYEN_NPM_VERSION}) and esbuild {ESBUILD_NPM_VERSION} into {} (under a minute)",
        prefix.display()
    );
    std::fs::create_dir_all(&prefix)?;
    run(Command::new("npm")
        .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(format!("binaryen@{BINARYEN_NPM_VERSION}"))
        .arg(format!("esbuild@{ESBUILD_NPM_VERSION}")))
}

pub(crate) fn as_root(program: &str) -> Command {
    let is_root = output_line(Command::new("id").arg("-u")).as_deref() == Some("0");
    if is_root {
        Command::new(program)
    } else {
        let mut command = Command::new("sudo");
        command.arg(program);
        command
    }
}

fn chromium() -> anyhow::Result<()> {
    let major = |line: Option<String>| line.and_then(|l| l.split_whitespace().nth(1).map(|v| v.split('.').next().unwrap_or("").to_owned()));
    let browser = major(output_line(Command::new(CHROMIUM).arg("--version")));
    let driver = major(output_line(Command::new(CHROMEDRIVER).arg("--version")));
    if browser.is_some() && browser == driver {
        return Ok(());
    }
    eprintln!("xtask: installing Chromium and chromedriver from Debian (found {browser:?} / {driver:?}); about 1 min");
    run(as_root("apt-get").arg("update"))?;
    run(as_root("apt-get").args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The HTTPS end-to-end test (tests/tls.spec.ts) makes its certificate with `openssl`: part of a
/// standard Debian install, but not of every minimal container.
fn openssl() -> anyhow::Result<()> {
    if output_line(Command::new("openssl").arg("version")).is_some() {
        return Ok(());
    }
    eprintln!("xtask: installing openssl from Debian (for the HTTPS test's certificate); a few seconds");
    run(as_root("apt-get").arg("update"))?;
    run(as_root("apt-get").args(["install", "-y", "--no-install-recommends", "openssl"]).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// `npm ci` in tests/, skipped when node_modules already matches package-lock.json.
fn npm_test_packages() -> anyhow::Result<()> {
    use sha2::{Digest, Sha256};
    let tests = root().join("tests");
    let lock = std::fs::read(tests.join("package-lock.json")).context("reading tests/package-lock.json")?;
    let stamp = format!("{:x}", Sha256::digest(&lock));
    let stamp_file = tests.join("node_modules/.hocso-installed");
    if std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        return Ok(());
    }
    eprintln!("xtask: installing the end-to-end tests' npm packages in tests/ (under a minute)");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&tests))?;
    std::fs::write(stamp_file, stamp)?;
    Ok(())
}
