//! `hocso content check|stats|build`: the real binary on the shipped lessons and on a broken copy.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The lesson copied into a temporary tree and broken by the tests.
const TOPIC: &str = "cashless-payment";
const LESSON: &str = "pay-by-vietqr";

fn shipped_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

fn hocso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocso")).args(args).output().expect("the hocso binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A content folder holding a copy of the shipped lesson's vi.md (as `vi`) and its media.
fn copy_of_lesson(root: &Path, vi: &str) -> PathBuf {
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
    let expected =
        format!("{}/{TOPIC}/{LESSON}/vi.md:{line}:1: error: the question has no right answer", content.display());
    assert!(
        printed.lines().any(|l| l.starts_with(&expected)),
        "expected a line starting with\n{expected}\nin\n{printed}"
    );
    assert!(printed.lines().last().unwrap().starts_with("checked 1 lesson (1 file): 1 error,"), "{printed}");
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
    for topic in ["public-services", "cashless-payment", "data-safety", "all topics"] {
        let row =
            printed.lines().find(|l| l.starts_with(topic)).unwrap_or_else(|| panic!("no {topic} row in\n{printed}"));
        assert!(row.contains(" vi ") && row.ends_with("100%"), "{row}");
    }
}

#[test]
fn build_writes_the_catalogue_and_packs_and_refuses_broken_content() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist/content");
    let output = hocso(&["content", "build", shipped_content().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    assert!(printed.lines().last().unwrap().starts_with("built "), "{printed}");
    let catalogue: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("catalogue.json")).unwrap()).unwrap();
    assert_eq!(catalogue["topics"].as_array().unwrap().len(), 3);
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
