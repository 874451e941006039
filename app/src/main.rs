//! Entry point of the WASM app: only mounts it (everything else lives in the library).
fn main() {
    hocso_app::start();
}
