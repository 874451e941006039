//! Checks that need more than one file: the lesson's folder and media, the other lessons, and the
//! Vietnamese original of a translation. Pure functions over parsed lessons; no file system.

use std::collections::{BTreeMap, BTreeSet};

use super::media::{media_kind, not_media_message};
use super::model::{Lesson, LinkTarget};
use super::parse::{ParsedLesson, ReferenceKind, IMAGE_EXTENSIONS};
use super::problem::{Position, Problem};

/// What a lesson file is checked against.
pub(crate) struct FolderContext<'a> {
    /// The topic folder the lesson is in.
    pub topic: &'a str,
    /// The lesson folder's name.
    pub lesson: &'a str,
    /// File names in the lesson's `media/` folder.
    pub media: &'a BTreeMap<String, Vec<u8>>,
    /// Every lesson folder of the tree, as (topic, lesson).
    pub lessons: &'a BTreeSet<(String, String)>,
    /// Every topic of the tree (a folder with a `topic.md`).
    pub topics: &'a BTreeSet<String>,
}

/// The front matter against the folder, and every reference against the files that exist.
pub(crate) fn check_against_folder(parsed: &ParsedLesson, context: &FolderContext) -> Vec<Problem> {
    let mut problems = Vec::new();
    let meta = &parsed.lesson.meta;
    let map = &parsed.source_map;
    if !meta.id.is_empty() && meta.id != context.lesson {
        problems.push(Problem::error(
            map.field("id"),
            format!("id `{}` differs from its folder name `{}`: they must be the same", meta.id, context.lesson),
        ));
    }
    let topic_known = context.topics.contains(&meta.topic);
    if !meta.topic.is_empty() && !topic_known && map.fields.contains_key("topic") {
        let known: Vec<&str> = context.topics.iter().map(String::as_str).collect();
        problems.push(Problem::error(
            map.field("topic"),
            format!("unknown topic `{}`: use one of {}, or add a {}/topic.md for a new topic", meta.topic, known.join(", "), meta.topic),
        ));
    }
    if !meta.topic.is_empty() && topic_known && meta.topic != context.topic {
        problems.push(Problem::error(
            map.field("topic"),
            format!(
                "topic `{}` differs from the topic folder `{}` the lesson is in: move the lesson to {}/ or fix the topic",
                meta.topic, context.topic, meta.topic
            ),
        ));
    }
    for reference in &map.references {
        let at = reference.position;
        let target = reference.target.as_str();
        match reference.kind {
            ReferenceKind::Image | ReferenceKind::Audio | ReferenceKind::Icon => {
                // A target outside `media/` is already reported by the parser.
                if let Some(name) = target.strip_prefix("media/") {
                    check_media_file(name, at, context, &mut problems);
                }
                if reference.kind == ReferenceKind::Icon && !has_extension(target, IMAGE_EXTENSIONS) {
                    problems.push(Problem::error(at, format!("the icon must be a picture (.{}), not `{target}`", IMAGE_EXTENSIONS.join(" ."))));
                }
            }
            ReferenceKind::Link => match LinkTarget::parse(target) {
                LinkTarget::Web(url) => problems.push(Problem::warning(
                    at,
                    format!("link to a web page ({url}): it needs internet, which learners may not have; say the essential in the lesson too"),
                )),
                LinkTarget::Phone(_) => {}
                LinkTarget::Media(name) => {
                    check_media_file(&name, at, context, &mut problems);
                    if media_kind(&name).is_none() {
                        problems.push(Problem::error(at, not_media_message(target)));
                    }
                }
                LinkTarget::Lesson { topic, lesson } => {
                    let topic = topic.unwrap_or_else(|| context.topic.to_owned());
                    if !context.lessons.contains(&(topic.clone(), lesson.clone())) {
                        problems.push(Problem::error(
                            at,
                            format!("link to a lesson that does not exist: there is no {topic}/{lesson}/ folder"),
                        ));
                    }
                }
                LinkTarget::Unsupported => problems.push(Problem::error(
                    at,
                    format!(
                        "unsupported link `{target}`: link to another lesson as `../lesson-id` (same topic) or `../../topic-id/lesson-id`, to a file as `media/<file>`, to a phone number as `tel:113`, or to a web page as `https://…`"
                    ),
                )),
            },
        }
    }
    problems
}

