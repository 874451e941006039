use std::collections::BTreeMap;

use super::*;
use crate::content::fixtures::{self, VI};

const LESSON_DIR: &str = "cashless-payment/pay-by-vietqr";

/// A lesson with every kind of piece: front matter, paragraphs over two lines, lists, a picture, a
/// link, an audio line, a drill with named buttons, flags and a form, and a quiz.
const RICH: &str = r#"---
id: rich
topic: cashless-payment
title: "Bài: đủ loại"
summary: Một câu.
minutes: 3
order: 9
status: reviewed
# A note about the Vietnamese review.
reviewed_by: Cán bộ xã
reviewed_on: 2026-11-30
review_note: Ghi chú cho người duyệt.
---

## Bước một
![Nghe bước này](media/one.mp3)
Dòng một của đoạn,
dòng hai của đoạn.

- Ý **một**, xem [bài khác](../other).
- Ý hai

![Mã QR](media/qr.svg)

## Bước hai
```practice
kind: message_inbox
instruction: Chọn "An toàn" hoặc "Lừa đảo".

screen: message
from: Con gái
text: Tài khoản bị KHOÁ sau 24 giờ.
link: a.example
right: scam => Đúng, lừa đảo.
wrong: safe => Tin dọa khoá.
flag: urgency "KHOÁ sau 24 giờ" => Dọa để bạn vội.
```

```practice
kind: portal_submit
instruction: Nộp hồ sơ.

screen: search
query: khai sinh
right: Cấp bản sao => Đúng.

screen: form
field: Số điện thoại => 0123 456 789
right: submit
```

## ? Câu hỏi đúng sai. {.true-false}
- [x] Đúng
  > Vì vậy.
- [ ] Sai
  > Không.
"#;

fn ids(source: &str) -> Vec<String> {
    lesson_segments(source).into_iter().map(|s| s.id).collect()
}

#[test]
fn pieces_are_the_human_text_of_each_part_and_nothing_of_the_structure() {
    let segments = lesson_segments(RICH);
    let found: Vec<(&str, &str)> = segments.iter().map(|s| (s.id.as_str(), s.text.as_str())).collect();
    assert_eq!(
        found,
        [
            ("title", "Bài: đủ loại"),
            ("summary", "Một câu."),
            ("step-1/title", "Bước một"),
            ("step-1/para-1", "Dòng một của đoạn,\ndòng hai của đoạn."),
            ("step-1/item-1", "Ý **một**, xem [bài khác](../other)."),
            ("step-1/item-2", "Ý hai"),
            ("step-1/image-1", "Mã QR"),
            ("step-2/title", "Bước hai"),
            ("drill-1/instruction", "Chọn \"An toàn\" hoặc \"Lừa đảo\"."),
            ("drill-1/screen-1/from", "Con gái"),
            ("drill-1/screen-1/text", "Tài khoản bị KHOÁ sau 24 giờ."),
            ("drill-1/screen-1/right/explain", "Đúng, lừa đảo."),
            ("drill-1/screen-1/wrong-1/explain", "Tin dọa khoá."),
            ("drill-1/screen-1/flag-1/quote", "KHOÁ sau 24 giờ"),
            ("drill-1/screen-1/flag-1/explain", "Dọa để bạn vội."),
            ("drill-2/instruction", "Nộp hồ sơ."),
            ("drill-2/screen-1/query", "khai sinh"),
            ("drill-2/screen-1/right/action", "Cấp bản sao"),
            ("drill-2/screen-1/right/explain", "Đúng."),
            ("drill-2/screen-2/field-1/name", "Số điện thoại"),
            ("drill-2/screen-2/field-1/value", "0123 456 789"),
            ("question-1/prompt", "Câu hỏi đúng sai."),
            ("question-1/choice-1", "Đúng"),
            ("question-1/choice-1/explain", "Vì vậy."),
            ("question-1/choice-2", "Sai"),
            ("question-1/choice-2/explain", "Không."),
        ]
    );
    // Each piece's range is its text in the file, and its line is where it starts.
    for segment in &segments {
        assert_eq!(&RICH[segment.range.clone()], segment.text);
        assert_eq!(RICH[..segment.range.start].matches('\n').count() as u32 + 1, segment.line, "{}", segment.id);
    }
}

