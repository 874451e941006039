//! `transfer_confirm`: a bank app's camera frame over a QR code, its confirm screen, the amount
//! keypad and the passcode. The look-alike never asks for a real passcode.
use hocso_core::practice::{format_dong, Action, Transfer};
use leptos::prelude::*;

use super::{action_button, Tap};
use crate::i18n::use_i18n;

/// A QR code's look (three finder squares and some modules), not a code any camera could read.
fn qr_picture() -> impl IntoView {
    view! {
        <svg class="qr" viewBox="0 0 29 29" aria-hidden="true">
            <rect width="29" height="29" fill="#fff"/>
            <path fill="#111" fill-rule="evenodd" d="M1 1h7v7H1zM2 2v5h5V2zM3 3h3v3H3zM21 1h7v7h-7zM22 2v5h5V2zM23 3h3v3h-3zM1 21h7v7H1zM2 22v5h5v-5zM3 23h3v3H3zM10 1h2v2h-2zM13 3h3v2h-3zM10 6h2v3h-2zM15 7h3v2h-3zM10 10h4v2h-4zM17 10h2v4h-2zM21 11h3v2h-3zM25 10h3v3h-3zM1 11h3v2H1zM5 13h3v3H5zM12 14h4v2h-4zM20 15h2v3h-2zM24 16h4v2h-4zM10 18h3v3h-3zM15 18h3v2h-3zM23 20h3v3h-3zM10 23h2v4h-2zM14 22h4v2h-4zM19 23h2v5h-2zM15 26h3v2h-3zM24 25h4v3h-4z"/>
        </svg>
    }
}

/// The camera frame over the seller's stand: scan, or cancel.
pub(super) fn scan(tap: Tap, label: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="drill-camera">
            <p class="drill-camera-hint">{i18n.t("practice.scan_hint")}</p>
            <div class="drill-stand">
                <div class="drill-viewfinder">{qr_picture()}</div>
                {(!label.is_empty()).then(|| view! { <p class="drill-stand-label">{label}</p> })}
            </div>
        </div>
        <div class="drill-actions">
            {action_button(tap, Action::Scan, i18n.t("practice.scan"), "")}
            {action_button(tap, Action::Cancel, i18n.t("practice.cancel"), "secondary")}
        </div>
    }
}

/// The confirm screen, filled from the QR code.
pub(super) fn confirm(tap: Tap, transfer: Transfer) -> impl IntoView {
    let rows = [
        ("practice.recipient", transfer.name, true),
        ("practice.account", transfer.account, false),
        ("practice.bank", transfer.bank, false),
        ("practice.amount", transfer.amount.map(format_dong).unwrap_or_default(), true),
        ("practice.content", transfer.content, false),
    ];
    confirm_rows(tap, "practice.confirm_title", rows)
}

/// A confirm screen (a transfer, a fee): a title, rows of (label key, value, strong?), and
/// "confirm" / "cancel". Empty rows are left out.
pub(super) fn confirm_rows<const N: usize>(tap: Tap, title: &str, rows: [(&'static str, String, bool); N]) -> impl IntoView {
    let i18n = use_i18n();
    let rows = rows.into_iter().filter(|(_, value, _)| !value.is_empty()).map(|(key, value, strong)| {
        view! {
            <p class="drill-row"><span>{i18n.t(key)}</span><span class=if strong { "strong" } else { "" }>{value}</span></p>
        }
    });
    view! {
        <p class="drill-app-title">{i18n.t(title)}</p>
        <div class="drill-transfer">{rows.collect_view()}</div>
        <div class="drill-actions">
            {action_button(tap, Action::Confirm, i18n.t("practice.confirm"), "")}
            {action_button(tap, Action::Cancel, i18n.t("practice.cancel"), "secondary")}
        </div>
    }
}

/// Digits 1–9, then `extra` (a key or nothing), 0 and delete.
pub(super) fn keypad(extra: Option<&'static str>, on_key: impl Fn(&'static str) + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
    view! {
        <div class="drill-keypad">
            {keys.into_iter().chain(extra).map(|key| view! {
                <button class="drill-key" on:click=move |_| on_key(key)>{key}</button>
            }).collect_view()}
            // Without an extra key, 0 sits in the middle column, as on a phone.
            {extra.is_none().then(|| view! { <span></span> })}
            <button class="drill-key" on:click=move |_| on_key("0")>"0"</button>
            <button class="drill-key" aria-label=i18n.t("practice.delete") on:click=move |_| on_key("")>"⌫"</button>
        </div>
    }
}

/// The QR code had no amount: type it on the keypad, then go on (or cancel).
#[component]
pub(super) fn AmountScreen(tap: Tap, amount: u64) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    let on_key = move |key: &'static str| {
        typed.update(|t| {
            if key.is_empty() {
                t.pop();
            } else if t.len() < 12 && !(t.is_empty() && key.starts_with('0')) {
                t.push_str(key);
            }
        })
    };
    let value = move || typed.with(|t| t.parse::<u64>().unwrap_or(0));
    let ok = move |_| tap.answer(if value() == amount { Action::TypeAmount } else { Action::WrongAmount });
    view! {
        <p class="drill-app-title">{i18n.t("practice.amount_title")}</p>
        <p class="drill-amount" aria-live="polite">{move || format_dong(value())}</p>
        {keypad(Some("000"), on_key)}
        <div class="drill-actions">
            <button class=move || if tap.hinted(&Action::TypeAmount) { "drill-button hint-target" } else { "drill-button" }
                disabled=move || tap.busy.get() || typed.with(String::is_empty) on:click=ok>{i18n.t("practice.continue")}</button>
            {action_button(tap, Action::Cancel, i18n.t("practice.cancel"), "secondary")}
        </div>
    }
}

/// Confirm with a passcode: any six digits (a practice screen never asks the real one). With a
/// `phone`, it is an app's login screen: the phone number filled in, then the passcode.
#[component]
pub(super) fn PasscodeScreen(tap: Tap, #[prop(optional)] phone: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(0usize);
    let on_key = move |key: &'static str| {
        if key.is_empty() {
            typed.update(|n| *n = n.saturating_sub(1));
        } else if typed.get_untracked() < 6 {
            typed.update(|n| *n += 1);
            if typed.get_untracked() == 6 {
                typed.set(0);
                tap.answer(Action::EnterPasscode);
            }
        }
    };
    let title = if phone.is_some() { "practice.login_title" } else { "practice.passcode_title" };
    view! {
        <p class="drill-app-title">{i18n.t(title)}</p>
        {phone.map(|phone| view! { <p class="drill-row"><span>{i18n.t("practice.phone")}</span><span class="strong">{phone}</span></p> })}
        <p class="hint">{i18n.t("practice.passcode_hint")}</p>
        <p class=move || if tap.hinted(&Action::EnterPasscode) { "drill-dots hint-target" } else { "drill-dots" }
            aria-label=move || i18n.t_with("practice.digits", &[("n", &typed.get().to_string())])>
            {move || (0..6).map(|i| if i < typed.get() { "●" } else { "○" }).collect::<String>()}
        </p>
        {keypad(None, on_key)}
        <div class="drill-actions">{action_button(tap, Action::Cancel, i18n.t("practice.cancel"), "secondary")}</div>
    }
}
