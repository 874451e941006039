//! The drill line format: good drills of each kind parse into their full structure, each mistake
//! is reported at its line and column, and a property test over generated drills.
use super::*;
use crate::content::{Position, Problem, Severity};

/// A transfer drill. As if its fence were on line 1: `kind` is line 2, the first `screen:` line 5.
const TRANSFER: &str = "kind: transfer_confirm
instruction: Trả 50.000 đồng cho NGUYEN VAN MAU.

screen: confirm
ask: Đọc tên.
name: NGUYEN VAN MAO
account: 0123 456 789
amount: 50.000
right: cancel => Đúng, tên khác.
wrong: confirm => Tên là MAO, không phải MAU.

screen: passcode
right: enter_passcode
";

const INBOX: &str = "kind: message_inbox
instruction: Chọn an toàn hay lừa đảo.
# A comment line is ignored.
screen: message
from: VNeID-HoTro
text: Tài khoản bị khoá sau 24 giờ.
link: https://vneid-capnhat.example/login
right: scam
wrong: safe => Xem kỹ link.
flag: look_alike_link => Link giả.
flag: urgency \"khoá sau 24 giờ\" => Dọa để bạn vội.
";

/// An identity-app drill: log in, an OTP someone asks for, the document cards.
const LOGIN: &str = "kind: id_login
instruction: Đăng nhập và tìm thẻ căn cước.
screen: login
phone: 0123 456 789
right: enter_passcode
screen: otp
code: 428 913
from: VNeID-ViDu
asks: Số lạ: Đọc mã cho tôi nhé.
link: vneid-xacthuc.example
right: enter_otp => Đúng.
wrong: tell_otp => Không đọc mã cho ai.
wrong: open_link => Không gõ mã vào trang khác.
screen: documents
name: NGUYEN THI HOA
level: Mức 2
right: Thẻ căn cước điện tử => Đúng.
wrong: Giấy phép lái xe => Đây là bằng lái.
";

/// A portal drill: search, the procedure, a form of two fields, the fee.
const PORTAL: &str = "kind: portal_submit
instruction: Nộp hồ sơ trên mạng.
screen: search
query: khai sinh
right: Đăng ký khai sinh
wrong: Đăng ký kết hôn => Bạn cần khai sinh.
screen: procedure
title: Đăng ký khai sinh
agency: UBND xã Ví Dụ
right: Nộp trực tuyến
wrong: Quay lại => Đây đúng là thủ tục bạn cần.
screen: form
field: Họ tên người yêu cầu => Nguyễn Thị Hoa
field: Số điện thoại => 0123 456 789
right: submit => Đã nộp.
wrong: wrong_form => Xem lại ô có viền đỏ.
screen: fee
payee: UBND XA VI DU
amount: 10.000
code: HS-0000-0001
right: confirm
wrong: cancel => Phí này đúng hồ sơ của bạn.
screen: passcode
right: enter_passcode
";

const CALL: &str = "kind: incoming_call
instruction: Có người gọi.
caller: Số lạ
screen: call
says: Tôi là công an. Đọc mã OTP cho tôi.
wrong: Đọc mã OTP => Công an không bao giờ xin mã OTP.
right: Tắt máy => Đúng.
wrong: Hỏi tên => Kẻ gian nói tên giả. Tắt máy.
";

#[track_caller]
fn only_problem(text: &str, line: u32, col: u32, words: &str) {
    let (_, problems) = parse_drill_text(text);
    assert_eq!(problems.len(), 1, "expected one problem, got {problems:#?}");
    let problem = &problems[0];
    assert_eq!((problem.position, problem.severity), (Position::new(line, col), Severity::Error), "{problem}");
    assert!(problem.message.contains(words), "{:?} should contain {words:?}", problem.message);
}

fn edit(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "{old:?} must occur once");
    text.replacen(old, new, 1)
}

