//! A trainer's studio, the server half: `POST /api/v1/content/check` and `/publish` over real HTTP,
//! against a real router serving a copy of the shipped content, with tokens in a real database
//! (SQLite, or PostgreSQL in `cargo xtask test`). Each refusal is checked to change nothing: the
//! content folder and the served packs are compared byte for byte before and after.
mod common;

use common::{copy_dir, shipped_content};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use common::assert_error;
use hocso_core::content::{build_packs, Catalogue, ContentTree};
use hocso_server::store::{Store, TokenRole};
use hocso_server::ServeConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Every file under `dir` (hidden ones too) with its bytes, and every folder: what "nothing
/// changed" compares.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(dir: &Path, prefix: &str, into: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.path().is_dir() {
                into.insert(format!("{name}/"), None);
                walk(&entry.path(), &format!("{name}/"), into);
            } else {
                into.insert(name, Some(std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut all = BTreeMap::new();
    walk(dir, "", &mut all);
    all
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A running server whose content folder is a copy of the shipped one, already built into its dist.
struct Studio {
    addr: SocketAddr,
    client: reqwest::Client,
    store: Store,
    /// Holds `content/` (the source folder) and `dist/` (the served app and packs), nothing else.
    root: tempfile::TempDir,
    _database: tempfile::TempDir,
}

impl Studio {
    async fn start(with_content_folder: bool) -> Studio {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join("content");
        copy_dir(&shipped_content(), &content);
        let dist = root.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!DOCTYPE html>").unwrap();
        build_packs(&content, &dist.join("content")).unwrap();
        let database = tempfile::tempdir().unwrap();
        let url = common::database_url(&database.path().join("hocso.db")).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = ServeConfig::new(addr, dist, url.clone());
        config.limits = common::generous();
        config.content = with_content_folder.then_some(content);
        let store = Store::open(&url).await.unwrap();
        let app = hocso_server::router(&config, store.clone());
        tokio::spawn(hocso_server::serve_connections(listener, app, config.connections, std::future::pending()));
        Studio { addr, client: reqwest::Client::new(), store, root, _database: database }
    }

    fn content(&self) -> PathBuf {
        self.root.path().join("content")
    }

    async fn token(&self, role: TokenRole) -> String {
        self.store.create_token_with_role("Tổ biên soạn Sở GD&ĐT", role).await.unwrap().1
    }

    async fn post_raw(&self, path: &str, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("http://{}/api/v1{path}", self.addr))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
    }

    async fn post(&self, path: &str, token: &str, files: &[(&str, &str)]) -> (StatusCode, Value) {
        self.post_raw(path, token, serde_json::to_vec(&upload(files)).unwrap()).await
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let response = self.client.get(format!("http://{}{path}", self.addr)).bearer_auth(token).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The catalogue as phones download it, and its bytes' version.
    async fn served_catalogue(&self) -> (Catalogue, String) {
        let response = self.client.get(format!("http://{}/content/catalogue.json", self.addr)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.unwrap();
        (serde_json::from_slice(&bytes).unwrap(), sha256_hex(&bytes))
    }

    fn snapshot(&self) -> BTreeMap<String, Option<Vec<u8>>> {
        snapshot(self.root.path())
    }
}

fn upload(files: &[(&str, &str)]) -> Value {
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    json!({"files": files.iter().map(|(path, text)| json!({"path": path, "base64": encode(text)})).collect::<Vec<_>>()})
}

fn lesson(id: &str, topic: &str, order: u32, title: &str) -> String {
    format!(
        "---\nid: {id}\ntopic: {topic}\ntitle: {title}\nsummary: Một bài tập thử.\nminutes: 3\norder: {order}\nstatus: draft\n---\n\n\
         ## Mở ứng dụng\nBấm vào biểu tượng.\n\n## ? Khi nào nên hỏi người thân?\n- [x] Khi chưa chắc\n  > Đúng.\n- [ ] Không bao giờ\n  > Chưa đúng.\n"
    )
}

/// `minutes: nhiều` on line 6: not a number.
fn broken_lesson(id: &str) -> String {
    lesson(id, "cashless-payment", 61, "Bài hỏng").replace("minutes: 3", "minutes: nhiều")
}

const TOPIC_MD: &str = "---\nid: farming\ncolour: \"#558b2f\"\norder: 6\nicon: icon.svg\ntitle: Nông nghiệp số\nsummary: Xem thời tiết, bán nông sản\ntitle.en: Digital farming\nsummary.en: Weather, selling produce\n---\n";
const ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\"><circle cx=\"32\" cy=\"32\" r=\"20\" fill=\"#558b2f\"/></svg>\n";

#[tokio::test]
async fn only_a_trainer_token_publishes_and_a_trainer_token_reads_no_teams() {
    let studio = Studio::start(true).await;
    let trainer = studio.token(TokenRole::Trainer).await;
    let province = studio.token(TokenRole::Province).await;
    let codes = studio.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let device = common::join_over_http(&studio.client, &format!("http://{}", studio.addr), &codes.leader_code, "leader", "phone-a").await;
    let before = studio.snapshot();
    let text = lesson("new-lesson", "cashless-payment", 60, "Bài mới");
    let good = [("cashless-payment/new-lesson/vi.md", text.as_str())];

    for endpoint in ["/content/check", "/content/publish"] {
        let (status, body) = studio.post(endpoint, &province, &good).await;
        assert_error(status, &body, 403, "trainer_only");
        assert!(body["message"].as_str().unwrap().contains("--role trainer"), "{body}");
        let (status, body) = studio.post(endpoint, &device, &good).await;
        assert_error(status, &body, 403, "trainer_only");
        let (status, body) = studio.post(endpoint, "hsa_not-a-token", &good).await;
        assert_error(status, &body, 401, "invalid_token");
    }
    // The trainer's token reads no team's numbers and nothing of the sync API.
    let (status, body) = studio.get("/api/v1/admin/teams", &trainer).await;
    assert_error(status, &body, 403, "province_only");
    let (status, body) = studio.get("/api/v1/team/dashboard", &trainer).await;
    assert_error(status, &body, 403, "team_token_required");
    assert_eq!(studio.get("/api/v1/admin/teams", &province).await.0, 200, "the province token still reads them");
    assert_eq!(studio.snapshot(), before, "nothing was written by a refused token");

    // Revoked: 401 at once.
    let id = studio.store.list_admin_tokens().await.unwrap().into_iter().find(|t| t.role == TokenRole::Trainer).unwrap().id;
    assert_eq!(studio.post("/content/check", &trainer, &good).await.0, 200);
    studio.store.revoke_admin_token(&id).await.unwrap();
    let (status, body) = studio.post("/content/publish", &trainer, &good).await;
    assert_error(status, &body, 401, "token_revoked");
    assert_eq!(studio.snapshot(), before);
}

#[tokio::test]
async fn a_check_with_a_broken_lesson_answers_422_with_its_file_and_line_and_writes_nothing() {
    let studio = Studio::start(true).await;
    let trainer = studio.token(TokenRole::Trainer).await;
    let before = studio.snapshot();
    let broken = broken_lesson("broken-lesson");

    let (status, body) = studio.post("/content/check", &trainer, &[("cashless-payment/broken-lesson/vi.md", &broken)]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "1 error in the lessons: fix them before publishing");
    assert_eq!(body["message"], body["error"]);
    let problems = body["problems"].as_array().unwrap();
    let error = problems.iter().find(|p| p["severity"] == "error").expect("the error is listed");
    assert_eq!(error["file"], "cashless-payment/broken-lesson/vi.md", "{error}");
    assert_eq!(error["position"]["line"], 6, "{error}");
    assert_eq!(error["line_text"], "minutes: nhiều", "the app can show the line");
    assert!(error["message"].as_str().unwrap().len() > 10, "{error}");
    // Warnings come with it (no en.md translation yet).
    assert!(problems.iter().any(|p| p["severity"] == "warning" && p["file"] == "cashless-payment/broken-lesson/vi.md"), "{body}");
    assert_eq!(studio.snapshot(), before, "a check writes nothing");

    // A good lesson: 200, still nothing written.
    let (catalogue_before, version_before) = studio.served_catalogue().await;
    let good = lesson("good-lesson", "cashless-payment", 60, "Bài tốt");
    let (status, body) = studio.post("/content/check", &trainer, &[("cashless-payment/good-lesson/vi.md", &good)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["published"], false);
    assert_eq!(body["lessons"].as_u64().unwrap() as usize, ContentTree::load(&studio.content()).report.lessons + 1);
    assert_ne!(body["catalogue_version"], version_before.as_str(), "the version a publish would give");
    assert!(body["warnings"].as_array().unwrap().iter().all(|w| w["severity"] == "warning"));
    assert_eq!(studio.snapshot(), before);
    assert_eq!(studio.served_catalogue().await, (catalogue_before, version_before));
}

#[tokio::test]
async fn a_good_publish_serves_a_new_topic_and_lesson_at_once_and_writes_them_into_the_content_folder() {
    let studio = Studio::start(true).await;
    let trainer = studio.token(TokenRole::Trainer).await;
    let (before, version_before) = studio.served_catalogue().await;
    let weather = lesson("check-the-weather", "farming", 1, "Xem thời tiết");
    let vietqr_en = "cashless-payment/pay-by-vietqr/en.md";
    // An existing file sent as it is (the trainer sends the whole folder) is fine too.
    let unchanged = std::fs::read_to_string(studio.content().join(vietqr_en)).unwrap();
    let files = [
        ("farming/topic.md", TOPIC_MD),
        ("farming/media/icon.svg", ICON),
        ("farming/check-the-weather/vi.md", weather.as_str()),
        (vietqr_en, unchanged.as_str()),
    ];

    let (status, body) = studio.post("/content/publish", &trainer, &files).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["published"], true);
    let (after, version_after) = studio.served_catalogue().await;
    assert_eq!(body["catalogue_version"], version_after.as_str(), "the answer's version is the served catalogue's");
    assert_ne!(version_after, version_before);
    assert_eq!(after.topics.len(), before.topics.len() + 1);
    let farming = after.topics.iter().find(|t| t.id == "farming").expect("the new topic is served");
    assert_eq!(farming.lessons.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["check-the-weather"]);
    assert_eq!(body["lessons"].as_u64().unwrap() as usize, after.topics.iter().map(|t| t.lessons.len()).sum::<usize>());
    let pack = &farming.packs["vi"];
    let served = studio.client.get(format!("http://{}{}?v={}", studio.addr, pack.url, pack.version)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert!(served.text().await.unwrap().contains("Xem thời tiết"));

    // The content folder holds the files, so `hocso content check DIR` and the next publish see them.
    for (path, text) in files {
        assert_eq!(std::fs::read_to_string(studio.content().join(path)).unwrap(), text, "{path}");
    }
    let report = ContentTree::load(&studio.content()).report;
    assert!(!report.has_errors(), "{:?}", report.errors().collect::<Vec<_>>());
    // Nothing left over: no hidden upload files, no staging folders beside dist/content.
    let leftovers: Vec<String> =
        studio.snapshot().into_keys().filter(|p| p.contains("/.") || p.contains("upload") || p.contains("content.new")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Phones hear of it on their next pull.
    let codes = studio.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let device = common::join_over_http(&studio.client, &format!("http://{}", studio.addr), &codes.join_code, "mai", "phone-a").await;
    let (status, pulled) = studio.get("/api/v1/sync/pull", &device).await;
    assert_eq!(status, 200, "{pulled}");
    assert_eq!(pulled["catalogue_version"], version_after.as_str());
}

#[tokio::test]
async fn a_bad_publish_answers_422_and_changes_nothing_served_or_stored() {
    let studio = Studio::start(true).await;
    let trainer = studio.token(TokenRole::Trainer).await;
    let before = studio.snapshot();
    let served_before = studio.served_catalogue().await;
    let broken = broken_lesson("broken-lesson");
    // A good lesson and a new topic sent with the broken one are not published either.
    let files = [
        ("farming/topic.md", TOPIC_MD),
        ("farming/media/icon.svg", ICON),
        ("cashless-payment/broken-lesson/vi.md", broken.as_str()),
        ("cashless-payment/pay-by-vietqr/vi.md", "---\nid: pay-by-vietqr\n---\n"),
    ];

    let (status, body) = studio.post("/content/publish", &trainer, &files).await;
    assert_eq!(status, 422, "{body}");
    let sentence = body["error"].as_str().unwrap();
    assert!(sentence.ends_with("errors in the lessons: nothing was published"), "{sentence}");
    assert!(body["problems"].as_array().unwrap().iter().any(|p| p["file"] == "cashless-payment/broken-lesson/vi.md" && p["position"]["line"] == 6));
    assert_eq!(studio.snapshot(), before, "the content folder and dist are byte for byte as before");
    assert_eq!(studio.served_catalogue().await, served_before);
}

#[tokio::test]
async fn uploads_that_are_not_files_of_a_content_folder_are_refused_with_a_sentence_and_change_nothing() {
    let studio = Studio::start(true).await;
    let trainer = studio.token(TokenRole::Trainer).await;
    let before = studio.snapshot();
    let good = lesson("new-lesson", "cashless-payment", 60, "Bài mới");

    for path in ["../x", "../content/cashless-payment/x/vi.md", "/etc/passwd", "a\\b", "cashless-payment/x/notes.txt", ".hidden/x/vi.md"] {
        let (status, body) = studio.post("/content/publish", &trainer, &[(path, good.as_str())]).await;
        assert_error(status, &body, 400, "invalid_path");
        assert!(body["message"].as_str().unwrap().contains(path), "the sentence names the path: {body}");
    }
    let twice = [("cashless-payment/new-lesson/vi.md", good.as_str()), ("cashless-payment/new-lesson/vi.md", good.as_str())];
    let (status, body) = studio.post("/content/publish", &trainer, &twice).await;
    assert_error(status, &body, 400, "duplicate_path");
    let bad_base64 = json!({"files": [{"path": "cashless-payment/new-lesson/vi.md", "base64": "not base64!"}]});
    let (status, body) = studio.post_raw("/content/publish", &trainer, serde_json::to_vec(&bad_base64).unwrap()).await;
    assert_error(status, &body, 400, "invalid_base64");
    let (status, body) = studio.post_raw("/content/publish", &trainer, b"{\"files\": [".to_vec()).await;
    assert_error(status, &body, 400, "malformed_json");
    let (status, body) = studio.post_raw("/content/publish", &trainer, br#"{"files": [{"path": "a/b/vi.md"}]}"#.to_vec()).await;
    assert_error(status, &body, 422, "invalid_body");
    let (status, body) = studio.post_raw("/content/publish", &trainer, br#"{"files": []}"#.to_vec()).await;
    assert_error(status, &body, 400, "no_files");
    let response = studio
        .client
        .post(format!("http://{}/api/v1/content/publish", studio.addr))
        .bearer_auth(&trainer)
        .body(serde_json::to_vec(&upload(&[("cashless-payment/new-lesson/vi.md", &good)])).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);

    // Over 32 MB: 413 with a sentence. (A 2 MB upload, over the sync API's 1 MB, is read.)
    let big_readme = "Ghi chú cho người soạn bài.\n".repeat(2 * 1024 * 1024 / 30);
    let (status, body) = studio.post("/content/check", &trainer, &[("README.md", big_readme.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    let huge = vec![b'A'; 33 * 1024 * 1024];
    let huge =
        format!("{{\"files\": [{{\"path\": \"cashless-payment/new-lesson/media/big.svg\", \"base64\": \"{}\"}}]}}", String::from_utf8(huge).unwrap());
    let (status, body) = studio.post_raw("/content/publish", &trainer, huge.into_bytes()).await;
    assert_error(status, &body, 413, "body_too_large");
    assert!(body["message"].as_str().unwrap().contains("32 MB"), "{body}");

    assert_eq!(studio.snapshot(), before, "nothing was written");
}

#[tokio::test]
async fn a_server_started_without_a_content_folder_answers_409() {
    let studio = Studio::start(false).await;
    let trainer = studio.token(TokenRole::Trainer).await;
    let before = studio.snapshot();
    let good = lesson("new-lesson", "cashless-payment", 60, "Bài mới");
    for endpoint in ["/content/check", "/content/publish"] {
        let (status, body) = studio.post(endpoint, &trainer, &[("cashless-payment/new-lesson/vi.md", good.as_str())]).await;
        assert_error(status, &body, 409, "no_content_folder");
        assert!(body["message"].as_str().unwrap().starts_with("this server was started without --content"), "{body}");
    }
    assert_eq!(studio.snapshot(), before);
}

#[tokio::test]
async fn publishes_at_the_same_time_take_turns_and_each_lesson_is_served() {
    let studio = Studio::start(true).await;
    let trainer = studio.token(TokenRole::Trainer).await;
    let lessons: Vec<(String, String)> = (0..6)
        .map(|i| (format!("cashless-payment/at-once-{i}/vi.md"), lesson(&format!("at-once-{i}"), "cashless-payment", 70 + i, &format!("Bài {i}"))))
        .collect();
    let mut publishes = tokio::task::JoinSet::new();
    for (path, text) in lessons {
        let (client, url, trainer) = (studio.client.clone(), format!("http://{}/api/v1/content/publish", studio.addr), trainer.clone());
        publishes.spawn(async move {
            let response = client.post(url).bearer_auth(trainer).json(&upload(&[(path.as_str(), text.as_str())])).send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        });
    }
    for (status, body) in publishes.join_all().await {
        assert_eq!(status, 200, "{body}");
    }
    // Each publish read the folder as the one before it left it: every lesson is served.
    let (catalogue, _) = studio.served_catalogue().await;
    let served: Vec<&str> = catalogue.topics.iter().flat_map(|t| t.lessons.iter().map(|l| l.id.as_str())).collect();
    for i in 0..6 {
        assert!(served.contains(&format!("at-once-{i}").as_str()), "at-once-{i} is missing from {served:?}");
    }
    let built_again = tempfile::tempdir().unwrap();
    build_packs(&studio.content(), built_again.path()).unwrap();
    assert_eq!(
        snapshot(built_again.path()),
        snapshot(&studio.root.path().join("dist/content")),
        "what is served is exactly the build of the content folder"
    );
}

#[tokio::test]
async fn tokens_made_before_roles_existed_are_province_tokens_and_keep_working() {
    // A database as the server before roles left it: the shared migrations up to 0005, one token.
    let dir = tempfile::tempdir().unwrap();
    let old_migrations = dir.path().join("migrations");
    std::fs::create_dir_all(&old_migrations).unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")).unwrap() {
        let entry = entry.unwrap();
        let version: u32 = entry.file_name().to_string_lossy()[..4].parse().unwrap();
        if version <= 5 {
            std::fs::copy(entry.path(), old_migrations.join(entry.file_name())).unwrap();
        }
    }
    let path = dir.path().join("hocso.db");
    std::fs::write(&path, b"").unwrap();
    let url = common::database_url(&path).await;
    let pool = common::pool(&url).await;
    sqlx::migrate::Migrator::new(old_migrations.as_path()).await.unwrap().run(&pool).await.unwrap();
    let token = "hsa_made-before-roles";
    sqlx::query("INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES ('a-old', 'Sở cũ', $1, 1)")
        .bind(hocso_server::store::sha256_hex(token))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = Store::open(&url).await.unwrap();
    let old = store.authenticate_admin(token).await.unwrap();
    assert_eq!((old.id.as_str(), old.role), ("a-old", TokenRole::Province));
    let listed = store.list_admin_tokens().await.unwrap();
    assert_eq!(listed.iter().map(|t| (t.id.as_str(), t.role)).collect::<Vec<_>>(), [("a-old", TokenRole::Province)]);
    // A role the server does not know (an edited database) is refused by the database itself.
    let pool = common::pool(&url).await;
    let written = sqlx::query("UPDATE admin_tokens SET role = 'editor' WHERE id = 'a-old'").execute(&pool).await;
    assert!(written.is_err(), "the CHECK keeps roles to province and trainer");
    pool.close().await;
    store.close().await;
}
