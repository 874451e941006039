//! Content packs: what devices download, so trainers publish lessons without an app update.
//!
//! `out/catalogue.json` lists topics and lessons with a version per lesson and language;
//! `out/packs/<topic>.<locale>.json` holds the parsed lessons of one topic in one language; media
//! are copied to `out/media/<topic>/<lesson>/` and referenced by URL path with the file's version
//! (`?v=`), never inlined, so a pack stays small, a picture is downloaded once and a corrected one
//! is downloaded again. The whole output is published at once (`publish`). Output is sorted and byte-for-byte reproducible:
//! a lesson's version changes exactly when its file or one of its media files changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{Block, Inline, Lesson, LinkTarget, Status};
use super::problem::Report;
use super::topic::{is_css_colour, TopicText, DEFAULT_TOPIC_COLOUR};
use super::tree::{ContentTree, LessonFile, LessonFolder, TopicFolder};
use crate::i18n::{LOCALES, REFERENCE_LOCALE};

/// Bumped when the pack layout or the lesson types change, so that every version changes and
/// devices fetch lessons again instead of keeping ones they could no longer read.
/// 2: practice blocks carry a typed drill (`kind`, `instruction`, `steps`; `exercise` still written).
pub const PACK_FORMAT: u32 = 2;

/// Where the built content is served from (`dist/content/` by `hocso serve`).
pub const CONTENT_URL: &str = "/content";

/// Hex digits kept of a SHA-256: enough to tell versions of one lesson apart.
const VERSION_LENGTH: usize = 12;

/// `out/catalogue.json`: every topic and lesson, small enough to precache with the app shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub format: u32,
    /// In home-screen order (each topic's `order`, then id).
    pub topics: Vec<CatalogueTopic>,
}

/// A topic as its `topic.md` describes it. The fields after `id` default when absent, so an app
/// still reads a catalogue built before topics were content (it then shows the topic's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueTopic {
    pub id: String,
    #[serde(default)]
    pub order: u32,
    /// `#rrggbb`: the accent of the topic's tile and screens.
    #[serde(default)]
    pub colour: String,
    /// URL path of the topic's picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Title and summary by language (`vi` always).
    #[serde(default)]
    pub locales: BTreeMap<String, TopicText>,
    /// The topic's pack in each language that has one.
    pub packs: BTreeMap<String, PackEntry>,
    /// In the topic's order.
    pub lessons: Vec<CatalogueLesson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackEntry {
    pub url: String,
    /// Changes when any lesson of the pack changes.
    pub version: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueLesson {
    pub id: String,
    pub order: u32,
    pub minutes: u32,
    /// URL path of the lesson's icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The languages the lesson is available in.
    pub locales: BTreeMap<String, CatalogueLocale>,
}

/// A lesson in one language, as the catalogue describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueLocale {
    pub title: String,
    pub summary: String,
    pub status: Status,
    /// Short SHA-256 of the lesson file and the media it uses.
    pub version: String,
    /// Size of the lesson in its pack (JSON).
    pub bytes: u64,
    /// Size of the media it uses (downloaded on first use).
    pub media_bytes: u64,
    /// Practice drills in the lesson: it counts as completed when they are done too, which the topic
    /// list can tell without the pack (`LessonProgress::is_completed_with_drills`). Absent when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub drills: u32,
    /// Steps with the lesson's own recorded audio in this language (the language picker's "lessons
    /// with a voice", issue #15). Absent when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub audio_steps: u32,
}

impl CatalogueTopic {
    /// Title and summary in `locale`, else in Vietnamese, else the id: what a tile, a topic screen
    /// and the team's dashboard show.
    pub fn text(&self, locale: &str) -> TopicText {
        self.locales
            .get(locale)
            .or_else(|| self.locales.get(REFERENCE_LOCALE))
            .cloned()
            .unwrap_or_else(|| TopicText { title: self.id.clone(), summary: String::new() })
    }

