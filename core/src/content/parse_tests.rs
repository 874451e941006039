//! The parser on one file: the good lesson's full structure, and each mistake at its exact place.
use super::*;
use crate::content::fixtures::{edit, VI};
use crate::content::model::{LessonMeta, QuestionKind, Status};
use crate::content::problem::{Position, Severity};
use crate::practice::{Action, Drill, DrillKind, DrillStep, Response, Screen};

fn text(t: &str) -> Inline {
    Inline::text(t)
}

fn strong(t: &str) -> Inline {
    Inline::Strong { children: vec![text(t)] }
}

fn paragraph(content: Vec<Inline>) -> Block {
    Block::Paragraph { content }
}

fn option(label: &str, correct: bool, explanation: &str) -> AnswerOption {
    AnswerOption { text: vec![text(label)], correct, explanation: vec![text(explanation)] }
}

/// Asserts that `source` has exactly one problem, at `line:col`, whose message contains `words`.
#[track_caller]
fn assert_only_problem(source: &str, line: u32, col: u32, severity: Severity, words: &str) {
    let problems = parse_lesson(source).problems;
    assert_eq!(problems.len(), 1, "expected one problem, got {problems:#?}");
    let problem = &problems[0];
    assert_eq!((problem.position, problem.severity), (Position::new(line, col), severity), "{problem}");
    assert!(problem.message.contains(words), "{:?} should contain {words:?}", problem.message);
}

#[track_caller]
fn assert_has_error(source: &str, line: u32, col: u32, words: &str) {
    let problems = parse_lesson(source).problems;
    assert!(
        problems.iter().any(|p| p.is_error() && p.position == Position::new(line, col) && p.message.contains(words)),
        "no error at {line}:{col} containing {words:?} in {problems:#?}"
    );
}

#[test]
fn the_good_lesson_parses_into_its_full_structure_without_problems() {
    let parsed = parse_lesson(VI);
    assert_eq!(parsed.problems, vec![]);
    let expected = Lesson {
        meta: LessonMeta {
            id: "pay-by-vietqr".into(),
            topic: "cashless-payment".into(),
            title: "Trả tiền bằng mã VietQR".into(),
            summary: "Quét mã QR để trả tiền.".into(),
            minutes: 6,
            order: 2,
            status: Status::Draft,
            icon: Some("icon.svg".into()),
            review_note: None,
            reviewed_by: None,
            reviewed_on: None,
        },
        steps: vec![
            Step {
                title: "Mã VietQR là gì?".into(),
                blocks: vec![
                    paragraph(vec![text("Mã VietQR là một ô vuông có "), strong("nhiều chấm"), text(" đen trắng.")]),
                    Block::Image { src: "media/qr-stand.svg".into(), alt: "Mã VietQR ở quầy hàng".into() },
                ],
            },
            Step {
                title: "Mở ứng dụng ngân hàng".into(),
                blocks: vec![
                    Block::List {
                        ordered: true,
                        start: 1,
                        items: vec![
                            vec![paragraph(vec![text("Mở ứng dụng "), Inline::Emphasis { children: vec![text("ngân hàng")] }, text(".")])],
                            vec![paragraph(vec![text("Chọn "), strong("Quét QR"), text(".")])],
                        ],
                    },
                    Block::Practice(Drill {
                        kind: DrillKind::TransferConfirm,
                        instruction: "Quét mã QR ở quầy.".into(),
                        steps: vec![DrillStep {
                            ask: None,
                            screen: Screen::Scan { label: String::new() },
                            responses: vec![Response { action: Action::Scan, right: true, feedback: String::new() }],
                        }],
                    }),
                    Block::Audio { src: "media/step2.mp3".into(), label: "Nghe bước này".into() },
                ],
            },
        ],
        quiz: vec![
            Question {
                kind: QuestionKind::Single,
                prompt: "Trước khi chuyển tiền, bạn cần kiểm tra gì?".into(),
                options: vec![option("Màu của mã QR", false, "Màu của mã không quan trọng."), option("Tên người nhận và số tiền", true, "Đúng.")],
            },
            Question {
                kind: QuestionKind::TrueFalse,
                prompt: "Bạn có thể chuyển tiền khi tên người nhận khác.".into(),
                options: vec![option("Đúng", false, "Không nên."), option("Sai", true, "Đúng vậy.")],
            },
        ],
    };
    assert_eq!(parsed.lesson, expected);
    assert_eq!(parsed.lesson.steps[1].audio(), Some("media/step2.mp3"));
}

