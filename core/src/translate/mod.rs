//! Translation without Markdown: what `hocso content translate export|import` exchange with a
//! translator, as a gettext PO file (issue #15).
//!
//! Export lists, for one locale, every interface string (`locales/<locale>.json`) and every piece
//! of every lesson ([`segments`]) that has no translation yet or whose Vietnamese changed since it
//! was translated, each with its Vietnamese text (`msgid`), where it is (`msgctxt
//! "lesson:pay-by-vietqr/step-2/para-1"`, `"ui:home.topics"`) and notes. Import reads a PO file
//! back, checks every entry, assembles each lesson from its Vietnamese file (so the structure is
//! `vi.md`'s) and the whole is checked by the content checker before anything is written: the
//! caller writes the files of an [`ImportPlan`] only when [`import`] returned one.
//!
//! How a change is seen: a translation records, per piece, a short hash of the Vietnamese it was
//! made from: lessons in their `source_hashes` front-matter field (one hash per piece, in order),
//! interface strings as `"_source.<key>"` metadata entries of the locale file (the app skips keys
//! starting with `_`). A piece whose hash differs from its Vietnamese now is "changed"; a piece of a
//! translation written before these hashes (or by hand) is "unverified": both are exported with the
//! current translation as a `fuzzy` suggestion.
//!
//! Not for: reading or writing files (the server's `content_cli`).

pub mod po;
pub mod segments;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use sha2::{Digest, Sha256};

use crate::content::{ContentTree, SourceFiles};
use crate::i18n::{locale_info, Messages, REFERENCE_LOCALE};
pub use po::{Catalogue, Entry, SyntaxError};
pub use segments::{assemble, lesson_segments, Piece, Segment};

/// `msgctxt` prefixes.
const LESSON: &str = "lesson:";
const UI: &str = "ui:";
/// Locale-file metadata key holding the hash of an interface string's Vietnamese.
const UI_SOURCE_PREFIX: &str = "_source.";

/// The short hash of a Vietnamese text recorded with its translation.
pub fn source_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// A recorded hash: 8 lowercase hex digits, or `-` (unknown).
pub fn is_source_hash(text: &str) -> bool {
    text == "-" || (text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Where a piece's translation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// No translation.
    Missing,
    /// Translated from a Vietnamese text that has changed since.
    Changed,
    /// Translated, but what from is not recorded (a translation older than the hashes).
    Unverified,
    UpToDate,
}

/// A lesson piece and its translation's state; `current` is the translation that can be kept (its
/// place is the same in both files).
#[derive(Debug, Clone)]
pub struct PieceState {
    pub segment: Segment,
    pub state: State,
    pub current: Option<Piece>,
}

/// Each piece of `vi` against the translation `target` (its text, as written).
pub fn lesson_states(vi: &str, target: Option<&str>) -> Vec<PieceState> {
    let vi_segments = lesson_segments(vi);
    let (target_pieces, same_shape) = match target {
        Some(target) => {
            let segments = lesson_segments(target);
            let hashes = segments::recorded_hashes(target);
            let hashes_fit = hashes.len() == segments.len();
            let same_shape = segments.iter().map(|s| &s.id).eq(vi_segments.iter().map(|s| &s.id));
            let pieces: BTreeMap<String, Piece> = segments
                .into_iter()
                .enumerate()
                .map(|(i, s)| (s.id, Piece { text: s.text, source_hash: if hashes_fit { hashes[i].clone() } else { None } }))
                .collect();
            (pieces, same_shape)
        }
        None => (BTreeMap::new(), false),
    };
    vi_segments
        .into_iter()
        .map(|segment| {
            let hash = source_hash(&segment.text);
            let (state, current) = match target_pieces.get(&segment.id) {
                Some(piece) if piece.source_hash.as_deref() == Some(hash.as_str()) => (State::UpToDate, Some(piece.clone())),
                Some(piece) if same_shape => (if piece.source_hash.is_some() { State::Changed } else { State::Unverified }, Some(piece.clone())),
                // The translation's shape is not the lesson's any more: its text at this place may be another piece's.
                Some(piece) if piece.source_hash.is_some() => (State::Changed, None),
                _ => (State::Missing, None),
            };
            PieceState { segment, state, current }
        })
        .collect()
}

/// The interface strings of a locale file, in the file's order.
pub fn ordered_strings(json: &str) -> Result<Vec<(String, String)>, String> {
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
    struct Pairs(Vec<(String, String)>);
    struct PairsVisitor;
    impl<'de> Visitor<'de> for PairsVisitor {
        type Value = Pairs;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("one JSON object of \"key\": \"text\" pairs")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = map.next_entry::<String, String>()? {
                pairs.push(pair);
            }
            Ok(Pairs(pairs))
        }
    }
    impl<'de> Deserialize<'de> for Pairs {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_map(PairsVisitor)
        }
    }
    serde_json::from_str::<Pairs>(json).map(|p| p.0).map_err(|e| e.to_string())
}