    /// The colour to draw the topic in: its own when it is a `#hex` colour, which is all that may go
    /// into a `style` attribute.
    pub fn colour(&self) -> &str {
        if is_css_colour(&self.colour) {
            &self.colour
        } else {
            DEFAULT_TOPIC_COLOUR
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// `out/packs/<topic>.<locale>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicPack {
    pub format: u32,
    pub topic: String,
    pub locale: String,
    pub version: String,
    /// In the topic's order.
    pub lessons: Vec<PackedLesson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedLesson {
    pub version: String,
    /// With media paths replaced by URL paths.
    pub lesson: Lesson,
}

/// Everything `build_packs` writes, in memory: relative output path → contents, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackFiles {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A file written by [`build_packs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltFile {
    /// Relative to the output folder, `/`-separated.
    pub path: String,
    pub bytes: u64,
}

/// What [`build_packs`] did.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// The check of the content (warnings only: with errors nothing is built).
    pub report: Report,
    pub files: Vec<BuiltFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the content has {} errors: run `hocso content check` and fix them first", .0.error_count())]
    Invalid(Report),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Checks `content_dir` and, when it has no errors, writes the catalogue, packs and media to
/// `out_dir` (replacing what a previous build wrote there).
pub fn build_packs(content_dir: &Path, out_dir: &Path) -> Result<BuildSummary, BuildError> {
    let tree = ContentTree::load(content_dir);
    if tree.report.has_errors() {
        return Err(BuildError::Invalid(tree.report));
    }
    let packs = pack_files(&tree);
    packs.write(out_dir)?;
    let files = packs.files.iter().map(|(path, bytes)| BuiltFile { path: path.clone(), bytes: bytes.len() as u64 }).collect();
    Ok(BuildSummary { report: tree.report, files })
}

impl PackFiles {
    /// Publishes the files as `out_dir`, all at once (see [`super::publish`]): what an earlier
    /// build wrote is replaced whole (a deleted lesson or picture does not linger), anything else in
    /// `out_dir` is kept, and a failure leaves the published tree as it was.
    pub fn write(&self, out_dir: &Path) -> Result<(), BuildError> {
        super::publish::publish(&self.files, out_dir)
    }
}

/// The catalogue, packs and media of a checked tree, in memory. Folders without vi.md are left out.
pub fn pack_files(tree: &ContentTree) -> PackFiles {
    let mut files = BTreeMap::new();
    let mut catalogue = Catalogue { format: PACK_FORMAT, topics: Vec::new() };
    // A checked tree has a topic.md in every topic folder; one without is left out.
    for topic_folder in tree.topics.iter().filter(|t| t.file.is_some()) {
        let topic = &topic_folder.file.as_ref().expect("filtered above").parsed.topic;
        let folders: Vec<&LessonFolder> = tree.topic_lessons(&topic_folder.id).into_iter().filter(|f| f.original().is_some()).collect();
        let icon = topic.icon.as_ref().filter(|name| topic_folder.media.contains_key(*name));
        if let Some(name) = icon {
            files.insert(format!("media/{}/{name}", topic_folder.id), topic_folder.media[name].clone());
        }
        let mut entry = CatalogueTopic {
            id: topic_folder.id.clone(),
            order: topic.order,
            colour: topic.colour.clone(),
            icon: icon.map(|name| topic_media_url(topic_folder, name)),
            locales: topic.texts.clone(),
            packs: BTreeMap::new(),
            lessons: Vec::new(),
        };
        let mut packs: BTreeMap<&str, TopicPack> = BTreeMap::new();
        for folder in &folders {
            let original = &folder.original().expect("filtered above").parsed.lesson.meta;
            let mut lesson_entry = CatalogueLesson {
                id: folder.id.clone(),
                order: original.order,
                minutes: original.minutes,
                icon: original.icon.as_ref().map(|icon| media_url(folder, icon)),
                locales: BTreeMap::new(),
            };
            for media in folder.files.values().flat_map(LessonFile::media_used) {
                if let Some(bytes) = folder.media.get(&media) {
                    files.insert(format!("media/{}/{}/{media}", folder.topic, folder.id), bytes.clone());
                }
            }
            for locale in LOCALES {
                let Some(file) = folder.files.get(locale.code) else { continue };
                let version = lesson_version(file, folder);
                let lesson = device_lesson(file, folder, &|name| media_url(folder, name));
                let drills = lesson.drills().len() as u32;
                let audio_steps = lesson.steps.iter().filter(|step| step.audio().is_some()).count() as u32;
                let packed = PackedLesson { version: version.clone(), lesson };
                let bytes = serde_json::to_vec(&packed).expect("lessons serialise").len() as u64;
                let media_bytes = file.media_used().iter().filter_map(|m| folder.media.get(m)).map(|b| b.len() as u64).sum();
                let meta = &file.parsed.lesson.meta;
                lesson_entry.locales.insert(
                    locale.code.to_owned(),
                    CatalogueLocale {
                        title: meta.title.clone(),
                        summary: meta.summary.clone(),
                        status: meta.status,
                        version,
                        bytes,
                        media_bytes,
                        drills,
                        audio_steps,
                    },
                );
                packs
                    .entry(locale.code)
                    .or_insert_with(|| TopicPack {
                        format: PACK_FORMAT,
                        topic: topic_folder.id.clone(),
                        locale: locale.code.to_owned(),
                        version: String::new(),
                        lessons: Vec::new(),
                    })
                    .lessons
                    .push(packed);
            }
            entry.lessons.push(lesson_entry);
        }
        for (locale, mut pack) in packs {
            pack.version = pack_version(&pack);
            let path = format!("packs/{}.{locale}.json", topic_folder.id);
            let bytes = serde_json::to_vec(&pack).expect("packs serialise");
            entry.packs.insert(
                locale.to_owned(),
                PackEntry { url: format!("{CONTENT_URL}/{path}"), version: pack.version.clone(), bytes: bytes.len() as u64 },
            );
            files.insert(path, bytes);
        }
        catalogue.topics.push(entry);
    }
    files.insert("catalogue.json".to_owned(), serde_json::to_vec(&catalogue).expect("the catalogue serialises"));
    PackFiles { files }
}

/// Short SHA-256 of the pack format, the lesson file and every media file it uses (names too, so
/// pointing at another picture is a new version even if the bytes were equal).
pub fn lesson_version(file: &LessonFile, folder: &LessonFolder) -> String {
    let mut hasher = Sha256::new();
    hasher.update(PACK_FORMAT.to_le_bytes());
    hash_part(&mut hasher, file.source.as_bytes());
    // A file that carries the original's drills changes when they do.
    if let Some(original) = borrowed_drills(&file.locale, file, folder) {
        hash_part(&mut hasher, original.source.as_bytes());
    }
    for name in file.media_used() {
        hash_part(&mut hasher, name.as_bytes());
        hash_part(&mut hasher, folder.media.get(&name).map_or(&[][..], Vec::as_slice));
    }
    short_hex(hasher)
}

/// The original whose drills `file` carries, if it carries them (see `validate::borrows_drills`).
fn borrowed_drills<'a>(locale: &str, file: &LessonFile, folder: &'a LessonFolder) -> Option<&'a LessonFile> {
    let original = folder.original()?;
    super::validate::borrows_drills(&original.parsed.lesson, &file.parsed.lesson, locale).then_some(original)
}