#[test]
fn a_transfer_drill_parses_into_its_screens_and_actions() {
    let (drill, problems) = parse_drill_text(TRANSFER);
    assert_eq!(problems, vec![]);
    let drill = drill.unwrap();
    assert_eq!(drill.kind, DrillKind::TransferConfirm);
    assert_eq!(drill.instruction, "Trả 50.000 đồng cho NGUYEN VAN MAU.");
    assert_eq!(
        drill.steps[0],
        DrillStep {
            ask: Some("Đọc tên.".into()),
            screen: Screen::Confirm(Transfer {
                name: "NGUYEN VAN MAO".into(),
                account: "0123 456 789".into(),
                bank: String::new(),
                amount: Some(50_000),
                content: String::new()
            }),
            responses: vec![
                Response { action: Action::Cancel, right: true, feedback: "Đúng, tên khác.".into() },
                Response { action: Action::Confirm, right: false, feedback: "Tên là MAO, không phải MAU.".into() },
            ],
        }
    );
    assert_eq!(drill.steps[1].screen, Screen::Passcode);
    assert!(drill.steps[1].is_right(&Action::EnterPasscode));
}

#[test]
fn an_inbox_drill_keeps_its_flags_and_link() {
    let (drill, problems) = parse_drill_text(INBOX);
    assert_eq!(problems, vec![]);
    let Screen::Message(message) = &drill.unwrap().steps[0].screen else { panic!("a message") };
    assert_eq!(message.link, "https://vneid-capnhat.example/login");
    assert_eq!(message.flags.iter().map(|f| f.flag).collect::<Vec<_>>(), [RedFlag::LookAlikeLink, RedFlag::Urgency]);
}

#[test]
fn a_call_keeps_its_caller_and_its_choices_in_written_order() {
    let (drill, problems) = parse_drill_text(CALL);
    assert_eq!(problems, vec![]);
    let drill = drill.unwrap();
    assert_eq!(drill.kind, DrillKind::IncomingCall { caller: "Số lạ".into() });
    let choices: Vec<&str> = drill.steps[0].responses.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(choices, ["Đọc mã OTP", "Tắt máy", "Hỏi tên"]);
    assert_eq!(drill.steps[0].right().unwrap().action, Action::Choice("Tắt máy".into()));
}

#[test]
fn an_id_login_drill_parses_its_login_otp_and_cards() {
    let (drill, problems) = parse_drill_text(LOGIN);
    assert_eq!(problems, vec![]);
    let drill = drill.unwrap();
    assert_eq!(drill.kind, DrillKind::IdLogin);
    assert_eq!(drill.steps[0].screen, Screen::Login { phone: "0123 456 789".into() });
    assert_eq!(
        drill.steps[1].screen,
        Screen::Otp(Otp {
            code: "428 913".into(),
            from: "VNeID-ViDu".into(),
            asks: "Số lạ: Đọc mã cho tôi nhé.".into(),
            link: "vneid-xacthuc.example".into()
        })
    );
    assert!(drill.steps[1].is_right(&Action::EnterOtp));
    assert!(!drill.steps[1].is_right(&Action::TellOtp));
    assert_eq!(drill.steps[2].screen, Screen::Documents { name: "NGUYEN THI HOA".into(), level: "Mức 2".into() });
    assert_eq!(drill.steps[2].right().unwrap().action, Action::Choice("Thẻ căn cước điện tử".into()));
}

#[test]
fn a_portal_drill_parses_its_form_fields_and_fee() {
    let (drill, problems) = parse_drill_text(PORTAL);
    assert_eq!(problems, vec![]);
    let drill = drill.unwrap();
    assert_eq!(drill.kind, DrillKind::PortalSubmit);
    assert_eq!(drill.steps[0].screen, Screen::Search { query: "khai sinh".into() });
    assert_eq!(drill.steps[1].screen, Screen::Procedure { title: "Đăng ký khai sinh".into(), agency: "UBND xã Ví Dụ".into() });
    assert_eq!(drill.steps[1].right().unwrap().action, Action::Choice("Nộp trực tuyến".into()));
    let Screen::Form { fields } = &drill.steps[2].screen else { panic!("a form") };
    assert_eq!(
        fields.iter().map(|f| (f.label.as_str(), f.value.as_str())).collect::<Vec<_>>(),
        [("Họ tên người yêu cầu", "Nguyễn Thị Hoa"), ("Số điện thoại", "0123 456 789")]
    );
    assert_eq!(
        drill.steps[3].screen,
        Screen::Fee(Fee { payee: "UBND XA VI DU".into(), amount: 10_000, code: "HS-0000-0001".into(), content: String::new() })
    );
    assert_eq!(drill.steps[4].screen, Screen::Passcode, "a portal drill may confirm its fee with the passcode screen");
}