/// What the files say, read by the caller: the content folder and the two locale files.
#[derive(Debug, Clone)]
pub struct Sources {
    pub content: SourceFiles,
    /// `locales/vi.json`.
    pub ui_reference: String,
    /// `locales/<locale>.json`, when it exists.
    pub ui_target: Option<String>,
}

/// How many entries an export holds, by state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportCounts {
    pub missing: usize,
    pub changed: usize,
    pub unverified: usize,
    pub up_to_date: usize,
    /// Lessons with at least one entry.
    pub lessons: usize,
    pub ui: usize,
}

impl fmt::Display for ExportCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.missing + self.changed + self.unverified + self.up_to_date;
        write!(
            f,
            "{total} entries ({} interface strings, {} pieces of {} lessons): {} missing, {} changed in Vietnamese, {} unverified",
            self.ui,
            total - self.ui,
            self.lessons,
            self.missing,
            self.changed,
            self.unverified
        )?;
        if self.up_to_date > 0 {
            write!(f, ", {} up to date", self.up_to_date)?;
        }
        Ok(())
    }
}

/// Why a translation cannot be exported or imported at all (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("`{0}` is not a language HocSo offers for translation: use one of {1}")]
    Locale(String, String),
    #[error("locales/{0}.json: {1}")]
    LocaleFile(String, String),
}

fn check_locale(locale: &str) -> Result<(), Unusable> {
    if locale == REFERENCE_LOCALE || locale_info(locale).is_none() {
        let others: Vec<&str> = crate::i18n::LOCALES.iter().map(|l| l.code).filter(|c| *c != REFERENCE_LOCALE).collect();
        return Err(Unusable::Locale(locale.to_owned(), others.join(", ")));
    }
    Ok(())
}

