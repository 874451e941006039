//! The engine against a simulated server behind a flaky network: nothing lost, nothing doubled.
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::*;
use crate::progress::EventKind;
use crate::sync::memory::MemoryOutbox;
use crate::sync::protocol::TeamProfile;
use crate::sync::testing::{flaky, FlakyNet, SimServer};

/// Polls a future that never really waits; `None` when it is still pending after many polls (the
/// phone was switched off in the middle).
fn run<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Some(out);
        }
    }
    None
}

fn profile(id: &str, nickname: &str, at: i64) -> Profile {
    Profile { id: id.into(), nickname: nickname.into(), avatar: "buffalo".into(), colour: "#c62828".into(), updated_at: at, deleted: false }
}

#[test]
fn a_flaky_network_a_dying_phone_a_deleted_learner_and_a_restored_server_never_lose_or_double_an_answer() {
    let server = Rc::new(RefCell::new(SimServer::default()));
    let devices = ["phone-a", "phone-b", "phone-c"];
    let mut outboxes: Vec<MemoryOutbox> = devices.iter().map(|d| MemoryOutbox::new(d)).collect();
    let mut nets: Vec<FlakyNet> = devices.iter().enumerate().map(|(i, d)| flaky(&server, d, 0x9e37 + i as u64)).collect();
    let mut engines: Vec<SyncEngine> = (0..devices.len()).map(|i| SyncEngine::new(i as u64)).collect();
    let mut now = 1_710_000_000_000;
    let mut kills = 0;
    let mut deleted: HashSet<String> = HashSet::new();
    let mut backup = None;
    let mut rewound = false;
    for round in 0..1_200u64 {
        let d = (round % devices.len() as u64) as usize;
        // Half-way through, the server is backed up; later it is restored from that backup.
        if round == 450 {
            backup = Some(server.borrow().clone());
        }
        if round == 900 {
            let before = server.borrow().stored.len();
            *server.borrow_mut() = backup.take().unwrap();
            assert!(server.borrow().stored.len() < before, "the restore must lose events");
        }
        // A family member moves away: her profile is deleted on the phone, offline, mid-way.
        if round == 301 || round == 602 {
            let learner = format!("learner-{d}-0");
            outboxes[d].delete_learner(&learner, now);
            deleted.insert(learner);
        }
        // Usually a few answers, sometimes more than two batches' worth.
        let n = if nets[d].random().is_multiple_of(8) { nets[d].random() % 450 } else { nets[d].random() % 30 } as usize;
        for i in 0..n {
            now += 1;
            let learner = format!("learner-{d}-{}", i % 3);
            if deleted.contains(&learner) {
                continue;
            }
            outboxes[d].record(&learner, "pay-by-vietqr", now, EventKind::StepViewed { step: i as u32 });
        }
        if round % 7 == 0 {
            outboxes[d].edit_profile(profile(&format!("learner-{}", round % 5), &format!("n{round}"), now));
        }
        let through = outboxes[d].synced_through();
        match run(engines[d].sync(&mut outboxes[d], &mut nets[d], now)) {
            Some(_) => {}
            None => {
                // The phone died mid-sync: its memory is gone, its storage stays.
                kills += 1;
                engines[d] = SyncEngine::new(round);
            }
        }
        rewound |= outboxes[d].synced_through() < through;
    }
    assert!(kills > 10, "the test must really kill phones mid-batch ({kills})");
    assert!(rewound, "after the restore, a phone must have sent again from the server's acknowledgement");
    for net in &nets {
        for fault in ["DropRequest", "DropResponse", "Duplicate", "Reorder", "ServerError", "KillAfterCommit"] {
            assert!(net.seen.get(fault).copied().unwrap_or(0) > 5, "{fault} injected too rarely: {:?}", net.seen);
        }
    }
    // The network heals: two clean syncs per phone send whatever is left and bring every phone the
    // others' last changes.
    for _ in 0..2 {
        for d in 0..devices.len() {
            nets[d].faults_on = false;
            nets[d].late.clear();
            let status = run(engines[d].sync(&mut outboxes[d], &mut nets[d], now)).unwrap();
            assert_eq!(status, SyncStatus::Synced { at: now });
            assert_eq!(run(outboxes[d].unsynced_count()).unwrap(), Ok(0));
        }
    }
    let server = server.borrow();
    let created: HashSet<&str> = outboxes.iter().flat_map(|o| o.events()).map(|e| e.id.as_str()).collect();
    let stored: Vec<&str> = server.stored.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(stored.len(), created.len(), "stored {} events for {} created", stored.len(), created.len());
    assert_eq!(stored.iter().copied().collect::<HashSet<_>>(), created);
    let by_id: HashMap<&str, &ProgressEvent> = server.stored.iter().map(|e| (e.id.as_str(), e)).collect();
    for outbox in &outboxes {
        assert!(outbox.events().all(|e| by_id[e.id.as_str()] == e), "{}: content differs", outbox.device_id());
    }
    // The deleted learners are forgotten everywhere; everyone else's answers all arrived.
    assert_eq!(deleted.len(), 2);
    assert!(server.stored.iter().all(|e| !deleted.contains(&e.learner_id)));
    let erased = server.stored.iter().filter(|e| e.is_erased()).count();
    let kept = server.stored.iter().filter(|e| !e.is_erased()).count();
    assert!(erased > 0 && kept > erased, "erased {erased}, kept {kept}");
    // Every phone ends with the same profiles as the server, tombstones included.
    let expected: Vec<&TeamProfile> = server.profiles().collect();
    assert!(expected.iter().filter(|p| p.profile.deleted).count() == 2);
    for outbox in &outboxes {
        assert_eq!(outbox.profiles().collect::<Vec<_>>(), expected);
    }
}

