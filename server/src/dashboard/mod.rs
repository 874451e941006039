//! The team dashboard and the province view, as pure functions over counts from the store; the
//! answers are core's typed reports (`hocso_core::reports`), which the team tools read.
//!
//! - [`period`]: the dates asked for (core's one date rule) and the times they stand for, Vietnam time;
//! - [`topics`]: the lesson → topic map from the published catalogue;
//! - [`drills`]: the drills and screens of the published lessons, which drill events may name;
//! - [`team`]: one team's dashboard; [`province`]: every team's totals;
//! - [`sessions`]: sessions folded by core's rules (as on the phone), placed by their written date;
//! - [`csv`]: the CSV downloads.
//!
//! Not for: reading the database (`store`) or HTTP (`api::dashboard`). Indicators are counts only:
//! no event lists and no personal data leave the server through here (the sessions CSV lists each
//! session's date, place and village, never an attendee). Every time and count from a phone is
//! untrusted: dates are checked, sums saturate, nothing here panics on what was stored.
pub mod csv;
pub mod drills;
pub mod period;
pub mod province;
pub mod sessions;
pub mod team;
pub mod topics;

pub use csv::{csv_file_name, lessons_csv, sessions_csv, sessions_csv_file_name, CSV_HEADER, SESSIONS_CSV_HEADER};
pub use drills::PublishedDrills;
pub use period::{Period, PeriodError};
pub use province::province_view;
pub use sessions::sessions_in;
pub use team::{add_drill_counts, people_reached, team_dashboard};
pub use topics::{read_catalogue, LessonTopics};
