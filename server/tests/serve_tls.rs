//! `hocso serve` over HTTPS, as a real process with a certificate made here (rcgen) and a real
//! HTTPS client (reqwest + rustls) that trusts only that certificate.
mod binary;
mod common;

use std::path::Path;

use binary::{run, write_dist, Hocso, INDEX};
use common::{answers, profile, MARCH_2025};
use reqwest::header::{LOCATION, STRICT_TRANSPORT_SECURITY};
use serde_json::{json, Value};

/// A certificate for `localhost` and 127.0.0.1, written as PEM files: (cert, key, cert PEM).
fn certificate(dir: &Path, name: &str) -> (String, String, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let (cert, key) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}-key.pem")));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    (cert.to_str().unwrap().to_owned(), key.to_str().unwrap().to_owned(), certified.cert.pem())
}

/// An HTTPS client that trusts `cert_pem` only, and does not follow redirects.
fn client_trusting(cert_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn team_code(database: &Path) -> String {
    let store = hocso_server::store::Store::open(database.to_str().unwrap()).await.unwrap();
    let codes = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    store.close().await;
    codes.join_code
}

#[tokio::test]
async fn the_app_and_the_sync_api_answer_over_https_with_hsts_and_http_redirects() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let (cert, key, pem) = certificate(dir.path(), "cert");
    let code = team_code(&dir.path().join("hocso.db")).await;
    let server = Hocso::serve(dir.path(), &["--tls-cert", &cert, "--tls-key", &key, "--redirect-http-from", "0"]);
    let https = |path: &str| format!("https://localhost:{}{path}", server.addr.port());
    let client = client_trusting(&pem);

    let page = client.get(https("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[STRICT_TRANSPORT_SECURITY], "max-age=31536000");
    assert_eq!(page.text().await.unwrap(), INDEX);
    let route = client.get(https("/topics/data-safety")).send().await.unwrap();
    assert_eq!((route.status().as_u16(), route.headers().contains_key(STRICT_TRANSPORT_SECURITY)), (200, true));

    // A phone joins, pushes and pulls over TLS.
    let token = common::join_over_http(&client, &https(""), &code, "Điện thoại của Mai", "phone-a").await;
    let push = client
        .post(https("/api/v1/sync/push"))
        .bearer_auth(&token)
        .json(&json!({"events": answers("phone-a", 1..=5, "mai"), "profiles": [profile("mai", "Mai", MARCH_2025)]}))
        .send()
        .await
        .unwrap();
    assert_eq!(push.status(), 200);
    assert!(push.headers().contains_key(STRICT_TRANSPORT_SECURITY));
    assert_eq!(push.json::<Value>().await.unwrap()["acked_through_seq"], 5);
    let pull: Value = client.get(https("/api/v1/sync/pull")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(pull["acked_through_seq"], 5, "{pull}");

    // The plain-HTTP port only redirects, to the same host and path on the HTTPS port.
    let redirect = server.redirect.expect("a redirecting listener");
    let answer = client.post(format!("http://localhost:{}/api/v1/sync/push?x=1", redirect.port())).send().await.unwrap();
    assert_eq!(answer.status(), 308);
    assert_eq!(answer.headers()[LOCATION], format!("https://localhost:{}/api/v1/sync/push?x=1", server.addr.port()));
    assert!(!answer.headers().contains_key(STRICT_TRANSPORT_SECURITY));

    // Plain HTTP on the HTTPS port gets no answer; a client that does not trust the certificate
    // gets none either.
    assert!(reqwest::get(format!("http://127.0.0.1:{}/", server.addr.port())).await.is_err());
    let stranger = reqwest::Client::builder().use_rustls_tls().build().unwrap();
    assert!(stranger.get(https("/")).send().await.is_err());
    // … and the server still serves the trusting client afterwards.
    assert_eq!(client.get(https("/healthz")).send().await.unwrap().status(), 200);

    let (status, stderr) = server.terminate(std::time::Duration::from_secs(15));
    assert!(status.success(), "{stderr}");
}

#[tokio::test]
async fn plain_http_has_no_hsts_and_forwarded_headers_count_only_behind_a_trusted_proxy() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let plain = Hocso::serve(dir.path(), &[]);
    let client = reqwest::Client::new();
    let url = |server: &Hocso, path: &str| format!("http://{}{path}", server.addr);
    let page = client.get(url(&plain, "/")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(!page.headers().contains_key(STRICT_TRANSPORT_SECURITY), "no proxy is trusted: the header is anyone's");

    // Failures (unknown tokens) are limited per client address: without a trusted proxy, writing
    // another X-Forwarded-For each time does not escape the limit.
    let failures_until_limited = |server: &Hocso, forwarded_for: Option<&'static str>| {
        let (client, url) = (client.clone(), url(server, "/api/v1/sync/pull"));
        async move {
            for attempt in 0..100 {
                let mut request = client.get(&url).bearer_auth("hsd_not-a-token");
                let forwarded = forwarded_for.map_or_else(|| format!("198.51.100.{attempt}"), str::to_owned);
                request = request.header("x-forwarded-for", forwarded);
                if request.send().await.unwrap().status() == 429 {
                    return attempt;
                }
            }
            panic!("never limited");
        }
    };
    assert_eq!(failures_until_limited(&plain, None).await, hocso_server::api::FAILURES_BURST as usize);

    // Behind a trusted proxy: each forwarded client has its own limit, and HTTPS as the proxy saw it
    // gets HSTS.
    let proxied = Hocso::serve(dir.path(), &["--trust-proxy", "--database", "proxied.db"]);
    assert_eq!(failures_until_limited(&proxied, Some("203.0.113.7")).await, hocso_server::api::FAILURES_BURST as usize);
    let other =
        client.get(url(&proxied, "/api/v1/sync/pull")).bearer_auth("hsd_x").header("x-forwarded-for", "1.2.3.4, 203.0.113.8").send().await.unwrap();
    assert_eq!(other.status(), 401, "another client behind the proxy is not limited");
    let forged_first = client
        .get(url(&proxied, "/api/v1/sync/pull"))
        .bearer_auth("hsd_x")
        .header("x-forwarded-for", "203.0.113.9, 203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(forged_first.status(), 429, "only the address the proxy appended counts");
    let https = client.get(url(&proxied, "/")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(https.headers()[STRICT_TRANSPORT_SECURITY], "max-age=31536000");
    let http = client.get(url(&proxied, "/")).header("x-forwarded-proto", "http").send().await.unwrap();
    assert!(!http.headers().contains_key(STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn a_missing_or_wrong_certificate_or_key_is_a_sentence_at_start() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let (cert, key, _) = certificate(dir.path(), "cert");
    let (_, other_key, _) = certificate(dir.path(), "other");
    let not_pem = dir.path().join("notes.txt");
    std::fs::write(&not_pem, "Tổ Tả Van: ghi chú").unwrap();
    let not_pem = not_pem.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["--tls-cert", "missing.pem", "--tls-key", &key], "cannot read the TLS certificate missing.pem"),
        (&["--tls-cert", &cert, "--tls-key", "missing-key.pem"], "cannot read the TLS private key missing-key.pem"),
        (&["--tls-cert", not_pem, "--tls-key", &key], "holds no certificate"),
        (&["--tls-cert", &cert, "--tls-key", not_pem], "holds no readable private key"),
        (&["--tls-cert", &cert, "--tls-key", &other_key], "cannot be used together"),
        (&["--tls-cert", &key, "--tls-key", &key], "holds no certificate"),
    ];
    for (args, expected) in cases {
        let (ok, _, stderr) = run(dir.path(), &[&["serve", "--port", "0"], args].concat());
        assert!(!ok, "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let (ok, _, stderr) = run(dir.path(), &["serve", "--port", "0", "--tls-cert", &cert]);
    assert!(!ok && stderr.contains("--tls-key"), "{stderr}");
    assert!(!dir.path().join("hocso.db").exists(), "nothing was created");
}
