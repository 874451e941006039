//! `message_inbox`: an SMS / chat inbox. Each message opens in turn; the learner marks it safe or
//! a scam, then taps the message's red flags (its words or link), each then explained. Every tap
//! of the hunt is the attempt's (`DrillAttempt::tap_words`), saved like an answer, so a reload
//! comes back to the hunt with the flags found.
use hocso_core::practice::{flags_to_find, Action, Drill, DrillAttempt, FlagSet, Screen};
use leptos::prelude::*;

use super::{action_button, Tap};
use crate::i18n::use_i18n;

/// The open message's state after it was answered, kept by the player.
#[derive(Clone, Copy)]
pub(super) struct Hunt {
    /// Its answer was right: the message stays open (with its red flags to find, for a scam).
    pub answered: RwSignal<bool>,
    /// The attempt, which knows the red flags found while they are being found.
    pub attempt: RwSignal<Option<DrillAttempt>>,
    /// The last tap was on words that are not a red flag.
    pub not_a_flag: RwSignal<bool>,
}

/// The inbox with message `at` open.
pub(super) fn inbox(tap: Tap, drill: &Drill, at: usize, hunt: Hunt) -> impl IntoView {
    let Hunt { answered, attempt, not_a_flag } = hunt;
    let to_find = drill.step(at).map_or_else(FlagSet::default, flags_to_find);
    // The flags found: the attempt's while the hunt goes on; once it is over (the message still
    // open until "next"), all of them.
    let found = move || match attempt.with(|a| a.as_ref().and_then(DrillAttempt::hunt)) {
        Some((_, found)) => found,
        None if answered.get() => to_find,
        None => FlagSet::default(),
    };
    let flags_left = move || to_find.len().saturating_sub(found().len());
    // Wrong words tapped often enough that the flags left are highlighted.
    let hint = move || attempt.with(|a| a.as_ref().is_some_and(DrillAttempt::highlights));
    let i18n = use_i18n();
    let messages: Vec<_> = drill
        .steps
        .iter()
        .filter_map(|s| match &s.screen {
            Screen::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    let Some(open) = messages.get(at).cloned() else { return ().into_any() };
    let list = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mark = move || {
                if i < at || (i == at && answered.get()) {
                    "✓"
                } else if i == at {
                    "●"
                } else {
                    ""
                }
            };
            view! {
                <li class:open=i == at>
                    <span class="drill-avatar" aria-hidden="true">{m.from.chars().next().map(String::from)}</span>
                    <span class="drill-from">{m.from.clone()}</span>
                    <span class="drill-mark" aria-hidden="true">{mark}</span>
                </li>
            }
        })
        .collect_view();
    let flags = StoredValue::new(open.flags.clone());
    // After a right "scam": every piece of the message becomes a button; the learner finds the
    // red flags (`flags_left` counts those not found yet; "next" waits for them).
    let has_flags = flags.with_value(|f| !f.is_empty());
    let hunting = move || answered.get() && has_flags;
    let parts: Vec<(String, Option<usize>, bool)> = open.parts().into_iter().map(|p| (p.text.to_owned(), p.flag, p.is_link)).collect();
    let flag_count = parts.iter().filter(|(_, flag, _)| flag.is_some()).count();
    let bubble = {
        move || {
            if !hunting() {
                return view! {
                    <p class="drill-bubble">
                        {open.text.clone()}
                        {(!open.link.is_empty()).then(|| view! { " " <span class="drill-link">{open.link.clone()}</span> })}
                    </p>
                }
                .into_any();
            }
            let pieces = parts
                .iter()
                .cloned()
                .map(|(text, flag, is_link)| {
                    let is_found = move || flag.is_some_and(|f| found().contains(f as u32));
                    let hinted = move || flag.is_some() && !is_found() && hint();
                    let class = move || {
                        let mut class = String::from("drill-part");
                        if is_link {
                            class.push_str(" drill-link");
                        }
                        if is_found() {
                            class.push_str(" found");
                        }
                        if hinted() {
                            class.push_str(" hint-target");
                        }
                        class
                    };
                    // A flag found already is not a mistake, nor found twice: nothing happens. (A tap
                    // while the last one is being saved is dropped by the player.)
                    let tap_part = move |_| {
                        if !is_found() {
                            tap.words(flag);
                        }
                    };
                    view! {
                        <button class=class aria-pressed=move || if is_found() { "true" } else { "false" } on:click=tap_part>
                            {move || is_found().then_some("⚠ ")}{text}
                        </button>
                    }
                })
                .collect_view();
            view! { <p class="drill-bubble drill-parts">{pieces}</p> }.into_any()
        }
    };
    let found_list = move || {
        let found = found();
        flags.with_value(|flags| {
            found
                .iter()
                .filter_map(|f| flags.get(f as usize))
                .map(|f| view! { <li><strong>"⚠ " {i18n.t(&format!("practice.flag.{}", f.flag.as_str()))}</strong>": " {f.note.clone()}</li> })
                .collect_view()
        })
    };
    view! {
        <p class="drill-app-title">{i18n.t("practice.inbox")}</p>
        <ol class="drill-inbox">{list}</ol>
        <div class="drill-message">
            <p class="drill-from">{open.from.clone()}</p>
            {bubble}
        </div>
        {move || if !answered.get() {
            view! {
                <div class="drill-actions two">
                    {action_button(tap, Action::Safe, format!("✓ {}", i18n.t("practice.safe")), "safe")}
                    {action_button(tap, Action::Scam, format!("⚠ {}", i18n.t("practice.scam")), "scam")}
                </div>
            }.into_any()
        } else if flag_count == 0 {
            view! { <p class="drill-flags none">{i18n.t("practice.no_flags")}</p> }.into_any()
        } else {
            let count = move || found().len().to_string();
            view! {
                <div class="drill-flags" role="status">
                    <p>{move || if flags_left() > 0 {
                        i18n.t_with("practice.find_flags", &[("n", &count()), ("total", &flag_count.to_string())])
                    } else {
                        i18n.t("practice.flags")
                    }}</p>
                    {move || (not_a_flag.get() && flags_left() > 0).then(|| view! { <p class="feedback-wrong">{i18n.t("practice.not_a_flag")}</p> })}
                    <ul>{found_list}</ul>
                </div>
            }.into_any()
        }}
    }
    .into_any()
}
