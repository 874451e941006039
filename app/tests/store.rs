//! The IndexedDB store, in real headless Chromium (`cargo xtask test`).
use hocso_app::store;
use hocso_core::progress::{EventKind, LessonStatus, Progress};
use hocso_core::sync::protocol::Profile;
use rexie::TransactionMode;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn profile(id: &str) -> Profile {
    Profile { id: id.into(), nickname: format!("nick {id}"), avatar: "fish".into(), colour: "#1565c0".into(), updated_at: 0, deleted: false }
}

#[wasm_bindgen_test]
async fn recorded_events_read_back_in_order_with_gapless_sequence_numbers() {
    let learner = "learner-readback";
    store::record(learner, "pay-by-vietqr", "v1", EventKind::LessonStarted).await.unwrap();
    for step in 0..5 {
        store::record(learner, "pay-by-vietqr", "v1", EventKind::StepViewed { step }).await.unwrap();
    }
    let mut events = store::events_of(learner).await.unwrap();
    assert_eq!(events.len(), 6);
    events.sort_by_key(|e| e.seq);
    let device = store::device_id().await.unwrap();
    assert!(events.iter().all(|e| e.device_id == device && e.id == format!("{device}:{}", e.seq)));
    assert!(events.windows(2).all(|w| w[1].seq == w[0].seq + 1), "sequence numbers have gaps");
    assert_eq!(Progress::fold(learner, &events).lesson("pay-by-vietqr").status(), LessonStatus::InProgress { step: 4 });

    // The sync outbox reads this device's events after a given seq, lowest first.
    let after = store::device_events_after(&device, events[2].seq, 100).await.unwrap();
    let seqs: Vec<u64> = after.iter().filter(|e| e.learner_id == learner).map(|e| e.seq).collect();
    assert_eq!(seqs, events[3..].iter().map(|e| e.seq).collect::<Vec<_>>());
}

#[wasm_bindgen_test]
async fn the_events_of_one_tap_are_stored_together_with_consecutive_numbers() {
    let learner = "learner-one-tap";
    let before = store::record(learner, "pay-by-vietqr", "v1", EventKind::DrillStarted { drill: 0 }).await.unwrap();
    let last_tap = vec![EventKind::DrillStepAnswered { drill: 0, step: 0, correct: true }, EventKind::DrillCompleted { drill: 0, mistakes: 0 }];
    let stored = store::record_all(learner, "pay-by-vietqr", "v1", last_tap.clone()).await.unwrap();
    assert_eq!(stored.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(), last_tap);
    assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), [before.seq + 1, before.seq + 2]);
    // The next event takes the number after them: last_seq moved with the same transaction.
    let next = store::record(learner, "pay-by-vietqr", "v1", EventKind::LessonStarted).await.unwrap();
    assert_eq!(next.seq, before.seq + 3);
    assert_eq!(store::events_of(learner).await.unwrap().len(), 4);
}

#[wasm_bindgen_test]
async fn deleting_a_profile_removes_its_events_and_leaves_others() {
    store::save_profile(profile("keep-me")).await.unwrap();
    store::save_profile(profile("delete-me")).await.unwrap();
    store::record("keep-me", "l", "v1", EventKind::LessonStarted).await.unwrap();
    store::record("delete-me", "l", "v1", EventKind::LessonStarted).await.unwrap();
    store::record("delete-me", "l", "v1", EventKind::StepViewed { step: 1 }).await.unwrap();

    let before: Vec<_> = store::all_events().await.unwrap().into_iter().filter(|e| e.learner_id == "delete-me").collect();
    assert_eq!(store::delete_profile("delete-me").await.unwrap(), 2);
    assert!(store::events_of("delete-me").await.unwrap().is_empty());
    // Each became its content-free placeholder with the same id and number: no hole in the outbox.
    let all = store::all_events().await.unwrap();
    for event in &before {
        let now = all.iter().find(|e| e.id == event.id).expect("the number stays");
        assert_eq!(now, &hocso_core::progress::ProgressEvent::erased(&event.device_id, event.seq));
    }
    assert_eq!(store::events_of("keep-me").await.unwrap().len(), 1);
    let ids: Vec<String> = store::profiles().await.unwrap().into_iter().map(|p| p.id).collect();
    assert!(ids.contains(&"keep-me".to_owned()) && !ids.contains(&"delete-me".to_owned()));
}

#[wasm_bindgen_test]
async fn importing_the_same_events_twice_adds_them_once() {
    let learner = "learner-import";
    let first = store::record(learner, "l", "v1", EventKind::LessonStarted).await.unwrap();
    let mut foreign = first.clone();
    foreign.device_id = "other-phone".into();
    foreign.seq = 7;
    foreign.id = "other-phone:7".into();
    let backup = vec![first.clone(), foreign.clone()];
    assert_eq!(store::merge_events(&backup).await.unwrap(), 1, "only the other phone's event is new");
    assert_eq!(store::merge_events(&backup).await.unwrap(), 0, "a second import adds nothing");
    assert_eq!(store::events_of(learner).await.unwrap().len(), 2);
}

