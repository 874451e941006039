//! Lessons sent to a team server to be checked or published (`POST /api/v1/content/check` and
//! `/publish`, from `hocso content publish` and the team tools' studio screen): the request, which
//! paths it may name, and the answers. Shared by the server, the terminal and the app, so that all
//! three read the same JSON.
//!
//! The files are laid over the server's own content folder and the whole tree is checked by
//! [`ContentTree::from_files`](super::ContentTree::from_files), as `hocso content check` does.

use serde::{Deserialize, Serialize};

use super::media::media_kind;
use super::problem::{FileProblem, Position, Severity};
use super::tree::{SourceFiles, TOPIC_FILE};
use crate::i18n::locale_info;

/// The largest request body the server reads for a check or a publish: the lessons of a topic with
/// their pictures and sounds, base64-encoded (a third larger than the files).
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

/// The longest path an upload may name, in bytes.
pub const MAX_UPLOAD_PATH_BYTES: usize = 200;

/// One file of the content folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadedFile {
    /// Relative to the content folder, `/`-separated: `money/pay-by-vietqr/vi.md`.
    pub path: String,
    /// The file's bytes, standard base64 (with `=` padding, as the browser's `btoa` writes it).
    pub base64: String,
}

/// The body of `POST /api/v1/content/check` and `/publish`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    pub files: Vec<UploadedFile>,
}

/// `200`: the merged tree has no errors (and, for `publish`, it is now served).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadAnswer {
    /// Lesson folders in the merged tree.
    pub lessons: usize,
    /// The SHA-256 of the catalogue these lessons make: the `catalogue_version` phones see in
    /// `/sync/pull` once it is published (for `check`, what a publish would give).
    pub catalogue_version: String,
    pub warnings: Vec<ProblemAt>,
    /// `true` from `publish`, `false` from `check`.
    pub published: bool,
}

/// `422`: the merged tree has errors; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRefusal {
    /// A sentence: "2 errors in the lessons: nothing was published".
    pub error: String,
    /// The same sentence (every other API refusal carries its sentence in `message`).
    pub message: String,
    /// Every problem of the merged tree, errors and warnings, by file then position.
    pub problems: Vec<ProblemAt>,
}

/// A [`Problem`](super::Problem) with its file, as the server sends it: `file` relative to the
/// content folder, and the text of the line it points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemAt {
    pub file: String,
    pub position: Position,
    pub severity: Severity,
    pub message: String,
    /// The line `position` points at (without its line break), when the file is text and has it:
    /// the problem may be in a file of the server's folder that the trainer did not send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_text: Option<String>,
}

impl ProblemAt {
    /// `problem` of the tree read from `files` (whose root is the content folder, or empty).
    pub fn new(problem: &FileProblem, files: &SourceFiles) -> Self {
        let relative = problem.path.strip_prefix(&files.root).unwrap_or(&problem.path);
        let file = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let line_text = files
            .files
            .get(&file)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .and_then(|text| text.lines().nth(problem.problem.position.line.saturating_sub(1) as usize))
            .map(str::to_owned);
        Self { file, position: problem.problem.position, severity: problem.problem.severity, message: problem.problem.message.clone(), line_text }
    }
}

impl std::fmt::Display for ProblemAt {
    /// `money/pay-by-vietqr/vi.md:12:3: error: …`, as `hocso content check` prints problems.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}: {}", self.file, self.position, self.severity, self.message)
    }
}

