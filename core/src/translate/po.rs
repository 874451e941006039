//! A strict reader and writer of the gettext PO files `hocso content translate` exchanges.
//!
//! Written here rather than taken from a crate: `polib` (the maintained one) reports a syntax error
//! without its line and forgets where each message was, and every problem on import must be
//! printed as `file.po:LINE: …`. Only what the export writes is read back: `msgctxt`, `msgid`,
//! `msgstr` (no plurals), `#` comments and the `fuzzy` flag; anything else is an error at its line,
//! never silently skipped. Obsolete entries (`#~`) are ignored, as gettext tools do.

use std::fmt;

/// One message of a PO file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// `#.` lines: what the translator should know (where the text is, what to keep).
    pub notes: Vec<String>,
    /// `#:` lines: where the source text is (`cashless-payment/pay-by-vietqr/vi.md:12`).
    pub references: Vec<String>,
    /// The `fuzzy` flag: a suggestion (an older translation) that a person has not confirmed.
    pub fuzzy: bool,
    pub context: Option<String>,
    pub id: String,
    pub translation: String,
    /// Where the entry starts and where its `msgstr` is (1-based lines; 0 for entries not read).
    pub line: u32,
    pub translation_line: u32,
}

/// A PO file: the header's fields (`Language: hmn`) and the messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// Comment lines above the header, without `# `.
    pub comments: Vec<String>,
    pub header: Vec<(String, String)>,
    pub entries: Vec<Entry>,
}

/// A syntax error, at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: u32,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.message)
    }
}

impl Catalogue {
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.header.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The PO text: the header entry, then each entry separated by an empty line.
    pub fn write(&self) -> String {
        let mut out = String::new();
        for comment in &self.comments {
            out.push_str(&format!("# {comment}\n").replace("# \n", "#\n"));
        }
        let header: String = self.header.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        write_keyword(&mut out, "msgid", "");
        write_keyword(&mut out, "msgstr", &header);
        for entry in &self.entries {
            out.push('\n');
            for note in &entry.notes {
                for line in note.lines() {
                    out.push_str(&format!("#. {line}\n"));
                }
            }
            for reference in &entry.references {
                out.push_str(&format!("#: {reference}\n"));
            }
            if entry.fuzzy {
                out.push_str("#, fuzzy\n");
            }
            if let Some(context) = &entry.context {
                write_keyword(&mut out, "msgctxt", context);
            }
            write_keyword(&mut out, "msgid", &entry.id);
            write_keyword(&mut out, "msgstr", &entry.translation);
        }
        out
    }

