//! The whole content folder: `<topic>/topic.md` and `<topic>/media/…` (the topic itself),
//! `<topic>/<lesson>/<locale>.md` and `<topic>/<lesson>/media/…` (its lessons).
//!
//! Reading the folder ([`SourceFiles::read`]) is the only part that touches the file system; it
//! compiles for wasm32 too (where `std::fs` just fails), so core stays one crate. Everything after
//! that ([`ContentTree::from_files`]) is pure and tested on in-memory trees.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::media::{check_svg, media_kind, MediaKind};
use super::parse::{parse_lesson, ParsedLesson};
use super::problem::{FileProblem, Position, Problem, Report};
use super::topic::{parse_topic, ParsedTopic, TopicText};
use super::validate::{check_against_folder, compare_translation, FolderContext};
use crate::i18n::{locale_info, LOCALES, REFERENCE_LOCALE};

/// A topic's own file, beside its lesson folders.
pub const TOPIC_FILE: &str = "topic.md";
/// The topic's pictures (its icon): so no lesson may be called `media`.
const TOPIC_MEDIA: &str = "media";

/// The files of a content folder, by path relative to it (`data-safety/x/vi.md`, `/`-separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFiles {
    pub root: PathBuf,
    pub files: BTreeMap<String, Vec<u8>>,
    /// Files that exist but could not be read, with the reason.
    pub unreadable: BTreeMap<String, String>,
}

impl SourceFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into(), ..Self::default() }
    }

    pub fn with(mut self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_owned(), contents.into());
        self
    }

    /// Reads every file under `root`, skipping hidden ones (`.DS_Store`, `.gitkeep`).
    pub fn read(root: &Path) -> std::io::Result<Self> {
        let mut files = Self::new(root);
        files.read_dir(root, "")?;
        Ok(files)
    }

    fn read_dir(&mut self, dir: &Path, prefix: &str) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let relative = format!("{prefix}{name}");
            let path = entry.path();
            if path.is_dir() {
                self.read_dir(&path, &format!("{relative}/"))?;
            } else {
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        self.files.insert(relative, bytes);
                    }
                    Err(error) => {
                        self.unreadable.insert(relative, error.to_string());
                    }
                }
            }
        }
        Ok(())
    }
}

/// Why a folder chosen in the browser cannot be checked as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChosenFolderError {
    /// One lesson's folder (`<lesson>/vi.md`): its topic is not in the paths.
    LessonFolder,
    /// No `topic.md` and no lesson file where a topic or content folder has them.
    NoContent,
}

/// The paths, relative to the content folder, of the files of a folder chosen in the browser
/// (`<input webkitdirectory>` names each file `chosen/…`). The chosen folder may be the content
/// folder itself (it holds `<topic>/topic.md` or `<topic>/<lesson>/<locale>.md`) or one topic's
/// folder (it holds `topic.md` or `<lesson>/<locale>.md`; its name is the topic id). Hidden files
/// and folders (`.DS_Store`, `.git/`) are `None`, as [`SourceFiles::read`] skips them.
pub fn content_paths(chosen: &[&str]) -> Result<Vec<Option<String>>, ChosenFolderError> {
    fn visible(path: &str) -> bool {
        !path.split('/').any(|part| part.starts_with('.'))
    }
    fn is_lesson_file(name: &str) -> bool {
        name.strip_suffix(".md").is_some_and(|stem| locale_info(stem).is_some())
    }
    let shown: Vec<Vec<&str>> = chosen.iter().filter(|p| visible(p)).map(|p| p.split('/').collect()).collect();
    let any = |matches: &dyn Fn(&[&str]) -> bool| shown.iter().any(|parts| matches(parts));
    // `chosen/topic.md`: a topic's folder, even if its lessons' paths look like topics' files.
    let topic_folder = any(&|parts| matches!(parts, [_, TOPIC_FILE]));
    let content_folder = any(&|parts| matches!(parts, [_, _, TOPIC_FILE]) || matches!(parts, [_, _, _, name] if is_lesson_file(name)));
    let topic_lessons = any(&|parts| matches!(parts, [_, _, name] if is_lesson_file(name)));
    let strip = if topic_folder {
        false
    } else if content_folder {
        true
    } else if topic_lessons {
        false
    } else if any(&|parts| matches!(parts, [_, name] if is_lesson_file(name))) {
        return Err(ChosenFolderError::LessonFolder);
    } else {
        return Err(ChosenFolderError::NoContent);
    };
    Ok(chosen
        .iter()
        .map(|path| match path.split_once('/') {
            _ if !visible(path) => None,
            Some((_, rest)) if strip => Some(rest.to_owned()),
            _ if strip => None,
            _ => Some((*path).to_owned()),
        })
        .collect())
}