/// Why `path` cannot be part of an upload, as a sentence naming it; `Ok` for the kinds of file the
/// content tree reads: `README.md` (top or topic folder), `<topic>/topic.md`, `<topic>/media/<picture>`,
/// `<topic>/<lesson>/<locale>.md` and `<topic>/<lesson>/media/<picture or sound>`. Folder and file
/// names are plain names: no `..`, no `.hidden`, no backslash, no leading `/`.
pub fn check_upload_path(path: &str) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("`{path}` cannot be uploaded: {why}"));
    if path.is_empty() {
        return refuse("the path is empty");
    }
    if path.len() > MAX_UPLOAD_PATH_BYTES {
        return refuse(&format!("paths are at most {MAX_UPLOAD_PATH_BYTES} bytes"));
    }
    if path.starts_with('/') {
        return refuse("paths are relative to the content folder, without a leading `/`");
    }
    if path.contains('\\') {
        return refuse("folders are separated by `/`, and names may not contain `\\`");
    }
    let parts: Vec<&str> = path.split('/').collect();
    for part in &parts {
        if part.is_empty() {
            return refuse("a folder name is empty (`//` or a `/` at the end)");
        }
        if *part == "." || *part == ".." {
            return refuse("`.` and `..` are not allowed: name each folder inside the content folder");
        }
        if part.starts_with('.') {
            return refuse("names starting with `.` are hidden files, which the content folder does not use");
        }
        if part.chars().any(|c| c.is_control() || c == ':') {
            return refuse("names may not contain control characters or `:`");
        }
    }
    let is_media = |name: &str| media_kind(name).is_some();
    let accepted = match parts.as_slice() {
        ["README.md"] | [_, "README.md"] | [_, TOPIC_FILE] => true,
        [_, "media", name] => is_media(name),
        [_, _, file] => file.strip_suffix(".md").is_some_and(|locale| locale_info(locale).is_some()),
        [_, _, "media", name] => is_media(name),
        _ => false,
    };
    if accepted {
        Ok(())
    } else {
        refuse(
            "the content folder holds `<topic>/topic.md`, `<topic>/media/<icon>`, `<topic>/<lesson>/<language>.md` \
             (vi.md, en.md, …) and `<topic>/<lesson>/media/<picture or sound>` (see content/README.md)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Problem;

    #[test]
    fn the_paths_of_a_content_folder_are_accepted() {
        for path in [
            "README.md",
            "money/README.md",
            "money/topic.md",
            "money/media/icon.svg",
            "money/pay-by-vietqr/vi.md",
            "money/pay-by-vietqr/en.md",
            "money/pay-by-vietqr/media/qr.svg",
            "money/pay-by-vietqr/media/step-1.MP3",
            "nông-nghiệp/xem-thời-tiết/vi.md",
        ] {
            assert_eq!(check_upload_path(path), Ok(()), "{path}");
        }
    }

    #[test]
    fn paths_outside_the_folder_or_of_other_kinds_are_refused_with_the_path_named() {
        for path in [
            "",
            "../x",
            "money/../../etc/passwd",
            "/etc/passwd",
            "a\\b",
            "money/./x/vi.md",
            "money//x/vi.md",
            "money/x/vi.md/",
            ".git/config",
            "money/x/.vi.md",
            "money/x/de.md",
            "money/x/notes.txt",
            "money/x/media/run.sh",
            "money/x/media/sub/qr.svg",
            "money/x/y/vi.md",
            "C:/x/vi.md",
            "topic.md",
        ] {
            let refusal = check_upload_path(path).expect_err(path);
            assert!(refusal.starts_with(&format!("`{path}` cannot be uploaded: ")), "{refusal}");
        }
        assert!(check_upload_path(&"a/".repeat(150)).is_err());
    }

    #[test]
    fn a_problem_carries_its_relative_file_and_the_text_of_its_line() {
        let files = SourceFiles::new("").with("t/l/vi.md", "---\nid: l\n---\n## Bước\n");
        let problem = FileProblem { path: "t/l/vi.md".into(), problem: Problem::error(Position::new(2, 5), "bad id") };
        let at = ProblemAt::new(&problem, &files);
        assert_eq!((at.file.as_str(), at.line_text.as_deref()), ("t/l/vi.md", Some("id: l")));
        assert_eq!(at.to_string(), "t/l/vi.md:2:5: error: bad id");
        let json = serde_json::to_value(&at).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"file": "t/l/vi.md", "position": {"line": 2, "col": 5}, "severity": "error", "message": "bad id", "line_text": "id: l"})
        );
        assert_eq!(serde_json::from_value::<ProblemAt>(json).unwrap(), at);
        let elsewhere = FileProblem { path: "t/x/vi.md".into(), problem: Problem::warning(Position::START, "missing") };
        assert_eq!(ProblemAt::new(&elsewhere, &files).line_text, None);
    }
}
