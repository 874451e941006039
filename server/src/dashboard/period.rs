//! The dates a report covers (`?from=&to=`), read by core's one date rule (`hocso_core::date`), and
//! the times of events they stand for, in Vietnam time.
use hocso_core::date::Date;
use hocso_core::reports::{ReportPeriod, TIMEZONE};

use crate::store::TimeRange;

const DAY_MS: i64 = 86_400_000;

/// The dates a report covers, both inclusive, either open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// Why `from`/`to` were refused, in a sentence for whoever typed the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{name} must be a date written YYYY-MM-DD (for example 2025-03-01), not {value:?}")]
    NotADate { name: &'static str, value: String },
    #[error("from ({from}) is after to ({to}): swap them")]
    Reversed { from: Date, to: Date },
}

impl Period {
    /// Empty values count as absent (a form with an empty date field).
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Period, PeriodError> {
        let date = |name: &'static str, value: Option<&str>| match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Date::parse(v).map(Some).map_err(|_| PeriodError::NotADate { name, value: v.to_owned() }),
        };
        let period = Period { from: date("from", from)?, to: date("to", to)? };
        if let (Some(from), Some(to)) = (period.from, period.to) {
            if from > to {
                return Err(PeriodError::Reversed { from, to });
            }
        }
        Ok(period)
    }

    /// Whether a day written `YYYY-MM-DD` (a session's date) is in the period. A date that is not
    /// a real one (phones check it since the `core protocol` change; older events may have one) is
    /// in no period with an end, only in the open one.
    pub fn contains_day(&self, day: &str) -> bool {
        match Date::parse(day) {
            Ok(day) => self.from.is_none_or(|from| from <= day) && self.to.is_none_or(|to| day <= to),
            Err(_) => self.from.is_none() && self.to.is_none(),
        }
    }

    /// From the first millisecond of `from` to the last of `to`, in Vietnam time, within the times
    /// reports can place on the calendar ([`TimeRange::ALL`]).
    pub fn range(&self) -> TimeRange {
        TimeRange {
            from_ms: self.from.map_or(TimeRange::ALL.from_ms, Date::start_in_vietnam_ms),
            until_ms: self.to.and_then(|to| to.start_in_vietnam_ms().checked_add(DAY_MS)).unwrap_or(TimeRange::ALL.until_ms),
        }
        .within_calendar()
    }

    pub fn json(&self) -> ReportPeriod {
        ReportPeriod { from: self.from.map(|d| d.to_string()), to: self.to.map(|d| d.to_string()), timezone: TIMEZONE.to_owned() }
    }
}

/// The day in Vietnam at `at_ms`; `None` (and a log line) for a time with no date.
pub fn day_of(at_ms: i64) -> Option<Date> {
    let day = Date::in_vietnam_at(at_ms);
    if day.is_none() {
        tracing::warn!(at = at_ms, "a time outside years 1 to 9999: left out of the months");
    }
    day
}

/// The month (`YYYY-MM`) of a day counted from 1970-01-01 in Vietnam, as the store gives them.
pub fn month_of_day(days: i64) -> Option<String> {
    let date = Date::from_days_since_epoch(days);
    if date.is_none() {
        tracing::warn!(days, "a day outside years 1 to 9999: left out of the months");
    }
    date.map(Date::month_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn a_day_is_counted_in_vietnam_time() {
        // 2025-01-31 17:00 UTC is already 1 February in Vietnam.
        let at = date("2025-01-31").days_since_epoch() * DAY_MS + 17 * 3_600_000;
        assert_eq!(day_of(at), Some(date("2025-02-01")));
        assert_eq!(day_of(at - 1), Some(date("2025-01-31")));
        assert_eq!(day_of(i64::MAX), None);
        let period = Period::parse(Some("2025-02-01"), Some("2025-02-01")).unwrap();
        assert_eq!(period.range(), TimeRange { from_ms: at, until_ms: at + DAY_MS });
        assert_eq!(month_of_day(date("2025-02-01").days_since_epoch()), Some("2025-02".to_owned()));
        assert_eq!(month_of_day(i64::MAX), None);
    }

    #[test]
    fn periods_reach_no_further_than_the_calendar_of_reports() {
        let all = Period::parse(Some("0001-01-01"), Some("9999-12-31")).unwrap();
        assert_eq!(all.range(), TimeRange::ALL);
        assert_eq!(Period::default().range(), TimeRange::ALL);
        let before = Period::parse(None, Some("1969-12-31")).unwrap().range();
        assert_eq!(before.from_ms, before.until_ms, "empty: no report counts an event before 1970");
    }

    #[test]
    fn bad_periods_are_explained() {
        assert_eq!(Period::parse(Some(""), None).unwrap(), Period::default());
        let error = Period::parse(Some("1/3/2025"), None).unwrap_err();
        assert!(error.to_string().starts_with("from must be a date written YYYY-MM-DD"), "{error}");
        for bad in ["2025-02-30", "2025-13-45", "0000-01-01"] {
            assert!(Period::parse(None, Some(bad)).is_err(), "{bad}");
        }
        let error = Period::parse(Some("2025-04-01"), Some("2025-03-01")).unwrap_err();
        assert_eq!(error.to_string(), "from (2025-04-01) is after to (2025-03-01): swap them");
    }

    #[test]
    fn a_session_is_in_a_period_by_its_written_date() {
        let january = Period::parse(Some("2025-01-01"), Some("2025-01-31")).unwrap();
        assert!(january.contains_day("2025-01-01") && january.contains_day("2025-01-31"));
        assert!(!january.contains_day("2025-02-01") && !january.contains_day("2024-12-31"));
        assert!(!january.contains_day("2025-01-32"), "not a real date: in no period with an end");
        assert!(Period::default().contains_day("2025-01-32"), "but counted when nothing is filtered");
    }
}
