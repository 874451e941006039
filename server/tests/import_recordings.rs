//! `hocso content import-recordings`: the real binary copies a team's approved voices from a real
//! database into a copy of the shipped content, which then passes `hocso content check`; every
//! refusal says why and changes nothing.
use common::copy_dir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hocso_core::audio::sniff;
use hocso_core::content::ContentTree;
use hocso_core::recordings::RecordingPart;
use hocso_server::store::{AuthDevice, NewRecording, Store, Upload};

mod common;

const WEBM: &[u8] = include_bytes!("../../core/src/audio/chromium-1500ms.webm");
const MP4: &[u8] = include_bytes!("../../core/src/audio/chromium-1500ms.m4a");
const LESSON: &str = "what-is-vneid";
const LESSON_DIR: &str = "public-services/what-is-vneid";

fn hocso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocso")).args(args).env_remove("DATABASE_URL").output().expect("the hocso binary runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Every file of a folder with its bytes, to show that nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    files.sort();
    files
}

struct Fixture {
    _dir: tempfile::TempDir,
    content: PathBuf,
    database: String,
    store: Store,
    team: String,
    leader: AuthDevice,
    member: AuthDevice,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"), &content);
    let database = common::database_url(&dir.path().join("hocso.db")).await;
    let store = Store::open(&database).await.unwrap();
    let codes = store.create_team("Tổ công nghệ số Tả Van", "Tả Van").await.unwrap();
    let device = |joined: hocso_server::store::Joined| AuthDevice { id: joined.device_id, team: joined.team, role: joined.role };
    let leader = device(store.join(&codes.leader_code, "Điện thoại tổ trưởng", Some("leader"), None).await.unwrap());
    let member = device(store.join(&codes.join_code, "Điện thoại chị Mai", Some("member"), None).await.unwrap());
    Fixture { _dir: dir, content, database, store, team: codes.team.id, leader, member }
}

impl Fixture {
    async fn recorded(&self, id: &str, step: &str, locale: &str, audio: &[u8], approve: bool) {
        let checked = hocso_core::audio::check_recording(audio).unwrap();
        let new = NewRecording {
            id,
            lesson_id: LESSON,
            part: RecordingPart::parse(step).unwrap(),
            locale,
            format: checked.format,
            duration_ms: checked.duration_ms,
            audio,
        };
        assert!(matches!(self.store.put_recording(&self.member, new).await.unwrap(), Upload::Created(_)));
        if approve {
            self.store.approve_recording(&self.leader, id).await.unwrap();
        }
    }

    fn import(&self, locale: &str) -> Output {
        let content = self.content.to_str().unwrap();
        hocso(&[
            "content",
            "import-recordings",
            "--team",
            &self.team,
            "--lesson",
            LESSON,
            "--locale",
            locale,
            "--database",
            &self.database,
            "--content",
            content,
        ])
    }

    fn lesson(&self, locale: &str) -> hocso_core::content::Lesson {
        let tree = ContentTree::load(&self.content);
        tree.lessons.iter().find(|l| l.id == LESSON).unwrap().files[locale].parsed.lesson.clone()
    }
}