fn check_media_file(name: &str, at: Position, context: &FolderContext, problems: &mut Vec<Problem>) {
    let escapes = name.is_empty() || name.starts_with('/') || name.contains('\\') || name.split('/').any(|part| part == ".." || part == ".");
    if escapes {
        problems.push(Problem::error(at, format!("`media/{name}` must name a file inside the lesson's media/ folder")));
    } else if !context.media.contains_key(name) {
        problems.push(Problem::error(
            at,
            format!(
                "missing media file `media/{name}`: put it in {}/{}/media/ or fix the name (names are case-sensitive)",
                context.topic, context.lesson
            ),
        ));
    }
}

fn has_extension(target: &str, extensions: &[&str]) -> bool {
    target.rsplit_once('.').is_some_and(|(_, ext)| extensions.contains(&ext.to_ascii_lowercase().as_str()))
}

/// A translation against its Vietnamese original: same order and minutes, same steps and questions,
/// same options and right answers (so progress and quiz results mean the same in every language).
pub(crate) fn compare_translation(original: &ParsedLesson, translation: &ParsedLesson, locale: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let (vi, tr) = (&original.lesson, &translation.lesson);
    let map = &translation.source_map;
    let file = format!("{locale}.md");
    // Only fields both files state correctly are compared: a bad value is reported on its own.
    let both_have = |field: &str| map.fields.contains_key(field) && original.source_map.fields.contains_key(field);
    if vi.meta.order != tr.meta.order && both_have("order") {
        problems.push(Problem::error(
            map.field("order"),
            format!("order is {} here but {} in vi.md: a translation keeps the original's order", tr.meta.order, vi.meta.order),
        ));
    }
    if vi.meta.minutes != tr.meta.minutes && both_have("minutes") {
        problems.push(Problem::error(
            map.field("minutes"),
            format!("minutes is {} here but {} in vi.md: a translation keeps the original's minutes", tr.meta.minutes, vi.meta.minutes),
        ));
    }
    if vi.steps.len() != tr.steps.len() {
        // Point at the first extra step, or at the last step when some are missing.
        let at = map.steps.get(vi.steps.len()).or(map.steps.last()).copied().unwrap_or(Position::START);
        problems.push(Problem::error(
            at,
            format!(
                "the number of steps differs: {file} has {}, vi.md has {}; a translation has the same steps, in the same order",
                tr.steps.len(),
                vi.steps.len()
            ),
        ));
    }
    if vi.quiz.len() != tr.quiz.len() {
        let at = map.questions.get(vi.quiz.len()).or(map.questions.last()).map(|q| q.heading).unwrap_or(map.end);
        problems.push(Problem::error(
            at,
            format!(
                "the number of quiz questions differs: {file} has {}, vi.md has {}; a translation has the same questions, in the same order",
                tr.quiz.len(),
                vi.quiz.len()
            ),
        ));
    }
    compare_drills(original, translation, locale, &mut problems);
    for (number, ((vi_question, tr_question), source)) in vi.quiz.iter().zip(&tr.quiz).zip(&map.questions).enumerate() {
        let number = number + 1;
        if vi_question.options.len() != tr_question.options.len() {
            problems.push(Problem::error(
                source.heading,
                format!(
                    "question {number} has a different number of options: {} here, {} in vi.md; keep the same options in the same order",
                    tr_question.options.len(),
                    vi_question.options.len()
                ),
            ));
        }
        if vi_question.kind != tr_question.kind && vi_question.options.len() == tr_question.options.len() {
            problems.push(Problem::error(
                source.heading,
                format!(
                    "question {number} is {} here but {} in vi.md: keep the same kind (and `{{.true-false}}`)",
                    tr_question.kind.description(),
                    vi_question.kind.description()
                ),
            ));
        }
        if vi_question.correct_options().is_empty() {
            // The original has no right answer yet (reported in vi.md): nothing to compare with.
            continue;
        }
        let differing = vi_question.options.iter().zip(&tr_question.options).position(|(a, b)| a.correct != b.correct);
        if let Some(index) = differing {
            let marked = |correct: bool| if correct { "[x]" } else { "[ ]" };
            problems.push(Problem::error(
                source.options.get(index).copied().unwrap_or(source.heading),
                format!(
                    "option {} of question {number} is marked {} here but {} in vi.md: the right answers must be the same",
                    index + 1,
                    marked(tr_question.options[index].correct),
                    marked(vi_question.options[index].correct)
                ),
            ));
        }
    }
    problems
}

