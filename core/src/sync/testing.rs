//! A team server and a flaky network in memory, for tests of the sync engine: the server's rules
//! (insert-or-ignore by id, gap-free acknowledgement, last-writer-wins profiles with final
//! deletions, erased placeholders) and a network that drops, duplicates, delays and reorders
//! requests and kills the phone mid-sync. Used by core's tests and by the app's browser test, which
//! runs the same faults against the real IndexedDB outbox (`--features testing`).
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::engine::{HttpRequest, HttpResponse, Method, NoAnswer, Transport};
use super::protocol::{PullResponse, PushRequest, PushResponse, TeamProfile, CLIENT_BATCH, MAX_EVENTS_PER_PUSH};
use crate::profile::replaces;
use crate::progress::ProgressEvent;

/// The server's rules, in memory: insert-or-ignore by id, gap-free acknowledgement, LWW profiles,
/// erased placeholders and tombstones that erase a learner's events. Cloned to stand for a backup.
#[derive(Default, Clone)]
pub struct SimServer {
    pub stored: Vec<ProgressEvent>,
    ids: HashSet<String>,
    acked: HashMap<String, u64>,
    seqs: HashMap<String, HashSet<u64>>,
    profiles: BTreeMap<String, (TeamProfile, u64)>,
    rev: u64,
    pushes: usize,
}

impl SimServer {
    /// The team's profiles as the server holds them, by id.
    pub fn profiles(&self) -> impl Iterator<Item = &TeamProfile> {
        self.profiles.values().map(|(p, _)| p)
    }

