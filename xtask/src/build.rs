//! `cargo xtask build` and `serve`: the release app in `dist/` with its content packs, then the server.
use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::install::tool_path;
use crate::root;
use crate::run::run;

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
    run(Command::new("cargo").args(["build", "--release", "--package", "hocso-server"]).current_dir(&root))?;
    Ok(total)
}

/// `trunk build <args> --release` with the size options, then the glue minified in `out`.
fn build_app(root: &Path, args: &[&str], out: &Path) -> anyhow::Result<()> {
    let mut trunk = Command::new("trunk");
    // The target (a path) before `--release`, which takes an optional value.
    trunk.arg("build").args(args).arg("--release").current_dir(root).env("PATH", tool_path());
    run(smallest_wasm(&mut trunk)).context(SIZE_OPTIONS_HINT)?;
    minify_js_glue(out)
}

/// Minifies wasm-bindgen's JS glue in `dir` with esbuild (Trunk's minifier cannot parse it; 2.5 kB
/// less gzipped) and updates its subresource-integrity hash in `dir/index.html`.
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
    let (old, new) = (integrity(&before), integrity(&after));
    anyhow::ensure!(index.contains(&old), "{} has no integrity {old} for {}", index_path.display(), path.display());
    index = index.replace(&old, &new);
    std::fs::write(&index_path, index)?;
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

const SIZE_OPTIONS_HINT: &str = "building the app failed; if cargo refused an unstable option above, this \
    Rust is not the 1.95 these size options were written for: try `HOCSO_STABLE_WASM=1` (no size options)";

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
