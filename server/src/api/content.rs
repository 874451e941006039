//! `POST /content/check` and `POST /content/publish`: a trainer's lessons, checked and published on
//! this server without anyone logging in to it (`hocso content publish`, the team tools' studio).
//!
//! The contract (`hocso_core::content::UploadRequest` and its answers):
//! - `Authorization: Bearer <trainer token>` (`hocso admin create-token --role trainer`): a wrong
//!   token is `401 invalid_token`, a revoked one `401 token_revoked`, a province or device token
//!   `403 trainer_only`, each `{error: <code>, message: <sentence>}` like every API refusal.
//! - `hocso serve --content DIR` names the content folder published from; without it both answer
//!   `409 no_content_folder`.
//! - Then the body `{files: [{path, base64}]}` (JSON, at most [`MAX_UPLOAD_BYTES`], else `413
//!   body_too_large`; the rest of the API takes 1 MB) is read whole and checked before any lesson
//!   is: a path outside the content folder or of a kind it does not hold (`check_upload_path`) is
//!   `400 invalid_path`, a path sent twice `400
//!   duplicate_path`, bad base64 `400 invalid_base64`, no files `400 no_files`, a body that is not
//!   JSON `400 malformed_json`, JSON of the wrong shape `422 invalid_body`.
//! - The files are laid over DIR (same path: replaced; other files stay) in memory, and the merged
//!   tree is checked by `ContentTree::from_files`, the code of `hocso content check`. Errors:
//!   `422 {error: "2 errors in the lessons: nothing was published", message: <the same>, problems}`
//!   (`error` is a sentence here, as the contract says; `message` repeats it so that a client reading
//!   `message` as for every other refusal shows it too). `problems` lists every problem of the merged
//!   tree, errors and warnings ([`ProblemAt`]: `file` relative to DIR, `position {line, col}`,
//!   `severity`, `message`, and `line_text`, the text of that line, since the problem may be in a
//!   file of DIR the trainer did not send).
//! - Otherwise `200 {lessons, catalogue_version, warnings, published}`. `check` writes nothing and
//!   answers the version a publish would give. `publish` builds the packs in memory, writes the
//!   uploaded files into DIR under hidden temporary names, swaps the new packs in beside the current
//!   ones (`PackFiles::write`: phones never see half a build), then renames the uploaded files into
//!   place; a failure before the swap removes what it wrote. `catalogue_version` is the SHA-256 of
//!   the new `catalogue.json`, what `/sync/pull` answers from then on: it changes whenever the
//!   catalogue does (a publish that changes nothing in it keeps it).
//!
//! One publish or check at a time: an async lock in the process, plus an advisory lock (`flock`) on
//! DIR itself, so that two `hocso serve` processes on one machine sharing DIR and `dist` also take
//! turns. Servers on different machines each publish into their own `dist`: publish on each (or
//! share one disk); that case is not handled here.
//!
//! At start (`hocso serve --content DIR`), DIR is built into `dist/content` when it has no errors,
//! so that what is served is what DIR holds, also for a `hocso` serving the app built into it,
//! whose `dist` is a fresh temporary folder at every start (see [`build_at_start`]).
//!
//! Where this differs from `studio-contract.md` (the nearest thing, on purpose):
//! - 401/403 answers carry `{error: <code>, message: <sentence>}`, the shape of every other API
//!   refusal (the contract says `{error: <sentence>}` "like the rest of the API", which has the
//!   sentence in `message`); only the 422 with problems has the sentence in `error` (and `message`).
//! - The whole request must arrive within the server's request timeout (120 s): 32 MB on a slow
//!   link may not; publish one topic at a time there.
//! - `hocso content publish` exits with 2 on content errors and 1 otherwise, as the contract says,
//!   which is the reverse of `hocso content check|build` (1 errors, 2 could not run).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use hocso_core::content::{
    check_upload_path, pack_files, ContentTree, ProblemAt, SourceFiles, UploadAnswer, UploadRefusal, UploadRequest, MAX_UPLOAD_BYTES,
};
use sha2::{Digest, Sha256};

use super::auth::Trainer;
use super::error::ApiError;
use super::AppState;

/// The content folder this server publishes from, and where the built packs are served.
#[derive(Debug)]
pub struct ContentSource {
    /// `--content DIR`.
    pub dir: PathBuf,
    /// `dist/content`.
    pub out: PathBuf,
    /// One check or publish at a time in this process (see the module comment). Held by the
    /// blocking task itself, so a client that hangs up mid-publish does not let the next one in early.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl ContentSource {
    pub fn new(dir: PathBuf, out: PathBuf) -> Self {
        Self { dir, out, turn: Arc::default() }
    }
}

pub async fn check(Trainer(trainer): Trainer, State(state): State<AppState>, source: Source, Upload(files): Upload) -> Result<Response, ApiError> {
    let answer = run(&state, source.0, files, false).await;
    tracing::debug!(token = %trainer.id, ok = answer.is_ok(), "checked uploaded lessons");
    answer
}

