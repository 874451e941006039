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
}

impl DrillKind {
    /// The name trainers write after `kind:`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DrillKind::TransferConfirm => "transfer_confirm",
            DrillKind::MessageInbox => "message_inbox",
            DrillKind::IncomingCall { .. } => "incoming_call",
        }
    }

    /// The screens a drill of this kind may show, as trainers write them after `screen:`.
    pub fn screens(&self) -> &'static [&'static str] {
        match self {
            DrillKind::TransferConfirm => &["scan", "confirm", "amount", "passcode"],
            DrillKind::MessageInbox => &["message"],
            DrillKind::IncomingCall { .. } => &["call"],
        }
    }
}

/// The names trainers may write after `kind:`.
pub const DRILL_KINDS: &[&str] = &["transfer_confirm", "message_inbox", "incoming_call"];

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
    /// One of an incoming call's choices, by its label.
    Choice(String),
}

impl Action {
    /// The keywords trainers write after `right:` / `wrong:` (an incoming call's choices are free text).
    pub const KEYWORDS: &'static [&'static str] = &["scan", "confirm", "cancel", "type_amount", "wrong_amount", "enter_passcode", "safe", "scam"];

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
        }
    }

    /// Whether the screen offers `action` (an incoming call offers any choice the trainer writes).
    pub fn allows(&self, action: &Action) -> bool {
        match self {
            Screen::Scan { .. } => matches!(action, Action::Scan | Action::Cancel),
            Screen::Confirm(_) => matches!(action, Action::Confirm | Action::Cancel),
            Screen::Amount { .. } => matches!(action, Action::TypeAmount | Action::WrongAmount | Action::Cancel),
            Screen::Passcode => matches!(action, Action::EnterPasscode | Action::Cancel),
            Screen::Message(_) => matches!(action, Action::Safe | Action::Scam),
            Screen::Call { .. } => matches!(action, Action::Choice(_)),
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
            Screen::Call { .. } => "the text of a choice",
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
    pub note: String,
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