/// The PO file for `locale`: what is missing or changed (or, with `all`, everything).
pub fn export(sources: &Sources, locale: &str, all: bool) -> Result<(Catalogue, ExportCounts), Unusable> {
    check_locale(locale)?;
    let reference = ordered_strings(&sources.ui_reference).map_err(|e| Unusable::LocaleFile(REFERENCE_LOCALE.to_owned(), e))?;
    let target = match &sources.ui_target {
        Some(json) => ordered_strings(json).map_err(|e| Unusable::LocaleFile(locale.to_owned(), e))?,
        None => Vec::new(),
    };
    let target: BTreeMap<&str, &str> = target.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut counts = ExportCounts::default();
    let mut entries = Vec::new();
    let count = |state: State, counts: &mut ExportCounts| match state {
        State::Missing => counts.missing += 1,
        State::Changed => counts.changed += 1,
        State::Unverified => counts.unverified += 1,
        State::UpToDate => counts.up_to_date += 1,
    };
    for (key, text) in reference.iter().filter(|(k, _)| !k.starts_with('_')) {
        let hash = source_hash(text);
        let (state, current) = match (target.get(key.as_str()), target.get(format!("{UI_SOURCE_PREFIX}{key}").as_str())) {
            (Some(current), Some(recorded)) if *recorded == hash => (State::UpToDate, Some(*current)),
            (Some(current), Some(_)) => (State::Changed, Some(*current)),
            (Some(current), None) => (State::Unverified, Some(*current)),
            (None, _) => (State::Missing, None),
        };
        if state == State::UpToDate && !all {
            continue;
        }
        count(state, &mut counts);
        counts.ui += 1;
        let mut notes = vec![format!("Interface string `{key}`.")];
        notes.extend(state_note(state, locale));
        if !placeholders(text).is_empty() {
            notes.push("Keep each {…} as it is: the app puts a number or a name there.".to_owned());
        }
        entries.push(Entry {
            notes,
            references: vec![format!("locales/{REFERENCE_LOCALE}.json")],
            fuzzy: matches!(state, State::Changed | State::Unverified),
            context: Some(format!("{UI}{key}")),
            id: text.clone(),
            translation: current.unwrap_or_default().to_owned(),
            ..Entry::default()
        });
    }
    let tree = ContentTree::from_files(sources.content.clone());
    for folder in &tree.lessons {
        let Some(vi) = folder.original() else { continue };
        let target = folder.files.get(locale).map(|f| f.source.as_str());
        let title = &vi.parsed.lesson.meta.title;
        let mut any = false;
        let mut any_before = false;
        for piece in lesson_states(&vi.source, target) {
            if piece.state == State::UpToDate && !all {
                continue;
            }
            any = true;
            count(piece.state, &mut counts);
            let segment = &piece.segment;
            let mut notes = vec![format!("Lesson «{title}»: {}.", describe(&segment.id))];
            notes.extend(state_note(piece.state, locale));
            if piece.state == State::Missing && target.is_some() && !any_before {
                notes.push(format!(
                    "This lesson's {locale}.md does not follow vi.md piece by piece, so its text is not offered here: a complete import replaces it."
                ));
            }
            any_before = true;
            notes.extend(markdown_notes(&segment.id, &segment.text));
            entries.push(Entry {
                notes,
                references: vec![format!("{}/{REFERENCE_LOCALE}.md:{}", folder.relative_dir(), segment.line)],
                fuzzy: matches!(piece.state, State::Changed | State::Unverified),
                context: Some(format!("{LESSON}{}/{}", folder.id, segment.id)),
                id: segment.text.clone(),
                translation: piece.current.map(|p| p.text).unwrap_or_default(),
                ..Entry::default()
            });
        }
        counts.lessons += usize::from(any);
    }
    let catalogue = Catalogue {
        comments: vec![
            format!("HocSo: interface strings and lessons to translate into `{locale}` ({}).", if all { "everything" } else { "missing or changed" }),
            "Write each translation in msgstr; leave it empty when you do not know it. Keep Markdown marks (**bold**) and".to_owned(),
            "link targets (…) as they are. A `fuzzy` entry holds the current translation of a Vietnamese text that changed".to_owned(),
            "(or was never checked against it): correct it, then remove the `#, fuzzy` line. Import with".to_owned(),
            "`hocso content translate import FILE`.".to_owned(),
        ],
        header: vec![
            ("Project-Id-Version".to_owned(), "HocSo".to_owned()),
            ("Language".to_owned(), locale.to_owned()),
            ("MIME-Version".to_owned(), "1.0".to_owned()),
            ("Content-Type".to_owned(), "text/plain; charset=UTF-8".to_owned()),
            ("Content-Transfer-Encoding".to_owned(), "8bit".to_owned()),
        ],
        entries,
    };
    Ok((catalogue, counts))
}

fn state_note(state: State, locale: &str) -> Option<String> {
    match state {
        State::Missing | State::UpToDate => None,
        State::Changed => Some(format!("Changed: the Vietnamese changed since this was translated; msgstr is the current {locale} text.")),
        State::Unverified => Some(format!("Unverified: the current {locale} text was written before HocSo recorded what it translates; check it.")),
    }
}

fn markdown_notes(id: &str, text: &str) -> Vec<String> {
    let mut notes = Vec::new();
    if text.contains("](") {
        notes.push("Translate the words in [ ]; keep each link's target ( ) exactly as it is.".to_owned());
    }
    if text.contains("**") || text.contains('*') {
        notes.push("Keep the ** or * marks around the words they mark.".to_owned());
    }
    if id.ends_with("/quote") {
        notes.push("These words must appear exactly so in the translation of the same screen's message text.".to_owned());
    }
    if id.contains("/field-") && id.ends_with("/value") {
        notes.push("What the learner must type: keep numbers as they are.".to_owned());
    }
    notes
}

