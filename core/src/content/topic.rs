//! A topic's own file, `content/<topic>/topic.md`: its id, colour, picture, place on the home
//! screen, and its title and summary in each language. Topics are content, not code: a province
//! adds one by adding a folder, and `hocso content build` puts it in the catalogue phones read.
//!
//! The file is only front matter (`key: value` lines between two `---` lines). `title` and
//! `summary` are the Vietnamese original; a translation adds `title.en`, `summary.en` (and so on
//! for each language), the way a lesson adds `en.md` beside `vi.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::front_matter::{is_identifier, unquote};
use super::problem::{LineIndex, Position, Problem};
use crate::i18n::{locale_info, LOCALES, REFERENCE_LOCALE};

/// The fixed fields of `topic.md`, required ones first (then `title.<locale>`, `summary.<locale>`).
pub const TOPIC_FIELDS: &[&str] = &["id", "colour", "order", "title", "summary", "icon"];
const REQUIRED: &[&str] = &["id", "colour", "order", "title", "summary"];

/// The colour a topic is drawn in when its own is missing or not a colour (never reached by a
/// checked catalogue; guards the `style` attribute against an old or hand-edited one).
pub const DEFAULT_TOPIC_COLOUR: &str = "#37474f";

/// A topic's title and summary in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicText {
    pub title: String,
    pub summary: String,
}

/// What `topic.md` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicMeta {
    pub id: String,
    /// `#rrggbb` or `#rgb`: the accent of the topic's tile and screens.
    pub colour: String,
    /// File name in the topic's `media/` folder.
    pub icon: Option<String>,
    /// The topic's place on the home screen.
    pub order: u32,
    /// By locale code; `vi` is the original.
    pub texts: BTreeMap<String, TopicText>,
}

/// A parsed `topic.md`, its problems and where each field's value is.
#[derive(Debug, Clone, Default)]
pub struct ParsedTopic {
    pub topic: TopicMeta,
    pub problems: Vec<Problem>,
    pub fields: BTreeMap<String, Position>,
}

impl ParsedTopic {
    pub fn field(&self, name: &str) -> Position {
        self.fields.get(name).copied().unwrap_or(Position::START)
    }
}

