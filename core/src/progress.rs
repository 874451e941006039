//! A learner's progress as a pure fold over append-only events.
//!
//! Every action (start a lesson, view a step, answer a question, finish) is an immutable
//! [`ProgressEvent`] stored on the phone before the screen moves on, then synced. Nothing is ever
//! updated in place, so merging events from a backup or from the server can never lose an answer:
//! the same event id counted twice is still one event, and the fold does not depend on the order in
//! which events arrive.
use std::collections::{BTreeMap, BTreeSet};

pub use crate::events::{EventKind, ProgressEvent, Score};
use crate::practice::DrillProgress;

/// True when `chosen` is exactly the set of correct options (order and repeats do not matter).
pub fn is_correct_choice(correct: &[u32], chosen: &[u32]) -> bool {
    let correct: BTreeSet<_> = correct.iter().collect();
    let chosen: BTreeSet<_> = chosen.iter().collect();
    !chosen.is_empty() && correct == chosen
}

/// Where a learner stands in one lesson.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonProgress {
    /// Started again (or for the first time) after the last completion.
    pub in_progress: bool,
    /// The step to reopen the lesson at: the last one viewed in the current attempt.
    pub resume_step: u32,
    /// The last completion's score, if the lesson was ever completed.
    pub last_score: Option<Score>,
    pub best_score: Option<Score>,
    pub times_completed: u32,
    /// First answer to each question in the current attempt: right or wrong.
    pub first_answers: BTreeMap<u32, bool>,
    /// The lesson's practice drills, by their index in the lesson (only those ever touched).
    pub drills: BTreeMap<u32, DrillProgress>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonStatus {
    NotStarted,
    InProgress { step: u32 },
    Completed { score: Score },
}

impl LessonProgress {
    pub fn status(&self) -> LessonStatus {
        match (self.in_progress, self.last_score) {
            (true, _) => LessonStatus::InProgress { step: self.resume_step },
            (false, Some(score)) => LessonStatus::Completed { score },
            (false, None) => LessonStatus::NotStarted,
        }
    }

    /// The lesson's status when it holds drills: it counts as completed only when its quiz was
    /// completed and each drill was done at least once. `drill_steps` gives, for each drill of the
    /// lesson in order, the step that holds it ([`crate::content::Lesson::drill_steps`]); while a
    /// drill is left, the lesson is in progress at the first undone drill's step. Without drills
    /// this is exactly [`LessonProgress::status`].
    pub fn status_with_drills(&self, drill_steps: &[u32]) -> LessonStatus {
        match self.status() {
            LessonStatus::Completed { score } => match self.first_undone_drill(drill_steps.len()) {
                None => LessonStatus::Completed { score },
                Some(drill) => LessonStatus::InProgress { step: drill_steps[drill as usize] },
            },
            other => other,
        }
    }

    /// Whether the lesson counts as completed, given how many drills it holds.
    pub fn is_completed_with_drills(&self, drill_count: usize) -> bool {
        self.times_completed > 0 && self.first_undone_drill(drill_count).is_none()
    }

    /// One drill's progress (not started when never touched).
    pub fn drill(&self, drill: u32) -> DrillProgress {
        self.drills.get(&drill).cloned().unwrap_or_default()
    }

    /// The first of the lesson's `drill_count` drills not yet done.
    pub fn first_undone_drill(&self, drill_count: usize) -> Option<u32> {
        (0..drill_count as u32).find(|d| !self.drills.get(d).is_some_and(DrillProgress::is_done))
    }

    /// The score of the current attempt so far: questions right on the first try.
    pub fn attempt_score(&self, out_of: u32) -> Score {
        Score { correct: self.first_answers.values().filter(|right| **right).count() as u32, out_of }
    }

