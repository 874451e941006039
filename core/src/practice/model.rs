//! The typed drill: what a ```` ```practice ```` block becomes, what packs carry and the player shows.
//!
//! Every text here is plain text (the player renders it as text nodes, never as markup). The enums
//! are externally tagged (`"scan"`, `{"confirm": {…}}`), which serde reads without buffering, so
//! they cost the WASM download little (see `crate::wire` for why internally tagged enums do).

use serde::{Deserialize, Serialize};

/// One drill: a rehearsal on a safe look-alike screen of one [`DrillKind`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drill {
    pub kind: DrillKind,
    /// What the learner is asked to do in this drill, read aloud before the first screen.
    pub instruction: String,
    /// The screens in order; the learner moves to the next one with its right action.
    pub steps: Vec<DrillStep>,
}

/// The kinds of look-alike screens the app can show: each is a player component. A trainer writes
/// new drills of these kinds in Markdown; a new kind is a code change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrillKind {
    /// Scan a QR code, read the confirm screen, cancel when a value is wrong or type the amount
    /// and confirm with a passcode.
    TransferConfirm,
    /// An SMS / chat inbox: mark each message safe or scam and tap its red flags.
    MessageInbox,
    /// A phone call from someone claiming to be police, bank or electricity: a choice at each turn.
    IncomingCall {
        /// Who the screen says is calling, e.g. "Số lạ" or "Công an phường (tự xưng)".
        caller: String,
    },
    /// An identity app look-alike: log in with phone number and passcode, type the OTP of the
    /// notification into the app itself (never to a caller or a linked site), find a document card.
    IdLogin,
    /// A public-service portal look-alike: search, choose the procedure, submit it online (a short
    /// form), then pay its fee on a confirm screen.
    PortalSubmit,
}

impl DrillKind {
    /// The name trainers write after `kind:`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DrillKind::TransferConfirm => "transfer_confirm",
            DrillKind::MessageInbox => "message_inbox",
            DrillKind::IncomingCall { .. } => "incoming_call",
            DrillKind::IdLogin => "id_login",
            DrillKind::PortalSubmit => "portal_submit",
        }
    }

    /// The screens a drill of this kind may show, as trainers write them after `screen:`.
    pub fn screens(&self) -> &'static [&'static str] {
        match self {
            DrillKind::TransferConfirm => &["scan", "confirm", "amount", "passcode"],
            DrillKind::MessageInbox => &["message"],
            DrillKind::IncomingCall { .. } => &["call"],
            DrillKind::IdLogin => &["login", "otp", "documents"],
            DrillKind::PortalSubmit => &["search", "procedure", "form", "fee", "passcode"],
        }
    }
}

/// The names trainers may write after `kind:`.
pub const DRILL_KINDS: &[&str] = &["transfer_confirm", "message_inbox", "incoming_call", "id_login", "portal_submit"];

/// One screen of a drill and what the learner may do on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillStep {
    /// What the learner is asked on this screen (read aloud), if more than the drill's instruction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<String>,
    pub screen: Screen,
    /// The actions the trainer wrote, in written order (an incoming call shows its choices so):
    /// exactly one is right; each wrong one carries its kind feedback. Any action not written here
    /// is wrong and gets the app's general "not yet, look again" sentence.
    pub responses: Vec<Response>,
}

impl DrillStep {
    /// The response written for `action` on this step, if any.
    pub fn response(&self, action: &Action) -> Option<&Response> {
        self.responses.iter().find(|r| r.action == *action)
    }

    /// The right response (a validated drill has exactly one; `None` only in a broken preview).
    pub fn right(&self) -> Option<&Response> {
        self.responses.iter().find(|r| r.right)
    }

    /// Whether `action` is this step's right action.
    pub fn is_right(&self, action: &Action) -> bool {
        self.response(action).is_some_and(|r| r.right)
    }
}

/// An action, whether it is right, and what the learner is told after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub action: Action,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub right: bool,
    /// For a wrong action, always set (the validator requires it); for the right one, optional.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub feedback: String,
}

/// What a learner can do on a screen. Which actions a screen offers is [`Screen::allows`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Point the camera at the QR code.
    Scan,
    /// Press "Xác nhận" / confirm.
    Confirm,
    /// Press "Huỷ" / cancel.
    Cancel,
    /// Type exactly the amount of the [`Screen::Amount`] screen.
    TypeAmount,
    /// Type any other amount.
    WrongAmount,
    /// Enter the passcode (or fingerprint) on the passcode screen.
    EnterPasscode,
    /// Mark a message as safe.
    Safe,
    /// Mark a message as a scam.
    Scam,
    /// Type the OTP of the notification into the app's own box.
    EnterOtp,
    /// Type another code into the app's box.
    WrongCode,
    /// Read the OTP out or send it to the person asking for it on the OTP screen.
    TellOtp,
    /// Open the linked site of the OTP screen (and type the code there).
    OpenLink,
    /// Send a form whose fields are all filled as asked.
    Submit,
    /// Send a form with a field not filled as asked.
    WrongForm,
    /// One of a choice screen's buttons (a call's answers, a search result, a document card), by its label.
    Choice(String),
}