/// Why files chosen one by one cannot all be placed in the content folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LooseFileError {
    /// A lesson or topic file whose front matter does not say its `id` (and a lesson's `topic`).
    NoId(String),
    /// A file that is neither `<locale>.md` nor `topic.md`, among files of no lesson or of several.
    WhichLesson(String),
}

/// Where files chosen one by one (a file input, no folders) belong in the content folder: a lesson
/// file `<locale>.md` at `<topic>/<id>/` from its front matter, a `topic.md` at `<id>/`, and other
/// files (pictures, sounds) in the `media/` of the one lesson chosen with them. `files` are
/// (name, text if the file is UTF-8).
pub fn loose_file_paths(files: &[(&str, Option<&str>)]) -> Result<Vec<String>, LooseFileError> {
    let is_lesson_file = |name: &str| name.strip_suffix(".md").is_some_and(|stem| locale_info(stem).is_some());
    let placed: Vec<Option<String>> = files
        .iter()
        .map(|(name, text)| {
            let text = text.unwrap_or_default();
            if *name == TOPIC_FILE {
                let id = parse_topic(text).topic.id;
                (!id.is_empty()).then(|| format!("{id}/{TOPIC_FILE}"))
            } else if is_lesson_file(name) {
                let meta = parse_lesson(text).lesson.meta;
                (!meta.id.is_empty() && !meta.topic.is_empty()).then(|| format!("{}/{}/{name}", meta.topic, meta.id))
            } else {
                None
            }
        })
        .collect();
    let lessons: BTreeSet<&str> = files
        .iter()
        .zip(&placed)
        .filter(|((name, _), _)| is_lesson_file(name))
        .filter_map(|(_, path)| path.as_deref().and_then(|p| p.rsplit_once('/')).map(|(dir, _)| dir))
        .collect();
    files
        .iter()
        .zip(&placed)
        .map(|((name, _), path)| match path {
            Some(path) => Ok(path.clone()),
            None if *name == TOPIC_FILE || is_lesson_file(name) => Err(LooseFileError::NoId((*name).to_owned())),
            None if lessons.len() == 1 => Ok(format!("{}/media/{name}", lessons.first().expect("one"))),
            None => Err(LooseFileError::WhichLesson((*name).to_owned())),
        })
        .collect()
}

/// One lesson folder: its files in each language and its media.
#[derive(Debug, Clone)]
pub struct LessonFolder {
    pub topic: String,
    /// The folder name (which must equal the lesson id).
    pub id: String,
    /// By locale code; parsed even when they have errors.
    pub files: BTreeMap<String, LessonFile>,
    /// The `media/` folder: file name (relative to `media/`) → contents.
    pub media: BTreeMap<String, Vec<u8>>,
}

impl LessonFolder {
    /// The Vietnamese original, when the folder has one.
    pub fn original(&self) -> Option<&LessonFile> {
        self.files.get(REFERENCE_LOCALE)
    }

    /// `<topic>/<lesson>`, relative to the content folder.
    pub fn relative_dir(&self) -> String {
        format!("{}/{}", self.topic, self.id)
    }
}

/// One `<locale>.md` file of a lesson.
#[derive(Debug, Clone)]
pub struct LessonFile {
    pub locale: String,
    pub source: String,
    pub parsed: ParsedLesson,
}

impl LessonFile {
    /// Media names (relative to `media/`) this file uses.
    pub fn media_used(&self) -> BTreeSet<String> {
        self.parsed.source_map.references.iter().filter_map(|r| r.target.strip_prefix("media/")).map(str::to_owned).collect()
    }
}

