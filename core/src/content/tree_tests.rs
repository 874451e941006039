//! Checks across files on in-memory trees: folders, media, links, ids and translations.
use super::*;
use crate::content::fixtures::{edit, other_lesson, svg, tree, EN, VI};
use crate::content::stats::stats;

const VI_PATH: &str = "cashless-payment/pay-by-vietqr/vi.md";
const EN_PATH: &str = "cashless-payment/pay-by-vietqr/en.md";

/// Every problem of the tree as `hocso content check` prints it.
fn problems(files: SourceFiles) -> Vec<String> {
    ContentTree::from_files(files).report.problems.iter().map(ToString::to_string).collect()
}

/// Asserts that exactly one printed problem starts with `prefix` (`path:line:col: severity`) and
/// that it contains `words`.
#[track_caller]
fn assert_problem(problems: &[String], prefix: &str, words: &str) {
    let matching: Vec<&String> = problems.iter().filter(|p| p.starts_with(&format!("content/{prefix}: "))).collect();
    assert_eq!(matching.len(), 1, "expected one problem at {prefix}, got {problems:#?}");
    assert!(matching[0].contains(words), "{:?} should contain {words:?}", matching[0]);
}

fn without(mut files: SourceFiles, path: &str) -> SourceFiles {
    assert!(files.files.remove(path).is_some(), "{path} is in the fixture");
    files
}

fn with_vi(vi: &str) -> SourceFiles {
    tree().with(VI_PATH, vi)
}

fn with_en(en: &str) -> SourceFiles {
    tree().with(EN_PATH, en)
}

#[test]
fn the_fixture_tree_has_no_problems() {
    let tree = ContentTree::from_files(tree());
    assert_eq!(tree.report.problems, vec![]);
    assert_eq!((tree.report.lessons, tree.report.files), (1, 2));
    assert_eq!(tree.report.summary(), "checked 1 lesson (2 files): 0 errors, 0 warnings");
    let folder = &tree.lessons[0];
    assert_eq!((folder.topic.as_str(), folder.id.as_str()), ("cashless-payment", "pay-by-vietqr"));
    assert_eq!(folder.files.keys().collect::<Vec<_>>(), ["en", "vi"]);
}

#[test]
fn an_id_that_differs_from_its_folder_is_an_error_at_the_id() {
    let problems = problems(with_vi(&edit(VI, "id: pay-by-vietqr", "id: pay-by-qr")));
    assert_problem(&problems, &format!("{VI_PATH}:2:5: error"), "id `pay-by-qr` differs from its folder name `pay-by-vietqr`");
}

#[test]
fn a_topic_that_differs_from_its_folder_is_an_error_at_the_topic() {
    let problems = problems(with_vi(&edit(VI, "topic: cashless-payment", "topic: data-safety")));
    assert_problem(&problems, &format!("{VI_PATH}:3:8: error"), "differs from the topic folder `cashless-payment`");
}

#[test]
fn a_lesson_in_an_unknown_topic_folder_is_an_error() {
    let lesson = other_lesson("grow-rice", "farming", 1);
    let problems = problems(tree().with("farming/grow-rice/vi.md", lesson));
    assert_problem(&problems, "farming/grow-rice/vi.md:3:8: error", "unknown topic `farming`: use one of cashless-payment, data-safety");
    assert_problem(&problems, "farming/topic.md:1:1: error", "missing: every topic folder needs topic.md");
}

#[test]
fn a_new_topic_folder_with_its_topic_file_is_a_topic() {
    let files = tree()
        .with("farming/topic.md", crate::content::fixtures::topic_file("farming", 4))
        .with("farming/media/icon.svg", svg("rice"))
        .with("farming/grow-rice/vi.md", other_lesson("grow-rice", "farming", 1));
    let tree = ContentTree::from_files(files);
    let errors: Vec<String> = tree.report.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let ids: Vec<&str> = tree.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["cashless-payment", "data-safety", "farming"], "in their order");
    assert_eq!(tree.topic("farming").unwrap().text("en").title, "Topic farming");
}

