//! The lines of a ```` ```practice ```` block → a typed [`Drill`], with every problem at its line
//! and column. The format is documented for trainers in `content/README.md`:
//!
//! ```text
//! kind: transfer_confirm
//! instruction: Pay 50,000 đồng for vegetables to NGUYEN VAN MAU.
//!
//! screen: confirm
//! name: NGUYEN VAN MAO
//! account: 0123 456 789
//! amount: 50.000
//! right: cancel => Yes: the name is not the seller's.
//! wrong: confirm => Look at the name: MAO, not MAU. Cancel and ask the seller.
//! ```
//!
//! One `key: value` per line, no indentation; blank lines and `# comments` are ignored. Lines
//! before the first `screen:` describe the drill, each `screen:` starts a step.

use std::collections::BTreeMap;

use super::model::{Action, Drill, DrillKind, DrillStep, Fee, FlagNote, FormField, Message, Otp, RedFlag, Response, Screen, Transfer, DRILL_KINDS};
use crate::content::{Position, Problem};

/// Most screens in one drill: a drill is a few minutes of practice, not a lesson.
pub const MAX_DRILL_STEPS: usize = 40;
/// Most actions written for one screen.
pub const MAX_RESPONSES: usize = 8;
/// Most fields of a form screen: a drill practises the way, not the typing.
pub const MAX_FORM_FIELDS: usize = 4;

/// The keys a drill's own lines (before the first `screen:`) may use.
const DRILL_KEYS: &[&str] = &["kind", "instruction", "caller"];

/// The keys of a screen's own values, by screen name; `ask`, `right` and `wrong` are allowed on
/// every screen, `flag` on a message.
fn screen_fields(screen: &str) -> &'static [&'static str] {
    match screen {
        "scan" => &["label"],
        "confirm" => &["name", "account", "bank", "amount", "content"],
        "amount" => &["amount"],
        "passcode" => &[],
        "message" => &["from", "text", "link"],
        "call" => &["says"],
        "login" => &["phone"],
        "otp" => &["code", "from", "asks", "link"],
        "documents" => &["name", "level"],
        "search" => &["query"],
        "procedure" => &["title", "agency"],
        "fee" => &["payee", "amount", "code", "content"],
        _ => &[],
    }
}

fn required_fields(screen: &str) -> &'static [&'static str] {
    match screen {
        "confirm" => &["name", "account"],
        "amount" => &["amount"],
        "message" => &["from", "text"],
        "call" => &["says"],
        "login" => &["phone"],
        "otp" => &["code", "from"],
        "documents" => &["name"],
        "search" => &["query"],
        "procedure" => &["title"],
        "fee" => &["payee", "amount"],
        _ => &[],
    }
}

const STEP_KEYS: &[&str] = &["ask", "right", "wrong", "flag", "field"];

/// A `key: value` line, with where its key and value start.
struct Line<'a> {
    key: &'a str,
    value: &'a str,
    at: Position,
    value_at: Position,
}

struct StepDraft<'a> {
    at: Position,
    name: &'a str,
    fields: BTreeMap<&'a str, (&'a str, Position)>,
    ask: Option<String>,
    responses: Vec<(Response, Position)>,
    flags: Vec<(FlagNote, Position)>,
    form: Vec<(FormField, Position)>,
    /// A `right:` line was written (even one reported as broken): no second "no right action".
    right_written: bool,
    /// A screen of the drill's kind; the lines of any other are skipped (its `screen:` is reported).
    valid: bool,
}

/// Parses the text inside a practice block. `block_at` is the opening ```` ``` ```` line's position
/// (problems about the whole block go there); the text's first line is the line after it.
pub fn parse_drill(text: &str, block_at: Position, problems: &mut Vec<Problem>) -> Option<Drill> {
    let mut reader = Reader { problems, block_at };
    reader.drill(text)
}

/// Parses a practice block's text on its own (the block's first line is line 2, as in a lesson
/// whose fence is on line 1): for tests and quick checks.
pub fn parse_drill_text(text: &str) -> (Option<Drill>, Vec<Problem>) {
    let mut problems = Vec::new();
    let drill = parse_drill(text, Position::START, &mut problems);
    problems.sort_by_key(|p| p.position);
    (drill, problems)
}

struct Reader<'p> {
    problems: &'p mut Vec<Problem>,
    block_at: Position,
}