fn marked(source: &str, mark: &str) -> Vec<Piece> {
    lesson_segments(source).iter().map(|s| Piece { text: format!("{mark}{}", s.text), source_hash: Some(source_hash(&s.text)) }).collect()
}

#[test]
fn an_assembled_translation_keeps_every_line_of_structure_and_is_a_draft_recording_its_sources() {
    let pieces = marked(RICH, "HMN ");
    let assembled = assemble(RICH, &pieces, None, &BTreeMap::new());
    let text = &assembled.text;
    assert!(text.contains("\nstatus: draft\n"), "{text}");
    for gone in ["reviewed_by", "reviewed_on", "review_note", "status: reviewed", "one.mp3", "# A note"] {
        assert!(!text.contains(gone), "{gone} in\n{text}");
    }
    let hashes: Vec<String> = lesson_segments(RICH).iter().map(|s| source_hash(&s.text)).collect();
    assert!(text.contains(&format!("\nsource_hashes: {}\n---\n", hashes.join(" "))), "{text}");
    for kept in [
        "title: \"HMN Bài: đủ loại\"",
        "## HMN Bước một",
        "- HMN Ý **một**, xem [bài khác](../other).",
        "![HMN Mã QR](media/qr.svg)",
        "right: scam => HMN Đúng, lừa đảo.",
        "flag: urgency \"HMN KHOÁ sau 24 giờ\" => HMN Dọa để bạn vội.",
        "right: HMN Cấp bản sao => HMN Đúng.",
        "field: HMN Số điện thoại => HMN 0123 456 789",
        "link: a.example",
        "right: submit",
        "## ? HMN Câu hỏi đúng sai. {.true-false}",
        "- [x] HMN Đúng\n  > HMN Vì vậy.",
    ] {
        assert!(text.contains(kept), "{kept:?} not in\n{text}");
    }
    // Read again: the same pieces in the same places, each one the translation.
    let again = lesson_segments(text);
    assert_eq!(again.iter().map(|s| &s.id).collect::<Vec<_>>(), ids(RICH).iter().collect::<Vec<_>>());
    for ((segment, piece), (id, range)) in again.iter().zip(&pieces).zip(&assembled.ranges) {
        assert_eq!(segment.text, piece.text);
        assert_eq!(&segment.id, id);
        assert_eq!(&text[range.clone()], piece.text);
    }
    assert_eq!(segments::recorded_hashes(text), hashes.into_iter().map(Some).collect::<Vec<_>>());
}

#[test]
fn a_translation_keeps_its_own_voice_and_review_note() {
    let audio = BTreeMap::from([(1, "![Mloog](media/voice-hmn-1.webm)".to_owned())]);
    let text = assemble(RICH, &marked(RICH, "X "), Some("Ib tug neeg yuav tsum nyeem"), &audio).text;
    assert!(text.contains("## X Bước hai\n![Mloog](media/voice-hmn-1.webm)\n```practice"), "{text}");
    assert!(text.contains("\nreview_note: Ib tug neeg yuav tsum nyeem\n"), "{text}");
}

#[test]
fn states_tell_missing_up_to_date_changed_and_unverified_pieces_apart() {
    assert!(lesson_states(VI, None).iter().all(|p| p.state == State::Missing && p.current.is_none()));
    let translated = assemble(VI, &marked(VI, "T "), None, &BTreeMap::new()).text;
    assert!(lesson_states(VI, Some(&translated)).iter().all(|p| p.state == State::UpToDate));

    let changed_vi = fixtures::edit(VI, "Mã VietQR là một ô vuông", "Mã VietQR là một hình vuông");
    let states = lesson_states(&changed_vi, Some(&translated));
    let not_up_to_date: Vec<(&str, State)> = states.iter().filter(|p| p.state != State::UpToDate).map(|p| (p.segment.id.as_str(), p.state)).collect();
    assert_eq!(not_up_to_date, [("step-1/para-1", State::Changed)]);
    let changed = states.iter().find(|p| p.state == State::Changed).unwrap();
    assert_eq!(changed.current.as_ref().unwrap().text, "T Mã VietQR là một ô vuông có **nhiều chấm** đen trắng.");

    // A translation from before the hashes (the fixture's en.md): its pieces are unverified, and kept.
    let states = lesson_states(VI, Some(fixtures::EN));
    assert!(states.iter().all(|p| p.state == State::Unverified), "{states:?}");
    assert_eq!(states[0].current.as_ref().unwrap().text, "Paying with a VietQR code");
}