#[test]
fn a_message_is_cut_into_sentences_around_its_flags_and_keeps_every_word() {
    let flag = |part: &str| FlagNote { flag: RedFlag::Urgency, part: part.into(), note: "x".into() };
    let message = Message {
        from: "A".into(),
        text: "Chúc mừng! Bạn trúng thưởng. Nộp phí ngay hôm nay, rồi nhận quà.".into(),
        link: String::new(),
        flags: vec![flag("ngay hôm nay")],
    };
    let parts: Vec<(&str, Option<usize>)> = message.parts().iter().map(|p| (p.text, p.flag)).collect();
    assert_eq!(parts, [("Chúc mừng!", None), ("Bạn trúng thưởng.", None), ("Nộp phí", None), ("ngay hôm nay", Some(0)), (", rồi nhận quà.", None)]);
    let words = |text: &str| text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(words(&parts.iter().map(|p| p.0).collect::<Vec<_>>().join(" ")), words(&message.text), "no word lost or doubled");
}

#[test]
fn a_form_field_forgives_case_spaces_and_number_punctuation_but_not_other_words() {
    let name = FormField { label: "Họ tên".into(), value: "Nguyễn Thị Hoa".into() };
    assert!(name.accepts("  nguyễn  thị HOA "));
    assert!(!name.accepts("NGUYỄN THỊ HOA"), "accented capitals are not folded (no Unicode case tables in the app)");
    assert!(!name.accepts("Nguyen Thi Hoa"), "accents are part of a name");
    assert!(!name.accepts("Nguyễn Thị"));
    let phone = FormField { label: "Số điện thoại".into(), value: "0123 456 789".into() };
    assert!(phone.accepts("0123456789") && phone.accepts("0123.456.789"));
    assert!(!phone.accepts("0123 456 78") && !phone.accepts(""));
}

#[test]
fn the_new_screens_report_their_mistakes_at_their_lines() {
    // line numbers: the fence is line 1, `kind` line 2.
    only_problem(&edit(LOGIN, "asks: Số lạ: Đọc mã cho tôi nhé.\n", ""), 12, 1, "`tell_otp` needs `asks: …`");
    only_problem(&edit(LOGIN, "link: vneid-xacthuc.example", "link: vneid.gov.vn"), 11, 7, "reserved example domain");
    only_problem(&edit(LOGIN, "code: 428 913\n", ""), 7, 1, "the `otp` screen lacks `code: …`");
    only_problem(&edit(LOGIN, "screen: documents", "screen: search"), 15, 9, "not a screen of a id_login drill");
    only_problem(&edit(PORTAL, "field: Số điện thoại => 0123 456 789", "field: Số điện thoại"), 15, 8, "`field: its label => the value to type`");
    let no_fields = edit(&edit(PORTAL, "field: Họ tên người yêu cầu => Nguyễn Thị Hoa\n", ""), "field: Số điện thoại => 0123 456 789\n", "");
    only_problem(&no_fields, 13, 1, "lacks `field:");
    only_problem(&edit(PORTAL, "amount: 10.000\n", ""), 18, 1, "the `fee` screen lacks `amount: …`");
    only_problem(&edit(PORTAL, "right: submit => Đã nộp.", "right: confirm"), 16, 8, "not an action of a `form` screen");
    only_problem(&edit(PORTAL, "right: Nộp trực tuyến\n", ""), 8, 1, "has no right action");
}

