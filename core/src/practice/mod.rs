//! Practice drills: rehearsals on safe look-alike screens (a bank's confirm screen, an inbox, a call).
//!
//! Kinds are code, drills are content (see the design notes): a ```` ```practice ```` block in a
//! lesson holds one drill in a small line format (documented in `content/README.md`), parsed here
//! into a typed [`Drill`] with every problem at its `file:line:col`. The player in the app is a
//! thin view over this module: [`DrillAttempt`] says what each tap means and which events to
//! record, and [`DrillProgress`] is the fold of those events (attempts, done, mistakes).
//!
//! Not for: drawing screens (the app) or counting the team's figures (the server).
//!
//! - [`model`]: the typed drill ([`Drill`], [`DrillKind`], [`DrillStep`], [`Screen`], [`Action`]);
//! - [`parse`]: lines → drill, with problems ([`parse_drill`]);
//! - [`attempt`]: one run through a drill, tap by tap ([`DrillAttempt`], [`Reaction`]);
//! - [`progress`]: a learner's drills folded from events ([`DrillProgress`]).

pub mod attempt;
pub mod model;
pub mod parse;
pub mod progress;

pub use attempt::{flags_to_find, DrillAttempt, FlagSet, Reaction, HIGHLIGHT_AFTER_WRONG};
pub use model::{
    format_dong, Action, Drill, DrillKind, DrillStep, Fee, FlagNote, FormField, Message, MessagePart, Otp, RedFlag, Response, Screen, Transfer,
    DRILL_KINDS,
};
pub use parse::{is_example_link, parse_amount, parse_drill, parse_drill_text, MAX_DRILL_STEPS, MAX_FORM_FIELDS, MAX_RESPONSES};
pub use progress::DrillProgress;

/// Most drills in one lesson (a drill's index in events is below this).
pub const MAX_DRILLS_PER_LESSON: usize = 20;

#[cfg(test)]
mod parse_tests;
