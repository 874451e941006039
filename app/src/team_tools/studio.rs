//! `/team/studio` ("Soạn bài"): a trainer opens a folder of lessons on a phone or computer, sees
//! every problem as `file:line:col` with its line, previews each lesson in a phone-sized frame in
//! each of its languages, fixes the files and checks again, and publishes a lesson with a trainer
//! token.
//!
//! Checking and preview work offline: the files are checked in the browser by
//! `hocso_core::content::ContentTree`, the same code as `hocso content check`, and drawn by the
//! learner app's own [`Reader`] (see `lesson::Preview`). Lesson files and media are untrusted:
//! text goes through the rich-text renderer (no raw HTML anywhere) and media are shown from object
//! URLs of the chosen files. Publishing sends a lesson's files to `POST /api/v1/content/publish`
//! (see `server/src/api/content.rs`), which checks them again over the server's content and
//! publishes nothing when anything is wrong.
use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use hocso_core::content::{
    check_upload_path, content_paths, device_lesson, loose_file_paths, CatalogueTopic, ChosenFolderError, ContentTree, LessonFolder, LooseFileError,
    ProblemAt, Severity, SourceFiles, UploadAnswer, UploadRefusal, UploadRequest, UploadedFile,
};
use hocso_core::i18n::LOCALES;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use serde::Deserialize;
use wasm_bindgen_futures::JsFuture;

use crate::content::LocalisedLesson;
use crate::i18n::use_i18n;
use crate::lesson::{Preview, Reader};

const PUBLISH_URL: &str = "/api/v1/content/publish";
/// Where the trainer token is kept on this phone, so it is typed once.
const TOKEN_KEY: &str = "hocso.trainer_token";

/// The chosen folder's files: content path → the browser's `File` (read again by "check again").
type Chosen = Vec<(String, web_sys::File)>;

/// The chosen files, checked.
struct Checked {
    tree: ContentTree,
    /// As the server lists them too: `file:line:col`, and the line's text.
    problems: Vec<ProblemAt>,
    /// Content path → object URL of the chosen file (media in the preview).
    urls: BTreeMap<String, String>,
    /// Content path → bytes (what "publish" sends).
    files: BTreeMap<String, Vec<u8>>,
}

impl Checked {
    /// Problems of one lesson's folder (its files and media).
    fn lesson_problems(&self, folder: &LessonFolder) -> Vec<ProblemAt> {
        let prefix = format!("{}/", folder.relative_dir());
        self.problems.iter().filter(|p| p.file.starts_with(&prefix)).cloned().collect()
    }

    /// What publishing `folder` sends: its files, and its topic's `topic.md` and icon when chosen.
    /// Files the content tree does not read (it warned about them) stay behind: the server would
    /// refuse the whole upload for one of them (`check_upload_path`).
    fn lesson_files(&self, folder: &LessonFolder) -> Vec<(String, Vec<u8>)> {
        let lesson = format!("{}/", folder.relative_dir());
        let topic_file = format!("{}/{}", folder.topic, hocso_core::content::TOPIC_FILE);
        let topic_media = format!("{}/media/", folder.topic);
        self.files
            .iter()
            .filter(|(path, _)| path.starts_with(&lesson) || **path == topic_file || path.starts_with(&topic_media))
            .filter(|(path, _)| check_upload_path(path).is_ok())
            .map(|(path, bytes)| (path.clone(), bytes.clone()))
            .collect()
    }
}

