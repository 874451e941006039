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
fn compiled_in_vietnamese_has_the_review_line() {
    // Topic titles are content now (the catalogue); the lesson's "checked by" line is the app's.
    let vi = hocso_app::i18n::vietnamese();
    assert!(vi.get("lesson.reviewed_by").is_some_and(|text| text.contains("{who}") && text.contains("{date}")));
}

#[wasm_bindgen_test]
fn storage_use_is_shown_in_megabytes_with_one_decimal() {
    use hocso_app::settings::megabytes;
    assert_eq!(megabytes(0.0), "0.0 MB");
    assert_eq!(megabytes(2.5 * 1_048_576.0), "2.5 MB");
    assert_eq!(megabytes(0.96 * 1_048_576.0), "1.0 MB");
    assert_eq!(megabytes(123_456_789.0), "117.7 MB");
}
