//! `hocso content translate export|import`: the real binary on a copy of the shipped lessons and
//! interface strings, a whole round trip through a PO file, and broken PO files that change nothing.
mod common;
use common::{copy_dir, shipped_content};
use hocso_core::translate::Catalogue;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hocso(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hocso")).current_dir(dir).args(args).output().expect("the hocso binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// A temporary folder with a copy of the repository's `content/` and `locales/`.
fn copy_of_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped_content(), &dir.path().join("content"));
    copy_dir(&shipped_content().join("../locales"), &dir.path().join("locales"));
    dir
}

/// Every file under `root`, by relative path, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn export(dir: &Path, name: &str) -> Catalogue {
    let output = hocso(dir, &["content", "translate", "export", "--locale", "hmn", "--out", name]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    Catalogue::parse(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

fn contexts(catalogue: &Catalogue) -> BTreeSet<String> {
    catalogue.entries.iter().map(|e| e.context.clone().unwrap()).collect()
}

/// The translator's work, faked: "HMN " before every text, fuzzy flags removed. A red flag's quoted
/// words must be found as they are in the translated message, so they stay as they were.
fn fill(catalogue: &mut Catalogue) {
    for entry in &mut catalogue.entries {
        let quote = entry.context.as_deref().unwrap().ends_with("/quote");
        entry.translation = if quote { entry.id.clone() } else { format!("HMN {}", entry.id) };
        entry.fuzzy = false;
    }
}

/// A lesson without hmn.md in the shipped content, and one piece of it.
const LEFT_LESSON: &str = "pay-by-vietqr";
const LEFT_PIECE: &str = "lesson:pay-by-vietqr/step-1/title";
const LEFT_STRING: &str = "ui:nav.back";

#[test]
fn a_filled_export_imports_as_drafts_that_pass_the_checker_and_then_only_changes_are_exported() {
    let repo = copy_of_repository();
    let dir = repo.path();
    let before = snapshot(dir);
    assert!(!dir.join("content/cashless-payment/pay-by-vietqr/hmn.md").exists(), "the test needs a lesson without hmn.md");

    let mut catalogue = export(dir, "hmn.po");
    let exported = contexts(&catalogue);
    assert!(exported.contains(LEFT_PIECE) && exported.contains(LEFT_STRING) && exported.contains("ui:home.topics"), "{exported:?}");
    fill(&mut catalogue);
    for entry in &mut catalogue.entries {
        if [LEFT_PIECE, LEFT_STRING].contains(&entry.context.as_deref().unwrap()) {
            entry.translation.clear();
        }
    }
    std::fs::write(dir.join("filled.po"), catalogue.write()).unwrap();

    let output = hocso(dir, &["content", "translate", "import", "filled.po"]);
    let printed = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{printed}");
    let summary = printed.lines().rfind(|l| l.starts_with("imported ")).unwrap_or_else(|| panic!("{printed}"));
    assert!(summary.contains("left out 2 empty and 0 fuzzy entries"), "{summary}");
    assert!(summary.contains(&format!("skipped 1 lessons: cashless-payment/{LEFT_LESSON}/hmn.md (1 of ")), "{summary}");

    // Vietnamese untouched, every other lesson translated as a draft, and the checker agrees.
    let after = snapshot(dir);
    for (path, bytes) in &before {
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "vi.md" || name == "vi.json" || !name.ends_with(".md") && !name.ends_with(".json") {
            assert!(after.get(path) == Some(bytes), "{} changed", path.display());
        }
    }
    let lessons: Vec<&PathBuf> = before.keys().filter(|p| p.ends_with("vi.md")).collect();
    for vi in &lessons {
        let hmn = vi.with_file_name("hmn.md");
        if vi.to_string_lossy().contains(LEFT_LESSON) {
            assert!(!after.contains_key(&hmn), "a lesson with an untranslated piece was written");
            continue;
        }
        let text = String::from_utf8(after[&hmn].clone()).unwrap();
        assert!(text.contains("\nstatus: draft\n") && !text.contains("reviewed_by"), "{}:\n{text}", hmn.display());
        assert!(text.contains("\n## HMN "), "{}", hmn.display());
    }
    let ui = String::from_utf8(after[Path::new("locales/hmn.json")].clone()).unwrap();
    assert!(ui.contains("\"_status\": \"draft\"") && ui.contains("\"home.topics\": \"HMN Các chủ đề\"") && !ui.contains("\"nav.back\":"), "{ui}");
    let check = hocso(dir, &["content", "check", "content"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));

    // A second export lists only what was left: the empty string and the lesson not written.
    let again = contexts(&export(dir, "again.po"));
    let left_lesson = format!("lesson:{LEFT_LESSON}/");
    assert!(again.contains(LEFT_STRING) && again.contains(LEFT_PIECE), "{again:?}");
    assert!(again.iter().all(|c| c == LEFT_STRING || c.starts_with(&left_lesson)), "{again:?}");

    // One Vietnamese paragraph changed: exactly that piece, with the old translation as a fuzzy suggestion.
    let vi_path = dir.join("content/data-safety/never-share-otp-pin/vi.md");
    let vi = std::fs::read_to_string(&vi_path).unwrap();
    let first = catalogue.entries.iter().find(|e| e.context.as_deref() == Some("lesson:never-share-otp-pin/step-1/para-1")).unwrap();
    assert_eq!(vi.matches(&first.id).count(), 1, "the paragraph is unique in its file");
    std::fs::write(&vi_path, vi.replacen(&first.id, &format!("{} Thêm một câu.", first.id), 1)).unwrap();
    let changed = export(dir, "changed.po");
    let new: Vec<&hocso_core::translate::Entry> = changed.entries.iter().filter(|e| !again.contains(e.context.as_deref().unwrap())).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].context.as_deref(), Some("lesson:never-share-otp-pin/step-1/para-1"));
    assert!(new[0].fuzzy && new[0].translation == format!("HMN {}", first.id) && new[0].id.ends_with(" Thêm một câu."), "{:?}", new[0]);
    assert!(new[0].notes.iter().any(|n| n.starts_with("Changed:")), "{:?}", new[0].notes);
}

