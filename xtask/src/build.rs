//! `cargo xtask build` and `serve`: the release app in `dist/` with its content packs, then the server.
use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::install::tool_path;
use crate::root;
use crate::run::{run, run_captured};
use crate::toolchain::SIZE_OPTIONS_RUST;

/// Builds everything; returns the first visit's sizes (the test checks them against the budget).
pub fn build() -> anyhow::Result<crate::size_report::Sizes> {
    let root = root();
    let dist = root.join("dist");
    build_app(&root, &[], &dist)?;
    // The team tools: the same app with its team screens, in dist/team/ (after the learner app,
    // whose build empties dist/).
    build_app(&root, &["app/team.html", "--dist", "dist/team", "--public-url", "/team/"], &dist.join("team"))?;
    // Packs before the service worker, which is generated last, over the finished dist/.
    build_content(&root.join("content"), &dist.join("content"))?;
    let precache = crate::service_worker::generate(&dist)?;
    eprintln!("xtask: service worker version {}", precache.version);
    // Last: the service worker itself is precompressed too.
    let precompressed = crate::precompress::precompress(&dist)?;
    let first_visit = crate::size_report::first_visit_files(&precache.shell);
    let (kinds, total) = crate::size_report::measure(&dist, &first_visit, &precompressed)?;
    crate::size_report::print(&kinds, total);
    let team = crate::size_report::relative_paths(&precache.team);
    let (_, team_total) = crate::size_report::measure(&dist, &team, &precompressed)?;
    crate::size_report::print_team_tools(team_total);
    // With the app just built inside: one file to install (`hocso serve` needs no --dist).
    run(Command::new("cargo").args(["build", "--release", "--package", "hocso-server", "--features", "embed-app"]).current_dir(&root))?;
    Ok(total)
}

/// `trunk build <args> --release` with the size options, then the glue minified in `out`.
fn build_app(root: &Path, args: &[&str], out: &Path) -> anyhow::Result<()> {
    let mut trunk = Command::new("trunk");
    // The target (a path) before `--release`, which takes an optional value.
    trunk.arg("build").args(args).arg("--release").current_dir(root).env("PATH", tool_path());
    let (built, output) = run_captured(smallest_wasm(&mut trunk))?;
    anyhow::ensure!(built, "{}", failure_hint(&output, stable_wasm_only()));
    minify_js_glue(out)
}

/// Why Trunk failed, from what it (and the cargo it ran) printed: a crate missing from cargo's
/// cache (Trunk runs cargo with `--offline`), an unstable size option refused (another Rust than
/// the one they were written for), or something else, shown above.
fn failure_hint(output: &str, stable_wasm: bool) -> String {
    const NOT_CACHED: [&str; 4] = ["no matching package named", "failed to download", "--offline was specified", "offline mode (--offline)"];
    const UNSTABLE_REFUSED: [&str; 7] = [
        "is only accepted on the nightly",
        "unknown `-Z` flag",
        "unknown unstable option",
        "is unstable",
        "is not stabilized in this version",
        "may not be used on the stable release channel",
        "is not a valid setting",
    ];
    let said = |phrases: &[&str]| output.lines().any(|line| phrases.iter().any(|p| line.contains(p)));
    if said(&NOT_CACHED) {
        let sysroot = "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml";
        format!(
            "building the app failed: a crate the build needs is not in cargo's cache (Trunk runs cargo offline); \
             run `cargo xtask install` with a network connection, which downloads them, or fetch them yourself: \
             `cargo fetch` and `RUSTC_BOOTSTRAP=1 cargo fetch --locked --manifest-path \"{sysroot}\"`"
        )
    } else if said(&UNSTABLE_REFUSED) && !stable_wasm {
        format!(
            "building the app failed: cargo or rustc refused one of the unstable size options, which were written for \
             Rust {SIZE_OPTIONS_RUST}: use that Rust, or `{STABLE_WASM_VAR}=1` to build without them (over the first-visit budget)"
        )
    } else {
        "building the app failed (Trunk's output is above)".to_owned()
    }
}