#[test]
fn each_red_flag_names_words_of_its_message_and_the_message_is_cut_around_them() {
    let (drill, problems) = parse_drill_text(INBOX);
    assert_eq!(problems, vec![]);
    let Screen::Message(message) = &drill.unwrap().steps[0].screen else { panic!("a message") };
    let parts: Vec<(&str, Option<usize>, bool)> = message.parts().iter().map(|p| (p.text, p.flag, p.is_link)).collect();
    assert_eq!(parts, [("Tài khoản bị", None, false), ("khoá sau 24 giờ.", Some(1), false), ("https://vneid-capnhat.example/login", Some(0), true)]);
    only_problem(&edit(INBOX, "\"khoá sau 24 giờ\"", "\"khoá sau 12 giờ\""), 12, 1, "is not in the message's text");
    only_problem(&edit(INBOX, "urgency \"khoá sau 24 giờ\"", "urgency"), 12, 1, "write the words of the message that show the flag");
    only_problem(&edit(INBOX, "flag: look_alike_link => Link giả.", "flag: look_alike_link \"bị khoá\" => Link giả."), 12, 1, "overlaps the words");
    // A look-alike link without a link on the message has nothing to tap.
    only_problem(&edit(INBOX, "link: https://vneid-capnhat.example/login\n", ""), 10, 1, "write the words of the message");
}

#[test]
fn an_unknown_kind_is_reported_at_its_value() {
    only_problem(
        &edit(TRANSFER, "kind: transfer_confirm", "kind: atm"),
        2,
        7,
        "unknown drill kind `atm`: use `transfer_confirm`, `message_inbox`, `incoming_call`, `id_login` or `portal_submit`",
    );
}

#[test]
fn a_missing_kind_or_instruction_is_reported_at_the_block() {
    let (_, problems) = parse_drill_text(&edit(TRANSFER, "kind: transfer_confirm\n", ""));
    assert!(problems.iter().any(|p| p.position == Position::START && p.message.contains("lacks `kind")), "{problems:#?}");
    only_problem(&edit(TRANSFER, "instruction: Trả 50.000 đồng cho NGUYEN VAN MAU.\n", ""), 1, 1, "lacks `instruction");
}

#[test]
fn a_missing_field_is_reported_at_its_screen() {
    only_problem(&edit(TRANSFER, "name: NGUYEN VAN MAO\n", ""), 5, 1, "the `confirm` screen lacks `name: …`");
    only_problem(&edit(INBOX, "from: VNeID-HoTro\n", ""), 5, 1, "lacks `from");
}

#[test]
fn a_screen_without_a_right_action_is_reported_at_the_screen() {
    only_problem(&edit(TRANSFER, "right: enter_passcode\n", ""), 13, 1, "no right action: add `right: …` (`enter_passcode` or `cancel`)");
}

#[test]
fn a_wrong_action_without_feedback_is_reported_at_its_line() {
    only_problem(&edit(TRANSFER, "wrong: confirm => Tên là MAO, không phải MAU.", "wrong: confirm"), 11, 1, "a wrong action needs its feedback");
    only_problem(&edit(TRANSFER, "wrong: confirm => Tên là MAO, không phải MAU.", "wrong: confirm =>"), 11, 1, "needs its feedback");
}

#[test]
fn unknown_keys_and_actions_are_reported_with_what_is_allowed() {
    only_problem(
        &edit(TRANSFER, "account: 0123 456 789", "account: 0123 456 789\nbnak: Ví Dụ"),
        9,
        1,
        "unknown key `bnak` on a `confirm` screen: use `name`",
    );
    only_problem(&edit(TRANSFER, "instruction:", "levle: 2\ninstruction:"), 3, 1, "unknown key `levle`");
    only_problem(&edit(TRANSFER, "right: cancel", "right: huy"), 10, 8, "unknown action `huy` on a `confirm` screen: use `confirm` or `cancel`");
    only_problem(&edit(TRANSFER, "right: enter_passcode", "right: scan"), 14, 8, "`scan` is not an action of a `passcode` screen");
    only_problem(&edit(TRANSFER, "screen: passcode", "screen: message"), 13, 9, "`message` is not a screen of a transfer_confirm drill");
    only_problem(&edit(INBOX, "flag: urgency", "flag: hurry"), 12, 7, "unknown red flag `hurry`");
    only_problem(&edit(TRANSFER, "ask: Đọc tên.", "ask: Đọc tên.\nquét mã"), 7, 1, "`key: value` lines");
    only_problem(&edit(TRANSFER, "ask: Đọc tên.", "ask: Đọc tên.\nname: X"), 8, 1, "`name` is given twice");
    only_problem(&edit(TRANSFER, "right: enter_passcode", "right: enter_passcode\nright: cancel"), 15, 1, "exactly one `right:`");
    only_problem(&edit(TRANSFER, "ask: Đọc tên.", "ask: Đọc tên.\ncaller: X"), 7, 1, "drill lines go before the first `screen:`");
}

