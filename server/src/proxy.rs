//! Behind a reverse proxy (Caddy, nginx) every request comes from the proxy's address, so the
//! failure limit per client address ([`crate::api::auth::ClientAddr`]) would count all phones as one.
//! With `--trust-proxy` the client's address is read from `X-Forwarded-For` instead.
//!
//! Only when configured: without a proxy in front, anyone could write that header and pick the
//! address their failures are counted against (and so never be limited).
use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;

/// When `trust_proxy`, replaces the peer address requests carry (`ConnectInfo<SocketAddr>`) by the
/// client's address that the proxy appended to `X-Forwarded-For`.
pub fn with_forwarded_client(router: Router, trust_proxy: bool) -> Router {
    if !trust_proxy {
        return router;
    }
    router.layer(axum::middleware::from_fn(|mut request: Request<Body>, next: axum::middleware::Next| async move {
        let forwarded = request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
        if let Some(client) = forwarded_client(&forwarded) {
            request.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, 0)));
        }
        next.run(request).await
    }))
}

/// The last address of `X-Forwarded-For`: the one our proxy saw. Earlier ones were written by the
/// client itself (or proxies we know nothing of) and could be anything.
fn forwarded_client(header: &str) -> Option<IpAddr> {
    let last = header.rsplit(',').map(str::trim).find(|part| !part.is_empty())?;
    last.parse().ok().or_else(|| last.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_our_proxy_appended_is_the_client() {
        assert_eq!(forwarded_client("203.0.113.7"), "203.0.113.7".parse().ok());
        assert_eq!(forwarded_client("1.2.3.4, 203.0.113.7"), "203.0.113.7".parse().ok());
        assert_eq!(forwarded_client("1.2.3.4, 2001:db8::1 "), "2001:db8::1".parse().ok());
        assert_eq!(forwarded_client("203.0.113.7:5123"), "203.0.113.7".parse().ok());
        assert_eq!(forwarded_client("not an address"), None);
        assert_eq!(forwarded_client(""), None);
    }
}
