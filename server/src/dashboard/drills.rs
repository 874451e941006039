//! Which drills and screens the published lessons have, from `catalogue.json` and the packs it
//! lists (what `hocso serve` publishes from its `dist/content/`), so the team dashboard counts only
//! drill events about screens that exist.
//!
//! A drill event names its drill and screen by index in the lesson version the phone had. The
//! indices of another version (another language, or the lesson before a trainer changed it) are
//! other screens, and a phone of the team may send any index the sync protocol allows (up to
//! `MAX_DRILLS_PER_LESSON` drills of `MAX_DRILL_STEPS` screens). Hence the rule of
//! [`PublishedDrills::has_screen`].
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use hocso_core::content::{Catalogue, TopicPack, CONTENT_URL};

/// For each published lesson and each of its current versions (one per language), the number of
/// screens of each drill, in the lesson's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishedDrills {
    /// `None`: the server publishes no readable catalogue, so nothing can be checked.
    lessons: Option<HashMap<String, HashMap<String, Vec<usize>>>>,
}

impl PublishedDrills {
    /// With no catalogue: every index the sync protocol allows is taken as it comes.
    pub fn unknown() -> Self {
        Self { lessons: None }
    }

    /// From (lesson id, version, screens of each drill).
    pub fn from_versions<'a>(versions: impl IntoIterator<Item = (&'a str, &'a str, Vec<usize>)>) -> Self {
        let mut lessons: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        for (lesson, version, drills) in versions {
            lessons.entry(lesson.to_owned()).or_default().insert(version.to_owned(), drills);
        }
        Self { lessons: Some(lessons) }
    }

    /// Reads the packs of `catalogue` (whose file is `catalogue_path`, the packs beside it) for the
    /// lessons that have drills. A lesson version whose pack is missing, unreadable or holds
    /// another version of it is logged and has no screens here (its drill events then count in
    /// no "most missed" screen) rather than failing the dashboard.
    pub async fn load(catalogue_path: &Path, catalogue: Option<&Catalogue>) -> Self {
        let Some(catalogue) = catalogue else { return Self::unknown() };
        let content_dir = catalogue_path.parent().unwrap_or(Path::new("."));
        let mut versions: Vec<(String, String, Vec<usize>)> = Vec::new();
        for topic in &catalogue.topics {
            for (locale, entry) in &topic.packs {
                let wanted: HashMap<&str, &str> = topic
                    .lessons
                    .iter()
                    .filter_map(|l| l.locales.get(locale).filter(|l| l.drills > 0).map(|v| (l.id.as_str(), v.version.as_str())))
                    .collect();
                // Every lesson is listed even without drills: its events then count nowhere.
                for lesson in &topic.lessons {
                    if let Some(v) = lesson.locales.get(locale).filter(|v| v.drills == 0) {
                        versions.push((lesson.id.clone(), v.version.clone(), Vec::new()));
                    }
                }
                if wanted.is_empty() {
                    continue;
                }
                let Some(path) = pack_path(content_dir, &entry.url) else {
                    tracing::warn!(url = %entry.url, "a pack's URL in the catalogue is not under {CONTENT_URL}/: its drills are not counted");
                    continue;
                };
                let pack = match tokio::fs::read(&path)
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| serde_json::from_slice::<TopicPack>(&bytes).map_err(|e| e.to_string()))
                {
                    Ok(pack) => pack,
                    Err(error) => {
                        tracing::warn!(path = %path.display(), %error, "a content pack cannot be read: its drills count in no \"most missed\" screen");
                        continue;
                    }
                };
                for packed in &pack.lessons {
                    let id = packed.lesson.meta.id.as_str();
                    if wanted.get(id) == Some(&packed.version.as_str()) {
                        versions.push((id.to_owned(), packed.version.clone(), packed.lesson.drills().iter().map(|d| d.steps.len()).collect()));
                    }
                }
            }
        }
        Self::from_versions(versions.iter().map(|(lesson, version, drills)| (lesson.as_str(), version.as_str(), drills.clone())))
    }

    /// Whether screen `step` of drill `drill` of `lesson` as `version` is one the server publishes
    /// now: the lesson is in the catalogue, `version` is one of its current versions, and that
    /// version has the drill and the screen. With no catalogue at all, always (nothing to check
    /// against; the indices stay within the sync protocol's bounds).
    pub fn has_screen(&self, lesson: &str, version: &str, drill: u32, step: u32) -> bool {
        let Some(lessons) = &self.lessons else { return true };
        lessons
            .get(lesson)
            .and_then(|versions| versions.get(version))
            .and_then(|drills| drills.get(drill as usize))
            .is_some_and(|screens| (step as usize) < *screens)
    }

    /// Whether a completed drill `drill` of `lesson` as `version` can be real: always for a lesson
    /// or a version the server does not publish now (an older version's drills cannot be checked,
    /// and were done all the same), and for a current version, when it has that drill.
    pub fn may_have_drill(&self, lesson: &str, version: &str, drill: u32) -> bool {
        match self.lessons.as_ref().and_then(|lessons| lessons.get(lesson)).and_then(|versions| versions.get(version)) {
            Some(drills) => (drill as usize) < drills.len(),
            None => true,
        }
    }
}

/// The file of a pack whose URL (as the catalogue lists it) is `url`: under `content_dir`, with
/// nothing but plain names after [`CONTENT_URL`] (never `..`).
fn pack_path(content_dir: &Path, url: &str) -> Option<PathBuf> {
    let relative = Path::new(url.strip_prefix(CONTENT_URL)?.strip_prefix('/')?);
    let plain = relative.components().next().is_some() && relative.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| content_dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_screens_of_a_current_version_count_and_no_catalogue_checks_nothing() {
        let published = PublishedDrills::from_versions([("l", "v2", vec![3, 1]), ("l", "en1", vec![2]), ("plain", "p1", vec![])]);
        assert!(published.has_screen("l", "v2", 0, 2));
        assert!(published.has_screen("l", "v2", 1, 0));
        assert!(!published.has_screen("l", "v2", 0, 3), "past the drill's last screen");
        assert!(!published.has_screen("l", "v2", 2, 0), "past the lesson's last drill");
        assert!(!published.has_screen("l", "v2", u32::MAX, u32::MAX));
        assert!(published.has_screen("l", "en1", 0, 1), "another language's current version");
        assert!(!published.has_screen("l", "v1", 0, 0), "an older version");
        assert!(!published.has_screen("gone", "v1", 0, 0), "a lesson not in the catalogue");
        assert!(!published.has_screen("plain", "p1", 0, 0), "a lesson without drills");
        assert!(PublishedDrills::unknown().has_screen("any", "v", 19, 39));

        assert!(published.may_have_drill("l", "v2", 1) && !published.may_have_drill("l", "v2", 2));
        assert!(published.may_have_drill("l", "v1", 7), "an older version's drills were done all the same");
        assert!(published.may_have_drill("gone", "v1", 0));
        assert!(!published.may_have_drill("plain", "p1", 0));
    }

    #[test]
    fn a_pack_url_outside_the_content_folder_is_refused() {
        let dir = Path::new("/srv/dist/content");
        assert_eq!(pack_path(dir, "/content/packs/a.vi.json"), Some(dir.join("packs/a.vi.json")));
        for url in ["/content/../secret.json", "/other/packs/a.vi.json", "/content//etc/passwd", "/contentx/a.json", "/content/"] {
            assert_eq!(pack_path(dir, url), None, "{url}");
        }
    }
}