/// A topic folder: its `topic.md` (if it has one) and its own `media/`.
#[derive(Debug, Clone)]
pub struct TopicFolder {
    /// The folder name (which must equal the topic id).
    pub id: String,
    pub file: Option<TopicFile>,
    pub media: BTreeMap<String, Vec<u8>>,
}

/// A topic's `topic.md`.
#[derive(Debug, Clone)]
pub struct TopicFile {
    pub source: String,
    pub parsed: ParsedTopic,
}

impl TopicFolder {
    /// The topic's place on the home screen (topics without a readable `topic.md` last).
    pub fn order(&self) -> u32 {
        self.file.as_ref().filter(|f| f.parsed.fields.contains_key("order")).map_or(u32::MAX, |f| f.parsed.topic.order)
    }

    /// Title and summary in `locale`, else in Vietnamese, else the folder name.
    pub fn text(&self, locale: &str) -> TopicText {
        let texts = self.file.as_ref().map(|f| &f.parsed.topic.texts);
        texts
            .and_then(|t| t.get(locale).or_else(|| t.get(REFERENCE_LOCALE)))
            .cloned()
            .unwrap_or_else(|| TopicText { title: self.id.clone(), summary: String::new() })
    }
}

/// The content folder, parsed and checked.
#[derive(Debug, Clone)]
pub struct ContentTree {
    pub root: PathBuf,
    /// Every topic folder (with a `topic.md` or lessons), in home-screen order, then by id.
    pub topics: Vec<TopicFolder>,
    /// Sorted by topic folder, then lesson folder.
    pub lessons: Vec<LessonFolder>,
    pub report: Report,
}

/// Reads and checks the content folder: every problem, with its file and position.
pub fn check_tree(content_dir: &Path) -> Report {
    ContentTree::load(content_dir).report
}

impl ContentTree {
    /// Reads and checks `content_dir`; a folder that cannot be read is reported as a problem.
    pub fn load(content_dir: &Path) -> Self {
        match SourceFiles::read(content_dir) {
            Ok(files) => Self::from_files(files),
            Err(error) => {
                let problem = Problem::error(Position::START, format!("cannot read the content folder: {error}"));
                let report = Report { problems: vec![FileProblem { path: content_dir.to_owned(), problem }], ..Report::default() };
                Self { root: content_dir.to_owned(), topics: Vec::new(), lessons: Vec::new(), report }
            }
        }
    }

