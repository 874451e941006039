//! `id_login`: an identity app look-alike. The login screen is the shared passcode screen with the
//! phone number filled in; then an OTP arrives as a notification while someone asks for it (or a
//! link asks to type it there), and the learner types it into the app itself; then the account's
//! document cards, one to find (a choice screen, `super::choice_screen`).
use hocso_core::practice::{Action, Otp};
use leptos::prelude::*;

use super::transfer::keypad;
use super::{action_button, Tap};
use crate::i18n::use_i18n;

/// The OTP arrives: the notification on top, whoever asks for it, and the app's own code box.
#[component]
pub(super) fn OtpScreen(tap: Tap, otp: Otp) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    let code: String = otp.code.chars().filter(char::is_ascii_digit).collect();
    let length = code.len().max(1);
    let code = StoredValue::new(code);
    let on_key = move |key: &'static str| {
        if key.is_empty() {
            typed.update(|t| {
                t.pop();
            });
            return;
        }
        typed.update(|t| t.push_str(key));
        if typed.with_untracked(String::len) >= length {
            let right = typed.with_untracked(|t| code.with_value(|c| t == c));
            typed.set(String::new());
            tap.answer(if right { Action::EnterOtp } else { Action::WrongCode });
        }
    };
    let asks = (!otp.asks.is_empty()).then(|| {
        view! {
            <div class="drill-asker">
                <p class="drill-bubble">{otp.asks.clone()}</p>
                {action_button(tap, Action::TellOtp, format!("✉ {}", i18n.t("practice.tell_otp")), "drill-choice")}
            </div>
        }
    });
    let link = (!otp.link.is_empty()).then(|| {
        view! {
            <div class="drill-asker">
                <p class="drill-bubble">{i18n.t("practice.otp_link")}" "<span class="drill-link">{otp.link.clone()}</span></p>
                {action_button(tap, Action::OpenLink, format!("↗ {}", i18n.t("practice.open_link")), "drill-choice")}
            </div>
        }
    });
    view! {
        <div class="drill-notice" role="status">
            <p class="drill-from">"✉ "{otp.from.clone()}</p>
            <p>{i18n.t("practice.otp_notice")}" "<strong class="drill-code">{otp.code.clone()}</strong></p>
        </div>
        {asks}
        {link}
        <p class="drill-app-title">{i18n.t("practice.otp_title")}</p>
        <p class=move || if tap.hinted(&Action::EnterOtp) { "drill-amount hint-target" } else { "drill-amount" } aria-live="polite"
            aria-label=move || i18n.t_with("practice.digits_of", &[("n", &typed.with(String::len).to_string()), ("total", &length.to_string())])>
            {move || (0..length).map(|i| if i < typed.with(String::len) { "●" } else { "○" }).collect::<String>()}
        </p>
        {keypad(None, on_key)}
    }
}