impl Action {
    /// The keywords trainers write after `right:` / `wrong:` (an incoming call's choices are free text).
    pub const KEYWORDS: &'static [&'static str] = &[
        "scan",
        "confirm",
        "cancel",
        "type_amount",
        "wrong_amount",
        "enter_passcode",
        "safe",
        "scam",
        "enter_otp",
        "wrong_code",
        "tell_otp",
        "open_link",
        "submit",
        "wrong_form",
    ];

    pub fn keyword(word: &str) -> Option<Self> {
        Some(match word {
            "scan" => Action::Scan,
            "confirm" => Action::Confirm,
            "cancel" => Action::Cancel,
            "type_amount" => Action::TypeAmount,
            "wrong_amount" => Action::WrongAmount,
            "enter_passcode" => Action::EnterPasscode,
            "safe" => Action::Safe,
            "scam" => Action::Scam,
            "enter_otp" => Action::EnterOtp,
            "wrong_code" => Action::WrongCode,
            "tell_otp" => Action::TellOtp,
            "open_link" => Action::OpenLink,
            "submit" => Action::Submit,
            "wrong_form" => Action::WrongForm,
            _ => return None,
        })
    }

    /// How the action is written in Markdown.
    pub fn as_str(&self) -> &str {
        match self {
            Action::Scan => "scan",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::TypeAmount => "type_amount",
            Action::WrongAmount => "wrong_amount",
            Action::EnterPasscode => "enter_passcode",
            Action::Safe => "safe",
            Action::Scam => "scam",
            Action::EnterOtp => "enter_otp",
            Action::WrongCode => "wrong_code",
            Action::TellOtp => "tell_otp",
            Action::OpenLink => "open_link",
            Action::Submit => "submit",
            Action::WrongForm => "wrong_form",
            Action::Choice(label) => label,
        }
    }
}

/// What a screen shows. Each belongs to one [`DrillKind`] (see [`DrillKind::screens`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Screen {
    /// transfer_confirm: the camera frame over a QR code on a stand.
    Scan {
        /// What the stand says, e.g. "Quầy rau — NGUYEN VAN MAU".
        #[serde(default, skip_serializing_if = "String::is_empty")]
        label: String,
    },
    /// transfer_confirm: the bank app's confirm screen, filled from the QR code.
    Confirm(Transfer),
    /// transfer_confirm: the QR code had no amount: the learner types it.
    Amount {
        /// The amount to type, in đồng.
        amount: u64,
    },
    /// transfer_confirm: confirm with a passcode (the look-alike never asks a real one).
    Passcode,
    /// message_inbox: one message of the inbox.
    Message(Message),
    /// incoming_call: one turn of the call: what the caller says; the choices are the step's actions.
    Call { says: String },
    /// id_login: the login screen: the phone number filled in, a passcode to type (any six digits).
    Login { phone: String },
    /// id_login: an OTP arrives as a notification; someone may ask for it, a link may ask to type it.
    Otp(Otp),
    /// id_login: the home screen of the account, with its document cards as the step's choices.
    Documents {
        /// The account holder's (fictional) name.
        name: String,
        /// The account's level as the screen shows it, e.g. "Mức 2".
        #[serde(default, skip_serializing_if = "String::is_empty")]
        level: String,
    },
    /// portal_submit: a search box with `query` typed in; the results are the step's choices.
    Search { query: String },
    /// portal_submit: a procedure's page; its buttons ("Nộp trực tuyến"…) are the step's choices.
    Procedure {
        title: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        agency: String,
    },
    /// portal_submit: a short form: type each field's value, tick the declaration, submit.
    Form { fields: Vec<FormField> },
    /// portal_submit: the fee's confirm screen.
    Fee(Fee),
}

/// The OTP screen's values. All fictional: the code is not anyone's, links use example domains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Otp {
    /// The code the notification shows, e.g. "428 913".
    pub code: String,
    /// The notification's sender as the phone shows it.
    pub from: String,
    /// Someone asking for the code (a caller, a chat message): shown with a "tell" button.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub asks: String,
    /// A look-alike site that asks to type the code there: shown with an "open" button.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub link: String,
}