#[derive(Clone)]
enum Load {
    Nothing,
    Reading,
    /// The chosen folder is not one the studio can place (a message key).
    Unplaced(&'static str),
    /// A file changed since it was chosen (the browser then refuses to read it): choose again.
    Changed(String),
    Ready(Arc<Checked>),
}

#[derive(Clone, PartialEq)]
enum Publish {
    Idle,
    Sending(String),
    Published {
        lesson: String,
        lessons: u64,
        version: String,
        warnings: usize,
    },
    /// The server refused: a sentence (translated heading key, the server's own words) and problems.
    Refused {
        lesson: String,
        key: &'static str,
        said: String,
        problems: Vec<ProblemAt>,
    },
}

/// `/team/studio`.
#[component]
pub fn Studio() -> impl IntoView {
    let i18n = use_i18n();
    let chosen = StoredValue::new_local(Chosen::new());
    let load = RwSignal::new(Load::Nothing);
    let preview = RwSignal::new(None::<(String, String)>);
    let publish = RwSignal::new(Publish::Idle);
    let token = RwSignal::new(saved_token().unwrap_or_default());
    let folder_input = NodeRef::<leptos::html::Input>::new();
    let files_input = NodeRef::<leptos::html::Input>::new();
    // Why the files just chosen one by one could not be placed (the last check stays on screen).
    let unplaced = RwSignal::new(None::<String>);
    let urls_to_free = StoredValue::new(Vec::<String>::new());

    // Reads the chosen files and checks them; an unreadable (changed) file means choosing again.
    let check = move || {
        let files = chosen.get_value();
        load.set(Load::Reading);
        publish.set(Publish::Idle);
        spawn_local(async move {
            let mut source = SourceFiles::new("");
            let mut urls = BTreeMap::new();
            for (path, file) in &files {
                match read_file(file).await {
                    Some(bytes) => {
                        source.files.insert(path.clone(), bytes);
                    }
                    None => {
                        load.set(Load::Changed(path.clone()));
                        return;
                    }
                }
                if path.contains("/media/") {
                    if let Ok(url) = web_sys::Url::create_object_url_with_blob(file) {
                        urls.insert(path.clone(), url);
                    }
                }
            }
            urls_to_free.update_value(|old| {
                for url in old.drain(..) {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
                old.extend(urls.values().cloned());
            });
            let files = source.files.clone();
            let tree = ContentTree::from_files(source.clone());
            // Errors first (what stops publishing), each kind by file and line.
            let mut problems: Vec<ProblemAt> = tree.report.problems.iter().map(|p| ProblemAt::new(p, &source)).collect();
            problems.sort_by_key(|p| p.severity != Severity::Error);
            load.set(Load::Ready(Arc::new(Checked { tree, problems, urls, files })));
        });
    };

    let on_folder = move |_| {
        let Some(input) = folder_input.get_untracked() else { return };
        let files: Vec<web_sys::File> = input.files().map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect()).unwrap_or_default();
        if files.is_empty() {
            return;
        }
        input.set_value("");
        unplaced.set(None);
        let relative: Vec<String> = files.iter().map(relative_path).collect();
        let as_str: Vec<&str> = relative.iter().map(String::as_str).collect();
        match content_paths(&as_str) {
            Err(error) => {
                chosen.set_value(Chosen::new());
                load.set(Load::Unplaced(match error {
                    ChosenFolderError::LessonFolder => "studio.lesson_folder",
                    ChosenFolderError::NoContent => "studio.no_content",
                }));
            }
            Ok(paths) => {
                chosen.set_value(paths.into_iter().zip(files).filter_map(|(path, file)| Some((path?, file))).collect());
                preview.set(None);
                check();
            }
        }
    };
    // Files chosen one by one join the chosen ones (a fixed file replaces the one at its place).
    let on_files = move |_| {
        let Some(input) = files_input.get_untracked() else { return };
        let files: Vec<web_sys::File> = input.files().map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect()).unwrap_or_default();
        input.set_value("");
        if files.is_empty() {
            return;
        }
        spawn_local(async move {
            let mut texts = Vec::new();
            for file in &files {
                match read_file(file).await {
                    Some(bytes) => texts.push(String::from_utf8(bytes).ok()),
                    None => {
                        unplaced.set(Some(i18n.t_with("studio.unreadable", &[("file", &file.name())])));
                        return;
                    }
                }
            }
            let names: Vec<String> = files.iter().map(web_sys::File::name).collect();
            let named: Vec<(&str, Option<&str>)> = names.iter().map(String::as_str).zip(texts.iter().map(Option::as_deref)).collect();
            match loose_file_paths(&named) {
                Err(LooseFileError::NoId(name)) => unplaced.set(Some(i18n.t_with("studio.no_id", &[("file", &name)]))),
                Err(LooseFileError::WhichLesson(name)) => unplaced.set(Some(i18n.t_with("studio.which_lesson", &[("file", &name)]))),
                Ok(paths) => {
                    unplaced.set(None);
                    chosen.update_value(|chosen| {
                        for (path, file) in paths.into_iter().zip(files) {
                            chosen.retain(|(known, _)| *known != path);
                            chosen.push((path, file));
                        }
                    });
                    check();
                }
            }
        });
    };
    // "Check again": reads the same files again; if one changed, the browser wants them chosen again.
    let recheck = move |_| {
        if chosen.with_value(Vec::is_empty) {
            if let Some(input) = folder_input.get_untracked() {
                input.click();
            }
        } else {
            check();
        }
    };
    let choose_again = move |_| {
        if let Some(input) = folder_input.get_untracked() {
            input.click();
        }
    };
    let choose_files = move |_| {
        if let Some(input) = files_input.get_untracked() {
            input.click();
        }
    };

