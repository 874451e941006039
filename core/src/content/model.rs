//! The typed lesson that the parser produces, the packs carry and the app renders.
//!
//! There is no HTML anywhere in these types: every piece of text is a [`Inline::Text`] that a view
//! renders as a text node, so a lesson can never inject markup into the page.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::practice::Drill;

/// One lesson in one language: its front matter, its steps (one screen each) and its quiz.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub meta: LessonMeta,
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quiz: Vec<Question>,
}

impl Lesson {
    /// The lesson's practice drills in reading order: drill `i` of events is `drills()[i]`.
    pub fn drills(&self) -> Vec<&Drill> {
        self.drills_with_steps().into_iter().map(|(_, drill)| drill).collect()
    }

    /// For each drill (in order), the index of the step that holds it: where a learner is sent
    /// back to when the quiz is done but a drill is not (see `LessonProgress::status_with_drills`).
    pub fn drill_steps(&self) -> Vec<u32> {
        self.drills_with_steps().into_iter().map(|(step, _)| step).collect()
    }

    /// This lesson with `original`'s practice blocks added at the end of the same steps: what a
    /// translation without drills carries (see `validate::borrows_drills`).
    pub fn with_drills_of(&self, original: &Lesson) -> Lesson {
        let mut lesson = self.clone();
        for (step, drill) in original.drills_with_steps() {
            if let Some(step) = lesson.steps.get_mut(step as usize) {
                step.blocks.push(Block::Practice(drill.clone()));
            }
        }
        lesson
    }

    fn drills_with_steps(&self) -> Vec<(u32, &Drill)> {
        fn collect<'a>(blocks: &'a [Block], step: u32, out: &mut Vec<(u32, &'a Drill)>) {
            for block in blocks {
                match block {
                    Block::Practice(drill) => out.push((step, drill)),
                    Block::List { items, .. } => items.iter().for_each(|item| collect(item, step, out)),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for (index, step) in self.steps.iter().enumerate() {
            collect(&step.blocks, index as u32, &mut out);
        }
        out
    }
}

/// The front matter of a lesson file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonMeta {
    pub id: String,
    pub topic: String,
    pub title: String,
    pub summary: String,
    /// Estimated time to go through the lesson, in minutes.
    pub minutes: u32,
    /// Position of the lesson in its topic.
    pub order: u32,
    pub status: Status,
    /// File name in the lesson's `media/` folder (in packs: a URL path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// What a reviewer must check before the lesson can be marked reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_note: Option<String>,
    /// Who reviewed this language of the lesson (a name or a role): required with `status: reviewed`,
    /// and shown to learners so they know a person checked what they read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    /// When it was reviewed, `YYYY-MM-DD` (checked by the parser): required with `status: reviewed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<String>,
}

impl LessonMeta {
    /// Who checked this lesson and on which day, when it is marked reviewed and says both (the
    /// checker refuses `reviewed` without them; an app still never shows half a promise).
    pub fn review(&self) -> Option<(&str, crate::date::Date)> {
        if self.status != Status::Reviewed {
            return None;
        }
        let on = crate::date::Date::parse(self.reviewed_on.as_deref()?).ok()?;
        Some((self.reviewed_by.as_deref().filter(|by| !by.trim().is_empty())?, on))
    }
}

/// Whether a lesson (in one language) has been checked by a reviewer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Draft,
    Reviewed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Reviewed => "reviewed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(Status::Draft),
            "reviewed" => Some(Status::Reviewed),
            _ => None,
        }
    }
}

/// One screen of a lesson (a `## ` heading and what follows it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Step {
    /// The step's audio recording, if it has one; otherwise the app reads the step aloud.
    pub fn audio(&self) -> Option<&str> {
        self.blocks.iter().find_map(|block| match block {
            Block::Audio { src, .. } => Some(src.as_str()),
            _ => None,
        })
    }

    /// The words a learner reads on this screen (title included), for length limits and reading time.
    pub fn word_count(&self) -> usize {
        let mut text = self.title.clone();
        for block in &self.blocks {
            text.push(' ');
            text.push_str(&block.plain_text());
        }
        text.split_whitespace().count()
    }
}

/// A block of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "BlockWire")]
pub enum Block {
    Paragraph {
        content: Vec<Inline>,
    },
    /// A bullet (`ordered: false`) or numbered list; each item is itself a list of blocks.
    List {
        ordered: bool,
        /// The first number of a numbered list (a list may continue after a picture: `3.`).
        #[serde(skip_serializing_if = "is_one")]
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Image {
        src: String,
        alt: String,
    },
    /// A recording of the step; `label` is what the play button says.
    Audio {
        src: String,
        label: String,
    },
    /// A practice drill on a look-alike screen (a ```` ```practice ```` block), see [`crate::practice`].
    /// Written as `{"type":"practice","exercise":"<kind>","kind":…,"instruction":…,"steps":[…]}`:
    /// `exercise` is for apps older than drills, which show "practice comes in a later version".
    #[serde(serialize_with = "practice_wire")]
    Practice(Drill),
}

fn practice_wire<S: serde::Serializer>(drill: &Drill, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct PracticeWire<'a> {
        exercise: &'a str,
        kind: &'a crate::practice::DrillKind,
        instruction: &'a str,
        steps: &'a [crate::practice::DrillStep],
    }
    PracticeWire { exercise: drill.kind.as_str(), kind: &drill.kind, instruction: &drill.instruction, steps: &drill.steps }.serialize(serializer)
}

