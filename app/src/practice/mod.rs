//! The drill player: a lesson's ```` ```practice ```` block drawn as a phone within the phone, a
//! look-alike screen clearly labelled as practice, where the learner taps and decides.
//!
//! A thin view over `hocso_core::practice`: [`DrillAttempt`] says what each tap means and which
//! events to record; this module draws the screens (one module per kind: `transfer`, `inbox`,
//! `call`, `login`, `portal`; buttons, keypad and confirm rows are shared) and saves the events with the lesson's own `AppState::record` before the screen moves
//! on, so drills resume and sync like every other answer. In the team tools' present mode nothing
//! is saved: the room decides and the leader taps.
mod call;
mod inbox;
mod login;
mod portal;
mod transfer;

use hocso_core::practice::{Action, Drill, DrillAttempt, DrillKind, DrillStep, Reaction, Screen};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::use_i18n;
use crate::lesson::ReadAloud;
use crate::state::use_app_state;

/// Where the drills of the lesson on screen save their taps, provided by the view that shows them.
#[derive(Clone, Copy)]
pub struct PracticeHost {
    /// The lesson's id and version; `None` in present mode, where nothing is saved.
    pub lesson: Option<StoredValue<(String, String)>>,
    pub locale: StoredValue<String>,
}

/// What a screen needs to react to a tap: the action goes to the player, which highlights the
/// right target after two wrong tries and ignores taps while an answer is being saved.
#[derive(Clone, Copy)]
pub(crate) struct Tap {
    tapped: Callback<Tapped>,
    highlight: RwSignal<Option<Action>>,
    busy: RwSignal<bool>,
}

/// What a tap was: a screen's action, or, in an inbox's red-flag hunt, words of the message (the
/// red flag they show, an index into the message's flags, or `None`).
pub(crate) enum Tapped {
    Action(Action),
    Words(Option<usize>),
}

impl Tap {
    /// The learner did `action` on the screen.
    pub(crate) fn answer(&self, action: Action) {
        self.tapped.run(Tapped::Action(action));
    }

    /// In a red-flag hunt, the learner tapped words of the message showing red flag `flag` (or none).
    pub(crate) fn words(&self, flag: Option<usize>) {
        self.tapped.run(Tapped::Words(flag));
    }

    fn hinted(&self, action: &Action) -> bool {
        self.highlight.with(|h| h.as_ref() == Some(action))
    }
}

/// A big button of a look-alike screen that does `action`.
pub(crate) fn action_button(tap: Tap, action: Action, label: String, class: &'static str) -> impl IntoView {
    let hinted = action.clone();
    view! {
        <button class=move || if tap.hinted(&hinted) { format!("drill-button {class} hint-target") } else { format!("drill-button {class}") }
            disabled=move || tap.busy.get() on:click=move |_| tap.answer(action.clone())>{label}</button>
    }
}

/// The buttons of a choice screen (a call's answers, search results, document cards), as the
/// trainer wrote them.
pub(crate) fn choice_buttons(tap: Tap, step: &DrillStep, class: &'static str) -> impl IntoView {
    step.responses.iter().map(|r| action_button(tap, r.action.clone(), r.action.as_str().to_owned(), class)).collect_view()
}

/// A screen whose buttons the trainer names (search results, a procedure's buttons, document
/// cards): the app's title, a line or two, the buttons. One function for all three keeps the
/// download small.
pub(crate) fn choice_screen(
    tap: Tap,
    title: &str,
    lines: Vec<(Option<&'static str>, String, &'static str)>,
    step: &DrillStep,
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let lines = lines.into_iter().filter(|(_, text, _)| !text.is_empty()).map(|(key, text, class)| {
        view! { <p class=class>{key.map(|key| view! { <span>{i18n.t(key)}</span> })}<span>{text}</span></p> }
    });
    view! {
        <p class="drill-app-title">{i18n.t(title)}</p>
        {lines.collect_view()}
        <div class=format!("drill-actions {class}")>{choice_buttons(tap, step, "drill-choice")}</div>
    }
}