#[test]
fn a_lesson_round_trips_through_json() {
    let lesson = parse_lesson(VI).lesson;
    let json = serde_json::to_string(&lesson).unwrap();
    assert_eq!(serde_json::from_str::<Lesson>(&json).unwrap(), lesson);
    assert!(json.contains(r#""type":"practice","exercise":"transfer_confirm","kind":"transfer_confirm""#), "{json}");
    assert!(json.contains(r#""kind":"true_false""#), "{json}");
}

#[test]
fn the_source_map_points_at_steps_questions_options_and_references() {
    let map = parse_lesson(VI).source_map;
    assert_eq!(map.steps, vec![Position::new(12, 1), Position::new(17, 1)]);
    assert_eq!(map.questions[0], QuestionSource { heading: Position::new(30, 1), options: vec![Position::new(31, 1), Position::new(33, 1)] });
    assert_eq!(map.questions[1].heading, Position::new(36, 1));
    assert_eq!(map.field("minutes"), Position::new(6, 10));
    let references: Vec<(ReferenceKind, &str, Position)> = map.references.iter().map(|r| (r.kind, r.target.as_str(), r.position)).collect();
    assert_eq!(
        references,
        vec![
            (ReferenceKind::Icon, "media/icon.svg", Position::new(9, 7)),
            (ReferenceKind::Image, "media/qr-stand.svg", Position::new(15, 1)),
            (ReferenceKind::Audio, "media/step2.mp3", Position::new(28, 1)),
        ]
    );
}

#[test]
fn windows_line_endings_and_a_byte_order_mark_are_accepted() {
    let windows = format!("\u{feff}{}", VI.replace('\n', "\r\n"));
    let parsed = parse_lesson(&windows);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.lesson, parse_lesson(VI).lesson);
}

// Front matter.

#[test]
fn a_file_without_front_matter_is_reported_at_its_start() {
    let source = VI.splitn(3, "---\n").nth(2).unwrap();
    let problems = parse_lesson(source).problems;
    assert_eq!(problems[0].position, Position::START);
    assert!(problems[0].message.contains("starts with its front matter"), "{}", problems[0]);
}

#[test]
fn front_matter_without_closing_line_is_reported() {
    let source = "---\nid: a\ntopic: data-safety\n";
    assert_only_problem(source, 1, 1, Severity::Error, "no closing `---`");
}

#[test]
fn a_missing_required_field_is_reported_at_the_closing_line() {
    let source = edit(VI, "summary: Quét mã QR để trả tiền.\n", "");
    assert_only_problem(&source, 9, 1, Severity::Error, "lacks `summary`");
}

#[test]
fn an_unknown_field_is_reported_at_its_key() {
    let source = edit(VI, "icon: icon.svg\n", "icon: icon.svg\nauthor: Lan\n");
    assert_only_problem(&source, 10, 1, Severity::Error, "unknown front-matter field `author`");
}

#[test]
fn a_field_given_twice_is_reported() {
    let source = edit(VI, "order: 2\n", "order: 2\norder: 3\n");
    assert_only_problem(&source, 8, 1, Severity::Error, "`order` is given twice");
}

#[test]
fn minutes_that_are_not_a_whole_number_are_reported_at_the_value() {
    assert_only_problem(&edit(VI, "minutes: 6", "minutes: six"), 6, 10, Severity::Error, "minutes must be a whole number");
    assert_only_problem(&edit(VI, "minutes: 6", "minutes: 6.5"), 6, 10, Severity::Error, "found `6.5`");
    assert_only_problem(&edit(VI, "minutes: 6", "minutes: 0"), 6, 10, Severity::Error, "at least 1");
}

#[test]
fn an_order_that_is_not_a_whole_number_is_reported_at_the_value() {
    assert_only_problem(&edit(VI, "order: 2", "order:   2a"), 7, 10, Severity::Error, "order must be a whole number");
}

#[test]
fn a_status_other_than_draft_or_reviewed_is_reported() {
    assert_only_problem(&edit(VI, "status: draft", "status: done"), 8, 9, Severity::Error, "`draft` or `reviewed`");
    assert_only_problem(&edit(VI, "status: draft", "status: reviewed  # draft | reviewed"), 8, 9, Severity::Error, "`draft` or `reviewed`");
}

#[test]
fn a_topic_is_checked_against_the_topic_folders_not_by_the_parser() {
    // Topics are content (`<topic>/topic.md`): only the tree knows them (see the tree's tests).
    assert_eq!(parse_lesson(&edit(VI, "topic: cashless-payment", "topic: farming")).problems, vec![]);
    assert_only_problem(&edit(VI, "topic: cashless-payment", "topic: Farming Tips"), 3, 8, Severity::Error, "may only use a-z, 0-9 and -");
}

#[test]
fn an_id_with_spaces_or_capitals_is_reported() {
    assert_only_problem(&edit(VI, "id: pay-by-vietqr", "id: Pay by VietQR"), 2, 5, Severity::Error, "may only use a-z, 0-9 and -");
}

#[test]
fn an_empty_value_is_reported() {
    assert_only_problem(&edit(VI, "title: Trả tiền bằng mã VietQR", "title:"), 4, 7, Severity::Error, "`title` is empty");
}

#[test]
fn quoted_values_comments_and_review_notes_are_understood() {
    let source = edit(VI, "title: Trả tiền bằng mã VietQR", "# the title has a colon\ntitle: \"VietQR: trả tiền\"\nreview_note: kiểm tra lại");
    let parsed = parse_lesson(&source);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.lesson.meta.title, "VietQR: trả tiền");
    assert_eq!(parsed.lesson.meta.review_note.as_deref(), Some("kiểm tra lại"));
}

// Steps.

#[test]
fn text_before_the_first_step_is_an_error() {
    let source = edit(VI, "---\n\n## Mã VietQR", "---\n\nXin chào các bạn.\n\n## Mã VietQR");
    assert_only_problem(&source, 12, 1, Severity::Error, "text before the first step");
}

#[test]
fn an_empty_step_is_an_error_at_its_heading() {
    let source = edit(VI, "## Mở ứng dụng", "## Bước trống\n\n## Mở ứng dụng");
    assert_only_problem(&source, 17, 1, Severity::Error, "empty step");
}

#[test]
fn a_heading_made_by_underlining_is_an_error() {
    let source = edit(VI, "đen trắng.\n", "đen trắng.\n---\n");
    assert_has_error(&source, 13, 1, "underlined");
}

#[test]
fn other_heading_levels_are_errors() {
    assert_has_error(&edit(VI, "## Mở ứng dụng", "# Mở ứng dụng"), 17, 1, "`# ` headings are not used");
    assert_has_error(&edit(VI, "đen trắng.\n", "đen trắng.\n\n### Chú ý\n"), 15, 1, "only `## ` headings");
}

#[test]
fn a_picture_inside_a_sentence_is_an_error() {
    let source = edit(VI, "đen trắng.", "đen trắng ![mã](media/qr-stand.svg) nhé.");
    assert_only_problem(&source, 13, 54, Severity::Error, "on a line of its own");
}

#[test]
fn a_picture_outside_media_or_of_an_unknown_type_is_an_error() {
    assert_only_problem(&edit(VI, "(media/qr-stand.svg)", "(https://example.com/qr.svg)"), 15, 1, Severity::Error, "media/ folder");
    assert_only_problem(&edit(VI, "(media/qr-stand.svg)", "(media/qr-stand.pdf)"), 15, 1, Severity::Error, "not a picture or audio file");
}

#[test]
fn a_picture_without_description_is_a_warning() {
    assert_only_problem(&edit(VI, "![Mã VietQR ở quầy hàng]", "![]"), 15, 1, Severity::Warning, "describe the picture");
}

#[test]
fn a_practice_block_is_a_drill_whose_problems_are_on_the_lesson_lines() {
    // The fence is on line 21: its lines are 22 `kind`, 23 `instruction`, 24 `screen`, 25 `right`.
    assert_only_problem(&edit(VI, "kind: transfer_confirm", "kind: bank_login"), 22, 7, Severity::Error, "unknown drill kind `bank_login`");
    assert_only_problem(&edit(VI, "right: scan\n", ""), 24, 1, Severity::Error, "no right action");
    assert_only_problem(&edit(VI, "right: scan", "right: scan\nquét mã"), 26, 1, Severity::Error, "`key: value` lines");
    assert_has_error(&edit(VI, "kind: transfer_confirm", "exercise: vietqr-scan"), 22, 1, "old practice format");
    assert_has_error(&edit(VI, "kind: transfer_confirm", "exercise: vietqr-scan"), 21, 1, "lacks `kind");
    assert_has_error(&edit(VI, "kind: transfer_confirm\n", ""), 21, 1, "lacks `kind");
    let parsed = parse_lesson(&edit(VI, "right: scan", "right: scan\nwrong: cancel => Hãy quét mã."));
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.lesson.drills().len(), 1);
    assert_eq!(parsed.lesson.drill_steps(), vec![1]);
    assert_eq!(parsed.source_map.drills, vec![Position::new(21, 1)]);
}

#[test]
fn other_code_blocks_quotes_and_rules_are_errors() {
    assert_has_error(&edit(VI, "```practice", "```"), 21, 1, "code blocks are not part");
    assert_has_error(&edit(VI, "Mã VietQR là một", "> Mã VietQR là một"), 13, 1, "quotes (`>`)");
    assert_has_error(&edit(VI, "đen trắng.\n", "đen trắng.\n\n***\n"), 15, 1, "lines of `---` or `***`");
}

#[test]
fn a_very_long_step_is_a_warning() {
    let long = "chữ ".repeat(LONG_STEP_WORDS + 1);
    let source = edit(VI, "Mã VietQR là một ô vuông", &format!("{long}\n\nMã VietQR là một ô vuông"));
    let problems = parse_lesson(&source).problems;
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!((problems[0].position, problems[0].severity), (Position::new(12, 1), Severity::Warning));
    assert!(problems[0].message.contains("words"));
}

#[test]
fn a_numbered_list_may_start_after_one() {
    let parsed = parse_lesson(&edit(VI, "1. Mở ứng dụng *ngân hàng*.\n2.", "3. Mở ứng dụng *ngân hàng*.\n4."));
    assert!(matches!(parsed.lesson.steps[1].blocks[0], Block::List { ordered: true, start: 3, .. }));
}

#[test]
fn links_keep_their_target_and_are_recorded_for_checking() {
    let parsed = parse_lesson(&edit(VI, "đen trắng.", "đen trắng. Xem [bài sau](../after-a-scam)."));
    assert_eq!(parsed.problems, vec![]);
    let Block::Paragraph { content } = &parsed.lesson.steps[0].blocks[0] else { panic!() };
    assert_eq!(content[3], Inline::Link { href: "../after-a-scam".into(), children: vec![text("bài sau")] });
    let link = parsed.source_map.references.iter().find(|r| r.kind == ReferenceKind::Link).unwrap();
    assert_eq!((link.target.as_str(), link.position), ("../after-a-scam", Position::new(13, 59)));
}

#[test]
fn a_lesson_without_steps_is_an_error_and_without_quiz_a_warning() {
    let front = &VI[..VI.find("## Mã").unwrap()];
    assert_only_problem(front, 11, 1, Severity::Error, "no steps");
    let no_quiz = &VI[..VI.find("## ? Trước").unwrap()];
    assert_only_problem(no_quiz, 11, 1, Severity::Warning, "no quiz");
}

// Quiz.

#[test]
fn a_question_with_no_right_answer_is_an_error_at_its_heading() {
    let source = edit(VI, "- [x] Tên người nhận", "- [ ] Tên người nhận");
    assert_only_problem(&source, 30, 1, Severity::Error, "no right answer");
}

#[test]
fn a_true_false_question_needs_two_options_with_one_right() {
    let three = edit(VI, "- [x] Sai\n  > Đúng vậy.\n", "- [x] Sai\n  > Đúng vậy.\n- [ ] Không biết\n  > Hãy đọc lại.\n");
    assert_only_problem(&three, 36, 1, Severity::Error, "exactly 2 options");
    let both_right = edit(VI, "- [ ] Đúng\n", "- [x] Đúng\n");
    assert_only_problem(&both_right, 36, 1, Severity::Error, "2 marked `[x]`");
}

#[test]
fn two_right_options_make_a_multiple_choice_question() {
    let source = edit(VI, "- [ ] Màu của mã QR", "- [x] Màu của mã QR");
    let parsed = parse_lesson(&source);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.lesson.quiz[0].kind, QuestionKind::Multiple);
}

