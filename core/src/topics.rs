//! The three topics of the "Digital Education for All" movement that HocSo teaches.
//! Their names live in `locales/` (`topic.<id>.title`, `topic.<id>.summary`); lessons name their
//! topic by id in the front matter, and the content validator rejects any other id.

/// A topic of lessons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topic {
    pub id: &'static str,
    /// Accent colour of the topic's tiles and screens (CSS colour), so it is recognised without reading.
    pub colour: &'static str,
}

pub const TOPICS: &[Topic] = &[
    Topic { id: "public-services", colour: "#1565c0" },
    Topic { id: "cashless-payment", colour: "#2e7d32" },
    Topic { id: "data-safety", colour: "#c62828" },
];

pub fn topic(id: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.id == id)
}

impl Topic {
    pub fn title_key(&self) -> String {
        format!("topic.{}.title", self.id)
    }

    pub fn summary_key(&self) -> String {
        format!("topic.{}.summary", self.id)
    }
}