/// One field of a form and the value the learner is asked to type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub label: String,
    pub value: String,
}

impl FormField {
    /// Whether `typed` is this field's value, forgiving spaces and the case of unaccented letters
    /// (and, for a number, everything but its digits), so that a learner is not failed for how a
    /// phone keyboard types. (Full Unicode case folding would add its tables to the download.)
    pub fn accepts(&self, typed: &str) -> bool {
        let squash = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let digits = |text: &str| text.chars().filter(char::is_ascii_digit).collect::<String>();
        let is_number = self.value.chars().any(|c| c.is_ascii_digit()) && self.value.chars().all(|c| c.is_ascii_digit() || " .-/".contains(c));
        if is_number {
            digits(typed) == digits(&self.value)
        } else {
            squash(typed).eq_ignore_ascii_case(&squash(&self.value))
        }
    }
}

/// A fee's confirm screen. All fictional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// Who receives the fee, e.g. "UBND XA VI DU".
    pub payee: String,
    /// In đồng.
    pub amount: u64,
    /// The application's code, e.g. "HS-0000-1234".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code: String,
    /// What the fee is for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
}

impl Screen {
    /// The name trainers write after `screen:`.
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Scan { .. } => "scan",
            Screen::Confirm(_) => "confirm",
            Screen::Amount { .. } => "amount",
            Screen::Passcode => "passcode",
            Screen::Message(_) => "message",
            Screen::Call { .. } => "call",
            Screen::Login { .. } => "login",
            Screen::Otp(_) => "otp",
            Screen::Documents { .. } => "documents",
            Screen::Search { .. } => "search",
            Screen::Procedure { .. } => "procedure",
            Screen::Form { .. } => "form",
            Screen::Fee(_) => "fee",
        }
    }

    /// Whether the screen's actions are buttons the trainer labels (`right: Tắt máy => …`).
    pub fn takes_choices(&self) -> bool {
        matches!(self, Screen::Call { .. } | Screen::Documents { .. } | Screen::Search { .. } | Screen::Procedure { .. })
    }

    /// Whether the screen offers `action` (a choice screen offers any choice the trainer writes).
    pub fn allows(&self, action: &Action) -> bool {
        if self.takes_choices() {
            return matches!(action, Action::Choice(_));
        }
        match self {
            Screen::Scan { .. } => matches!(action, Action::Scan | Action::Cancel),
            Screen::Confirm(_) => matches!(action, Action::Confirm | Action::Cancel),
            Screen::Amount { .. } => matches!(action, Action::TypeAmount | Action::WrongAmount | Action::Cancel),
            Screen::Passcode => matches!(action, Action::EnterPasscode | Action::Cancel),
            Screen::Message(_) => matches!(action, Action::Safe | Action::Scam),
            Screen::Login { .. } => matches!(action, Action::EnterPasscode | Action::Cancel),
            Screen::Otp(_) => matches!(action, Action::EnterOtp | Action::WrongCode | Action::TellOtp | Action::OpenLink),
            Screen::Form { .. } => matches!(action, Action::Submit | Action::WrongForm),
            Screen::Fee(_) => matches!(action, Action::Confirm | Action::Cancel),
            _ => false,
        }
    }

    /// The keywords this screen accepts after `right:` / `wrong:`, for messages.
    pub fn action_words(&self) -> &'static str {
        match self {
            Screen::Scan { .. } => "`scan` or `cancel`",
            Screen::Confirm(_) => "`confirm` or `cancel`",
            Screen::Amount { .. } => "`type_amount`, `wrong_amount` or `cancel`",
            Screen::Passcode => "`enter_passcode` or `cancel`",
            Screen::Message(_) => "`safe` or `scam`",
            Screen::Login { .. } => "`enter_passcode` or `cancel`",
            Screen::Otp(_) => "`enter_otp`, `wrong_code`, `tell_otp` or `open_link`",
            Screen::Form { .. } => "`submit` or `wrong_form`",
            Screen::Fee(_) => "`confirm` or `cancel`",
            _ => "the text of a button, e.g. `right: Nộp trực tuyến`",
        }
    }
}

/// The values of a transfer's confirm screen, as the QR code filled them in. All fictional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Recipient's name as banks show it (capitals, no accents), e.g. "NGUYEN VAN MAU".
    pub name: String,
    /// e.g. "0123 456 789".
    pub account: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bank: String,
    /// In đồng; `None` when the QR code carries no amount (then an amount screen follows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    /// The transfer's content (nội dung), e.g. "Mua rau".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
}