fn pack_version(pack: &TopicPack) -> String {
    let mut hasher = Sha256::new();
    hasher.update(PACK_FORMAT.to_le_bytes());
    for lesson in &pack.lessons {
        hash_part(&mut hasher, lesson.lesson.meta.id.as_bytes());
        hash_part(&mut hasher, lesson.version.as_bytes());
    }
    short_hex(hasher)
}

/// Length-prefixed, so that ("ab", "c") and ("a", "bc") hash differently.
fn hash_part(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn short_hex(hasher: Sha256) -> String {
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..VERSION_LENGTH].to_owned()
}

/// `/content/media/<topic>/<lesson>/<name>?v=<version>`: the version (short SHA-256 of the file)
/// changes with the picture, so a corrected picture reaches phones that kept the old one.
fn media_url(folder: &LessonFolder, name: &str) -> String {
    let url = format!("{CONTENT_URL}/media/{}/{}/{name}", folder.topic, folder.id);
    match folder.media.get(name) {
        Some(bytes) => {
            let mut hasher = Sha256::new();
            hasher.update(bytes);
            format!("{url}?v={}", short_hex(hasher))
        }
        None => url,
    }
}

/// `/content/media/<topic>/<name>?v=<version>`: a topic's icon (a lesson id never holds a `.`,
/// a picture's name always does, so it cannot meet a lesson's folder).
fn topic_media_url(topic: &TopicFolder, name: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(topic.media.get(name).map_or(&[][..], Vec::as_slice));
    format!("{CONTENT_URL}/media/{}/{name}?v={}", topic.id, short_hex(hasher))
}

