//! HTTPS: the certificate and key read at start (rustls, no OpenSSL), the `Strict-Transport-Security`
//! header of answers that came over TLS, and the plain-HTTP listener that only redirects to HTTPS.
//!
//! Why it matters here: a browser gives a page on `http://<address>` no service worker and no
//! persistent storage, so the app cannot work offline; and tokens and join codes would cross the
//! network in clear text.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::api::error::ApiError;

/// The PEM files of `--tls-cert` and `--tls-key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, server certificate first (Let's Encrypt's `fullchain.pem`).
    pub cert: PathBuf,
    /// Its private key (`privkey.pem`): PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
    pub key: PathBuf,
}

/// One year: browsers then use HTTPS for this name without trying HTTP first. Not
/// `includeSubDomains`: a commune's other sites under the same name may not have HTTPS.
pub const HSTS: &str = "max-age=31536000";

/// Reads the certificate and key and checks that they belong together; every failure is a sentence
/// that names the file and says what to do.
pub fn acceptor(files: &TlsFiles) -> anyhow::Result<TlsAcceptor> {
    let cert_bytes = read(&files.cert, "--tls-cert", "certificate")?;
    let certs = CertificateDer::pem_slice_iter(&cert_bytes).collect::<Result<Vec<_>, _>>().map_err(|e| {
        anyhow::anyhow!(
            "{} is not a readable PEM certificate file ({e}): pass the certificate chain (fullchain.pem) with --tls-cert",
            files.cert.display()
        )
    })?;
    if certs.is_empty() {
        anyhow::bail!(
            "{} holds no certificate (no \"-----BEGIN CERTIFICATE-----\"): pass the certificate chain (fullchain.pem) with --tls-cert",
            files.cert.display()
        );
    }
    let key_bytes = read(&files.key, "--tls-key", "private key")?;
    let key = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} holds no readable private key ({e}): pass the certificate's private key (privkey.pem) with --tls-key",
            files.key.display()
        )
    })?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("setting up TLS")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            anyhow::anyhow!(
                "the certificate {} and the key {} cannot be used together ({e}): check that the key is the certificate's own",
                files.cert.display(),
                files.key.display()
            )
        })?;
    // The server speaks HTTP/1.1 only (see `connections`).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn read(path: &Path, flag: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read the TLS {what} {} ({e}): check the path given with {flag}", path.display()))
}

/// Adds `Strict-Transport-Security` to answers that reached the browser over HTTPS: every answer
/// when this process ends TLS itself (`on_tls`), or, behind a trusted reverse proxy, answers to
/// requests the proxy marks `X-Forwarded-Proto: https`. Never on plain HTTP, where browsers ignore it
/// and it would only mislead.
pub fn with_hsts(router: Router, on_tls: bool, trust_proxy: bool) -> Router {
    if !on_tls && !trust_proxy {
        return router;
    }
    router.layer(axum::middleware::from_fn(move |request: Request<Body>, next: axum::middleware::Next| async move {
        let forwarded_https = trust_proxy
            && request.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        let mut response = next.run(request).await;
        if on_tls || forwarded_https {
            response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
        }
        response
    }))
}

/// The plain-HTTP listener of `--redirect-http-from`: every request is sent to the same host and
/// path on HTTPS (`308`, so a phone's `POST` stays a `POST`). Nothing else is served on it.
pub fn redirect_router(https_port: u16) -> Router {
    let router = Router::new().fallback(move |request: Request<Body>| async move { redirect(&request, https_port) });
    crate::static_files::with_security_headers(router, None)
}

fn redirect(request: &Request<Body>, https_port: u16) -> Response {
    let Some(host) = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).and_then(host_without_port) else {
        return ApiError::client(
            StatusCode::BAD_REQUEST,
            "no_host",
            "this address only redirects to HTTPS, and the request named no host: open https://<server>/",
        )
        .into_response();
    };
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{host}{port}{path}");
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, value)], "this server answers over HTTPS only\n").into_response(),
        Err(_) => {
            ApiError::client(StatusCode::BAD_REQUEST, "bad_host", "the request's host is not a valid name: open https://<server>/").into_response()
        }
    }
}

/// `example.org:80` → `example.org`, `[::1]:80` → `[::1]`; `None` for a value that is not a host.
fn host_without_port(host: &str) -> Option<&str> {
    let host = host.trim();
    let name = if host.starts_with('[') { &host[..=host.find(']')?] } else { host.rsplit_once(':').map_or(host, |(name, _)| name) };
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_their_port_and_odd_values_are_refused() {
        assert_eq!(host_without_port("hocso.example:80"), Some("hocso.example"));
        assert_eq!(host_without_port("192.168.1.20"), Some("192.168.1.20"));
        assert_eq!(host_without_port("[fe80::1]:8080"), Some("[fe80::1]"));
        assert_eq!(host_without_port("evil.example/x?"), None);
        assert_eq!(host_without_port(""), None);
    }
}
