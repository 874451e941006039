//! One run through a drill, tap by tap: what the player shows after each action and which events
//! it records. Pure and small, so the app's player only draws screens and stores events.

use super::model::{Action, Drill, DrillStep, Screen};
use super::progress::DrillProgress;
use crate::events::EventKind;

/// Wrong tries on one screen after which the player highlights the right target.
pub const HIGHLIGHT_AFTER_WRONG: u32 = 2;

/// Where a learner is in one drill of a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillAttempt {
    /// The drill's index in its lesson (0 for the lesson's first practice block).
    pub drill: u32,
    /// The next screen to answer (the one after the last right answer).
    step: usize,
    wrong_on_step: u32,
    mistakes: u32,
    finished: bool,
    /// A message rightly marked a scam whose red flags the learner is finding: the screen stays
    /// on it, and the drill goes on (or ends) once every flag is found.
    hunt: Option<Hunt>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Hunt {
    step: usize,
    found: FlagSet,
}

/// Red flags of one message, by their index in its flags. A message has at most one flag of each
/// [`super::RedFlag`] kind, so a bit set does (far smaller in the WASM download than a `BTreeSet`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlagSet(u32);

impl FlagSet {
    pub fn contains(self, flag: u32) -> bool {
        flag < u32::BITS && self.0 & (1 << flag) != 0
    }