/// The lesson in `file` exactly as a phone gets it: with the original's drills when the translation
/// carries them, and each `media/x.svg` replaced by `media_url("x.svg")`. Packs pass the URL path the
/// file is served at; the trainer studio's preview passes the chosen file's object URL, so what the
/// trainer previews is what phones show.
pub fn device_lesson(file: &LessonFile, folder: &LessonFolder, media_url: &dyn Fn(&str) -> String) -> Lesson {
    let lesson = match borrowed_drills(&file.locale, file, folder) {
        Some(original) => file.parsed.lesson.with_drills_of(&original.parsed.lesson),
        None => file.parsed.lesson.clone(),
    };
    with_media_urls(lesson, media_url)
}

/// `media/x.svg` becomes `media_url("x.svg")` everywhere in the lesson.
fn with_media_urls(mut lesson: Lesson, media_url: &dyn Fn(&str) -> String) -> Lesson {
    let url = |path: &str| path.strip_prefix("media/").map(media_url);
    lesson.meta.icon = lesson.meta.icon.as_ref().map(|icon| media_url(icon));
    for step in &mut lesson.steps {
        rewrite_blocks(&mut step.blocks, &url);
    }
    for question in &mut lesson.quiz {
        for option in &mut question.options {
            rewrite_inlines(&mut option.text, &url);
            rewrite_inlines(&mut option.explanation, &url);
        }
    }
    lesson
}

fn rewrite_blocks(blocks: &mut [Block], url: &impl Fn(&str) -> Option<String>) {
    for block in blocks {
        match block {
            Block::Image { src, .. } | Block::Audio { src, .. } => {
                if let Some(new) = url(src) {
                    *src = new;
                }
            }
            Block::Paragraph { content } => rewrite_inlines(content, url),
            Block::List { items, .. } => items.iter_mut().for_each(|item| rewrite_blocks(item, url)),
            Block::Practice(_) => {}
        }
    }
}

fn rewrite_inlines(inlines: &mut [Inline], url: &impl Fn(&str) -> Option<String>) {
    for inline in inlines {
        match inline {
            Inline::Link { href, children } => {
                if matches!(LinkTarget::parse(href), LinkTarget::Media(_)) {
                    if let Some(new) = url(href) {
                        *href = new;
                    }
                }
                rewrite_inlines(children, url);
            }
            Inline::Strong { children } | Inline::Emphasis { children } => rewrite_inlines(children, url),
            Inline::Text { .. } | Inline::Code { .. } | Inline::LineBreak => {}
        }
    }
}

#[cfg(test)]
#[path = "packs_tests.rs"]
mod tests;
