//! Lessons for the views: the catalogue and topic packs that `hocso content build` publishes under
//! `/content/`. The service worker keeps a copy of each fetched file, so a topic opened (or
//! downloaded) once works offline. Pack URLs carry their version, so a copy is never stale.
use std::collections::BTreeMap;

use hocso_core::content::{Catalogue, CatalogueLesson, CatalogueTopic, Lesson, TopicPack};
use hocso_core::i18n::REFERENCE_LOCALE;
use serde::de::DeserializeOwned;

pub const CATALOGUE_URL: &str = "/content/catalogue.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentError {
    /// No network and no copy on this phone.
    Offline,
    /// The server answered with an error or something unreadable.
    Broken(String),
    /// The learner tapped "reload" for a new version: downloads stop so it can take over.
    StoppedForUpdate,
    /// Fetched, but the phone could not keep it (full storage…): the store's sentence key.
    NotKept(&'static str),
}

impl ContentError {
    pub fn message_key(&self) -> &'static str {
        match self {
            ContentError::Offline => "content.error_offline",
            ContentError::Broken(_) => "content.error_broken",
            ContentError::StoppedForUpdate => "content.stopped_for_update",
            ContentError::NotKept(key) => key,
        }
    }
}

/// A GET of `url` exactly as written. gloo-net appends its own (empty) query to a URL that has one,
/// so `…?v=1` would go out as `…?v=1&`: another URL to every cache than the `<img src>` the
/// lesson shows (the service worker also keys content by `?v=` alone, see `contentKey` in sw.js).
fn get(url: &str) -> gloo_net::http::RequestBuilder {
    match url.split_once('?') {
        None => gloo_net::http::Request::get(url),
        Some((path, query)) => {
            // gloo-net encodes the pairs again, so they go in decoded.
            let decode = |text: &str| js_sys::decode_uri_component(&text.replace('+', " ")).map(String::from).unwrap_or_else(|_| text.to_string());
            let pairs: Vec<(String, String)> = query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(name), decode(value))
                })
                .collect();
            gloo_net::http::Request::get(path).query(pairs.iter().map(|(name, value)| (name.as_str(), value)))
        }
    }
}

async fn fetch_json<T: DeserializeOwned>(url: &str) -> Result<T, ContentError> {
    let response = get(url).send().await.map_err(|_| ContentError::Offline)?;
    if !response.ok() {
        return Err(if response.status() == 503 || response.status() == 504 {
            ContentError::Offline
        } else {
            ContentError::Broken(format!("{url}: HTTP {}", response.status()))
        });
    }
    response.json::<T>().await.map_err(|e| ContentError::Broken(format!("{url}: {e}")))
}

pub async fn fetch_catalogue() -> Result<Catalogue, ContentError> {
    fetch_json(CATALOGUE_URL).await
}

fn pack_url(topic: &CatalogueTopic, locale: &str) -> Option<String> {
    topic.packs.get(locale).map(|pack| format!("{}?v={}", pack.url, pack.version))
}

/// The lessons of a topic as a learner of `locale` sees them: each lesson in that language where it
/// exists, otherwise in Vietnamese (the view marks those as fallbacks).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicLessons {
    pub lessons: BTreeMap<String, LocalisedLesson>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalisedLesson {
    pub lesson: Lesson,
    pub version: String,
    /// The language the lesson is shown in (`vi` when the chosen one lacks it).
    pub locale: String,
}

impl LocalisedLesson {
    pub fn is_fallback(&self, wanted: &str) -> bool {
        self.locale != wanted
    }
}

/// Fetches the topic's Vietnamese pack and, if different, the chosen language's pack.
pub async fn fetch_topic(topic: &CatalogueTopic, locale: &str) -> Result<TopicLessons, ContentError> {
    let mut result = TopicLessons::default();
    let mut locales = vec![REFERENCE_LOCALE];
    if locale != REFERENCE_LOCALE && topic.packs.contains_key(locale) {
        locales.push(locale);
    }
    for code in locales {
        let Some(url) = pack_url(topic, code) else { continue };
        let pack: TopicPack = fetch_json(&url).await?;
        for packed in pack.lessons {
            result
                .lessons
                .insert(packed.lesson.meta.id.clone(), LocalisedLesson { lesson: packed.lesson, version: packed.version, locale: code.to_owned() });
        }
    }
    Ok(result)
}