fn is_one(n: &u64) -> bool {
    *n == 1
}

impl Block {
    /// The text of the block as a learner reads it (image descriptions included).
    pub fn plain_text(&self) -> String {
        match self {
            Block::Paragraph { content } => plain_text(content),
            Block::List { items, .. } => items.iter().flatten().map(Block::plain_text).collect::<Vec<_>>().join(" "),
            Block::Image { alt, .. } => alt.clone(),
            Block::Audio { .. } | Block::Practice(_) => String::new(),
        }
    }
}

/// Text inside a paragraph, list item, option or explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "InlineWire")]
pub enum Inline {
    Text {
        text: String,
    },
    Strong {
        children: Vec<Inline>,
    },
    Emphasis {
        children: Vec<Inline>,
    },
    /// `href` as written in the lesson (see [`LinkTarget::parse`]); in packs, media links are URL paths.
    Link {
        href: String,
        children: Vec<Inline>,
    },
    Code {
        code: String,
    },
    LineBreak,
}

/// How a [`Block`] is read (see [`crate::wire`]). A field of another block type is ignored, as
/// serde's tagged reader did, but only if it has that field's type: a future pack format must not
/// reuse a field name with another type, or older apps refuse the pack.
#[derive(Deserialize)]
struct BlockWire {
    #[serde(rename = "type")]
    kind: BlockType,
    content: Option<Vec<Inline>>,
    ordered: Option<bool>,
    start: Option<u64>,
    items: Option<Vec<Vec<Block>>>,
    src: Option<String>,
    alt: Option<String>,
    label: Option<String>,
    /// Written for apps older than drills; a drill is read from the three fields below.
    #[allow(dead_code)]
    exercise: Option<String>,
    #[serde(rename = "kind")]
    drill_kind: Option<crate::practice::DrillKind>,
    instruction: Option<String>,
    steps: Option<Vec<crate::practice::DrillStep>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum BlockType {
    Paragraph,
    List,
    Image,
    Audio,
    Practice,
}

impl TryFrom<BlockWire> for Block {
    type Error = String;

    fn try_from(mut wire: BlockWire) -> Result<Self, String> {
        use crate::wire::required;
        Ok(match wire.kind {
            BlockType::Paragraph => Block::Paragraph { content: required(&mut wire.content, "content", "paragraph")? },
            BlockType::List => Block::List {
                ordered: required(&mut wire.ordered, "ordered", "list")?,
                start: wire.start.unwrap_or(1),
                items: required(&mut wire.items, "items", "list")?,
            },
            BlockType::Image => Block::Image { src: required(&mut wire.src, "src", "image")?, alt: required(&mut wire.alt, "alt", "image")? },
            BlockType::Audio => Block::Audio { src: required(&mut wire.src, "src", "audio")?, label: required(&mut wire.label, "label", "audio")? },
            BlockType::Practice => {
                if wire.drill_kind.is_none() && wire.exercise.is_some() {
                    return Err("a practice block of pack format 1 (`exercise` without a drill): fetch the lesson again".into());
                }
                Block::Practice(Drill {
                    kind: required(&mut wire.drill_kind, "kind", "practice")?,
                    instruction: required(&mut wire.instruction, "instruction", "practice")?,
                    steps: required(&mut wire.steps, "steps", "practice")?,
                })
            }
        })
    }
}

/// How an [`Inline`] is read (see [`crate::wire`]).
#[derive(Deserialize)]
struct InlineWire {
    #[serde(rename = "type")]
    kind: InlineType,
    text: Option<String>,
    children: Option<Vec<Inline>>,
    href: Option<String>,
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum InlineType {
    Text,
    Strong,
    Emphasis,
    Link,
    Code,
    LineBreak,
}

impl TryFrom<InlineWire> for Inline {
    type Error = String;

    fn try_from(mut wire: InlineWire) -> Result<Self, String> {
        use crate::wire::required;
        Ok(match wire.kind {
            InlineType::Text => Inline::Text { text: required(&mut wire.text, "text", "text")? },
            InlineType::Strong => Inline::Strong { children: required(&mut wire.children, "children", "strong")? },
            InlineType::Emphasis => Inline::Emphasis { children: required(&mut wire.children, "children", "emphasis")? },
            InlineType::Link => {
                Inline::Link { href: required(&mut wire.href, "href", "link")?, children: required(&mut wire.children, "children", "link")? }
            }
            InlineType::Code => Inline::Code { code: required(&mut wire.code, "code", "code")? },
            InlineType::LineBreak => Inline::LineBreak,
        })
    }
}

impl Inline {
    pub fn text(text: impl Into<String>) -> Self {
        Inline::Text { text: text.into() }
    }
}

/// The text of inline nodes without their formatting.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text } => out.push_str(text),
            Inline::Code { code } => out.push_str(code),
            Inline::Strong { children } | Inline::Emphasis { children } | Inline::Link { children, .. } => push_plain_text(children, out),
            Inline::LineBreak => out.push('\n'),
        }
    }
}