/// Minifies wasm-bindgen's JS glue in `dir` with esbuild (Trunk's minifier cannot parse it; 2.5 kB
/// less gzipped) and updates its subresource-integrity hash in `dir/index.html` if it has one.
fn minify_js_glue(dir: &Path) -> anyhow::Result<()> {
    let index_path = dir.join("index.html");
    let mut index = std::fs::read_to_string(&index_path).with_context(|| format!("reading {}", index_path.display()))?;
    let glue: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("hocso-app-") && n.ends_with(".js")))
        .collect();
    anyhow::ensure!(glue.len() == 1, "expected one hocso-app-*.js in {}, found {}", dir.display(), glue.len());
    let path = &glue[0];
    let before = std::fs::read(path)?;
    run(Command::new(crate::install::tools_bin().join("esbuild"))
        .arg(path)
        .args(["--minify", "--format=esm", "--log-level=warning", "--allow-overwrite"])
        .arg(format!("--outfile={}", path.display())))?;
    let after = std::fs::read(path)?;
    // Trunk.toml's `pattern_preload` writes no preload links, so there is usually no hash to update;
    // if a Trunk default ever writes one again, it must not be left stale (the browser would refuse the file).
    let (old, new) = (integrity(&before), integrity(&after));
    if index.contains(&old) {
        index = index.replace(&old, &new);
        std::fs::write(&index_path, index)?;
    }
    Ok(())
}

/// A subresource-integrity value, as Trunk writes them.
fn integrity(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(bytes)))
}

/// Set to 1 to build the WASM with stable options only (about 30 kB gzipped more, over the budget).
pub const STABLE_WASM_VAR: &str = "HOCSO_STABLE_WASM";

pub fn stable_wasm_only() -> bool {
    std::env::var(STABLE_WASM_VAR).is_ok_and(|v| v == "1")
}

/// The size options of the release WASM, for a villager's first download on 3G (#3's budget).
///
/// Three of them are unstable, so they are enabled with `RUSTC_BOOTSTRAP=1` on our stable
/// compiler (as the Linux kernel builds its Rust): the standard library is rebuilt from `rust-src`
/// with `optimize_for_size`, a panic traps at once instead of formatting a message nobody on a
/// villager's phone would read (`immediate-abort`), and panics carry no file/line strings.
/// Together about 30 kB gzipped less. Only these Trunk runs see them: tests and the server build as
/// usual.
fn smallest_wasm(trunk: &mut Command) -> &mut Command {
    if stable_wasm_only() {
        return trunk;
    }
    trunk
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env("CARGO_UNSTABLE_PANIC_IMMEDIATE_ABORT", "true")
        .env("CARGO_PROFILE_WASM_RELEASE_PANIC", "immediate-abort")
        // Replaces the `rustflags` of .cargo/config.toml for this target, so it repeats them.
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", "--cfg erase_components -Zlocation-detail=none")
}