/// The catalogue's title of a lesson in `locale`, else Vietnamese.
pub fn lesson_title(lesson: &CatalogueLesson, locale: &str) -> (String, bool) {
    match lesson.locales.get(locale) {
        Some(l) => (l.title.clone(), false),
        None => (lesson.locales.get(REFERENCE_LOCALE).map(|l| l.title.clone()).unwrap_or_else(|| lesson.id.clone()), true),
    }
}

/// How many practice drills a lesson holds (translations keep the original's drills).
pub fn drill_count(lesson: &CatalogueLesson) -> usize {
    lesson.locales.get(REFERENCE_LOCALE).or_else(|| lesson.locales.values().next()).map_or(0, |l| l.drills as usize)
}

/// Bytes to download for a topic in a language (pack + media of the lessons shown).
pub fn topic_download_size(topic: &CatalogueTopic, locale: &str) -> u64 {
    let packs: u64 = [REFERENCE_LOCALE, locale].iter().filter_map(|l| topic.packs.get(*l)).map(|p| p.bytes).sum();
    let media: u64 =
        topic.lessons.iter().filter_map(|l| l.locales.get(locale).or_else(|| l.locales.get(REFERENCE_LOCALE))).map(|l| l.media_bytes).sum();
    packs + media
}

/// Which media of a topic to fetch: only pictures (small, kept for every topic in the background),
/// or sound too (large, only when the learner asks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    Pictures,
    PicturesAndSound,
}

/// Every media URL of the given lessons (for "download this topic").
pub fn media_urls(lessons: &TopicLessons, media: Media) -> Vec<String> {
    use hocso_core::content::{Block, Inline};
    fn inline_urls(inlines: &[Inline], out: &mut Vec<String>) {
        for inline in inlines {
            match inline {
                Inline::Link { href, children } => {
                    if href.starts_with("/content/media/") {
                        out.push(href.clone());
                    }
                    inline_urls(children, out);
                }
                Inline::Strong { children } | Inline::Emphasis { children } => inline_urls(children, out),
                _ => {}
            }
        }
    }
    fn block_urls(blocks: &[Block], sound: bool, out: &mut Vec<String>) {
        for block in blocks {
            match block {
                Block::Image { src, .. } => out.push(src.clone()),
                Block::Audio { src, .. } if sound => out.push(src.clone()),
                Block::Paragraph { content } => inline_urls(content, out),
                Block::List { items, .. } => items.iter().for_each(|item| block_urls(item, sound, out)),
                Block::Audio { .. } | Block::Practice(_) => {}
            }
        }
    }
    let mut urls = Vec::new();
    for localised in lessons.lessons.values() {
        urls.extend(localised.lesson.meta.icon.clone());
        for step in &localised.lesson.steps {
            block_urls(&step.blocks, media == Media::PicturesAndSound, &mut urls);
        }
    }
    urls.sort();
    urls.dedup();
    urls
}

/// The versions of a topic's packs, as one string: what a download of the topic is valid for.
pub fn topic_versions(topic: &CatalogueTopic) -> String {
    topic.packs.values().map(|p| p.version.as_str()).collect::<Vec<_>>().join(",")
}

/// Fetches a topic's lessons in `locale` (and Vietnamese) and their media, so the service worker
/// keeps them all for offline use.
pub async fn download_topic(topic: &CatalogueTopic, locale: &str, media: Media) -> Result<(), ContentError> {
    let lessons = fetch_topic(topic, locale).await?;
    download_all(&media_urls(&lessons, media)).await
}

/// Fetches every URL so the service worker keeps a copy; fails on the first one that cannot be had.
pub async fn download_all(urls: &[String]) -> Result<(), ContentError> {
    for url in urls {
        if crate::pwa::is_updating() {
            return Err(ContentError::StoppedForUpdate);
        }
        let response = get(url).send().await.map_err(|_| ContentError::Offline)?;
        if !response.ok() {
            return Err(ContentError::Broken(format!("{url}: HTTP {}", response.status())));
        }
        // The body must arrive whole: the service worker keeps the copy only then.
        response.binary().await.map_err(|_| ContentError::Offline)?;
    }
    Ok(())
}