impl Reader<'_> {
    fn error(&mut self, at: Position, message: impl Into<String>) {
        self.problems.push(Problem::error(at, message));
    }

    fn drill(&mut self, text: &str) -> Option<Drill> {
        let mut kind: Option<(DrillKind, Position)> = None;
        let mut kind_seen = false;
        let mut instruction: Option<String> = None;
        let mut caller: Option<(String, Position)> = None;
        let mut drafts: Vec<StepDraft> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_number = self.block_at.line + 1 + i as u32;
            let Some(line) = self.line(raw, line_number) else { continue };
            if line.key == "screen" {
                if drafts.len() == MAX_DRILL_STEPS {
                    self.error(line.at, format!("a drill has at most {MAX_DRILL_STEPS} screens: split it into two drills"));
                }
                let name = line.value;
                let valid = match &kind {
                    Some((kind, _)) if !kind.screens().contains(&name) => {
                        self.error(line.value_at, format!("`{name}` is not a screen of a {} drill: use {}", kind.as_str(), one_of(kind.screens())));
                        false
                    }
                    Some(_) => true,
                    None if !ALL_SCREENS.contains(&name) => {
                        self.error(line.value_at, format!("unknown screen `{name}`: use {}", one_of(ALL_SCREENS)));
                        false
                    }
                    None => true,
                };
                drafts.push(StepDraft {
                    at: line.at,
                    name,
                    fields: BTreeMap::new(),
                    ask: None,
                    responses: Vec::new(),
                    flags: Vec::new(),
                    form: Vec::new(),
                    right_written: false,
                    valid,
                });
                continue;
            }
            match drafts.last_mut() {
                None => match line.key {
                    "kind" => {
                        if kind_seen {
                            self.error(line.at, "`kind` is given twice");
                            continue;
                        }
                        kind_seen = true;
                        match line.value {
                            "transfer_confirm" => kind = Some((DrillKind::TransferConfirm, line.at)),
                            "message_inbox" => kind = Some((DrillKind::MessageInbox, line.at)),
                            "incoming_call" => kind = Some((DrillKind::IncomingCall { caller: String::new() }, line.at)),
                            "id_login" => kind = Some((DrillKind::IdLogin, line.at)),
                            "portal_submit" => kind = Some((DrillKind::PortalSubmit, line.at)),
                            other => self.error(line.value_at, format!("unknown drill kind `{other}`: use {}", one_of(DRILL_KINDS))),
                        }
                    }
                    "instruction" => {
                        if instruction.replace(line.value.to_owned()).is_some() {
                            self.error(line.at, "`instruction` is given twice");
                        }
                    }
                    "caller" => {
                        if caller.replace((line.value.to_owned(), line.at)).is_some() {
                            self.error(line.at, "`caller` is given twice");
                        }
                    }
                    "exercise" => self.error(
                        line.at,
                        format!(
                            "`exercise:` is the old practice format: write `kind: …` ({}), then its screens (see content/README.md)",
                            one_of(DRILL_KINDS)
                        ),
                    ),
                    key if STEP_KEYS.contains(&key) || ALL_FIELDS.contains(&key) => {
                        self.error(line.at, format!("`{key}:` belongs to a screen: write `screen: …` above it"))
                    }
                    key => self.error(line.at, format!("unknown key `{key}`: a drill starts with {}, then its screens", one_of(DRILL_KEYS))),
                },
                Some(step) if !step.valid => {}
                Some(step) => {
                    let (key, value, at, value_at) = (line.key, line.value, line.at, line.value_at);
                    match key {
                        "ask" => {
                            if step.ask.replace(value.to_owned()).is_some() {
                                self.error(at, "`ask` is given twice on this screen");
                            }
                        }
                        "right" | "wrong" => {
                            let right = key == "right";
                            step.right_written |= right;
                            let (action_text, feedback) = match value.split_once("=>") {
                                Some((action, feedback)) => (action.trim(), feedback.trim()),
                                None => (value, ""),
                            };
                            if action_text.is_empty() {
                                self.error(value_at, format!("write the action after `{key}:`, e.g. `{key}: cancel => …`"));
                                continue;
                            }
                            if !right && feedback.is_empty() {
                                self.error(
                                    at,
                                    format!("a wrong action needs its feedback: `wrong: {action_text} => what went wrong and what to look at`"),
                                );
                            }
                            let choices = placeholder_screen(step.name).is_some_and(|s| s.takes_choices());
                            let action = match step.name {
                                _ if choices => Action::Choice(action_text.to_owned()),
                                _ => match Action::keyword(action_text) {
                                    Some(action) => action,
                                    None => {
                                        let words = screen_action_words(step.name);
                                        self.error(value_at, format!("unknown action `{action_text}` on a `{}` screen: use {words}", step.name));
                                        continue;
                                    }
                                },
                            };
                            if let Some(screen) = placeholder_screen(step.name) {
                                if !screen.allows(&action) {
                                    self.error(
                                        value_at,
                                        format!("`{action_text}` is not an action of a `{}` screen: use {}", step.name, screen.action_words()),
                                    );
                                    continue;
                                }
                            }
                            if step.responses.iter().any(|(r, _)| r.action == action) {
                                self.error(at, format!("`{action_text}` is written twice on this screen"));
                                continue;
                            }
                            if right && step.responses.iter().any(|(r, _)| r.right) {
                                self.error(at, "a screen has exactly one `right:` action; write the others as `wrong: … => feedback`");
                                continue;
                            }
                            if step.responses.len() == MAX_RESPONSES {
                                self.error(at, format!("a screen has at most {MAX_RESPONSES} actions"));
                                continue;
                            }
                            step.responses.push((Response { action, right, feedback: feedback.to_owned() }, at));
                        }
                        "field" if step.name == "form" => {
                            let Some((label, typed)) =
                                value.split_once("=>").map(|(l, v)| (l.trim(), v.trim())).filter(|(l, v)| !l.is_empty() && !v.is_empty())
                            else {
                                self.error(
                                    value_at,
                                    "write a field as `field: its label => the value to type`, e.g. `field: Số điện thoại => 0123 456 789`",
                                );
                                continue;
                            };
                            if step.form.len() == MAX_FORM_FIELDS {
                                self.error(at, format!("a form has at most {MAX_FORM_FIELDS} fields"));
                                continue;
                            }
                            step.form.push((FormField { label: label.to_owned(), value: typed.to_owned() }, at));
                        }
                        "flag" if step.name == "message" => {
                            let (word, note) = match value.split_once("=>") {
                                Some((word, note)) => (word.trim(), note.trim()),
                                None => (value, ""),
                            };
                            // `urgency "sau 24 giờ"`: the flag, then the words of the message that show it.
                            let (word, part) = match word.split_once(['"', '“']) {
                                Some((word, quoted)) => (word.trim(), quoted.trim_end().trim_end_matches(['"', '”']).trim()),
                                None => (word, ""),
                            };
                            let Some(flag) = RedFlag::parse(word) else {
                                let names: Vec<&str> = RedFlag::ALL.iter().map(|f| f.as_str()).collect();
                                self.error(value_at, format!("unknown red flag `{word}`: use {}", one_of(&names)));
                                continue;
                            };
                            if note.is_empty() {
                                self.error(at, format!("a red flag needs what the learner is told on tapping it: `flag: {word} => …`"));
                            }
                            if step.flags.iter().any(|(f, _)| f.flag == flag) {
                                self.error(at, format!("the red flag `{word}` is given twice on this message"));
                                continue;
                            }
                            step.flags.push((FlagNote { flag, part: part.to_owned(), note: note.to_owned() }, at));
                        }
                        key if screen_fields(step.name).contains(&key) => {
                            if step.fields.insert(key, (value, value_at)).is_some() {
                                self.error(at, format!("`{key}` is given twice on this screen"));
                            }
                        }
                        key => {
                            let mut keys: Vec<&str> = screen_fields(step.name).to_vec();
                            keys.extend(["ask", "right", "wrong"]);
                            if step.name == "message" {
                                keys.push("flag");
                            }
                            if step.name == "form" {
                                keys.push("field");
                            }
                            let hint = if DRILL_KEYS.contains(&key) { " (drill lines go before the first `screen:`)" } else { "" };
                            self.error(at, format!("unknown key `{key}` on a `{}` screen{hint}: use {}", step.name, one_of(&keys)));
                        }
                    }
                }
            }
        }
        let block_at = self.block_at;
        if !kind_seen {
            self.error(block_at, format!("the practice block lacks `kind: …` ({})", one_of(DRILL_KINDS)));
        }
        let instruction = instruction.unwrap_or_else(|| {
            if kind.is_some() {
                self.error(block_at, "the practice block lacks `instruction: …`: what the learner is asked to do, read aloud first");
            }
            String::new()
        });
        let (mut kind, kind_at) = kind?;
        match (&mut kind, caller) {
            (DrillKind::IncomingCall { caller }, Some((name, _))) => *caller = name,
            (DrillKind::IncomingCall { .. }, None) => {
                self.error(kind_at, "an incoming_call drill needs `caller: …`: who the screen says is calling");
            }
            (_, Some((_, at))) => self.error(at, "`caller:` is only for incoming_call drills"),
            (_, None) => {}
        }
        if drafts.is_empty() {
            self.error(block_at, "the drill has no screens: add `screen: …` lines, each with its values and a `right:` action");
        }
        let steps = drafts.into_iter().filter(|d| d.valid && kind.screens().contains(&d.name)).map(|draft| self.step(draft)).collect();
        Some(Drill { kind, instruction, steps })
    }

    /// A line's key and value, or `None` for blank lines, comments and (reported) malformed lines.
    fn line<'a>(&mut self, raw: &'a str, line_number: u32) -> Option<Line<'a>> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let indent = raw.chars().take_while(|c| c.is_whitespace()).count() as u32;
        let at = Position::new(line_number, indent + 1);
        let Some((key, _)) = trimmed.split_once(':') else {
            self.error(at, format!("a practice block holds `key: value` lines; found `{trimmed}`"));
            return None;
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            self.error(at, format!("a practice block holds `key: value` lines with a lower-case key; found `{trimmed}`"));
            return None;
        }
        let (before, after) = trimmed.split_once(':').expect("checked above");
        let value = after.trim();
        let value_col = before.chars().count() + 1 + (after.chars().count() - after.trim_start().chars().count());
        let value_at = Position::new(line_number, indent + 1 + value_col as u32);
        if value.is_empty() {
            self.error(value_at, format!("`{key}:` has no value"));
            return None;
        }
        Some(Line { key, value, at, value_at })
    }

    fn step(&mut self, draft: StepDraft) -> DrillStep {
        let field = |name: &str| draft.fields.get(name).map(|(value, _)| (*value).to_owned()).unwrap_or_default();
        for required in required_fields(draft.name) {
            if !draft.fields.contains_key(required) {
                self.error(draft.at, format!("the `{}` screen lacks `{required}: …`", draft.name));
            }
        }
        let amount = |name: &str, reader: &mut Self| -> Option<u64> {
            let (text, at) = draft.fields.get(name)?;
            let parsed = parse_amount(text);
            if parsed.is_none() {
                reader.error(*at, format!("`{text}` is not an amount in đồng: write digits, with dots between thousands if you like (50.000)"));
            }
            parsed
        };
        let screen = match draft.name {
            "scan" => Screen::Scan { label: field("label") },
            "confirm" => Screen::Confirm(Transfer {
                name: field("name"),
                account: field("account"),
                bank: field("bank"),
                amount: amount("amount", self),
                content: field("content"),
            }),
            "amount" => Screen::Amount { amount: amount("amount", self).unwrap_or(0) },
            "passcode" => Screen::Passcode,
            "message" => {
                self.check_link(&draft);
                let message = Message {
                    from: field("from"),
                    text: field("text"),
                    link: field("link"),
                    flags: draft.flags.iter().map(|(f, _)| f.clone()).collect(),
                };
                self.check_flag_parts(&message, &draft.flags);
                Screen::Message(message)
            }
            "login" => Screen::Login { phone: field("phone") },
            "otp" => {
                self.check_link(&draft);
                for (response, at) in &draft.responses {
                    let needs = match response.action {
                        Action::TellOtp => "asks",
                        Action::OpenLink => "link",
                        _ => continue,
                    };
                    if !draft.fields.contains_key(needs) {
                        let what =
                            if needs == "asks" { "who asks for the code and what they say" } else { "the look-alike site that asks for the code" };
                        self.error(*at, format!("`{}` needs `{needs}: …` on this `otp` screen: {what}", response.action.as_str()));
                    }
                }
                Screen::Otp(Otp { code: field("code"), from: field("from"), asks: field("asks"), link: field("link") })
            }
            "documents" => Screen::Documents { name: field("name"), level: field("level") },
            "search" => Screen::Search { query: field("query") },
            "procedure" => Screen::Procedure { title: field("title"), agency: field("agency") },
            "form" => {
                if draft.form.is_empty() {
                    self.error(draft.at, "the `form` screen lacks `field: its label => the value to type` lines");
                }
                Screen::Form { fields: draft.form.iter().map(|(f, _)| f.clone()).collect() }
            }
            "fee" => Screen::Fee(Fee {
                payee: field("payee"),
                amount: amount("amount", self).unwrap_or(0),
                code: field("code"),
                content: field("content"),
            }),
            _ => Screen::Call { says: field("says") },
        };
        debug_assert!(draft.name == "message" || draft.flags.is_empty());
        match draft.responses.iter().find(|(r, _)| r.right) {
            None if draft.right_written => {}
            None => self.error(draft.at, format!("this `{}` screen has no right action: add `right: …` ({})", draft.name, screen.action_words())),
            Some((right, _)) if draft.name == "message" => {
                if right.action == Action::Scam && draft.flags.is_empty() {
                    self.error(draft.at, "a scam message needs its red flags for the learner to tap: add `flag: urgency => …` lines");
                }
                if right.action == Action::Safe {
                    if let Some((_, at)) = draft.flags.first() {
                        self.error(*at, "a safe message has no red flags: remove the `flag:` lines or make the message a scam");
                    }
                }
            }
            Some(_) => {}
        }
        let responses = draft.responses.into_iter().map(|(r, _)| r).collect();
        DrillStep { ask: draft.ask, screen, responses }
    }

    /// A screen's `link:` must be on a reserved example domain.
    fn check_link(&mut self, draft: &StepDraft) {
        if let Some((text, at)) = draft.fields.get("link") {
            if !is_example_link(text) {
                self.error(
                    *at,
                    format!("`{text}`: a link in a drill must use a reserved example domain (ending in .example, .test, .invalid or example.com/.net/.org) so that no real site is shown"),
                );
            }
        }
    }

    /// Each red flag names words of the message for the learner to tap (a look-alike link may
    /// name none: then it is the link), and no two flags share words.
    fn check_flag_parts(&mut self, message: &Message, flags: &[(FlagNote, Position)]) {
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for (note, at) in flags {
            let word = note.flag.as_str();
            if note.part.is_empty() {
                if note.flag != RedFlag::LookAlikeLink || message.link.is_empty() {
                    self.error(*at, format!("write the words of the message that show the flag, in quotes: `flag: {word} \"…\" => …`"));
                }
                continue;
            }
            if note.part == message.link {
                continue;
            }
            let Some(start) = message.text.find(note.part.as_str()) else {
                self.error(*at, format!("\"{}\" is not in the message's text: copy the words exactly as the `text:` line writes them", note.part));
                continue;
            };
            let end = start + note.part.len();
            if taken.iter().any(|&(s, e)| start < e && end > s) {
                self.error(*at, format!("\"{}\" overlaps the words of another flag: each flag has its own words", note.part));
                continue;
            }
            taken.push((start, end));
        }
    }
}