/// Checks the lessons and writes the catalogue, packs and media to `dist/content/`, then prints
/// their sizes, since the catalogue and one pack count against the first-visit budget.
fn build_content(content: &Path, out: &Path) -> anyhow::Result<()> {
    let summary = match hocso_core::content::build_packs(content, out) {
        Ok(summary) => summary,
        Err(hocso_core::content::BuildError::Invalid(report)) => {
            for problem in report.errors() {
                eprintln!("{problem}");
            }
            anyhow::bail!("{}: run `cargo run -p hocso-server -- content check` for details", report.summary());
        }
        Err(error) => return Err(error.into()),
    };
    for warning in summary.report.warnings() {
        eprintln!("{warning}");
    }
    eprintln!("xtask: content packs in {} ({}):", out.display(), summary.report.summary());
    let mut media = (0, 0);
    for file in &summary.files {
        if file.path.starts_with("media/") {
            media = (media.0 + 1, media.1 + file.bytes);
            continue;
        }
        let gzipped = crate::precompress::gzip_on_the_fly(&std::fs::read(out.join(&file.path))?)?;
        eprintln!("  {:<36} {:>8} bytes  {:>7} gzipped", file.path, file.bytes, gzipped.len());
    }
    eprintln!("  {:<36} {:>8} bytes  (fetched on first use)", format!("media/ ({} files)", media.0), media.1);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Trunk's output on a new machine that never downloaded the standard library's crates (#11).
    const MISSING_STD_CRATE: &str = "\
2026-12-01T23:25:09.466745Z  INFO 📦 starting build
error: no matching package named `moto-rt` found
location searched: crates.io index
required by package `std v0.0.0 (/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/std)`
As a reminder, you're using offline mode (--offline) which can sometimes cause surprising resolution failures, if this error is too \
confusing you may wish to retry without `--offline`.
2026-12-01T23:25:13.412954Z ERROR ❌ error
error from build pipeline
";

    /// What Trunk adds to every failed cargo run: it names `--offline` whatever the cause.
    const TRUNK_CARGO_CALL: &str = "    4: cargo call to executable 'cargo' with args: '[\"build\", \"--target=wasm32-unknown-unknown\", \
        \"--manifest-path\", \"app/Cargo.toml\", \"--profile\", \"wasm-release\", \"--offline\"]' returned a bad status: exit status: 101";

    #[test]
    fn a_crate_missing_from_the_cache_says_to_run_install() {
        let http = "error: failed to get `leptos` as a dependency of package `hocso-app v0.1.0`\n\nCaused by:\n  \
                    attempting to make an HTTP request, but --offline was specified";
        for output in [MISSING_STD_CRATE.to_owned() + TRUNK_CARGO_CALL, http.to_owned(), "error: failed to download `zopfli v0.8.1`".to_owned()] {
            let output = output.as_str();
            let hint = failure_hint(output, false);
            assert!(hint.contains("a crate the build needs is not in cargo's cache"), "{hint}");
            assert!(hint.contains("`cargo xtask install` with a network connection"), "{hint}");
            assert!(hint.contains("RUSTC_BOOTSTRAP=1 cargo fetch --locked --manifest-path"), "{hint}");
            assert!(!hint.contains(STABLE_WASM_VAR), "{hint}");
        }
    }

    #[test]
    fn a_refused_unstable_option_points_to_the_rust_version_and_stable_wasm() {
        // What cargo and rustc 1.95 say when the options reach a compiler that will not take them.
        for output in [
            "  --- stderr\n  error: the option `Z` is only accepted on the nightly compiler\n",
            "error: the `-Z` flag is only accepted on the nightly channel of Cargo, but this is the `stable` channel",
            "error: unknown `-Z` flag specified: build-std-features",
            "  error: unknown unstable option: `location-detail`",
            "Caused by:\n  feature `panic-immediate-abort` is required\n\n  The package requires the Cargo feature called \
             `panic-immediate-abort`, but that feature is not stabilized in this version of Cargo (1.97.0).",
            "  `panic` setting of `immediate-abort` is not a valid setting, must be `unwind` or `abort`.",
        ] {
            let hint = failure_hint(&format!("{output}\n{TRUNK_CARGO_CALL}"), false);
            assert!(hint.contains("refused one of the unstable size options, which were written for Rust 1.95.0"), "{hint}");
            assert!(hint.contains("`HOCSO_STABLE_WASM=1` to build without them"), "{hint}");
        }
    }

    #[test]
    fn other_failures_point_to_the_output() {
        let compile_error = format!("error[E0425]: cannot find value `x` in this scope\n --> app/src/home.rs:3:5\n{TRUNK_CARGO_CALL}");
        assert_eq!(failure_hint(&compile_error, false), "building the app failed (Trunk's output is above)");
        // Without the size options nothing unstable is asked for: no advice about them.
        assert_eq!(failure_hint("error: unknown `-Z` flag specified: x", true), "building the app failed (Trunk's output is above)");
        // A missing crate wins: an offline resolution failure is not about the Rust version.
        assert!(failure_hint(MISSING_STD_CRATE, true).contains("not in cargo's cache"));
    }

    #[test]
    fn integrity_is_the_sri_sha384_of_the_bytes() {
        // The example of the Subresource Integrity spec, cross-checked with `openssl dgst -sha384`.
        assert_eq!(integrity(b"abc"), "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn");
    }

    #[test]
    fn the_shipped_content_builds_into_dist_content() {
        let out = std::env::temp_dir().join(format!("hocso-xtask-content-{}", std::process::id()));
        let result = build_content(&crate::root().join("content"), &out);
        let catalogue = out.join("catalogue.json").is_file();
        let _ = std::fs::remove_dir_all(&out);
        result.unwrap();
        assert!(catalogue);
    }
}