    pub fn handle(&mut self, device: &str, request: &HttpRequest) -> HttpResponse {
        match request.method {
            Method::Post => {
                self.pushes += 1;
                let push: PushRequest = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
                assert!(push.events.len() <= CLIENT_BATCH && push.events.len() <= MAX_EVENTS_PER_PUSH);
                let (mut stored, mut duplicates) = (0, 0);
                let deleted: HashSet<String> = self.profiles.values().filter(|(p, _)| p.profile.deleted).map(|(p, _)| p.profile.id.clone()).collect();
                for mut event in push.events {
                    assert_eq!(event.device_id, device);
                    if deleted.contains(&event.learner_id) {
                        event = ProgressEvent::erased(device, event.seq);
                    }
                    if event.is_erased() {
                        // Acknowledged, and nothing of the learner kept (a stored copy is wiped too).
                        if let Some(stored) = self.stored.iter_mut().find(|e| e.id == event.id) {
                            *stored = event;
                            duplicates += 1;
                            continue;
                        }
                    }
                    if self.ids.insert(event.id.clone()) {
                        self.seqs.entry(device.into()).or_default().insert(event.seq);
                        self.stored.push(event);
                        stored += 1;
                    } else {
                        duplicates += 1;
                    }
                }
                let mut profiles_applied = 0;
                for profile in push.profiles {
                    let wins = self
                        .profiles
                        .get(&profile.id)
                        .is_none_or(|(current, _)| replaces(profile.version(device), current.profile.version(&current.device_id)));
                    if wins {
                        if profile.deleted {
                            for event in self.stored.iter_mut().filter(|e| e.learner_id == profile.id) {
                                *event = ProgressEvent::erased(&event.device_id.clone(), event.seq);
                            }
                        }
                        profiles_applied += 1;
                        self.rev += 1;
                        let record = TeamProfile { profile: profile.clone(), device_id: device.into() };
                        self.profiles.insert(profile.id, (record, self.rev));
                    }
                }
                let acked = self.acked.entry(device.into()).or_default();
                let seqs = self.seqs.entry(device.into()).or_default();
                while seqs.contains(&(*acked + 1)) {
                    *acked += 1;
                }
                let answer = PushResponse { acked_through_seq: *acked, stored, duplicates, profiles_applied };
                HttpResponse { status: 200, body: serde_json::to_string(&answer).unwrap() }
            }
            Method::Get => {
                let query = request.path.split_once('?').unwrap().1;
                let params: HashMap<&str, &str> = query.split('&').filter_map(|kv| kv.split_once('=')).collect();
                let since: u64 = params.get("cursor").map_or(0, |c| c.parse().unwrap());
                // A cursor from before a restore is beyond this server's revisions: start again.
                let since = if since > self.rev { 0 } else { since };
                let limit: usize = params["limit"].parse().unwrap();
                let mut changed: Vec<&(TeamProfile, u64)> = self.profiles.values().filter(|(_, rev)| *rev > since).collect();
                changed.sort_by_key(|(_, rev)| *rev);
                let page: Vec<&(TeamProfile, u64)> = changed.iter().take(limit).copied().collect();
                let has_more = changed.len() > page.len();
                let cursor = page.last().map_or(since, |(_, rev)| *rev);
                let answer = PullResponse {
                    profiles: page.into_iter().map(|(p, _)| p.clone()).collect(),
                    catalogue_version: Some("c1".into()),
                    acked_through_seq: self.acked.get(device).copied().unwrap_or(0),
                    cursor: cursor.to_string(),
                    has_more,
                    recordings: None,
                };
                HttpResponse { status: 200, body: serde_json::to_string(&answer).unwrap() }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    DropRequest,
    DropResponse,
    Duplicate,
    /// Held back and delivered later, after newer requests (the client sees no answer).
    Reorder,
    ServerError,
    /// The phone dies after the server committed the batch, before it hears the answer.
    KillAfterCommit,
    /// The phone dies before the request leaves.
    KillBeforeSend,
}

pub struct FlakyNet {
    server: Rc<RefCell<SimServer>>,
    device: String,
    rng: u64,
    pub late: Vec<HttpRequest>,
    /// Off: every request goes through and is answered.
    pub faults_on: bool,
    /// How often each fault was injected, by name.
    pub seen: HashMap<&'static str, usize>,
}

impl FlakyNet {
    pub fn random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn pick(&mut self) -> Fault {
        if !self.faults_on {
            return Fault::None;
        }
        match self.random() % 20 {
            0..=1 => Fault::DropRequest,
            2..=3 => Fault::DropResponse,
            4 => Fault::Duplicate,
            5 => Fault::Reorder,
            6 => Fault::ServerError,
            7 => Fault::KillAfterCommit,
            8 => Fault::KillBeforeSend,
            _ => Fault::None,
        }
    }
}

struct Never;
impl Future for Never {
    type Output = Result<HttpResponse, NoAnswer>;
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Pending
    }
}

impl Transport for FlakyNet {
    fn send(&mut self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, NoAnswer>> {
        // Late requests from earlier rounds arrive now, out of order.
        if !self.late.is_empty() && self.random().is_multiple_of(3) {
            let index = (self.random() as usize) % self.late.len();
            let late = self.late.remove(index);
            self.server.borrow_mut().handle(&self.device.clone(), &late);
        }
        let fault = self.pick();
        *self.seen.entry(format!("{fault:?}").leak()).or_default() += 1;
        let device = self.device.clone();
        let mut server = self.server.borrow_mut();
        let outcome: Option<Result<HttpResponse, NoAnswer>> = match fault {
            Fault::None => Some(Ok(server.handle(&device, &request))),
            Fault::DropRequest => Some(Err(NoAnswer)),
            Fault::DropResponse => {
                server.handle(&device, &request);
                Some(Err(NoAnswer))
            }
            Fault::Duplicate => {
                server.handle(&device, &request);
                Some(Ok(server.handle(&device, &request)))
            }
            Fault::Reorder => {
                drop(server);
                self.late.push(request);
                Some(Err(NoAnswer))
            }
            Fault::ServerError => Some(Ok(HttpResponse { status: 500, body: String::new() })),
            Fault::KillAfterCommit => {
                server.handle(&device, &request);
                None
            }
            Fault::KillBeforeSend => None,
        };
        async move {
            match outcome {
                Some(result) => result,
                None => Never.await,
            }
        }
    }
}

pub fn flaky(server: &Rc<RefCell<SimServer>>, device: &str, seed: u64) -> FlakyNet {
    FlakyNet { server: server.clone(), device: device.into(), rng: seed, late: Vec::new(), faults_on: true, seen: HashMap::new() }
}
