//! With the `embed-app` feature (the release build of `cargo xtask build` turns it on, after building
//! the app), the built app is put inside the `hocso` binary: this finds it and tells `rust-embed`
//! where it is (`HOCSO_EMBEDDED_DIST`). Without the feature (tests, `cargo build`) it does nothing,
//! so a checkout without `dist/` builds.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=HOCSO_EMBED_DIST");
    if std::env::var_os("CARGO_FEATURE_EMBED_APP").is_none() {
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().expect("server/ is inside the workspace").to_owned();
    // Relative paths are read from the workspace root, as `cargo xtask build` writes `dist/` there.
    let dist = std::env::var_os("HOCSO_EMBED_DIST").map_or_else(|| workspace.join("dist"), |dir| workspace.join(dir));
    if !dist.join("index.html").is_file() {
        panic!(
            "the `embed-app` feature puts the built app inside hocso, but {} has no index.html: run `cargo xtask build` \
             (which builds the app first), or point HOCSO_EMBED_DIST at a built app",
            dist.display()
        );
    }
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rustc-env=HOCSO_EMBEDDED_DIST={}", dist.display());
}
