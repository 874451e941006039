//! Fills the service worker's precache list and version from the built files.
//!
//! Trunk's hashed names change with every build, so the list cannot be written by hand; the version
//! is a hash of every precached file, so any change to the shell makes browsers install the new
//! worker (and offer "reload to update").
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

/// The line of `public/sw.js` that this replaces.
const BUILD_LINE_PREFIX: &str = "const BUILD = ";

/// Files the service worker does not store on install: the worker itself, lesson packs and
/// pictures (cached on use), the interface strings (Vietnamese is compiled into the app; the other
/// languages come with the lessons in the background download after the first screen, see
/// `app/src/offline.rs`, so a first visit does not wait for languages it may never use), and the
/// precompressed copies (the server picks them by `Accept-Encoding`).
fn is_stored(relative: &str) -> bool {
    relative != "sw.js"
        && !relative.starts_with("locales/")
        && !relative.starts_with("content/")
        && !relative.ends_with(".br")
        && !relative.ends_with(".gz")
}

/// The team tools' files (a second app built into `dist/team/`), stored only on phones that use them.
fn is_team_tools(relative: &str) -> bool {
    relative.starts_with("team/")
}

/// Every file under `dist`, as sorted `/`-separated relative paths.
pub fn relative_files(dist: &Path) -> anyhow::Result<Vec<String>> {
    let mut files = Vec::new();
    files_under(dist, dist, &mut files).with_context(|| format!("listing {}", dist.display()))?;
    let mut relatives: Vec<String> = files.iter().map(|p| p.to_string_lossy().replace('\\', "/")).collect();
    relatives.sort();
    Ok(relatives)
}

fn files_under(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_under(&path, base, out)?;
        } else {
            out.push(path.strip_prefix(base).expect("under base").to_owned());
        }
    }
    Ok(())
}

/// What the service worker stores for a build.
#[derive(Debug)]
pub struct Precache {
    /// The learner app, stored on install (the first visit).
    pub shell: Vec<String>,
    /// The team tools, stored when a team leader's phone asks.
    pub team: Vec<String>,
    /// A hash of every stored file: any change makes browsers install the new worker.
    pub version: String,
}

/// The URLs to store and the build version for `dist`.
pub fn precache(dist: &Path) -> anyhow::Result<Precache> {
    let relatives: Vec<String> = relative_files(dist)?.into_iter().filter(|r| is_stored(r)).collect();
    let mut hasher = Sha256::new();
    for relative in &relatives {
        hasher.update(relative.as_bytes());
        hasher.update(std::fs::read(dist.join(relative))?);
    }
    let version = format!("{:x}", hasher.finalize())[..16].to_owned();
    let url = |relative: &String| format!("/{relative}");
    let shell = std::iter::once("/".to_owned()).chain(relatives.iter().filter(|r| !is_team_tools(r)).map(url)).collect();
    let team = relatives.iter().filter(|r| is_team_tools(r)).map(url).collect();
    Ok(Precache { shell, team, version })
}

/// Rewrites `dist/sw.js` with this build's precache lists and version; returns them.
pub fn generate(dist: &Path) -> anyhow::Result<Precache> {
    let sw_path = dist.join("sw.js");
    let source = std::fs::read_to_string(&sw_path).with_context(|| format!("reading {}", sw_path.display()))?;
    let precache = precache(dist)?;
    let build = serde_json::json!({ "version": precache.version, "precache": precache.shell, "team": precache.team });
    let mut replaced = false;
    let generated: Vec<String> = source
        .lines()
        .map(|line| {
            if line.starts_with(BUILD_LINE_PREFIX) {
                replaced = true;
                format!("{BUILD_LINE_PREFIX}{build};")
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !replaced {
        bail!("{} has no line starting with `{BUILD_LINE_PREFIX}` to fill", sw_path.display());
    }
    std::fs::write(&sw_path, generated.join("\n") + "\n")?;
    Ok(precache)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist_with(files: &[(&str, &str)]) -> tempfile_lite::Dir {
        let dir = tempfile_lite::Dir::new();
        for (name, text) in files {
            let path = dir.0.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    /// A tiny temporary directory, removed on drop (xtask keeps no dev-dependencies).
    mod tempfile_lite {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static N: AtomicUsize = AtomicUsize::new(0);
                let path = std::env::temp_dir().join(format!("hocso-xtask-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    const SW: &str = include_str!("../../public/sw.js");

    #[test]
    fn precache_lists_the_shell_but_not_the_worker_content_packs_or_compiled_in_strings() {
        let dist = dist_with(&[
            ("index.html", "x"),
            ("sw.js", SW),
            ("app-0123456789abcdef.js", "y"),
            ("app-0123456789abcdef.js.br", "y"),
            ("icons/a.png", "z"),
            ("content/catalogue.json", "{}"),
            ("locales/en.json", "{}"),
            ("locales/vi.json", "{}"),
        ]);
        let precache = precache(&dist.0).unwrap();
        assert_eq!(precache.shell, ["/", "/app-0123456789abcdef.js", "/icons/a.png", "/index.html"]);
        assert!(precache.team.is_empty());
    }

    #[test]
    fn the_team_tools_are_listed_apart_from_the_shell_and_count_in_the_version() {
        let files = [
            ("index.html", "x"),
            ("sw.js", SW),
            ("team/index.html", "t"),
            ("team/app-0123456789abcdef_bg.wasm", "w"),
            ("team/app-0123456789abcdef_bg.wasm.br", "w"),
        ];
        let precache_a = precache(&dist_with(&files).0).unwrap();
        assert_eq!(precache_a.shell, ["/", "/index.html"]);
        assert_eq!(precache_a.team, ["/team/app-0123456789abcdef_bg.wasm", "/team/index.html"]);
        let mut changed = files;
        changed[2] = ("team/index.html", "t2");
        assert_ne!(precache(&dist_with(&changed).0).unwrap().version, precache_a.version);
    }

    #[test]
    fn version_changes_when_any_shell_file_changes() {
        let a = dist_with(&[("index.html", "x"), ("sw.js", SW)]);
        let b = dist_with(&[("index.html", "x!"), ("sw.js", SW)]);
        let c = dist_with(&[("index.html", "x"), ("sw.js", SW), ("content/p.json", "changed")]);
        let version = |d: &tempfile_lite::Dir| precache(&d.0).unwrap().version;
        assert_ne!(version(&a), version(&b));
        assert_eq!(version(&a), version(&c));
    }

    #[test]
    fn generate_fills_the_build_line_of_the_real_worker() {
        let dist = dist_with(&[("index.html", "x"), ("sw.js", SW)]);
        let version = generate(&dist.0).unwrap().version;
        let sw = std::fs::read_to_string(dist.0.join("sw.js")).unwrap();
        assert!(sw.contains(&format!(r#"const BUILD = {{"precache":["/","/index.html"],"team":[],"version":"{version}"}};"#)), "{sw}");
        assert!(!sw.contains("\"dev\""));
    }

    #[test]
    fn generate_refuses_a_worker_without_the_build_line() {
        let dist = dist_with(&[("index.html", "x"), ("sw.js", "self.addEventListener('fetch', () => {});")]);
        assert!(generate(&dist.0).is_err());
    }
}
