//! How much content there is, per topic and language: what `hocso content stats` prints.

use serde::Serialize;

use super::model::Status;
use super::tree::ContentTree;
use crate::i18n::{LOCALES, REFERENCE_LOCALE};

/// Counts for one topic in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LocaleStats {
    pub locale: String,
    pub lessons: usize,
    pub steps: usize,
    pub questions: usize,
    /// Practice drills (```` ```practice ```` blocks).
    pub drills: usize,
    /// The lessons' estimated minutes, added up.
    pub minutes: u32,
    /// Lessons whose status in this language is `draft`.
    pub drafts: usize,
    /// Lessons whose status in this language is `reviewed`.
    pub reviewed: usize,
    /// Steps that name their own audio (`![…](media/….mp3)`): the lesson's voice in this language.
    pub steps_with_audio: usize,
    /// Lessons of the topic (those with a vi.md) that have this language, in percent.
    pub coverage_percent: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TopicStats {
    pub topic: String,
    /// One entry per shipped locale, in picker order (a locale without lessons has zeros).
    pub locales: Vec<LocaleStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// In home-screen order (the topics' `order`).
    pub topics: Vec<TopicStats>,
    /// All topics together, per locale.
    pub total: Vec<LocaleStats>,
}

/// Counts lessons, steps, questions, minutes and drafts per topic and locale (lessons with errors
/// are counted as far as they could be read).
pub fn stats(tree: &ContentTree) -> Stats {
    let topics: Vec<TopicStats> = tree
        .topics
        .iter()
        .map(|topic| {
            let lessons = tree.topic_lessons(&topic.id);
            let originals = lessons.iter().filter(|l| l.original().is_some()).count();
            let locales = LOCALES
                .iter()
                .map(|locale| {
                    let mut stats = LocaleStats { locale: locale.code.to_owned(), ..LocaleStats::default() };
                    for file in lessons.iter().filter_map(|l| l.files.get(locale.code)) {
                        let lesson = &file.parsed.lesson;
                        stats.lessons += 1;
                        stats.steps += lesson.steps.len();
                        stats.questions += lesson.quiz.len();
                        stats.drills += lesson.drills().len();
                        stats.minutes += lesson.meta.minutes;
                        stats.drafts += usize::from(lesson.meta.status == Status::Draft);
                        stats.reviewed += usize::from(lesson.meta.status == Status::Reviewed);
                        stats.steps_with_audio += lesson.steps.iter().filter(|step| step.audio().is_some()).count();
                    }
                    stats.coverage_percent = percent(stats.lessons, originals);
                    stats
                })
                .collect();
            TopicStats { topic: topic.id.clone(), locales }
        })
        .collect();
    let total = LOCALES
        .iter()
        .enumerate()
        .map(|(i, locale)| {
            let mut sum = LocaleStats { locale: locale.code.to_owned(), ..LocaleStats::default() };
            for topic in &topics {
                let s = &topic.locales[i];
                sum.lessons += s.lessons;
                sum.steps += s.steps;
                sum.questions += s.questions;
                sum.drills += s.drills;
                sum.minutes += s.minutes;
                sum.drafts += s.drafts;
                sum.reviewed += s.reviewed;
                sum.steps_with_audio += s.steps_with_audio;
            }
            sum
        })
        .collect::<Vec<_>>();
    let originals = total.iter().find(|s| s.locale == REFERENCE_LOCALE).map_or(0, |s| s.lessons);
    let total = total
        .into_iter()
        .map(|mut s| {
            s.coverage_percent = percent(s.lessons, originals);
            s
        })
        .collect();
    Stats { topics, total }
}

fn percent(part: usize, whole: usize) -> u32 {
    (part * 100).checked_div(whole).map_or(0, |p| p as u32)
}

/// How far one language has come, in the numbers a speaker of it cares about: what
/// `hocso content stats` prints per language, and what the app's language picker will show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LanguageCoverage {
    pub locale: String,
    /// Lessons written in this language, of all lessons (those with a Vietnamese original).
    pub lessons: usize,
    pub lessons_total: usize,
    /// Of those written, how many a reviewer checked.
    pub reviewed: usize,
    /// Steps with their own audio in this language, of the steps written in it.
    pub steps_with_audio: usize,
    pub steps: usize,
    /// Interface strings (`locales/<code>.json`) translated, of those in Vietnamese (`vi.json`).
    pub ui_strings: usize,
    pub ui_strings_total: usize,
}

/// One [`LanguageCoverage`] per shipped locale, in picker order, from the content's [`Stats`] and
/// each locale's interface strings (`None` when its file is missing or unreadable: 0 translated).
pub fn language_coverage(stats: &Stats, messages: impl Fn(&str) -> Option<crate::i18n::Messages>) -> Vec<LanguageCoverage> {
    let reference = messages(REFERENCE_LOCALE).unwrap_or_default();
    let lessons_total = stats.total.iter().find(|s| s.locale == REFERENCE_LOCALE).map_or(0, |s| s.lessons);
    LOCALES
        .iter()
        .map(|locale| {
            let content = stats.total.iter().find(|s| s.locale == locale.code).cloned().unwrap_or_default();
            let (ui_strings, ui_strings_total) = match messages(locale.code) {
                Some(chosen) => crate::i18n::translated_count(&reference, &chosen),
                None => (0, reference.keys().count()),
            };
            LanguageCoverage {
                locale: locale.code.to_owned(),
                lessons: content.lessons,
                lessons_total,
                reviewed: content.reviewed,
                steps_with_audio: content.steps_with_audio,
                steps: content.steps,
                ui_strings,
                ui_strings_total,
            }
        })
        .collect()
}