/// A translation's drills against the original's: the same drills, kinds and screens, with the right
/// action in the same place, so that drill events and the dashboard mean the same in every language.
/// A translation into a language not yet reviewed may have no drills at all: its learners then get
/// the original's drills, in Vietnamese (see [`borrows_drills`]), and the checker says so.
fn compare_drills(original: &ParsedLesson, translation: &ParsedLesson, locale: &str, problems: &mut Vec<Problem>) {
    let (vi, tr) = (original.lesson.drills(), translation.lesson.drills());
    let map = &translation.source_map;
    let file = format!("{locale}.md");
    if borrows_drills(&original.lesson, &translation.lesson, locale) {
        let at = original.lesson.drill_steps().first().and_then(|step| map.steps.get(*step as usize)).copied().unwrap_or(map.end);
        problems.push(Problem::warning(
            at,
            format!(
                "no practice drills here yet: {file}'s learners get vi.md's {} drill(s) in Vietnamese until the ```practice blocks are translated",
                vi.len()
            ),
        ));
        return;
    }
    if vi.len() != tr.len() {
        // An extra drill is pointed at; a missing one at the step that holds it in vi.md.
        let missing_step = original.lesson.drill_steps().get(tr.len()).and_then(|step| map.steps.get(*step as usize));
        let at = map.drills.get(vi.len()).or(missing_step).copied().unwrap_or(map.end);
        problems.push(Problem::error(
            at,
            format!(
                "the number of practice drills differs: {file} has {}, vi.md has {}; a translation has the same drills, in the same order",
                tr.len(),
                vi.len()
            ),
        ));
    }
    for (number, ((vi_drill, tr_drill), at)) in vi.iter().zip(&tr).zip(&map.drills).enumerate() {
        let number = number + 1;
        if vi_drill.kind.as_str() != tr_drill.kind.as_str() {
            problems.push(Problem::error(
                *at,
                format!("drill {number} is {} here but {} in vi.md: keep the same kind", tr_drill.kind.as_str(), vi_drill.kind.as_str()),
            ));
            continue;
        }
        let screens = |d: &crate::practice::Drill| d.steps.iter().map(|s| s.screen.name()).collect::<Vec<_>>();
        if screens(vi_drill) != screens(tr_drill) {
            problems.push(Problem::error(
                *at,
                format!(
                    "drill {number} has the screens {} here but {} in vi.md: keep the same screens, in the same order",
                    screens(tr_drill).join(", "),
                    screens(vi_drill).join(", ")
                ),
            ));
            continue;
        }
        // Actions are compared by position: a call's choices are translated, keywords are not.
        let rights = |d: &crate::practice::Drill| d.steps.iter().map(|s| s.responses.iter().position(|r| r.right)).collect::<Vec<_>>();
        let (vi_rights, tr_rights) = (rights(vi_drill), rights(tr_drill));
        let keywords = |d: &crate::practice::Drill| {
            d.steps
                .iter()
                .map(|s| s.right().filter(|r| !matches!(r.action, crate::practice::Action::Choice(_))).map(|r| r.action.clone()))
                .collect::<Vec<_>>()
        };
        let differing = (0..vi_drill.steps.len()).find(|&i| {
            let is_call = vi_drill.steps[i].screen.takes_choices();
            if is_call {
                vi_rights[i] != tr_rights[i]
            } else {
                keywords(vi_drill)[i] != keywords(tr_drill)[i]
            }
        });
        if let Some(step) = differing {
            problems.push(Problem::error(
                *at,
                format!("screen {} of drill {number} has another right action here than in vi.md: the right actions must be the same", step + 1),
            ));
        }
    }
}

/// Whether the `locale` translation carries the original's drills as they are: it has none of its
/// own, the original has some, the steps match, and the language is not yet reviewed (a reviewed
/// translation must translate its drills). The real screens being Vietnamese, a Vietnamese drill
/// is still practice; a learner without it could not finish the lesson's drills at all.
pub(crate) fn borrows_drills(original: &Lesson, translation: &Lesson, locale: &str) -> bool {
    let unreviewed = crate::i18n::LOCALES.iter().any(|l| l.code == locale && !l.reviewed);
    unreviewed && translation.drills().is_empty() && !original.drills().is_empty() && translation.steps.len() == original.steps.len()
}
