//! The sync fault test against what ships: the app's real IndexedDB outbox in headless Chromium,
//! driven by the real engine through a network that drops, duplicates, delays and reorders
//! requests and kills the phone mid-sync, with a learner deleted half-way and the team server
//! restored from an older backup half-way. Every surviving answer reaches the server exactly once;
//! the deleted learner's never do.
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use hocso_app::store;
use hocso_app::sync::IndexedDbOutbox;
use hocso_core::profile::Profile;
use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sync::testing::{flaky, SimServer};
use hocso_core::sync::{Outbox, SyncEngine, SyncStatus};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The phone is switched off if a sync takes longer than `ms`: the sync's future is dropped
/// wherever it is (mid-request or mid-transaction), as a closed tab or a dead battery would.
async fn or_killed<F: Future>(future: F, ms: u32) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut timer = gloo_timers::future::TimeoutFuture::new(ms);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        if Pin::new(&mut timer).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

fn profile(id: &str) -> Profile {
    Profile { id: id.into(), nickname: id.into(), avatar: "fish".into(), colour: "#1565c0".into(), updated_at: 0, deleted: false }
}

#[wasm_bindgen_test]
async fn the_indexeddb_outbox_loses_and_doubles_nothing_through_faults_a_deleted_learner_and_a_restored_server() {
    let device = store::device_id().await.unwrap();
    let server = Rc::new(RefCell::new(SimServer::default()));
    let mut net = flaky(&server, &device, 0x5eed_1234);
    let mut outbox = IndexedDbOutbox::new(device.clone());
    let mut engine = SyncEngine::new(1);
    for learner in ["mai", "lan", "hoa"] {
        store::save_profile(profile(learner)).await.unwrap();
    }
    let (mut kills, mut rewound, mut backup) = (0, false, None);
    let mut alive = vec!["mai", "lan", "hoa"];
    for round in 0..150u32 {
        if round == 50 {
            backup = Some(server.borrow().clone());
        }
        if round == 70 {
            store::delete_profile("lan").await.unwrap();
            alive.retain(|l| *l != "lan");
        }
        if round == 110 {
            *server.borrow_mut() = backup.take().unwrap();
        }
        let n = if net.random().is_multiple_of(10) { 150 + net.random() % 150 } else { net.random() % 8 };
        for i in 0..n {
            let learner = alive[(net.random() % alive.len() as u64) as usize];
            store::record(learner, "pay-by-vietqr", "v1", EventKind::StepViewed { step: i as u32 }).await.unwrap();
        }
        let through = outbox.synced_through().await.unwrap();
        if or_killed(engine.sync(&mut outbox, &mut net, 1), 300).await.is_none() {
            kills += 1;
            engine = SyncEngine::new(u64::from(round));
        }
        rewound |= outbox.synced_through().await.unwrap() < through;
    }
    assert!(kills > 5, "the test must really kill the phone mid-sync ({kills})");
    assert!(rewound, "after the restore, the phone must send again from the server's acknowledgement");
    for fault in ["DropRequest", "DropResponse", "Duplicate", "Reorder", "ServerError"] {
        assert!(net.seen.get(fault).copied().unwrap_or(0) > 3, "{fault} injected too rarely: {:?}", net.seen);
    }

    // The signal heals: the phone sends what is left.
    net.faults_on = false;
    net.late.clear();
    let status = engine.sync(&mut outbox, &mut net, 2).await;
    assert_eq!(status, SyncStatus::Synced { at: 2 });
    assert_eq!(outbox.unsynced_count().await, Ok(0));

    let mine: Vec<ProgressEvent> = store::all_events().await.unwrap().into_iter().filter(|e| e.device_id == device).collect();
    let server = server.borrow();
    let stored: HashMap<&str, &ProgressEvent> = server.stored.iter().map(|e| (e.id.as_str(), e)).collect();
    assert_eq!(stored.len(), server.stored.len(), "an event was stored twice");
    assert_eq!(stored.keys().copied().collect::<HashSet<_>>(), mine.iter().map(|e| e.id.as_str()).collect::<HashSet<_>>());
    for event in &mine {
        assert_eq!(stored[event.id.as_str()], event, "the server's copy differs");
    }
    assert!(server.stored.iter().all(|e| e.learner_id != "lan"), "a deleted learner's answer reached the server");
    let erased = server.stored.iter().filter(|e| e.is_erased()).count();
    let kept = server.stored.iter().filter(|e| !e.is_erased()).count();
    assert!(erased > 0 && kept > erased, "erased {erased}, kept {kept}");
    assert!(server.profiles().any(|p| p.profile.id == "lan" && p.profile.deleted));
}