    // A folder picker (`webkitdirectory`, which the view macro has no attribute for).
    Effect::new(move || {
        if let Some(input) = folder_input.get() {
            input.set_webkitdirectory(true);
        }
    });

    let send = move |folder: LessonFolder| {
        let Load::Ready(checked) = load.get_untracked() else { return };
        let lesson = folder.id.clone();
        let files = checked.lesson_files(&folder);
        let token_text = token.get_untracked().trim().to_owned();
        save_token(&token_text);
        publish.set(Publish::Sending(lesson.clone()));
        spawn_local(async move {
            publish.set(publish_files(&lesson, &files, &token_text).await);
        });
    };

    view! {
        <header class="bar">
            <A href="/team" attr:class="icon-button" attr:aria-label=move || i18n.t("nav.back")>"←"</A>
            <h1>{move || i18n.t("studio.title")}</h1>
        </header>
        <section class="studio">
            <p class="hint">{move || i18n.t("studio.intro")}</p>
            <label class="big-button wide file-button">
                {move || i18n.t("studio.choose_folder")}
                <input type="file" class="visually-hidden" multiple="" node_ref=folder_input on:change=on_folder/>
            </label>
            <label class="big-button secondary wide file-button">
                {move || i18n.t("studio.choose_files")}
                <input type="file" class="visually-hidden" multiple="" node_ref=files_input on:change=on_files/>
            </label>
            <button class="big-button secondary wide" on:click=recheck>{move || i18n.t("studio.check_again")}</button>
            {move || unplaced.get().map(|why| view! { <p class="error" role="alert">{why}</p> })}
            {move || match load.get() {
                Load::Nothing => ().into_any(),
                Load::Reading => view! { <p class="notice" aria-busy="true">{i18n.t("studio.reading")}</p> }.into_any(),
                Load::Unplaced(key) => view! { <p class="error" role="alert">{i18n.t(key)}</p> }.into_any(),
                Load::Changed(path) => view! {
                    <div class="error" role="alert">
                        <p>{i18n.t_with("studio.changed", &[("file", &path)])}</p>
                        <button class="big-button wide" on:click=choose_again>{i18n.t("studio.choose_again")}</button>
                        <button class="big-button secondary wide" on:click=choose_files>{i18n.t("studio.choose_files")}</button>
                    </div>
                }.into_any(),
                Load::Ready(checked) => view! { <Report checked preview publish token send/> }.into_any(),
            }}
        </section>
    }
}

/// The check's result: a summary, every problem, then each lesson with its preview and publish.
#[component]
fn Report(
    checked: Arc<Checked>,
    preview: RwSignal<Option<(String, String)>>,
    publish: RwSignal<Publish>,
    token: RwSignal<String>,
    send: impl Fn(LessonFolder) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let report = &checked.tree.report;
    let summary = i18n.t_with(
        "studio.summary",
        &[("lessons", &report.lessons.to_string()), ("errors", &report.error_count().to_string()), ("warnings", &report.warning_count().to_string())],
    );
    let problems = checked.problems.clone();
    let lessons: Vec<LessonFolder> = checked.tree.lessons.clone();
    let checked = StoredValue::new(checked);
    // On a phone the result is below the buttons: bring it into sight after each check.
    let summary_ref = NodeRef::<leptos::html::P>::new();
    Effect::new(move || {
        if let Some(summary) = summary_ref.get() {
            summary.scroll_into_view();
        }
    });
    view! {
        <p class="studio-summary" role="status" node_ref=summary_ref>{summary}</p>
        {(!problems.is_empty()).then(|| view! {
            <h2 class="section-title">{move || i18n.t("studio.problems")}</h2>
            <ProblemList problems/>
        })}
        <h2 class="section-title">{move || i18n.t("studio.lessons")}</h2>
        <label class="field studio-token">
            <span>{move || i18n.t("studio.token")}</span>
            <input type="password" autocomplete="off" prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/>
            <span class="hint">{move || i18n.t("studio.token_hint")}</span>
        </label>
        <ul class="studio-lessons">
            {lessons.into_iter().map(|folder| {
                let lesson_problems = checked.with_value(|c| c.lesson_problems(&folder));
                let errors = lesson_problems.iter().filter(|p| p.severity == Severity::Error).count();
                let title = folder.original().map(|f| f.parsed.lesson.meta.title.clone()).filter(|t| !t.is_empty()).unwrap_or_else(|| folder.id.clone());
                let locales: Vec<String> = LOCALES.iter().filter(|l| folder.files.contains_key(l.code)).map(|l| l.code.to_owned()).collect();
                let id = folder.id.clone();
                let folder = StoredValue::new(folder);
                let status = if errors > 0 {
                    i18n.t_with("studio.lesson_errors", &[("n", &errors.to_string())])
                } else {
                    i18n.t("studio.lesson_ok")
                };
                let id_for_publish = id.clone();
                view! {
                    <li class="studio-lesson" class:has-errors={errors > 0} data-lesson=id.clone()>
                        <h3>{title}</h3>
                        <p class="lesson-meta">{format!("{} · ", folder.with_value(LessonFolder::relative_dir))}<span class={if errors > 0 { "studio-bad" } else { "studio-good" }}>{status}</span></p>
                        <div class="studio-actions">
                            {locales.into_iter().map(|locale| {
                                let id = id.clone();
                                let label = i18n.t_with("studio.preview", &[("language", &language_name(&locale))]);
                                view! {
                                    <button class="big-button secondary" on:click=move |_| preview.set(Some((id.clone(), locale.clone())))>{label}</button>
                                }
                            }).collect_view()}
                            <button class="big-button" disabled={move || errors > 0 || matches!(publish.get(), Publish::Sending(_)) || token.with(|t| t.trim().is_empty())}
                                on:click=move |_| send(folder.get_value())>
                                {move || i18n.t("studio.publish")}
                            </button>
                        </div>
                        {(errors > 0).then(|| view! { <p class="hint">{move || i18n.t("studio.fix_first")}</p> })}
                        {move || publish_result(publish.get(), &id_for_publish)}
                    </li>
                }
            }).collect_view()}
        </ul>
        {move || preview.get().and_then(|(id, locale)| checked.with_value(|c| preview_view(c, &id, &locale, preview)))}
    }
}

