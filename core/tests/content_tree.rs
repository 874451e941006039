//! Repository rule: the shipped lessons in `content/` pass the checker with zero errors, every
//! topic has at least five Vietnamese lessons, and every lesson marked reviewed says by whom and
//! when. Warnings are printed, not failed on.
use std::path::PathBuf;

use hocso_core::content::{stats, ContentTree};

fn shipped() -> ContentTree {
    ContentTree::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content"))
}

#[test]
fn shipped_content_has_no_errors() {
    let tree = shipped();
    for problem in &tree.report.problems {
        println!("{problem}");
    }
    println!("{}", tree.report.summary());
    let errors: Vec<String> = tree.report.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "content errors:\n{}", errors.join("\n"));
}

#[test]
fn every_topic_has_at_least_five_vietnamese_lessons() {
    let tree = shipped();
    let stats = stats(&tree);
    let ids: Vec<&str> = stats.topics.iter().map(|t| t.topic.as_str()).collect();
    assert!(ids.len() >= 5, "the curriculum has at least five topics: {ids:?}");
    let total = |locale: &str| stats.total.iter().find(|l| l.locale == locale).expect("a locale").lessons;
    assert!(total("vi") >= 25 && total("en") >= 25, "at least 25 lessons in vi ({}) and en ({})", total("vi"), total("en"));
    for topic in &stats.topics {
        let vi = topic.locales.iter().find(|l| l.locale == "vi").expect("vi is a locale");
        println!("{}: {} vi lessons, {} steps, {} questions", topic.topic, vi.lessons, vi.steps, vi.questions);
        assert!(vi.lessons >= 5, "{} has only {} Vietnamese lessons", topic.topic, vi.lessons);
        assert!(vi.questions >= vi.lessons, "{}: every lesson should have a quiz", topic.topic);
    }
}

/// The drill examples of `content/README.md` (Vietnamese and English) are valid drills.
#[test]
fn every_drill_example_in_the_trainers_guide_parses_without_problems() {
    let guide = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content/README.md")).unwrap();
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in guide.lines() {
        match (&mut current, line) {
            (None, "```practice") => current = Some(String::new()),
            (Some(text), "```") => {
                examples.push(std::mem::take(text));
                current = None;
            }
            (Some(text), line) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    let kinds: Vec<&str> = examples.iter().filter_map(|e| e.lines().next()).collect();
    assert_eq!(kinds.iter().filter(|k| k.starts_with("kind: ")).count(), 10, "five kinds, in Vietnamese and English: {kinds:?}");
    for example in &examples {
        let (drill, problems) = hocso_core::practice::parse_drill_text(example);
        assert!(problems.is_empty(), "{problems:#?} in\n{example}");
        assert!(drill.is_some_and(|d| !d.steps.is_empty()));
    }
}

/// Every topic is a folder with its own topic.md, in English too (the tiles are the first screen).
#[test]
fn every_topic_has_its_topic_file_with_an_english_title() {
    let tree = shipped();
    for topic in &tree.topics {
        let file = topic.file.as_ref().unwrap_or_else(|| panic!("{} has no topic.md", topic.id));
        assert!(file.parsed.topic.texts.contains_key("en"), "{} has no English title", topic.id);
        assert!(file.parsed.topic.icon.is_some(), "{} has no icon", topic.id);
    }
}
