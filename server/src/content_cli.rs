//! `hocso content check|stats|build|publish|import-recordings` (and `translate`, in `translate_cli`): the trainer's and publisher's tools for `content/`.
//!
//! All the rules live in `hocso_core::content`; this module only prints. Problems go to stdout as
//! `path:line:col: error: message`, a form editors and terminals turn into links to the line.
//! `publish` sends the folder to a team server (`POST /api/v1/content/publish`, see
//! `api::content`), which checks it with the same code and serves it.
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hocso_core::content::{build_packs, language_coverage, stats, BuildError, ContentTree, LocaleStats, Report, SourceFiles};
use hocso_core::i18n::{Messages, REFERENCE_LOCALE};

use crate::import_recordings::ImportRequest;

/// Exit codes: 0 all good (warnings allowed), 1 the content has errors, 2 the command could not run.
const EXIT_OK: i32 = 0;
const EXIT_CONTENT_ERRORS: i32 = 1;
const EXIT_FAILURE: i32 = 2;

#[derive(Debug, Args)]
pub struct ContentArgs {
    #[command(subcommand)]
    pub command: ContentCommand,
}

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// Check every lesson; prints `file:line:col: error: …` and exits with 1 when there are errors.
    Check {
        /// The content folder (`<topic>/<lesson>/<locale>.md`).
        #[arg(default_value = "content")]
        path: PathBuf,
    },
    /// Lessons, steps, questions, minutes, drafts and translation coverage per topic and language,
    /// then per language: lessons written and reviewed, steps with audio, interface strings translated.
    Stats {
        #[arg(default_value = "content")]
        path: PathBuf,
        /// The interface strings (`<code>.json`); by default the `locales` folder beside PATH.
        #[arg(long)]
        locales: Option<PathBuf>,
    },
    /// Build what devices download (catalogue, lesson packs, media); refuses content with errors.
    Build {
        #[arg(default_value = "content")]
        path: PathBuf,
        /// Where to write: the `content/` folder of the served app, so devices pick the new
        /// version up on their next sync without an app update. The new tree is written beside it
        /// and swapped in at once; files there that a build does not write are kept.
        #[arg(long, default_value = "dist/content")]
        out: PathBuf,
    },
    /// Copy a team's approved recordings of a lesson in one language into the lesson's media/ and
    /// name them in its `<locale>.md` as each step's audio (the lesson must then pass `check`).
    ImportRecordings {
        /// The team id (see `hocso team list`).
        #[arg(long)]
        team: String,
        /// The lesson id (its folder name).
        #[arg(long)]
        lesson: String,
        /// The language of the voices: vi (read by the team), en, hmn, tyz.
        #[arg(long)]
        locale: String,
        /// The server's database: a SQLite file or `sqlite:` URL, or a `postgres://` URL.
        #[arg(long, env = "DATABASE_URL", default_value = crate::DEFAULT_DATABASE)]
        database: String,
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// What the play button says, in the lesson's language (default: "Giọng đọc của <team name>").
        #[arg(long)]
        label: Option<String>,
    },
    /// Send the lessons to a team server, which checks them and serves them at once (a trainer
    /// token: `hocso admin create-token --role trainer` on that server). Exits like `check`: 1 when
    /// the lessons have errors (nothing is published), 2 when it could not publish for another reason.
    Publish {
        /// The content folder; every file in it is sent (hidden files are not).
        #[arg(default_value = "content")]
        path: PathBuf,
        /// The team server, e.g. https://hocso.tavan.example
        #[arg(long, env = "HOCSO_SERVER")]
        server: String,
        /// A trainer token of that server (`hsa_…`).
        #[arg(long, env = "HOCSO_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// Translation without Markdown: `export` what a language lacks as a gettext PO file,
    /// `import` it back (checked, lessons as drafts with the Vietnamese lesson's structure).
    Translate(crate::translate_cli::TranslateArgs),
}

/// Runs a `hocso content …` command and returns the process exit code.
pub async fn run(args: ContentArgs) -> i32 {
    let args = match args.command {
        // Its folders are options (`--content`, `--locales`), checked by the command itself.
        ContentCommand::Translate(translate) => return crate::translate_cli::run(translate),
        command => ContentArgs { command },
    };
    let path = match &args.command {
        ContentCommand::Check { path }
        | ContentCommand::Stats { path, .. }
        | ContentCommand::Build { path, .. }
        | ContentCommand::Publish { path, .. } => path,
        ContentCommand::ImportRecordings { content, .. } => content,
        ContentCommand::Translate(_) => unreachable!("run above"),
    };
    if !path.is_dir() {
        eprintln!("hocso: there is no content folder at {}: give its path, e.g. `hocso content check path/to/content`", path.display());
        return EXIT_FAILURE;
    }
    match args.command {
        ContentCommand::Check { path } => check(&path),
        ContentCommand::Stats { path, locales } => {
            let locales = locales.unwrap_or_else(|| path.parent().unwrap_or(Path::new("")).join("locales"));
            print_stats(&path, &locales)
        }
        ContentCommand::Build { path, out } => build(&path, &out),
        ContentCommand::ImportRecordings { team, lesson, locale, database, content, label } => {
            let request =
                ImportRequest { team: &team, lesson: &lesson, locale: &locale, database: &database, content: &content, label: label.as_deref() };
            import_recordings(&request).await
        }
        ContentCommand::Publish { path, server, token } => match publish(&path, &server, &token).await {
            Ok(code) => code,
            Err(error) => {
                eprintln!("hocso: {error:#}");
                EXIT_FAILURE
            }
        },
        ContentCommand::Translate(_) => unreachable!("run above"),
    }
}