/// `step-2/para-1` → "step 2, paragraph 1".
fn describe(id: &str) -> String {
    id.split('/')
        .map(|part| {
            let (name, number) = part.rsplit_once('-').filter(|(_, n)| n.parse::<u32>().is_ok()).unwrap_or((part, ""));
            let words = match name {
                "title" => "title",
                "summary" => "summary (one sentence under the title)",
                "step" => "step",
                "para" => "paragraph",
                "item" => "list item",
                "image" => "picture description (read aloud)",
                "question" => "quiz question",
                "prompt" => "the question",
                "choice" => "option",
                "explain" => "explanation",
                "drill" => "practice drill",
                "screen" => "screen",
                "action" => "button",
                "quote" => "red flag's words",
                "name" => "form field's name",
                "value" => "what is typed",
                other => other,
            };
            if number.is_empty() {
                words.to_owned()
            } else {
                format!("{words} {number}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A problem with an import, at a line of the PO file when it belongs to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub line: Option<u32>,
    pub message: String,
}

impl ImportProblem {
    fn at(line: u32, message: impl Into<String>) -> Self {
        Self { line: Some(line), message: message.into() }
    }
}

/// A lesson file to write: `<topic>/<lesson>/<locale>.md` relative to the content folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonWrite {
    pub path: String,
    pub text: String,
    /// Pieces taken from the PO file.
    pub imported: usize,
}

/// What an import writes, all of it checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub locale: String,
    pub lessons: Vec<LessonWrite>,
    /// The new `locales/<locale>.json`, when an interface string was imported.
    pub ui_json: Option<String>,
    pub ui_imported: usize,
    /// Lessons not written, each with why.
    pub skipped: Vec<String>,
    /// Entries with an empty msgstr, and entries marked fuzzy: not imported.
    pub empty: usize,
    pub fuzzy: usize,
    /// Whether the locale file says `"_status": "draft"` (or the locale is not reviewed).
    pub ui_draft: bool,
}

impl ImportPlan {
    /// The line at the end of the import.
    pub fn summary(&self) -> String {
        let pieces: usize = self.lessons.iter().map(|l| l.imported).sum();
        let mut text = format!(
            "imported {} interface strings and {pieces} lesson pieces; wrote {} lessons as `status: draft`",
            self.ui_imported,
            self.lessons.len()
        );
        text.push_str(&format!("; left out {} empty and {} fuzzy entries", self.empty, self.fuzzy));
        if !self.skipped.is_empty() {
            text.push_str(&format!("; skipped {} lessons: {}", self.skipped.len(), self.skipped.join("; ")));
        }
        text
    }
}

/// Checks a PO file against the sources and assembles what it translates; any problem, and nothing
/// is to be written.
pub fn import(catalogue: &Catalogue, sources: &Sources, locale: &str) -> Result<ImportPlan, Vec<ImportProblem>> {
    let fail = |message: String| vec![ImportProblem { line: None, message }];
    check_locale(locale).map_err(|e| fail(e.to_string()))?;
    match catalogue.header_value("Language") {
        Some(language) if language == locale => {}
        Some(language) => {
            return Err(fail(format!("this file is a translation into `{language}`, not `{locale}` (its header says `Language: {language}`)")))
        }
        None => return Err(fail("the file's header has no `Language:`: export a new file with `hocso content translate export`".to_owned())),
    }
    let reference = ordered_strings(&sources.ui_reference).map_err(|e| fail(format!("locales/{REFERENCE_LOCALE}.json: {e}")))?;
    let target = match &sources.ui_target {
        Some(json) => ordered_strings(json).map_err(|e| fail(format!("locales/{locale}.json: {e}")))?,
        None => Vec::new(),
    };
    let reference_map: BTreeMap<&str, &str> = reference.iter().filter(|(k, _)| !k.starts_with('_')).map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let tree = ContentTree::from_files(sources.content.clone());
    let lessons: BTreeMap<&str, _> = tree.lessons.iter().filter(|f| f.original().is_some()).map(|f| (f.id.as_str(), f)).collect();
    let mut states: BTreeMap<&str, Vec<PieceState>> = BTreeMap::new();

    let mut problems = Vec::new();
    let mut plan = ImportPlan { locale: locale.to_owned(), ..ImportPlan::default() };
    let mut seen = BTreeSet::new();
    let mut ui_updates: BTreeMap<&str, (String, String)> = BTreeMap::new();
    // lesson id → segment id → (translation, PO line)
    let mut lesson_updates: BTreeMap<&str, BTreeMap<String, (String, u32)>> = BTreeMap::new();
    for entry in &catalogue.entries {
        let line = entry.line;
        let Some(context) = &entry.context else {
            problems.push(ImportProblem::at(
                line,
                "this entry has no msgctxt: every entry of a HocSo file says what it translates (`ui:…` or `lesson:…`)",
            ));
            continue;
        };
        if !seen.insert(context.as_str()) {
            problems.push(ImportProblem::at(line, format!("msgctxt \"{context}\" is here twice: keep one")));
            continue;
        }
        let translation = entry.translation.trim();
        if let Some(key) = context.strip_prefix(UI) {
            let Some(source) = reference_map.get(key) else {
                problems
                    .push(ImportProblem::at(line, format!("unknown msgctxt \"{context}\": there is no interface string `{key}` in locales/vi.json")));
                continue;
            };
            if entry.id != *source {
                problems.push(ImportProblem::at(line, changed_since(context)));
                continue;
            }
            if translation.is_empty() || entry.fuzzy {
                plan.empty += usize::from(translation.is_empty());
                plan.fuzzy += usize::from(!translation.is_empty());
                continue;
            }
            let at = entry.translation_line;
            if let Err(message) = same_marks(source, translation, false) {
                problems.push(ImportProblem::at(at, message));
                continue;
            }
            ui_updates.insert(key, (translation.to_owned(), source_hash(source)));
            continue;
        }
        let Some((lesson_id, segment_id)) = context.strip_prefix(LESSON).and_then(|c| c.split_once('/')) else {
            problems.push(ImportProblem::at(line, format!("unknown msgctxt \"{context}\": HocSo's entries start with `ui:` or `lesson:<lesson>/`")));
            continue;
        };
        let Some(folder) = lessons.get(lesson_id) else {
            problems.push(ImportProblem::at(line, format!("unknown msgctxt \"{context}\": there is no lesson `{lesson_id}` with a vi.md")));
            continue;
        };
        let pieces = states.entry(folder.id.as_str()).or_insert_with(|| {
            let target = folder.files.get(locale).map(|f| f.source.as_str());
            lesson_states(&folder.original().expect("filtered").source, target)
        });
        let Some(piece) = pieces.iter().find(|p| p.segment.id == segment_id) else {
            problems.push(ImportProblem::at(
                line,
                format!("unknown msgctxt \"{context}\": lesson `{lesson_id}` has no piece `{segment_id}` (export again)"),
            ));
            continue;
        };
        if entry.id != piece.segment.text {
            problems.push(ImportProblem::at(line, changed_since(context)));
            continue;
        }
        if translation.is_empty() || entry.fuzzy {
            plan.empty += usize::from(translation.is_empty());
            plan.fuzzy += usize::from(!translation.is_empty());
            continue;
        }
        let at = entry.translation_line;
        if !piece.segment.multiline && translation.contains('\n') {
            problems.push(ImportProblem::at(at, format!("the translation of \"{context}\" must be one line, like the Vietnamese")));
            continue;
        }
        if piece.segment.multiline && translation.lines().any(|l| l.trim().is_empty()) {
            problems.push(ImportProblem::at(at, "an empty line in a translation would split the lesson's paragraph in two: remove it"));
            continue;
        }
        if let Err(message) = same_marks(&piece.segment.text, translation, true) {
            problems.push(ImportProblem::at(at, message));
            continue;
        }
        lesson_updates.entry(folder.id.as_str()).or_default().insert(segment_id.to_owned(), (translation.to_owned(), at));
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    // Lessons: every piece translated (from this file, or kept from the current translation).
    // Per written file: where each piece landed, and the PO line of the pieces from this file.
    let mut lines_of: BTreeMap<String, (Vec<PieceRange>, BTreeMap<String, u32>)> = BTreeMap::new();
    let mut written = SourceFiles { root: std::path::PathBuf::new(), ..sources.content.clone() };
    for (lesson_id, updates) in &lesson_updates {
        let folder = lessons[lesson_id];
        let vi = folder.original().expect("filtered");
        let target = folder.files.get(locale).map(|f| f.source.as_str());
        let mut pieces = Vec::new();
        let mut untranslated = 0;
        for piece in &states[lesson_id] {
            match (updates.get(&piece.segment.id), &piece.current) {
                (Some((text, _)), _) => pieces.push(Piece { text: text.clone(), source_hash: Some(source_hash(&piece.segment.text)) }),
                (None, Some(current)) => pieces.push(current.clone()),
                (None, None) => untranslated += 1,
            }
        }
        let path = format!("{}/{locale}.md", folder.relative_dir());
        if untranslated > 0 {
            plan.skipped.push(format!("{path} ({untranslated} of {} pieces have no translation)", states[lesson_id].len()));
            continue;
        }
        let audio = folder.files.get(locale).map(|f| step_audio_lines(&f.parsed.lesson)).unwrap_or_default();
        let assembled = assemble(&vi.source, &pieces, target.and_then(segments::review_note).as_deref(), &audio);
        let po_lines: BTreeMap<String, u32> = updates.iter().map(|(id, (_, line))| (id.clone(), *line)).collect();
        // The translation must have the Vietnamese lesson's pieces, in order: a translated line that
        // starts with `- `, `## ` or `![` would add one.
        let expected: Vec<String> = states[lesson_id].iter().map(|p| p.segment.id.clone()).collect();
        let found: Vec<Segment> = lesson_segments(&assembled.text);
        if let Some(index) = (0..expected.len().max(found.len())).find(|&i| found.get(i).map(|s| &s.id) != expected.get(i)) {
            let offset = found.get(index).map_or(assembled.text.len(), |s| s.range.start);
            let culprit = piece_at(&assembled.ranges, offset)
                .or_else(|| assembled.ranges.iter().rev().find(|(_, r)| r.start <= offset).map(|(id, _)| id.clone()));
            let line = culprit.as_ref().and_then(|id| po_lines.get(id)).copied();
            problems.push(ImportProblem {
                line,
                message: format!(
                    "{path}: the translation changes the lesson's structure near \"{}\": a line of it that starts with `- `, `1. `, `## ` or `![` starts a new part; write it as text",
                    culprit.unwrap_or_default()
                ),
            });
            continue;
        }
        plan.lessons.push(LessonWrite { path: path.clone(), text: assembled.text.clone(), imported: updates.len() });
        written.files.insert(path.clone(), assembled.text.into_bytes());
        lines_of.insert(path, (assembled.ranges, po_lines));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // The content checker on the whole folder as it would be, about the files this writes.
    if !plan.lessons.is_empty() {
        let report = ContentTree::from_files(written).report;
        for problem in report.errors() {
            let path = problem.path.to_string_lossy().replace('\\', "/");
            let Some((ranges, po_lines)) = lines_of.get(&path) else { continue };
            let text = &plan.lessons.iter().find(|l| l.path == path).expect("written").text;
            let offset = offset_of(text, problem.problem.position.line, problem.problem.position.col);
            let piece = piece_at(ranges, offset).or_else(|| {
                // A problem at the start of a line (a question without its right option…): the piece on that line.
                ranges.iter().find(|(_, r)| line_of(text, r.start) == problem.problem.position.line).map(|(id, _)| id.clone())
            });
            let line = piece.as_ref().and_then(|id| po_lines.get(id)).copied();
            let kept = match (&piece, line) {
                (Some(id), None) => format!(" (piece {id}, kept from the current {locale}.md)"),
                _ => String::new(),
            };
            problems.push(ImportProblem { line, message: format!("{}:{}{kept}", sources.content.root.join(&path).display(), problem.problem) });
        }
    }
    // Interface strings.
    if !ui_updates.is_empty() {
        let json = ui_json(&reference, &target, &ui_updates);
        if let Err(error) = Messages::from_json(&json) {
            problems.push(ImportProblem { line: None, message: format!("locales/{locale}.json would not be read by the app: {error}") });
        }
        plan.ui_json = Some(json);
        plan.ui_imported = ui_updates.len();
    }
    plan.ui_draft = target.iter().any(|(k, v)| k == "_status" && v == "draft") || locale_info(locale).is_some_and(|l| !l.reviewed);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(plan)
}

/// A translation's own audio lines (a team's voice in that language), by step.
fn step_audio_lines(lesson: &crate::content::Lesson) -> BTreeMap<usize, String> {
    lesson
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, step)| {
            step.blocks.iter().find_map(|block| match block {
                crate::content::Block::Audio { src, label } => Some((i, format!("![{label}]({src})"))),
                _ => None,
            })
        })
        .collect()
}

/// A piece's id and where its text is in an assembled file.
type PieceRange = (String, std::ops::Range<usize>);

fn changed_since(context: &str) -> String {
    format!("the msgid of \"{context}\" is not its Vietnamese text any more (it changed after this file was exported): export a new file and copy this translation into it")
}

/// The id of the piece whose assembled text holds `offset`.
fn piece_at(ranges: &[PieceRange], offset: usize) -> Option<String> {
    ranges.iter().find(|(_, r)| r.start <= offset && offset < r.end.max(r.start + 1)).map(|(id, _)| id.clone())
}

fn offset_of(text: &str, line: u32, col: u32) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1) as usize).map(str::len).sum();
    let line_text = text[start..].lines().next().unwrap_or("");
    start + line_text.char_indices().nth(col.saturating_sub(1) as usize).map_or(line_text.len(), |(i, _)| i)
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset].matches('\n').count() as u32 + 1
}