#[test]
fn fictional_values_are_checked() {
    only_problem(&edit(TRANSFER, "amount: 50.000", "amount: năm mươi nghìn"), 9, 9, "not an amount in đồng");
    only_problem(&edit(INBOX, "https://vneid-capnhat.example/login", "https://vneid-gov.vn"), 8, 7, "reserved example domain");
    only_problem(
        &edit(INBOX, "flag: look_alike_link => Link giả.\nflag: urgency \"khoá sau 24 giờ\" => Dọa để bạn vội.\n", ""),
        5,
        1,
        "a scam message needs its red flags",
    );
    only_problem(&edit(INBOX, "right: scam\nwrong: safe", "right: safe\nwrong: scam"), 11, 1, "a safe message has no red flags");
    only_problem(&edit(CALL, "caller: Số lạ\n", ""), 2, 1, "needs `caller: …`");
}

#[test]
fn amounts_and_example_links_are_recognised() {
    assert_eq!(parse_amount("50.000"), Some(50_000));
    assert_eq!(parse_amount("1 200 000 đ"), Some(1_200_000));
    for bad in ["", "0", "5,5", "-3", ".500", "abc"] {
        assert_eq!(parse_amount(bad), None, "{bad}");
    }
    assert_eq!(format_dong(1_200_000), "1.200.000 đ");
    assert_eq!(format_dong(500), "500 đ");
    for good in ["vneid-capnhat.example", "https://a.test/x", "http://example.com", "shop.example.org/?a=1"] {
        assert!(is_example_link(good), "{good}");
    }
    for bad in ["dichvucong.gov.vn", "https://example.com.vn", "notexample.com", "https://", "exampleXcom"] {
        assert!(!is_example_link(bad), "{bad}");
    }
}

/// A small deterministic generator (no dependency): xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn text(&mut self) -> String {
        const WORDS: &[&str] = &["Tên", "người", "nhận", "đúng", "không", "Huỷ", "50.000", "NGUYEN VAN MAU", "a:b", "=", "#1", "link"];
        (0..1 + self.below(5)).map(|_| WORDS[self.below(WORDS.len())]).collect::<Vec<_>>().join(" ")
    }
}

