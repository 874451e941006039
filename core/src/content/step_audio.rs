//! Naming a recorded voice as a step's audio in a lesson file, keeping everything else of the file as
//! the trainer wrote it: what `hocso content import-recordings` writes (issue #15).
//!
//! A step's audio is a line of its own, `![label](media/<file>)` (see content/README.md "Các bước" /
//! "Steps"). For each step given, an existing audio line of that step is replaced; otherwise one is
//! added under the step's `## ` heading. The result is parsed again and must name exactly what was
//! asked, with no new problem: a file this cannot edit safely is refused with a sentence.

use super::model::Block;
use super::parse::{parse_lesson, ReferenceKind};

/// One step's voice: the step's index (0 = the first `## ` step), the media path
/// (`media/<file>`) and what the play button says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepAudio {
    pub step: u32,
    pub src: String,
    pub label: String,
}

/// `source` with each step's audio set to `audio`; the other lines are kept byte for byte.
pub fn with_step_audio(source: &str, audio: &[StepAudio]) -> Result<String, String> {
    let parsed = parse_lesson(source);
    if parsed.has_errors() {
        return Err("the lesson file has errors: fix what `hocso content check` says first, then import again".to_owned());
    }
    let map = &parsed.source_map;
    let steps = map.steps.len();
    // Lines (1-based, as positions count them), each with its own line ending.
    let mut lines: Vec<String> = source.split_inclusive('\n').map(str::to_owned).collect();
    let ending = if source.contains("\r\n") { "\r\n" } else { "\n" };
    let line_count = lines.len();
    // The line after the last line of each step: the next step's heading, the first question, or the end.
    let step_end = |index: usize| -> usize {
        map.steps.get(index + 1).map(|p| p.line as usize).or_else(|| map.questions.first().map(|q| q.heading.line as usize)).unwrap_or(line_count + 1)
    };
    // Insertions shift the lines below them: edit from the last step up.
    let mut sorted: Vec<&StepAudio> = audio.iter().collect();
    sorted.sort_by_key(|a| std::cmp::Reverse(a.step));
    for (i, wanted) in sorted.iter().enumerate() {
        if sorted.get(i + 1).is_some_and(|next| next.step == wanted.step) {
            return Err(format!("two voices for step {}: give one", wanted.step));
        }
        let index = wanted.step as usize;
        if index >= steps {
            return Err(format!("the lesson has {steps} steps (0 to {}), so there is no step {index} to name a voice for", steps.saturating_sub(1)));
        }
        if !wanted.src.starts_with("media/") || wanted.src.contains(['(', ')', ' ', '\n', '\r']) {
            return Err(format!("{:?} is not a media path `media/<file>` without spaces or brackets", wanted.src));
        }
        let label: String = wanted.label.chars().filter(|c| !c.is_control() && !matches!(c, '[' | ']' | '\\')).collect();
        let line_text = format!("![{}]({})", label.trim(), wanted.src);
        let (start, end) = (map.steps[index].line as usize, step_end(index));
        let existing: Vec<usize> = map
            .references
            .iter()
            .filter(|r| r.kind == ReferenceKind::Audio && (start..end).contains(&(r.position.line as usize)))
            .map(|r| r.position.line as usize)
            .collect();
        match existing.as_slice() {
            [] => {
                // Under the heading, as a paragraph of its own.
                let mut added = vec![ending.to_owned(), format!("{line_text}{ending}")];
                if lines.get(start).is_some_and(|next| !next.trim().is_empty()) {
                    added.push(ending.to_owned());
                }
                lines.splice(start..start, added);
            }
            [line] => {
                let old = &lines[line - 1];
                let is_alone = old.trim_start().starts_with("![") && old.trim_end().ends_with(')') && old.matches("](").count() == 1;
                if !is_alone {
                    return Err(format!("line {line}: the step's audio shares its line with other text; put `![…](media/…)` on a line of its own"));
                }
                let line_ending = if old.ends_with('\n') { ending } else { "" };
                lines[line - 1] = format!("{line_text}{line_ending}");
            }
            _ => return Err(format!("step {index} names more than one audio file: keep one, then import again")),
        }
    }
    let edited = lines.concat();
    let reparsed = parse_lesson(&edited);
    let problems_before = parsed.problems.len();
    let as_asked = audio.iter().all(|a| reparsed.lesson.steps.get(a.step as usize).and_then(|s| s.audio()) == Some(a.src.as_str()));
    let audio_blocks =
        |lesson: &super::Lesson| -> usize { lesson.steps.iter().flat_map(|s| &s.blocks).filter(|b| matches!(b, Block::Audio { .. })).count() };
    if reparsed.has_errors()
        || reparsed.problems.len() > problems_before
        || !as_asked
        || audio_blocks(&reparsed.lesson) < audio_blocks(&parsed.lesson)
    {
        return Err("naming the voices would change the lesson in another way: nothing was written; name them by hand (content/README.md)".to_owned());
    }
    Ok(edited)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::VI;
    use super::*;

    fn voice(step: u32, src: &str) -> StepAudio {
        StepAudio { step, src: src.to_owned(), label: "Giọng đọc của tổ Tả Van".to_owned() }
    }

    #[test]
    fn a_step_without_audio_gets_a_line_under_its_heading_and_one_with_audio_has_it_replaced() {
        let edited = with_step_audio(VI, &[voice(0, "media/voice-hmn-0-abc.webm"), voice(1, "media/voice-hmn-1-def.m4a")]).unwrap();
        let parsed = parse_lesson(&edited);
        assert!(!parsed.has_errors(), "{:?}", parsed.problems);
        assert_eq!(parsed.lesson.steps[0].audio(), Some("media/voice-hmn-0-abc.webm"));
        assert_eq!(parsed.lesson.steps[1].audio(), Some("media/voice-hmn-1-def.m4a"));
        assert!(!edited.contains("step2.mp3"), "the old audio line is replaced");
        // Everything else is the same, line for line.
        let added: Vec<&str> = edited.lines().filter(|l| !VI.lines().any(|old| old == *l)).collect();
        assert_eq!(added, ["![Giọng đọc của tổ Tả Van](media/voice-hmn-0-abc.webm)", "![Giọng đọc của tổ Tả Van](media/voice-hmn-1-def.m4a)"]);
        // The new line and a blank line on each side of it (the heading was followed by text).
        assert_eq!(edited.lines().count(), VI.lines().count() + 3);
        let under_heading: Vec<&str> = edited.lines().skip_while(|l| *l != "## Mã VietQR là gì?").take(4).collect();
        assert_eq!(under_heading, ["## Mã VietQR là gì?", "", "![Giọng đọc của tổ Tả Van](media/voice-hmn-0-abc.webm)", ""]);
        // Importing again changes nothing.
        assert_eq!(with_step_audio(&edited, &[voice(0, "media/voice-hmn-0-abc.webm"), voice(1, "media/voice-hmn-1-def.m4a")]).unwrap(), edited);
    }

    #[test]
    fn windows_line_endings_stay() {
        let crlf = VI.replace('\n', "\r\n");
        let edited = with_step_audio(&crlf, &[voice(0, "media/v.webm")]).unwrap();
        assert!(!edited.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
        assert_eq!(parse_lesson(&edited).lesson.steps[0].audio(), Some("media/v.webm"));
    }

    #[test]
    fn what_cannot_be_named_safely_is_refused_with_a_sentence() {
        assert!(with_step_audio(VI, &[voice(2, "media/v.webm")]).unwrap_err().contains("no step 2"));
        assert!(with_step_audio(VI, &[voice(0, "media/a b.webm")]).unwrap_err().contains("without spaces"));
        assert!(with_step_audio(VI, &[voice(0, "media/a.webm"), voice(0, "media/b.webm")]).unwrap_err().contains("two voices"));
        let broken = VI.replace("status: draft", "status: maybe");
        assert!(with_step_audio(&broken, &[voice(0, "media/v.webm")]).unwrap_err().contains("content check"));
        let two = VI.replace("![Nghe bước này](media/step2.mp3)", "![Nghe](media/a.mp3)\n\n![Nghe](media/b.mp3)");
        assert!(with_step_audio(&two, &[voice(1, "media/v.webm")]).unwrap_err().contains("more than one audio"));
        // A label cannot break out of its brackets.
        let edited = with_step_audio(VI, &[StepAudio { step: 0, src: "media/v.webm".into(), label: "Tổ ](x) [y".into() }]).unwrap();
        assert_eq!(parse_lesson(&edited).lesson.steps[0].audio(), Some("media/v.webm"));
    }
}