pub async fn publish(Trainer(trainer): Trainer, State(state): State<AppState>, source: Source, Upload(files): Upload) -> Result<Response, ApiError> {
    let count = files.len();
    let answer = run(&state, source.0, files, true).await;
    if answer.as_ref().is_ok_and(|response| response.status() == StatusCode::OK) {
        tracing::info!(token = %trainer.id, name = %trainer.name, files = count, "published lessons");
    }
    answer
}

async fn run(state: &AppState, source: Arc<ContentSource>, files: BTreeMap<String, Vec<u8>>, publish: bool) -> Result<Response, ApiError> {
    let turn = source.turn.clone().lock_owned().await;
    let catalogue = state.catalogue.clone();
    // Runs to the end even if the client hangs up, holding the turn until then.
    let outcome = tokio::task::spawn_blocking(move || {
        let outcome = check_and_publish(&source, files, publish);
        if publish && matches!(outcome, Ok(Outcome::Good(_))) {
            // Pulls answer the new version at once, even on a disk whose file times are coarse.
            catalogue.forget();
        }
        drop(turn);
        outcome
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("the content check stopped: {e}")))??;
    Ok(match outcome {
        Outcome::Good(answer) => Json(answer).into_response(),
        Outcome::Refused(refusal) => (StatusCode::UNPROCESSABLE_ENTITY, Json(refusal)).into_response(),
    })
}

enum Outcome {
    Good(UploadAnswer),
    Refused(UploadRefusal),
}

/// Reads DIR, lays `uploaded` over it, checks the whole, and (when `publish` and no errors) serves it.
fn check_and_publish(source: &ContentSource, uploaded: BTreeMap<String, Vec<u8>>, publish: bool) -> Result<Outcome, ApiError> {
    let _other_processes = lock_folder(&source.dir)?;
    let mut files = SourceFiles::read(&source.dir)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot read the content folder {}: {e}", source.dir.display())))?;
    // Problems name files relative to the content folder, as the trainer's own tree does.
    files.root = PathBuf::new();
    for (path, bytes) in &uploaded {
        files.files.insert(path.clone(), bytes.clone());
    }
    let tree = ContentTree::from_files(files.clone());
    let problems: Vec<ProblemAt> = tree.report.problems.iter().map(|p| ProblemAt::new(p, &files)).collect();
    let errors = tree.report.error_count();
    if errors > 0 {
        let sentence = format!(
            "{errors} {} in the lessons: {}",
            if errors == 1 { "error" } else { "errors" },
            if publish { "nothing was published" } else { "fix them before publishing" }
        );
        return Ok(Outcome::Refused(UploadRefusal { error: sentence.clone(), message: sentence, problems }));
    }
    let packs = pack_files(&tree);
    let catalogue = packs.files.get("catalogue.json").ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a build without catalogue.json")))?;
    let catalogue_version: String = Sha256::digest(catalogue).iter().map(|b| format!("{b:02x}")).collect();
    if publish {
        let staged = Staged::write(&source.dir, &uploaded).map_err(ApiError::Internal)?;
        if let Err(error) = packs.write(&source.out) {
            staged.undo();
            return Err(ApiError::Internal(anyhow::anyhow!("publishing into {}: {error}", source.out.display())));
        }
        staged.commit().map_err(ApiError::Internal)?;
    }
    let warnings = problems.into_iter().filter(|p| p.severity == hocso_core::content::Severity::Warning).collect();
    Ok(Outcome::Good(UploadAnswer { lessons: tree.report.lessons, catalogue_version, warnings, published: publish }))
}

/// Holds an advisory lock on the folder itself (no lock file in the trainers' folder), so that
/// another `hocso serve` sharing it waits. Where a folder cannot be opened as a file (Windows),
/// the lock in the process is the only one.
fn lock_folder(dir: &Path) -> Result<Option<std::fs::File>, ApiError> {
    let Ok(folder) = std::fs::File::open(dir) else { return Ok(None) };
    folder.lock().map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot lock the content folder {}: {e}", dir.display())))?;
    Ok(Some(folder))
}

/// Uploaded files written beside their place under hidden names (which `SourceFiles::read`
/// skips), to be renamed into place once the packs are published, or removed.
struct Staged {
    /// (temporary file, its place).
    files: Vec<(PathBuf, PathBuf)>,
    /// Folders this publish created, parents first.
    created: Vec<PathBuf>,
}

