//! `hocso content check|stats|build`: the real binary on the shipped lessons and on a broken copy.
mod common;
use common::{copy_dir, shipped_content};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The lesson copied into a temporary tree and broken by the tests.
const TOPIC: &str = "cashless-payment";
const LESSON: &str = "pay-by-vietqr";

fn hocso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocso")).args(args).output().expect("the hocso binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A content folder holding the shipped topic's topic.md and icon, and a copy of the shipped lesson's
/// vi.md (as `vi`) and its media.
fn copy_of_lesson(root: &Path, vi: &str) -> PathBuf {
    let topic = root.join("content").join(TOPIC);
    std::fs::create_dir_all(topic.join("media")).unwrap();
    std::fs::copy(shipped_content().join(TOPIC).join("topic.md"), topic.join("topic.md")).unwrap();
    std::fs::copy(shipped_content().join(TOPIC).join("media/icon.svg"), topic.join("media/icon.svg")).unwrap();
    let lesson = root.join("content").join(TOPIC).join(LESSON);
    std::fs::create_dir_all(lesson.join("media")).unwrap();
    std::fs::write(lesson.join("vi.md"), vi).unwrap();
    let media = shipped_content().join(TOPIC).join(LESSON).join("media");
    for entry in std::fs::read_dir(media).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), lesson.join("media").join(entry.file_name())).unwrap();
    }
    root.join("content")
}

/// The shipped vi.md with every `[x]` of its first question turned into `[ ]`, and the 1-based
/// line of that question's heading. Found by shape, so the test survives edits to the lesson.
fn lesson_without_right_answer() -> (String, usize) {
    let original = std::fs::read_to_string(shipped_content().join(TOPIC).join(LESSON).join("vi.md")).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("## ? ")).expect("the lesson has a quiz");
    let end = lines[start + 1..].iter().position(|l| l.starts_with("## ")).map_or(lines.len(), |i| start + 1 + i);
    let edited: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| if (start..end).contains(&i) { line.replace("- [x]", "- [ ]") } else { (*line).to_owned() })
        .collect();
    (edited.join("\n") + "\n", start + 1)
}

#[test]
fn check_prints_a_question_without_right_answer_at_its_line_and_exits_with_1() {
    let dir = tempfile::tempdir().unwrap();
    let (vi, line) = lesson_without_right_answer();
    let content = copy_of_lesson(dir.path(), &vi);

    let output = hocso(&["content", "check", content.to_str().unwrap()]);
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    let expected = format!("{}/{TOPIC}/{LESSON}/vi.md:{line}:1: error: the question has no right answer", content.display());
    assert!(printed.lines().any(|l| l.starts_with(&expected)), "expected a line starting with\n{expected}\nin\n{printed}");
    assert!(printed.lines().last().unwrap().starts_with("checked 1 lesson (1 file): 1 error,"), "{printed}");
}

#[test]
fn check_prints_a_broken_drill_at_its_lines_and_columns() {
    let original = std::fs::read_to_string(shipped_content().join(TOPIC).join(LESSON).join("vi.md")).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    // Found by shape: the drill's `kind:` line and its first `wrong:` line lose what they need.
    let kind = lines.iter().position(|l| *l == "kind: transfer_confirm").expect("the lesson has a transfer drill");
    let wrong = lines.iter().position(|l| l.starts_with("wrong: confirm =>")).expect("the drill has a wrong confirm");
    let edited: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| match i {
            _ if i == kind => "kind: atm_withdrawal",
            _ if i == wrong => "wrong: confirm",
            _ => line,
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let content = copy_of_lesson(dir.path(), &(edited.join("\n") + "\n"));

    let output = hocso(&["content", "check", content.to_str().unwrap()]);
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    let file = format!("{}/{TOPIC}/{LESSON}/vi.md", content.display());
    let expected = format!("{file}:{}:7: error: unknown drill kind `atm_withdrawal`", kind + 1);
    assert!(printed.lines().any(|l| l.starts_with(&expected)), "expected a line starting with\n{expected}\nin\n{printed}");
    // The kind is unknown, so the screens are not checked further; with a known kind, the feedback is.
    let edited = edited.iter().map(|l| if l.starts_with("kind: ") { "kind: transfer_confirm" } else { l }).collect::<Vec<_>>();
    std::fs::write(content.join(TOPIC).join(LESSON).join("vi.md"), edited.join("\n") + "\n").unwrap();
    let printed = stdout(&hocso(&["content", "check", content.to_str().unwrap()]));
    let expected = format!("{file}:{}:1: error: a wrong action needs its feedback", wrong + 1);
    assert!(printed.lines().any(|l| l.starts_with(&expected)), "expected a line starting with\n{expected}\nin\n{printed}");
}

#[test]
fn check_passes_on_the_shipped_content() {
    let output = hocso(&["content", "check", shipped_content().to_str().unwrap()]);
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.lines().last().unwrap().contains(": 0 errors,"), "{printed}");
}

