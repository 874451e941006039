//! A small, valid lesson used by the tests of this module, and helpers to break it one way at a time.
//! Line numbers in the tests refer to these texts.

use super::tree::SourceFiles;

/// A valid Vietnamese lesson. Lines: 1 `---`, 2 id, 3 topic, 4 title, 5 summary, 6 minutes,
/// 7 order, 8 status, 9 icon, 10 `---`, 12 step 1, 17 step 2 (its practice block on lines 21-26), 30 question 1,
/// 36 question 2.
pub const VI: &str = r#"---
id: pay-by-vietqr
topic: cashless-payment
title: Trả tiền bằng mã VietQR
summary: Quét mã QR để trả tiền.
minutes: 6
order: 2
status: draft
icon: icon.svg
---

## Mã VietQR là gì?
Mã VietQR là một ô vuông có **nhiều chấm** đen trắng.

![Mã VietQR ở quầy hàng](media/qr-stand.svg)

## Mở ứng dụng ngân hàng
1. Mở ứng dụng *ngân hàng*.
2. Chọn **Quét QR**.

```practice
kind: transfer_confirm
instruction: Quét mã QR ở quầy.
screen: scan
right: scan
```

![Nghe bước này](media/step2.mp3)

## ? Trước khi chuyển tiền, bạn cần kiểm tra gì?
- [ ] Màu của mã QR
  > Màu của mã không quan trọng.
- [x] Tên người nhận và số tiền
  > Đúng.

## ? Bạn có thể chuyển tiền khi tên người nhận khác. {.true-false}
- [ ] Đúng
  > Không nên.
- [x] Sai
  > Đúng vậy.
"#;

/// The English translation of [`VI`], line for line.
pub const EN: &str = r#"---
id: pay-by-vietqr
topic: cashless-payment
title: Paying with a VietQR code
summary: Scan the QR code to pay.
minutes: 6
order: 2
status: draft
icon: icon.svg
---

## What is a VietQR code?
A VietQR code is a square of **many dots**.

![A VietQR code on a counter](media/qr-stand.svg)

## Open the bank app
1. Open the *bank* app.
2. Choose **Scan QR**.

```practice
kind: transfer_confirm
instruction: Scan the QR code at the counter.
screen: scan
right: scan
```

![Listen to this step](media/step2.mp3)

## ? What do you check before sending money?
- [ ] The colour of the code
  > The colour does not matter.
- [x] The recipient's name and the amount
  > Right.

## ? You may pay when the recipient's name is different. {.true-false}
- [ ] True
  > Better not.
- [x] False
  > Right.
"#;

/// `text` with `old` (which must occur exactly once) replaced by `new`.
pub fn edit(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "the fixture must contain {old:?} exactly once");
    text.replacen(old, new, 1)
}

/// A small, safe SVG picture showing `text`.
pub fn svg(text: &str) -> String {
    format!("<svg xmlns=\"http://www.w3.org/2000/svg\"><text>{text}</text></svg>")
}

/// A topic's `topic.md`. Lines: 1 `---`, 2 id, 3 colour, 4 order, 5 icon, 6 title, 7 summary,
/// 8 title.en, 9 summary.en, 10 `---`.
pub fn topic_file(id: &str, order: u32) -> String {
    format!("---\nid: {id}\ncolour: \"#2e7d32\"\norder: {order}\nicon: icon.svg\ntitle: Chủ đề {id}\nsummary: Tóm tắt {id}\ntitle.en: Topic {id}\nsummary.en: Summary {id}\n---\n")
}

/// Two topics (`cashless-payment` first, `data-safety`) with their icons, and the fixture lesson
/// (vi and en, with its media) in `cashless-payment/`.
pub fn tree() -> SourceFiles {
    SourceFiles::new("content")
        .with("README.md", "Hướng dẫn cho người soạn bài")
        .with("cashless-payment/topic.md", topic_file("cashless-payment", 2))
        .with("cashless-payment/media/icon.svg", svg("cashless"))
        .with("data-safety/topic.md", topic_file("data-safety", 3))
        .with("data-safety/media/icon.svg", svg("safety"))
        .with("cashless-payment/pay-by-vietqr/vi.md", VI)
        .with("cashless-payment/pay-by-vietqr/en.md", EN)
        .with("cashless-payment/pay-by-vietqr/media/icon.svg", svg("icon"))
        .with("cashless-payment/pay-by-vietqr/media/qr-stand.svg", svg("qr"))
        .with("cashless-payment/pay-by-vietqr/media/step2.mp3", b"ID3 audio".to_vec())
}

/// A second valid lesson, in another topic, linking to the first.
pub fn other_lesson(id: &str, topic: &str, order: u32) -> String {
    format!(
        "---\nid: {id}\ntopic: {topic}\ntitle: Bài {id}\nsummary: Tóm tắt.\nminutes: 3\norder: {order}\nstatus: draft\n---\n\n## Bước một\nXem bài [trả tiền](../../cashless-payment/pay-by-vietqr).\n\n## ? Đúng không? {{.true-false}}\n- [x] Đúng\n  > Đúng.\n- [ ] Sai\n  > Sai.\n"
    )
}
