//! `hocso serve` over real HTTP against a real directory shaped like Trunk's `dist/`.
use std::net::SocketAddr;
use std::path::Path;

use hocso_server::ServeConfig;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};

mod common;

const INDEX: &str = "<!DOCTYPE html><html lang=\"vi\"><body>Học Số shell</body></html>";

fn write_dist(dist: &Path) {
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    std::fs::write(dist.join("manifest.webmanifest"), r#"{"name": "Học Số"}"#).unwrap();
    // Large and repetitive so compression is worth it, as a real wasm file is.
    std::fs::write(dist.join("hocso-app-0123456789abcdef_bg.wasm"), b"\0asm".repeat(4096)).unwrap();
    std::fs::write(dist.join("hocso-app-0123456789abcdef.js"), "export default 1;\n".repeat(200)).unwrap();
}

async fn start(dist: &Path) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The database lives apart from dist/, which is served to everyone.
    let db = tempfile::tempdir().unwrap().keep().join("hocso.db");
    let config = ServeConfig::new(addr, dist.to_owned(), common::database_url(&db).await);
    let app = hocso_server::app(&config).await.unwrap();
    tokio::spawn(hocso_server::serve_connections(listener, app, config.connections, std::future::pending()));
    addr
}

async fn get(addr: SocketAddr, path: &str) -> reqwest::Response {
    reqwest::get(format!("http://{addr}{path}")).await.unwrap()
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

#[tokio::test]
async fn serves_the_shell_with_pwa_friendly_types_and_caching() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let addr = start(dir.path()).await;

    let root = get(addr, "/").await;
    assert_eq!(root.status(), 200);
    assert_eq!(header(&root, CACHE_CONTROL), "no-cache");
    assert!(header(&root, CONTENT_TYPE).starts_with("text/html"));
    assert_eq!(root.text().await.unwrap(), INDEX);

    let sw = get(addr, "/sw.js").await;
    assert_eq!(header(&sw, CACHE_CONTROL), "no-cache");
    assert!(header(&sw, CONTENT_TYPE).contains("javascript"));

    let wasm = get(addr, "/hocso-app-0123456789abcdef_bg.wasm").await;
    assert_eq!(header(&wasm, CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&wasm, CACHE_CONTROL), "public, max-age=31536000, immutable");

    let manifest = get(addr, "/manifest.webmanifest").await;
    assert_eq!(header(&manifest, CONTENT_TYPE), "application/manifest+json");

    let health = get(addr, "/healthz").await;
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn app_routes_fall_back_to_the_shell_but_missing_files_are_404() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let addr = start(dir.path()).await;

    let route = get(addr, "/lessons/anything").await;
    assert_eq!(route.status(), 200);
    assert_eq!(header(&route, CACHE_CONTROL), "no-cache");
    assert_eq!(route.text().await.unwrap(), INDEX);

    assert_eq!(get(addr, "/missing-0123456789abcdef.js").await.status(), 404);
    assert_eq!(get(addr, "/api/v1/nothing-here").await.status(), 404);
}

#[tokio::test]
async fn team_routes_get_the_team_tools_and_fall_back_to_the_shell_without_them() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let addr = start(dir.path()).await;
    // Built without the team tools: the learner shell answers (and explains).
    assert_eq!(get(addr, "/team").await.text().await.unwrap(), INDEX);

    const TEAM_INDEX: &str = "<!DOCTYPE html><html lang=\"vi\"><body>team tools</body></html>";
    std::fs::create_dir(dir.path().join("team")).unwrap();
    std::fs::write(dir.path().join("team/index.html"), TEAM_INDEX).unwrap();
    std::fs::write(dir.path().join("team/hocso-app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    for route in ["/team", "/team/", "/team/sessions/s1/present/pay-by-vietqr", "/team/dashboard", "/province"] {
        let response = get(addr, route).await;
        assert_eq!(response.status(), 200, "{route}");
        assert_eq!(header(&response, CACHE_CONTROL), "no-cache", "{route}");
        assert_eq!(response.text().await.unwrap(), TEAM_INDEX, "{route}");
    }
    let wasm = get(addr, "/team/hocso-app-0123456789abcdef_bg.wasm").await;
    assert_eq!(header(&wasm, CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&wasm, CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert_eq!(get(addr, "/team/missing-0123456789abcdef.js").await.status(), 404);
    assert_eq!(get(addr, "/teams").await.text().await.unwrap(), INDEX, "only /team itself is the team's");
}

#[tokio::test]
async fn compresses_with_brotli_or_gzip_as_the_browser_asks() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let addr = start(dir.path()).await;
    let client = reqwest::Client::new();
    for encoding in ["br", "gzip"] {
        let response =
            client.get(format!("http://{addr}/hocso-app-0123456789abcdef_bg.wasm")).header(ACCEPT_ENCODING, encoding).send().await.unwrap();
        assert_eq!(header(&response, CONTENT_ENCODING), encoding);
        let body = response.bytes().await.unwrap();
        assert!(body.len() < 4 * 4096 / 10, "{encoding}: {} bytes is not compressed", body.len());
    }
}

#[tokio::test]
async fn a_missing_build_says_to_run_the_build_first() {
    let dir = tempfile::tempdir().unwrap();
    let error = hocso_server::serve(ServeConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("dist"), "unused.db")).await.unwrap_err();
    assert!(error.to_string().contains("cargo xtask build"), "{error}");
}

