//! Which topic each lesson belongs to, from the published `catalogue.json`.
use std::collections::HashMap;
use std::path::Path;

use hocso_core::content::Catalogue;

/// Which topic each lesson belongs to, in the catalogue's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonTopics {
    /// (topic id, its lesson ids), in catalogue order.
    pub topics: Vec<(String, Vec<String>)>,
    topic_of: HashMap<String, String>,
}

impl LessonTopics {
    pub fn new(catalogue: &Catalogue) -> Self {
        let topics: Vec<(String, Vec<String>)> =
            catalogue.topics.iter().map(|t| (t.id.clone(), t.lessons.iter().map(|l| l.id.clone()).collect())).collect();
        Self::from_topics(topics)
    }

    /// From (topic id, its lesson ids) pairs, in order.
    pub fn from_topics(topics: Vec<(String, Vec<String>)>) -> Self {
        let topic_of = topics.iter().flat_map(|(topic, lessons)| lessons.iter().map(move |l| (l.clone(), topic.clone()))).collect();
        Self { topics, topic_of }
    }

    /// The published `catalogue.json`; with none (or an unreadable one) every lesson's topic is
    /// unknown and the counts are still right.
    pub async fn load(path: &Path) -> Self {
        read_catalogue(path).await.map_or_else(Self::default, |catalogue| Self::new(&catalogue))
    }

    pub fn topic_of(&self, lesson_id: &str) -> Option<&str> {
        self.topic_of.get(lesson_id).map(String::as_str)
    }

    /// Every lesson of the catalogue with its topic, in order, then `others` (lessons not in the
    /// catalogue, in the order given) with no topic.
    pub fn in_order<'a>(&'a self, others: impl IntoIterator<Item = &'a str>) -> Vec<(&'a str, Option<&'a String>)> {
        let catalogue = self.topics.iter().flat_map(|(topic, ids)| ids.iter().map(move |id| (id.as_str(), Some(topic))));
        let others = others.into_iter().filter(|id| self.topic_of(id).is_none()).map(|id| (id, None));
        catalogue.chain(others).collect()
    }
}

/// The published `catalogue.json`, or `None` when there is none or it cannot be read (logged).
pub async fn read_catalogue(path: &Path) -> Option<Catalogue> {
    let bytes = tokio::fs::read(path).await.ok()?;
    serde_json::from_slice::<Catalogue>(&bytes)
        .map_err(|error| tracing::warn!(path = %path.display(), %error, "the content catalogue cannot be read: topics unknown in reports"))
        .ok()
}
