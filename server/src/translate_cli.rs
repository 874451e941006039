//! `hocso content translate export|import`: a language's missing or changed interface strings and
//! lesson texts as a gettext PO file, and the file back into `locales/` and `content/`.
//!
//! The rules (what a piece is, what changed, how a lesson is put back together and checked) are in
//! `hocso_core::translate`; this module reads and writes the files and prints. Exit codes as
//! `hocso content check`: 0 done, 1 the PO file has problems (nothing written), 2 could not run.
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hocso_core::content::SourceFiles;
use hocso_core::i18n::REFERENCE_LOCALE;
use hocso_core::translate::{self, Catalogue, Sources};

const EXIT_OK: i32 = 0;
const EXIT_PROBLEMS: i32 = 1;
const EXIT_FAILURE: i32 = 2;

#[derive(Debug, Args)]
pub struct TranslateArgs {
    #[command(subcommand)]
    pub command: TranslateCommand,
}

#[derive(Debug, Subcommand)]
pub enum TranslateCommand {
    /// Write a PO file of what a language lacks: interface strings and lesson texts that have no
    /// translation or whose Vietnamese changed since they were translated.
    Export {
        /// The language: hmn, tyz, en.
        #[arg(long)]
        locale: String,
        /// The PO file to write (default: print it).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Every string and lesson text, translated or not.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        folders: Folders,
    },
    /// Read a PO file back: interface strings into locales/<locale>.json, lessons into
    /// content/<topic>/<lesson>/<locale>.md (as drafts, with vi.md's structure), all checked first.
    Import {
        /// The PO file (from `export`, with msgstr filled in).
        file: PathBuf,
        /// The language; by default the file's `Language:` header.
        #[arg(long)]
        locale: Option<String>,
        #[command(flatten)]
        folders: Folders,
    },
}

#[derive(Debug, Args)]
pub struct Folders {
    /// The content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// The interface strings (`<code>.json`); by default the `locales` folder beside the content folder.
    #[arg(long)]
    locales: Option<PathBuf>,
}

impl Folders {
    fn locales(&self) -> PathBuf {
        self.locales.clone().unwrap_or_else(|| self.content.parent().unwrap_or(Path::new("")).join("locales"))
    }

    fn read(&self, locale: &str) -> Result<Sources, String> {
        if !self.content.is_dir() {
            return Err(format!("there is no content folder at {}: give it with --content", self.content.display()));
        }
        let content = SourceFiles::read(&self.content).map_err(|e| format!("cannot read {}: {e}", self.content.display()))?;
        if let Some((file, reason)) = content.unreadable.iter().next() {
            return Err(format!("cannot read {}: {reason}", self.content.join(file).display()));
        }
        let locales = self.locales();
        let reference = locales.join(format!("{REFERENCE_LOCALE}.json"));
        let ui_reference =
            std::fs::read_to_string(&reference).map_err(|e| format!("cannot read {}: {e} (give the folder with --locales)", reference.display()))?;
        let target = locales.join(format!("{locale}.json"));
        let ui_target = match std::fs::read_to_string(&target) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {}: {e}", target.display())),
        };
        Ok(Sources { content, ui_reference, ui_target })
    }
}

pub fn run(args: TranslateArgs) -> i32 {
    match args.command {
        TranslateCommand::Export { locale, out, all, folders } => export(&locale, out.as_deref(), all, &folders),
        TranslateCommand::Import { file, locale, folders } => import(&file, locale.as_deref(), &folders),
    }
}

fn export(locale: &str, out: Option<&Path>, all: bool, folders: &Folders) -> i32 {
    let sources = match folders.read(locale) {
        Ok(sources) => sources,
        Err(message) => return failure(&message),
    };
    let (catalogue, counts) = match translate::export(&sources, locale, all) {
        Ok(exported) => exported,
        Err(error) => return failure(&error.to_string()),
    };
    let text = catalogue.write();
    match out {
        Some(path) => {
            if let Err(error) = write_replacing(path, text.as_bytes()) {
                return failure(&format!("cannot write {}: {error}", path.display()));
            }
            println!("wrote {}: {counts}", path.display());
        }
        None => {
            print!("{text}");
            eprintln!("{counts}");
        }
    }
    EXIT_OK
}

fn import(file: &Path, locale: Option<&str>, folders: &Folders) -> i32 {
    let text = match std::fs::read(file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return failure(&format!("{} is not UTF-8 text: save it as UTF-8", file.display())),
        },
        Err(error) => return failure(&format!("cannot read {}: {error}", file.display())),
    };
    let catalogue = match Catalogue::parse(&text) {
        Ok(catalogue) => catalogue,
        Err(error) => {
            println!("{}:{}: error: {}", file.display(), error.line, error.message);
            println!("nothing was imported: the file is not a PO file HocSo can read");
            return EXIT_PROBLEMS;
        }
    };
    let Some(locale) = locale.or(catalogue.header_value("Language")).map(str::to_owned) else {
        return failure(&format!("{} does not say its language (no `Language:` header): give it with --locale", file.display()));
    };
    let sources = match folders.read(&locale) {
        Ok(sources) => sources,
        Err(message) => return failure(&message),
    };
    let plan = match translate::import(&catalogue, &sources, &locale) {
        Ok(plan) => plan,
        Err(problems) => {
            for problem in &problems {
                match problem.line {
                    Some(line) => println!("{}:{line}: error: {}", file.display(), problem.message),
                    None => println!("{}: error: {}", file.display(), problem.message),
                }
            }
            println!("nothing was imported: {} {} to fix", problems.len(), if problems.len() == 1 { "problem" } else { "problems" });
            return EXIT_PROBLEMS;
        }
    };
    let locales = folders.locales();
    let mut writes: Vec<(PathBuf, &[u8])> = plan.lessons.iter().map(|l| (folders.content.join(&l.path), l.text.as_bytes())).collect();
    if let Some(json) = &plan.ui_json {
        writes.push((locales.join(format!("{locale}.json")), json.as_bytes()));
    }
    for (path, bytes) in &writes {
        if let Err(error) = write_replacing(path, bytes) {
            return failure(&format!("cannot write {}: {error} (the files listed above were written)", path.display()));
        }
        println!("wrote {}", path.display());
    }
    if plan.ui_imported > 0 && !plan.ui_draft {
        println!("note: locales/{locale}.json is not marked `\"_status\": \"draft\"`: the app shows its strings as reviewed");
    }
    println!("{}", plan.summary());
    EXIT_OK
}

/// Writes beside the file and renames over it, so a reader never sees half a file.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.hocso-tmp"));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

fn failure(message: &str) -> i32 {
    eprintln!("hocso: {message}");
    EXIT_FAILURE
}
