//! A hook for `cargo xtask bench`: times recording answers through the real store, in the real
//! browser. Exported to JS (Trunk exposes it as `window.wasmBindings.benchRecordAnswers`); it
//! writes under a throw-away learner and deletes everything it wrote afterwards.
use hocso_core::progress::EventKind;
use wasm_bindgen::prelude::*;

use crate::store;

const BENCH_LEARNER: &str = "bench-learner";

/// Records `count` answers one by one (each its own transaction, as in the quiz) and returns each
/// one's duration in milliseconds.
#[wasm_bindgen(js_name = benchRecordAnswers)]
pub async fn bench_record_answers(count: u32) -> Result<Vec<f64>, JsError> {
    let performance = web_sys::window().and_then(|w| w.performance()).ok_or_else(|| JsError::new("no performance clock"))?;
    let mut timings = Vec::with_capacity(count as usize);
    for i in 0..count {
        let kind = EventKind::QuestionAnswered { question: i % 5, chosen: vec![i % 3], correct: i % 2 == 0 };
        let started = performance.now();
        store::record(BENCH_LEARNER, "bench-lesson", "bench", kind).await.map_err(|e| JsError::new(&format!("{e:?}")))?;
        timings.push(performance.now() - started);
    }
    store::delete_profile(BENCH_LEARNER).await.map_err(|e| JsError::new(&format!("{e:?}")))?;
    Ok(timings)
}
