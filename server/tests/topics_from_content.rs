//! Topics are content: a province adds a topic folder (`topic.md`, its icon, a lesson), runs the
//! real `hocso content build`, and the served catalogue lists the topic with its title per language,
//! colour, icon and pack — what a phone reads on its next start, with no new app.
mod common;
use common::{copy_dir, shipped_content};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use hocso_core::content::{Catalogue, TopicPack};
use hocso_server::ServeConfig;

const TOPIC_MD: &str = "---\nid: farming\ncolour: \"#558b2f\"\norder: 6\nicon: icon.svg\ntitle: Nông nghiệp số\nsummary: Xem thời tiết, bán nông sản\ntitle.en: Digital farming\nsummary.en: Weather, selling produce\n---\n";
const ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\"><circle cx=\"32\" cy=\"32\" r=\"20\" fill=\"#558b2f\"/></svg>\n";
const LESSON_VI: &str = "---\nid: check-the-weather\ntopic: farming\ntitle: Xem thời tiết\nsummary: Xem trời mưa hay nắng.\nminutes: 3\norder: 1\nstatus: draft\n---\n\n## Mở ứng dụng thời tiết\nXem trời ngày mai.\n\n## ? Trời mưa thì làm gì?\n- [x] Mang áo mưa\n  > Đúng.\n- [ ] Phơi lúa\n  > Chưa nên.\n";
const LESSON_EN: &str = "---\nid: check-the-weather\ntopic: farming\ntitle: Checking the weather\nsummary: See whether it rains.\nminutes: 3\norder: 1\nstatus: draft\n---\n\n## Open the weather app\nLook at tomorrow.\n\n## ? It rains: what do you do?\n- [x] Take a raincoat\n  > Right.\n- [ ] Dry the rice outside\n  > Not yet.\n";

/// A copy of the shipped content with a new topic folder, as a province would add it.
fn content_with_new_topic(root: &Path) -> PathBuf {
    let content = root.join("content");
    copy_dir(&shipped_content(), &content);
    let topic = content.join("farming");
    std::fs::create_dir_all(topic.join("media")).unwrap();
    std::fs::create_dir_all(topic.join("check-the-weather")).unwrap();
    std::fs::write(topic.join("topic.md"), TOPIC_MD).unwrap();
    std::fs::write(topic.join("media/icon.svg"), ICON).unwrap();
    std::fs::write(topic.join("check-the-weather/vi.md"), LESSON_VI).unwrap();
    std::fs::write(topic.join("check-the-weather/en.md"), LESSON_EN).unwrap();
    content
}

fn hocso_build(content: &Path, dist: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hocso"))
        .args(["content", "build", content.to_str().unwrap(), "--out", dist.join("content").to_str().unwrap()])
        .output()
        .expect("the hocso binary runs")
}

async fn serve(dist: &Path) -> SocketAddr {
    std::fs::write(dist.join("index.html"), "<!DOCTYPE html>").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let db = tempfile::tempdir().unwrap().keep().join("hocso.db");
    let config = ServeConfig::new(addr, dist.to_owned(), db.to_str().unwrap());
    let app = hocso_server::app(&config).await.unwrap();
    tokio::spawn(hocso_server::serve_connections(listener, app, config.connections, std::future::pending()));
    addr
}

#[tokio::test]
async fn a_topic_folder_added_to_the_content_is_in_the_served_catalogue_after_a_build() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let addr = serve(&dist).await;

    // Before: the shipped curriculum, without the new topic.
    let built = hocso_build(&shipped_content(), &dist);
    assert_eq!(built.status.code(), Some(0), "{}", String::from_utf8_lossy(&built.stdout));
    let before: Catalogue = reqwest::get(format!("http://{addr}/content/catalogue.json")).await.unwrap().json().await.unwrap();
    assert!(before.topics.iter().all(|t| t.id != "farming"));
    let shipped_topics = before.topics.len();

    // The province adds a folder and builds again; the server keeps running.
    let content = content_with_new_topic(dir.path());
    let built = hocso_build(&content, &dist);
    assert_eq!(built.status.code(), Some(0), "{}", String::from_utf8_lossy(&built.stdout));

    let response = reqwest::get(format!("http://{addr}/content/catalogue.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache", "phones revalidate the catalogue, so they see the new topic");
    let catalogue: Catalogue = response.json().await.unwrap();
    assert_eq!(catalogue.topics.len(), shipped_topics + 1);
    let farming = catalogue.topics.last().expect("order 6 comes after the shipped topics");
    assert_eq!((farming.id.as_str(), farming.order, farming.colour()), ("farming", 6, "#558b2f"));
    assert_eq!(farming.text("vi").title, "Nông nghiệp số");
    assert_eq!(farming.text("en").summary, "Weather, selling produce");
    assert_eq!(farming.lessons.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["check-the-weather"]);

    // Its icon and its packs are served where the catalogue says.
    let icon = farming.icon.as_deref().expect("the topic has an icon");
    assert!(icon.starts_with("/content/media/farming/icon.svg?v="), "{icon}");
    let picture = reqwest::get(format!("http://{addr}{icon}")).await.unwrap();
    assert_eq!(picture.status(), 200);
    assert!(picture.headers()["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
    assert_eq!(picture.text().await.unwrap(), ICON);
    for locale in ["vi", "en"] {
        let entry = &farming.packs[locale];
        let pack: TopicPack = reqwest::get(format!("http://{addr}{}?v={}", entry.url, entry.version)).await.unwrap().json().await.unwrap();
        assert_eq!((pack.topic.as_str(), pack.lessons.len()), ("farming", 1));
    }
}

#[tokio::test]
async fn a_topic_folder_without_its_topic_file_is_refused_with_the_place_to_fix_and_nothing_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let content = content_with_new_topic(dir.path());
    std::fs::remove_file(content.join("farming/topic.md")).unwrap();
    let dist = dir.path().join("dist");
    let built = hocso_build(&content, &dist);
    let printed = String::from_utf8_lossy(&built.stdout);
    assert_eq!(built.status.code(), Some(1), "{printed}");
    assert!(printed.contains("farming/topic.md:1:1: error: missing: every topic folder needs topic.md"), "{printed}");
    assert!(printed.contains("farming/check-the-weather/vi.md:3:8: error: unknown topic `farming`"), "{printed}");
    assert!(!dist.join("content/catalogue.json").exists());
}
