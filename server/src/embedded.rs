//! The built app inside the `hocso` binary (cargo feature `embed-app`, on in the release build of
//! `cargo xtask build`): a commune laptop needs one file.
//!
//! At start the embedded files are written to a private temporary folder (removed when the server
//! stops) and served from there by exactly the code that serves `--dist`: the same types, caching,
//! precompressed `.br`/`.gz` copies, ranges and Content-Security-Policy, with no second
//! implementation to keep in step. A few MB written once per start.
use std::path::PathBuf;

use anyhow::Context;

#[cfg(feature = "embed-app")]
#[derive(rust_embed::Embed)]
#[folder = "$HOCSO_EMBEDDED_DIST"]
struct BuiltApp;

/// Whether this binary carries the app.
pub const AVAILABLE: bool = cfg!(feature = "embed-app");

/// The folder to serve: `--dist` when given; else the app inside this binary, unpacked (keep the
/// returned folder until the server stops: dropping it removes the files); else `dist/`, as a
/// binary built without the app has always done.
pub fn app_folder(dist: Option<PathBuf>) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    if let Some(dist) = dist {
        return Ok((dist, None));
    }
    match unpack()? {
        Some(folder) => Ok((folder.path().to_owned(), Some(folder))),
        None => Ok((PathBuf::from("dist"), None)),
    }
}

/// Writes the embedded app into a new private folder; `None` when this binary has none.
pub fn unpack() -> anyhow::Result<Option<tempfile::TempDir>> {
    if !AVAILABLE {
        return Ok(None);
    }
    let folder = tempfile::Builder::new()
        .prefix("hocso-app-")
        .tempdir()
        .context("cannot make a folder for the app built into hocso in the temporary folder: check TMPDIR (or pass --dist)")?;
    write_files(folder.path())?;
    Ok(Some(folder))
}

#[cfg(feature = "embed-app")]
fn write_files(folder: &std::path::Path) -> anyhow::Result<()> {
    for name in BuiltApp::iter() {
        let file = BuiltApp::get(&name).with_context(|| format!("the built-in app lists {name} but lacks it"))?;
        let path = folder.join(name.as_ref());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &file.data).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(not(feature = "embed-app"))]
fn write_files(_folder: &std::path::Path) -> anyhow::Result<()> {
    Ok(())
}
