//! Read aloud: a recording (the team's voice or the lesson's own file) when there is one, else the
//! browser's speech synthesis in the lesson's language, when the phone has such a voice. Never
//! pretends: the view asks [`can_speak`] and says so when no voice exists. Which comes first is
//! `hocso_core::recordings::StepVoices::best`.
use std::cell::RefCell;

use web_sys::{HtmlAudioElement, SpeechSynthesisUtterance};

thread_local! {
    // The recording playing now, so the next step (or another tap) stops it.
    static PLAYING: RefCell<Option<HtmlAudioElement>> = const { RefCell::new(None) };
}

/// BCP 47 tag for speech, from a lesson locale.
fn speech_lang(locale: &str) -> &'static str {
    match locale {
        "vi" => "vi-VN",
        "en" => "en-US",
        // No speech voices exist for Hmong or Tày: fall back to none (the view says so).
        _ => "",
    }
}

fn synthesis() -> Option<web_sys::SpeechSynthesis> {
    web_sys::window()?.speech_synthesis().ok()
}

/// True when the phone has a voice for `locale`.
pub fn can_speak(locale: &str) -> bool {
    let lang = speech_lang(locale);
    if lang.is_empty() {
        return false;
    }
    let prefix = &lang[..2];
    synthesis().is_some_and(|s| {
        s.get_voices().iter().any(|voice| {
            let voice: web_sys::SpeechSynthesisVoice = voice.into();
            voice.lang().to_ascii_lowercase().starts_with(prefix)
        })
    })
}

/// Reads `text` aloud in `locale`, stopping anything already playing.
pub fn speak(text: &str, locale: &str) {
    let Some(synthesis) = synthesis() else { return };
    synthesis.cancel();
    if let Ok(utterance) = SpeechSynthesisUtterance::new_with_text(text) {
        utterance.set_lang(speech_lang(locale));
        utterance.set_rate(0.9);
        synthesis.speak(&utterance);
    }
}

/// Plays a recording, stopping anything already playing.
pub fn play(url: &str) {
    stop();
    if let Ok(audio) = HtmlAudioElement::new_with_src(url) {
        // A refusal (a sound the phone cannot decode) rejects the promise: the console says why.
        let _ = audio.play();
        PLAYING.with(|playing| *playing.borrow_mut() = Some(audio));
    }
}

pub fn stop() {
    if let Some(synthesis) = synthesis() {
        synthesis.cancel();
    }
    if let Some(audio) = PLAYING.with(|playing| playing.borrow_mut().take()) {
        let _ = audio.pause();
    }
}
