//! The pieces of a lesson file a translator translates, found by the lines of the format
//! (content/README.md), and a translation put back together from the Vietnamese file.
//!
//! A piece ([`Segment`]) is the human text of one thing: the title, the summary, a step's title, a
//! paragraph, a list item, a picture's description, a question, an option, an explanation, and the
//! words of a practice drill (its instruction, a screen's question, a message, a button a trainer
//! named, an explanation after `=>`, a red flag's quoted words…). Everything else (the `## `, `- [x]`,
//! `  > ` marks, picture and link targets, drill keys, action keywords, fictional names and numbers)
//! is structure and comes from `vi.md` when a translation is assembled ([`assemble`]), so the
//! translated file has exactly the Vietnamese lesson's shape.

use std::ops::Range;

use crate::content::{AUDIO_EXTENSIONS, SOURCE_HASHES};
use crate::practice::Action;

/// One translatable piece of a lesson file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Its place in the lesson: `title`, `step-2/para-1`, `question-1/choice-2/explain`,
    /// `drill-1/screen-2/wrong-1/explain`…
    pub id: String,
    /// The text as written in the file (Markdown included).
    pub text: String,
    /// Where the text is in the file (bytes).
    pub range: Range<usize>,
    /// The 1-based line it starts on.
    pub line: u32,
    /// Whether the text may span several lines (paragraphs and list items).
    pub multiline: bool,
}

/// Drill values that are words for the learner; the others (names, account and phone numbers,
/// amounts, codes, links) are fictional data that stay as they are.
const DRILL_WORDS: &[&str] =
    &["instruction", "caller", "ask", "label", "bank", "content", "from", "text", "says", "asks", "title", "agency", "query", "level", "payee"];

/// A lesson file's pieces, in file order. Audio lines are not pieces: a recorded voice is in one
/// language (see [`assemble`]).
pub fn lesson_segments(source: &str) -> Vec<Segment> {
    Finder::default().run(source)
}

#[derive(Default)]
struct Finder {
    segments: Vec<Segment>,
    /// `step-2`, `question-1`: where the body has reached.
    section: String,
    paragraphs: u32,
    items: u32,
    images: u32,
    choices: u32,
    explains: u32,
    drills: u32,
    /// The paragraph or list item still open (more lines may follow), by index in `segments`.
    open: Option<usize>,
}

impl Finder {
    fn push(&mut self, id: String, source: &str, range: Range<usize>, line: usize, multiline: bool) -> Option<usize> {
        let text = &source[range.clone()];
        if text.trim().is_empty() {
            return None;
        }
        self.segments.push(Segment { id, text: text.to_owned(), range, line: line as u32, multiline });
        Some(self.segments.len() - 1)
    }