/// A reaction with what it borrows from the drill copied out, so the drill can be put back.
enum After {
    Next(String, usize),
    Done(String, u32),
    /// A red flag found; the attempt's mistakes when that ended the drill.
    Flag(Option<u32>),
    /// Words that are not a red flag.
    NotAFlag,
    Wrong(Option<String>, Option<Action>),
    Nothing,
}

impl After {
    fn of(reaction: Reaction, run: &DrillAttempt) -> Self {
        match reaction {
            Reaction::Next { feedback, next } => After::Next(feedback.to_owned(), next),
            Reaction::Done { feedback, mistakes } => After::Done(feedback.to_owned(), mistakes),
            // Only in an inbox, which keeps the answered message open as after any right answer.
            Reaction::Hunt { feedback } => After::Next(feedback.to_owned(), run.step()),
            Reaction::FlagFound { .. } => After::Flag(run.is_finished().then(|| run.mistakes())),
            Reaction::NotAFlag => After::NotAFlag,
            Reaction::Wrong { feedback, highlight } => After::Wrong(feedback.map(str::to_owned), highlight.cloned()),
            Reaction::Ignored => After::Nothing,
        }
    }
}

/// The drill `index` of the lesson on screen.
#[component]
pub fn DrillPlayer(drill: Drill, index: u32) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let host = use_context::<PracticeHost>();
    let lesson = host.and_then(|h| h.lesson);
    let locale = host.map_or_else(|| i18n.locale(), |h| h.locale.get_value());
    let saved = lesson.map(|l| state.progress.with_untracked(|p| p.lesson(&l.read_value().0).drill(index))).unwrap_or_default();
    let attempt = RwSignal::new(DrillAttempt::resume(index, &saved, &drill));
    // The screen on show; an inbox keeps an answered message open (its red flags) until "next".
    let shown = RwSignal::new(attempt.with_untracked(|a| a.as_ref().map_or(0, DrillAttempt::step)));
    // Left in the middle of a red-flag hunt (a reload): back in it (the inbox shows the flags
    // found from the attempt).
    let paused = RwSignal::new(attempt.with_untracked(|a| a.as_ref().is_some_and(|a| a.hunt().is_some())));
    let finished = RwSignal::new(saved.is_done() && attempt.with_untracked(Option::is_none));
    let mistakes = RwSignal::new(None::<u32>);
    // (right?, sentence) after the last tap.
    let feedback = RwSignal::new(None::<(bool, String)>);
    let highlight = RwSignal::new(None::<Action>);
    let busy = RwSignal::new(false);
    // The open message of an inbox after its answer: the red flags found and left come from the
    // attempt; the player keeps only whether the last tap was on words that are not a flag.
    let hunt = inbox::Hunt { answered: paused, attempt, not_a_flag: RwSignal::new(false) };
    let inbox = drill.kind == DrillKind::MessageInbox;
    let drill = StoredValue::new(drill);

    let section = NodeRef::<leptos::html::Section>::new();
    // After a tap, bring what it changed into sight (once drawn): the feedback, or an answered
    // message's "next" button below its red flags; the lesson's buttons cover the page's bottom.
    let reveal = move || {
        gloo_timers::callback::Timeout::new(60, move || {
            // The learner may have left the drill within these 60 ms (a quick "Tiếp" after the
            // last tap): its signals are gone then, and reading them would stop the whole app.
            let Some(paused) = paused.try_get_untracked() else { return };
            let target = if paused { ".drill-next" } else { ".drill-feedback" };
            if let Some(el) = section.try_get_untracked().flatten().and_then(|s| s.query_selector(target).ok().flatten()) {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&options);
            }
        })
        .forget();
    };
    let clear_hunt = move || hunt.not_a_flag.set(false);
    let praise = move |text: String| Some((true, if text.is_empty() { i18n.t("practice.right") } else { text }));
    let show = move |after: After| match after {
        After::Next(text, next) => {
            highlight.set(None);
            feedback.set(praise(text));
            if inbox {
                // The message stays open: "next", or first its red flags to find.
                clear_hunt();
                paused.set(true);
            } else {
                shown.set(next);
            }
        }
        After::Done(text, wrong) => {
            highlight.set(None);
            mistakes.set(Some(wrong));
            feedback.set(praise(text));
            if inbox {
                clear_hunt();
                paused.set(true);
            } else {
                finished.set(true);
            }
        }
        After::Flag(done) => {
            hunt.not_a_flag.set(false);
            if done.is_some() {
                mistakes.set(done);
            }
        }
        After::NotAFlag => hunt.not_a_flag.set(true),
        After::Wrong(kind_word, right) => {
            feedback.set(Some((false, kind_word.unwrap_or_else(|| i18n.t("practice.not_yet")))));
            highlight.set(right);
        }
        After::Nothing => {}
    };
    let tapped = Callback::new(move |tapped: Tapped| {
        // While an answered message stays open, only its words are taps (a red-flag hunt).
        if busy.get_untracked() || (paused.get_untracked() && matches!(tapped, Tapped::Action(_))) {
            return;
        }
        let mut events = Vec::new();
        let mut run = attempt.get_untracked().unwrap_or_else(|| {
            let (run, started) = DrillAttempt::start(index);
            events.push(started);
            run
        });
        let after = drill.with_value(|d| {
            let (reaction, more) = match &tapped {
                Tapped::Action(action) => run.answer(d, action),
                Tapped::Words(flag) => run.tap_words(d, *flag),
            };
            events.extend(more);
            After::of(reaction, &run)
        });
        // A tap that changes nothing (a flag found already) records nothing, not even a start.
        if matches!(after, After::Nothing) {
            return;
        }
        let Some(lesson) = lesson else {
            attempt.set(Some(run));
            show(after);
            reveal();
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let (lesson_id, version) = lesson.get_value();
            // One transaction for the tap's events (e.g. the last right answer and "completed"):
            // not stored, the screen stays and the same tap can be tried again, counting nothing twice.
            let stored = state.record_all(&lesson_id, &version, events).await.is_some();
            // The learner left the drill while it was being saved: nothing on screen to update.
            if busy.try_get_untracked().is_none() {
                return;
            }
            if stored {
                attempt.set(Some(run));
                show(after);
                reveal();
            }
            busy.set(false);
        });
    });
    let tap = Tap { tapped, highlight, busy };
    let next_message = move |_| {
        paused.set(false);
        feedback.set(None);
        clear_hunt();
        if attempt.with_untracked(|a| a.as_ref().is_some_and(DrillAttempt::is_finished)) {
            finished.set(true);
        } else {
            shown.set(attempt.with_untracked(|a| a.as_ref().map_or(0, DrillAttempt::step)));
        }
    };
    let again = move |_| {
        attempt.set(None);
        shown.set(0);
        paused.set(false);
        clear_hunt();
        mistakes.set(None);
        feedback.set(None);
        highlight.set(None);
        finished.set(false);
    };

    let instruction = drill.with_value(|d| d.instruction.clone());
    let ask = move || drill.with_value(|d| d.step(shown.get()).and_then(|s| s.ask.clone()));
    let read_aloud = {
        let (instruction, locale) = (instruction.clone(), locale.clone());
        move || {
            let text = match ask() {
                Some(ask) if !finished.get() => format!("{instruction} {ask}"),
                _ => instruction.clone(),
            };
            view! { <ReadAloud text audio=None locale=locale.clone()/> }
        }
    };
    let screen = move || {
        if finished.get() {
            let result = mistakes.get().map(|n| i18n.t_with("practice.mistakes", &[("n", &n.to_string())]));
            return view! {
                <div class="drill-done">
                    <p class="drill-done-mark" aria-hidden="true">"✓"</p>
                    <p class="drill-done-text">{i18n.t("practice.done")}</p>
                    {result.map(|r| view! { <p>{r}</p> })}
                    <button class="drill-button secondary" on:click=again>{i18n.t("practice.again")}</button>
                </div>
            }
            .into_any();
        }
        let at = shown.get();
        drill.with_value(|d| {
            let Some(step) = d.step(at) else { return ().into_any() };
            match (&d.kind, &step.screen) {
                (_, Screen::Scan { label }) => transfer::scan(tap, label.clone()).into_any(),
                (_, Screen::Confirm(transfer)) => transfer::confirm(tap, transfer.clone()).into_any(),
                (_, Screen::Amount { amount }) => view! { <transfer::AmountScreen tap amount=*amount/> }.into_any(),
                (_, Screen::Passcode) => view! { <transfer::PasscodeScreen tap/> }.into_any(),
                (_, Screen::Message(_)) => inbox::inbox(tap, d, at, hunt).into_any(),
                (DrillKind::IncomingCall { caller }, Screen::Call { says }) => call::call(tap, caller.clone(), says.clone(), step).into_any(),
                (_, Screen::Call { says }) => call::call(tap, String::new(), says.clone(), step).into_any(),
                (_, Screen::Login { phone }) => view! { <transfer::PasscodeScreen tap phone=phone.clone()/> }.into_any(),
                (_, Screen::Otp(otp)) => view! { <login::OtpScreen tap otp=otp.clone()/> }.into_any(),
                (_, Screen::Documents { name, level }) => {
                    let lines = vec![(None, name.clone(), "drill-row strong"), (None, level.clone(), "drill-badge")];
                    choice_screen(tap, "practice.documents_title", lines, step, "drill-cards").into_any()
                }
                (_, Screen::Search { query }) => {
                    let lines = vec![(None, query.clone(), "drill-search"), (None, i18n.t("practice.results"), "hint")];
                    choice_screen(tap, "practice.search_title", lines, step, "").into_any()
                }
                (_, Screen::Procedure { title, agency }) => {
                    let lines = vec![(None, title.clone(), "drill-procedure"), (Some("practice.agency"), agency.clone(), "drill-row")];
                    choice_screen(tap, "practice.procedure_title", lines, step, "").into_any()
                }
                (_, Screen::Form { fields }) => view! { <portal::FormScreen tap fields=fields.clone()/> }.into_any(),
                (_, Screen::Fee(fee)) => portal::fee(tap, fee.clone()).into_any(),
            }
        })
    };

    view! {
        <section class="drill" node_ref=section aria-label=move || i18n.t("practice.label")>
            <p class="drill-instruction">{instruction}</p>
            {move || ask().filter(|_| !finished.get()).map(|ask| view! { <p class="drill-ask">{ask}</p> })}
            {read_aloud}
            <div class="phone-frame">
                <p class="phone-label">{move || i18n.t("practice.label")}</p>
                // Above the screen, so that a new screen does not push it out of sight.
                <div class="drill-feedback" role="status" aria-live="polite" hidden=move || feedback.with(Option::is_none)>
                    {move || feedback.get().map(|(right, text)| view! {
                        <p class=if right { "feedback-right" } else { "feedback-wrong" }>{if right { "✓ " } else { "✗ " }}{text}</p>
                    })}
                    {move || highlight.get().is_some().then(|| view! { <p class="hint">{i18n.t("practice.hint")}</p> })}
                </div>
                <div class="phone-screen">{screen}</div>
                // "Next" once the message is answered and its red flags (if any) all found.
                {move || (paused.get() && attempt.with(|a| a.as_ref().is_none_or(|a| a.hunt().is_none()))).then(|| view! {
                    <button class="drill-button drill-next" on:click=next_message>
                        {if attempt.with_untracked(|a| a.as_ref().is_some_and(DrillAttempt::is_finished)) { i18n.t("practice.continue") } else { i18n.t("practice.next_message") }}
                    </button>
                })}
            </div>
        </section>
    }
}