#[test]
fn topic_file_mistakes_are_reported_with_file_line_and_column() {
    let bad =
        crate::content::fixtures::topic_file("data-safety", 2).replace("id: data-safety", "id: safety").replace("icon: icon.svg", "icon: shield.svg");
    let problems = problems(tree().with("data-safety/topic.md", bad));
    assert_problem(&problems, "data-safety/topic.md:2:5: error", "id `safety` differs from its folder name `data-safety`");
    assert_problem(&problems, "data-safety/topic.md:5:7: error", "missing media file `media/shield.svg`");
    assert_problem(&problems, "data-safety/topic.md:4:8: warning", "order 2 is also used by cashless-payment/topic.md");
    assert_problem(&problems, "data-safety/media/icon.svg:1:1: warning", "a topic's media/ holds only its icon");
}

#[test]
fn a_topic_icon_is_checked_like_any_svg_picture() {
    let problems = problems(tree().with("data-safety/media/icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"));
    assert!(problems.iter().any(|p| p.starts_with("content/data-safety/media/icon.svg:1:") && p.contains("error")), "{problems:#?}");
}

#[test]
fn a_missing_picture_is_an_error_in_every_file_that_uses_it() {
    let problems = problems(without(tree(), "cashless-payment/pay-by-vietqr/media/qr-stand.svg"));
    assert_problem(&problems, &format!("{VI_PATH}:15:1: error"), "missing media file `media/qr-stand.svg`");
    assert_problem(&problems, &format!("{EN_PATH}:15:1: error"), "missing media file `media/qr-stand.svg`");
}

#[test]
fn a_missing_icon_or_audio_file_is_an_error() {
    let problems =
        problems(without(without(tree(), "cashless-payment/pay-by-vietqr/media/icon.svg"), "cashless-payment/pay-by-vietqr/media/step2.mp3"));
    assert_problem(&problems, &format!("{VI_PATH}:9:7: error"), "missing media file `media/icon.svg`");
    assert_problem(&problems, &format!("{VI_PATH}:28:1: error"), "missing media file `media/step2.mp3`");
}

#[test]
fn media_names_may_not_leave_the_media_folder() {
    let problems = problems(with_vi(&edit(VI, "(media/qr-stand.svg)", "(media/../vi.md.svg)")));
    assert_problem(&problems, &format!("{VI_PATH}:15:1: error"), "inside the lesson's media/ folder");
}