    fn run(mut self, source: &str) -> Vec<Segment> {
        let lines = lines_with_offsets(source);
        let mut index = 0;
        // Front matter: only `title` and `summary` are words.
        if lines.first().is_some_and(|(_, l)| l.trim_end() == "---") {
            index = 1;
            while let Some(&(start, line)) = lines.get(index) {
                index += 1;
                if line.trim_end() == "---" {
                    break;
                }
                if let Some((key, _)) = line.split_once(':') {
                    let key = key.trim();
                    if key == "title" || key == "summary" {
                        let value_start = start + key.len() + 1;
                        let range = unquoted_range(source, value_start..start + line.trim_end().len());
                        self.push(key.to_owned(), source, range, index, false);
                    }
                }
            }
        }
        let mut in_practice = false;
        let mut in_other_fence = false;
        let mut drill = DrillFinder::default();
        for (number, &(start, line)) in lines.iter().enumerate().skip(index) {
            let number = number + 1;
            let content = line.trim_end();
            let end = start + content.len();
            let trimmed = content.trim_start();
            let indent = content.len() - trimmed.len();
            if in_practice || in_other_fence {
                if trimmed.starts_with("```") {
                    in_practice = false;
                    in_other_fence = false;
                } else if in_practice {
                    drill.line(&mut self, source, start + indent, trimmed, number);
                }
                continue;
            }
            if trimmed.is_empty() {
                self.open = None;
                continue;
            }
            if let Some(info) = trimmed.strip_prefix("```") {
                self.open = None;
                if info.trim() == "practice" {
                    in_practice = true;
                    self.drills += 1;
                    drill = DrillFinder { prefix: format!("drill-{}", self.drills), ..DrillFinder::default() };
                } else {
                    in_other_fence = true;
                }
                continue;
            }
            if indent == 0 && trimmed.starts_with("## ") {
                self.open = None;
                if let Some(prompt) = trimmed.strip_prefix("## ?") {
                    let questions = self.section.strip_prefix("question-").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
                    self.start_section(format!("question-{}", questions + 1));
                    let text_start = end - prompt.len();
                    let mut text_end = end;
                    if let Some(before) = content.strip_suffix("{.true-false}") {
                        text_end = before.trim_end().len() + start;
                    }
                    let range = trimmed_range(source, text_start..text_end);
                    self.push(format!("{}/prompt", self.section), source, range, number, false);
                } else {
                    let steps = self.section.strip_prefix("step-").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
                    self.start_section(format!("step-{}", steps + 1));
                    let range = trimmed_range(source, start + 3..end);
                    self.push(format!("{}/title", self.section), source, range, number, false);
                }
                continue;
            }
            if self.section.starts_with("question-") {
                if let Some(rest) =
                    trimmed.strip_prefix("- [ ] ").or_else(|| trimmed.strip_prefix("- [x] ")).or_else(|| trimmed.strip_prefix("- [X] "))
                {
                    self.open = None;
                    self.choices += 1;
                    self.explains = 0;
                    let range = trimmed_range(source, end - rest.len()..end);
                    self.push(format!("{}/choice-{}", self.section, self.choices), source, range, number, false);
                    continue;
                }
                if let Some(rest) = trimmed.strip_prefix('>') {
                    self.open = None;
                    self.explains += 1;
                    let suffix = if self.explains == 1 { String::new() } else { format!("-{}", self.explains) };
                    let owner = if self.choices == 0 { self.section.clone() } else { format!("{}/choice-{}", self.section, self.choices) };
                    let range = trimmed_range(source, end - rest.len()..end);
                    self.push(format!("{owner}/explain{suffix}"), source, range, number, false);
                    continue;
                }
            }
            if let Some((alt, target)) = picture_line(trimmed) {
                self.open = None;
                if is_audio(target) {
                    continue;
                }
                self.images += 1;
                let alt_start = start + indent + 2;
                self.push(format!("{}/image-{}", self.section, self.images), source, alt_start..alt_start + alt.len(), number, false);
                continue;
            }
            if let Some(marker) = list_marker(trimmed) {
                self.items += 1;
                let range = trimmed_range(source, start + indent + marker..end);
                self.open = self.push(format!("{}/item-{}", self.section, self.items), source, range, number, true);
                continue;
            }
            // A line of a paragraph, or the next line of an open one (or of a list item).
            match self.open {
                Some(open) => {
                    let segment = &mut self.segments[open];
                    segment.range.end = end;
                    segment.text = source[segment.range.clone()].to_owned();
                }
                None => {
                    self.paragraphs += 1;
                    self.open = self.push(format!("{}/para-{}", self.section, self.paragraphs), source, start + indent..end, number, true);
                }
            }
        }
        self.segments
    }

    fn start_section(&mut self, name: String) {
        self.section = name;
        self.paragraphs = 0;
        self.items = 0;
        self.images = 0;
        self.choices = 0;
        self.explains = 0;
    }
}

/// The lines of a practice block: `key: value`.
#[derive(Default)]
struct DrillFinder {
    prefix: String,
    screens: u32,
    /// How many `right`/`wrong`/`flag`/`field` lines this screen had so far.
    counts: std::collections::BTreeMap<String, u32>,
}