    /// Parses and checks files already in memory.
    pub fn from_files(source: SourceFiles) -> Self {
        let mut problems: Vec<(String, Problem)> = Vec::new();
        for (path, reason) in &source.unreadable {
            problems.push((path.clone(), Problem::error(Position::START, format!("cannot read this file: {reason}"))));
        }
        let mut folders: BTreeMap<(String, String), LessonFolder> = BTreeMap::new();
        let mut topic_folders: BTreeMap<String, TopicFolder> = BTreeMap::new();
        fn topic_folder<'a>(folders: &'a mut BTreeMap<String, TopicFolder>, id: &str) -> &'a mut TopicFolder {
            folders.entry(id.to_owned()).or_insert_with(|| TopicFolder { id: id.to_owned(), file: None, media: BTreeMap::new() })
        }
        let mut lesson_texts: Vec<(String, String, String, Vec<u8>)> = Vec::new();
        for (path, bytes) in source.files {
            let parts: Vec<&str> = path.splitn(3, '/').collect();
            match parts.as_slice() {
                // Files beside the topics (this folder's README) are for people, not the app.
                [_] => {}
                [_, "README.md"] => {}
                [topic_dir, TOPIC_FILE] => match String::from_utf8(bytes) {
                    Ok(source) => {
                        let parsed = parse_topic(&source);
                        problems.extend(parsed.problems.iter().cloned().map(|p| (path.clone(), p)));
                        topic_folder(&mut topic_folders, topic_dir).file = Some(TopicFile { source, parsed });
                    }
                    Err(_) => problems.push((path, Problem::error(Position::START, "this file is not UTF-8 text: save it as UTF-8 in your editor"))),
                },
                [_, _] => problems.push((
                    path.clone(),
                    Problem::warning(Position::START, "not inside a lesson folder (`<topic>/<lesson>/`) and not the topic's topic.md: ignored"),
                )),
                [topic_dir, TOPIC_MEDIA, name] => {
                    topic_folder(&mut topic_folders, topic_dir).media.insert((*name).to_owned(), bytes);
                }
                [topic_dir, lesson_dir, rest] => {
                    topic_folder(&mut topic_folders, topic_dir);
                    let key = (topic_dir.to_string(), lesson_dir.to_string());
                    let folder = folders.entry(key).or_insert_with(|| LessonFolder {
                        topic: topic_dir.to_string(),
                        id: lesson_dir.to_string(),
                        files: BTreeMap::new(),
                        media: BTreeMap::new(),
                    });
                    if let Some(name) = rest.strip_prefix("media/") {
                        folder.media.insert(name.to_owned(), bytes);
                    } else if let Some(stem) = rest.strip_suffix(".md").filter(|stem| !stem.contains('/')) {
                        lesson_texts.push((folder.topic.clone(), folder.id.clone(), stem.to_owned(), bytes));
                    } else {
                        problems.push((
                            path.clone(),
                            Problem::warning(
                                Position::START,
                                "not part of the lesson format (lesson files are `<locale>.md`, pictures and audio go in media/): ignored",
                            ),
                        ));
                    }
                }
                _ => unreachable!("splitn(3) yields one to three parts"),
            }
        }

        for (topic_dir, lesson_dir, stem, bytes) in lesson_texts {
            let path = format!("{topic_dir}/{lesson_dir}/{stem}.md");
            if locale_info(&stem).is_none() {
                let known: Vec<String> = LOCALES.iter().map(|l| format!("{}.md", l.code)).collect();
                problems.push((
                    path,
                    Problem::error(Position::START, format!("`{stem}.md` is not a lesson language: lesson files are named {}", known.join(", "))),
                ));
                continue;
            }
            let source = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    problems.push((path, Problem::error(Position::START, "this file is not UTF-8 text: save it as UTF-8 in your editor")));
                    continue;
                }
            };
            let parsed = parse_lesson(&source);
            problems.extend(parsed.problems.iter().cloned().map(|p| (path.clone(), p)));
            let folder = folders.get_mut(&(topic_dir, lesson_dir)).expect("grouped above");
            folder.files.insert(stem.clone(), LessonFile { locale: stem, source, parsed });
        }

        let lesson_keys: BTreeSet<(String, String)> = folders.keys().cloned().collect();
        let lessons: Vec<LessonFolder> = folders.into_values().collect();
        let mut topics: Vec<TopicFolder> = topic_folders.into_values().collect();
        topics.sort_by_key(|t| (t.order(), t.id.clone()));
        let known_topics: BTreeSet<String> = topics.iter().filter(|t| t.file.is_some()).map(|t| t.id.clone()).collect();
        for topic in &topics {
            check_topic_folder(topic, &mut problems);
        }
        check_across_topics(&topics, &mut problems);
        for folder in &lessons {
            check_folder(folder, &lesson_keys, &known_topics, &mut problems);
        }
        check_across_lessons(&lessons, &known_topics, &mut problems);

        let report = Report {
            problems: {
                let mut all: Vec<FileProblem> =
                    problems.into_iter().map(|(path, problem)| FileProblem { path: source.root.join(path), problem }).collect();
                all.sort();
                all.dedup();
                all
            },
            lessons: lessons.len(),
            files: lessons.iter().map(|l| l.files.len()).sum(),
        };
        Self { root: source.root, topics, lessons, report }
    }

    /// The topic folder `id`, if the tree has it.
    pub fn topic(&self, id: &str) -> Option<&TopicFolder> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Lesson folders of one topic, in the topic's order (then by id).
    pub fn topic_lessons(&self, topic_id: &str) -> Vec<&LessonFolder> {
        let mut lessons: Vec<&LessonFolder> = self.lessons.iter().filter(|l| l.topic == topic_id).collect();
        lessons.sort_by_key(|l| (l.original().map_or(u32::MAX, |f| f.parsed.lesson.meta.order), l.id.clone()));
        lessons
    }
}