    /// Reads a PO file; the first syntax error stops it.
    pub fn parse(text: &str) -> Result<Self, SyntaxError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut catalogue = Catalogue::default();
        let mut entry = Draft::default();
        let mut seen_entry = false;
        for (index, raw) in text.lines().enumerate() {
            let line = (index + 1) as u32;
            let trimmed = raw.trim();
            let error = |message: String| Err(SyntaxError { line, message });
            if trimmed.is_empty() {
                entry.finish(&mut catalogue, &mut seen_entry)?;
                continue;
            }
            if let Some(comment) = trimmed.strip_prefix('#') {
                if entry.last.is_some() {
                    entry.finish(&mut catalogue, &mut seen_entry)?;
                }
                entry.line.get_or_insert(line);
                if let Some(note) = comment.strip_prefix('.') {
                    entry.entry.notes.push(note.trim().to_owned());
                } else if let Some(reference) = comment.strip_prefix(':') {
                    entry.entry.references.push(reference.trim().to_owned());
                } else if let Some(flags) = comment.strip_prefix(',') {
                    entry.entry.fuzzy |= flags.split(',').any(|f| f.trim() == "fuzzy");
                } else if comment.starts_with('~') {
                    entry.obsolete = true;
                } else if !seen_entry {
                    catalogue.comments.push(comment.strip_prefix(' ').unwrap_or(comment).to_owned());
                }
                continue;
            }
            if trimmed.starts_with('"') {
                let Some(keyword) = entry.last else {
                    return error("a quoted line must follow msgctxt, msgid or msgstr".to_owned());
                };
                let value = quoted(trimmed).map_err(|message| SyntaxError { line, message })?;
                entry.field(keyword).push_str(&value);
                continue;
            }
            let (keyword, rest) = trimmed.split_once(char::is_whitespace).unwrap_or((trimmed, ""));
            let keyword = match keyword {
                "msgctxt" => Keyword::Context,
                "msgid" => Keyword::Id,
                "msgstr" => Keyword::Translation,
                "msgid_plural" => return error("plural messages (msgid_plural) are not used in HocSo's files: remove it".to_owned()),
                other if other.starts_with("msgstr[") => {
                    return error("plural translations (msgstr[n]) are not used in HocSo's files: write one msgstr".to_owned())
                }
                other => {
                    return error(format!("unexpected `{other}`: a PO line is a `#` comment, msgctxt, msgid, msgstr or a quoted \"…\" continuation"))
                }
            };
            let order = |k: Keyword| k as u8;
            if entry.last.is_some_and(|last| order(last) >= order(keyword)) || entry.has(keyword) {
                entry.finish(&mut catalogue, &mut seen_entry)?;
            }
            if keyword == Keyword::Translation && !entry.has(Keyword::Id) {
                return error("msgstr without a msgid before it".to_owned());
            }
            entry.line.get_or_insert(line);
            if keyword == Keyword::Translation {
                entry.entry.translation_line = line;
            }
            let value = quoted(rest.trim()).map_err(|message| SyntaxError { line, message })?;
            *entry.field(keyword) = value;
            entry.set.push(keyword);
            entry.last = Some(keyword);
        }
        entry.finish(&mut catalogue, &mut seen_entry)?;
        Ok(catalogue)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Context = 0,
    Id = 1,
    Translation = 2,
}

#[derive(Default)]
struct Draft {
    entry: Entry,
    line: Option<u32>,
    last: Option<Keyword>,
    set: Vec<Keyword>,
    obsolete: bool,
}

impl Draft {
    fn has(&self, keyword: Keyword) -> bool {
        self.set.contains(&keyword)
    }

    fn field(&mut self, keyword: Keyword) -> &mut String {
        match keyword {
            Keyword::Context => self.entry.context.get_or_insert_with(String::new),
            Keyword::Id => &mut self.entry.id,
            Keyword::Translation => &mut self.entry.translation,
        }
    }

    fn finish(&mut self, catalogue: &mut Catalogue, seen_entry: &mut bool) -> Result<(), SyntaxError> {
        let draft = std::mem::take(self);
        if draft.obsolete || draft.set.is_empty() {
            return Ok(());
        }
        let line = draft.line.unwrap_or(0);
        if !draft.has(Keyword::Id) {
            return Err(SyntaxError { line, message: "this entry has no msgid".to_owned() });
        }
        if !draft.has(Keyword::Translation) {
            return Err(SyntaxError { line, message: "this entry has no msgstr: add `msgstr \"\"` (left empty when not translated)".to_owned() });
        }
        let mut entry = draft.entry;
        entry.line = line;
        if entry.context.is_none() && entry.id.is_empty() {
            if *seen_entry || !catalogue.header.is_empty() {
                return Err(SyntaxError { line, message: "a second header (msgid \"\"): every message has a msgctxt and a msgid".to_owned() });
            }
            for header_line in entry.translation.lines() {
                if let Some((k, v)) = header_line.split_once(':') {
                    catalogue.header.push((k.trim().to_owned(), v.trim().to_owned()));
                }
            }
            *seen_entry = true;
            return Ok(());
        }
        *seen_entry = true;
        catalogue.entries.push(entry);
        Ok(())
    }
}