/// `#1565c0` or `#15c`: the only colours allowed, since the value goes into a `style` attribute.
pub fn is_css_colour(text: &str) -> bool {
    text.strip_prefix('#').is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Parses `topic.md` (pure: the tree checks the id against the folder and the icon against media).
pub fn parse_topic(text: &str) -> ParsedTopic {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let index = LineIndex::new(text);
    let mut parsed = ParsedTopic::default();
    let problems = &mut parsed.problems;
    let mut lines = text.split_inclusive('\n').enumerate();
    if lines.next().map(|(_, line)| line.trim_end()) != Some("---") {
        problems.push(Problem::error(
            Position::START,
            "topic.md is front matter only: a `---` line, then `key: value` lines (id, colour, order, title, summary, icon, title.en, summary.en), then `---`",
        ));
        return parsed;
    }
    let mut closing_line = None;
    let mut values: BTreeMap<String, (String, Position)> = BTreeMap::new();
    for (number, line) in lines.by_ref() {
        let line_number = number + 1;
        let content = line.trim_end();
        if content == "---" {
            closing_line = Some(line_number);
            break;
        }
        let indent = content.len() - content.trim_start().len();
        let content = content.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let line_start = index.line_start(line_number);
        let key_position = index.position(line_start + indent);
        let Some((raw_key, raw_value)) = content.split_once(':') else {
            problems.push(Problem::error(key_position, format!("expected a `key: value` line, found `{content}`")));
            continue;
        };
        let key = raw_key.trim_end();
        if let Some(message) = unknown_key(key) {
            problems.push(Problem::error(key_position, message));
            continue;
        }
        if values.contains_key(key) {
            problems.push(Problem::error(key_position, format!("`{key}` is given twice: keep one")));
            continue;
        }
        let value_offset = raw_value.len() - raw_value.trim_start().len();
        let value_position = index.position(line_start + indent + raw_key.len() + 1 + value_offset);
        values.insert(key.to_owned(), (unquote(raw_value.trim()).to_owned(), value_position));
    }
    let Some(closing_line) = closing_line else {
        problems.push(Problem::error(Position::START, "the front matter has no closing `---` line: add one after the last `key: value` line"));
        return parsed;
    };
    let after = &text[index.line_start(closing_line + 1).min(text.len())..];
    if let Some(offset) = after.find(|c: char| !c.is_whitespace()) {
        problems.push(Problem::error(
            index.position(text.len() - after.len() + offset),
            "topic.md holds only its front matter: move this text into a `key: value` line (title, summary) or into a lesson",
        ));
    }
    let closing = Position::new(closing_line as u32, 1);
    for field in REQUIRED {
        if !values.contains_key(*field) {
            problems.push(Problem::error(closing, format!("topic.md lacks `{field}`: add a `{field}: …` line before this `---`")));
        }
    }
    let topic = &mut parsed.topic;
    for (key, (value, position)) in &values {
        if value.is_empty() {
            problems.push(Problem::error(*position, format!("`{key}` is empty: write its value after `{key}: `")));
            continue;
        }
        match key.as_str() {
            "id" => {
                if !is_identifier(value) {
                    problems.push(Problem::error(*position, format!("id `{value}` may only use a-z, 0-9 and -: it is also the folder name")));
                }
                topic.id = value.clone();
            }
            "colour" => {
                if !is_css_colour(value) {
                    problems
                        .push(Problem::error(*position, format!("colour must be written `#` and six hex digits, like `#1565c0`; found `{value}`")));
                    continue;
                }
                topic.colour = value.to_ascii_lowercase();
            }
            "order" => match value.parse::<u32>() {
                Ok(order) => topic.order = order,
                Err(_) => {
                    problems.push(Problem::error(
                        *position,
                        format!("order must be a whole number (the topic's place on the home screen), like `4`; found `{value}`"),
                    ));
                    continue;
                }
            },
            "icon" => {
                if value.contains('/') || value.contains('\\') {
                    problems.push(Problem::error(
                        *position,
                        format!("icon names a file directly in the topic's media/ folder, like `icon.svg`; found `{value}`"),
                    ));
                    continue;
                }
                topic.icon = Some(value.clone());
            }
            key => {
                // title, summary, title.<locale>, summary.<locale> (unknown keys were refused above).
                let (field, locale) = key.split_once('.').unwrap_or((key, REFERENCE_LOCALE));
                let text = topic.texts.entry(locale.to_owned()).or_default();
                if field == "title" {
                    text.title = value.clone();
                } else {
                    text.summary = value.clone();
                }
            }
        }
        parsed.fields.insert(key.clone(), *position);
    }
    // A translation has both its title and its summary (a tile with one of them in Vietnamese reads oddly).
    for locale in LOCALES.iter().filter(|l| l.code != REFERENCE_LOCALE) {
        let (title, summary) = (format!("title.{}", locale.code), format!("summary.{}", locale.code));
        match (values.contains_key(&title), values.contains_key(&summary)) {
            (true, false) => problems.push(Problem::error(values[&title].1, format!("`{title}` needs `{summary}` too: add a `{summary}: …` line"))),
            (false, true) => problems.push(Problem::error(values[&summary].1, format!("`{summary}` needs `{title}` too: add a `{title}: …` line"))),
            (false, false) if locale.reviewed => problems.push(Problem::warning(
                closing,
                format!("no {} title yet ({} learners see the Vietnamese one): add `{title}: …` and `{summary}: …`", locale.code, locale.native_name),
            )),
            _ => {}
        }
    }
    problems.sort_by_key(|p| p.position);
    parsed
}

/// Why `key` is not a field of `topic.md`, if it is not.
fn unknown_key(key: &str) -> Option<String> {
    if TOPIC_FIELDS.contains(&key) {
        return None;
    }
    if let Some((field, locale)) = key.split_once('.') {
        if field == "title" || field == "summary" {
            if locale == REFERENCE_LOCALE {
                return Some(format!("`{key}`: the Vietnamese {field} is written `{field}: …` without a language"));
            }
            if locale_info(locale).is_some() {
                return None;
            }
            let known: Vec<&str> = LOCALES.iter().filter(|l| l.code != REFERENCE_LOCALE).map(|l| l.code).collect();
            return Some(format!("`{key}`: `{locale}` is not a language of the app; use {}", known.join(", ")));
        }
    }
    Some(format!(
        "unknown topic.md field `{key}`: the fields are {}, and title.<language>, summary.<language> (e.g. title.en)",
        TOPIC_FIELDS.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\nid: phone-safety\ncolour: \"#6A1B9A\"\norder: 4\nicon: icon.svg\ntitle: Dùng điện thoại an toàn\nsummary: Khóa màn hình, cài ứng dụng\ntitle.en: Using a phone safely\nsummary.en: Screen lock, installing apps\n---\n";

    #[test]
    fn a_topic_file_gives_its_fields_and_a_title_per_language() {
        let parsed = parse_topic(GOOD);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let topic = &parsed.topic;
        assert_eq!((topic.id.as_str(), topic.colour.as_str(), topic.order, topic.icon.as_deref()), ("phone-safety", "#6a1b9a", 4, Some("icon.svg")));
        assert_eq!(topic.texts["vi"].title, "Dùng điện thoại an toàn");
        assert_eq!(topic.texts["en"], TopicText { title: "Using a phone safely".into(), summary: "Screen lock, installing apps".into() });
        assert_eq!(parsed.field("title.en"), Position::new(8, 11));
    }

    #[test]
    fn mistakes_in_a_topic_file_are_reported_where_they_are() {
        let text = "---\nid: Phone Safety\ncolour: red; background: url(x)\norder: four\ntitle.fr: Téléphone\ntitle.en: Phone\nsummary: Tóm tắt\n---\nSome words\n";
        let problems: Vec<String> = parse_topic(text).problems.iter().map(|p| format!("{}: {}", p.position, p.message)).collect();
        let at = |prefix: &str| problems.iter().any(|p| p.starts_with(prefix));
        assert!(at("2:5: id `Phone Safety` may only use"), "{problems:#?}");
        assert!(at("3:9: colour must be"), "{problems:#?}");
        assert!(at("4:8: order must be a whole number"), "{problems:#?}");
        assert!(at("5:1: `title.fr`: `fr` is not a language"), "{problems:#?}");
        assert!(at("6:11: `title.en` needs `summary.en`"), "{problems:#?}");
        assert!(at("8:1: topic.md lacks `title`"), "{problems:#?}");
        assert!(at("9:1: topic.md holds only its front matter"), "{problems:#?}");
    }

    #[test]
    fn a_topic_without_english_is_warned_not_refused() {
        let parsed = parse_topic("---\nid: a\ncolour: #123\norder: 1\ntitle: A\nsummary: B\n---\n");
        assert!(parsed.problems.iter().all(|p| !p.is_error()), "{:?}", parsed.problems);
        assert!(parsed.problems.iter().any(|p| p.message.starts_with("no en title yet")));
    }

    #[test]
    fn only_hex_colours_are_colours() {
        for good in ["#fff", "#1565c0", "#ABCDEF"] {
            assert!(is_css_colour(good), "{good}");
        }
        for bad in ["red", "#12", "#1234567", "#12345g", "#fff;x", "", "url(#a)"] {
            assert!(!is_css_colour(bad), "{bad}");
        }
    }
}