#[test]
fn links_to_lessons_must_exist_and_web_links_are_warned() {
    let vi = edit(
        VI,
        "đen trắng.",
        "đen trắng. [A](../no-such-lesson) [B](../../data-safety/spot-scam-calls) [C](https://vneid.gov.vn) [D](tel:113) [E](javascript:alert(1))",
    );
    let other = other_lesson("spot-scam-calls", "data-safety", 1);
    let problems = problems(
        with_vi(&vi)
            .with("data-safety/spot-scam-calls/vi.md", other)
            .with("data-safety/spot-scam-calls/en.md", other_lesson("spot-scam-calls", "data-safety", 1)),
    );
    assert_problem(&problems, &format!("{VI_PATH}:13:55: error"), "no cashless-payment/no-such-lesson/ folder");
    assert_problem(&problems, &format!("{VI_PATH}:13:117: warning"), "link to a web page (https://vneid.gov.vn)");
    assert_problem(&problems, &format!("{VI_PATH}:13:156: error"), "unsupported link `javascript:alert(1)`");
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

#[test]
fn a_link_to_a_media_file_must_exist() {
    let problems = problems(with_vi(&edit(VI, "đen trắng.", "đen trắng. [Mẫu đơn](media/form.png)")));
    assert_problem(&problems, &format!("{VI_PATH}:13:55: error"), "missing media file `media/form.png`");
}

#[test]
fn a_link_to_a_media_file_that_is_not_a_picture_or_sound_is_an_error_at_the_link() {
    for other in ["form.pdf", "page.html", "app.js", "x.svgz"] {
        let files = with_vi(&edit(VI, "đen trắng.", &format!("đen trắng. [Mẫu đơn](media/{other})")))
            .with(&format!("cashless-payment/pay-by-vietqr/media/{other}"), "x");
        let problems = problems(files);
        assert_problem(&problems, &format!("{VI_PATH}:13:55: error"), &format!("`media/{other}` is not a picture or sound file"));
    }
}

#[test]
fn an_svg_that_could_run_script_is_an_error_inside_the_svg() {
    let unsafe_svg = "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <text>QR</text>\n  <rect onclick=\"steal()\"/>\n</svg>\n";
    let found = problems(tree().with("cashless-payment/pay-by-vietqr/media/qr-stand.svg", unsafe_svg));
    assert_problem(&found, "cashless-payment/pay-by-vietqr/media/qr-stand.svg:3:9: error", "the event handler `onclick` runs script");
    // A stray SVG that no lesson uses is checked too: it is in the lesson's folder for someone to use.
    let stray = problems(tree().with("cashless-payment/pay-by-vietqr/media/old.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"));
    assert_problem(&stray, "cashless-payment/pay-by-vietqr/media/old.svg:1:41: error", "<script>");
}

#[test]
fn the_same_lesson_id_in_two_topics_is_an_error() {
    let twin = other_lesson("pay-by-vietqr", "data-safety", 1);
    let problems = problems(tree().with("data-safety/pay-by-vietqr/vi.md", twin.clone()).with("data-safety/pay-by-vietqr/en.md", twin));
    assert_problem(
        &problems,
        "data-safety/pay-by-vietqr/vi.md:2:5: error",
        "lesson id `pay-by-vietqr` is also used by cashless-payment/pay-by-vietqr/",
    );
}

#[test]
fn two_lessons_with_the_same_order_in_a_topic_are_warned() {
    let other = other_lesson("pay-bills", "cashless-payment", 2);
    let problems = problems(tree().with("cashless-payment/pay-bills/vi.md", other.clone()).with("cashless-payment/pay-bills/en.md", other));
    assert_problem(&problems, &format!("{VI_PATH}:7:8: warning"), "order 2 is also used by cashless-payment/pay-bills/");
}

#[test]
fn a_lesson_folder_without_vi_md_is_an_error() {
    let problems = problems(without(tree(), VI_PATH));
    assert_problem(&problems, &format!("{VI_PATH}:1:1: error"), "needs vi.md, the Vietnamese original (found en.md)");
}

#[test]
fn an_unknown_locale_file_name_is_an_error() {
    let problems = problems(tree().with("cashless-payment/pay-by-vietqr/vn.md", VI));
    assert_problem(&problems, "cashless-payment/pay-by-vietqr/vn.md:1:1: error", "`vn.md` is not a lesson language");
}

#[test]
fn a_file_that_is_not_utf8_is_an_error() {
    let problems = problems(tree().with(EN_PATH, b"---\nid: \xff\n".to_vec()));
    assert_problem(&problems, &format!("{EN_PATH}:1:1: error"), "not UTF-8");
}

#[test]
fn a_missing_translation_into_a_reviewed_locale_is_a_warning() {
    let problems = problems(without(tree(), EN_PATH));
    assert_eq!(problems, vec![format!("content/{VI_PATH}:1:1: warning: no en.md translation yet (English learners see the Vietnamese lesson)")]);
}

#[test]
fn unused_media_and_stray_files_are_warned_and_ignored() {
    let problems = problems(
        tree()
            .with("cashless-payment/pay-by-vietqr/media/old.svg", svg("old"))
            .with("cashless-payment/pay-by-vietqr/notes.txt", "ghi chú")
            .with("cashless-payment/ideas.md", "ý tưởng")
            .with("cashless-payment/README.md", "chủ đề"),
    );
    assert_problem(&problems, "cashless-payment/pay-by-vietqr/media/old.svg:1:1: warning", "not published");
    assert_problem(&problems, "cashless-payment/pay-by-vietqr/notes.txt:1:1: warning", "ignored");
    assert_problem(&problems, "cashless-payment/ideas.md:1:1: warning", "not inside a lesson folder");
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

// Translations against the Vietnamese original.

#[test]
fn a_translation_with_another_number_of_steps_is_an_error() {
    let more = edit(EN, "## ? What do you check", "## One more step\nText.\n\n## ? What do you check");
    assert_problem(&problems(with_en(&more)), &format!("{EN_PATH}:30:1: error"), "the number of steps differs: en.md has 3, vi.md has 2");
    let fewer = edit(EN, "## Open the bank app\n", "");
    assert_problem(&problems(with_en(&fewer)), &format!("{EN_PATH}:12:1: error"), "the number of steps differs: en.md has 1, vi.md has 2");
}

#[test]
fn a_translation_with_another_number_of_questions_is_an_error() {
    let fewer = &EN[..EN.find("## ? You may pay").unwrap()];
    assert_problem(&problems(with_en(fewer)), &format!("{EN_PATH}:30:1: error"), "the number of quiz questions differs: en.md has 1, vi.md has 2");
}

#[test]
fn a_translation_with_another_number_of_options_is_an_error() {
    let more = edit(EN, "  > The colour does not matter.\n", "  > The colour does not matter.\n- [ ] The battery\n  > No.\n");
    assert_problem(&problems(with_en(&more)), &format!("{EN_PATH}:30:1: error"), "question 1 has a different number of options: 3 here, 2 in vi.md");
}

#[test]
fn a_translation_with_other_right_answers_is_an_error_at_the_first_differing_option() {
    let swapped = edit(edit(EN, "- [ ] The colour", "- [x] The colour").as_str(), "- [x] The recipient", "- [ ] The recipient");
    assert_problem(&problems(with_en(&swapped)), &format!("{EN_PATH}:31:1: error"), "option 1 of question 1 is marked [x] here but [ ] in vi.md");
}

#[test]
fn a_translation_that_drops_true_false_is_an_error() {
    let plain = edit(EN, " {.true-false}", "");
    assert_problem(&problems(with_en(&plain)), &format!("{EN_PATH}:36:1: error"), "question 2 is single choice here but true-false in vi.md");
}

#[test]
fn a_translation_with_other_order_or_minutes_is_an_error() {
    let problems = problems(with_en(&edit(&edit(EN, "order: 2", "order: 3"), "minutes: 6", "minutes: 5")));
    assert_problem(&problems, &format!("{EN_PATH}:6:10: error"), "minutes is 5 here but 6 in vi.md");
    assert_problem(&problems, &format!("{EN_PATH}:7:8: error"), "order is 3 here but 2 in vi.md");
}

#[test]
fn problems_are_sorted_by_file_and_position() {
    let tree = ContentTree::from_files(
        with_vi(&edit(&edit(VI, "minutes: 6", "minutes: x"), "- [x] Tên", "- [ ] Tên")).with(EN_PATH, edit(EN, "order: 2", "order: z")),
    );
    let places: Vec<String> = tree.report.problems.iter().map(|p| format!("{}:{}", p.path.display(), p.problem.position)).collect();
    assert_eq!(places, [format!("content/{EN_PATH}:7:8"), format!("content/{VI_PATH}:6:10"), format!("content/{VI_PATH}:30:1"),]);
    assert_eq!(tree.report.summary(), "checked 1 lesson (2 files): 3 errors, 0 warnings");
}

#[test]
fn stats_count_lessons_steps_questions_minutes_drafts_and_coverage() {
    let other = other_lesson("pay-bills", "cashless-payment", 1);
    let tree = ContentTree::from_files(tree().with("cashless-payment/pay-bills/vi.md", other));
    let stats = stats(&tree);
    let cashless = stats.topics.iter().find(|t| t.topic == "cashless-payment").unwrap();
    let vi = &cashless.locales[0];
    assert_eq!((vi.locale.as_str(), vi.lessons, vi.steps, vi.questions, vi.minutes, vi.drafts, vi.coverage_percent), ("vi", 2, 3, 3, 9, 2, 100));
    let en = &cashless.locales[1];
    assert_eq!((en.locale.as_str(), en.lessons, en.steps, en.questions, en.minutes, en.drafts, en.coverage_percent), ("en", 1, 2, 2, 6, 1, 50));
    assert_eq!(cashless.locales[2].lessons, 0);
    let safety = stats.topics.iter().find(|t| t.topic == "data-safety").unwrap();
    assert_eq!(safety.locales[0].lessons, 0);
    assert_eq!((stats.total[0].lessons, stats.total[1].coverage_percent), (2, 50));
}

#[test]
fn reading_a_real_folder_skips_hidden_files_and_reports_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in &tree().files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
    }
    std::fs::write(dir.path().join("cashless-payment/pay-by-vietqr/.DS_Store"), "x").unwrap();
    let report = check_tree(dir.path());
    assert_eq!(report.problems, vec![]);
    assert_eq!(report.lessons, 1);

    let missing = check_tree(&dir.path().join("nope"));
    assert_eq!(missing.error_count(), 1);
    assert!(missing.problems[0].problem.message.contains("cannot read the content folder"));
}

