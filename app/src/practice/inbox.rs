//! `message_inbox`: an SMS / chat inbox. Each message opens in turn; the learner marks it safe or
//! a scam, then sees its red flags with what each one means.
use hocso_core::practice::{Action, Drill, Screen};
use leptos::prelude::*;

use super::{action_button, Tap};
use crate::i18n::use_i18n;

/// The inbox with message `at` open; `answered`: its answer was right, show its red flags.
pub(super) fn inbox(tap: Tap, drill: &Drill, at: usize, answered: RwSignal<bool>) -> impl IntoView {
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
    let flags = open.flags.clone();
    view! {
        <p class="drill-app-title">{i18n.t("practice.inbox")}</p>
        <ol class="drill-inbox">{list}</ol>
        <div class="drill-message">
            <p class="drill-from">{open.from.clone()}</p>
            <p class="drill-bubble">
                {open.text.clone()}
                {(!open.link.is_empty()).then(|| view! { " " <span class="drill-link">{open.link.clone()}</span> })}
            </p>
        </div>
        {move || if answered.get() {
            if flags.is_empty() {
                view! { <p class="drill-flags none">{i18n.t("practice.no_flags")}</p> }.into_any()
            } else {
                view! {
                    <div class="drill-flags">
                        <p>{i18n.t("practice.flags")}</p>
                        <ul>{flags.iter().map(|f| view! {
                            <li><strong>"⚠ " {i18n.t(&format!("practice.flag.{}", f.flag.as_str()))}</strong>": " {f.note.clone()}</li>
                        }).collect_view()}</ul>
                    </div>
                }.into_any()
            }
        } else {
            view! {
                <div class="drill-actions two">
                    {action_button(tap, Action::Safe, format!("✓ {}", i18n.t("practice.safe")), "safe")}
                    {action_button(tap, Action::Scam, format!("⚠ {}", i18n.t("practice.scam")), "scam")}
                </div>
            }.into_any()
        }}
    }
    .into_any()
}
