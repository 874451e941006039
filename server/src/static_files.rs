//! Serving the built app: right MIME types, caching that suits a PWA, SPA fallback for app routes,
//! and the security headers of every answer (static files, API, errors): the Content-Security-Policy
//! of the app's pages, `nosniff` and `no-referrer`.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Fails with a clear message when the app has not been built.
pub fn check_dist(dist: &Path) -> anyhow::Result<()> {
    if !dist.join("index.html").is_file() {
        anyhow::bail!("the built app is missing: {} has no index.html. Run `cargo xtask build` first (or pass --dist).", dist.display());
    }
    Ok(())
}

/// How long a browser may keep a file without asking again.
pub fn cache_control(path: &str) -> &'static str {
    if is_hashed_asset(path) {
        // Trunk puts a content hash in these names: a new build has new names.
        "public, max-age=31536000, immutable"
    } else {
        // index.html, sw.js, manifest, locales, content packs: always revalidate, so updates arrive.
        "no-cache"
    }
}

/// `style-1a2b3c4d5e6f7a8b.css`, `hocso-app-1a2b…_bg.wasm`: a name ending in `-<hex hash>`.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, ext)) = name.rsplit_once('.') else { return false };
    if !matches!(ext, "js" | "wasm" | "css") {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A path the single-page app handles itself (`/topics/x`), as opposed to a missing file (`/x.js`).
fn is_app_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    !path.starts_with("/api/") && !last.contains('.')
}

/// A route of the team tools (`dist/team/`, a second app): `/team`, `/team/…` and `/province`.
fn is_team_route(path: &str) -> bool {
    is_app_route(path) && (path == "/team" || path.starts_with("/team/") || path == "/province")
}

/// Serves `dist/`; team routes get `team/index.html` (when the team tools are built), other
/// unknown app routes `index.html`, unknown files a 404.
pub fn service(
    dist: &Path,
) -> impl tower::Service<Request<Body>, Response = Response<Body>, Error = std::convert::Infallible, Future = impl Send> + Clone + Send + 'static {
    // `cargo xtask build` writes `.br`/`.gz` copies of the shell: sent as-is when the browser accepts them.
    let files = ServeDir::new(dist).append_index_html_on_directories(true).precompressed_br().precompressed_gzip();
    let index = ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip();
    let team_index = ServeFile::new(dist.join("team/index.html")).precompressed_br().precompressed_gzip();
    tower::service_fn(move |request: Request<Body>| {
        let files = files.clone();
        let index = index.clone();
        let team_index = team_index.clone();
        async move {
            let path = request.uri().path().to_owned();
            let mut cache_path = path.as_str();
            let mut response = if is_team_route(&path) {
                // Before the files: `/team` is also a folder, which would redirect to `/team/`.
                cache_path = "/team/index.html";
                team_index.oneshot(Request::new(Body::empty())).await.into_response()
            } else {
                files.oneshot(request).await.into_response()
            };
            if response.status() == StatusCode::NOT_FOUND {
                if is_app_route(&path) {
                    response = index.oneshot(Request::new(Body::empty())).await.into_response();
                    cache_path = "/index.html";
                } else {
                    response = (StatusCode::NOT_FOUND, "not found").into_response();
                }
            }
            if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
                response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(cache_path)));
            }
            if path.ends_with(".webmanifest") {
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
            }
            Ok(response)
        }
    })
}

/// The Content-Security-Policy, without its script hashes. The app is a WASM app loaded by a
/// module script: scripts only from this server (`'self'`: the JS glue, `/pwa.js`, `/sw.js`) plus
/// the hashes of the inline start-up scripts Trunk writes into the pages, and WebAssembly compiled
/// from them (`'wasm-unsafe-eval'`, not `'unsafe-eval'`: `eval` stays forbidden). Styles from this
/// server and inline `style` attributes (Leptos sets `style="--topic-colour: …"`, `width: …%`);
/// everything else (pictures, audio, fetches, the worker, the manifest) from this server only, and
/// pictures and sound also from `blob:` URLs the app itself makes: a team's recording played back
/// before it is sent, the recordings a phone keeps for offline use (`GET
/// /api/v1/recordings/{id}/audio` needs the device token, which an `<audio src>` cannot send), and
/// the team tools' studio previewing the lesson files a trainer chose on the device; no plugins, no
/// `<base>`, forms post here, and no other site may frame the app.
const CSP_BEFORE_HASHES: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const CSP_AFTER_HASHES: &str = "; style-src 'self' 'unsafe-inline'; img-src 'self' blob:; media-src 'self' blob:; \
connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// The pages whose inline scripts the policy allows (the learner app and the team tools).
const PAGES: [&str; 2] = ["index.html", "team/index.html"];

/// How often the pages are looked at again for a new build (`cargo xtask build` while serving).
const RECHECK: Duration = Duration::from_secs(1);

/// The headers every answer carries. Cheap to clone; the policy follows the built pages.
#[derive(Clone)]
pub struct SecurityHeaders {
    csp: Arc<Csp>,
}

struct Csp {
    /// `None`: answers that are never a page (the overload answer).
    dist: Option<PathBuf>,
    cache: Mutex<CspCache>,
}

struct CspCache {
    checked: Option<Instant>,
    /// The pages as last read (`None`: missing).
    pages: Vec<Option<String>>,
    value: HeaderValue,
}

impl SecurityHeaders {
    /// For the app built in `dist` (the policy allows its pages' inline scripts); `None` for a
    /// server that sends no page.
    pub fn new(dist: Option<&Path>) -> Self {
        let value = HeaderValue::from_str(&content_security_policy(&[])).expect("the policy is ASCII");
        Self { csp: Arc::new(Csp { dist: dist.map(Path::to_owned), cache: Mutex::new(CspCache { checked: None, pages: Vec::new(), value }) }) }
    }

