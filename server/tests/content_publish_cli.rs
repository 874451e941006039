//! The trainer's terminal: `hocso admin create-token --role trainer`, then `hocso content publish`
//! against a real `hocso serve --content DIR` process, as a trainer would run them.
mod binary;
mod common;

use common::{copy_dir, shipped_content};
use std::path::Path;
use std::process::Output;

use binary::{hocso, write_dist, Hocso};
use hocso_core::content::Catalogue;
use sha2::{Digest, Sha256};

fn lesson(id: &str, minutes: &str) -> String {
    format!(
        "---\nid: {id}\ntopic: cashless-payment\ntitle: Hỏi trước khi chuyển\nsummary: Một bài tập thử.\nminutes: {minutes}\norder: 60\nstatus: draft\n---\n\n\
         ## Hỏi người thân\nGọi lại số bạn đã biết.\n\n## ? Khi nào nên hỏi?\n- [x] Khi chưa chắc\n  > Đúng.\n- [ ] Không bao giờ\n  > Chưa đúng.\n"
    )
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    hocso().args(args).current_dir(cwd).output().expect("the hocso binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_trainer_publishes_from_the_terminal_and_sees_the_servers_answers() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    copy_dir(&shipped_content(), &dir.path().join("content"));

    let made = run(dir.path(), &["admin", "create-token", "--role", "trainer", "--name", "Tổ biên soạn Sở GD&ĐT", "--database", "hocso.db"]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let printed = text(&made.stdout);
    assert!(printed.starts_with("Trainer token a-"), "{printed}");
    assert!(printed.contains("hocso content publish"), "it says how to use it: {printed}");
    let token = printed.split_whitespace().find(|w| w.starts_with("hsa_")).expect(&printed).to_owned();
    let listed = text(&run(dir.path(), &["admin", "list-tokens", "--database", "hocso.db"]).stdout);
    assert!(listed.contains("  trainer   Tổ biên soạn Sở GD&ĐT"), "{listed}");
    let refused = run(dir.path(), &["admin", "create-token", "--role", "editor", "--name", "x", "--database", "hocso.db"]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("choose province or trainer"), "{}", text(&refused.stderr));

    // dist has no content yet: the server builds it from --content at start.
    let server = Hocso::serve(dir.path(), &["--dist", "dist", "--content", "content", "--database", "hocso.db"]);
    assert!(server.started.iter().any(|line| line.starts_with("Publishing lessons from content")), "{:?}", server.started);
    let base = format!("http://{}", server.addr);
    let catalogue = |base: String| async move {
        let bytes = reqwest::get(format!("{base}/content/catalogue.json")).await.unwrap().bytes().await.unwrap();
        let version: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        (serde_json::from_slice::<Catalogue>(&bytes).unwrap(), version)
    };
    let (before, _) = catalogue(base.clone()).await;
    let lessons_before: usize = before.topics.iter().map(|t| t.lessons.len()).sum();

    // The trainer's own copy of the content, with a new lesson.
    let mine = dir.path().join("mine");
    copy_dir(&shipped_content(), &mine);
    std::fs::create_dir_all(mine.join("cashless-payment/ask-first")).unwrap();
    std::fs::write(mine.join("cashless-payment/ask-first/vi.md"), lesson("ask-first", "3")).unwrap();

    let published = run(dir.path(), &["content", "publish", "--server", &base, "--token", &token, "mine"]);
    let out = text(&published.stdout);
    assert_eq!(published.status.code(), Some(0), "{out}{}", text(&published.stderr));
    let (after, version) = catalogue(base.clone()).await;
    assert!(out.ends_with(&format!("published {} lessons, catalogue version {version}\n", lessons_before + 1)), "{out}");
    assert!(out.contains("mine/cashless-payment/ask-first/vi.md:1:1: warning: no en.md translation yet"), "warnings first: {out}");
    assert!(after.topics.iter().flat_map(|t| &t.lessons).any(|l| l.id == "ask-first"));
    assert_eq!(std::fs::read_to_string(dir.path().join("content/cashless-payment/ask-first/vi.md")).unwrap(), lesson("ask-first", "3"));

    // A wrong token: the server's sentence, exit 2.
    let wrong = run(dir.path(), &["content", "publish", "--server", &base, "--token", "hsa_wrong", "mine"]);
    assert_eq!(wrong.status.code(), Some(2));
    let said = text(&wrong.stderr);
    assert!(said.contains("401") && said.contains("this token is not known on this server"), "{said}");

    // A broken lesson: its problems as path:line:col, exit 1, nothing published.
    std::fs::write(mine.join("cashless-payment/ask-first/vi.md"), lesson("ask-first", "nhiều")).unwrap();
    let broken = run(dir.path(), &["content", "publish", "--server", &base, "--token", &token, "mine"]);
    let out = text(&broken.stdout);
    assert_eq!(broken.status.code(), Some(1), "{out}{}", text(&broken.stderr));
    assert!(out.contains("mine/cashless-payment/ask-first/vi.md:6:10: error: "), "{out}");
    assert!(out.ends_with("1 error in the lessons: nothing was published\n"), "{out}");
    assert_eq!(catalogue(base.clone()).await.1, version, "the served catalogue is unchanged");
    assert_eq!(std::fs::read_to_string(dir.path().join("content/cashless-payment/ask-first/vi.md")).unwrap(), lesson("ask-first", "3"));

    // A file that is not part of the lesson format: named, nothing sent.
    std::fs::write(mine.join("cashless-payment/ask-first/notes.txt"), "ghi chú").unwrap();
    let stray = run(dir.path(), &["content", "publish", "--server", &base, "--token", &token, "mine"]);
    assert_eq!(stray.status.code(), Some(2));
    assert!(
        text(&stray.stderr).contains("nothing was sent") && text(&stray.stderr).contains("`cashless-payment/ask-first/notes.txt` cannot be uploaded")
    );
    std::fs::remove_file(mine.join("cashless-payment/ask-first/notes.txt")).unwrap();

    // No server there: a sentence, exit 2.
    let nowhere = run(dir.path(), &["content", "publish", "--server", "http://127.0.0.1:9", "--token", &token, "mine"]);
    assert_eq!(nowhere.status.code(), Some(2));
    assert!(text(&nowhere.stderr).contains("cannot reach http://127.0.0.1:9"), "{}", text(&nowhere.stderr));
}

#[tokio::test]
async fn a_server_without_content_says_so_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    copy_dir(&shipped_content(), &dir.path().join("mine"));
    let made = run(dir.path(), &["admin", "create-token", "--role", "trainer", "--name", "Tổ biên soạn", "--database", "hocso.db"]);
    let token = text(&made.stdout).split_whitespace().find(|w| w.starts_with("hsa_")).unwrap().to_owned();
    let server = Hocso::serve(dir.path(), &["--dist", "dist", "--database", "hocso.db"]);
    let published = run(dir.path(), &["content", "publish", "--server", &format!("http://{}/", server.addr), "--token", &token, "mine"]);
    assert_eq!(published.status.code(), Some(2));
    assert!(text(&published.stderr).contains("this server was started without --content"), "{}", text(&published.stderr));
}

#[test]
fn serve_builds_its_content_folder_at_start_only_when_it_has_no_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let missing = run(dir.path(), &["serve", "--port", "0", "--dist", "dist", "--content", "nowhere", "--database", "hocso.db"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("--content nowhere: there is no folder there"), "{}", text(&missing.stderr));

    copy_dir(&shipped_content(), &dir.path().join("content"));
    std::fs::create_dir_all(dir.path().join("content/cashless-payment/ask-first")).unwrap();
    std::fs::write(dir.path().join("content/cashless-payment/ask-first/vi.md"), lesson("ask-first", "nhiều")).unwrap();
    let server = Hocso::serve(dir.path(), &["--dist", "dist", "--content", "content", "--database", "hocso.db"]);
    assert!(
        server.started.iter().any(|line| line.starts_with("The lessons in content have 1 error (`hocso content check content`)")),
        "{:?}",
        server.started
    );
    assert!(!dir.path().join("dist/content").exists(), "nothing was built from a folder with errors");
}