#[test]
fn check_without_a_content_folder_says_so_and_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = hocso(&["content", "check", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("there is no content folder"));
}

#[test]
fn stats_prints_a_row_per_topic_and_language() {
    let output = hocso(&["content", "stats", shipped_content().to_str().unwrap()]);
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    let header = printed.lines().next().unwrap();
    assert!(header.starts_with("topic") && header.ends_with("translated"), "{printed}");
    for topic in ["public-services", "cashless-payment", "data-safety", "smartphone-safety", "selling-online", "all topics"] {
        let row = printed.lines().find(|l| l.starts_with(topic)).unwrap_or_else(|| panic!("no {topic} row in\n{printed}"));
        assert!(row.contains(" vi ") && row.ends_with("100%"), "{row}");
    }
    // Per language, with the interface strings of the `locales` folder beside the content.
    let vi_strings = std::fs::read_to_string(shipped_content().join("../locales/vi.json")).unwrap();
    let keys =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&vi_strings).unwrap().keys().filter(|k| !k.starts_with('_')).count();
    let language = printed.lines().skip_while(|l| !l.starts_with("lang ")).collect::<Vec<_>>();
    assert!(language[0].ends_with("interface strings"), "{printed}");
    let vi = language.iter().find(|l| l.starts_with("vi ")).unwrap();
    assert!(vi.contains("Tiếng Việt") && vi.ends_with(&format!("{keys}/{keys}")), "{vi}");
    // Every language counts its lessons out of the Vietnamese ones.
    let lessons = vi.split_whitespace().find(|cell| cell.contains('/')).unwrap();
    let (written, total) = lessons.split_once('/').unwrap();
    assert_eq!(written, total, "{vi}");
    let hmn = language.iter().find(|l| l.starts_with("hmn ")).unwrap();
    assert!(hmn.contains("Hmoob") && hmn.contains(&format!("/{total} ")) && hmn.ends_with(&format!("/{keys}")), "{hmn}");
}

