//! Serving the built app: right MIME types, caching that suits a PWA, SPA fallback for app routes.
use std::path::Path;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Fails with a clear message when the app has not been built.
pub fn check_dist(dist: &Path) -> anyhow::Result<()> {
    if !dist.join("index.html").is_file() {
        anyhow::bail!(
            "the built app is missing: {} has no index.html. Run `cargo xtask build` first (or pass --dist).",
            dist.display()
        );
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
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
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
) -> impl tower::Service<Request<Body>, Response = Response<Body>, Error = std::convert::Infallible, Future = impl Send>
       + Clone
       + Send
       + 'static {
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
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(cache_path)));
            }
            if path.ends_with(".webmanifest") {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
            }
            Ok(response)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
