//! `hocso content import-recordings --team T --lesson L --locale X`: a province publishes a good
//! team's voice to every commune (issue #15). The team's approved recordings of lesson L in
//! language X are copied from the server's database into `content/<topic>/L/media/` (named
//! `voice-<locale>-<step>-<sha256 prefix>.<ext>`, so a new take is a new file and phones never keep
//! an old one cached under the same name) and named in `X.md` as each step's audio; the lesson must
//! then pass `hocso content check`, or everything is put back as it was.
//!
//! The file edit itself is `hocso_core::content::with_step_audio`; the sound's rules are
//! `hocso_core::audio`. Not for: drills' instructions (the lesson format has no audio for them yet;
//! such recordings are listed and skipped).
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use hocso_core::audio::check_recording;
use hocso_core::content::{with_step_audio, ContentTree, StepAudio};
use hocso_core::recordings::{check_lesson_id, check_locale, RecordingPart};

use crate::store::{is_postgres_url, Store};

pub struct ImportRequest<'a> {
    pub team: &'a str,
    pub lesson: &'a str,
    pub locale: &'a str,
    pub database: &'a str,
    pub content: &'a Path,
    /// What the play button says; by default "Giọng đọc của <team name>".
    pub label: Option<&'a str>,
}

/// What was imported, for the summary.
#[derive(Debug)]
pub struct Imported {
    pub lesson_file: PathBuf,
    /// (step, media file name, bytes, duration ms) per named voice.
    pub voices: Vec<(u32, String, usize, Option<u64>)>,
    /// Sentences about recordings that were not imported.
    pub skipped: Vec<String>,
    /// Earlier imported voice files no lesson file uses any more, removed.
    pub removed: Vec<String>,
}

/// Imports, or explains why not, changing nothing then.
pub async fn import(request: &ImportRequest<'_>) -> anyhow::Result<Imported> {
    check_lesson_id(request.lesson).map_err(anyhow::Error::msg)?;
    check_locale(request.locale).map_err(anyhow::Error::msg)?;
    let tree = ContentTree::load(request.content);
    let Some(folder) = tree.lessons.iter().find(|folder| folder.id == request.lesson) else {
        bail!("there is no lesson {:?} in {}: check the id (the lesson's folder name)", request.lesson, request.content.display());
    };
    let lesson_dir = request.content.join(&folder.topic).join(&folder.id);
    let lesson_file = lesson_dir.join(format!("{}.md", request.locale));
    let Some(file) = folder.files.get(request.locale) else {
        bail!(
            "{} does not exist: a voice in {} is named in the lesson's {} file; translate the lesson first (or import the \
             team's Vietnamese reading with --locale vi)",
            lesson_file.display(),
            request.locale,
            request.locale
        );
    };
    if !is_postgres_url(request.database) && !Path::new(request.database.strip_prefix("sqlite:").unwrap_or(request.database)).exists() {
        bail!("there is no database at {}: give the server's with --database", request.database);
    }
    let store = Store::open(request.database).await?;
    let team = store.team_info(request.team).await?.with_context(|| format!("there is no team {:?}: see `hocso team list`", request.team))?;
    let recordings = store.approved_recordings(&team.id, Some((request.lesson, request.locale))).await?;
    if recordings.is_empty() {
        bail!(
            "{} has no approved recording of {} in {}: the team leader approves recordings in the team tools first",
            team.name,
            request.lesson,
            request.locale
        );
    }
    let label = request.label.map_or_else(|| format!("Giọng đọc của {}", team.name), str::to_owned);
    let steps = file.parsed.lesson.steps.len();
    let mut voices = Vec::new();
    let mut skipped = Vec::new();
    let mut files = Vec::new();
    for recording in &recordings {
        let step = match RecordingPart::parse(&recording.step) {
            Ok(RecordingPart::Step(step)) if (step as usize) < steps => step,
            Ok(RecordingPart::Step(step)) => {
                skipped.push(format!("recording {} is of step {step}, but {} has {steps} steps: not imported", recording.id, lesson_file.display()));
                continue;
            }
            Ok(RecordingPart::DrillInstruction(drill)) => {
                skipped.push(format!(
                    "recording {} reads the instruction of drill {drill}: lesson files have no audio for a drill's instruction yet, not imported",
                    recording.id
                ));
                continue;
            }
            Err(message) => bail!("recording {} has a step the server should have refused: {message}", recording.id),
        };
        let (_, audio) = store
            .recording_audio(&team.id, &recording.id)
            .await?
            .with_context(|| format!("recording {} was deleted meanwhile: import again", recording.id))?;
        let checked = check_recording(&audio).map_err(|problem| anyhow::anyhow!("recording {}: {problem}", recording.id))?;
        let name = format!("voice-{}-{step}-{}.{}", request.locale, &recording.sha256[..12.min(recording.sha256.len())], checked.format.extension());
        voices.push((step, name.clone(), audio.len(), checked.duration_ms));
        files.push((name, audio));
    }
    store.close().await;
    if voices.is_empty() {
        bail!("nothing to import:\n  {}", skipped.join("\n  "));
    }
    let asked: Vec<StepAudio> =
        voices.iter().map(|(step, name, ..)| StepAudio { step: *step, src: format!("media/{name}"), label: label.clone() }).collect();
    let edited = with_step_audio(&file.source, &asked).map_err(|message| anyhow::anyhow!("{}: {message}", lesson_file.display()))?;

    // Write, check, and put everything back if the lesson no longer passes.
    let media_dir = lesson_dir.join("media");
    std::fs::create_dir_all(&media_dir).with_context(|| format!("cannot create {}", media_dir.display()))?;
    let mut created = Vec::new();
    let undo = |created: &[PathBuf]| {
        for path in created {
            let _ = std::fs::remove_file(path);
        }
        let _ = std::fs::write(&lesson_file, &file.source);
    };
    for (name, audio) in &files {
        let path = media_dir.join(name);
        if path.exists() {
            continue;
        }
        if let Err(error) = std::fs::write(&path, audio) {
            undo(&created);
            return Err(error).with_context(|| format!("cannot write {}", path.display()));
        }
        created.push(path);
    }
    if let Err(error) = write_replacing(&lesson_file, &edited) {
        undo(&created);
        return Err(error);
    }
    let after = ContentTree::load(request.content);
    let errors: Vec<String> = after.report.errors().filter(|p| p.path.starts_with(&lesson_dir)).map(ToString::to_string).collect();
    if !errors.is_empty() {
        undo(&created);
        bail!("the lesson would not pass `hocso content check`, so nothing was changed:\n{}", errors.join("\n"));
    }
    // Voices imported earlier that the new ones replaced: ours (by their name), now used by no file.
    let mut removed = Vec::new();
    if let Some(folder) = after.lessons.iter().find(|f| f.id == request.lesson) {
        let used: std::collections::BTreeSet<String> = folder.files.values().flat_map(|f| f.media_used()).collect();
        let before = file.media_used();
        for name in before.iter().filter(|n| n.starts_with("voice-") && !used.contains(*n) && folder.media.contains_key(*n)) {
            if std::fs::remove_file(media_dir.join(name)).is_ok() {
                removed.push(name.clone());
            }
        }
    }
    Ok(Imported { lesson_file, voices, skipped, removed })
}

/// Writes beside the file and renames over it: an editor or a build never reads half a lesson.
fn write_replacing(path: &Path, text: &str) -> anyhow::Result<()> {
    let temporary = path.with_extension("md.importing");
    std::fs::write(&temporary, text).with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("cannot replace {}", path.display()))
}
