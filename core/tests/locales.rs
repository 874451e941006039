//! Repository rule: every locale file parses, reviewed locales have every Vietnamese key, and no
//! locale has keys that Vietnamese lacks (a typo would never be shown). Prints a per-locale report.
use std::path::PathBuf;

use hocso_core::i18n::{KeyReport, Messages, LOCALES, REFERENCE_LOCALE};

fn load(code: &str) -> Messages {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../locales").join(format!("{code}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Messages::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_locale_matches_the_vietnamese_keys() {
    let reference = load(REFERENCE_LOCALE);
    let mut problems = Vec::new();
    for locale in LOCALES {
        let messages = load(locale.code);
        let report = KeyReport::compare(&reference, &messages);
        println!(
            "locale {:>3}: {} keys, {} missing (fall back to vi), {} extra{}",
            locale.code,
            messages.keys().count(),
            report.missing.len(),
            report.extra.len(),
            if messages.is_draft() { ", draft" } else { "" }
        );
        if !report.extra.is_empty() {
            problems.push(format!("{}.json has keys vi.json lacks: {:?}", locale.code, report.extra));
        }
        if locale.reviewed && !report.missing.is_empty() {
            problems.push(format!("{}.json (reviewed) lacks keys: {:?}", locale.code, report.missing));
        }
        if locale.reviewed == messages.is_draft() {
            problems.push(format!("{}.json: \"_status\" disagrees with LOCALES (reviewed = {})", locale.code, locale.reviewed));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The team tools' own strings (`locales/team/`, only in their build): the same rules, and no key
/// that the learner app's files already have (one of the two would never be shown).
#[test]
fn the_team_tools_strings_match_their_vietnamese_keys() {
    let reference = load("team/vi");
    let learner = load(REFERENCE_LOCALE);
    let mut problems = Vec::new();
    let shared: Vec<&str> = reference.keys().filter(|k| learner.get(k).is_some()).collect();
    if !shared.is_empty() {
        problems.push(format!("team/vi.json repeats keys of vi.json: {shared:?}"));
    }
    for locale in LOCALES.iter().filter(|l| l.code != REFERENCE_LOCALE) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../locales/team/{}.json", locale.code));
        if !path.exists() {
            if locale.reviewed {
                problems.push(format!("team/{}.json is missing", locale.code));
            }
            continue;
        }
        let report = KeyReport::compare(&reference, &load(&format!("team/{}", locale.code)));
        if !report.extra.is_empty() {
            problems.push(format!("team/{}.json has keys team/vi.json lacks: {:?}", locale.code, report.extra));
        }
        if locale.reviewed && !report.missing.is_empty() {
            problems.push(format!("team/{}.json (reviewed) lacks keys: {:?}", locale.code, report.missing));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