    /// The current policy, recomputed when a page changed (they are read at most once a second:
    /// a few kB).
    pub fn content_security_policy(&self) -> HeaderValue {
        let mut cache = self.csp.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(dist) = &self.csp.dist else { return cache.value.clone() };
        if cache.checked.is_some_and(|at| at.elapsed() < RECHECK) {
            return cache.value.clone();
        }
        let pages: Vec<Option<String>> = PAGES.iter().map(|page| std::fs::read_to_string(dist.join(page)).ok()).collect();
        if cache.checked.is_none() || pages != cache.pages {
            let hashes: Vec<String> = pages.iter().flatten().flat_map(|html| inline_scripts(html)).map(script_hash).collect();
            match HeaderValue::from_str(&content_security_policy(&hashes)) {
                Ok(value) => cache.value = value,
                Err(error) => tracing::error!(%error, "the Content-Security-Policy is not a valid header"),
            }
            cache.pages = pages;
        }
        cache.checked = Some(Instant::now());
        cache.value.clone()
    }

    /// Adds the headers (replacing any a handler set).
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert(header::CONTENT_SECURITY_POLICY, self.content_security_policy());
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        // For browsers older than `frame-ancestors`.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

/// Every answer of `router` gets the security headers; give it the built app's folder when it
/// serves the app's pages.
pub fn with_security_headers(router: Router, dist: Option<&Path>) -> Router {
    async fn add(State(headers): State<SecurityHeaders>, mut response: Response<Body>) -> Response<Body> {
        headers.apply(response.headers_mut());
        response
    }
    router.layer(axum::middleware::map_response_with_state(SecurityHeaders::new(dist), add))
}

/// The policy with these `'sha256-…'` sources for inline scripts.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut policy = CSP_BEFORE_HASHES.to_owned();
    for hash in script_hashes {
        policy.push(' ');
        policy.push_str(hash);
    }
    policy.push_str(CSP_AFTER_HASHES);
    policy
}

/// The text of each inline `<script>` (one without `src`) of an HTML page, as written.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| from + i) {
        let after_name = start + "<script".len();
        // `<scripts>` or `<script-x>` is another element.
        if !lower[after_name..].starts_with(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace()) {
            from = after_name;
            continue;
        }
        let Some(tag_end) = tag_end(&lower, after_name) else { break };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else { break };
        if !has_src(&lower[after_name..tag_end - 1]) {
            scripts.push(&html[tag_end..close]);
        }
        from = close;
    }
    scripts
}

/// The index just after the `>` closing a tag whose attributes start at `from` (quotes respected).
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in html[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

/// Whether a tag's attributes (lower case) include `src`.
fn has_src(attributes: &str) -> bool {
    let mut quote = None;
    let mut name = String::new();
    for c in attributes.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_ascii_whitespace() || c == '=' || c == '/' => {
                if name == "src" {
                    return true;
                }
                name.clear();
            }
            (None, c) => name.push(c),
        }
    }
    name == "src"
}

/// `'sha256-<base64>'` of a script as the browser hashes it: HTML turns CRLF and CR into LF first.
pub fn script_hash(script: &str) -> String {
    let text = script.replace("\r\n", "\n").replace('\r', "\n");
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_left_out() {
        let html = "<html><head><script src=\"/pwa.js\" defer></script><link rel=\"modulepreload\" href=\"/a.js\">\
            <SCRIPT type=\"module\">import init from '/a.js';\r\nawait init();</SCRIPT><scripts>x</scripts>\
            <script data-x='>' >one()</script><script type=module>two()</script></head></html>";
        assert_eq!(inline_scripts(html), ["import init from '/a.js';\r\nawait init();", "one()", "two()"]);
        assert!(has_src(" src=\"/x.js\"") && has_src(" defer src=/x.js") && !has_src(" data-src=\"x\" type=module"));
    }

    #[test]
    fn script_hashes_are_what_browsers_compute() {
        // echo -n "alert('Hello, world.');" | openssl sha256 -binary | base64 (the example of CSP's spec).
        assert_eq!(script_hash("alert('Hello, world.');"), "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='");
        assert_eq!(script_hash("a\r\nb\rc"), script_hash("a\nb\nc"));
    }

    #[test]
    fn trunk_hashed_names_are_cached_forever_and_the_rest_revalidated() {
        assert_eq!(cache_control("/hocso-app-3f9c2a7b1d4e5f60_bg.wasm"), "public, max-age=31536000, immutable");
        assert_eq!(cache_control("/style-3f9c2a7b1d4e5f60.css"), "public, max-age=31536000, immutable");
        assert_eq!(cache_control("/index.html"), "no-cache");
        assert_eq!(cache_control("/sw.js"), "no-cache");
        assert_eq!(cache_control("/pwa.js"), "no-cache");
        assert_eq!(cache_control("/content/catalogue.json"), "no-cache");
        assert_eq!(cache_control("/icons/icon-192.png"), "no-cache");
    }

    #[test]
    fn app_routes_are_told_apart_from_missing_files() {
        assert!(is_app_route("/"));
        assert!(is_app_route("/topics/data-safety"));
        assert!(!is_app_route("/missing.js"));
        assert!(!is_app_route("/api/v1/unknown"));
        assert!(is_team_route("/team") && is_team_route("/team/sessions/s1") && is_team_route("/province"));
        assert!(!is_team_route("/team/hocso-app-3f9c2a7b1d4e5f60_bg.wasm") && !is_team_route("/teams"));
    }
}
