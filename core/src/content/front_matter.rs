//! The front matter of a lesson file: `key: value` lines between two `---` lines.
//!
//! Parsed by hand rather than with a YAML library: the format allows only flat text fields, and a
//! hand parser knows the line and column of every value, so each mistake is reported where it is.

use std::collections::BTreeMap;

use super::model::{LessonMeta, Status};
use super::problem::{LineIndex, Position, Problem};
use crate::date::Date;

/// Every field the format allows, required ones first.
pub const FIELDS: &[&str] =
    &["id", "topic", "title", "summary", "minutes", "order", "status", "icon", "review_note", "reviewed_by", "reviewed_on", SOURCE_HASHES];

/// A translation written by `hocso content translate import`: one short hash per translated piece
/// of the Vietnamese original it was made from (`-` when unknown), so a later export knows which
/// pieces changed in Vietnamese since (see [`crate::translate`]).
pub const SOURCE_HASHES: &str = "source_hashes";
const REQUIRED: &[&str] = &["id", "topic", "title", "summary", "minutes", "order", "status"];

const DELIMITER: &str = "---";

/// What the front matter held, and where.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrontMatter {
    pub meta: LessonMeta,
    /// Where each field's value starts, for the fields whose value was read into `meta` (a field
    /// with a bad value is left out, so later checks do not compare a value that is not there).
    pub fields: BTreeMap<&'static str, Position>,
    /// Byte offset of the Markdown body (after the closing `---`); `None` when the front matter
    /// has no closing line, so where the body starts is unknown.
    pub body_start: Option<usize>,
}

pub(crate) fn parse(text: &str, index: &LineIndex, problems: &mut Vec<Problem>) -> FrontMatter {
    let mut front = FrontMatter::default();
    let mut lines = text.split_inclusive('\n').enumerate();
    let opening = lines.next().map(|(_, line)| line.trim_end());
    if opening != Some(DELIMITER) {
        problems.push(Problem::error(
            Position::START,
            "a lesson file starts with its front matter: a `---` line, then `key: value` lines (id, topic, title, summary, minutes, order, status), then `---`",
        ));
        // Read the body anyway, so the rest of the file is still checked.
        front.body_start = Some(0);
        return front;
    }
    let mut closing_line = None;
    let mut entries = Vec::new();
    for (number, line) in lines.by_ref() {
        let line_number = number + 1;
        if line.trim_end() == DELIMITER {
            closing_line = Some(line_number);
            break;
        }
        entries.push((line_number, line));
    }
    let Some(closing_line) = closing_line else {
        problems.push(Problem::error(Position::START, "the front matter has no closing `---` line: add one after the last `key: value` line"));
        return front;
    };
    front.body_start = Some(index.line_start(closing_line + 1));

    let mut values: BTreeMap<&'static str, (String, Position)> = BTreeMap::new();
    for (line_number, line) in entries {
        let line_start = index.line_start(line_number);
        let content = line.trim_end();
        let indent = content.len() - content.trim_start().len();
        let content = content.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let key_position = index.position(line_start + indent);
        let Some((raw_key, raw_value)) = content.split_once(':') else {
            problems.push(Problem::error(key_position, format!("expected a `key: value` line, found `{content}`")));
            continue;
        };
        let key = raw_key.trim_end();
        let Some(&field) = FIELDS.iter().find(|&&f| f == key) else {
            problems.push(Problem::error(key_position, format!("unknown front-matter field `{key}`: the fields are {}", FIELDS.join(", "))));
            continue;
        };
        let value_offset = raw_value.len() - raw_value.trim_start().len();
        let value_position = index.position(line_start + indent + raw_key.len() + 1 + value_offset);
        let value = unquote(raw_value.trim());
        if values.contains_key(field) {
            problems.push(Problem::error(key_position, format!("`{field}` is given twice: keep one")));
            continue;
        }
        values.insert(field, (value.to_owned(), value_position));
    }

    let closing = Position::new(closing_line as u32, 1);
    for &field in REQUIRED {
        if !values.contains_key(field) {
            problems.push(Problem::error(closing, format!("the front matter lacks `{field}`: add a `{field}: …` line before this `---`")));
        }
    }
    for (&field, (value, position)) in &values {
        if value.is_empty() {
            problems.push(Problem::error(*position, format!("`{field}` is empty: write its value after `{field}: `")));
            continue;
        }
        let meta = &mut front.meta;
        match field {
            "id" => {
                if !is_identifier(value) {
                    problems.push(Problem::error(
                        *position,
                        format!("id `{value}` may only use a-z, 0-9 and -: it is also the folder name and part of web addresses"),
                    ));
                }
                meta.id = value.clone();
            }
            // Whether the topic exists is known only with the whole folder (its `topic.md` files):
            // the tree checks it.
            "topic" => {
                if !is_identifier(value) {
                    problems.push(Problem::error(*position, format!("topic `{value}` may only use a-z, 0-9 and -: it is a topic folder's name")));
                }
                meta.topic = value.clone();
            }
            "title" => meta.title = value.clone(),
            "summary" => meta.summary = value.clone(),
            "minutes" => match value.parse::<u32>() {
                Ok(0) => {
                    problems.push(Problem::error(*position, "minutes must be at least 1"));
                    continue;
                }
                Ok(minutes) => meta.minutes = minutes,
                Err(_) => {
                    problems.push(Problem::error(*position, format!("minutes must be a whole number, like `6`; found `{value}`")));
                    continue;
                }
            },
            "order" => match value.parse::<u32>() {
                Ok(order) => meta.order = order,
                Err(_) => {
                    problems.push(Problem::error(
                        *position,
                        format!("order must be a whole number (the lesson's place in its topic), like `2`; found `{value}`"),
                    ));
                    continue;
                }
            },
            "status" => match Status::parse(value) {
                Some(status) => meta.status = status,
                None => {
                    problems.push(Problem::error(*position, format!("status must be `draft` or `reviewed`; found `{value}`")));
                    continue;
                }
            },
            "icon" => meta.icon = Some(value.clone()),
            "review_note" => meta.review_note = Some(value.clone()),
            "reviewed_by" => meta.reviewed_by = Some(value.clone()),
            "reviewed_on" => match Date::parse(value) {
                Ok(_) => meta.reviewed_on = Some(value.clone()),
                Err(_) => {
                    problems.push(Problem::error(
                        *position,
                        format!("reviewed_on must be the date of the review as YYYY-MM-DD, like `2026-11-30`; found `{value}`"),
                    ));
                    continue;
                }
            },
            SOURCE_HASHES => {
                if let Some(bad) = value.split_whitespace().find(|h| !crate::translate::is_source_hash(h)) {
                    problems.push(Problem::error(
                        *position,
                        format!("`{bad}` in source_hashes is not a piece's hash: this line is written by `hocso content translate import`, remove it rather than edit it"),
                    ));
                    continue;
                }
            }
            _ => unreachable!("every field in FIELDS is handled"),
        }
        front.fields.insert(field, *position);
    }
    check_review(&front, &values, closing, problems);
    front
}

