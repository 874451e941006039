//! The team server's own https address (`hocso serve --public-url https://…`), told to the app at
//! `GET /api/v1/server`.
//!
//! A phone that opened the app at a plain-HTTP LAN address (`http://192.168.1.10:8080`) is not in a
//! secure context: no service worker, so nothing works offline. The app there says so, and when the
//! server knows its https address it offers a button to open it instead (the phone may not be able
//! to reach it on that Wi-Fi, so it offers, never redirects).
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hocso_core::sync::ServerInfo;

/// `https://host[:port][/path]`, checked at start: anything else is refused with a sentence.
pub fn parse(text: &str) -> anyhow::Result<String> {
    let uri: Uri =
        text.trim().parse().map_err(|_| anyhow::anyhow!("--public-url {text:?} is not a web address: give one like https://hocso.example.vn"))?;
    if uri.scheme_str() != Some("https") {
        anyhow::bail!("--public-url must start with https:// (phones need it to work offline): {text:?}");
    }
    let Some(authority) = uri.authority() else {
        anyhow::bail!("--public-url {text:?} has no host name: give one like https://hocso.example.vn");
    };
    if uri.query().is_some() || text.contains('#') || authority.as_str().contains('@') {
        anyhow::bail!("--public-url must be just an address, without user name, `?…` or `#…`: {text:?}");
    }
    let path = uri.path().trim_end_matches('/');
    Ok(format!("https://{authority}{path}/"))
}

/// `GET /api/v1/server`: what any page may know about this server (no token: it is public).
pub async fn info(public_url: Option<String>) -> Response {
    let mut response = Json(ServerInfo { public_url }).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn an_https_address_is_kept_with_one_trailing_slash() {
        assert_eq!(parse("https://hocso.example.vn").unwrap(), "https://hocso.example.vn/");
        assert_eq!(parse(" https://hocso.example.vn:8443/bantavan/ ").unwrap(), "https://hocso.example.vn:8443/bantavan/");
    }

    #[test]
    fn anything_but_a_plain_https_address_is_refused_with_a_sentence() {
        for bad in [
            "http://hocso.example.vn",
            "hocso.example.vn",
            "https://",
            "https://u:p@hocso.example.vn",
            "https://h.vn/?a=1",
            "https://h.vn/#x",
            "ftp://h.vn",
        ] {
            let error = parse(bad).expect_err(bad).to_string();
            assert!(error.contains("--public-url"), "{bad}: {error}");
        }
    }
}