/// A message in the inbox. All fictional: links use reserved example domains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The sender as the phone shows it (a name or a short code, never a real number).
    pub from: String,
    pub text: String,
    /// A link shown in the message, e.g. `vneid-capnhat.example`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub link: String,
    /// The red flags to tap, each with what the learner is told when tapping it. A scam has at
    /// least one; a safe message none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<FlagNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagNote {
    pub flag: RedFlag,
    /// The words of the message that show the flag, which the learner taps: a piece of its `text`,
    /// or its link (empty: the link, for `look_alike_link`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub part: String,
    pub note: String,
}

/// A piece of a message as the player shows it: every piece can be tapped, a red flag or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePart<'m> {
    pub text: &'m str,
    /// The index in [`Message::flags`] of the red flag this piece shows.
    pub flag: Option<usize>,
    pub is_link: bool,
}

impl Message {
    /// The message cut into tappable pieces: each flag's words, the rest cut into sentences, then
    /// the link. A flag whose words are not in the text (the parser reports it) has no piece.
    pub fn parts(&self) -> Vec<MessagePart<'_>> {
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for (index, note) in self.flags.iter().enumerate() {
            if note.part.is_empty() || note.part == self.link {
                continue;
            }
            if let Some(start) = self.text.find(note.part.as_str()) {
                let end = start + note.part.len();
                if spans.iter().all(|&(s, e, _)| end <= s || start >= e) {
                    spans.push((start, end, index));
                }
            }
        }
        spans.sort_unstable();
        // Pieces as byte ranges of the text: sentences end at `.`, `!` or `?` followed by a space;
        // a piece with no letter or digit (the "." after a flag's words) joins the one before.
        fn plain(text: &str, from: usize, to: usize, pieces: &mut Vec<(usize, usize, Option<usize>)>) {
            let mut at = from;
            while at < to {
                let rest = &text[at..to];
                let cut = rest.char_indices().find(|&(i, c)| ".!?".contains(c) && rest[i + 1..].starts_with(' ')).map_or(rest.len(), |(i, _)| i + 1);
                let (start, end) = (at + (cut - rest[..cut].trim_start().len()), at + rest[..cut].trim_end().len());
                at += cut;
                if start >= end {
                    continue;
                }
                match pieces.last_mut() {
                    Some(last) if !text[start..end].chars().any(char::is_alphanumeric) && last.1 <= start => last.1 = end,
                    _ => pieces.push((start, end, None)),
                }
            }
        }
        let mut pieces = Vec::new();
        let mut at = 0;
        for (start, end, index) in spans {
            plain(&self.text, at, start, &mut pieces);
            pieces.push((start, end, Some(index)));
            at = end;
        }
        plain(&self.text, at, self.text.len(), &mut pieces);
        let mut parts: Vec<MessagePart> =
            pieces.into_iter().map(|(start, end, flag)| MessagePart { text: &self.text[start..end], flag, is_link: false }).collect();
        if !self.link.is_empty() {
            let flag = self.flags.iter().position(|f| f.part.is_empty() || f.part == self.link);
            parts.push(MessagePart { text: &self.link, flag, is_link: true });
        }
        parts
    }
}

/// The signs of a scam message a learner learns to tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedFlag {
    /// A link to a domain that imitates a real one.
    LookAlikeLink,
    /// "Today only", "within 24 hours", "or your account is locked".
    Urgency,
    /// Asks for an OTP, a PIN or a password.
    AsksOtp,
    /// A prize, a gift or a subsidy out of nowhere.
    Prize,
    /// A fee to unlock, receive or release something.
    FeeToUnlock,
}

impl RedFlag {
    pub const ALL: [RedFlag; 5] = [RedFlag::LookAlikeLink, RedFlag::Urgency, RedFlag::AsksOtp, RedFlag::Prize, RedFlag::FeeToUnlock];

    pub fn as_str(self) -> &'static str {
        match self {
            RedFlag::LookAlikeLink => "look_alike_link",
            RedFlag::Urgency => "urgency",
            RedFlag::AsksOtp => "asks_otp",
            RedFlag::Prize => "prize",
            RedFlag::FeeToUnlock => "fee_to_unlock",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        RedFlag::ALL.into_iter().find(|flag| flag.as_str() == word)
    }
}

/// Formats đồng as Vietnamese write them: `50.000 đ`.
pub fn format_dong(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out.push_str(" đ");
    out
}

impl Drill {
    /// The step at `index`, if the drill has it.
    pub fn step(&self, index: usize) -> Option<&DrillStep> {
        self.steps.get(index)
    }
}