/// `"…"` → its text, with gettext's escapes.
fn quoted(text: &str) -> Result<String, String> {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|_| text.len() >= 2)
        .ok_or_else(|| format!("expected a text in double quotes, found `{text}`"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some(other) => return Err(format!("unknown escape `\\{other}`: write \\\" for a quote, \\\\ for a backslash, \\n for a new line")),
                None => return Err("a backslash at the end of the text: write \\\\ for a backslash".to_owned()),
            },
            '"' => return Err("a double quote inside the text must be written \\\"".to_owned()),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// `keyword "text"`, or, for text with new lines, `keyword ""` then one quoted line per line.
fn write_keyword(out: &mut String, keyword: &str, text: &str) {
    if text.contains('\n') {
        out.push_str(&format!("{keyword} \"\"\n"));
        for line in text.split_inclusive('\n') {
            out.push_str(&format!("\"{}\"\n", escape(line)));
        }
    } else {
        out.push_str(&format!("{keyword} \"{}\"\n", escape(text)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(context: &str, id: &str, translation: &str) -> Entry {
        Entry { context: Some(context.to_owned()), id: id.to_owned(), translation: translation.to_owned(), ..Entry::default() }
    }

    #[test]
    fn a_written_catalogue_reads_back_the_same_with_lines_of_its_msgstr() {
        let mut fuzzy = entry("lesson:a/step-1/para-1", "Dòng một\nDòng \"hai\"\\", "Cũ");
        fuzzy.fuzzy = true;
        fuzzy.notes = vec!["step 1, paragraph 1".to_owned()];
        fuzzy.references = vec!["t/a/vi.md:9".to_owned()];
        let catalogue = Catalogue {
            comments: vec!["HocSo".to_owned()],
            header: vec![("Language".to_owned(), "hmn".to_owned()), ("Content-Type".to_owned(), "text/plain; charset=UTF-8".to_owned())],
            entries: vec![entry("ui:home.topics", "Chủ đề", ""), fuzzy],
        };
        let text = catalogue.write();
        let read = Catalogue::parse(&text).unwrap();
        assert_eq!(read.header_value("language"), Some("hmn"));
        assert_eq!(read.comments, ["HocSo"]);
        assert_eq!(read.entries.len(), 2);
        for (read, written) in read.entries.iter().zip(&catalogue.entries) {
            assert_eq!(
                (&read.context, &read.id, &read.translation, read.fuzzy),
                (&written.context, &written.id, &written.translation, written.fuzzy)
            );
        }
        let second = &read.entries[1];
        assert_eq!(second.notes, ["step 1, paragraph 1"]);
        assert_eq!(second.references, ["t/a/vi.md:9"]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[second.translation_line as usize - 1].starts_with("msgstr "), "{text}");
        assert!(lines[second.line as usize - 1].starts_with("#."), "{text}");
    }

    #[test]
    fn syntax_errors_say_their_line() {
        let cases = [
            ("msgid \"\"\nmsgstr \"\"\n\nmsgctxt \"x\"\nmsgid \"a\nmsgstr \"\"\n", 5, "double quotes"),
            ("msgctxt \"x\"\nmsgid \"a\"\nmsgstr \"b\\q\"\n", 3, "unknown escape"),
            ("msgctxt \"x\"\nmsgid \"a\"\nmsgid_plural \"as\"\n", 3, "plural"),
            ("msgctxt \"x\"\nmsgid \"a\"\n\nmsgctxt \"y\"\n", 1, "no msgstr"),
            ("\"stray\"\n", 1, "must follow"),
            ("msgctxt \"x\"\nmsgid \"a\"\nmsgtsr \"b\"\n", 3, "unexpected `msgtsr`"),
        ];
        for (text, line, words) in cases {
            let error = Catalogue::parse(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.message.contains(words), "{text:?}: {error}");
        }
    }

    #[test]
    fn obsolete_entries_and_other_flags_are_read_as_gettext_tools_write_them() {
        let text = "#, fuzzy, c-format\nmsgctxt \"x\"\nmsgid \"a\"\nmsgstr \"b\"\n\n#~ msgctxt \"old\"\n#~ msgid \"o\"\n#~ msgstr \"p\"\n";
        let read = Catalogue::parse(text).unwrap();
        assert_eq!(read.entries.len(), 1);
        assert!(read.entries[0].fuzzy);
        assert_eq!(read.entries[0].translation, "b");
    }
}