struct Scripted(Vec<HttpResponse>, Vec<HttpRequest>);
impl Transport for Scripted {
    fn send(&mut self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, NoAnswer>> {
        self.1.push(request);
        let answer = if self.0.is_empty() { Err(NoAnswer) } else { Ok(self.0.remove(0)) };
        std::future::ready(answer)
    }
}

fn answer(status: u16, body: &str) -> HttpResponse {
    HttpResponse { status, body: body.into() }
}

fn outbox_with(n: usize) -> MemoryOutbox {
    let mut outbox = MemoryOutbox::new("phone-a");
    for i in 0..n {
        outbox.record(if i % 2 == 0 { "mai" } else { "lan" }, "l", i as i64, EventKind::LessonStarted);
    }
    outbox
}

fn pushed(request: &HttpRequest) -> PushRequest {
    serde_json::from_str(request.body.as_deref().unwrap()).unwrap()
}

fn ok_push(acked: u64) -> HttpResponse {
    answer(200, &format!(r#"{{"acked_through_seq":{acked},"stored":1,"duplicates":0,"profiles_applied":0}}"#))
}

fn pull_page(acked: u64) -> HttpResponse {
    answer(200, &format!(r#"{{"profiles":[],"catalogue_version":null,"acked_through_seq":{acked},"cursor":"r1","has_more":false}}"#))
}

#[test]
fn numbers_left_without_an_event_by_an_older_app_are_sent_as_erased_placeholders() {
    // Events 2, 4 and 6 belonged to "lan", whom an older app deleted outright.
    let mut outbox = outbox_with(6);
    outbox.forget_events("lan");
    outbox.record("mai", "l", 7, EventKind::LessonStarted);
    let mut net = Scripted(vec![ok_push(7), pull_page(7)], vec![]);
    let status = run(SyncEngine::new(1).sync(&mut outbox, &mut net, 5)).unwrap();
    assert_eq!(status, SyncStatus::Synced { at: 5 });
    let sent = pushed(&net.1[0]).events;
    assert_eq!(sent.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(sent.iter().map(|e| e.is_erased()).collect::<Vec<_>>(), [false, true, false, true, false, true, false]);
    assert!(sent.iter().filter(|e| e.is_erased()).all(|e| e.learner_id.is_empty() && e.at == 0));
}

#[test]
fn a_deleted_learner_is_sent_as_placeholders_and_a_tombstone() {
    let mut outbox = outbox_with(4);
    outbox.edit_profile(profile("lan", "Lan", 1));
    outbox.delete_learner("lan", 9);
    let mut net = Scripted(vec![ok_push(4), pull_page(4)], vec![]);
    run(SyncEngine::new(1).sync(&mut outbox, &mut net, 10)).unwrap();
    let push = pushed(&net.1[0]);
    assert!(push.events.iter().all(|e| e.learner_id != "lan"));
    assert_eq!(push.events.iter().filter(|e| e.is_erased()).count(), 2);
    assert_eq!(push.profiles, [Profile::tombstone("lan", 9)]);
}

#[test]
fn one_refused_record_is_set_aside_and_the_others_are_sent() {
    let mut outbox = outbox_with(3);
    outbox.edit_profile(profile("mai", &format!("Mai{}", "🌸".repeat(40)), 1));
    let refused_event = answer(422, r#"{"error":"invalid_event","message":"event \"phone-a:2\": at is not a plausible time","record":"phone-a:2"}"#);
    let refused_profile = answer(422, r#"{"error":"invalid_profile","message":"profile \"mai\": nickname too long","record":"mai"}"#);
    let mut net = Scripted(vec![refused_event, refused_profile, ok_push(3), pull_page(3)], vec![]);
    let status = run(SyncEngine::new(1).sync(&mut outbox, &mut net, 5)).unwrap();
    assert_eq!(status, SyncStatus::Synced { at: 5 });
    let last = pushed(&net.1[2]);
    assert!(last.profiles.is_empty(), "the refused profile is not sent again");
    assert_eq!(last.events.len(), 3);
    assert!(last.events[1].is_erased() && !last.events[0].is_erased() && !last.events[2].is_erased());
    let kept: Vec<_> = outbox.set_aside_records().map(|(id, _)| id.as_str()).collect();
    assert_eq!(kept, ["mai", "phone-a:2"]);
    assert_eq!(outbox.events().filter(|e| e.is_erased()).count(), 0, "the phone keeps its own copy");
}

#[test]
fn a_refusal_naming_no_record_of_this_phone_stops_and_waits_for_a_person() {
    let mut outbox = outbox_with(3);
    let refused = answer(422, r#"{"error":"invalid_event","message":"no","record":"phone-z:1"}"#);
    let status = run(SyncEngine::new(1).sync(&mut outbox, &mut Scripted(vec![refused], vec![]), 5)).unwrap();
    assert_eq!(status, SyncStatus::Failed { reason: FailReason::Rejected("no".into()) });
}

#[test]
fn a_server_restored_from_an_older_backup_gets_everything_again() {
    let mut outbox = outbox_with(5);
    outbox.edit_profile(profile("mai", "Mai", 1));
    let mut net = Scripted(vec![ok_push(5), pull_page(5)], vec![]);
    run(SyncEngine::new(1).sync(&mut outbox, &mut net, 5)).unwrap();
    assert_eq!(outbox.synced_through(), 5);
    // The server is restored to a copy that held only events 1 and 2 and no profile.
    outbox.record("mai", "l", 6, EventKind::LessonStarted);
    let mut net = Scripted(vec![ok_push(2), ok_push(6), pull_page(6)], vec![]);
    let status = run(SyncEngine::new(1).sync(&mut outbox, &mut net, 7)).unwrap();
    assert_eq!(status, SyncStatus::Synced { at: 7 });
    let again = pushed(&net.1[1]);
    assert_eq!(again.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5, 6]);
    assert_eq!(again.profiles.len(), 1, "the profile this phone wrote is sent again");
    assert_eq!(outbox.synced_through(), 6);
}

#[test]
fn a_restore_seen_only_in_the_pull_also_sends_everything_again() {
    let mut outbox = outbox_with(5);
    let mut net = Scripted(vec![ok_push(5), pull_page(5)], vec![]);
    run(SyncEngine::new(1).sync(&mut outbox, &mut net, 5)).unwrap();
    let mut net = Scripted(vec![pull_page(1), ok_push(5), pull_page(5)], vec![]);
    let status = run(SyncEngine::new(1).sync(&mut outbox, &mut net, 6)).unwrap();
    assert_eq!(status, SyncStatus::Synced { at: 6 });
    assert_eq!(pushed(&net.1[1]).events.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3, 4, 5]);
}

/// An outbox whose storage fails when told to.
struct BrokenStore(MemoryOutbox, bool);

impl Outbox for BrokenStore {
    fn device_id(&self) -> String {
        self.0.device_id().to_owned()
    }
    async fn synced_through(&mut self) -> OutboxResult<u64> {
        Outbox::synced_through(&mut self.0).await
    }
    async fn unsynced_events(&mut self, limit: usize) -> OutboxResult<Vec<ProgressEvent>> {
        if self.1 {
            return Err(StoreFailure("UnknownError: the disk is gone".into()));
        }
        self.0.unsynced_events(limit).await
    }
    async fn unsynced_count(&mut self) -> OutboxResult<usize> {
        self.0.unsynced_count().await
    }
    async fn set_synced_through(&mut self, seq: u64) -> OutboxResult<()> {
        self.0.set_synced_through(seq).await
    }
    async fn changed_profiles(&mut self) -> OutboxResult<Vec<Profile>> {
        self.0.changed_profiles().await
    }
    async fn mark_profiles_synced(&mut self, sent: &[Profile]) -> OutboxResult<()> {
        self.0.mark_profiles_synced(sent).await
    }
    async fn set_aside(&mut self, record: &str, reason: &str) -> OutboxResult<bool> {
        self.0.set_aside(record, reason).await
    }
    async fn pull_cursor(&mut self) -> OutboxResult<Option<String>> {
        self.0.pull_cursor().await
    }
    async fn apply_pull(&mut self, page: &PullResponse) -> OutboxResult<()> {
        self.0.apply_pull(page).await
    }
}

#[test]
fn a_storage_failure_is_reported_and_retried_never_shown_as_synced() {
    let mut outbox = BrokenStore(outbox_with(2), true);
    let mut engine = SyncEngine::new(1);
    let status = run(engine.sync(&mut outbox, &mut Scripted(vec![], vec![]), 5)).unwrap();
    assert_eq!(status, SyncStatus::Failed { reason: FailReason::Storage("UnknownError: the disk is gone".into()) });
    assert!(engine.retry_at().is_some(), "storage may work again later");
    outbox.1 = false;
    let status = run(engine.sync(&mut outbox, &mut Scripted(vec![ok_push(2), pull_page(2)], vec![]), 9)).unwrap();
    assert_eq!(status, SyncStatus::Synced { at: 9 });
}

#[test]
fn events_leave_the_outbox_only_when_acknowledged_and_in_batches_of_at_most_200() {
    let mut outbox = outbox_with(450);
    let ok = |acked: u64| answer(200, &format!(r#"{{"acked_through_seq":{acked},"stored":1,"duplicates":0,"profiles_applied":0}}"#));
    let mut net = Scripted(vec![ok(200), ok(400)], vec![]);
    let status = run(SyncEngine::new(1).sync(&mut outbox, &mut net, 5)).unwrap();
    assert_eq!(status, SyncStatus::Failed { reason: FailReason::Offline });
    assert_eq!(outbox.synced_through(), 400, "the third batch got no answer, so it stays");
    let sizes: Vec<usize> = net.1.iter().map(|r| serde_json::from_str::<PushRequest>(r.body.as_deref().unwrap()).unwrap().events.len()).collect();
    assert_eq!(sizes, [200, 200, 50]);
}

#[test]
fn a_revoked_phone_stops_and_waits_for_a_person() {
    let mut outbox = outbox_with(3);
    let mut engine = SyncEngine::new(1);
    let mut net = Scripted(vec![answer(401, r#"{"error":"token_revoked","message":"…"}"#)], vec![]);
    let status = run(engine.sync(&mut outbox, &mut net, 5)).unwrap();
    assert_eq!(status, SyncStatus::Failed { reason: FailReason::Revoked });
    assert_eq!(engine.retry_at(), None);
    assert_eq!(outbox.synced_through(), 0);
}

#[test]
fn a_refused_batch_shows_the_servers_sentence_and_is_not_retried() {
    let mut outbox = outbox_with(3);
    let mut engine = SyncEngine::new(1);
    let body = r#"{"error":"learner_of_another_team","message":"learner \"mai\" belongs to another team"}"#;
    let status = run(engine.sync(&mut outbox, &mut Scripted(vec![answer(403, body)], vec![]), 5)).unwrap();
    assert_eq!(status, SyncStatus::Failed { reason: FailReason::Rejected("learner \"mai\" belongs to another team".into()) });
    assert_eq!(engine.retry_at(), None);
}

#[test]
fn an_acknowledgement_that_does_not_cover_the_batch_stops_instead_of_looping() {
    let mut outbox = outbox_with(3);
    let stuck = answer(200, r#"{"acked_through_seq":0,"stored":0,"duplicates":3,"profiles_applied":0}"#);
    let status = run(SyncEngine::new(1).sync(&mut outbox, &mut Scripted(vec![stuck], vec![]), 5)).unwrap();
    assert!(matches!(status, SyncStatus::Failed { reason: FailReason::Rejected(_) }), "{status:?}");
}

#[test]
fn failures_back_off_exponentially_with_jitter_and_success_resets() {
    let mut outbox = outbox_with(1);
    let mut engine = SyncEngine::new(42).with_backoff(Backoff { base_ms: 1_000, max_ms: 60_000 });
    let mut delays = Vec::new();
    for _ in 0..10 {
        let status = run(engine.sync(&mut outbox, &mut Scripted(vec![answer(503, "")], vec![]), 0)).unwrap();
        assert_eq!(status, SyncStatus::Failed { reason: FailReason::Server });
        delays.push(engine.retry_at().unwrap());
    }
    for (n, delay) in delays.iter().enumerate() {
        let full = (1_000i64 << n).min(60_000);
        assert!((full / 2..=full).contains(delay), "failure {}: {delay} not in [{}, {full}]", n + 1, full / 2);
    }
    assert!(*delays.last().unwrap() <= 60_000);
    let ok = answer(200, r#"{"acked_through_seq":1,"stored":1,"duplicates":0,"profiles_applied":0}"#);
    let pulled = answer(200, r#"{"profiles":[],"catalogue_version":null,"acked_through_seq":1,"cursor":"0","has_more":false}"#);
    let status = run(engine.sync(&mut outbox, &mut Scripted(vec![ok, pulled], vec![]), 9)).unwrap();
    assert_eq!(status, SyncStatus::Synced { at: 9 });
    assert_eq!((engine.failures(), engine.retry_at()), (0, None));
}

#[test]
fn jitter_spreads_phones_that_failed_together() {
    let backoff = Backoff::default();
    let delays: HashSet<u64> = (0..50u64)
        .map(|seed| {
            let mut engine = SyncEngine::new(seed * 7919);
            backoff.delay_ms(3, engine.next_random())
        })
        .collect();
    assert!(delays.len() > 40, "{delays:?}");
}

#[test]
fn saved_answers_show_as_waiting_until_synced() {
    let mut engine = SyncEngine::new(1);
    assert_eq!(engine.status(), &SyncStatus::Idle);
    engine.note_unsynced(12);
    assert_eq!(engine.status(), &SyncStatus::Waiting { unsynced: 12 });
}

#[test]
fn cursors_are_sent_back_percent_encoded() {
    assert_eq!(percent_encode("12.6d61 i/&"), "12.6d61%20i%2F%26");
}