#[tokio::test]
async fn approved_voices_become_the_steps_audio_and_the_lesson_still_passes_the_check() {
    let f = fixture().await;
    f.recorded("hmn-0", "0", "hmn", WEBM, true).await;
    f.recorded("hmn-3", "3", "hmn", MP4, true).await;
    // Not imported: not approved, another language, a drill's instruction.
    f.recorded("hmn-1-draft", "1", "hmn", WEBM, false).await;
    f.recorded("tyz-0", "0", "tyz", WEBM, true).await;
    f.recorded("hmn-drill", "drill-0", "hmn", WEBM, true).await;
    let vi_before = std::fs::read(f.content.join(LESSON_DIR).join("vi.md")).unwrap();

    let output = f.import("hmn");
    assert!(output.status.success(), "{}", text(&output));
    let said = text(&output);
    assert!(said.contains("named 2 voices") && said.contains("drill 0") && said.contains("hocso content build"), "{said}");

    let lesson = f.lesson("hmn");
    let audio: Vec<Option<&str>> = lesson.steps.iter().map(|s| s.audio()).collect();
    let (step0, step3) = (audio[0].unwrap(), audio[3].unwrap());
    assert!(step0.starts_with("media/voice-hmn-0-") && step0.ends_with(".webm"), "{step0}");
    assert!(step3.starts_with("media/voice-hmn-3-") && step3.ends_with(".m4a"), "{step3}");
    assert_eq!(audio.iter().filter(|a| a.is_some()).count(), 2, "{audio:?}");
    // The files are the recordings, byte for byte; other files are untouched.
    assert_eq!(std::fs::read(f.content.join(LESSON_DIR).join(step0)).unwrap(), WEBM);
    assert_eq!(std::fs::read(f.content.join(LESSON_DIR).join(step3)).unwrap(), MP4);
    assert_eq!(std::fs::read(f.content.join(LESSON_DIR).join("vi.md")).unwrap(), vi_before);
    let label = lesson.steps[0].blocks.iter().find_map(|b| match b {
        hocso_core::content::Block::Audio { label, .. } => Some(label.clone()),
        _ => None,
    });
    assert_eq!(label.as_deref(), Some("Giọng đọc của Tổ công nghệ số Tả Van"));

    let check = hocso(&["content", "check", f.content.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check));

    // Importing again changes nothing.
    let before = snapshot(&f.content);
    assert!(f.import("hmn").status.success());
    assert_eq!(snapshot(&f.content), before);

    // A better take of step 0 approved: the new file replaces the old one, which is removed.
    f.recorded("hmn-0-better", "0", "hmn", MP4, true).await;
    let again = f.import("hmn");
    assert!(again.status.success(), "{}", text(&again));
    let new_step0 = f.lesson("hmn").steps[0].audio().unwrap().to_owned();
    assert!(new_step0.ends_with(".m4a") && new_step0 != step0, "{new_step0}");
    assert!(!f.content.join(LESSON_DIR).join(step0).exists(), "the replaced voice file is removed");
    assert!(text(&again).contains("removed media/voice-hmn-0-"), "{}", text(&again));
    assert_eq!(sniff(&std::fs::read(f.content.join(LESSON_DIR).join(&new_step0)).unwrap()), Some(hocso_core::audio::AudioFormat::Mp4));
    let check = hocso(&["content", "check", f.content.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check));
}

#[tokio::test]
async fn what_cannot_be_imported_is_refused_with_a_sentence_and_nothing_changes() {
    let f = fixture().await;
    f.recorded("en-0", "0", "en", WEBM, true).await;
    let before = snapshot(&f.content);
    let content = f.content.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["content", "import-recordings", "--database", &f.database, "--content", content];
        all.extend_from_slice(args);
        hocso(&all)
    };
    for (args, expected) in [
        (vec!["--team", "t-nosuch", "--lesson", LESSON, "--locale", "en"], "no team"),
        (vec!["--team", &f.team, "--lesson", "no-such-lesson", "--locale", "en"], "no lesson"),
        (vec!["--team", &f.team, "--lesson", "Bad_Id", "--locale", "en"], "not a lesson id"),
        (vec!["--team", &f.team, "--lesson", LESSON, "--locale", "fr"], "vi, en, hmn, tyz"),
        (vec!["--team", &f.team, "--lesson", LESSON, "--locale", "hmn"], "no approved recording"),
        (vec!["--team", &f.team, "--lesson", "pay-by-vietqr", "--locale", "hmn"], "translate the lesson first"),
    ] {
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        assert!(text(&output).contains(expected), "{args:?}: {}", text(&output));
    }
    let missing = hocso(&[
        "content",
        "import-recordings",
        "--team",
        &f.team,
        "--lesson",
        LESSON,
        "--locale",
        "en",
        "--database",
        "/nonexistent/hocso.db",
        "--content",
        content,
    ]);
    assert!(text(&missing).contains("no database at"), "{}", text(&missing));
    assert!(!Path::new("/nonexistent/hocso.db").exists());

    // A lesson file with errors is not edited.
    let en = f.content.join(LESSON_DIR).join("en.md");
    let broken = std::fs::read_to_string(&en).unwrap().replacen("status: ", "status: maybe-", 1);
    std::fs::write(&en, &broken).unwrap();
    let output = f.import("en");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("content check"), "{}", text(&output));
    assert_eq!(std::fs::read_to_string(&en).unwrap(), broken);
    std::fs::write(&en, &before.iter().find(|(p, _)| *p == en).unwrap().1).unwrap();
    assert_eq!(snapshot(&f.content), before);
}