/// `status: reviewed` is a promise to learners that a person checked the lesson: it must say who
/// and when, so the promise can be traced (and the app shows it). A date that did not parse was
/// reported on its own line already.
fn check_review(front: &FrontMatter, values: &BTreeMap<&'static str, (String, Position)>, closing: Position, problems: &mut Vec<Problem>) {
    let given = |field: &str| values.get(field).is_some_and(|(value, _)| !value.is_empty());
    if front.meta.status == Status::Reviewed && front.fields.contains_key("status") {
        let status = front.fields["status"];
        for (field, what) in [
            ("reviewed_by", "who reviewed it, a name or a role, e.g. `reviewed_by: Cán bộ văn hóa xã`"),
            ("reviewed_on", "the date of the review, e.g. `reviewed_on: 2026-11-30`"),
        ] {
            if !given(field) {
                problems.push(Problem::error(
                    status,
                    format!(
                        "status `reviewed` needs `{field}`: add a line with {what} before the closing `---` (line {}), or write `status: draft`",
                        closing.line
                    ),
                ));
            }
        }
    } else if front.meta.status == Status::Draft && front.fields.contains_key("status") {
        for field in ["reviewed_by", "reviewed_on"] {
            if let Some((_, position)) = values.get(field).filter(|_| given(field)) {
                problems.push(Problem::warning(
                    *position,
                    format!("`{field}` is given but the status is `draft`: write `status: reviewed` once the review is done, or remove `{field}`"),
                ));
            }
        }
    }
}

/// `"a: b"` → `a: b`, as a trainer used to YAML may quote a value that holds a colon.
pub(crate) fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

/// Lesson ids and topic ids: lowercase ASCII letters, digits and `-`.
pub(crate) fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