/// A filled PO file of the copy, its text, and one entry found by `pick`.
fn filled_po(dir: &Path) -> Catalogue {
    let mut catalogue = export(dir, "hmn.po");
    fill(&mut catalogue);
    Catalogue::parse(&catalogue.write()).unwrap()
}

#[test]
fn a_broken_po_file_is_refused_at_its_line_and_changes_nothing() {
    let repo = copy_of_repository();
    let dir = repo.path();
    let catalogue = filled_po(dir);
    let text = catalogue.write();
    let before = snapshot(dir);

    let entry_where = |pick: &dyn Fn(&hocso_core::translate::Entry) -> bool| catalogue.entries.iter().position(pick).unwrap();
    let placeholder = entry_where(&|e| e.context.as_deref().unwrap().starts_with("ui:") && e.id.contains("{n}"));
    let link = entry_where(&|e| e.context.as_deref().unwrap().starts_with("lesson:") && e.id.contains("](../"));
    let unknown = entry_where(&|e| e.context.as_deref() == Some("lesson:pay-by-vietqr/step-1/title"));

    let mut cases: Vec<(&str, String, u32, &str)> = Vec::new();
    // Bad syntax: a msgstr's closing quote lost.
    let line = catalogue.entries[unknown].translation_line;
    let lines: Vec<String> =
        text.lines().enumerate().map(|(i, l)| if i + 1 == line as usize { l.trim_end_matches('"').to_owned() } else { l.to_owned() }).collect();
    cases.push(("syntax", lines.join("\n") + "\n", line, "double quotes"));
    let edited = |index: usize, edit: &dyn Fn(&mut hocso_core::translate::Entry)| {
        let mut broken = catalogue.clone();
        edit(&mut broken.entries[index]);
        broken.write()
    };
    let placeholder_po = edited(placeholder, &|e| e.translation = e.translation.replace("{n}", "n"));
    let link_po = edited(link, &|e| {
        let at = e.translation.find("](../").unwrap();
        e.translation.replace_range(at..at + 5, "](https://scam.example/");
    });
    let unknown_po = edited(unknown, &|e| e.context = Some("lesson:pay-by-vietqr/step-99/title".to_owned()));
    let line_of = |text: &str, index: usize, translation: bool| {
        let entry = &Catalogue::parse(text).unwrap().entries[index];
        if translation {
            entry.translation_line
        } else {
            entry.line
        }
    };
    cases.push(("placeholder", placeholder_po.clone(), line_of(&placeholder_po, placeholder, true), "placeholders {n}"));
    cases.push(("link", link_po.clone(), line_of(&link_po, link, true), "same targets"));
    cases.push(("unknown msgctxt", unknown_po.clone(), line_of(&unknown_po, unknown, false), "unknown msgctxt"));

    for (what, po, line, words) in cases {
        std::fs::write(dir.join("broken.po"), &po).unwrap();
        let output = hocso(dir, &["content", "translate", "import", "broken.po"]);
        let printed = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{what}: {printed}");
        let expected = format!("broken.po:{line}: error: ");
        assert!(printed.lines().any(|l| l.starts_with(&expected) && l.contains(words)), "{what}: expected {expected}…{words} in\n{printed}");
        assert!(printed.lines().last().unwrap().starts_with("nothing was imported"), "{what}: {printed}");
        let mut after = snapshot(dir);
        after.remove(Path::new("broken.po"));
        assert!(after == before, "{what}: the files changed");
    }

    // A file that cannot be read, and a language HocSo does not offer: could not run.
    let output = hocso(dir, &["content", "translate", "import", "missing.po"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let output = hocso(dir, &["content", "translate", "export", "--locale", "fr"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
}
