//! One run through a drill, tap by tap: what the player shows after each action and which events
//! it records. Pure and small, so the app's player only draws screens and stores events.

use super::model::{Action, Drill};
use super::progress::DrillProgress;
use crate::events::EventKind;

/// Wrong tries on one screen after which the player highlights the right target.
pub const HIGHLIGHT_AFTER_WRONG: u32 = 2;

/// Where a learner is in one drill of a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillAttempt {
    /// The drill's index in its lesson (0 for the lesson's first practice block).
    pub drill: u32,
    step: usize,
    wrong_on_step: u32,
    mistakes: u32,
    finished: bool,
}

/// What the player shows after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reaction<'d> {
    /// Right: show `feedback` (may be empty), then screen `next`.
    Next { feedback: &'d str, next: usize },
    /// Right on the last screen: the drill is done.
    Done { feedback: &'d str, mistakes: u32 },
    /// Wrong: show `feedback` (`None`: the app's general "not yet, look again" sentence) and stay on
    /// the screen; `highlight` is the right action once the learner has tried wrong
    /// [`HIGHLIGHT_AFTER_WRONG`] times on it.
    Wrong { feedback: Option<&'d str>, highlight: Option<&'d Action> },
    /// The drill was already finished (or the step does not exist): nothing to do.
    Finished,
}

impl DrillAttempt {
    /// A new attempt at drill `drill` of a lesson, and the event to record for it.
    pub fn start(drill: u32) -> (Self, EventKind) {
        (Self { drill, step: 0, wrong_on_step: 0, mistakes: 0, finished: false }, EventKind::DrillStarted { drill })
    }

    /// Continues the attempt a learner left (after a reload) on `definition` (the drill `drill` of
    /// the lesson as it is now), or `None` when none can go on: none in progress, or one whose
    /// saved screen is past the drill's last (every screen answered but the "completed" event
    /// never saved, a drill republished with fewer screens, or a phone clock turned back between
    /// two taps). The learner then starts the drill again instead of facing a screen that does
    /// not exist, which no tap could ever finish.
    pub fn resume(drill: u32, progress: &DrillProgress, definition: &Drill) -> Option<Self> {
        let step = progress.step as usize;
        (progress.in_progress && step < definition.steps.len()).then_some(Self {
            drill,
            step,
            wrong_on_step: 0,
            mistakes: progress.mistakes_now,
            finished: false,
        })
    }

    /// The screen to show (an index into `drill.steps`).
    pub fn step(&self) -> usize {
        self.step
    }

    /// Wrong actions so far in this attempt.
    pub fn mistakes(&self) -> u32 {
        self.mistakes
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether the player highlights the right target on the current screen.
    pub fn highlights(&self) -> bool {
        self.wrong_on_step >= HIGHLIGHT_AFTER_WRONG
    }

    /// The learner did `action` on the current screen: what to show, and the events to record
    /// (in order, before the screen moves on).
    pub fn answer<'d>(&mut self, drill: &'d Drill, action: &Action) -> (Reaction<'d>, Vec<EventKind>) {
        let Some(step) = drill.steps.get(self.step).filter(|_| !self.finished) else { return (Reaction::Finished, Vec::new()) };
        let index = self.step as u32;
        let answered = |correct| EventKind::DrillStepAnswered { drill: self.drill, step: index, correct };
        if step.is_right(action) {
            let feedback = step.response(action).map_or("", |r| r.feedback.as_str());
            self.wrong_on_step = 0;
            self.step += 1;
            if self.step == drill.steps.len() {
                self.finished = true;
                let events = vec![answered(true), EventKind::DrillCompleted { drill: self.drill, mistakes: self.mistakes }];
                return (Reaction::Done { feedback, mistakes: self.mistakes }, events);
            }
            return (Reaction::Next { feedback, next: self.step }, vec![answered(true)]);
        }
        self.mistakes += 1;
        self.wrong_on_step += 1;
        let feedback = step.response(action).map(|r| r.feedback.as_str()).filter(|f| !f.is_empty());
        let highlight = if self.highlights() { step.right().map(|r| &r.action) } else { None };
        (Reaction::Wrong { feedback, highlight }, vec![answered(false)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::practice::parse_drill_text;

    fn drill() -> Drill {
        let text = "kind: transfer_confirm\ninstruction: Trả tiền.\nscreen: confirm\nname: NGUYEN VAN MAO\naccount: 0123 456 789\nright: cancel => Đúng.\nwrong: confirm => Sai tên.\nscreen: passcode\nright: enter_passcode\n";
        let (drill, problems) = parse_drill_text(text);
        assert_eq!(problems, vec![]);
        drill.unwrap()
    }

    #[test]
    fn right_moves_on_wrong_stays_with_its_feedback_and_the_events_say_so() {
        let drill = drill();
        let (mut attempt, started) = DrillAttempt::start(1);
        assert_eq!(started, EventKind::DrillStarted { drill: 1 });
        let (reaction, events) = attempt.answer(&drill, &Action::Confirm);
        assert_eq!(reaction, Reaction::Wrong { feedback: Some("Sai tên."), highlight: None });
        assert_eq!(events, vec![EventKind::DrillStepAnswered { drill: 1, step: 0, correct: false }]);
        // An action the trainer did not foresee gets the app's general sentence.
        let (reaction, _) = attempt.answer(&drill, &Action::Scan);
        assert_eq!(reaction, Reaction::Wrong { feedback: None, highlight: Some(&Action::Cancel) }, "highlighted after two wrong tries");
        assert!(attempt.highlights());
        let (reaction, events) = attempt.answer(&drill, &Action::Cancel);
        assert_eq!(reaction, Reaction::Next { feedback: "Đúng.", next: 1 });
        assert_eq!(events, vec![EventKind::DrillStepAnswered { drill: 1, step: 0, correct: true }]);
        assert!(!attempt.highlights(), "a new screen starts without highlight");
        let (reaction, events) = attempt.answer(&drill, &Action::EnterPasscode);
        assert_eq!(reaction, Reaction::Done { feedback: "", mistakes: 2 });
        assert_eq!(
            events,
            vec![EventKind::DrillStepAnswered { drill: 1, step: 1, correct: true }, EventKind::DrillCompleted { drill: 1, mistakes: 2 }]
        );
        assert!(attempt.is_finished());
        assert_eq!(attempt.answer(&drill, &Action::Cancel), (Reaction::Finished, vec![]));
    }

    #[test]
    fn an_attempt_left_halfway_resumes_at_its_screen_with_its_mistakes() {
        let drill = drill();
        let (mut attempt, first) = DrillAttempt::start(0);
        let mut events = vec![first];
        events.extend(attempt.answer(&drill, &Action::Confirm).1);
        events.extend(attempt.answer(&drill, &Action::Cancel).1);
        let mut progress = DrillProgress::default();
        events.iter().for_each(|e| progress.apply(e));
        let resumed = DrillAttempt::resume(0, &progress, &drill).unwrap();
        assert_eq!((resumed.step(), resumed.mistakes()), (1, 1));
        assert_eq!(resumed, DrillAttempt { wrong_on_step: 0, ..attempt });
        progress.apply(&EventKind::DrillCompleted { drill: 0, mistakes: 1 });
        assert_eq!(DrillAttempt::resume(0, &progress, &drill), None);
    }

    #[test]
    fn an_attempt_whose_saved_screen_is_past_the_last_starts_again_instead_of_sticking() {
        let drill = drill();
        // Both screens answered right, the "completed" event lost (the tab closed between the
        // two writes): resuming would show a screen that does not exist.
        let mut progress = DrillProgress::default();
        for event in [
            EventKind::DrillStarted { drill: 0 },
            EventKind::DrillStepAnswered { drill: 0, step: 0, correct: true },
            EventKind::DrillStepAnswered { drill: 0, step: 1, correct: true },
        ] {
            progress.apply(&event);
        }
        assert!(progress.in_progress && !progress.is_done());
        assert_eq!(DrillAttempt::resume(0, &progress, &drill), None);
        // The player then starts a new attempt, which can be finished.
        let (mut attempt, _) = DrillAttempt::start(0);
        attempt.answer(&drill, &Action::Cancel);
        assert!(matches!(attempt.answer(&drill, &Action::EnterPasscode).0, Reaction::Done { .. }));
    }
}
