//! `portal_submit`: a public-service portal look-alike: a search with its results and a procedure's
//! page (choice screens, `super::choice_screen`), a short form with its declaration, and the fee's
//! confirm screen (the transfer's confirm screen with other rows; the passcode screen is the
//! transfer's too).
use hocso_core::practice::{format_dong, Action, Fee, FormField};
use leptos::prelude::*;

use super::transfer::confirm_rows;
use super::Tap;
use crate::i18n::use_i18n;

/// The form: each field to type, the declaration to tick, and "submit". A field typed otherwise
/// than asked is outlined after a try (the lesson's feedback says which to look at).
#[component]
pub(super) fn FormScreen(tap: Tap, fields: Vec<FormField>) -> impl IntoView {
    let i18n = use_i18n();
    let typed: Vec<RwSignal<String>> = fields.iter().map(|_| RwSignal::new(String::new())).collect();
    let tried = RwSignal::new(false);
    let ticked = RwSignal::new(false);
    let untick_note = RwSignal::new(false);
    let inputs = fields
        .iter()
        .zip(typed.iter().copied())
        .map(|(field, value)| {
            let accepts = StoredValue::new(field.clone());
            let wrong = move || tried.get() && !value.with(|v| accepts.with_value(|a| a.accepts(v)));
            // A number is typed on the phone's number keys.
            let numeric = field.value.chars().all(|c| c.is_ascii_digit() || " .-/".contains(c));
            view! {
                <label class="drill-field">
                    <span>{field.label.clone()}</span>
                    <input type="text" inputmode=if numeric { "numeric" } else { "text" } autocomplete="off"
                        class:wrong=wrong aria-invalid=move || if wrong() { "true" } else { "false" }
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                </label>
            }
        })
        .collect_view();
    let submit = move |_| {
        if !ticked.get_untracked() {
            untick_note.set(true);
            return;
        }
        tried.set(true);
        let all_right = fields.iter().zip(&typed).all(|(field, value)| value.with_untracked(|v| field.accepts(v)));
        tap.answer(if all_right { Action::Submit } else { Action::WrongForm });
    };
    view! {
        <p class="drill-app-title">{i18n.t("practice.form_title")}</p>
        {inputs}
        <label class="drill-declare">
            <input type="checkbox" prop:checked=move || ticked.get() on:change=move |ev| {
                ticked.set(event_target_checked(&ev));
                untick_note.set(false);
            }/>
            <span>{i18n.t("practice.declare")}</span>
        </label>
        {move || untick_note.get().then(|| view! { <p class="feedback-wrong" role="status">{i18n.t("practice.tick_first")}</p> })}
        <div class="drill-actions">
            <button class=move || if tap.hinted(&Action::Submit) { "drill-button hint-target" } else { "drill-button" }
                disabled=move || tap.busy.get() on:click=submit>{i18n.t("practice.submit")}</button>
        </div>
    }
}

/// The fee's confirm screen.
pub(super) fn fee(tap: Tap, fee: Fee) -> impl IntoView {
    let rows = [
        ("practice.payee", fee.payee, true),
        ("practice.file_code", fee.code, false),
        ("practice.fee", format_dong(fee.amount), true),
        ("practice.content", fee.content, false),
    ];
    confirm_rows(tap, "practice.fee_title", rows)
}