impl Staged {
    fn write(dir: &Path, uploaded: &BTreeMap<String, Vec<u8>>) -> anyhow::Result<Staged> {
        let mut staged = Staged { files: Vec::new(), created: Vec::new() };
        for (relative, bytes) in uploaded {
            let place = dir.join(relative);
            let result = staged.create_parents(dir, &place).and_then(|()| {
                let name = place.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let temporary = place.with_file_name(format!(".{name}.upload-{}", std::process::id()));
                std::fs::write(&temporary, bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", temporary.display()))?;
                staged.files.push((temporary, place));
                Ok(())
            });
            if let Err(error) = result {
                staged.undo();
                return Err(error);
            }
        }
        Ok(staged)
    }

    fn create_parents(&mut self, dir: &Path, place: &Path) -> anyhow::Result<()> {
        let mut missing = Vec::new();
        let mut folder = place.parent();
        while let Some(f) = folder.filter(|f| *f != dir && !f.exists()) {
            missing.push(f.to_owned());
            folder = f.parent();
        }
        for f in missing.into_iter().rev() {
            std::fs::create_dir(&f).map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", f.display()))?;
            self.created.push(f);
        }
        Ok(())
    }

    /// Removes what was written: DIR is as before.
    fn undo(self) {
        for (temporary, _) in &self.files {
            let _ = std::fs::remove_file(temporary);
        }
        for folder in self.created.iter().rev() {
            let _ = std::fs::remove_dir(folder);
        }
    }

    fn commit(self) -> anyhow::Result<()> {
        for (temporary, place) in &self.files {
            std::fs::rename(temporary, place).map_err(|e| anyhow::anyhow!("cannot put {} in place: {e}", place.display()))?;
        }
        Ok(())
    }
}

/// The content folder of this server, or `409` when it was started without `--content`.
pub struct Source(Arc<ContentSource>);

impl FromRequestParts<AppState> for Source {
    type Rejection = ApiError;

    async fn from_request_parts(_parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        state.content.clone().map(Source).ok_or_else(|| {
            ApiError::client(
                StatusCode::CONFLICT,
                "no_content_folder",
                "this server was started without --content; its operator starts it with `hocso serve --content DIR` (the content \
                 folder to publish from) before lessons can be checked or published here",
            )
        })
    }
}

/// The uploaded files, decoded and checked: path → bytes.
pub struct Upload(pub BTreeMap<String, Vec<u8>>);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
        if !is_json {
            return Err(ApiError::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the files as JSON with Content-Type: application/json",
            ));
        }
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!(
                        "the upload is larger than {} MB: publish one topic at a time, or make its pictures and sounds smaller",
                        MAX_UPLOAD_BYTES / (1024 * 1024)
                    ),
                )
            } else {
                ApiError::client(rejection.status(), "bad_request", format!("the body could not be read: {}", rejection.body_text()))
            }
        })?;
        let request: UploadRequest = serde_json::from_slice(&body).map_err(|e| {
            if e.is_data() {
                ApiError::unprocessable(
                    "invalid_body",
                    format!("the JSON does not have the expected fields: {e} (send {{\"files\": [{{\"path\": …, \"base64\": …}}]}})"),
                )
            } else {
                ApiError::client(StatusCode::BAD_REQUEST, "malformed_json", format!("the body is not valid JSON: {e}"))
            }
        })?;
        if request.files.is_empty() {
            return Err(ApiError::client(StatusCode::BAD_REQUEST, "no_files", "the upload has no files: send the lessons to check or publish"));
        }
        let mut files = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for file in request.files {
            check_upload_path(&file.path).map_err(|sentence| ApiError::client(StatusCode::BAD_REQUEST, "invalid_path", sentence))?;
            if !seen.insert(file.path.clone()) {
                return Err(ApiError::client(
                    StatusCode::BAD_REQUEST,
                    "duplicate_path",
                    format!("`{}` is sent twice: send each file once", file.path),
                ));
            }
            let bytes = base64::engine::general_purpose::STANDARD.decode(file.base64.as_bytes()).map_err(|e| {
                ApiError::client(StatusCode::BAD_REQUEST, "invalid_base64", format!("the contents of `{}` are not valid base64: {e}", file.path))
            })?;
            files.insert(file.path, bytes);
        }
        Ok(Upload(files))
    }
}

/// `hocso serve --content DIR`: builds DIR into `out` (`dist/content`) before serving, so that the
/// server starts with what DIR holds. A DIR with errors leaves `out` as it is (and says so): the
/// server still starts, and a publish that fixes them serves them.
pub fn build_at_start(dir: &Path, out: &Path) -> anyhow::Result<String> {
    if !dir.is_dir() {
        anyhow::bail!("--content {}: there is no folder there: give the content folder to publish from (the tree of `content/`)", dir.display());
    }
    let tree = ContentTree::load(dir);
    if tree.report.has_errors() {
        let errors = tree.report.error_count();
        return Ok(format!(
            "The lessons in {} have {errors} {} (`hocso content check {}`): still serving the content packs already in {}.",
            dir.display(),
            if errors == 1 { "error" } else { "errors" },
            dir.display(),
            out.display()
        ));
    }
    pack_files(&tree).write(out).map_err(|e| anyhow::anyhow!("building the lessons of {} into {}: {e}", dir.display(), out.display()))?;
    Ok(format!("Publishing lessons from {} ({} lessons built into {}).", dir.display(), tree.report.lessons, out.display()))
}
