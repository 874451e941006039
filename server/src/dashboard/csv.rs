//! The CSV downloads: the monthly-report export (one row per lesson) and the sessions export (one
//! row per session), UTF-8 with a byte order mark and CRLF for Excel, cells that could run as
//! formulas made plain text, ASCII file names.
use hocso_core::date::Date;
use hocso_core::reports::{AgeBandCounts, GenderCounts, TeamDashboard};
use hocso_core::sessions::Session;
use hocso_core::sync::TeamInfo;

use super::period::Period;
use super::sessions::session_right_percent;

/// The CSV header of the export.
pub const CSV_HEADER: [&str; 7] = ["team", "commune", "topic", "lesson_id", "learners_completed", "completions", "first_try_correct_percent"];

/// UTF-8 with a byte order mark so that Excel reads Vietnamese correctly when the file is
/// double-clicked, and CRLF as RFC 4180 and Excel expect.
fn csv_file<const N: usize>(header: [&str; N], rows: impl IntoIterator<Item = [String; N]>) -> csv::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row.map(spreadsheet_safe))?;
    }
    writer.into_inner().map_err(|error| error.into_error().into())
}

/// A cell typed by a person (a place, a village, a team name) that starts like a formula would be run
/// by Excel or LibreOffice when the report is opened: a leading `'` makes it plain text.
fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn percent_cell(percent: Option<f64>) -> String {
    percent.map_or_else(String::new, |p| format!("{p:.1}"))
}

/// The monthly-report export: one row per lesson.
pub fn lessons_csv(dashboard: &TeamDashboard) -> csv::Result<Vec<u8>> {
    csv_file(
        CSV_HEADER,
        dashboard.lessons.iter().map(|l| {
            [
                dashboard.team.name.clone(),
                dashboard.team.commune.clone(),
                l.topic.clone().unwrap_or_default(),
                l.lesson_id.clone(),
                l.learners_completed.to_string(),
                l.completions.to_string(),
                percent_cell(l.first_try_correct_percent),
            ]
        }),
    )
}

/// The CSV header of the sessions export.
pub const SESSIONS_CSV_HEADER: [&str; 15] = [
    "date",
    "place",
    "village",
    "lessons",
    "attendees",
    "female",
    "male",
    "other",
    "unknown_gender",
    "under_18",
    "from_18_to_35",
    "from_36_to_59",
    "from_60",
    "closed",
    "group_quiz_right_percent",
];

/// The sessions export: one row per session held in the period (see [`sessions_in`]), oldest date
/// first. Counts only: no attendee's nickname.
pub fn sessions_csv(sessions: &[Session]) -> csv::Result<Vec<u8>> {
    let mut ordered: Vec<&Session> = sessions.iter().collect();
    ordered.sort_by(|a, b| (&a.details.date, a.opened_at, &a.id).cmp(&(&b.details.date, b.opened_at, &b.id)));
    csv_file(
        SESSIONS_CSV_HEADER,
        ordered.into_iter().map(|s| {
            let (mut gender, mut age) = (GenderCounts::default(), AgeBandCounts::default());
            for a in s.attendees.values() {
                gender.add(a.gender);
                age.add(a.age_band);
            }
            [
                s.details.date.clone(),
                s.details.place.clone(),
                s.details.village.clone(),
                s.details.lessons.join("; "),
                s.attendees.len().to_string(),
                gender.female.to_string(),
                gender.male.to_string(),
                gender.other.to_string(),
                gender.unknown.to_string(),
                age.under_18.to_string(),
                age.from_18_to_35.to_string(),
                age.from_36_to_59.to_string(),
                age.from_60.to_string(),
                (if s.closed { "yes" } else { "no" }).to_owned(),
                percent_cell(session_right_percent(s)),
            ]
        }),
    )
}

/// `hocso-<team>-<from>-<to>.csv`, ASCII only (Vietnamese letters without their marks) so that
/// every browser and Excel keep the name.
pub fn csv_file_name(team: &TeamInfo, period: &Period, today: Date) -> String {
    file_name(team, "", period, today)
}

/// `hocso-<team>-sessions-<from>-<to>.csv`: not the lessons export's name, so that downloading
/// both for the same month keeps both files.
pub fn sessions_csv_file_name(team: &TeamInfo, period: &Period, today: Date) -> String {
    file_name(team, "-sessions", period, today)
}

fn file_name(team: &TeamInfo, what: &str, period: &Period, today: Date) -> String {
    let from = period.from.map_or_else(|| "start".to_owned(), |d| d.to_string());
    let to = period.to.unwrap_or(today).to_string();
    let slug = ascii_slug(&team.name);
    let team = if slug.is_empty() { ascii_slug(&team.id) } else { slug };
    format!("hocso-{team}{what}-{from}-{to}.csv")
}

/// `Tổ công nghệ số Tả Van` → `to-cong-nghe-so-ta-van`.
pub fn ascii_slug(text: &str) -> String {
    const FOLDS: &[(char, &str)] = &[
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = FOLDS.iter().find(|(_, marked)| marked.contains(c)).map_or(c, |(plain, _)| *plain);
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(60).collect::<String>().trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_look_like_formulas_are_written_as_text() {
        let csv = csv_file(["place", "n"], [["=HYPERLINK(\"http://x\")".to_owned(), "3".to_owned()]]).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\",3"), "{csv}");
        assert_eq!(spreadsheet_safe("Nhà văn hoá".into()), "Nhà văn hoá");
        assert_eq!(spreadsheet_safe("@SUM(A1)".into()), "'@SUM(A1)");
    }

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn team_names_become_ascii_file_names() {
        assert_eq!(ascii_slug("Tổ công nghệ số Tả Van"), "to-cong-nghe-so-ta-van");
        assert_eq!(ascii_slug("  Đội 1 / Bản Hồ! "), "doi-1-ban-ho");
        let team = TeamInfo { id: "t-1".into(), name: "Tổ Tả Van".into(), commune: "Tả Van".into() };
        let period = Period::parse(Some("2025-01-01"), None).unwrap();
        assert_eq!(csv_file_name(&team, &period, date("2025-03-31")), "hocso-to-ta-van-2025-01-01-2025-03-31.csv");
        let january = Period::parse(Some("2025-01-01"), Some("2025-01-31")).unwrap();
        assert_eq!(sessions_csv_file_name(&team, &january, date("2025-03-31")), "hocso-to-ta-van-sessions-2025-01-01-2025-01-31.csv");
        let nameless = TeamInfo { name: "???".into(), ..team };
        assert_eq!(csv_file_name(&nameless, &Period::default(), date("2025-03-31")), "hocso-t-1-start-2025-03-31.csv");
    }
}
