//! An [`Outbox`] in memory: the reference for the app's IndexedDB outbox, and the phone in tests.
use std::collections::BTreeMap;
use std::future::{ready, Future};

use super::engine::Outbox;
use super::protocol::{profile_write_wins, Profile, PullResponse, TeamProfile};
use crate::progress::{EventKind, ProgressEvent};

#[derive(Debug, Clone, Default)]
pub struct MemoryOutbox {
    device_id: String,
    /// Every event this phone recorded, synced or not (progress is folded from them).
    events: BTreeMap<u64, ProgressEvent>,
    synced_through: u64,
    /// The team's profiles as this phone knows them, with the device that wrote each version.
    profiles: BTreeMap<String, TeamProfile>,
    /// Profiles edited here and not yet acknowledged.
    changed: BTreeMap<String, Profile>,
    cursor: Option<String>,
    catalogue_version: Option<String>,
}

impl MemoryOutbox {
    pub fn new(device_id: &str) -> Self {
        Self { device_id: device_id.to_owned(), ..Self::default() }
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Records a learner's action as the next event of this phone.
    pub fn record(&mut self, learner_id: &str, lesson_id: &str, at: i64, kind: EventKind) -> ProgressEvent {
        let seq = self.events.keys().next_back().copied().unwrap_or(0).max(self.synced_through) + 1;
        let event = ProgressEvent {
            id: ProgressEvent::event_id(&self.device_id, seq),
            device_id: self.device_id.clone(),
            seq,
            learner_id: learner_id.to_owned(),
            lesson_id: lesson_id.to_owned(),
            lesson_version: "v1".to_owned(),
            at,
            kind,
        };
        self.events.insert(seq, event.clone());
        event
    }

    /// Saves a profile edited on this phone.
    pub fn edit_profile(&mut self, profile: Profile) {
        self.profiles
            .insert(profile.id.clone(), TeamProfile { profile: profile.clone(), device_id: self.device_id.clone() });
        self.changed.insert(profile.id.clone(), profile);
    }

    pub fn events(&self) -> impl Iterator<Item = &ProgressEvent> {
        self.events.values()
    }

    pub fn synced_through(&self) -> u64 {
        self.synced_through
    }

    pub fn profiles(&self) -> impl Iterator<Item = &TeamProfile> {
        self.profiles.values()
    }

    pub fn catalogue_version(&self) -> Option<&str> {
        self.catalogue_version.as_deref()
    }

    fn unsynced(&self) -> impl Iterator<Item = &ProgressEvent> {
        self.events.range(self.synced_through + 1..).map(|(_, e)| e)
    }
}

impl Outbox for MemoryOutbox {
    fn unsynced_events(&mut self, limit: usize) -> impl Future<Output = Vec<ProgressEvent>> {
        ready(self.unsynced().take(limit).cloned().collect())
    }

    fn unsynced_count(&mut self) -> impl Future<Output = usize> {
        ready(self.unsynced().count())
    }

    fn mark_synced_through(&mut self, seq: u64) -> impl Future<Output = ()> {
        self.synced_through = self.synced_through.max(seq);
        ready(())
    }

    fn changed_profiles(&mut self) -> impl Future<Output = Vec<Profile>> {
        ready(self.changed.values().cloned().collect())
    }

    fn mark_profiles_synced(&mut self, sent: &[Profile]) -> impl Future<Output = ()> {
        for profile in sent {
            if self.changed.get(&profile.id) == Some(profile) {
                self.changed.remove(&profile.id);
            }
        }
        ready(())
    }

    fn pull_cursor(&mut self) -> impl Future<Output = Option<String>> {
        ready(self.cursor.clone())
    }

    fn apply_pull(&mut self, page: &PullResponse) -> impl Future<Output = ()> {
        for remote in &page.profiles {
            let wins = self.profiles.get(&remote.profile.id).is_none_or(|local| {
                profile_write_wins(
                    remote.profile.updated_at,
                    &remote.device_id,
                    local.profile.updated_at,
                    &local.device_id,
                )
            });
            if wins {
                self.changed.remove(&remote.profile.id);
                self.profiles.insert(remote.profile.id.clone(), remote.clone());
            }
        }
        self.cursor = Some(page.cursor.clone());
        self.catalogue_version = page.catalogue_version.clone();
        ready(())
    }
}