async fn import_recordings(request: &ImportRequest<'_>) -> i32 {
    match crate::import_recordings::import(request).await {
        Ok(imported) => {
            for (step, name, bytes, duration_ms) in &imported.voices {
                let length = duration_ms.map_or_else(|| "length not stated".to_owned(), |ms| format!("{:.1} s", ms as f64 / 1000.0));
                println!("step {step}: media/{name} ({}, {length})", human_size(*bytes as u64));
            }
            for sentence in &imported.skipped {
                println!("skipped: {sentence}");
            }
            for name in &imported.removed {
                println!("removed media/{name}: the voice it held was replaced");
            }
            println!(
                "named {} voices in {}; it passes `hocso content check`. Publish with `hocso content build`.",
                imported.voices.len(),
                imported.lesson_file.display()
            );
            EXIT_OK
        }
        Err(error) => {
            eprintln!("hocso: {error:#}");
            EXIT_FAILURE
        }
    }
}

/// Sends every file of `path` to `server` and prints its answer; the exit code.
async fn publish(path: &Path, server: &str, token: &str) -> anyhow::Result<i32> {
    use anyhow::Context;
    use base64::Engine;
    use hocso_core::content::{check_upload_path, UploadAnswer, UploadRefusal, UploadRequest, UploadedFile, MAX_UPLOAD_BYTES};

    let base = server.trim().trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        anyhow::bail!("--server {server}: give the server's address with https://, e.g. https://hocso.tavan.example");
    }
    let files = SourceFiles::read(path).with_context(|| format!("cannot read the content folder {}", path.display()))?;
    if let Some((file, reason)) = files.unreadable.iter().next() {
        anyhow::bail!("cannot read {}: {reason}", path.join(file).display());
    }
    if files.files.is_empty() {
        anyhow::bail!("{} has no files to publish", path.display());
    }
    // The server refuses these (400); said here for all of them at once, before sending anything.
    let refused: Vec<String> = files.files.keys().filter_map(|file| check_upload_path(file).err()).collect();
    if !refused.is_empty() {
        anyhow::bail!("nothing was sent: move these files out of {}:\n  {}", path.display(), refused.join("\n  "));
    }
    let request = UploadRequest {
        files: files
            .files
            .iter()
            .map(|(path, bytes)| UploadedFile { path: path.clone(), base64: base64::engine::general_purpose::STANDARD.encode(bytes) })
            .collect(),
    };
    let body = serde_json::to_vec(&request).context("writing the request")?;
    if body.len() > MAX_UPLOAD_BYTES {
        anyhow::bail!(
            "{} is {} once encoded, more than the {} a server takes at once: publish a folder with fewer topics, or make pictures and sounds smaller",
            path.display(),
            human_size(body.len() as u64),
            human_size(MAX_UPLOAD_BYTES as u64)
        );
    }
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(20))
        .timeout(std::time::Duration::from_secs(300))
        .build()
        .context("starting the HTTP client")?;
    let url = format!("{base}/api/v1/content/publish");
    let response = client
        .post(&url)
        .bearer_auth(token.trim())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?;
    let status = response.status();
    let text = response.text().await.with_context(|| format!("reading the answer of {base}"))?;
    let shown = |file: &str| path.join(file).display().to_string();
    match status.as_u16() {
        200 => {
            let answer: UploadAnswer =
                serde_json::from_str(&text).with_context(|| format!("{url} answered something else than a publish: {text}"))?;
            for warning in &answer.warnings {
                println!("{}:{}: {}: {}", shown(&warning.file), warning.position, warning.severity, warning.message);
            }
            println!("published {} lessons, catalogue version {}", answer.lessons, answer.catalogue_version);
            Ok(EXIT_OK)
        }
        422 if serde_json::from_str::<UploadRefusal>(&text).is_ok() => {
            let refusal: UploadRefusal = serde_json::from_str(&text)?;
            for problem in &refusal.problems {
                println!("{}:{}: {}: {}", shown(&problem.file), problem.position, problem.severity, problem.message);
            }
            println!("{}", refusal.error);
            Ok(EXIT_CONTENT_ERRORS)
        }
        _ => {
            // Every refusal of the API says why in `message`.
            let sentence = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
                .unwrap_or(text);
            anyhow::bail!("{base} refused to publish ({status}): {sentence}")
        }
    }
}

