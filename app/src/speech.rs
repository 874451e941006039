//! Read aloud: a recorded audio file when the lesson has one, else the browser's speech synthesis
//! in the lesson's language, when the phone has such a voice. Never pretends: the view asks
//! [`can_speak`] and says so when no voice exists.
use web_sys::{HtmlAudioElement, SpeechSynthesisUtterance};

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

/// Plays a recorded file (recorded audio wins over synthesis).
pub fn play(url: &str) {
    stop();
    if let Ok(audio) = HtmlAudioElement::new_with_src(url) {
        let _ = audio.play();
    }
}

pub fn stop() {
    if let Some(synthesis) = synthesis() {
        synthesis.cancel();
    }
}
