//! One lesson file → a typed [`Lesson`], plus every problem found on the way, with its position.
//!
//! The parser never gives up: a broken lesson still yields as much of a `Lesson` as it could read,
//! so the trainer preview shows something, and the problems say what to fix. Raw HTML is never
//! passed through: it is reported as an error and kept only as plain text.

use std::collections::BTreeMap;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag};

use super::front_matter::{self, FrontMatter};
use super::model::{kind_for, plain_text, AnswerOption, Block, Inline, Lesson, Question, Step};
use super::problem::{LineIndex, Position, Problem};

/// A step with more words than this is hard to read on one phone screen.
pub const LONG_STEP_WORDS: usize = 120;

/// Picture files the app can show (`![…](media/x.svg)`).
pub const IMAGE_EXTENSIONS: &[&str] = &["svg", "png", "jpg", "jpeg", "webp", "gif"];
/// Audio files the app can play (`![…](media/x.mp3)`).
pub const AUDIO_EXTENSIONS: &[&str] = &["mp3", "m4a", "aac", "ogg", "opus", "webm"];

/// The heading class that marks a true/false question: `## ? … {.true-false}`.
const TRUE_FALSE_CLASS: &str = "true-false";

/// The info string of a practice block: ```` ```practice ````.
const PRACTICE_INFO: &str = "practice";

/// A parsed lesson file.
#[derive(Debug, Clone, Default)]
pub struct ParsedLesson {
    pub lesson: Lesson,
    /// Problems that can be seen in this file alone, in file order.
    pub problems: Vec<Problem>,
    pub source_map: SourceMap,
}

impl ParsedLesson {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }
}

/// Where the parts of a lesson are in its file, for problems found later (against the folder, the
/// media or the Vietnamese original). Kept apart from [`Lesson`] so packs do not carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// Where each front-matter value starts, by field name.
    pub fields: BTreeMap<&'static str, Position>,
    /// Each step's heading.
    pub steps: Vec<Position>,
    pub questions: Vec<QuestionSource>,
    /// Each practice block's opening line, in order (drill `i` of the lesson is at `drills[i]`).
    pub drills: Vec<Position>,
    /// Every file or lesson the lesson points to.
    pub references: Vec<Reference>,
    /// The end of the file.
    pub end: Position,
}

impl SourceMap {
    /// Where a front-matter field's value is, or the file start when the field is missing.
    pub fn field(&self, name: &str) -> Position {
        self.fields.get(name).copied().unwrap_or(Position::START)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionSource {
    pub heading: Position,
    pub options: Vec<Position>,
}

/// A file or lesson a lesson points to, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub target: String,
    pub position: Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    Image,
    Audio,
    Link,
    Icon,
}

/// Parses one lesson file (front matter and body).
pub fn parse_lesson(text: &str) -> ParsedLesson {
    // A byte-order mark is invisible in editors; without this the opening `---` would not match.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let index = LineIndex::new(text);
    let mut problems = Vec::new();
    let FrontMatter { meta, fields, body_start } = front_matter::parse(text, &index, &mut problems);
    let mut reader = BodyReader { text, index: &index, problems, references: Vec::new(), drills: Vec::new() };
    if let (Some(icon), Some(&position)) = (&meta.icon, fields.get("icon")) {
        reader.references.push(Reference { kind: ReferenceKind::Icon, target: format!("media/{icon}"), position });
    }
    let mut lesson = Lesson { meta, ..Lesson::default() };
    let mut source_map = SourceMap { fields, end: index.position(text.len()), ..SourceMap::default() };
    if let Some(body_start) = body_start {
        let root = markdown_tree(&text[body_start..], body_start);
        reader.read_body(root, body_start, &mut lesson, &mut source_map);
    }
    source_map.references = reader.references;
    source_map.drills = reader.drills;
    let mut problems = reader.problems;
    problems.sort_by_key(|p| p.position);
    ParsedLesson { lesson, problems, source_map }
}

/// A Markdown event tree: pulldown-cmark's flat events nested by their Start/End pairs, each node
/// with the byte offset where it starts in the whole file.
#[derive(Debug)]
struct Node<'a> {
    kind: NodeKind<'a>,
    start: usize,
    children: Vec<Node<'a>>,
}

