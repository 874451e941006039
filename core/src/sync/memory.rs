//! An [`Outbox`] in memory: the reference for the app's IndexedDB outbox, and the phone in tests.
use std::collections::BTreeMap;
use std::future::{ready, Future};

use super::engine::{Outbox, OutboxResult};
use super::protocol::{Profile, PullResponse, TeamProfile};
use crate::profile::replaces;
use crate::progress::{EventKind, ProgressEvent};

#[derive(Debug, Clone, Default)]
pub struct MemoryOutbox {
    device_id: String,
    /// Every event this phone recorded, synced or not (progress is folded from them).
    events: BTreeMap<u64, ProgressEvent>,
    /// The last number given to an event: never reused, even when that event is gone.
    last_seq: u64,
    synced_through: u64,
    /// The team's profiles as this phone knows them, with the device that wrote each version.
    profiles: BTreeMap<String, TeamProfile>,
    /// Profiles edited here and not yet acknowledged.
    changed: BTreeMap<String, Profile>,
    /// Events and profiles the server refused, by id, with its reason: kept here, not sent.
    set_aside: BTreeMap<String, String>,
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
        let seq = self.last_seq.max(self.synced_through) + 1;
        self.last_seq = seq;
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

    /// Deletes a learner as the app does: their profile becomes a tombstone and each of their events
    /// an erased placeholder with the same id and `seq` (the device's numbering stays whole).
    pub fn delete_learner(&mut self, learner_id: &str, at: i64) {
        for event in self.events.values_mut().filter(|e| e.learner_id == learner_id) {
            *event = ProgressEvent::erased(&event.device_id, event.seq);
        }
        self.edit_profile(Profile::tombstone(learner_id, at));
    }

    /// Removes events outright, as app versions before erasure did when a learner was deleted
    /// (their holes must not stop the sync).
    pub fn forget_events(&mut self, learner_id: &str) {
        self.events.retain(|_, e| e.learner_id != learner_id);
    }

    /// Records refused by the server and kept here: (id, reason).
    pub fn set_aside_records(&self) -> impl Iterator<Item = (&String, &String)> {
        self.set_aside.iter()
    }

    /// Saves a profile edited on this phone.
    pub fn edit_profile(&mut self, profile: Profile) {
        self.profiles.insert(profile.id.clone(), TeamProfile { profile: profile.clone(), device_id: self.device_id.clone() });
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
    fn device_id(&self) -> String {
        self.device_id.clone()
    }

    fn synced_through(&mut self) -> impl Future<Output = OutboxResult<u64>> {
        ready(Ok(self.synced_through))
    }

    fn unsynced_events(&mut self, limit: usize) -> impl Future<Output = OutboxResult<Vec<ProgressEvent>>> {
        let events = self
            .unsynced()
            .take(limit)
            .map(|e| if self.set_aside.contains_key(&e.id) { ProgressEvent::erased(&e.device_id, e.seq) } else { e.clone() })
            .collect();
        ready(Ok(events))
    }

    fn unsynced_count(&mut self) -> impl Future<Output = OutboxResult<usize>> {
        ready(Ok(self.unsynced().count()))
    }

    fn set_synced_through(&mut self, seq: u64) -> impl Future<Output = OutboxResult<()>> {
        if seq < self.synced_through {
            for written_here in self.profiles.values().filter(|p| p.device_id == self.device_id) {
                self.changed.insert(written_here.profile.id.clone(), written_here.profile.clone());
            }
        }
        self.synced_through = seq;
        ready(Ok(()))
    }

    fn changed_profiles(&mut self) -> impl Future<Output = OutboxResult<Vec<Profile>>> {
        ready(Ok(self.changed.values().cloned().collect()))
    }

    fn mark_profiles_synced(&mut self, sent: &[Profile]) -> impl Future<Output = OutboxResult<()>> {
        for profile in sent {
            if self.changed.get(&profile.id) == Some(profile) {
                self.changed.remove(&profile.id);
            }
        }
        ready(Ok(()))
    }

    fn set_aside(&mut self, record: &str, reason: &str) -> impl Future<Output = OutboxResult<bool>> {
        let waiting_event = self.unsynced().any(|e| e.id == record);
        let waiting_profile = self.changed.remove(record).is_some();
        if waiting_event || waiting_profile {
            self.set_aside.insert(record.to_owned(), reason.to_owned());
        }
        ready(Ok(waiting_event || waiting_profile))
    }

    fn pull_cursor(&mut self) -> impl Future<Output = OutboxResult<Option<String>>> {
        ready(Ok(self.cursor.clone()))
    }

    fn apply_pull(&mut self, page: &PullResponse) -> impl Future<Output = OutboxResult<()>> {
        for remote in &page.profiles {
            let wins = self
                .profiles
                .get(&remote.profile.id)
                .is_none_or(|local| replaces(remote.profile.version(&remote.device_id), local.profile.version(&local.device_id)));
            if wins {
                self.changed.remove(&remote.profile.id);
                self.profiles.insert(remote.profile.id.clone(), remote.clone());
                if remote.profile.deleted {
                    // Deleted on another phone: this phone erases that learner's events too.
                    for event in self.events.values_mut().filter(|e| e.learner_id == remote.profile.id) {
                        *event = ProgressEvent::erased(&event.device_id, event.seq);
                    }
                }
            }
        }
        self.cursor = Some(page.cursor.clone());
        self.catalogue_version = page.catalogue_version.clone();
        ready(Ok(()))
    }
}