fn check(path: &Path) -> i32 {
    let report = ContentTree::load(path).report;
    print_report(&report);
    if report.has_errors() {
        EXIT_CONTENT_ERRORS
    } else {
        EXIT_OK
    }
}

fn print_report(report: &Report) {
    for problem in &report.problems {
        println!("{problem}");
    }
    println!("{}", report.summary());
}

fn print_stats(path: &Path, locales: &Path) -> i32 {
    let tree = ContentTree::load(path);
    let stats = stats(&tree);
    let header = ["topic", "lang", "lessons", "steps", "questions", "minutes", "drafts", "translated"];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    let row = |topic: &str, s: &LocaleStats| {
        vec![
            topic.to_owned(),
            s.locale.clone(),
            s.lessons.to_string(),
            s.steps.to_string(),
            s.questions.to_string(),
            s.minutes.to_string(),
            s.drafts.to_string(),
            format!("{}%", s.coverage_percent),
        ]
    };
    for topic in &stats.topics {
        for (i, locale) in topic.locales.iter().enumerate() {
            rows.push(row(if i == 0 { &topic.topic } else { "" }, locale));
        }
    }
    for (i, locale) in stats.total.iter().enumerate() {
        rows.push(row(if i == 0 { "all topics" } else { "" }, locale));
    }
    print!("{}", table(&rows));
    println!();
    print!("{}", coverage_table(&stats, locales));
    if tree.report.has_errors() {
        eprintln!(
            "note: the content has {} errors (counted as far as they could be read): run `hocso content check {}`",
            tree.report.error_count(),
            path.display()
        );
    }
    EXIT_OK
}

/// Per language: lessons written and reviewed, steps with audio, interface strings translated.
fn coverage_table(stats: &hocso_core::content::Stats, locales: &Path) -> String {
    let read = |code: &str| -> Option<Messages> {
        let path = locales.join(format!("{code}.json"));
        let text = std::fs::read_to_string(&path).ok()?;
        match Messages::from_json(&text) {
            Ok(messages) => Some(messages),
            Err(error) => {
                eprintln!("note: {}: {error}; its strings are counted as not translated", path.display());
                None
            }
        }
    };
    if !locales.join(format!("{REFERENCE_LOCALE}.json")).is_file() {
        eprintln!("note: no {}/{REFERENCE_LOCALE}.json: interface strings not counted (give the folder with --locales)", locales.display());
    }
    let header = ["lang", "language", "lessons", "reviewed", "steps with audio", "interface strings"];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    for language in language_coverage(stats, read) {
        rows.push(vec![
            language.locale.clone(),
            hocso_core::i18n::locale_info(&language.locale).map_or("", |info| info.native_name).to_owned(),
            format!("{}/{}", language.lessons, language.lessons_total),
            language.reviewed.to_string(),
            format!("{}/{}", language.steps_with_audio, language.steps),
            format!("{}/{}", language.ui_strings, language.ui_strings_total),
        ]);
    }
    table(&rows)
}

/// Left-aligns the first two columns and right-aligns the numbers.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(|c| rows.iter().map(|r| r.get(c).map_or(0, |cell| cell.chars().count())).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| if c < 2 { format!("{cell:<w$}", w = widths[c]) } else { format!("{cell:>w$}", w = widths[c]) })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn build(path: &Path, out: &Path) -> i32 {
    match build_packs(path, out) {
        Ok(summary) => {
            for warning in summary.report.warnings() {
                println!("{warning}");
            }
            let size_of = |prefix: &str| -> (usize, u64) {
                let files: Vec<_> = summary.files.iter().filter(|f| f.path.starts_with(prefix)).collect();
                (files.len(), files.iter().map(|f| f.bytes).sum())
            };
            let (_, catalogue) = size_of("catalogue.json");
            let (packs, pack_bytes) = size_of("packs/");
            let (media, media_bytes) = size_of("media/");
            println!(
                "built {} lessons into {}: catalogue.json {}, {packs} packs {}, {media} media files {}",
                summary.report.lessons,
                out.display(),
                human_size(catalogue),
                human_size(pack_bytes),
                human_size(media_bytes)
            );
            EXIT_OK
        }
        Err(BuildError::Invalid(report)) => {
            print_report(&report);
            println!("nothing was built: fix the errors above first");
            EXIT_CONTENT_ERRORS
        }
        Err(error @ BuildError::Write { .. }) => {
            eprintln!("hocso: {error}");
            EXIT_FAILURE
        }
    }
}

/// `532 B`, `12.3 KB`, `4.1 MB`
pub fn human_size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1_000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(532), "532 B");
        assert_eq!(human_size(12_345), "12.3 KB");
        assert_eq!(human_size(4_100_000), "4.1 MB");
    }

    #[test]
    fn tables_align_text_left_and_numbers_right() {
        let rows =
            vec![vec!["topic".to_owned(), "lang".to_owned(), "lessons".to_owned()], vec!["data-safety".to_owned(), "vi".to_owned(), "5".to_owned()]];
        assert_eq!(table(&rows), "topic        lang  lessons\ndata-safety  vi          5\n");
    }
}