#[test]
fn an_option_without_explanation_is_a_warning_at_the_option() {
    let source = edit(VI, "- [ ] Màu của mã QR\n  > Màu của mã không quan trọng.\n", "- [ ] Màu của mã QR\n");
    assert_only_problem(&source, 31, 1, Severity::Warning, "no explanation");
}

#[test]
fn an_option_without_box_is_an_error() {
    let source = edit(VI, "- [ ] Màu của mã QR", "- Màu của mã QR");
    assert_only_problem(&source, 31, 1, Severity::Error, "starts with `[ ]`");
}

#[test]
fn an_explanation_that_is_not_indented_is_attached_but_reported() {
    let source = edit(VI, "  > Màu của mã không quan trọng.", "> Màu của mã không quan trọng.");
    let parsed = parse_lesson(&source);
    assert!(
        parsed.problems.iter().any(|p| p.is_error() && p.position == Position::new(32, 1) && p.message.contains("indent")),
        "{:#?}",
        parsed.problems
    );
    assert_eq!(parsed.lesson.quiz[0].options[0].explanation, vec![text("Màu của mã không quan trọng.")]);
    assert_eq!(parsed.lesson.quiz[0].options.len(), 2);
}

#[test]
fn text_under_a_question_other_than_its_options_is_an_error() {
    let source = edit(VI, "cần kiểm tra gì?\n", "cần kiểm tra gì?\nHãy nghĩ kỹ.\n");
    assert_has_error(&source, 31, 1, "a question holds only its options");
}