/// Writes a generated drill as a trainer would (blank lines, comments, fields in any order).
fn write(drill: &Drill, rng: &mut Rng) -> String {
    let mut out = format!("kind: {}\ninstruction: {}\n", drill.kind.as_str(), drill.instruction);
    if let DrillKind::IncomingCall { caller } = &drill.kind {
        out.push_str(&format!("caller: {caller}\n"));
    }
    for step in &drill.steps {
        out.push_str(if rng.below(2) == 0 { "\n" } else { "# next screen\n" });
        out.push_str(&format!("screen: {}\n", step.screen.name()));
        let mut lines: Vec<String> = Vec::new();
        if let Some(ask) = &step.ask {
            lines.push(format!("ask: {ask}"));
        }
        match &step.screen {
            Screen::Scan { label } if !label.is_empty() => lines.push(format!("label: {label}")),
            Screen::Confirm(t) => {
                lines.push(format!("name: {}", t.name));
                lines.push(format!("account: {}", t.account));
                lines.extend(t.amount.map(|a| format!("amount: {a}")));
            }
            Screen::Amount { amount } => lines.push(format!("amount: {amount}")),
            Screen::Message(m) => {
                lines.push(format!("from: {}", m.from));
                lines.push(format!("text: {}", m.text));
            }
            Screen::Call { says } => lines.push(format!("says: {says}")),
            Screen::Login { phone } => lines.push(format!("phone: {phone}")),
            Screen::Otp(otp) => {
                lines.push(format!("code: {}", otp.code));
                lines.push(format!("from: {}", otp.from));
                lines.extend((!otp.asks.is_empty()).then(|| format!("asks: {}", otp.asks)));
                lines.extend((!otp.link.is_empty()).then(|| format!("link: {}", otp.link)));
            }
            Screen::Documents { name, level } => {
                lines.push(format!("name: {name}"));
                lines.extend((!level.is_empty()).then(|| format!("level: {level}")));
            }
            Screen::Search { query } => lines.push(format!("query: {query}")),
            Screen::Procedure { title, agency } => {
                lines.push(format!("title: {title}"));
                lines.extend((!agency.is_empty()).then(|| format!("agency: {agency}")));
            }
            Screen::Fee(fee) => {
                lines.push(format!("payee: {}", fee.payee));
                lines.push(format!("amount: {}", fee.amount));
                lines.extend((!fee.code.is_empty()).then(|| format!("code: {}", fee.code)));
                lines.extend((!fee.content.is_empty()).then(|| format!("content: {}", fee.content)));
            }
            _ => {}
        }
        // Fields may come in any order; responses keep theirs (it is the order of a call's choices).
        let fields = lines.len();
        for i in (1..fields).rev() {
            lines.swap(i, rng.below(i + 1));
        }
        // Red flags keep their order (the player shows them so), after the fields.
        if let Screen::Message(m) = &step.screen {
            lines.extend(m.flags.iter().map(|f| format!("flag: {} \"{}\" => {}", f.flag.as_str(), f.part, f.note)));
        }
        // Form fields keep their order too.
        if let Screen::Form { fields } = &step.screen {
            lines.extend(fields.iter().map(|f| format!("field: {} => {}", f.label, f.value)));
        }
        for r in &step.responses {
            let feedback = if r.feedback.is_empty() { String::new() } else { format!(" => {}", r.feedback) };
            lines.push(format!("{}: {}{feedback}", if r.right { "right" } else { "wrong" }, r.action.as_str()));
        }
        out.push_str(&lines.join("\n"));
        out.push('\n');
    }
    out
}

