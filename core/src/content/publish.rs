//! Publishing a build all at once: phones never meet a half-written catalogue, nor a catalogue
//! whose packs are from another build.
//!
//! The new tree is written whole into a sibling folder (`<out>.new-<pid>-<n>`, on the same disk),
//! then swapped with the published one: on Linux in one atomic step (`renameat2` with
//! `RENAME_EXCHANGE`), elsewhere with two renames (the folder is missing for an instant, which a
//! phone sees as "offline" and keeps its copy). The old tree is removed after the swap. Files in the
//! published folder that a build does not write are carried over (hard-linked, else copied). A
//! failure before the swap leaves the published tree untouched.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::packs::BuildError;

/// The top-level entries a build writes; everything else in the output folder is someone else's.
const BUILD_OUTPUTS: [&str; 3] = ["catalogue.json", "packs", "media"];

/// Replaces `out_dir` with a folder holding `files` (relative `/`-separated path → contents).
pub(crate) fn publish(files: &BTreeMap<String, Vec<u8>>, out_dir: &Path) -> Result<(), BuildError> {
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| BuildError::Write { path, source }
    };
    // A symbolic link (`dist/content -> /srv/content`) is published through, not replaced.
    let out_dir = std::fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.to_owned());
    let staging = sibling(&out_dir, "new");
    let written = write_tree(files, &out_dir, &staging);
    let swapped = written.and_then(|()| swap_in(&staging, &out_dir).map_err(write_error(&out_dir)));
    if swapped.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    swapped
}

/// `files`, and the entries of `out_dir` that are not a build's, into the new folder `staging`.
fn write_tree(files: &BTreeMap<String, Vec<u8>>, out_dir: &Path, staging: &Path) -> Result<(), BuildError> {
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| BuildError::Write { path, source }
    };
    if let Some(parent) = staging.parent() {
        std::fs::create_dir_all(parent).map_err(write_error(parent))?;
    }
    std::fs::create_dir(staging).map_err(write_error(staging))?;
    for (relative, bytes) in files {
        let path = staging.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_error(parent))?;
        }
        std::fs::write(&path, bytes).map_err(write_error(&path))?;
    }
    match std::fs::read_dir(out_dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry.map_err(write_error(out_dir))?;
                let name = entry.file_name();
                if !BUILD_OUTPUTS.iter().any(|owned| name == *owned) {
                    carry_over(&entry.path(), &staging.join(&name)).map_err(write_error(&entry.path()))?;
                }
            }
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(write_error(out_dir)(error)),
    }
    Ok(())
}

/// A file or folder of the published tree into the new one, without touching the original.
fn carry_over(from: &Path, to: &Path) -> io::Result<()> {
    if std::fs::symlink_metadata(from)?.is_dir() {
        std::fs::create_dir(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            carry_over(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
    }
}

/// Puts `staging` in place of `out_dir` and removes the old tree.
fn swap_in(staging: &Path, out_dir: &Path) -> io::Result<()> {
    if !out_dir.exists() {
        return std::fs::rename(staging, out_dir);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, staging, CWD, out_dir, RenameFlags::EXCHANGE) {
            // `staging` now holds the old tree.
            Ok(()) => return std::fs::remove_dir_all(staging),
            // A file system without the exchange: two renames below.
            Err(error) if error == rustix::io::Errno::INVAL || error == rustix::io::Errno::NOSYS => {}
            Err(error) => return Err(error.into()),
        }
    }
    let old = sibling(out_dir, "old");
    std::fs::rename(out_dir, &old)?;
    if let Err(error) = std::fs::rename(staging, out_dir) {
        let _ = std::fs::rename(&old, out_dir);
        return Err(error);
    }
    std::fs::remove_dir_all(&old)
}

/// `<dir>.<what>-<pid>-<n>` beside `dir`: on the same disk, so a rename moves it at once.
fn sibling(dir: &Path, what: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = dir.file_name().map_or_else(|| "content".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!("{name}.{what}-{}-{n}", std::process::id()))
}