    /// Adds `flag`; false when it was in already (or is past any message's flags).
    pub fn insert(&mut self, flag: u32) -> bool {
        let new = flag < u32::BITS && !self.contains(flag);
        if new {
            self.0 |= 1 << flag;
        }
        new
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The flags in both sets.
    pub fn and(self, other: FlagSet) -> FlagSet {
        FlagSet(self.0 & other.0)
    }

    /// The flags, in index order.
    pub fn iter(self) -> impl Iterator<Item = u32> {
        (0..u32::BITS).filter(move |flag| self.contains(*flag))
    }
}

impl FromIterator<u32> for FlagSet {
    fn from_iter<I: IntoIterator<Item = u32>>(flags: I) -> Self {
        let mut set = FlagSet::default();
        flags.into_iter().for_each(|flag| {
            set.insert(flag);
        });
        set
    }
}

/// What the player shows after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reaction<'d> {
    /// Right: show `feedback` (may be empty), then screen `next`.
    Next { feedback: &'d str, next: usize },
    /// Right on the last screen: the drill is done.
    Done { feedback: &'d str, mistakes: u32 },
    /// Right, a scam message: show `feedback`, keep the message open and let the learner tap its
    /// red flags ([`DrillAttempt::tap_words`]) until every one is found.
    Hunt { feedback: &'d str },
    /// A red flag found; `left` are still to find (0: the drill goes on, or is done when
    /// [`DrillAttempt::is_finished`]).
    FlagFound { left: usize },
    /// Words that are not a red flag: a mistake of the message's screen.
    NotAFlag,
    /// Wrong: show `feedback` (`None`: the app's general "not yet, look again" sentence) and stay on
    /// the screen; `highlight` is the right action once the learner has tried wrong
    /// [`HIGHLIGHT_AFTER_WRONG`] times on it.
    Wrong { feedback: Option<&'d str>, highlight: Option<&'d Action> },
    /// Nothing to do: the drill is finished, the screen does not exist, the tap is not one this
    /// moment takes (a button during a red-flag hunt) or the flag was found already.
    Ignored,
}

/// The red flags a learner taps on `step` once it is answered right: those of a scam message that
/// the player can show as words (a flag whose words are not in the text has none; the parser
/// reports it). Empty for every other screen.
pub fn flags_to_find(step: &DrillStep) -> FlagSet {
    match (&step.screen, step.right()) {
        (Screen::Message(message), Some(right)) if right.action == Action::Scam => {
            message.parts().iter().filter_map(|part| part.flag).map(|flag| flag as u32).collect()
        }
        _ => FlagSet::default(),
    }
}

impl DrillAttempt {
    /// A new attempt at drill `drill` of a lesson, and the event to record for it.
    pub fn start(drill: u32) -> (Self, EventKind) {
        (Self { drill, step: 0, wrong_on_step: 0, mistakes: 0, finished: false, hunt: None }, EventKind::DrillStarted { drill })
    }

    /// Continues the attempt a learner left (after a reload) on `definition` (the drill `drill` of
    /// the lesson as it is now), or `None` when none can go on: none in progress, or one whose
    /// saved screen is past the drill's last (every screen answered but the "completed" event
    /// never saved, a drill republished with fewer screens, or a phone clock turned back between
    /// two taps). The learner then starts the drill again instead of facing a screen that does
    /// not exist, which no tap could ever finish.
    ///
    /// A learner who left in the middle of a red-flag hunt (the last message answered right is a
    /// scam with flags not all found) is put back in it, with the flags found shown found.
    pub fn resume(drill: u32, progress: &DrillProgress, definition: &Drill) -> Option<Self> {
        if !progress.in_progress {
            return None;
        }
        let step = progress.step as usize;
        let hunt = step.checked_sub(1).and_then(|answered| {
            let to_find = flags_to_find(definition.steps.get(answered)?);
            let found = match progress.flags_found {
                Some((hunted, found)) if hunted as usize == answered => found.and(to_find),
                _ => FlagSet::default(),
            };
            (found.len() < to_find.len()).then_some(Hunt { step: answered, found })
        });
        (hunt.is_some() || step < definition.steps.len()).then_some(Self {
            drill,
            step,
            wrong_on_step: 0,
            mistakes: progress.mistakes_now,
            finished: false,
            hunt,
        })
    }

    /// The screen to show (an index into `drill.steps`): the message whose red flags are being
    /// found, else the next one to answer.
    pub fn step(&self) -> usize {
        self.hunt.as_ref().map_or(self.step, |h| h.step)
    }

    /// Wrong actions so far in this attempt.
    pub fn mistakes(&self) -> u32 {
        self.mistakes
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether the player highlights the right target on the current screen (in a red-flag hunt:
    /// the flags not found yet).
    pub fn highlights(&self) -> bool {
        self.wrong_on_step >= HIGHLIGHT_AFTER_WRONG
    }

    /// In a red-flag hunt: the message's screen and the flags found so far.
    pub fn hunt(&self) -> Option<(usize, FlagSet)> {
        self.hunt.as_ref().map(|h| (h.step, h.found))
    }

    /// The learner did `action` on the current screen: what to show, and the events to record
    /// (in order, before the screen moves on).
    pub fn answer<'d>(&mut self, drill: &'d Drill, action: &Action) -> (Reaction<'d>, Vec<EventKind>) {
        let Some(step) = drill.steps.get(self.step).filter(|_| !self.finished && self.hunt.is_none()) else {
            return (Reaction::Ignored, Vec::new());
        };
        let index = self.step as u32;
        let answered = |correct| EventKind::DrillStepAnswered { drill: self.drill, step: index, correct };
        if step.is_right(action) {
            let feedback = step.response(action).map_or("", |r| r.feedback.as_str());
            self.wrong_on_step = 0;
            self.step += 1;
            if !flags_to_find(step).is_empty() {
                // Not done yet, even on the last message: its flags are part of the drill.
                self.hunt = Some(Hunt { step: index as usize, found: FlagSet::default() });
                return (Reaction::Hunt { feedback }, vec![answered(true)]);
            }
            if self.step == drill.steps.len() {
                self.finished = true;
                let events = vec![answered(true), EventKind::DrillCompleted { drill: self.drill, mistakes: self.mistakes }];
                return (Reaction::Done { feedback, mistakes: self.mistakes }, events);
            }
            return (Reaction::Next { feedback, next: self.step }, vec![answered(true)]);
        }
        self.mistakes = self.mistakes.saturating_add(1);
        self.wrong_on_step = self.wrong_on_step.saturating_add(1);
        let feedback = step.response(action).map(|r| r.feedback.as_str()).filter(|f| !f.is_empty());
        let highlight = if self.highlights() { step.right().map(|r| &r.action) } else { None };
        (Reaction::Wrong { feedback, highlight }, vec![answered(false)])
    }

    /// In a red-flag hunt, the learner tapped words of the message: red flag `flag` (an index into
    /// the message's flags, as [`super::MessagePart::flag`] says), or `None` for words that are not
    /// one, which is a mistake of the message's screen. After the last flag the drill goes on,
    /// or is done (then the events end with "completed").
    pub fn tap_words(&mut self, drill: &Drill, flag: Option<usize>) -> (Reaction<'static>, Vec<EventKind>) {
        let Some(hunt) = self.hunt.as_mut() else { return (Reaction::Ignored, Vec::new()) };
        let Some(step) = drill.steps.get(hunt.step) else { return (Reaction::Ignored, Vec::new()) };
        let index = hunt.step as u32;
        let Some(flag) = flag else {
            self.mistakes = self.mistakes.saturating_add(1);
            self.wrong_on_step = self.wrong_on_step.saturating_add(1);
            return (Reaction::NotAFlag, vec![EventKind::DrillStepAnswered { drill: self.drill, step: index, correct: false }]);
        };
        let to_find = flags_to_find(step);
        let flag = u32::try_from(flag).unwrap_or(u32::MAX);
        if !to_find.contains(flag) || !hunt.found.insert(flag) {
            return (Reaction::Ignored, Vec::new());
        }
        let mut events = vec![EventKind::DrillFlagFound { drill: self.drill, step: index, flag }];
        let left = to_find.len() - hunt.found.len();
        if left == 0 {
            self.hunt = None;
            self.wrong_on_step = 0;
            if self.step >= drill.steps.len() {
                self.finished = true;
                events.push(EventKind::DrillCompleted { drill: self.drill, mistakes: self.mistakes });
            }
        }
        (Reaction::FlagFound { left }, events)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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
        assert_eq!(attempt.answer(&drill, &Action::Cancel), (Reaction::Ignored, vec![]));
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

    /// A scam message with two red flags (its link and "KHOÁ sau 24 giờ"), then a safe one, then
    /// a scam with one flag: the last message's hunt ends the drill.
    fn inbox() -> Drill {
        let text = "kind: message_inbox\ninstruction: Chọn.\n\
            screen: message\nfrom: VNeID-HoTro\ntext: Tài khoản sẽ bị KHOÁ sau 24 giờ. Bấm link để cập nhật.\nlink: vneid-capnhat.example\n\
            right: scam => Đúng.\nwrong: safe => Nhìn kỹ link.\nflag: look_alike_link => Link giả.\nflag: urgency \"KHOÁ sau 24 giờ\" => Dọa.\n\
            screen: message\nfrom: Em gái\ntext: Mai em về.\nright: safe\nwrong: scam => Tin này an toàn.\n\
            screen: message\nfrom: Quà tặng\ntext: Bạn trúng thưởng một xe máy. Gửi mã OTP để nhận.\n\
            right: scam\nwrong: safe => Xin mã OTP.\nflag: asks_otp \"Gửi mã OTP để nhận\" => Xin mã OTP.\n";
        let (drill, problems) = parse_drill_text(text);
        assert_eq!(problems, vec![]);
        drill.unwrap()
    }

    /// The piece of message `step` that shows red flag `flag`.
    fn flag_of(drill: &Drill, step: usize, flag: usize) -> Option<usize> {
        let Screen::Message(message) = &drill.steps[step].screen else { panic!("a message") };
        message.parts().iter().find(|p| p.flag == Some(flag)).and_then(|p| p.flag)
    }

    #[test]
    fn a_flag_set_holds_each_flag_once_and_nothing_past_its_bits() {
        let mut set = FlagSet::default();
        assert!(set.insert(4) && set.insert(0) && !set.insert(4));
        assert!(!set.insert(32) && !set.insert(u32::MAX) && !set.contains(u32::MAX));
        assert_eq!((set.len(), set.iter().collect::<Vec<_>>()), (2, vec![0, 4]));
        assert_eq!(set.and(FlagSet::from_iter([4, 1])).iter().collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn a_scam_marked_right_opens_a_hunt_whose_flags_and_wrong_words_are_events() {
        let drill = inbox();
        assert_eq!(flags_to_find(&drill.steps[0]).iter().collect::<Vec<_>>(), [0, 1]);
        assert!(flags_to_find(&drill.steps[1]).is_empty(), "a safe message has none");
        let (mut attempt, _) = DrillAttempt::start(2);
        let (reaction, events) = attempt.answer(&drill, &Action::Scam);
        assert_eq!(reaction, Reaction::Hunt { feedback: "Đúng." });
        assert_eq!(events, vec![EventKind::DrillStepAnswered { drill: 2, step: 0, correct: true }]);
        assert_eq!((attempt.step(), attempt.hunt()), (0, Some((0, FlagSet::default()))), "the message stays open");
        assert_eq!(attempt.answer(&drill, &Action::Safe), (Reaction::Ignored, vec![]), "no button during the hunt");
        // Words that are not a flag: a mistake of the message's screen, like a wrong button.
        let (reaction, events) = attempt.tap_words(&drill, None);
        assert_eq!((reaction, events), (Reaction::NotAFlag, vec![EventKind::DrillStepAnswered { drill: 2, step: 0, correct: false }]));
        assert!(!attempt.highlights());
        attempt.tap_words(&drill, None);
        assert!(attempt.highlights(), "after two wrong words the flags are shown");
        let (reaction, events) = attempt.tap_words(&drill, flag_of(&drill, 0, 1));
        assert_eq!((reaction, events), (Reaction::FlagFound { left: 1 }, vec![EventKind::DrillFlagFound { drill: 2, step: 0, flag: 1 }]));
        assert_eq!(attempt.tap_words(&drill, flag_of(&drill, 0, 1)), (Reaction::Ignored, vec![]), "found already: nothing twice");
        assert_eq!(attempt.tap_words(&drill, Some(4)), (Reaction::Ignored, vec![]), "not a flag of this message");
        let (reaction, events) = attempt.tap_words(&drill, flag_of(&drill, 0, 0));
        assert_eq!((reaction, events), (Reaction::FlagFound { left: 0 }, vec![EventKind::DrillFlagFound { drill: 2, step: 0, flag: 0 }]));
        assert_eq!((attempt.step(), attempt.hunt(), attempt.mistakes()), (1, None, 2));
        assert_eq!(attempt.tap_words(&drill, None), (Reaction::Ignored, vec![]), "no hunt: words are not buttons");
        assert_eq!(attempt.answer(&drill, &Action::Safe).0, Reaction::Next { feedback: "", next: 2 });
        // The last message's hunt ends the drill: "completed" waits for its last flag.
        let (reaction, events) = attempt.answer(&drill, &Action::Scam);
        assert_eq!((reaction, events), (Reaction::Hunt { feedback: "" }, vec![EventKind::DrillStepAnswered { drill: 2, step: 2, correct: true }]));
        assert!(!attempt.is_finished());
        let (reaction, events) = attempt.tap_words(&drill, flag_of(&drill, 2, 0));
        assert_eq!(reaction, Reaction::FlagFound { left: 0 });
        assert_eq!(events, vec![EventKind::DrillFlagFound { drill: 2, step: 2, flag: 0 }, EventKind::DrillCompleted { drill: 2, mistakes: 2 }]);
        assert!(attempt.is_finished());
    }

    /// Folds `events` as the phone does after a reload.
    fn folded(events: &[EventKind]) -> DrillProgress {
        let mut progress = DrillProgress::default();
        events.iter().for_each(|e| progress.apply(e));
        progress
    }

    #[test]
    fn a_reload_in_the_middle_of_a_hunt_puts_the_learner_back_in_it_with_the_flags_found() {
        let drill = inbox();
        let (mut attempt, first) = DrillAttempt::start(0);
        let mut events = vec![first];
        events.extend(attempt.answer(&drill, &Action::Safe).1);
        events.extend(attempt.answer(&drill, &Action::Scam).1);
        events.extend(attempt.tap_words(&drill, None).1);
        events.extend(attempt.tap_words(&drill, flag_of(&drill, 0, 1)).1);
        let progress = folded(&events);
        assert_eq!(progress.flags_found, Some((0, FlagSet::from_iter([1]))));
        assert_eq!(progress.wrong_by_step, BTreeMap::from([(0, 2)]), "the wrong button and the wrong word, both on the message");
        let mut resumed = DrillAttempt::resume(0, &progress, &drill).unwrap();
        assert_eq!((resumed.step(), resumed.hunt(), resumed.mistakes()), (0, Some((0, FlagSet::from_iter([1]))), 2));
        assert_eq!(resumed, DrillAttempt { wrong_on_step: 0, ..attempt.clone() });
        // The hunt goes on where it was: the other flag ends it, then the next message.
        assert_eq!(resumed.tap_words(&drill, flag_of(&drill, 0, 0)).0, Reaction::FlagFound { left: 0 });
        assert_eq!(resumed.step(), 1);

        // A hunt of the last message left halfway: back in it, not a drill "done" nor lost.
        let (mut attempt, first) = DrillAttempt::start(0);
        let mut events = vec![first];
        events.extend(attempt.answer(&drill, &Action::Scam).1);
        events.extend(attempt.tap_words(&drill, flag_of(&drill, 0, 0)).1);
        events.extend(attempt.tap_words(&drill, flag_of(&drill, 0, 1)).1);
        events.extend(attempt.answer(&drill, &Action::Safe).1);
        events.extend(attempt.answer(&drill, &Action::Scam).1);
        let progress = folded(&events);
        assert!(progress.in_progress && !progress.is_done());
        let mut resumed = DrillAttempt::resume(0, &progress, &drill).unwrap();
        assert_eq!((resumed.step(), resumed.hunt()), (2, Some((2, FlagSet::default()))));
        let (_, more) = resumed.tap_words(&drill, flag_of(&drill, 2, 0));
        events.extend(more);
        assert!(resumed.is_finished());
        let progress = folded(&events);
        assert!(progress.is_done() && !progress.in_progress);
        assert_eq!(DrillAttempt::resume(0, &progress, &drill), None);
    }

    #[test]
    fn a_hunt_whose_flags_were_all_found_resumes_at_the_next_message_and_old_streams_resume_as_before() {
        let drill = inbox();
        let mut progress = folded(&[
            EventKind::DrillStarted { drill: 0 },
            EventKind::DrillStepAnswered { drill: 0, step: 0, correct: true },
            EventKind::DrillFlagFound { drill: 0, step: 0, flag: 0 },
            EventKind::DrillFlagFound { drill: 0, step: 0, flag: 1 },
        ]);
        let resumed = DrillAttempt::resume(0, &progress, &drill).unwrap();
        assert_eq!((resumed.step(), resumed.hunt()), (1, None));
        // Flags found in an earlier attempt are not found in a new one.
        progress.apply(&EventKind::DrillStarted { drill: 0 });
        progress.apply(&EventKind::DrillStepAnswered { drill: 0, step: 0, correct: true });
        assert_eq!(DrillAttempt::resume(0, &progress, &drill).unwrap().hunt(), Some((0, FlagSet::default())));
        // Only the last message hunted is kept, whatever the order the events come in.
        let later = [
            EventKind::DrillStarted { drill: 0 },
            EventKind::DrillStepAnswered { drill: 0, step: 0, correct: true },
            EventKind::DrillStepAnswered { drill: 0, step: 1, correct: true },
            EventKind::DrillStepAnswered { drill: 0, step: 2, correct: true },
            EventKind::DrillFlagFound { drill: 0, step: 2, flag: 0 },
        ];
        let mut late_flag = later.to_vec();
        late_flag.push(EventKind::DrillFlagFound { drill: 0, step: 0, flag: 1 });
        assert_eq!(folded(&later).flags_found, Some((2, FlagSet::from_iter([0]))));
        assert_eq!(folded(&late_flag), folded(&later), "a flag of an earlier message (a clock turned back) changes nothing");
        // A drill of another kind resumes exactly as before: no hunt.
        let other = super::tests::drill();
        let progress = folded(&[EventKind::DrillStarted { drill: 0 }, EventKind::DrillStepAnswered { drill: 0, step: 0, correct: true }]);
        assert_eq!(DrillAttempt::resume(0, &progress, &other).unwrap().hunt(), None);
    }
}
