//! A learner's progress in one drill, folded from the drill events of [`crate::events`]: attempts,
//! done or not, mistakes, and which screens go wrong. Kept per lesson by [`crate::progress`].

use std::collections::BTreeMap;

use super::attempt::FlagSet;

use crate::events::EventKind;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrillProgress {
    /// Times the drill was started.
    pub attempts: u32,
    /// Started (or answered) after the last completion.
    pub in_progress: bool,
    /// The screen to reopen at in the current attempt: the one after the last right answer.
    pub step: u32,
    /// Wrong actions in the current attempt.
    pub mistakes_now: u32,
    pub times_done: u32,
    /// Mistakes of the last and of the best completed attempt.
    pub last_mistakes: Option<u32>,
    pub fewest_mistakes: Option<u32>,
    /// Wrong actions per screen, over every attempt (a tap on words that are not a red flag
    /// counts on its message's screen).
    pub wrong_by_step: BTreeMap<u32, u32>,
    /// The red flags found in the current attempt on the last message hunted (its screen, the
    /// flags): what a reload in the middle of a red-flag hunt shows found again. Only the last
    /// matters, as a hunt ends before the next message; keeping the highest screen makes the fold
    /// independent of the order of the events.
    pub flags_found: Option<(u32, FlagSet)>,
}

impl DrillProgress {
    /// Completed at least once: what a lesson's completion waits for.
    pub fn is_done(&self) -> bool {
        self.times_done > 0
    }

    /// The screen most often gotten wrong, with how many times (the first such screen on a tie).
    pub fn most_missed_step(&self) -> Option<(u32, u32)> {
        self.wrong_by_step.iter().filter(|(_, wrong)| **wrong > 0).max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(s, w)| (*s, *w))
    }

    /// Applies one drill event (other events are ignored).
    pub(crate) fn apply(&mut self, kind: &EventKind) {
        match kind {
            EventKind::DrillStarted { .. } => {
                self.attempts = self.attempts.saturating_add(1);
                self.in_progress = true;
                self.step = 0;
                self.mistakes_now = 0;
                self.flags_found = None;
            }
            EventKind::DrillStepAnswered { step, correct, .. } => {
                self.in_progress = true;
                if *correct {
                    self.step = self.step.max(step.saturating_add(1));
                } else {
                    self.mistakes_now = self.mistakes_now.saturating_add(1);
                    let wrong = self.wrong_by_step.entry(*step).or_default();
                    *wrong = wrong.saturating_add(1);
                }
            }
            EventKind::DrillFlagFound { step, flag, .. } => {
                // A flag is hunted only once its message was rightly marked a scam.
                self.in_progress = true;
                self.step = self.step.max(step.saturating_add(1));
                match &mut self.flags_found {
                    Some((hunted, found)) if hunted == step => {
                        found.insert(*flag);
                    }
                    Some((hunted, _)) if *hunted > *step => {}
                    _ => self.flags_found = Some((*step, FlagSet::from_iter([*flag]))),
                }
            }
            EventKind::DrillCompleted { mistakes, .. } => {
                self.in_progress = false;
                self.step = 0;
                self.mistakes_now = 0;
                self.flags_found = None;
                self.times_done = self.times_done.saturating_add(1);
                self.last_mistakes = Some(*mistakes);
                self.fewest_mistakes = Some(self.fewest_mistakes.map_or(*mistakes, |fewest| fewest.min(*mistakes)));
            }
            _ => {}
        }
    }
}