/// Checks of one lesson folder: its files against the folder, media and original.
fn check_folder(folder: &LessonFolder, lessons: &BTreeSet<(String, String)>, topics: &BTreeSet<String>, problems: &mut Vec<(String, Problem)>) {
    let dir = folder.relative_dir();
    let context = FolderContext { topic: &folder.topic, lesson: &folder.id, media: &folder.media, lessons, topics };
    let original = folder.original();
    if original.is_none() {
        let found: Vec<String> = folder.files.keys().map(|l| format!("{l}.md")).collect();
        let found = if found.is_empty() { "no lesson file".to_owned() } else { found.join(", ") };
        problems.push((
            format!("{dir}/vi.md"),
            Problem::error(Position::START, format!("missing: every lesson folder needs vi.md, the Vietnamese original (found {found})")),
        ));
    }
    for (locale, file) in &folder.files {
        let path = format!("{dir}/{locale}.md");
        for problem in check_against_folder(&file.parsed, &context) {
            problems.push((path.clone(), problem));
        }
        if let (Some(original), false) = (original, locale == REFERENCE_LOCALE) {
            for problem in compare_translation(&original.parsed, &file.parsed, locale) {
                problems.push((path.clone(), problem));
            }
        }
    }
    if original.is_some() {
        for locale in LOCALES.iter().filter(|l| l.reviewed && l.code != REFERENCE_LOCALE) {
            if !folder.files.contains_key(locale.code) {
                problems.push((
                    format!("{dir}/vi.md"),
                    Problem::warning(
                        Position::START,
                        format!("no {}.md translation yet ({} learners see the Vietnamese lesson)", locale.code, locale.native_name),
                    ),
                ));
            }
        }
    }
    // Pictures that are XML: nothing in them may run or reach outside (problems are in the SVG file).
    for (name, bytes) in folder.media.iter().filter(|(name, _)| name.to_ascii_lowercase().ends_with(".svg")) {
        for problem in check_svg(bytes) {
            problems.push((format!("{dir}/media/{name}"), problem));
        }
    }
    // Sounds: really the format their name says, and within a step recording's limits, since every
    // phone that downloads the topic downloads them (the same rule as a team's recordings).
    for (name, bytes) in folder.media.iter().filter(|(name, _)| media_kind(name) == Some(MediaKind::Sound)) {
        if let Some(message) = sound_file_problem(name, bytes) {
            problems.push((format!("{dir}/media/{name}"), Problem::error(Position::START, message)));
        }
    }
    let used: BTreeSet<String> = folder.files.values().flat_map(LessonFile::media_used).collect();
    for name in folder.media.keys().filter(|name| !used.contains(*name)) {
        problems.push((
            format!("{dir}/media/{name}"),
            Problem::warning(Position::START, "no lesson file uses this media file, so it is not published: use it or remove it"),
        ));
    }
}

/// Why a lesson's sound file cannot be published, if it cannot.
fn sound_file_problem(name: &str, bytes: &[u8]) -> Option<String> {
    let extension = name.rsplit_once('.').map_or(String::new(), |(_, e)| e.to_ascii_lowercase());
    match crate::audio::check_recording(bytes) {
        Err(problem) => Some(problem.to_string()),
        Ok(checked) if !checked.format.fits_extension(&extension) => Some(format!(
            "this file is {} sound, not .{extension}: rename it to .{} or export it again",
            checked.format.mime(),
            checked.format.extension()
        )),
        Ok(_) => None,
    }
}