#[test]
fn a_step_after_the_quiz_is_an_error() {
    let source = format!("{VI}\n## Bước thêm\nNội dung.\n");
    assert_only_problem(&source, 42, 1, Severity::Error, "a step after the quiz");
}

#[test]
fn a_question_mark_without_space_and_unknown_attributes_are_errors() {
    assert_has_error(&edit(VI, "## ? Trước", "## ?Trước"), 30, 1, "with a space after `?`");
    assert_has_error(&edit(VI, "{.true-false}", "{.yes-no}"), 36, 1, "unknown heading attribute");
    assert_has_error(&edit(VI, "## Mở ứng dụng ngân hàng", "## Mở ứng dụng ngân hàng {.true-false}"), 17, 1, "only for questions");
}

// Raw HTML.

#[test]
fn raw_html_is_an_error_wherever_it_is_and_stays_plain_text() {
    let samples: &[(String, (u32, u32), &str)] = &[
        (edit(VI, "Mã VietQR là một ô vuông", "<script>alert(1)</script>\n\nMã VietQR là một ô vuông"), (13, 1), "<script>alert(1)</script>"),
        (edit(VI, "có **nhiều chấm**", "có <b onclick=\"x()\">nhiều chấm</b>"), (13, 29), "<b onclick=\"x()\">"),
        (edit(VI, "## Mã VietQR là gì?", "## Mã <i>VietQR</i> là gì?"), (12, 7), "<i>"),
        (edit(VI, "1. Mở ứng dụng", "1. <img src=x onerror=alert(1)> Mở ứng dụng"), (18, 4), "<img src=x onerror=alert(1)>"),
        (edit(VI, "- [ ] Màu của mã QR", "- [ ] Màu <u>của</u> mã QR"), (31, 11), "<u>"),
        (edit(VI, "  > Màu của mã không", "  > Màu <!-- bí mật --> của mã không"), (32, 9), "<!-- bí mật -->"),
        (edit(VI, "## Mở ứng dụng", "<iframe src=\"https://evil.example\"></iframe>\n\n## Mở ứng dụng"), (17, 1), "<iframe"),
    ];
    for (source, (line, col), literal) in samples {
        let parsed = parse_lesson(source);
        assert!(
            parsed.problems.iter().any(|p| p.is_error() && p.position == Position::new(*line, *col) && p.message.contains("raw HTML")),
            "no raw-HTML error at {line}:{col} in {:#?}",
            parsed.problems
        );
        // The markup survives only as the text of a text node (or a plain string), never as markup.
        let json = serde_json::to_string(&parsed.lesson).unwrap();
        let escaped = serde_json::to_string(literal).unwrap();
        assert!(json.contains(escaped.trim_matches('"')), "{literal} should be kept as text in {json}");
        assert!(!json.contains("\"html\""), "no HTML node type may exist: {json}");
    }
}

