//! `incoming_call`: the phone rings; what the caller says, and the learner's choices as big buttons.
use hocso_core::practice::DrillStep;
use leptos::prelude::*;

use super::{choice_buttons, Tap};
use crate::i18n::use_i18n;

pub(super) fn call(tap: Tap, caller: String, says: String, step: &DrillStep) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="drill-call">
            <p class="hint">{i18n.t("practice.calling")}</p>
            <p class="drill-avatar big" aria-hidden="true">"☎"</p>
            <p class="drill-caller">{caller}</p>
            <p class="drill-bubble">{says}</p>
        </div>
        <div class="drill-actions">{choice_buttons(tap, step, "drill-choice")}</div>
    }
}
