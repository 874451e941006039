//! Runs in real headless Chromium (`cargo xtask test`): the browser layers of the app.
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn chosen_language_is_remembered_in_local_storage() {
    assert!(hocso_app::prefs::save_language("hmn"));
    assert_eq!(hocso_app::prefs::saved_language().as_deref(), Some("hmn"));
    assert!(hocso_app::prefs::save_language("vi"));
    assert_eq!(hocso_app::prefs::saved_language().as_deref(), Some("vi"));
}

#[wasm_bindgen_test]
fn compiled_in_vietnamese_has_every_topic_title() {
    let vi = hocso_app::i18n::vietnamese();
    for topic in hocso_core::topics::TOPICS {
        assert!(vi.get(&topic.title_key()).is_some(), "{}", topic.id);
    }
}