/// Each problem as `file:line:col`, its severity and message, and the line it points at.
#[component]
fn ProblemList(problems: Vec<ProblemAt>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="studio-problems">
            {problems.into_iter().map(|p| {
                let error = p.severity == Severity::Error;
                let severity = if error { i18n.t("studio.error") } else { i18n.t("studio.warning") };
                let (line, col) = (p.position.line, p.position.col);
                // The line itself, with a caret under the column, so the trainer sees where.
                let shown = p.line_text.filter(|text| !text.trim().is_empty()).map(|text| {
                    let margin = " ".repeat(line.to_string().len() + 3);
                    view! {
                        <pre class="studio-line"><span class="studio-line-number">{format!("{line} | ")}</span>{text}"\n"<span aria-hidden="true">{format!("{margin}{}^", " ".repeat(col.saturating_sub(1) as usize))}</span></pre>
                    }
                });
                view! {
                    <li class=if error { "studio-problem error-problem" } else { "studio-problem" }>
                        <p class="studio-where"><code>{format!("{}:{line}:{col}", p.file)}</code>" "<strong>{severity}</strong></p>
                        <p>{p.message}</p>
                        {shown}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The lesson `id` in `locale` in a 360×640 frame, drawn by the learner's own reader.
fn preview_view(checked: &Checked, id: &str, locale: &str, shown: RwSignal<Option<(String, String)>>) -> Option<AnyView> {
    let i18n = use_i18n();
    let folder = checked.tree.lessons.iter().find(|l| l.id == id)?;
    let file = folder.files.get(locale)?;
    let dir = folder.relative_dir();
    let lesson = device_lesson(file, folder, &|name| checked.urls.get(&format!("{dir}/media/{name}")).cloned().unwrap_or_default());
    let topic_folder = checked.tree.topic(&folder.topic);
    let topic = CatalogueTopic {
        id: folder.topic.clone(),
        order: 0,
        colour: topic_folder
            .and_then(|t| t.file.as_ref())
            .map_or_else(|| hocso_core::content::DEFAULT_TOPIC_COLOUR.to_owned(), |f| f.parsed.topic.colour.clone()),
        icon: None,
        locales: BTreeMap::new(),
        packs: BTreeMap::new(),
        lessons: Vec::new(),
    };
    let localised = LocalisedLesson { lesson, version: "preview".to_owned(), locale: locale.to_owned() };
    let close = Callback::new(move |()| shown.set(None));
    let heading = i18n.t_with("studio.previewing", &[("lesson", id), ("language", &language_name(locale))]);
    let label = heading.clone();
    Some(
        view! {
            <section class="studio-preview" aria-label=label>
                <div class="studio-preview-bar">
                    <h2>{heading}</h2>
                    <button class="big-button secondary" on:click=move |_| close.run(())>{i18n.t("studio.close_preview")}</button>
                </div>
                <div class="phone-preview">
                    <div class="phone-preview-screen">
                        {provide_context(Preview { close }); view! { <Reader topic localised next=None/> }}
                    </div>
                </div>
            </section>
        }
        .into_any(),
    )
}

/// What came of publishing, under the lesson it was about.
fn publish_result(publish: Publish, lesson: &str) -> Option<AnyView> {
    let i18n = use_i18n();
    match publish {
        Publish::Sending(id) if id == lesson => Some(view! { <p class="notice" aria-busy="true">{i18n.t("studio.publishing")}</p> }.into_any()),
        Publish::Published { lesson: id, lessons, version, warnings } if id == lesson => Some(
            view! {
                <p class="studio-published" role="status">
                    {i18n.t_with("studio.published", &[("lessons", &lessons.to_string()), ("version", &version), ("warnings", &warnings.to_string())])}
                </p>
            }
            .into_any(),
        ),
        Publish::Refused { lesson: id, key, said, problems } if id == lesson => Some(
            view! {
                <div class="error" role="alert">
                    <p><strong>{i18n.t(key)}</strong></p>
                    {(!said.is_empty()).then(|| view! { <p>{said}</p> })}
                </div>
                {(!problems.is_empty()).then(|| view! { <ProblemList problems/> })}
            }
            .into_any(),
        ),
        _ => None,
    }
}

/// The language's own name, for the preview buttons.
fn language_name(code: &str) -> String {
    LOCALES.iter().find(|l| l.code == code).map_or_else(|| code.to_owned(), |l| l.native_name.to_owned())
}

/// `chosen/…` as the browser names a file of a chosen folder (its name alone if it has none).
fn relative_path(file: &web_sys::File) -> String {
    js_sys::Reflect::get(file, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).filter(|p| !p.is_empty()).unwrap_or_else(|| file.name())
}

/// The file's bytes; `None` when the browser cannot read it (it changed or went since it was chosen).
async fn read_file(file: &web_sys::File) -> Option<Vec<u8>> {
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn saved_token() -> Option<String> {
    storage()?.get_item(TOKEN_KEY).ok().flatten()
}

fn save_token(token: &str) {
    if let Some(storage) = storage() {
        let _ = if token.is_empty() { storage.remove_item(TOKEN_KEY) } else { storage.set_item(TOKEN_KEY, token) };
    }
}

/// Any other refusal of the API: `{error: code, message: sentence}`.
#[derive(Deserialize, Default)]
struct ApiRefusal {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

/// Sends the files to the server and says what it answered.
async fn publish_files(lesson: &str, files: &[(String, Vec<u8>)], token: &str) -> Publish {
    let engine = base64::engine::general_purpose::STANDARD;
    let body = UploadRequest { files: files.iter().map(|(path, bytes)| UploadedFile { path: path.clone(), base64: engine.encode(bytes) }).collect() };
    let refused = |key: &'static str, said: String, problems: Vec<ProblemAt>| Publish::Refused { lesson: lesson.to_owned(), key, said, problems };
    let request = match gloo_net::http::Request::post(PUBLISH_URL).header("Authorization", &format!("Bearer {token}")).json(&body) {
        Ok(request) => request,
        Err(error) => return refused("studio.refused_other", error.to_string(), Vec::new()),
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(_) => return refused("studio.offline", String::new(), Vec::new()),
    };
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status == 200 {
        return match serde_json::from_str::<UploadAnswer>(&text) {
            Ok(answer) if answer.published => Publish::Published {
                lesson: lesson.to_owned(),
                lessons: answer.lessons as u64,
                // Its first characters name it well enough for a person (the whole is a SHA-256).
                version: answer.catalogue_version.chars().take(12).collect(),
                warnings: answer.warnings.len(),
            },
            Ok(_) => refused("studio.not_published", String::new(), Vec::new()),
            Err(error) => refused("studio.refused_other", error.to_string(), Vec::new()),
        };
    }
    if status == 422 {
        if let Ok(refusal) = serde_json::from_str::<UploadRefusal>(&text) {
            return refused("studio.refused_errors", refusal.error, refusal.problems);
        }
    }
    let key = match status {
        401 => "studio.refused_token",
        403 => "studio.refused_role",
        _ => "studio.refused_other",
    };
    // The server's own sentence, else what it sent, else its status.
    let said = match serde_json::from_str::<ApiRefusal>(&text) {
        Ok(refusal) if !refusal.message.is_empty() => refusal.message,
        Ok(refusal) if !refusal.error.is_empty() => refusal.error,
        _ if !text.trim().is_empty() => text.chars().take(300).collect(),
        _ => format!("HTTP {status}"),
    };
    refused(key, said, Vec::new())
}