/// The link targets, inline code and `{placeholders}` of a translation must be the source's.
fn same_marks(source: &str, translation: &str, markdown: bool) -> Result<(), String> {
    let wanted = placeholders(source);
    let found = placeholders(translation);
    if wanted != found {
        return Err(format!("the translation must keep the placeholders {} (found {})", shown(&wanted), shown(&found)));
    }
    if markdown {
        let wanted = link_targets(source);
        let found = link_targets(translation);
        if wanted != found {
            return Err(format!("the translation must link to the same targets as the Vietnamese: {} (found {})", shown(&wanted), shown(&found)));
        }
        let wanted = code_spans(source);
        let found = code_spans(translation);
        if wanted != found {
            return Err(format!("the translation must keep the same `code` as the Vietnamese: {} (found {})", shown(&wanted), shown(&found)));
        }
    }
    Ok(())
}

fn shown(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(" ")
    }
}

/// `{n}`, `{name}`: sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open..];
        match rest.find('}') {
            Some(close) if rest[1..close].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && close > 1 => {
                found.push(rest[..=close].to_owned());
                rest = &rest[close + 1..];
            }
            _ => rest = &rest[1..],
        }
    }
    found.sort();
    found
}

/// The `(target)` of each `[…](target)`: sorted.
fn link_targets(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            rest.find(')').map(|close| format!("({})", &rest[..close]))
        })
        .collect();
    found.sort();
    found
}