fn generate(rng: &mut Rng) -> Drill {
    let kind = match rng.below(5) {
        0 => DrillKind::TransferConfirm,
        1 => DrillKind::MessageInbox,
        2 => DrillKind::IdLogin,
        3 => DrillKind::PortalSubmit,
        _ => DrillKind::IncomingCall { caller: rng.text() },
    };
    let choices = |rng: &mut Rng| (0..1 + rng.below(3)).map(|i| Action::Choice(format!("Lựa chọn {i} {}", rng.text()))).collect::<Vec<_>>();
    let steps = (0..1 + rng.below(5))
        .map(|_| {
            let ask = (rng.below(2) == 0).then(|| rng.text());
            let (screen, actions): (Screen, Vec<Action>) = match &kind {
                DrillKind::TransferConfirm => match rng.below(4) {
                    0 => (Screen::Scan { label: if rng.below(2) == 0 { rng.text() } else { String::new() } }, vec![Action::Scan, Action::Cancel]),
                    1 => (
                        Screen::Confirm(Transfer {
                            name: rng.text(),
                            account: "0123 456 789".into(),
                            amount: (rng.below(2) == 0).then(|| 1 + rng.next() % 10_000_000),
                            ..Transfer::default()
                        }),
                        vec![Action::Confirm, Action::Cancel],
                    ),
                    2 => (Screen::Amount { amount: 1 + rng.next() % 10_000_000 }, vec![Action::TypeAmount, Action::WrongAmount, Action::Cancel]),
                    _ => (Screen::Passcode, vec![Action::EnterPasscode, Action::Cancel]),
                },
                DrillKind::MessageInbox => {
                    let scam = rng.below(2) == 0;
                    // Each flag's words are marked `«i»` so that they are found where they were put.
                    let flags: Vec<FlagNote> = if scam {
                        let first = rng.below(RedFlag::ALL.len());
                        (0..1 + rng.below(3))
                            .map(|i| (i, RedFlag::ALL[(first + i) % RedFlag::ALL.len()]))
                            .map(|(i, flag)| FlagNote { flag, part: format!("«{i}» {}", rng.text()), note: rng.text() })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let mut text = rng.text();
                    for flag in &flags {
                        text = format!("{text} {}. {}", flag.part, rng.text());
                    }
                    let message = Message { from: rng.text(), text, link: String::new(), flags };
                    (Screen::Message(message), if scam { vec![Action::Scam, Action::Safe] } else { vec![Action::Safe, Action::Scam] })
                }
                DrillKind::IncomingCall { .. } => (Screen::Call { says: rng.text() }, choices(rng)),
                DrillKind::IdLogin => match rng.below(3) {
                    0 => (Screen::Login { phone: "0123 456 789".into() }, vec![Action::EnterPasscode, Action::Cancel]),
                    1 => {
                        let (asks, link) = (rng.below(2) == 0, rng.below(2) == 0);
                        let otp = Otp {
                            code: format!("{:06}", rng.next() % 1_000_000),
                            from: rng.text(),
                            asks: if asks { rng.text() } else { String::new() },
                            link: if link { "xacthuc.example".into() } else { String::new() },
                        };
                        let mut actions = vec![Action::EnterOtp, Action::WrongCode];
                        actions.extend(asks.then_some(Action::TellOtp));
                        actions.extend(link.then_some(Action::OpenLink));
                        (Screen::Otp(otp), actions)
                    }
                    _ => (Screen::Documents { name: rng.text(), level: if rng.below(2) == 0 { rng.text() } else { String::new() } }, choices(rng)),
                },
                DrillKind::PortalSubmit => match rng.below(5) {
                    0 => (Screen::Search { query: rng.text() }, choices(rng)),
                    1 => (Screen::Procedure { title: rng.text(), agency: if rng.below(2) == 0 { rng.text() } else { String::new() } }, choices(rng)),
                    2 => {
                        let fields = (0..1 + rng.below(MAX_FORM_FIELDS)).map(|_| FormField { label: rng.text(), value: rng.text() }).collect();
                        (Screen::Form { fields }, vec![Action::Submit, Action::WrongForm])
                    }
                    3 => {
                        let code = if rng.below(2) == 0 { rng.text() } else { String::new() };
                        let fee = Fee { payee: rng.text(), amount: 1 + rng.next() % 1_000_000, code, content: String::new() };
                        (Screen::Fee(fee), vec![Action::Confirm, Action::Cancel])
                    }
                    _ => (Screen::Passcode, vec![Action::EnterPasscode, Action::Cancel]),
                },
            };
            // The first action is right; some others are wrong, each with feedback.
            let wrong = rng.below(actions.len());
            let mut responses =
                vec![Response { action: actions[0].clone(), right: true, feedback: if rng.below(2) == 0 { rng.text() } else { String::new() } }];
            responses.extend(actions[1..=wrong].iter().map(|a| Response { action: a.clone(), right: false, feedback: rng.text() }));
            let right_at = rng.below(responses.len());
            responses.swap(0, right_at);
            DrillStep { ask, screen, responses }
        })
        .collect();
    Drill { kind, instruction: rng.text(), steps }
}

#[test]
fn property_every_generated_drill_reads_back_as_written_and_round_trips_through_json() {
    let mut rng = Rng(0x5eed_d511);
    for case in 0..500 {
        let drill = generate(&mut rng);
        let text = write(&drill, &mut rng);
        let (parsed, problems) = parse_drill_text(&text);
        assert_eq!(problems, Vec::<Problem>::new(), "case {case}:\n{text}");
        assert_eq!(parsed.as_ref(), Some(&drill), "case {case}:\n{text}");
        let json = serde_json::to_string(&drill).unwrap();
        assert_eq!(serde_json::from_str::<Drill>(&json).unwrap(), drill, "case {case}: {json}");
    }
}

#[test]
fn property_removing_any_line_never_panics_and_problems_stay_inside_the_block() {
    let mut rng = Rng(42);
    for _ in 0..100 {
        let drill = generate(&mut rng);
        let text = write(&drill, &mut rng);
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let broken: String = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| format!("{l}\n")).collect();
            let (_, problems) = parse_drill_text(&broken);
            let last_line = 1 + lines.len() as u32;
            for problem in problems {
                assert!(problem.position.line >= 1 && problem.position.line <= last_line, "{problem} in\n{broken}");
                assert!(!problem.message.is_empty());
            }
        }
    }
}