#[tokio::test]
async fn a_taken_port_is_reported_clearly() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let error = hocso_server::serve(ServeConfig::new(addr, dir.path().to_owned(), "unused.db")).await.unwrap_err();
    assert!(error.to_string().contains("already in use"), "{error}");
}

#[tokio::test]
async fn precompressed_copies_from_the_build_are_sent_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    // Not real brotli: proves the server sends the build's file instead of compressing again.
    std::fs::write(dir.path().join("hocso-app-0123456789abcdef_bg.wasm.br"), b"precompressed-by-xtask").unwrap();
    let addr = start(dir.path()).await;
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/hocso-app-0123456789abcdef_bg.wasm"))
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, CONTENT_ENCODING), "br");
    assert_eq!(header(&response, CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&response, CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"precompressed-by-xtask");
}

/// What Trunk writes into a page: the start-up module script inline, the rest as files.
const TRUNK_INDEX: &str = "<!DOCTYPE html><html><head><script src=\"/pwa.js\" defer></script>\
<link rel=\"modulepreload\" href=\"/hocso-app-0123456789abcdef.js\" crossorigin=\"anonymous\" integrity=\"sha384-x\">\
</head><body><script type=\"module\">\nimport init, * as bindings from '/hocso-app-0123456789abcdef.js';\n\
const wasm = await init({ module_or_path: '/hocso-app-0123456789abcdef_bg.wasm' });\n</script></body></html>";

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    assert_eq!(header(response, reqwest::header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert_eq!(header(response, reqwest::header::REFERRER_POLICY), "no-referrer", "{what}");
    let csp = header(response, reqwest::header::CONTENT_SECURITY_POLICY);
    // Pictures and sounds from this server, or from the page's own object URLs (the studio's preview).
    for directive in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "img-src 'self' blob:;",
        "media-src 'self' blob:;",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
    assert!(!csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{what}: {csp}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let addr = start(dir.path()).await;
    let client = reqwest::Client::new();
    for (path, status) in [
        ("/", 200),
        ("/lessons/anything", 200),
        ("/sw.js", 200),
        ("/hocso-app-0123456789abcdef_bg.wasm", 200),
        ("/manifest.webmanifest", 200),
        ("/healthz", 200),
        ("/missing-0123456789abcdef.js", 404),
        ("/api/v1/nothing-here", 404),
        ("/api/v1/sync/pull", 401),
        ("/api/v1/team/dashboard?from=2025-13-45", 401),
    ] {
        let response = get(addr, path).await;
        assert_eq!(response.status(), status, "{path}");
        assert_security_headers(&response, path);
    }
    let wrong_method = client.delete(format!("http://{addr}/api/v1/sync/push")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_security_headers(&wrong_method, "405");
    let compressed = client.get(format!("http://{addr}/hocso-app-0123456789abcdef_bg.wasm")).header(ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(header(&compressed, CONTENT_ENCODING), "gzip");
    assert_security_headers(&compressed, "gzip");
}

#[tokio::test]
async fn the_policy_allows_exactly_the_inline_start_up_scripts_of_the_built_pages() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    std::fs::write(dir.path().join("index.html"), TRUNK_INDEX).unwrap();
    std::fs::create_dir(dir.path().join("team")).unwrap();
    let team = TRUNK_INDEX.replace("/hocso-app-", "/team/hocso-app-");
    std::fs::write(dir.path().join("team/index.html"), &team).unwrap();
    let addr = start(dir.path()).await;

    let script = |page: &str| hocso_server::static_files::inline_scripts(page)[0].to_owned();
    let learner_hash = hocso_server::static_files::script_hash(&script(TRUNK_INDEX));
    let team_hash = hocso_server::static_files::script_hash(&script(&team));
    let csp = header(&get(addr, "/").await, reqwest::header::CONTENT_SECURITY_POLICY).to_owned();
    assert!(csp.starts_with(&format!("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {learner_hash} {team_hash};")), "{csp}");

    // A new build while the server runs: the new page's script is allowed, the old one no longer.
    let rebuilt = TRUNK_INDEX.replace("0123456789abcdef", "fedcba9876543210");
    std::fs::write(dir.path().join("index.html"), &rebuilt).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let csp = header(&get(addr, "/sw.js").await, reqwest::header::CONTENT_SECURITY_POLICY).to_owned();
    assert!(csp.contains(&hocso_server::static_files::script_hash(&script(&rebuilt))), "{csp}");
    assert!(!csp.contains(&learner_hash) && csp.contains(&team_hash), "{csp}");
}