#[test]
fn a_translation_keeps_the_drills_of_the_original() {
    let moved = edit(EN, "right: scan\n", "right: cancel\nwrong: scan => Scan it.\n");
    assert_problem(&problems(with_en(&moved)), &format!("{EN_PATH}:21:1: error"), "screen 1 of drill 1 has another right action here than in vi.md");
    let other = edit(EN, "kind: transfer_confirm", "kind: message_inbox");
    let other = edit(&other, "screen: scan\nright: scan", "screen: message\nfrom: A\ntext: B\nright: safe");
    assert_problem(&problems(with_en(&other)), &format!("{EN_PATH}:21:1: error"), "drill 1 is message_inbox here but transfer_confirm in vi.md");
    let none = edit(EN, "```practice\nkind: transfer_confirm\ninstruction: Scan the QR code at the counter.\nscreen: scan\nright: scan\n```\n\n", "");
    assert_problem(&problems(with_en(&none)), &format!("{EN_PATH}:17:1: error"), "the number of practice drills differs: en.md has 0, vi.md has 1");
    // A language not yet reviewed may leave the drills out: its learners get vi.md's, and are told.
    let hmn_path = "cashless-payment/pay-by-vietqr/hmn.md";
    let got = problems(tree().with(hmn_path, none.clone()));
    assert_problem(&got, &format!("{hmn_path}:17:1: warning"), "no practice drills here yet: hmn.md's learners get vi.md's 1 drill(s) in Vietnamese");
    assert!(!got.iter().any(|p| p.contains("error")), "{got:#?}");
    // One drill of its own is not "none": then it must match like any translation.
    let moved_hmn = problems(tree().with(hmn_path, moved));
    assert_problem(&moved_hmn, &format!("{hmn_path}:21:1: error"), "another right action");
}

