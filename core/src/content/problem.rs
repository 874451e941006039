//! Problems found in lesson files, each with where it is and how bad it is.
//!
//! They are written for trainers in the `path:line:col: error: message` form that editors and
//! terminals turn into clickable links; the message says what is wrong and how to fix it.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A place in a file. Both numbers start at 1; `col` counts characters, not bytes, so a column in
/// Vietnamese text is where the trainer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub col: u32,
}

impl Position {
    /// The start of a file: used for problems about a whole file.
    pub const START: Position = Position { line: 1, col: 1 };

    pub fn new(line: u32, col: u32) -> Self {
        Self { line, col }
    }
}

impl Default for Position {
    fn default() -> Self {
        Position::START
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The lesson cannot be published until this is fixed.
    Error,
    /// Worth a look; the lesson still works.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem in one lesson file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub position: Position,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn error(position: Position, message: impl Into<String>) -> Self {
        Self { position, severity: Severity::Error, message: message.into() }
    }

    pub fn warning(position: Position, message: impl Into<String>) -> Self {
        Self { position, severity: Severity::Warning, message: message.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.position, self.severity, self.message)
    }
}

/// A problem and the file it is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileProblem {
    pub path: PathBuf,
    pub problem: Problem,
}

impl fmt::Display for FileProblem {
    /// `content/data-safety/x/vi.md:12:1: error: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.problem)
    }
}

/// Everything a check of the content tree found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Sorted by file, then position.
    pub problems: Vec<FileProblem>,
    /// Lesson directories checked.
    pub lessons: usize,
    /// Lesson files (`<locale>.md`) checked.
    pub files: usize,
}

impl Report {
    pub fn errors(&self) -> impl Iterator<Item = &FileProblem> {
        self.problems.iter().filter(|p| p.problem.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &FileProblem> {
        self.problems.iter().filter(|p| !p.problem.is_error())
    }

    pub fn error_count(&self) -> usize {
        self.errors().count()
    }

    pub fn warning_count(&self) -> usize {
        self.warnings().count()
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// One line for the end of `hocso content check`.
    pub fn summary(&self) -> String {
        format!(
            "checked {} {} ({} {}): {} {}, {} {}",
            self.lessons,
            plural(self.lessons, "lesson", "lessons"),
            self.files,
            plural(self.files, "file", "files"),
            self.error_count(),
            plural(self.error_count(), "error", "errors"),
            self.warning_count(),
            plural(self.warning_count(), "warning", "warnings"),
        )
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Turns byte offsets of a file into line and column positions.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { text, line_starts }
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        Position::new(line as u32 + 1, col as u32 + 1)
    }

    /// The byte offset where `line` (1-based) starts; past the end, the end of the text.
    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let index = LineIndex::new("ab\nĐúng x\n");
        assert_eq!(index.position(0), Position::new(1, 1));
        assert_eq!(index.position(3), Position::new(2, 1));
        // "Đúng " is 5 characters but 7 bytes.
        assert_eq!(index.position(3 + "Đúng ".len()), Position::new(2, 6));
        assert_eq!(index.position(100), Position::new(3, 1));
    }

    #[test]
    fn a_file_problem_reads_like_a_compiler_diagnostic() {
        let problem = FileProblem { path: "content/t/l/vi.md".into(), problem: Problem::error(Position::new(12, 3), "no right answer") };
        assert_eq!(problem.to_string(), "content/t/l/vi.md:12:3: error: no right answer");
    }
}