    fn apply(&mut self, kind: &EventKind) {
        match kind {
            EventKind::LessonStarted => {
                self.in_progress = true;
                self.resume_step = 0;
                self.first_answers.clear();
            }
            EventKind::StepViewed { step } => {
                self.in_progress = true;
                self.resume_step = *step;
            }
            EventKind::QuestionAnswered { question, correct, .. } => {
                self.in_progress = true;
                self.first_answers.entry(*question).or_insert(*correct);
            }
            // Sessions are folded by `crate::sessions`, not into a learner's own progress.
            EventKind::SessionDetails { .. }
            | EventKind::AttendeeAdded { .. }
            | EventKind::AttendeeRemoved { .. }
            | EventKind::GroupAnswered { .. }
            | EventKind::SessionClosed { .. }
            | EventKind::Erased => {}
            EventKind::DrillStarted { drill }
            | EventKind::DrillStepAnswered { drill, .. }
            | EventKind::DrillCompleted { drill, .. }
            | EventKind::DrillFlagFound { drill, .. } => {
                self.drills.entry(*drill).or_default().apply(kind);
            }
            EventKind::LessonCompleted { score } => {
                self.in_progress = false;
                self.resume_step = 0;
                self.first_answers.clear();
                self.last_score = Some(*score);
                self.times_completed += 1;
                let better = self.best_score.is_none_or(|best| {
                    u64::from(score.correct) * u64::from(best.out_of.max(1)) > u64::from(best.correct) * u64::from(score.out_of.max(1))
                });
                if better {
                    self.best_score = Some(*score);
                }
            }
        }
    }
}

/// One learner's progress over all lessons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    lessons: BTreeMap<String, LessonProgress>,
}