#[test]
fn a_sound_file_must_be_the_sound_its_name_says_and_within_a_steps_limits() {
    let path = "cashless-payment/pay-by-vietqr/media/step2.mp3";
    let problem_of = |bytes: Vec<u8>| problems(tree().with(path, bytes));
    let webm = include_bytes!("../audio/chromium-1500ms.webm").to_vec();
    assert_problem(&problem_of(webm), &format!("{path}:1:1: error"), "this file is audio/webm sound, not .mp3: rename it to .webm");
    assert_problem(&problem_of(b"<html>not a sound</html>".to_vec()), &format!("{path}:1:1: error"), "not a recording a phone can play");
    let mut huge = b"ID3".to_vec();
    huge.resize(crate::audio::MAX_RECORDING_BYTES + 1, 0);
    assert_problem(&problem_of(huge), &format!("{path}:1:1: error"), "over the limit of 600000 bytes");
    assert!(problems(tree()).is_empty(), "the fixture's own sound is fine");
}

#[test]
fn a_chosen_content_or_topic_folder_gives_paths_relative_to_the_content_folder() {
    let root = ["content/money/topic.md", "content/money/pay/vi.md", "content/money/pay/media/qr.svg", "content/README.md", "content/.git/HEAD"];
    assert_eq!(
        content_paths(&root),
        Ok(vec![
            Some("money/topic.md".into()),
            Some("money/pay/vi.md".into()),
            Some("money/pay/media/qr.svg".into()),
            Some("README.md".into()),
            None
        ])
    );
    let topic = ["money/topic.md", "money/pay/vi.md", "money/pay/.DS_Store", "money/pay/media/qr.svg"];
    assert_eq!(
        content_paths(&topic),
        Ok(vec![Some("money/topic.md".into()), Some("money/pay/vi.md".into()), None, Some("money/pay/media/qr.svg".into())])
    );
    // A topic folder without its topic.md still is one (the check then asks for topic.md).
    assert_eq!(content_paths(&["money/pay/en.md"]), Ok(vec![Some("money/pay/en.md".into())]));
    assert_eq!(content_paths(&["pay/vi.md", "pay/media/qr.svg"]), Err(ChosenFolderError::LessonFolder));
    assert_eq!(content_paths(&["photos/a.png", "photos/notes.md"]), Err(ChosenFolderError::NoContent));
}