const ALL_SCREENS: &[&str] =
    &["scan", "confirm", "amount", "passcode", "message", "call", "login", "otp", "documents", "search", "procedure", "form", "fee"];

/// Every screen field name, for "belongs to a screen" messages.
const ALL_FIELDS: &[&str] = &[
    "label", "name", "account", "bank", "amount", "content", "from", "text", "link", "says", "phone", "code", "asks", "level", "query", "title",
    "agency", "payee",
];

/// A screen of this name with empty values, to ask which actions it allows.
fn placeholder_screen(name: &str) -> Option<Screen> {
    Some(match name {
        "scan" => Screen::Scan { label: String::new() },
        "confirm" => Screen::Confirm(Transfer::default()),
        "amount" => Screen::Amount { amount: 0 },
        "passcode" => Screen::Passcode,
        "message" => Screen::Message(Message::default()),
        "call" => Screen::Call { says: String::new() },
        "login" => Screen::Login { phone: String::new() },
        "otp" => Screen::Otp(Otp::default()),
        "documents" => Screen::Documents { name: String::new(), level: String::new() },
        "search" => Screen::Search { query: String::new() },
        "procedure" => Screen::Procedure { title: String::new(), agency: String::new() },
        "form" => Screen::Form { fields: Vec::new() },
        "fee" => Screen::Fee(Fee::default()),
        _ => return None,
    })
}

fn screen_action_words(name: &str) -> &'static str {
    placeholder_screen(name).map_or("an action of the screen", |s| s.action_words())
}

/// `50000`, `50.000` or `50 000` → 50000; anything else (or 0) is refused.
pub fn parse_amount(text: &str) -> Option<u64> {
    let text = text.trim().trim_end_matches('đ').trim_end();
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ' ') || !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|amount| *amount > 0)
}

/// Whether a link (with or without `https://`) is on a domain reserved for examples (RFC 2606).
pub fn is_example_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    !host.is_empty()
        && (["example", "test", "invalid"].iter().any(|tld| host.ends_with(&format!(".{tld}")))
            || ["example.com", "example.net", "example.org"].iter().any(|d| host == *d || host.ends_with(&format!(".{d}"))))
}

fn one_of(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