impl Progress {
    /// Folds `learner_id`'s events; other learners' events, and repeats of the same id, are ignored.
    pub fn fold<'a>(learner_id: &str, events: impl IntoIterator<Item = &'a ProgressEvent>) -> Self {
        let mut unique: BTreeMap<&str, &ProgressEvent> = BTreeMap::new();
        for event in events.into_iter().filter(|e| e.learner_id == learner_id) {
            unique.entry(&event.id).or_insert(event);
        }
        let mut ordered: Vec<&ProgressEvent> = unique.into_values().collect();
        ordered.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let mut progress = Self::default();
        for event in ordered.into_iter().filter(|e| e.kind.session().is_none()) {
            progress.lessons.entry(event.lesson_id.clone()).or_default().apply(&event.kind);
        }
        progress
    }

    pub fn lesson(&self, lesson_id: &str) -> LessonProgress {
        self.lessons.get(lesson_id).cloned().unwrap_or_default()
    }

    /// How many of the lessons, given as (id, number of drills), count as completed (quiz done and
    /// every drill done at least once; see [`LessonProgress::is_completed_with_drills`]).
    pub fn completed_count_with_drills<'a>(&self, lessons: impl IntoIterator<Item = (&'a str, usize)>) -> usize {
        lessons.into_iter().filter(|(id, drills)| self.lessons.get(*id).is_some_and(|l| l.is_completed_with_drills(*drills))).count()
    }

    /// How many of `lesson_ids` were completed at least once.
    pub fn completed_count<'a>(&self, lesson_ids: impl IntoIterator<Item = &'a str>) -> usize {
        lesson_ids.into_iter().filter(|id| self.lessons.get(*id).is_some_and(|l| l.times_completed > 0)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Recorder {
        device: String,
        seq: u64,
        at: i64,
        events: Vec<ProgressEvent>,
    }

    impl Recorder {
        fn new(device: &str) -> Self {
            Self { device: device.into(), seq: 0, at: 1_700_000_000_000, events: Vec::new() }
        }
        fn record(&mut self, learner: &str, lesson: &str, kind: EventKind) -> &mut Self {
            self.seq += 1;
            self.at += 1_000;
            self.events.push(ProgressEvent {
                id: ProgressEvent::event_id(&self.device, self.seq),
                device_id: self.device.clone(),
                seq: self.seq,
                learner_id: learner.into(),
                lesson_id: lesson.into(),
                lesson_version: "v1".into(),
                at: self.at,
                kind,
            });
            self
        }
        fn answer(&mut self, learner: &str, lesson: &str, question: u32, correct: bool) -> &mut Self {
            self.record(learner, lesson, EventKind::QuestionAnswered { question, chosen: vec![0], correct })
        }
    }

    fn a_lesson_with_a_wrong_then_right_answer() -> Recorder {
        let mut r = Recorder::new("phone-a");
        r.record("mai", "pay-by-vietqr", EventKind::LessonStarted)
            .record("mai", "pay-by-vietqr", EventKind::StepViewed { step: 0 })
            .record("mai", "pay-by-vietqr", EventKind::StepViewed { step: 1 })
            .record("mai", "pay-by-vietqr", EventKind::StepViewed { step: 2 })
            .answer("mai", "pay-by-vietqr", 0, false)
            .answer("mai", "pay-by-vietqr", 0, true)
            .answer("mai", "pay-by-vietqr", 1, true);
        r
    }

    #[test]
    fn an_untouched_lesson_is_not_started() {
        assert_eq!(Progress::fold("mai", &[]).lesson("x").status(), LessonStatus::NotStarted);
    }

    #[test]
    fn reopening_resumes_at_the_last_viewed_step() {
        let mut r = Recorder::new("phone-a");
        r.record("mai", "l", EventKind::LessonStarted)
            .record("mai", "l", EventKind::StepViewed { step: 0 })
            .record("mai", "l", EventKind::StepViewed { step: 3 })
            .record("mai", "l", EventKind::StepViewed { step: 2 });
        assert_eq!(Progress::fold("mai", &r.events).lesson("l").status(), LessonStatus::InProgress { step: 2 });
    }

    #[test]
    fn score_counts_first_answers_only_so_retries_do_not_inflate_it() {
        let r = a_lesson_with_a_wrong_then_right_answer();
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        assert_eq!(lesson.attempt_score(2), Score { correct: 1, out_of: 2 });
    }

    #[test]
    fn completion_records_the_score_and_keeps_the_best_across_attempts() {
        let mut r = a_lesson_with_a_wrong_then_right_answer();
        r.record("mai", "pay-by-vietqr", EventKind::LessonCompleted { score: Score { correct: 1, out_of: 2 } });
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        assert_eq!(lesson.status(), LessonStatus::Completed { score: Score { correct: 1, out_of: 2 } });

        r.record("mai", "pay-by-vietqr", EventKind::LessonStarted).record("mai", "pay-by-vietqr", EventKind::StepViewed { step: 1 });
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        assert_eq!(lesson.status(), LessonStatus::InProgress { step: 1 });
        assert_eq!(lesson.best_score, Some(Score { correct: 1, out_of: 2 }));
        assert!(lesson.first_answers.is_empty(), "a new attempt starts with no answers");

        r.record("mai", "pay-by-vietqr", EventKind::LessonCompleted { score: Score { correct: 2, out_of: 2 } })
            .record("mai", "pay-by-vietqr", EventKind::LessonStarted)
            .record("mai", "pay-by-vietqr", EventKind::LessonCompleted { score: Score { correct: 0, out_of: 2 } });
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        assert_eq!(lesson.best_score, Some(Score { correct: 2, out_of: 2 }));
        assert_eq!(lesson.last_score, Some(Score { correct: 0, out_of: 2 }));
        assert_eq!(lesson.times_completed, 3);
    }

    #[test]
    fn replay_order_and_duplicates_do_not_change_the_result() {
        let mut r = a_lesson_with_a_wrong_then_right_answer();
        r.record("mai", "pay-by-vietqr", EventKind::LessonCompleted { score: Score { correct: 1, out_of: 2 } }).record(
            "mai",
            "other",
            EventKind::StepViewed { step: 4 },
        );
        let expected = Progress::fold("mai", &r.events);
        let mut shuffled = r.events.clone();
        shuffled.reverse();
        shuffled.rotate_left(3);
        shuffled.extend(r.events.iter().take(4).cloned()); // a backup imported twice, a batch re-sent
        assert_eq!(Progress::fold("mai", &shuffled), expected);
    }

    #[test]
    fn other_learners_on_the_same_phone_are_untouched() {
        let mut r = a_lesson_with_a_wrong_then_right_answer();
        r.record("lan", "what-is-vneid", EventKind::StepViewed { step: 1 });
        let mai = Progress::fold("mai", &r.events);
        assert_eq!(mai.lesson("what-is-vneid").status(), LessonStatus::NotStarted);
        let lan = Progress::fold("lan", &r.events);
        assert_eq!(lan.lesson("pay-by-vietqr").status(), LessonStatus::NotStarted);
        assert_eq!(lan.lesson("what-is-vneid").status(), LessonStatus::InProgress { step: 1 });
    }

    #[test]
    fn completed_count_counts_lessons_completed_at_least_once() {
        let mut r = Recorder::new("p");
        r.record("mai", "a", EventKind::LessonCompleted { score: Score { correct: 3, out_of: 3 } })
            .record("mai", "a", EventKind::LessonStarted)
            .record("mai", "b", EventKind::StepViewed { step: 1 });
        assert_eq!(Progress::fold("mai", &r.events).completed_count(["a", "b", "c"]), 1);
    }

    #[test]
    fn choices_are_right_only_when_exactly_the_correct_set() {
        assert!(is_correct_choice(&[1], &[1]));
        assert!(is_correct_choice(&[0, 2], &[2, 0]));
        assert!(!is_correct_choice(&[0, 2], &[0]));
        assert!(!is_correct_choice(&[0], &[0, 1]));
        assert!(!is_correct_choice(&[0], &[]));
    }

    fn drill(r: &mut Recorder, lesson: &str, drill: u32, wrong_steps: &[u32], steps: u32) {
        r.record("mai", lesson, EventKind::DrillStarted { drill });
        for step in wrong_steps {
            r.record("mai", lesson, EventKind::DrillStepAnswered { drill, step: *step, correct: false });
        }
        for step in 0..steps {
            r.record("mai", lesson, EventKind::DrillStepAnswered { drill, step, correct: true });
        }
        r.record("mai", lesson, EventKind::DrillCompleted { drill, mistakes: wrong_steps.len() as u32 });
    }

    #[test]
    fn drill_attempts_done_and_mistakes_are_folded_per_drill() {
        let mut r = Recorder::new("p");
        r.record("mai", "pay-by-vietqr", EventKind::LessonStarted);
        drill(&mut r, "pay-by-vietqr", 0, &[1, 1, 3], 6);
        drill(&mut r, "pay-by-vietqr", 0, &[1], 6);
        r.record("mai", "pay-by-vietqr", EventKind::DrillStarted { drill: 0 })
            .record("mai", "pay-by-vietqr", EventKind::DrillStepAnswered { drill: 0, step: 0, correct: true })
            .record("mai", "pay-by-vietqr", EventKind::DrillStepAnswered { drill: 0, step: 1, correct: false });
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        let d = lesson.drill(0);
        assert_eq!((d.attempts, d.times_done, d.in_progress, d.step, d.mistakes_now), (3, 2, true, 1, 1));
        assert_eq!((d.last_mistakes, d.fewest_mistakes), (Some(1), Some(1)));
        assert_eq!(d.wrong_by_step, BTreeMap::from([(1, 4), (3, 1)]));
        assert_eq!(d.most_missed_step(), Some((1, 4)));
        assert!(d.is_done());
        assert_eq!(lesson.drill(1), DrillProgress::default(), "an untouched drill is not started");
    }

    #[test]
    fn a_lesson_with_drills_is_completed_only_when_its_drills_are_done() {
        let mut r = a_lesson_with_a_wrong_then_right_answer();
        let score = Score { correct: 1, out_of: 2 };
        r.record("mai", "pay-by-vietqr", EventKind::LessonCompleted { score });
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        // The drill of step 4 and the one of step 5 are left: the learner is sent to the first.
        assert_eq!(lesson.status_with_drills(&[4, 5]), LessonStatus::InProgress { step: 4 });
        assert!(!lesson.is_completed_with_drills(2));
        assert_eq!(lesson.status(), LessonStatus::Completed { score }, "without drills, as before");
        drill(&mut r, "pay-by-vietqr", 0, &[], 6);
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        assert_eq!(lesson.status_with_drills(&[4, 5]), LessonStatus::InProgress { step: 5 });
        // Drills done before or after the quiz count the same.
        drill(&mut r, "pay-by-vietqr", 1, &[0], 3);
        let progress = Progress::fold("mai", &r.events);
        assert_eq!(progress.lesson("pay-by-vietqr").status_with_drills(&[4, 5]), LessonStatus::Completed { score });
        assert_eq!(progress.completed_count_with_drills([("pay-by-vietqr", 2), ("other", 0)]), 1);
        // While the quiz is not done, drills change nothing in the status.
        let mut r = Recorder::new("p");
        r.record("mai", "l", EventKind::StepViewed { step: 2 });
        drill(&mut r, "l", 0, &[], 2);
        assert_eq!(Progress::fold("mai", &r.events).lesson("l").status_with_drills(&[1]), LessonStatus::InProgress { step: 2 });
    }

    #[test]
    fn old_event_streams_fold_exactly_as_before() {
        let mut r = a_lesson_with_a_wrong_then_right_answer();
        r.record("mai", "pay-by-vietqr", EventKind::LessonCompleted { score: Score { correct: 1, out_of: 2 } });
        let lesson = Progress::fold("mai", &r.events).lesson("pay-by-vietqr");
        assert!(lesson.drills.is_empty());
        assert_eq!(lesson.status_with_drills(&[]), lesson.status());
        assert!(lesson.is_completed_with_drills(0));
        let progress = Progress::fold("mai", &r.events);
        assert_eq!(progress.completed_count_with_drills([("pay-by-vietqr", 0)]), progress.completed_count(["pay-by-vietqr"]));
    }

    #[test]
    fn drill_events_in_any_order_and_repeated_fold_the_same() {
        let mut r = Recorder::new("p");
        drill(&mut r, "l", 0, &[2, 2], 4);
        drill(&mut r, "l", 1, &[], 1);
        let expected = Progress::fold("mai", &r.events);
        let mut shuffled = r.events.clone();
        shuffled.reverse();
        shuffled.extend(r.events.iter().take(5).cloned());
        assert_eq!(Progress::fold("mai", &shuffled), expected);
    }

    #[test]
    fn red_flags_found_and_wrong_words_fold_into_their_drill_in_any_order() {
        let mut r = Recorder::new("p");
        r.record("mai", "fake-links", EventKind::DrillStarted { drill: 1 })
            .record("mai", "fake-links", EventKind::DrillStepAnswered { drill: 1, step: 0, correct: true })
            .record("mai", "fake-links", EventKind::DrillStepAnswered { drill: 1, step: 0, correct: false })
            .record("mai", "fake-links", EventKind::DrillFlagFound { drill: 1, step: 0, flag: 1 });
        let expected = Progress::fold("mai", &r.events);
        let d = expected.lesson("fake-links").drill(1);
        assert_eq!((d.in_progress, d.step, d.mistakes_now), (true, 1, 1), "a wrong word is a mistake of the attempt");
        assert_eq!(d.wrong_by_step, BTreeMap::from([(0, 1)]), "…and of the message's screen");
        assert_eq!(d.flags_found, Some((0, crate::practice::FlagSet::from_iter([1]))));
        let mut shuffled = r.events.clone();
        shuffled.reverse();
        shuffled.extend(r.events.iter().cloned());
        assert_eq!(Progress::fold("mai", &shuffled), expected);
        // Completed: the next attempt starts with no flag found.
        r.record("mai", "fake-links", EventKind::DrillFlagFound { drill: 1, step: 0, flag: 0 }).record(
            "mai",
            "fake-links",
            EventKind::DrillCompleted { drill: 1, mistakes: 1 },
        );
        let d = Progress::fold("mai", &r.events).lesson("fake-links").drill(1);
        assert!(d.is_done() && d.flags_found.is_none());
    }

    #[test]
    fn events_round_trip_through_json_and_reject_unknown_fields() {
        let r = a_lesson_with_a_wrong_then_right_answer();
        let json = serde_json::to_string(&r.events).unwrap();
        assert!(json.contains(r#""kind":{"type":"question_answered","question":0,"chosen":[0],"correct":false}"#), "{json}");
        let back: Vec<ProgressEvent> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r.events);
        let tampered = json.replacen(r#""seq":1,"#, r#""seq":1,"admin":true,"#, 1);
        assert!(serde_json::from_str::<Vec<ProgressEvent>>(&tampered).is_err());
    }
}
