//! `cargo xtask build` and `serve`: the release app in `dist/` with its content packs, then the server.
use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::install::tool_path;
use crate::root;
use crate::run::run;

pub fn build() -> anyhow::Result<()> {
    let root = root();
    run(Command::new("trunk").args(["build", "--release"]).current_dir(&root).env("PATH", tool_path()))?;
    // The team tools: the same app with its team screens, in dist/team/ (after the learner app,
    // whose build empties dist/).
    run(Command::new("trunk")
        .args(["build", "app/team.html", "--release", "--dist", "dist/team", "--public-url", "/team/"])
        .current_dir(&root)
        .env("PATH", tool_path()))?;
    let dist = root.join("dist");
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
    Ok(())
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
        let gzipped = crate::precompress::gzip(&std::fs::read(out.join(&file.path))?)?;
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
    fn the_shipped_content_builds_into_dist_content() {
        let out = std::env::temp_dir().join(format!("hocso-xtask-content-{}", std::process::id()));
        let result = build_content(&crate::root().join("content"), &out);
        let catalogue = out.join("catalogue.json").is_file();
        let _ = std::fs::remove_dir_all(&out);
        result.unwrap();
        assert!(catalogue);
    }
}