#[test]
fn files_chosen_one_by_one_are_placed_by_their_front_matter() {
    let topic = "---\nid: cashless-payment\ncolour: \"#2e7d32\"\norder: 2\ntitle: Thanh toán\nsummary: Chuyển tiền\n---\n";
    let files = [("vi.md", Some(VI)), ("en.md", Some(EN)), ("qr-stand.svg", None), ("topic.md", Some(topic))];
    assert_eq!(
        loose_file_paths(&files),
        Ok(vec![
            VI_PATH.to_owned(),
            EN_PATH.to_owned(),
            "cashless-payment/pay-by-vietqr/media/qr-stand.svg".to_owned(),
            "cashless-payment/topic.md".to_owned()
        ])
    );
    // A fixed file alone goes where it was.
    assert_eq!(loose_file_paths(&[("vi.md", Some(VI))]), Ok(vec![VI_PATH.to_owned()]));
    assert_eq!(loose_file_paths(&[("vi.md", Some("no front matter"))]), Err(LooseFileError::NoId("vi.md".into())));
    assert_eq!(loose_file_paths(&[("qr.svg", None)]), Err(LooseFileError::WhichLesson("qr.svg".into())));
    let other = other_lesson("pay-bills", "cashless-payment", 1);
    let two = [("vi.md", Some(VI)), ("vi.md", Some(other.as_str())), ("qr.svg", None)];
    assert_eq!(loose_file_paths(&two), Err(LooseFileError::WhichLesson("qr.svg".into())));
}

#[test]
fn language_coverage_counts_lessons_reviews_voices_and_interface_strings_per_language() {
    use crate::content::stats::language_coverage;
    use crate::i18n::Messages;
    let reviewed = edit(
        &other_lesson("pay-bills", "cashless-payment", 1),
        "status: draft",
        "status: reviewed\nreviewed_by: Tổ công nghệ số xã\nreviewed_on: 2026-11-30",
    );
    // A Hmong draft of the fixture lesson without its step audio.
    let hmn = edit(EN, "![Listen to this step](media/step2.mp3)\n", "");
    let tree = ContentTree::from_files(tree().with("cashless-payment/pay-bills/vi.md", reviewed).with("cashless-payment/pay-by-vietqr/hmn.md", hmn));
    let messages = |code: &str| {
        let json = match code {
            "vi" | "en" => r#"{"_status": "reviewed", "a": "A", "b": "B", "c": "C", "d": "D"}"#,
            "hmn" => r#"{"_status": "draft", "a": "Hmoob A", "b": " ", "extra": "x"}"#,
            _ => return None,
        };
        Some(Messages::from_json(json).unwrap())
    };
    let coverage = language_coverage(&stats(&tree), messages);
    let rows: Vec<_> = coverage
        .iter()
        .map(|c| (c.locale.as_str(), c.lessons, c.lessons_total, c.reviewed, c.steps_with_audio, c.steps, c.ui_strings, c.ui_strings_total))
        .collect();
    assert_eq!(rows, [("vi", 2, 2, 1, 1, 3, 4, 4), ("en", 1, 2, 0, 1, 2, 4, 4), ("hmn", 1, 2, 0, 0, 2, 1, 4), ("tyz", 0, 2, 0, 0, 0, 0, 4)]);
}