fn sources() -> Sources {
    Sources {
        content: fixtures::tree(),
        ui_reference: r#"{"_language": "Tiếng Việt", "home.topics": "Chủ đề", "quiz.score": "Đúng {n} câu", "nav.home": "Về trang chính"}"#
            .to_owned(),
        ui_target: Some("{\n  \"_language\": \"Hmoob\",\n  \"_status\": \"draft\",\n  \"nav.home\": \"Old\"\n}\n".to_owned()),
    }
}

/// Every entry's msgstr set to `mark` + its msgid, fuzzy flags removed.
fn filled(mut catalogue: Catalogue, mark: &str) -> Catalogue {
    for entry in &mut catalogue.entries {
        entry.translation = format!("{mark}{}", entry.id);
        entry.fuzzy = false;
    }
    catalogue
}

fn apply(sources: &mut Sources, plan: &ImportPlan) {
    for lesson in &plan.lessons {
        sources.content.files.insert(lesson.path.clone(), lesson.text.clone().into_bytes());
    }
    if let Some(json) = &plan.ui_json {
        sources.ui_target = Some(json.clone());
    }
}

#[test]
fn export_then_import_then_export_again_lists_nothing() {
    let mut sources = sources();
    let (catalogue, counts) = export(&sources, "hmn", false).unwrap();
    // Three strings missing, one unverified ("Old"); every piece of the lesson missing.
    assert_eq!((counts.ui, counts.missing - lesson_segments(VI).len(), counts.unverified, counts.lessons), (3, 2, 1, 1));
    let unverified = catalogue.entries.iter().find(|e| e.context.as_deref() == Some("ui:nav.home")).unwrap();
    assert!(unverified.fuzzy && unverified.translation == "Old");
    let po = Catalogue::parse(&catalogue.write()).unwrap();

    let plan = import(&filled(po, "HMN "), &sources, "hmn").unwrap();
    assert_eq!(plan.lessons.len(), 1);
    assert_eq!(plan.lessons[0].path, format!("{LESSON_DIR}/hmn.md"));
    assert_eq!(plan.ui_imported, 3);
    assert!(plan.ui_draft);
    let json = plan.ui_json.as_deref().unwrap();
    assert!(json.starts_with("{\n  \"_language\": \"Hmoob\",\n  \"_status\": \"draft\",\n  \"home.topics\": \"HMN Chủ đề\","), "{json}");
    assert!(json.contains(&format!("\"_source.quiz.score\": \"{}\"", source_hash("Đúng {n} câu"))), "{json}");
    apply(&mut sources, &plan);

    let (again, counts) = export(&sources, "hmn", false).unwrap();
    assert!(again.entries.is_empty(), "{:?}", again.entries);
    assert_eq!(counts, ExportCounts::default());
    let (everything, counts) = export(&sources, "hmn", true).unwrap();
    assert_eq!(everything.entries.len(), 3 + lesson_segments(VI).len());
    assert_eq!(counts.up_to_date, everything.entries.len());
    assert!(everything.entries.iter().all(|e| !e.fuzzy && e.translation.starts_with("HMN ")));
}

#[test]
fn a_lesson_with_an_untranslated_piece_is_not_written_and_the_summary_says_so() {
    let sources = sources();
    let (catalogue, _) = export(&sources, "hmn", false).unwrap();
    let mut catalogue = filled(catalogue, "HMN ");
    let left = catalogue.entries.iter_mut().find(|e| e.context.as_deref() == Some("lesson:pay-by-vietqr/step-1/para-1")).unwrap();
    left.translation.clear();
    let plan = import(&catalogue, &sources, "hmn").unwrap();
    assert!(plan.lessons.is_empty());
    assert_eq!(plan.empty, 1);
    assert_eq!(plan.skipped, [format!("{LESSON_DIR}/hmn.md (1 of {} pieces have no translation)", lesson_segments(VI).len())]);
    assert!(plan.summary().contains("skipped 1 lessons"), "{}", plan.summary());
}

