//! Small device preferences kept in `localStorage` (the language). Learner progress does NOT live
//! here: it belongs in IndexedDB, which survives better and holds structured events.

const LANGUAGE_KEY: &str = "hocso.language";

fn local_storage() -> Option<web_sys::Storage> {
    // Private modes or disabled storage give None: the app then simply forgets the preference.
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language the device chose last time, if any.
pub fn saved_language() -> Option<String> {
    local_storage()?.get_item(LANGUAGE_KEY).ok().flatten()
}

/// Remembers the chosen language; returns false when the browser refused to store it.
pub fn save_language(code: &str) -> bool {
    local_storage().is_some_and(|s| s.set_item(LANGUAGE_KEY, code).is_ok())
}

const LEARNER_KEY: &str = "hocso.learner";
const LARGE_TEXT_KEY: &str = "hocso.large_text";

/// The profile that was learning last on this phone.
pub fn saved_learner() -> Option<String> {
    local_storage()?.get_item(LEARNER_KEY).ok().flatten()
}

pub fn save_learner(id: Option<&str>) {
    if let Some(storage) = local_storage() {
        let _ = match id {
            Some(id) => storage.set_item(LEARNER_KEY, id),
            None => storage.remove_item(LEARNER_KEY),
        };
    }
}

pub fn large_text() -> bool {
    local_storage().and_then(|s| s.get_item(LARGE_TEXT_KEY).ok().flatten()).as_deref() == Some("1")
}

pub fn save_large_text(on: bool) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(LARGE_TEXT_KEY, if on { "1" } else { "0" });
    }
}