/// Where a link in a lesson leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Another lesson: `../lesson-id` (same topic) or `../../topic-id/lesson-id`.
    Lesson { topic: Option<String>, lesson: String },
    /// A file of this lesson: `media/form.pdf`.
    Media(String),
    /// A web page: needs internet, which learners may not have.
    Web(String),
    /// A phone number to call (`tel:113`).
    Phone(String),
    /// Anything else (other schemes, absolute paths, anchors): not allowed.
    Unsupported,
}

impl LinkTarget {
    pub fn parse(href: &str) -> Self {
        let lower = href.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return LinkTarget::Web(href.to_owned());
        }
        if let Some(number) = lower.strip_prefix("tel:") {
            return LinkTarget::Phone(number.to_owned());
        }
        if let Some(name) = href.strip_prefix("media/") {
            return LinkTarget::Media(name.to_owned());
        }
        let path = href.strip_suffix('/').unwrap_or(href);
        let is_id = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        match path.split('/').collect::<Vec<_>>().as_slice() {
            ["..", lesson] if is_id(lesson) => LinkTarget::Lesson { topic: None, lesson: (*lesson).to_owned() },
            ["..", "..", topic, lesson] if is_id(topic) && is_id(lesson) => {
                LinkTarget::Lesson { topic: Some((*topic).to_owned()), lesson: (*lesson).to_owned() }
            }
            _ => LinkTarget::Unsupported,
        }
    }
}

/// A quiz question (a `## ? ` heading and its options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<AnswerOption>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Exactly one right option.
    Single,
    /// Two or more right options: "choose all that are right".
    Multiple,
    /// Two options, true first, one of them right.
    TrueFalse,
}

impl QuestionKind {
    /// How trainers call this kind, for messages.
    pub fn description(self) -> &'static str {
        match self {
            QuestionKind::Single => "single choice",
            QuestionKind::Multiple => "multiple choice",
            QuestionKind::TrueFalse => "true-false",
        }
    }
}

/// One option of a question, with the feedback shown after answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOption {
    pub text: Vec<Inline>,
    pub correct: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<Inline>,
}

impl Question {
    /// Indices of the right options.
    pub fn correct_options(&self) -> BTreeSet<usize> {
        self.options.iter().enumerate().filter(|(_, o)| o.correct).map(|(i, _)| i).collect()
    }

    /// A learner's answer is right when they chose exactly the right options.
    pub fn is_right(&self, chosen: &BTreeSet<usize>) -> bool {
        *chosen == self.correct_options()
    }
}

/// The kind a question has given its right options (true-false is declared, not inferred).
pub(crate) fn kind_for(declared_true_false: bool, correct_count: usize) -> QuestionKind {
    if declared_true_false {
        QuestionKind::TrueFalse
    } else if correct_count >= 2 {
        QuestionKind::Multiple
    } else {
        QuestionKind::Single
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_are_classified_by_their_form() {
        assert_eq!(LinkTarget::parse("../after-a-scam"), LinkTarget::Lesson { topic: None, lesson: "after-a-scam".into() });
        assert_eq!(
            LinkTarget::parse("../../data-safety/after-a-scam/"),
            LinkTarget::Lesson { topic: Some("data-safety".into()), lesson: "after-a-scam".into() }
        );
        assert_eq!(LinkTarget::parse("media/form.pdf"), LinkTarget::Media("form.pdf".into()));
        assert_eq!(LinkTarget::parse("HTTPS://vneid.gov.vn"), LinkTarget::Web("HTTPS://vneid.gov.vn".into()));
        assert_eq!(LinkTarget::parse("tel:113"), LinkTarget::Phone("113".into()));
        for unsupported in ["javascript:alert(1)", "/etc/passwd", "#top", "../", "../A b", "data:text/html,x"] {
            assert_eq!(LinkTarget::parse(unsupported), LinkTarget::Unsupported, "{unsupported}");
        }
    }

    #[test]
    fn a_multiple_choice_answer_is_right_only_with_every_right_option() {
        let option = |correct| AnswerOption { text: vec![Inline::text("x")], correct, explanation: vec![] };
        let question = Question { kind: QuestionKind::Multiple, prompt: "?".into(), options: vec![option(true), option(false), option(true)] };
        assert!(question.is_right(&BTreeSet::from([0, 2])));
        assert!(!question.is_right(&BTreeSet::from([0])));
        assert!(!question.is_right(&BTreeSet::from([0, 1, 2])));
    }
}