#[test]
fn broken_entries_are_refused_at_their_line() {
    let sources = sources();
    let (catalogue, _) = export(&sources, "hmn", false).unwrap();
    let catalogue = Catalogue::parse(&filled(catalogue, "HMN ").write()).unwrap();
    type Case = (&'static str, fn(&mut Entry), &'static str);
    let cases: [Case; 5] = [
        ("ui:quiz.score", |e| e.translation = "HMN Đúng câu".to_owned(), "placeholders {n}"),
        ("lesson:pay-by-vietqr/step-1/title", |e| e.context = Some("lesson:pay-by-vietqr/step-9/title".to_owned()), "unknown msgctxt"),
        ("lesson:pay-by-vietqr/step-1/para-1", |e| e.id.push('!'), "not its Vietnamese text any more"),
        ("lesson:pay-by-vietqr/step-2/item-1", |e| e.translation.push_str("\n\n- more"), "empty line"),
        ("lesson:pay-by-vietqr/title", |e| e.translation.push_str("\nsecond"), "one line"),
    ];
    for (context, break_it, words) in cases {
        let mut broken = catalogue.clone();
        let entry = broken.entries.iter_mut().find(|e| e.context.as_deref() == Some(context)).unwrap();
        let lines = (entry.line, entry.translation_line);
        break_it(entry);
        let problems = import(&broken, &sources, "hmn").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains(words), "{context}: {problems:?}");
        assert!(problems[0].line == Some(lines.0) || problems[0].line == Some(lines.1), "{context}: {problems:?} not at {lines:?}");
    }
}

#[test]
fn a_changed_link_target_and_a_new_list_line_are_refused() {
    let mut sources = sources();
    let vi = fixtures::edit(VI, "có **nhiều chấm** đen trắng.", "có **nhiều chấm**, xem [bài](../other-lesson).");
    sources.content.files.insert(format!("{LESSON_DIR}/vi.md"), vi.into_bytes());
    let (catalogue, _) = export(&sources, "hmn", false).unwrap();
    let catalogue = filled(catalogue, "HMN ");

    let mut link = catalogue.clone();
    let entry = link.entries.iter_mut().find(|e| e.context.as_deref() == Some("lesson:pay-by-vietqr/step-1/para-1")).unwrap();
    entry.translation = entry.translation.replace("../other-lesson", "https://evil.example");
    let problems = import(&link, &sources, "hmn").unwrap_err();
    assert!(problems[0].message.contains("same targets") && problems[0].message.contains("(../other-lesson)"), "{problems:?}");

    let mut list = catalogue;
    let entry = list.entries.iter_mut().find(|e| e.context.as_deref() == Some("lesson:pay-by-vietqr/step-1/para-1")).unwrap();
    entry.translation.push_str("\n- a list item the Vietnamese does not have");
    entry.translation_line = 77;
    let problems = import(&list, &sources, "hmn").unwrap_err();
    assert_eq!(problems[0].line, Some(77), "{problems:?}");
    assert!(problems[0].message.contains("changes the lesson's structure"), "{problems:?}");
}

#[test]
fn the_content_checker_judges_the_assembled_lesson_and_points_at_the_entry() {
    let sources = sources();
    let (catalogue, _) = export(&sources, "hmn", false).unwrap();
    let mut catalogue = filled(catalogue, "HMN ");
    // `<b>` is raw HTML: the checker refuses it in the translated file.
    let entry = catalogue.entries.iter_mut().find(|e| e.context.as_deref() == Some("lesson:pay-by-vietqr/step-1/para-1")).unwrap();
    entry.translation = "HMN <b>bold</b> text".to_owned();
    entry.translation_line = 42;
    let problems = import(&catalogue, &sources, "hmn").unwrap_err();
    // `<b>` and `</b>`: two errors, both traced to the entry.
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.line == Some(42)), "{problems:?}");
    assert!(problems[0].message.starts_with(&format!("content/{LESSON_DIR}/hmn.md:")) && problems[0].message.contains("raw HTML"), "{problems:?}");
}

#[test]
fn import_refuses_another_language_and_the_reference_itself() {
    let sources = sources();
    let (catalogue, _) = export(&sources, "hmn", false).unwrap();
    assert!(import(&catalogue, &sources, "tyz").unwrap_err()[0].message.contains("not `tyz`"));
    assert!(matches!(export(&sources, "vi", false), Err(Unusable::Locale(..))));
    assert!(matches!(export(&sources, "fr", false), Err(Unusable::Locale(..))));
}