#[test]
fn a_reviewed_lesson_without_reviewer_and_date_is_an_error_at_its_status() {
    let problems = parse_lesson(&edit(VI, "status: draft", "status: reviewed")).problems;
    let errors: Vec<String> = problems.iter().filter(|p| p.is_error()).map(|p| format!("{}: {}", p.position, p.message)).collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].starts_with("8:9: status `reviewed` needs `reviewed_by`"), "{errors:#?}");
    assert!(errors[1].starts_with("8:9: status `reviewed` needs `reviewed_on`"), "{errors:#?}");
}

#[test]
fn a_reviewed_lesson_names_who_reviewed_it_and_when() {
    let text = edit(VI, "status: draft", "status: reviewed\nreviewed_by: Cán bộ văn hóa xã\nreviewed_on: 2026-11-30");
    let parsed = parse_lesson(&text);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.lesson.meta.status, Status::Reviewed);
    assert_eq!(parsed.lesson.meta.reviewed_by.as_deref(), Some("Cán bộ văn hóa xã"));
    assert_eq!(parsed.lesson.meta.reviewed_on.as_deref(), Some("2026-11-30"));
    let (by, on) = parsed.lesson.meta.review().expect("a complete review");
    assert_eq!((by, on.to_string()), ("Cán bộ văn hóa xã", "2026-11-30".to_owned()));
    // A draft shows no review, even if it names a reviewer.
    let draft = LessonMeta { status: Status::Draft, ..parsed.lesson.meta.clone() };
    assert_eq!(draft.review(), None);
    // The pack carries both, so the app can show them.
    let json = serde_json::to_string(&parsed.lesson.meta).unwrap();
    assert!(json.contains(r#""reviewed_by":"Cán bộ văn hóa xã","reviewed_on":"2026-11-30""#), "{json}");
}

#[test]
fn a_review_date_that_is_not_a_day_is_an_error_where_it_is() {
    let text = edit(VI, "status: draft", "status: reviewed\nreviewed_by: Tổ công nghệ số\nreviewed_on: 30/11/2026");
    let errors: Vec<String> =
        parse_lesson(&text).problems.iter().filter(|p| p.is_error()).map(|p| format!("{}: {}", p.position, p.message)).collect();
    assert!(errors.iter().any(|e| e.starts_with("10:14: reviewed_on must be the date of the review as YYYY-MM-DD")), "{errors:#?}");
    let text = edit(VI, "status: draft", "status: reviewed\nreviewed_by: Tổ công nghệ số\nreviewed_on: 2026-02-30");
    assert!(parse_lesson(&text).problems.iter().any(|p| p.is_error() && p.message.starts_with("reviewed_on must be")));
}

#[test]
fn a_reviewer_on_a_draft_is_a_warning() {
    let problems = parse_lesson(&edit(VI, "status: draft", "status: draft\nreviewed_by: Tổ công nghệ số")).problems;
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!((problems[0].position, problems[0].severity), (Position::new(9, 14), Severity::Warning));
    assert!(problems[0].message.contains("the status is `draft`"));
}