/// `code` spans: sorted.
fn code_spans(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text.split('`').skip(1).step_by(2).map(|c| format!("`{c}`")).collect();
    found.sort();
    found
}

/// The locale file with `updates` (key → translation, source hash): metadata first, then the
/// strings in `vi.json`'s order (keys it no longer has after them), then the source hashes.
fn ui_json(reference: &[(String, String)], target: &[(String, String)], updates: &BTreeMap<&str, (String, String)>) -> String {
    let mut strings: BTreeMap<&str, &str> = target.iter().filter(|(k, _)| !k.starts_with('_')).map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut hashes: BTreeMap<&str, &str> = target.iter().filter_map(|(k, v)| k.strip_prefix(UI_SOURCE_PREFIX).map(|key| (key, v.as_str()))).collect();
    for (key, (text, hash)) in updates {
        strings.insert(key, text);
        hashes.insert(key, hash);
    }
    let mut lines: Vec<(String, String)> = target.iter().filter(|(k, _)| k.starts_with('_') && !k.starts_with(UI_SOURCE_PREFIX)).cloned().collect();
    let in_reference: BTreeSet<&str> = reference.iter().map(|(k, _)| k.as_str()).collect();
    for (key, _) in reference.iter().filter(|(k, _)| !k.starts_with('_')) {
        if let Some(text) = strings.get(key.as_str()) {
            lines.push((key.clone(), (*text).to_owned()));
        }
    }
    for (key, text) in &strings {
        if !in_reference.contains(key) {
            lines.push(((*key).to_owned(), (*text).to_owned()));
        }
    }
    for (key, _) in reference.iter().filter(|(k, _)| !k.starts_with('_')) {
        if let Some(hash) = hashes.get(key.as_str()) {
            lines.push((format!("{UI_SOURCE_PREFIX}{key}"), (*hash).to_owned()));
        }
    }
    let body: Vec<String> =
        lines.iter().map(|(k, v)| format!("  {}: {}", serde_json::Value::String(k.clone()), serde_json::Value::String(v.clone()))).collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

#[cfg(test)]
mod tests;