/// Checks between lessons: ids are unique in the whole tree, orders within a topic.
fn check_across_lessons(lessons: &[LessonFolder], topics: &BTreeSet<String>, problems: &mut Vec<(String, Problem)>) {
    let mut ids: BTreeMap<&str, &LessonFolder> = BTreeMap::new();
    let mut orders: BTreeMap<(&str, u32), &LessonFolder> = BTreeMap::new();
    for folder in lessons {
        let Some(original) = folder.original() else { continue };
        let meta = &original.parsed.lesson.meta;
        let map = &original.parsed.source_map;
        let path = format!("{}/vi.md", folder.relative_dir());
        if !meta.id.is_empty() {
            if let Some(first) = ids.get(meta.id.as_str()) {
                problems.push((
                    path.clone(),
                    Problem::error(
                        map.field("id"),
                        format!("lesson id `{}` is also used by {}/: ids must be unique across all topics", meta.id, first.relative_dir()),
                    ),
                ));
            } else {
                ids.insert(&meta.id, folder);
            }
        }
        if map.fields.contains_key("order") && topics.contains(&folder.topic) {
            if let Some(first) = orders.get(&(folder.topic.as_str(), meta.order)) {
                problems.push((
                    path,
                    Problem::warning(
                        map.field("order"),
                        format!("order {} is also used by {}/: give each lesson of a topic its own place", meta.order, first.relative_dir()),
                    ),
                ));
            } else {
                orders.insert((&folder.topic, meta.order), folder);
            }
        }
    }
}

/// Checks of one topic folder: its `topic.md` against the folder, and its icon.
fn check_topic_folder(topic: &TopicFolder, problems: &mut Vec<(String, Problem)>) {
    let path = format!("{}/{TOPIC_FILE}", topic.id);
    let Some(file) = &topic.file else {
        problems.push((
            path,
            Problem::error(
                Position::START,
                format!(
                    "missing: every topic folder needs {TOPIC_FILE} (id, colour, order, title, summary): copy one from another topic and change it (see content/README.md)"
                ),
            ),
        ));
        return;
    };
    let meta = &file.parsed.topic;
    if !meta.id.is_empty() && meta.id != topic.id {
        problems.push((
            path.clone(),
            Problem::error(file.parsed.field("id"), format!("id `{}` differs from its folder name `{}`: they must be the same", meta.id, topic.id)),
        ));
    }
    if let Some(icon) = &meta.icon {
        let at = file.parsed.field("icon");
        if !topic.media.contains_key(icon) {
            problems.push((
                path.clone(),
                Problem::error(
                    at,
                    format!("missing media file `media/{icon}`: put it in {}/media/ or fix the name (names are case-sensitive)", topic.id),
                ),
            ));
        } else if super::media::media_kind(icon) != Some(super::media::MediaKind::Picture) {
            problems.push((
                path.clone(),
                Problem::error(at, format!("the icon must be a picture (.{}), not `{icon}`", super::parse::IMAGE_EXTENSIONS.join(" ."))),
            ));
        }
    }
    for (name, bytes) in topic.media.iter().filter(|(name, _)| name.to_ascii_lowercase().ends_with(".svg")) {
        for problem in check_svg(bytes) {
            problems.push((format!("{}/{TOPIC_MEDIA}/{name}", topic.id), problem));
        }
    }
    for name in topic.media.keys().filter(|name| meta.icon.as_deref() != Some(name.as_str())) {
        problems.push((
            format!("{}/{TOPIC_MEDIA}/{name}", topic.id),
            Problem::warning(
                Position::START,
                "a topic's media/ holds only its icon: this file is not published (lesson pictures go in the lesson's media/)",
            ),
        ));
    }
}

/// Each topic has its own place on the home screen.
fn check_across_topics(topics: &[TopicFolder], problems: &mut Vec<(String, Problem)>) {
    let mut orders: BTreeMap<u32, &str> = BTreeMap::new();
    for topic in topics {
        let Some(file) = topic.file.as_ref().filter(|f| f.parsed.fields.contains_key("order")) else { continue };
        if let Some(first) = orders.get(&file.parsed.topic.order) {
            problems.push((
                format!("{}/{TOPIC_FILE}", topic.id),
                Problem::warning(
                    file.parsed.field("order"),
                    format!("order {} is also used by {first}/{TOPIC_FILE}: give each topic its own place", file.parsed.topic.order),
                ),
            ));
        } else {
            orders.insert(file.parsed.topic.order, &topic.id);
        }
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
