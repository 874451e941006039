//! UI strings: `locales/<code>.json` files, looked up key by key with fallback.
//!
//! Vietnamese (`vi`) is the reference: every key exists there. Another locale may lack keys (an
//! ethnic-language draft is often partial); a missing key falls back to Vietnamese, then to the key
//! itself, so a screen never shows an empty label. Keys starting with `_` are metadata
//! (`_language`, `_status`), not UI strings.

use std::collections::BTreeMap;

use serde::Serialize;

/// The reference locale: every key must exist in it.
pub const REFERENCE_LOCALE: &str = "vi";

/// A language the app offers in its language picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LocaleInfo {
    /// BCP 47 code, used for `lang` attributes and file names.
    pub code: &'static str,
    /// The language's own name, so a speaker recognises it without reading Vietnamese.
    pub native_name: &'static str,
    /// Whether a native speaker has reviewed the translations.
    pub reviewed: bool,
}

/// The locales shipped in `locales/`, in picker order.
pub const LOCALES: &[LocaleInfo] = &[
    LocaleInfo { code: "vi", native_name: "Tiếng Việt", reviewed: true },
    LocaleInfo { code: "en", native_name: "English", reviewed: true },
    LocaleInfo { code: "hmn", native_name: "Hmoob", reviewed: false },
    LocaleInfo { code: "tyz", native_name: "Tày", reviewed: false },
];

/// Finds a shipped locale by code.
pub fn locale_info(code: &str) -> Option<&'static LocaleInfo> {
    LOCALES.iter().find(|l| l.code == code)
}

/// The strings of one locale file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Messages {
    strings: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MessagesError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("a locale file must be one JSON object of \"key\": \"text\" pairs")]
    NotAnObject,
    #[error("the value of \"{0}\" must be a string")]
    NotAString(String),
}

impl Messages {
    /// Parses a flat JSON object of `"key": "text"` pairs.
    pub fn from_json(json: &str) -> Result<Self, MessagesError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| MessagesError::Json(e.to_string()))?;
        let object = value.as_object().ok_or(MessagesError::NotAnObject)?;
        let mut strings = BTreeMap::new();
        for (key, value) in object {
            let text = value.as_str().ok_or_else(|| MessagesError::NotAString(key.clone()))?;
            strings.insert(key.clone(), text.to_owned());
        }
        Ok(Self { strings })
    }

    /// These strings and `more`'s (the team tools add their own file to the learner app's).
    pub fn with(mut self, more: Messages) -> Self {
        self.strings.extend(more.strings);
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.strings.get(key).map(String::as_str)
    }

    /// UI-string keys, without the `_`-prefixed metadata.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.strings.keys().map(String::as_str).filter(|k| !k.starts_with('_'))
    }

    /// True when the file says `"_status": "draft"`: shown to users as unreviewed.
    pub fn is_draft(&self) -> bool {
        self.get("_status") == Some("draft")
    }
}

/// Where a looked-up string came from, so a screen can show that a text is a fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Chosen,
    Reference,
    Missing,
}

/// Looks up UI strings in the chosen locale, falling back per key to Vietnamese, then to the key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Translator {
    locale: String,
    chosen: Messages,
    reference: Messages,
}

impl Translator {
    /// `chosen` may be the reference itself (when the learner picked Vietnamese).
    pub fn new(locale: impl Into<String>, chosen: Messages, reference: Messages) -> Self {
        Self { locale: locale.into(), chosen, reference }
    }

    pub fn locale(&self) -> &str {
        &self.locale
    }

    pub fn lookup<'a>(&'a self, key: &'a str) -> (&'a str, Source) {
        if let Some(text) = self.chosen.get(key) {
            (text, Source::Chosen)
        } else if let Some(text) = self.reference.get(key) {
            (text, Source::Reference)
        } else {
            (key, Source::Missing)
        }
    }

    /// The text for `key`, never empty: chosen locale, else Vietnamese, else the key itself.
    pub fn t(&self, key: &str) -> String {
        self.lookup(key).0.to_owned()
    }

    /// Like [`Translator::t`], replacing `{name}` placeholders with the given values.
    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill_placeholders(self.lookup(key).0, args)
    }
}

/// Replaces each `{name}` in `template` by its value; unknown placeholders are left visible.
pub fn fill_placeholders(template: &str, args: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// How many of the reference's interface strings `chosen` translates (a key present with some text),
/// and how many there are: `(translated, total)`. Metadata keys (`_status`…) are not strings.
pub fn translated_count(reference: &Messages, chosen: &Messages) -> (usize, usize) {
    let total = reference.keys().count();
    let translated = reference.keys().filter(|key| chosen.get(key).is_some_and(|text| !text.trim().is_empty())).count();
    (translated, total)
}

/// How one locale's keys differ from the reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyReport {
    /// Keys in the reference that this locale lacks (they fall back to Vietnamese).
    pub missing: Vec<String>,
    /// Keys in this locale that the reference does not have (typos or leftovers: never shown).
    pub extra: Vec<String>,
}

impl KeyReport {
    pub fn compare(reference: &Messages, other: &Messages) -> Self {
        let missing = reference.keys().filter(|k| other.get(k).is_none()).map(str::to_owned).collect();
        let extra = other.keys().filter(|k| reference.get(k).is_none()).map(str::to_owned).collect();
        Self { missing, extra }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(json: &str) -> Messages {
        Messages::from_json(json).unwrap()
    }

    fn translator() -> Translator {
        let vi = messages(r#"{"home.title": "Học Số", "settings.title": "Cài đặt", "only.vi": "Chỉ có tiếng Việt"}"#);
        let hmn = messages(r#"{"_status": "draft", "home.title": "Kawm Ntawv", "settings.title": ""}"#);
        Translator::new("hmn", hmn, vi)
    }

    #[test]
    fn chosen_locale_wins_when_it_has_the_key() {
        assert_eq!(translator().lookup("home.title"), ("Kawm Ntawv", Source::Chosen));
    }

    #[test]
    fn missing_key_falls_back_to_vietnamese() {
        assert_eq!(translator().lookup("only.vi"), ("Chỉ có tiếng Việt", Source::Reference));
    }

    #[test]
    fn key_missing_everywhere_shows_the_key_itself() {
        assert_eq!(translator().lookup("no.such.key"), ("no.such.key", Source::Missing));
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_stay_visible() {
        let vi = messages(r#"{"sync.waiting": "{count} câu trả lời đang chờ {where}"}"#);
        let t = Translator::new("vi", vi.clone(), vi);
        assert_eq!(t.t_with("sync.waiting", &[("count", "12")]), "12 câu trả lời đang chờ {where}");
    }

    #[test]
    fn key_report_lists_missing_and_extra_keys_but_not_metadata() {
        let vi = messages(r#"{"_language": "Tiếng Việt", "a": "A", "b": "B"}"#);
        let en = messages(r#"{"_status": "draft", "a": "A", "c": "C"}"#);
        let report = KeyReport::compare(&vi, &en);
        assert_eq!(report.missing, vec!["b"]);
        assert_eq!(report.extra, vec!["c"]);
        assert!(en.is_draft());
        assert!(!vi.is_draft());
    }

    #[test]
    fn malformed_locale_files_are_rejected_with_a_reason() {
        assert!(matches!(Messages::from_json("{"), Err(MessagesError::Json(_))));
        assert_eq!(Messages::from_json("[]"), Err(MessagesError::NotAnObject));
        assert_eq!(Messages::from_json(r#"{"a": 1}"#), Err(MessagesError::NotAString("a".into())));
    }
}