impl DrillFinder {
    fn line(&mut self, finder: &mut Finder, source: &str, start: usize, line: &str, number: usize) {
        if line.is_empty() || line.starts_with('#') {
            return;
        }
        let Some((key, _)) = line.split_once(':') else { return };
        let key = key.trim();
        if key == "screen" {
            self.screens += 1;
            self.counts.clear();
            return;
        }
        let owner = if self.screens == 0 { self.prefix.clone() } else { format!("{}/screen-{}", self.prefix, self.screens) };
        let count = self.counts.entry(key.to_owned()).or_insert(0);
        *count += 1;
        let numbered = |count: u32| if key == "right" { key.to_owned() } else { format!("{key}-{count}") };
        let value_start = start + key.len() + 1;
        let value_range = trimmed_range(source, value_start..start + line.len());
        let value_text = &source[value_range.clone()];
        let mut push = |id: String, range: Range<usize>| {
            finder.push(id, source, range, number, false);
        };
        match key {
            "right" | "wrong" => {
                let name = numbered(*count);
                let (action, explain) = split_arrow(source, value_range.clone());
                if Action::keyword(source[action.clone()].trim()).is_none() {
                    push(format!("{owner}/{name}/action"), action);
                }
                if let Some(explain) = explain {
                    push(format!("{owner}/{name}/explain"), explain);
                }
            }
            "flag" => {
                let name = numbered(*count);
                let (head, explain) = split_arrow(source, value_range.clone());
                let head_text = &source[head.clone()];
                if let (Some(open), Some(close)) = (head_text.find('"'), head_text.rfind('"')) {
                    if close > open {
                        push(format!("{owner}/{name}/quote"), head.start + open + 1..head.start + close);
                    }
                }
                if let Some(explain) = explain {
                    push(format!("{owner}/{name}/explain"), explain);
                }
            }
            "field" => {
                let name = numbered(*count);
                let (label, typed) = split_arrow(source, value_range.clone());
                push(format!("{owner}/{name}/name"), label);
                if let Some(typed) = typed {
                    push(format!("{owner}/{name}/value"), typed);
                }
            }
            _ if DRILL_WORDS.contains(&key) && !value_text.is_empty() => {
                let id = if *count == 1 { format!("{owner}/{key}") } else { format!("{owner}/{key}-{count}") };
                push(id, value_range);
            }
            _ => {}
        }
    }
}

/// `a => b` → the ranges of `a` and `b` (trimmed); no `=>` → all of it, and `None`.
fn split_arrow(source: &str, range: Range<usize>) -> (Range<usize>, Option<Range<usize>>) {
    match source[range.clone()].find("=>") {
        Some(at) => {
            let arrow = range.start + at;
            (trimmed_range(source, range.start..arrow), Some(trimmed_range(source, arrow + 2..range.end)))
        }
        None => (range, None),
    }
}

fn trimmed_range(source: &str, range: Range<usize>) -> Range<usize> {
    let text = &source[range.clone()];
    let start = range.start + (text.len() - text.trim_start().len());
    let end = range.end - (text.len() - text.trim_end().len());
    start..end.max(start)
}

/// A front-matter value's range without its quotes (`title: "VietQR: trả tiền"`).
fn unquoted_range(source: &str, range: Range<usize>) -> Range<usize> {
    let range = trimmed_range(source, range);
    let text = &source[range.clone()];
    for quote in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            return range.start + 1..range.end - 1;
        }
    }
    range
}

/// `![alt](target)` alone on a line → its alt text and target.
fn picture_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("![")?;
    let close = rest.find("](")?;
    let target = rest[close + 2..].strip_suffix(')')?;
    (!target.contains(['(', ')', ' '])).then_some((&rest[..close], target))
}

fn is_audio(target: &str) -> bool {
    target.rsplit_once('.').is_some_and(|(_, ext)| AUDIO_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// The length of a list item's marker with its space (`- `, `* `, `+ `, `12. `, `3) `).
fn list_marker(line: &str) -> Option<usize> {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let after = &line[digits..];
    (digits > 0 && digits < 10 && (after.starts_with(". ") || after.starts_with(") "))).then_some(digits + 2)
}

fn lines_with_offsets(source: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    source
        .split_inclusive('\n')
        .map(|line| {
            let start = offset;
            offset += line.len();
            (start, line.trim_end_matches(['\n', '\r']))
        })
        .collect()
}

/// A translated piece to put in place of a segment: its text and the hash of the Vietnamese it was
/// made from (`None`: unknown, a translation older than these hashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub source_hash: Option<String>,
}

/// The assembled file and where each piece landed in it (segment id → byte range), so a problem the
/// checker finds at a line can be traced back to the piece.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub text: String,
    pub ranges: Vec<(String, Range<usize>)>,
}

