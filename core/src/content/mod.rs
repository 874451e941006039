//! Lessons: the Markdown format trainers write, its checker, and the packs devices download.
//!
//! One parser serves `hocso content check` (native, CI) and the app's trainer preview (WASM), so
//! what validates is what renders. The layout is `content/<topic>/topic.md` for a topic and `content/<topic>/<lesson>/<locale>.md` with
//! pictures and audio in `content/<topic>/<lesson>/media/`; the format is described for trainers
//! in `content/README.md`.
//!
//! - [`parse_lesson`]: one file → [`Lesson`] + problems (pure, also in the browser);
//! - [`parse_topic`]: a topic's `topic.md` (id, colour, icon, order, title and summary per language);
//! - [`check_tree`] / [`ContentTree`]: the whole folder, with checks across files and media;
//! - [`stats()`]: lessons, steps, questions, minutes, drafts, reviews, audio and translation coverage;
//!   [`language_coverage`]: the same per language, with the interface strings;
//! - [`with_step_audio`]: names a voice as a step's audio in a lesson file (`import-recordings`);
//! - [`build_packs`]: `catalogue.json`, `packs/<topic>.<locale>.json` and `media/` for publishing;
//! - [`UploadRequest`] and its answers: lessons sent to a team server to check or publish.
//!
//! Not for: rendering (the app's views) or serving files (the server).

pub(crate) mod front_matter;
mod media;
mod model;
mod packs;
mod parse;
mod problem;
mod publish;
mod stats;
mod step_audio;
mod topic;
mod tree;
mod upload;
mod validate;

#[cfg(test)]
pub(crate) mod fixtures;

pub(crate) use front_matter::is_identifier;
pub use front_matter::{FIELDS, SOURCE_HASHES};
pub use media::{check_svg, media_kind, MediaKind};
pub use model::{plain_text, AnswerOption, Block, Inline, Lesson, LessonMeta, LinkTarget, Question, QuestionKind, Status, Step};
pub use packs::{
    build_packs, device_lesson, lesson_version, pack_files, BuildError, BuildSummary, BuiltFile, Catalogue, CatalogueLesson, CatalogueLocale,
    CatalogueTopic, PackEntry, PackFiles, PackedLesson, TopicPack, CONTENT_URL, PACK_FORMAT,
};
pub use parse::{
    parse_lesson, ParsedLesson, QuestionSource, Reference, ReferenceKind, SourceMap, AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, LONG_STEP_WORDS,
};
pub use problem::{FileProblem, Position, Problem, Report, Severity};
pub use stats::{language_coverage, stats, LanguageCoverage, LocaleStats, Stats, TopicStats};
pub use step_audio::{with_step_audio, StepAudio};
pub use topic::{is_css_colour, parse_topic, ParsedTopic, TopicMeta, TopicText, DEFAULT_TOPIC_COLOUR, TOPIC_FIELDS};
pub use tree::{
    check_tree, content_paths, loose_file_paths, ChosenFolderError, ContentTree, LessonFile, LessonFolder, LooseFileError, SourceFiles, TopicFile,
    TopicFolder, TOPIC_FILE,
};
pub use upload::{check_upload_path, ProblemAt, UploadAnswer, UploadRefusal, UploadRequest, UploadedFile, MAX_UPLOAD_BYTES, MAX_UPLOAD_PATH_BYTES};
