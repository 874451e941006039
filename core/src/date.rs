//! One calendar date type for the whole project: a session's day typed on a phone, the `from` and
//! `to` of a dashboard, the months of a report. Parsing is strict (`YYYY-MM-DD`, a day that exists),
//! so `2025-13-45` is refused where it is typed and where it is received, never silently dropped.
use std::fmt;

/// A day of the Gregorian calendar, years 1–9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Vietnam's time zone (UTC+7, no daylight saving): the day a phone's clock shows in a village.
pub const VIETNAM_OFFSET_MS: i64 = 7 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

impl Date {
    /// A date from its parts, or `None` if that day does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// Reads `YYYY-MM-DD`; the error is a sentence for whoever typed or sent it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10 && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
        if !shape_ok {
            return Err(format!("{text:?} is not a date: write it YYYY-MM-DD, e.g. 2026-11-28"));
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().unwrap_or(0);
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        Self::new(year, month as u8, day as u8).ok_or_else(|| format!("{text:?} is not a day of the calendar"))
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::days_since_epoch`]; `None` outside years 1–9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Self> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self::new(u16::try_from(year).ok()?, month as u8, day as u8)
    }

    /// The day in Vietnam (UTC+7) at `ms` since the epoch; `None` outside years 1–9999.
    pub fn in_vietnam_at(ms: i64) -> Option<Self> {
        Self::from_days_since_epoch(ms.checked_add(VIETNAM_OFFSET_MS)?.div_euclid(DAY_MS))
    }

    /// The first millisecond of this day in Vietnam.
    pub fn start_in_vietnam_ms(self) -> i64 {
        self.days_since_epoch() * DAY_MS - VIETNAM_OFFSET_MS
    }

    /// `YYYY-MM`, the month of a report.
    pub fn month_key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_days_of_the_calendar_are_dates() {
        assert_eq!(Date::parse("2026-11-28").unwrap().to_string(), "2026-11-28");
        assert!(Date::parse("2024-02-29").is_ok(), "2024 is a leap year");
        for bad in ["2025-13-45", "2025-02-29", "1900-02-29", "2025-04-31", "2025-00-10", "0000-01-01", "28/11/2026", "2026-1-5", "", "2026-11-28 "] {
            assert!(Date::parse(bad).is_err(), "{bad} must be refused");
        }
        assert!(Date::parse("2025-13-45").unwrap_err().contains("not a day of the calendar"));
        assert!(Date::parse("28/11/2026").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn days_since_the_epoch_round_trip_over_the_whole_range() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().days_since_epoch(), 11_017);
        for days in (-719_162..2_932_896).step_by(997) {
            let date = Date::from_days_since_epoch(days).unwrap();
            assert_eq!(date.days_since_epoch(), days);
        }
        assert_eq!(Date::from_days_since_epoch(-719_163), None, "year 0");
        assert_eq!(Date::from_days_since_epoch(i64::MAX), None);
    }

    #[test]
    fn the_day_in_vietnam_starts_at_17_00_utc_the_day_before() {
        let day = Date::parse("2026-11-28").unwrap();
        let start = day.start_in_vietnam_ms();
        assert_eq!(Date::in_vietnam_at(start), Some(day));
        assert_eq!(Date::in_vietnam_at(start - 1), Date::parse("2026-11-27").ok());
        assert_eq!(Date::in_vietnam_at(i64::MAX), None, "a time in year 292 million has no date");
        assert_eq!(Date::in_vietnam_at(i64::MIN), None);
        assert_eq!(day.month_key(), "2026-11");
    }
}