/// The translation of `vi_source`: its lines with each segment's text replaced by `pieces[i]` (one
/// per segment of [`lesson_segments`], in order), `status: draft`, no `reviewed_by`/`reviewed_on`,
/// `review_note` only when the translation had its own (`review_note`), no front-matter comments,
/// audio lines left out (the
/// Vietnamese voice; `step_audio` gives the translation's own, by step index, as whole lines put under
/// the step's heading), and `source_hashes` recording what each piece was translated from.
pub fn assemble(vi_source: &str, pieces: &[Piece], review_note: Option<&str>, step_audio: &std::collections::BTreeMap<usize, String>) -> Assembled {
    let vi_source = vi_source.strip_prefix('\u{feff}').unwrap_or(vi_source);
    let segments = lesson_segments(vi_source);
    assert_eq!(segments.len(), pieces.len(), "one piece per segment");
    let mut text = String::with_capacity(vi_source.len());
    let mut ranges = Vec::with_capacity(segments.len());
    let mut copied = 0;
    let mut segments = segments.iter().zip(pieces).peekable();
    let lines = lines_with_offsets(vi_source);
    let ending = if vi_source.contains("\r\n") { "\r\n" } else { "\n" };
    let mut in_front = lines.first().is_some_and(|(_, l)| l.trim_end() == "---");
    let mut in_fence = false;
    let mut steps = 0;
    for (number, &(start, line)) in lines.iter().enumerate() {
        let line_end = lines.get(number + 1).map_or(vi_source.len(), |&(next, _)| next);
        if number > 0 && in_front && line.trim_end() == "---" {
            in_front = false;
            if let Some(note) = review_note {
                text.push_str(&format!("review_note: {}{ending}", one_line(note)));
            }
            let hashes: Vec<&str> = pieces.iter().map(|p| p.source_hash.as_deref().unwrap_or("-")).collect();
            text.push_str(&format!("{SOURCE_HASHES}: {}{ending}", hashes.join(" ")));
            text.push_str(&vi_source[start..line_end]);
            copied = line_end;
            continue;
        }
        if in_front && number > 0 {
            // Comments in vi.md's front matter are about the Vietnamese file (its review).
            if line.trim_start().starts_with('#') {
                copied = line_end;
                continue;
            }
            let key = line.split_once(':').map(|(k, _)| k.trim()).unwrap_or("");
            match key {
                "status" => {
                    text.push_str(&format!("status: draft{ending}"));
                    copied = line_end;
                    continue;
                }
                "reviewed_by" | "reviewed_on" | "review_note" | SOURCE_HASHES => {
                    copied = line_end;
                    continue;
                }
                _ => {}
            }
        }
        if !in_front {
            let trimmed = line.trim();
            if trimmed.starts_with("```") {
                in_fence = !in_fence;
            }
            if !in_fence && picture_line(trimmed).is_some_and(|(_, target)| is_audio(target)) {
                copied = line_end;
                continue;
            }
        }
        while let Some((segment, piece)) = segments.next_if(|(s, _)| s.range.start < line_end) {
            text.push_str(&vi_source[copied.max(start)..segment.range.start]);
            let at = text.len();
            text.push_str(&piece.text);
            ranges.push((segment.id.clone(), at..text.len()));
            copied = segment.range.end;
        }
        // A line inside a multi-line piece was replaced with it.
        if copied < line_end {
            text.push_str(&vi_source[copied.max(start)..line_end]);
            copied = line_end;
        }
        if !in_front && !in_fence && line.starts_with("## ") && !line.starts_with("## ?") {
            if let Some(audio) = step_audio.get(&steps) {
                if !text.ends_with('\n') {
                    text.push_str(ending);
                }
                text.push_str(audio);
                text.push_str(ending);
            }
            steps += 1;
        }
    }
    Assembled { text, ranges }
}

/// A front-matter value on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The translation's own `review_note`, if it has one.
pub fn review_note(source: &str) -> Option<String> {
    front_matter_value(source, "review_note")
}

/// The hashes a translation recorded (`source_hashes`), one per segment, `None` for `-`.
pub fn recorded_hashes(source: &str) -> Vec<Option<String>> {
    front_matter_value(source, SOURCE_HASHES).map(|v| v.split_whitespace().map(|h| (h != "-").then(|| h.to_owned())).collect()).unwrap_or_default()
}

fn front_matter_value(source: &str, field: &str) -> Option<String> {
    let mut lines = source.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return None;
    }
    for line in lines {
        if line.trim_end() == "---" {
            return None;
        }
        if let Some((key, value)) = line.split_once(':') {
            if key.trim() == field {
                let value = value.trim();
                return Some(crate::content::front_matter::unquote(value).to_owned());
            }
        }
    }
    None
}
