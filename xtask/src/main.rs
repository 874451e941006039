//! `cargo xtask <verb>`: the project's chores in Rust, one module per verb.
//!
//! - `install`: after checking the Rust version (`toolchain`), the exact tools (wasm32 target, trunk,
//!   wasm-bindgen-cli, wasm-opt) and every crate the offline release build compiles, the standard
//!   library's too; with `--test`, also Chromium, chromedriver and the npm test packages.
//! - `build`: the release app in `dist/` with its service worker precache list, and the server.
//! - `serve [--addr A] [--port P]`: install, build, run `hocso serve`.
//! - `test`: install, then native tests (the server's on SQLite, then again on a throw-away
//!   PostgreSQL, `postgres`), WASM tests in headless Chromium, end-to-end tests.
//!   `test --fresh`: the same in a clone of HEAD with an empty `CARGO_HOME`, as a new machine.
//!   `test --server`: only the server's tests, on SQLite and on PostgreSQL.
//! - `bench sync`: the sync server's ingest rate and latency against its budget.
mod bench;
mod build;
mod fresh;
mod install;
mod postgres;
mod precompress;
mod province;
mod run;
mod service_worker;
mod size_report;
mod test;
mod toolchain;

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("install") => install::install(args.iter().any(|a| a == "--test")),
        Some("build") => install::install(false).and_then(|()| build::build()).map(|_| ()),
        Some("serve") => install::install(false).and_then(|()| build::build()).and_then(|_| build::serve(&args[1..])),
        Some("test") if args.iter().any(|a| a == "--fresh") => fresh::test_fresh(),
        Some("test") if args.iter().any(|a| a == "--server") => test::server_on_both_stores(),
        Some("test") => test::test(),
        Some("bench") => bench::bench(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask install [--test] | build | serve [--addr A] [--port P] | test [--fresh | --server] | bench [sync [--database sqlite|postgres] [--no-province]|learner|lighthouse]");
            std::process::exit(2);
        }
    };
    if let Err(error) = result {
        eprintln!("xtask: {error:#}");
        std::process::exit(1);
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_owned()
}