#[test]
fn build_writes_the_catalogue_and_packs_and_refuses_broken_content() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist/content");
    let output = hocso(&["content", "build", shipped_content().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.lines().last().unwrap().starts_with("built "), "{printed}");
    let catalogue: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("catalogue.json")).unwrap()).unwrap();
    let topics: Vec<&str> = catalogue["topics"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(topics, ["public-services", "cashless-payment", "data-safety", "smartphone-safety", "selling-online"], "in their topic.md order");
    assert!(out.join("packs/data-safety.vi.json").is_file());
    assert!(out.join(format!("media/{TOPIC}/{LESSON}")).is_dir());

    let (vi, _) = lesson_without_right_answer();
    let broken = copy_of_lesson(&dir.path().join("broken"), &vi);
    let broken_out = dir.path().join("broken-out");
    let output = hocso(&["content", "build", broken.to_str().unwrap(), "--out", broken_out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stdout(&output).contains("nothing was built"));
    assert!(!broken_out.join("catalogue.json").exists());
}

/// Every file under `dir` (relative path → bytes).
fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                files.insert(path.strip_prefix(root).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = std::collections::BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// A copy of the shipped content whose lesson summary says `summary`: new catalogue, new packs.
fn shipped_with_summary(root: &Path, summary: &str) -> PathBuf {
    let content = root.join(summary);
    copy_dir(&shipped_content(), &content);
    let vi = content.join(TOPIC).join(LESSON).join("vi.md");
    let text = std::fs::read_to_string(&vi).unwrap();
    let line = text.lines().find(|l| l.starts_with("summary:")).expect("the lesson has a summary").to_owned();
    std::fs::write(&vi, text.replacen(&line, &format!("summary: {summary}"), 1)).unwrap();
    content
}

fn build(content: &Path, out: &Path) -> Output {
    hocso(&["content", "build", content.to_str().unwrap(), "--out", out.to_str().unwrap()])
}

#[test]
fn a_build_replaces_the_published_tree_whole_and_a_failed_one_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist/content");
    assert_eq!(build(&shipped_content(), &out).status.code(), Some(0));
    std::fs::write(out.join("notes.txt"), "not the build's").unwrap();
    std::fs::write(out.join("media/stale.svg"), "a picture an earlier build left").unwrap();
    let published = snapshot(&out);

    let (vi, _) = lesson_without_right_answer();
    let broken = copy_of_lesson(&dir.path().join("broken"), &vi);
    let output = build(&broken, &out);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(snapshot(&out), published, "a refused build changes nothing");

    let changed = shipped_with_summary(&dir.path().join("sources"), "Tóm tắt mới.");
    let output = build(&changed, &out);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let now = snapshot(&out);
    assert_ne!(now[Path::new("catalogue.json")], published[Path::new("catalogue.json")]);
    assert!(String::from_utf8_lossy(&now[Path::new("catalogue.json")]).contains("Tóm tắt mới."));
    assert_eq!(now[Path::new("notes.txt")], b"not the build's", "files that are not the build's are kept");
    assert!(!now.contains_key(Path::new("media/stale.svg")), "what an earlier build wrote is replaced whole");
    let beside: Vec<String> =
        std::fs::read_dir(dir.path().join("dist")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(beside, ["content"], "no staging or old tree is left beside it");
}

#[test]
fn readers_never_see_a_catalogue_with_packs_of_another_build() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist/content");
    let sources: Vec<PathBuf> = ["Bản A.", "Bản B.", "Bản C."].iter().map(|s| shipped_with_summary(&dir.path().join("sources"), s)).collect();
    assert_eq!(build(&sources[0], &out).status.code(), Some(0));

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (out, stop) = (out.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut consistent, mut missing, mut mismatched) = (0, 0, Vec::new());
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok(before) = std::fs::read(out.join("catalogue.json")) else {
                    missing += 1;
                    continue;
                };
                let catalogue: serde_json::Value = serde_json::from_slice(&before).expect("a whole catalogue");
                let mut packs = Vec::new();
                for topic in catalogue["topics"].as_array().unwrap() {
                    for entry in topic["packs"].as_object().unwrap().values() {
                        let path = out.join(entry["url"].as_str().unwrap().trim_start_matches("/content/"));
                        let pack = std::fs::read(&path).ok().map(|b| serde_json::from_slice::<serde_json::Value>(&b).expect("a whole pack"));
                        packs.push((entry["version"].clone(), pack.map(|p| p["version"].clone())));
                    }
                }
                // Judged only when no build was published meanwhile (the catalogue is still the same).
                if std::fs::read(out.join("catalogue.json")).ok().as_ref() == Some(&before) {
                    match packs.iter().find(|(wanted, found)| found.as_ref() != Some(wanted)) {
                        Some(bad) => mismatched.push(format!("{bad:?}")),
                        None => consistent += 1,
                    }
                }
            }
            (consistent, missing, mismatched)
        })
    };
    for round in 1..=9 {
        let output = build(&sources[round % 3], &out);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (consistent, missing, mismatched) = reader.join().unwrap();
    assert!(mismatched.is_empty(), "a catalogue was seen with packs of another build: {mismatched:?}");
    assert!(consistent > 0, "the reader read nothing");
    if cfg!(target_os = "linux") {
        assert_eq!(missing, 0, "on Linux the new tree is exchanged with the old one in one step");
    }
}

/// `hocso content stats | head -1`: the reader goes away before hocso writes. Before, the next
/// `println!` panicked ("failed printing to stdout: Broken pipe") after the work was done.
#[cfg(unix)]
#[test]
fn a_reader_that_stops_early_does_not_make_a_command_panic() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hocso"))
        .args(["content", "stats", shipped_content().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hocso binary runs");
    drop(child.stdout.take()); // the reader closes its end before anything is written
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "hocso panicked on a closed pipe: {stderr}");
    assert_eq!(output.status.signal(), Some(libc_sigpipe()), "it ends as command-line tools do, by SIGPIPE; stderr: {stderr}");
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13 // SIGPIPE on Linux and the BSDs
}
