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