#[derive(Debug)]
enum NodeKind<'a> {
    Root,
    Element(Tag<'a>),
    Text(CowStr<'a>),
    Code(CowStr<'a>),
    /// Block or inline HTML: never rendered as HTML.
    Html(CowStr<'a>),
    SoftBreak,
    HardBreak,
    Rule,
    TaskMarker(bool),
    /// Something the enabled options should never produce (math, footnotes): kept as text.
    Other(CowStr<'a>),
}

fn markdown_tree(body: &str, offset: usize) -> Node<'_> {
    let options = Options::ENABLE_TASKLISTS | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut stack = vec![Node { kind: NodeKind::Root, start: offset, children: Vec::new() }];
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let start = offset + range.start;
        let leaf = match event {
            Event::Start(tag) => {
                stack.push(Node { kind: NodeKind::Element(tag), start, children: Vec::new() });
                continue;
            }
            Event::End(_) => {
                let node = stack.pop().expect("pulldown-cmark balances Start and End");
                stack.last_mut().expect("the root is never closed").children.push(node);
                continue;
            }
            Event::Text(text) => NodeKind::Text(text),
            Event::Code(code) => NodeKind::Code(code),
            Event::Html(html) | Event::InlineHtml(html) => NodeKind::Html(html),
            Event::SoftBreak => NodeKind::SoftBreak,
            Event::HardBreak => NodeKind::HardBreak,
            Event::Rule => NodeKind::Rule,
            Event::TaskListMarker(checked) => NodeKind::TaskMarker(checked),
            Event::InlineMath(text) | Event::DisplayMath(text) | Event::FootnoteReference(text) => NodeKind::Other(text),
        };
        stack.last_mut().expect("the root is never closed").children.push(Node { kind: leaf, start, children: Vec::new() });
    }
    debug_assert_eq!(stack.len(), 1);
    stack.pop().expect("the root")
}

/// What the body has reached so far.
enum Section {
    /// Before the first `## `.
    Preamble,
    Step,
    Question(QuestionDraft),
}

struct QuestionDraft {
    heading: Position,
    prompt: String,
    true_false: bool,
    options: Vec<AnswerOption>,
    option_positions: Vec<Position>,
}

struct BodyReader<'t> {
    text: &'t str,
    index: &'t LineIndex<'t>,
    problems: Vec<Problem>,
    references: Vec<Reference>,
    drills: Vec<Position>,
}

impl BodyReader<'_> {
    fn position(&self, offset: usize) -> Position {
        self.index.position(offset)
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        let position = self.position(offset);
        self.problems.push(Problem::error(position, message));
    }

    fn warning(&mut self, offset: usize, message: impl Into<String>) {
        let position = self.position(offset);
        self.problems.push(Problem::warning(position, message));
    }

    fn read_body(&mut self, root: Node, body_start: usize, lesson: &mut Lesson, map: &mut SourceMap) {
        let mut section = Section::Preamble;
        let mut reported_preamble = false;
        for node in root.children {
            if let NodeKind::Element(Tag::Heading { level: HeadingLevel::H2, .. }) = &node.kind {
                self.finish_section(std::mem::replace(&mut section, Section::Preamble), lesson, map);
                section = self.start_section(node, lesson, map);
                continue;
            }
            match &mut section {
                Section::Preamble => {
                    if !reported_preamble {
                        reported_preamble = true;
                        self.error(node.start, "text before the first step: every step starts with a `## ` heading, so add one above this (or move this text into a step)");
                    }
                }
                Section::Step => {
                    let blocks = self.blocks(node);
                    lesson.steps.last_mut().expect("a step section has a step").blocks.extend(blocks);
                }
                Section::Question(draft) => self.question_part(node, draft),
            }
        }
        self.finish_section(section, lesson, map);
        if lesson.steps.is_empty() {
            self.error(body_start, "the lesson has no steps: write each step as a `## ` heading followed by its text");
        } else if lesson.quiz.is_empty() {
            self.warning(body_start, "the lesson has no quiz: add `## ? ` questions after the steps");
        }
    }

    /// Reads a `## ` heading: the start of a step or of a question.
    fn start_section(&mut self, heading: Node, lesson: &mut Lesson, map: &mut SourceMap) -> Section {
        let NodeKind::Element(Tag::Heading { id, classes, attrs, .. }) = &heading.kind else { unreachable!("called on H2 headings") };
        let start = heading.start;
        let position = self.position(start);
        if !self.text[start..].trim_start().starts_with('#') {
            // `Text` underlined by `---` is a heading too in Markdown: almost always an accident.
            self.error(start, "this line is underlined with `---` or `===`, which makes it a step heading: write step headings as `## Title`, or remove the underline");
        }
        let title = self.heading_text(&heading.children);
        let has_true_false_class = classes.iter().any(|c| c.as_ref() == TRUE_FALSE_CLASS);
        let other_attributes = id.is_some() || !attrs.is_empty() || classes.iter().any(|c| c.as_ref() != TRUE_FALSE_CLASS);
        if let Some(prompt) = title.strip_prefix('?') {
            if !prompt.is_empty() && !prompt.starts_with(char::is_whitespace) {
                self.error(start, "write a question heading as `## ? Question` with a space after `?`");
            }
            let prompt = prompt.trim().to_owned();
            if prompt.is_empty() {
                self.error(start, "the question has no text: write it after `## ? `");
            }
            if other_attributes {
                self.error(start, "unknown heading attribute: a question heading may only end with `{.true-false}`");
            }
            return Section::Question(QuestionDraft {
                heading: position,
                prompt,
                true_false: has_true_false_class,
                options: Vec::new(),
                option_positions: Vec::new(),
            });
        }
        if !lesson.quiz.is_empty() {
            self.error(start, "a step after the quiz: put every step before the first `## ? ` question");
        }
        if has_true_false_class || other_attributes {
            self.error(start, "heading attributes `{…}` are only for questions: `## ? Question {.true-false}`");
        }
        if title.is_empty() {
            self.error(start, "the step heading has no title: write it after `## `");
        }
        lesson.steps.push(Step { title, blocks: Vec::new() });
        map.steps.push(position);
        Section::Step
    }

    fn finish_section(&mut self, section: Section, lesson: &mut Lesson, map: &mut SourceMap) {
        match section {
            Section::Preamble => {}
            Section::Step => {
                let step = lesson.steps.last().expect("a step section has a step");
                let heading = *map.steps.last().expect("a step section has a position");
                if step.blocks.is_empty() {
                    self.problems.push(Problem::error(heading, "empty step: write the step's text under its heading, or remove the heading"));
                } else if step.word_count() > LONG_STEP_WORDS {
                    self.problems.push(Problem::warning(
                        heading,
                        format!(
                            "this step has {} words; a phone screen reads best under {LONG_STEP_WORDS}: split it into two steps",
                            step.word_count()
                        ),
                    ));
                }
            }
            Section::Question(draft) => {
                let (question, source) = self.finish_question(draft);
                lesson.quiz.push(question);
                map.questions.push(source);
            }
        }
    }

    fn finish_question(&mut self, draft: QuestionDraft) -> (Question, QuestionSource) {
        let correct = draft.options.iter().filter(|o| o.correct).count();
        let at = draft.heading;
        if draft.options.is_empty() {
            self.problems.push(Problem::error(at, "the question has no options: list them under it as `- [ ] wrong` and `- [x] right` lines"));
        } else if draft.true_false {
            if draft.options.len() != 2 || correct != 1 {
                self.problems.push(Problem::error(
                    at,
                    format!(
                        "a true-false question has exactly 2 options (true first, then false) with 1 marked `[x]`; this one has {} options and {correct} marked `[x]`",
                        draft.options.len()
                    ),
                ));
            }
        } else if correct == 0 {
            self.problems.push(Problem::error(at, "the question has no right answer: mark the right option(s) with `[x]`"));
        } else if draft.options.len() < 2 {
            self.problems.push(Problem::error(at, "a question needs at least 2 options"));
        }
        let question = Question { kind: kind_for(draft.true_false, correct), prompt: draft.prompt, options: draft.options };
        (question, QuestionSource { heading: draft.heading, options: draft.option_positions })
    }

    /// A block under a question heading: its options list, or a mistake.
    fn question_part(&mut self, node: Node, draft: &mut QuestionDraft) {
        match node.kind {
            NodeKind::Element(Tag::List(start)) => {
                if start.is_some() {
                    self.error(node.start, "write options as a bullet list: `- [ ] …` and `- [x] …`, not numbered");
                }
                for item in node.children {
                    let position = self.position(item.start);
                    let option = self.answer_option(item);
                    draft.options.push(option);
                    draft.option_positions.push(position);
                }
            }
            NodeKind::Element(Tag::BlockQuote(_)) => {
                let start = node.start;
                let explanation = self.explanation(node.children);
                match draft.options.last_mut() {
                    Some(option) if option.explanation.is_empty() => {
                        option.explanation = explanation;
                        self.error(start, "indent the explanation by two spaces (`  > …`) so it belongs to the option above");
                    }
                    _ => self.error(start, "an explanation (`  > …`) belongs right under its option, indented by two spaces"),
                }
            }
            _ => self.error(
                node.start,
                "a question holds only its options (`- [ ] …` / `- [x] …`, each followed by `  > explanation`): put other text in a step",
            ),
        }
    }

    fn answer_option(&mut self, item: Node) -> AnswerOption {
        let start = item.start;
        let mut marker = None;
        let mut text_nodes = Vec::new();
        let mut explanation = Vec::new();
        for child in item.children {
            match child.kind {
                NodeKind::TaskMarker(checked) => marker = Some(checked),
                NodeKind::Element(Tag::Paragraph) if text_nodes.is_empty() => {
                    // A loose list (blank lines between options) wraps the option text in a paragraph.
                    for grandchild in child.children {
                        match grandchild.kind {
                            NodeKind::TaskMarker(checked) => marker = Some(checked),
                            _ => text_nodes.push(grandchild),
                        }
                    }
                }
                NodeKind::Element(Tag::BlockQuote(_)) if explanation.is_empty() => explanation = self.explanation(child.children),
                NodeKind::Element(_) => self.error(child.start, "an option holds one line of text and its `  > explanation`, nothing else"),
                _ => text_nodes.push(child),
            }
        }
        let correct = marker.unwrap_or_else(|| {
            self.error(start, "an option starts with `[ ]` (wrong) or `[x]` (right): `- [ ] …`");
            false
        });
        let text = self.inlines(text_nodes);
        if plain_text(&text).trim().is_empty() {
            self.error(start, "the option has no text: write it after `[ ]` or `[x]`");
        }
        if explanation.is_empty() {
            self.warning(start, "the option has no explanation: add `  > why it is right or wrong` on the next line, indented by two spaces");
        }
        AnswerOption { text, correct, explanation }
    }

    /// The text of a `> …` quote: its paragraphs as one run of inline text.
    fn explanation(&mut self, children: Vec<Node>) -> Vec<Inline> {
        let mut out = Vec::new();
        for child in children {
            match child.kind {
                NodeKind::Element(Tag::Paragraph) => {
                    if !out.is_empty() {
                        out.push(Inline::LineBreak);
                    }
                    out.extend(self.inlines(child.children));
                }
                _ => self.error(child.start, "an explanation is plain text (with **bold**, *italic* or links), nothing else"),
            }
        }
        out
    }

    /// The text of a heading, without formatting; HTML in it is reported and kept as text.
    fn heading_text(&mut self, children: &[Node]) -> String {
        let mut text = String::new();
        self.collect_heading_text(children, &mut text);
        text.trim().to_owned()
    }

    fn collect_heading_text(&mut self, children: &[Node], out: &mut String) {
        for child in children {
            match &child.kind {
                NodeKind::Text(t) | NodeKind::Code(t) | NodeKind::Other(t) => out.push_str(t),
                NodeKind::Html(html) => {
                    self.error(child.start, raw_html_message());
                    out.push_str(html);
                }
                NodeKind::SoftBreak | NodeKind::HardBreak => out.push(' '),
                NodeKind::Element(Tag::Image { .. }) => {
                    self.error(child.start, "a heading cannot hold a picture: put it on its own line under the heading")
                }
                _ => self.collect_heading_text(&child.children, out),
            }
        }
    }

    /// A block inside a step (or a list item) → zero or more lesson blocks.
    fn blocks(&mut self, node: Node) -> Vec<Block> {
        let start = node.start;
        match node.kind {
            NodeKind::Element(Tag::Paragraph) => self.paragraph(node.children),
            NodeKind::Element(Tag::List(first)) => {
                let items = node.children.into_iter().map(|item| self.list_item(item)).collect();
                vec![Block::List { ordered: first.is_some(), start: first.unwrap_or(1), items }]
            }
            NodeKind::Element(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if info.trim() == PRACTICE_INFO => {
                self.practice(start, &node.children).into_iter().collect()
            }
            NodeKind::Element(Tag::CodeBlock(_)) => {
                self.error(start, "code blocks are not part of the lesson format; for an exercise, use a ```practice block");
                vec![Block::Paragraph { content: vec![Inline::Code { code: literal_text(&node.children) }] }]
            }
            NodeKind::Element(Tag::HtmlBlock) => {
                self.error(start, raw_html_message());
                vec![Block::Paragraph { content: vec![Inline::text(literal_text(&node.children).trim_end())] }]
            }
            NodeKind::Element(Tag::BlockQuote(_)) => {
                self.error(start, "quotes (`>`) are only for the explanations of quiz options; in a step, write a plain paragraph");
                node.children.into_iter().flat_map(|child| self.blocks(child)).collect()
            }
            NodeKind::Element(Tag::Heading { level, .. }) => {
                if level == HeadingLevel::H1 {
                    self.error(start, "`# ` headings are not used: the lesson title is in the front matter, and each step starts with `## `");
                } else {
                    self.error(start, "only `## ` headings are used (steps and `## ? ` questions); for a sub-title in a step, write **bold** text");
                }
                let title = self.heading_text(&node.children);
                vec![Block::Paragraph { content: vec![Inline::Strong { children: vec![Inline::text(title)] }] }]
            }
            NodeKind::Rule => {
                self.error(start, "lines of `---` or `***` are not used: start a new step with a `## ` heading instead");
                Vec::new()
            }
            _ => {
                // Inline content directly in a block context happens only in tight list items.
                self.paragraph(vec![node])
            }
        }
    }

    fn list_item(&mut self, item: Node) -> Vec<Block> {
        let mut blocks = Vec::new();
        let mut inline_run = Vec::new();
        for child in item.children {
            match child.kind {
                NodeKind::TaskMarker(_) => self.error(child.start, "`[ ]` and `[x]` boxes are only for quiz options, under a `## ? ` question"),
                NodeKind::Element(ref tag) if is_block_tag(tag) => {
                    if !inline_run.is_empty() {
                        blocks.extend(self.paragraph(std::mem::take(&mut inline_run)));
                    }
                    blocks.extend(self.blocks(child));
                }
                NodeKind::Rule => blocks.extend(self.blocks(child)),
                _ => inline_run.push(child),
            }
        }
        if !inline_run.is_empty() {
            blocks.extend(self.paragraph(inline_run));
        }
        blocks
    }

    /// A paragraph; a line holding only pictures (or an audio file) becomes picture/audio blocks.
    fn paragraph(&mut self, children: Vec<Node>) -> Vec<Block> {
        let is_blank = |node: &Node| match &node.kind {
            NodeKind::Text(t) => t.trim().is_empty(),
            NodeKind::SoftBreak | NodeKind::HardBreak => true,
            _ => false,
        };
        let is_image = |node: &Node| matches!(node.kind, NodeKind::Element(Tag::Image { .. }));
        if children.iter().any(is_image) && children.iter().all(|c| is_image(c) || is_blank(c)) {
            return children.into_iter().filter(is_image).map(|image| self.media_block(image)).collect();
        }
        let content = self.inlines(children);
        if content.is_empty() {
            Vec::new()
        } else {
            vec![Block::Paragraph { content }]
        }
    }

    fn media_block(&mut self, image: Node) -> Block {
        let NodeKind::Element(Tag::Image { dest_url, .. }) = &image.kind else { unreachable!("called on images") };
        let src = dest_url.to_string();
        let alt = plain_text(&self.inlines(image.children)).trim().to_owned();
        let position = self.position(image.start);
        let extension = src.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
        if !src.starts_with("media/") {
            self.problems.push(Problem::error(
                position,
                format!("`{src}`: pictures and audio are files in this lesson's media/ folder, written `media/<file name>` (the app works offline)"),
            ));
        }
        if AUDIO_EXTENSIONS.contains(&extension.as_str()) {
            self.references.push(Reference { kind: ReferenceKind::Audio, target: src.clone(), position });
            return Block::Audio { src, label: alt };
        }
        if !IMAGE_EXTENSIONS.contains(&extension.as_str()) {
            self.problems.push(Problem::error(
                position,
                format!(
                    "`{src}` is not a picture or audio file the app can use: pictures are .{}, audio .{}",
                    IMAGE_EXTENSIONS.join(" ."),
                    AUDIO_EXTENSIONS.join(" .")
                ),
            ));
        }
        if alt.is_empty() {
            self.problems
                .push(Problem::warning(position, "describe the picture between the brackets `![…]`: it is read aloud to people who cannot see it"));
        }
        self.references.push(Reference { kind: ReferenceKind::Image, target: src.clone(), position });
        Block::Image { src, alt }
    }

    /// A ```` ```practice ```` block: one drill (see [`crate::practice::parse`]).
    fn practice(&mut self, start: usize, children: &[Node]) -> Option<Block> {
        let at = self.position(start);
        self.drills.push(at);
        if self.drills.len() == crate::practice::MAX_DRILLS_PER_LESSON + 1 {
            self.error(start, format!("a lesson has at most {} practice drills: split it", crate::practice::MAX_DRILLS_PER_LESSON));
        }
        crate::practice::parse_drill(&literal_text(children), at, &mut self.problems).map(Block::Practice)
    }

    /// Inline nodes → lesson inlines; adjacent text is merged.
    fn inlines(&mut self, nodes: Vec<Node>) -> Vec<Inline> {
        let mut out: Vec<Inline> = Vec::new();
        for node in nodes {
            let inline = match node.kind {
                NodeKind::Text(text) | NodeKind::Other(text) => Inline::text(text.to_string()),
                NodeKind::Code(code) => Inline::Code { code: code.to_string() },
                NodeKind::SoftBreak => Inline::text(" "),
                NodeKind::HardBreak => Inline::LineBreak,
                NodeKind::Html(html) => {
                    self.error(node.start, raw_html_message());
                    Inline::text(html.to_string())
                }
                NodeKind::Element(Tag::Strong) => Inline::Strong { children: self.inlines(node.children) },
                NodeKind::Element(Tag::Emphasis) => Inline::Emphasis { children: self.inlines(node.children) },
                NodeKind::Element(Tag::Link { dest_url, .. }) => {
                    let href = dest_url.to_string();
                    let position = self.position(node.start);
                    self.references.push(Reference { kind: ReferenceKind::Link, target: href.clone(), position });
                    Inline::Link { href, children: self.inlines(node.children) }
                }
                NodeKind::Element(Tag::Image { .. }) => {
                    self.error(node.start, "put the picture on a line of its own, with an empty line before and after it");
                    let alt = self.inlines(node.children);
                    Inline::text(plain_text(&alt))
                }
                NodeKind::Element(_) => {
                    let children = self.inlines(node.children);
                    Inline::text(plain_text(&children))
                }
                NodeKind::TaskMarker(_) => {
                    self.error(node.start, "`[ ]` and `[x]` boxes are only for quiz options, under a `## ? ` question");
                    continue;
                }
                NodeKind::Rule | NodeKind::Root => continue,
            };
            match (out.last_mut(), inline) {
                (Some(Inline::Text { text }), Inline::Text { text: more }) => text.push_str(&more),
                (_, inline) => out.push(inline),
            }
        }
        out
    }
}

fn is_block_tag(tag: &Tag) -> bool {
    matches!(tag, Tag::Paragraph | Tag::List(_) | Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::BlockQuote(_) | Tag::Heading { .. })
}

/// The raw text under a node (code blocks, HTML blocks).
fn literal_text(children: &[Node]) -> String {
    let mut out = String::new();
    for child in children {
        match &child.kind {
            NodeKind::Text(t) | NodeKind::Code(t) | NodeKind::Html(t) | NodeKind::Other(t) => out.push_str(t),
            _ => out.push_str(&literal_text(&child.children)),
        }
    }
    out
}

fn raw_html_message() -> &'static str {
    "raw HTML is not allowed in lessons (it is shown as plain text): use Markdown, e.g. **bold**, *italic*, `![description](media/picture.svg)`"
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
