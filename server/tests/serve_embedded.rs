//! `hocso serve` with the app built into the binary (feature `embed-app`), with no `dist/` on disk:
//! every file answers exactly as the same files served with `--dist` do (types, caching,
//! precompressed copies, the Content-Security-Policy), and `--dist` still overrides.
//!
//! Run with the test app: `HOCSO_EMBED_DIST=server/tests/fixtures/dist cargo test -p hocso-server
//! --features embed-app --test serve_embedded` (or with a real build: `HOCSO_EMBED_DIST=dist`).
mod binary;

use std::path::Path;

use binary::Hocso;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE};

/// The app this test binary's `hocso` carries (set by build.rs).
const EMBEDDED: &str = env!("HOCSO_EMBEDDED_DIST");

/// Every file of the built app, relative (`team/index.html`).
fn files(dir: &Path, under: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, under, out);
        } else {
            out.push(path.strip_prefix(under).unwrap().to_string_lossy().into_owned());
        }
    }
}

/// An answer as a browser sees it: status, the headers that matter, the bytes.
async fn answer(client: &reqwest::Client, base: &str, path: &str, encoding: &str) -> (u16, Vec<String>, Vec<u8>) {
    let response = client.get(format!("{base}{path}")).header(ACCEPT_ENCODING, encoding).send().await.unwrap();
    let headers = [CONTENT_TYPE, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_SECURITY_POLICY]
        .iter()
        .map(|name| format!("{name}: {}", response.headers().get(name).map_or("", |v| v.to_str().unwrap())))
        .collect();
    (response.status().as_u16(), headers, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_built_in_app_is_served_exactly_as_the_same_files_with_dist() {
    let embedded = Path::new(EMBEDDED);
    let empty = tempfile::tempdir().unwrap();
    assert!(!empty.path().join("dist").exists());
    let built_in = Hocso::serve(empty.path(), &[]);
    assert!(built_in.started.iter().any(|line| line.contains("Serving the app built into this hocso")), "{:?}", built_in.started);
    let other = tempfile::tempdir().unwrap();
    let from_disk = Hocso::serve(other.path(), &["--dist", EMBEDDED]);
    let (a, b) = (format!("http://{}", built_in.addr), format!("http://{}", from_disk.addr));
    let client = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();

    let mut paths = Vec::new();
    files(embedded, embedded, &mut paths);
    assert!(paths.len() >= 5, "{paths:?}");
    let mut checked = 0;
    for path in paths
        .iter()
        .map(|p| format!("/{p}"))
        .chain(["/", "/topics/data-safety", "/team", "/team/x", "/missing-0123456789abcdef.js"].map(String::from))
    {
        for encoding in ["identity", "gzip", "br", "br, gzip"] {
            let (mut built, mut from_disk) = (answer(&client, &a, &path, encoding).await, answer(&client, &b, &path, encoding).await);
            // Compressed on the fly (no copy in the build): the same encoding, but brotli's bytes
            // depend on how the file was read in chunks; identity is compared byte for byte.
            let precompressed = ["br", "gz"].iter().any(|ext| embedded.join(format!("{}.{ext}", path.trim_start_matches('/'))).is_file());
            if encoding != "identity" && !precompressed {
                (built.2, from_disk.2) = (Vec::new(), Vec::new());
            }
            assert_eq!(built, from_disk, "{path} ({encoding})");
            checked += 1;
        }
        // Each file is the build's own bytes.
        if let Ok(bytes) = std::fs::read(embedded.join(path.trim_start_matches('/'))) {
            if !path.ends_with(".br") && !path.ends_with(".gz") {
                assert_eq!(answer(&client, &a, &path, "identity").await.2, bytes, "{path}");
            }
        }
    }
    println!("{checked} answers compared");

    // What the build precompressed is sent as it is; the shell and the worker are revalidated.
    for path in paths.iter().filter(|p| p.ends_with(".br")) {
        let original = path.trim_end_matches(".br");
        let (status, headers, body) = answer(&client, &a, &format!("/{original}"), "br").await;
        assert_eq!((status, body), (200, std::fs::read(embedded.join(path)).unwrap()), "{path}");
        assert!(headers.contains(&"content-encoding: br".to_owned()), "{headers:?}");
    }
    let (_, headers, _) = answer(&client, &a, "/sw.js", "identity").await;
    assert!(headers.contains(&"cache-control: no-cache".to_owned()), "{headers:?}");
    let index = std::fs::read_to_string(embedded.join("index.html")).unwrap();
    let (_, headers, _) = answer(&client, &a, "/", "identity").await;
    for script in hocso_server::static_files::inline_scripts(&index) {
        let hash = hocso_server::static_files::script_hash(script);
        assert!(headers.iter().any(|h| h.starts_with("content-security-policy") && h.contains(&hash)), "{hash}: {headers:?}");
    }

    // The unpacked copy goes away with the server.
    let line = built_in.started.iter().find(|line| line.contains("unpacked in")).unwrap().clone();
    let folder = line.split("unpacked in ").nth(1).unwrap().trim_end_matches(").").to_owned();
    assert!(Path::new(&folder).join("index.html").is_file(), "{folder}");
    let (status, stderr) = built_in.terminate(std::time::Duration::from_secs(15));
    assert!(status.success(), "{stderr}");
    assert!(!Path::new(&folder).exists(), "{folder} is left behind");
}

#[tokio::test]
async fn dist_still_overrides_the_built_in_app() {
    let dir = tempfile::tempdir().unwrap();
    let dist = binary::write_dist(dir.path());
    let server = Hocso::serve(dir.path(), &["--dist", dist.to_str().unwrap()]);
    assert!(!server.started.iter().any(|line| line.contains("built into")), "{:?}", server.started);
    let page = reqwest::get(format!("http://{}/", server.addr)).await.unwrap().text().await.unwrap();
    assert_eq!(page, binary::INDEX);
}