#[wasm_bindgen_test]
async fn migration_from_v1_to_v2_keeps_events_and_adds_the_outbox_index() {
    let name = "hocso-migration-test";
    let _ = rexie::Rexie::delete(name).await;
    let v1 = store::open_database(name, 1).await.unwrap();
    use serde::Serialize;
    let record = serde_json::json!({
        "event": {"id": "phone-x:1", "device_id": "phone-x", "seq": 1, "learner_id": "mai", "lesson_id": "l",
                  "lesson_version": "v1", "at": 1, "kind": {"type": "lesson_started"}}
    })
    .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
    .unwrap();
    let tx = v1.transaction(&["events"], TransactionMode::ReadWrite).unwrap();
    tx.store("events").unwrap().add(&record, None).await.unwrap();
    tx.done().await.unwrap();
    assert!(tx_index_names(&v1).await.iter().all(|n| n != "by_device_seq"));
    v1.close();

    let v2 = store::open_database(name, 2).await.unwrap();
    assert_eq!(v2.version().unwrap(), 2);
    assert!(tx_index_names(&v2).await.contains(&"by_device_seq".to_owned()));
    let tx = v2.transaction(&["events"], TransactionMode::ReadOnly).unwrap();
    let key = js_sys::Array::of2(&JsValue::from_str("phone-x"), &JsValue::from_f64(1.0));
    let found = tx.store("events").unwrap().index("by_device_seq").unwrap().get(key.into()).await.unwrap();
    assert!(found.is_some(), "the v1 event is kept and reachable through the new index");
    v2.close();
}

async fn tx_index_names(db: &rexie::Rexie) -> Vec<String> {
    let tx = db.transaction(&["events"], TransactionMode::ReadOnly).unwrap();
    tx.store("events").unwrap().index_names()
}

#[wasm_bindgen_test]
async fn an_imported_profile_keeps_its_edit_time_and_never_beats_a_later_edit() {
    let mine = store::save_profile(profile("import-edited-here")).await.unwrap();
    let mut stale = mine.clone();
    stale.nickname = "old name from the backup".into();
    stale.updated_at = mine.updated_at - 60_000;
    assert!(!store::import_profile(&stale).await.unwrap(), "an older backup does not overwrite");

    let mut newer = mine.clone();
    newer.nickname = "renamed on the other phone".into();
    newer.updated_at = mine.updated_at + 60_000;
    assert!(store::import_profile(&newer).await.unwrap());

    let mut unknown = profile("import-new-here");
    unknown.updated_at = 1_700_000_000_000;
    assert!(store::import_profile(&unknown).await.unwrap(), "a learner this phone lacks is added");

    let profiles = store::profiles().await.unwrap();
    let find = |id: &str| profiles.iter().find(|p| p.id == id).cloned().unwrap();
    assert_eq!(find("import-edited-here"), newer, "kept as in the backup, edit time included");
    assert_eq!(find("import-new-here").updated_at, 1_700_000_000_000);
    let dirty: Vec<String> = store::changed_profiles().await.unwrap().into_iter().map(|p| p.id).collect();
    assert!(dirty.contains(&"import-new-here".to_owned()), "imported learners are sent to the team");
}

#[wasm_bindgen_test]
async fn migration_to_v3_keeps_events_and_a_blob_comes_back_whole() {
    let name = "hocso-migration-v3-test";
    let _ = rexie::Rexie::delete(name).await;
    let v2 = store::open_database(name, 2).await.unwrap();
    let record = js_sys::JSON::parse(
        r#"{"event": {"id": "phone-y:1", "device_id": "phone-y", "seq": 1, "learner_id": "mai", "lesson_id": "l",
             "lesson_version": "v1", "at": 1, "kind": {"type": "lesson_started"}}}"#,
    )
    .unwrap();
    let tx = v2.transaction(&["events"], TransactionMode::ReadWrite).unwrap();
    tx.store("events").unwrap().add(&record, None).await.unwrap();
    tx.done().await.unwrap();
    v2.close();

    let v3 = store::open_database(name, 3).await.unwrap();
    assert_eq!(v3.version().unwrap(), 3);
    let stores = v3.store_names();
    assert!(stores.contains(&store::SOUNDS.to_owned()) && stores.contains(&store::TAKES.to_owned()), "{stores:?}");
    let tx = v3.transaction(&["events"], TransactionMode::ReadOnly).unwrap();
    assert!(tx.store("events").unwrap().get(JsValue::from_str("phone-y:1")).await.unwrap().is_some(), "the v2 event is kept");
    v3.close();

    // The app's own database (SCHEMA_VERSION 3): a sound's bytes survive IndexedDB as a Blob.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"sha256".into(), &"abc123".into()).unwrap();
    js_sys::Reflect::set(&object, &"blob".into(), &blob).unwrap();
    store::put_object(store::SOUNDS, &object).await.unwrap();
    assert!(store::object_keys(store::SOUNDS).await.unwrap().contains(&"abc123".to_owned()));
    let back = store::get_object(store::SOUNDS, "abc123").await.unwrap().expect("stored");
    let blob: web_sys::Blob = js_sys::Reflect::get(&back, &"blob".into()).unwrap().into();
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.unwrap();
    assert_eq!(js_sys::Uint8Array::new(&buffer).to_vec(), bytes);
    store::delete_object(store::SOUNDS, "abc123").await.unwrap();
    assert!(store::get_object(store::SOUNDS, "abc123").await.unwrap().is_none());
}
