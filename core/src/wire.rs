//! Reading internally tagged JSON (`{"type": "…", …fields}`) without serde's buffering.
//!
//! `#[serde(tag = "type")]` reads each object into an intermediate tree first and then reads the
//! variant from that tree, which compiles every type inside the enum twice. In the villager's
//! WASM download that was tens of kilobytes. Each tagged enum here is instead read through a flat
//! "wire" struct (the tag plus every variant's fields, all optional) and converted with
//! `#[serde(try_from = …)]`; writing still uses serde's derive, so the JSON is unchanged, and all
//! JSON our writers ever produced reads back the same (tested below). Hand-made input is read a
//! little differently: see the tests for the exact rules.

/// The variant's required field `name`, taken out of the wire struct.
pub(crate) fn required<T>(field: &mut Option<T>, name: &str, kind: &str) -> Result<T, String> {
    field.take().ok_or_else(|| format!("missing field `{name}` for type `{kind}`"))
}

/// For the fields of a wire struct that refuses foreign fields: a missing key is `None` (with
/// `#[serde(default)]`), but `null` is an error as it was for the variant's own field, so a foreign
/// `"chosen": null` cannot slip through as "absent".
pub(crate) fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Fails on the first field left in the wire struct: it belongs to another variant.
pub(crate) fn no_leftovers(leftovers: &[(&str, bool)], kind: &str) -> Result<(), String> {
    match leftovers.iter().find(|(_, present)| *present) {
        Some((name, _)) => Err(format!("unknown field `{name}` for type `{kind}`")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::content::{Block, Inline};
    use crate::practice::{Action, Drill, DrillKind, DrillStep, Response, Screen, Transfer};
    use crate::progress::{EventKind, Score};
    use crate::sessions::{AgeBand, Attendee, Gender, SessionDetails};

    fn every_event_kind() -> Vec<EventKind> {
        let session = || "s-1".to_string();
        vec![
            EventKind::LessonStarted,
            EventKind::StepViewed { step: 3 },
            EventKind::QuestionAnswered { question: 1, chosen: vec![0, 2], correct: false },
            EventKind::LessonCompleted { score: Score { correct: 4, out_of: 5 } },
            EventKind::DrillStarted { drill: 0 },
            EventKind::DrillStepAnswered { drill: 0, step: 2, correct: false },
            EventKind::DrillCompleted { drill: 0, mistakes: 1 },
            EventKind::DrillFlagFound { drill: 0, step: 2, flag: 1 },
            EventKind::SessionDetails {
                session: session(),
                details: SessionDetails {
                    date: "2026-11-29".into(),
                    place: "Nhà văn hoá thôn Bản Phố".into(),
                    village: "Bản Phố".into(),
                    lessons: vec!["vneid-intro".into()],
                },
            },
            EventKind::AttendeeAdded {
                session: session(),
                attendee: Attendee {
                    id: "a-1".into(),
                    nickname: "Mai".into(),
                    village: "Bản Phố".into(),
                    gender: Some(Gender::Female),
                    age_band: Some(AgeBand::From36To59),
                    learner: None,
                },
            },
            EventKind::AttendeeRemoved { session: session(), attendee: "a-1".into() },
            EventKind::GroupAnswered { session: session(), question: 2, counts: vec![1, 5, 0], correct_options: vec![1] },
            EventKind::SessionClosed { session: session() },
            EventKind::Erased,
        ]
    }

    fn every_block() -> Vec<Block> {
        let words = vec![
            Inline::text("Mở "),
            Inline::Strong { children: vec![Inline::text("VNeID")] },
            Inline::Emphasis { children: vec![Inline::text("ngay")] },
            Inline::LineBreak,
            Inline::Link { href: "../next".into(), children: vec![Inline::text("tiếp")] },
            Inline::Code { code: "123".into() },
        ];
        vec![
            Block::Paragraph { content: words.clone() },
            Block::List { ordered: true, start: 3, items: vec![vec![Block::Paragraph { content: words }]] },
            Block::List { ordered: false, start: 1, items: vec![] },
            Block::Image { src: "media/a.svg".into(), alt: "Màn hình".into() },
            Block::Audio { src: "media/a.mp3".into(), label: "Nghe".into() },
            Block::Practice(Drill {
                kind: DrillKind::TransferConfirm,
                instruction: "Trả 50.000 đ".into(),
                steps: vec![DrillStep {
                    ask: Some("Xem tên".into()),
                    screen: Screen::Confirm(Transfer {
                        name: "NGUYEN VAN MAO".into(),
                        account: "0123 456 789".into(),
                        bank: String::new(),
                        amount: Some(50_000),
                        content: String::new(),
                    }),
                    responses: vec![
                        Response { action: Action::Cancel, right: true, feedback: String::new() },
                        Response { action: Action::Confirm, right: false, feedback: "Sai tên".into() },
                    ],
                }],
            }),
            Block::Practice(Drill {
                kind: DrillKind::IncomingCall { caller: "Số lạ".into() },
                instruction: "Nghe".into(),
                steps: vec![DrillStep {
                    ask: None,
                    screen: Screen::Call { says: "Đọc OTP".into() },
                    responses: vec![Response { action: Action::Choice("Tắt máy".into()), right: true, feedback: "Đúng".into() }],
                }],
            }),
        ]
    }

    /// The JSON that serde's own tagged derive wrote before the wire structs (stored on phones,
    /// sent to servers, inside packs): it must still read back, and be written the same way.
    const EVENT_KINDS_AS_WRITTEN_BEFORE: &[&str] = &[
        r#"{"type":"lesson_started"}"#,
        r#"{"type":"step_viewed","step":3}"#,
        r#"{"type":"question_answered","question":1,"chosen":[0,2],"correct":false}"#,
        r#"{"type":"lesson_completed","score":{"correct":4,"out_of":5}}"#,
        r#"{"type":"drill_started","drill":0}"#,
        r#"{"type":"drill_step_answered","drill":0,"step":2,"correct":false}"#,
        r#"{"type":"drill_completed","drill":0,"mistakes":1}"#,
        r#"{"type":"drill_flag_found","drill":0,"step":2,"flag":1}"#,
        r#"{"type":"session_details","session":"s-1","details":{"date":"2026-11-29","place":"Nhà văn hoá thôn Bản Phố","village":"Bản Phố","lessons":["vneid-intro"]}}"#,
        r#"{"type":"attendee_added","session":"s-1","attendee":{"id":"a-1","nickname":"Mai","village":"Bản Phố","gender":"female","age_band":"from36_to59"}}"#,
        r#"{"type":"attendee_removed","session":"s-1","attendee":"a-1"}"#,
        r#"{"type":"group_answered","session":"s-1","question":2,"counts":[1,5,0],"correct_options":[1]}"#,
        r#"{"type":"session_closed","session":"s-1"}"#,
        r#"{"type":"erased"}"#,
    ];
    const BLOCKS_AS_WRITTEN_BEFORE: &[&str] = &[
        r#"{"type":"paragraph","content":[{"type":"text","text":"Mở "},{"type":"strong","children":[{"type":"text","text":"VNeID"}]},{"type":"emphasis","children":[{"type":"text","text":"ngay"}]},{"type":"line_break"},{"type":"link","href":"../next","children":[{"type":"text","text":"tiếp"}]},{"type":"code","code":"123"}]}"#,
        r#"{"type":"list","ordered":true,"start":3,"items":[[{"type":"paragraph","content":[{"type":"text","text":"Mở "},{"type":"strong","children":[{"type":"text","text":"VNeID"}]},{"type":"emphasis","children":[{"type":"text","text":"ngay"}]},{"type":"line_break"},{"type":"link","href":"../next","children":[{"type":"text","text":"tiếp"}]},{"type":"code","code":"123"}]}]]}"#,
        r#"{"type":"list","ordered":false,"items":[]}"#,
        r#"{"type":"image","src":"media/a.svg","alt":"Màn hình"}"#,
        r#"{"type":"audio","src":"media/a.mp3","label":"Nghe"}"#,
        // Pack format 2 (drills); `exercise` is written for apps older than drills.
        r#"{"type":"practice","exercise":"transfer_confirm","kind":"transfer_confirm","instruction":"Trả 50.000 đ","steps":[{"ask":"Xem tên","screen":{"confirm":{"name":"NGUYEN VAN MAO","account":"0123 456 789","amount":50000}},"responses":[{"action":"cancel","right":true},{"action":"confirm","feedback":"Sai tên"}]}]}"#,
        r#"{"type":"practice","exercise":"incoming_call","kind":{"incoming_call":{"caller":"Số lạ"}},"instruction":"Nghe","steps":[{"screen":{"call":{"says":"Đọc OTP"}},"responses":[{"action":{"choice":"Tắt máy"},"right":true,"feedback":"Đúng"}]}]}"#,
    ];

    #[test]
    fn every_event_kind_and_block_is_written_and_read_as_before() {
        for (kind, before) in every_event_kind().iter().zip(EVENT_KINDS_AS_WRITTEN_BEFORE) {
            assert_eq!(&serde_json::to_string(kind).unwrap(), before);
            assert_eq!(&serde_json::from_str::<EventKind>(before).unwrap(), kind);
        }
        for (block, before) in every_block().iter().zip(BLOCKS_AS_WRITTEN_BEFORE) {
            assert_eq!(&serde_json::to_string(block).unwrap(), before);
            assert_eq!(&serde_json::from_str::<Block>(before).unwrap(), block);
        }
        assert_eq!(every_event_kind().len(), EVENT_KINDS_AS_WRITTEN_BEFORE.len());
        assert_eq!(every_block().len(), BLOCKS_AS_WRITTEN_BEFORE.len());
    }

    #[test]
    fn the_tag_may_come_anywhere_in_the_object() {
        let kind: EventKind = serde_json::from_str(r#"{"chosen":[1],"correct":true,"question":0,"type":"question_answered"}"#).unwrap();
        assert_eq!(kind, EventKind::QuestionAnswered { question: 0, chosen: vec![1], correct: true });
        let inline: Inline = serde_json::from_str(r#"{"children":[],"href":"x","type":"link"}"#).unwrap();
        assert_eq!(inline, Inline::Link { href: "x".into(), children: vec![] });
    }

    #[test]
    fn an_event_with_a_missing_foreign_or_unknown_field_is_refused_with_its_name() {
        let error = |json: &str| serde_json::from_str::<EventKind>(json).unwrap_err().to_string();
        assert!(error(r#"{"type":"step_viewed"}"#).contains("missing field `step` for type `step_viewed`"));
        assert!(error(r#"{"type":"step_viewed","step":1,"chosen":[0]}"#).contains("unknown field `chosen` for type `step_viewed`"));
        assert!(error(r#"{"type":"lesson_started","typo":1}"#).contains("unknown field `typo`"));
        assert!(error(r#"{"type":"lesson_ended"}"#).contains("unknown variant `lesson_ended`"));
        assert!(error(r#"{"step":1}"#).contains("missing field `type`"));
        assert!(error(r#"{"type":"attendee_removed","session":"s","attendee":{"id":"a","nickname":"M","village":"V"}}"#)
            .contains("`attendee` has the wrong form for type `attendee_removed`"));
        assert!(error(r#"{"type":"attendee_added","session":"s","attendee":"a"}"#).contains("wrong form"));
        assert!(error(r#"{"type":"attendee_added","session":"s","attendee":{"id":"a","nickname":"M","village":"V","age":3}}"#)
            .contains("unknown field `age`"));
        assert!(error(r#"{"type":"attendee_removed","session":"s","attendee":7}"#).contains("an attendee or an attendee id"));
        assert!(error(r#"{"type":"step_viewed","step":1,"chosen":null}"#).contains("invalid type: null"));
        assert!(error(r#"{"type":"step_viewed","step":null}"#).contains("invalid type: null"));
        // Stricter than serde's own reader, which skipped any key after a unit variant's tag.
        assert!(error(r#"{"type":"lesson_started","step":1}"#).contains("unknown field `step` for type `lesson_started`"));
        // A red flag belongs to `drill_flag_found` only: a wrong word is a plain wrong answer.
        assert!(error(r#"{"type":"drill_step_answered","drill":0,"step":1,"correct":false,"flag":0}"#)
            .contains("unknown field `flag` for type `drill_step_answered`"));
        assert!(error(r#"{"type":"drill_flag_found","drill":0,"step":1}"#).contains("missing field `flag` for type `drill_flag_found`"));
    }

    #[test]
    fn a_block_ignores_well_formed_fields_of_other_blocks_but_not_missing_ones() {
        let block: Block = serde_json::from_str(r#"{"type":"image","src":"a.svg","alt":"A","label":"x"}"#).unwrap();
        assert_eq!(block, Block::Image { src: "a.svg".into(), alt: "A".into() });
        let error = serde_json::from_str::<Block>(r#"{"type":"image","src":"a.svg"}"#).unwrap_err().to_string();
        assert!(error.contains("missing field `alt` for type `image`"), "{error}");
        let error = serde_json::from_str::<Inline>(r#"{"type":"strong"}"#).unwrap_err().to_string();
        assert!(error.contains("missing field `children` for type `strong`"), "{error}");
        // A foreign field with another block's name is read as that block's field, so it must have
        // that field's type (serde's buffering reader ignored it whatever it held).
        assert!(serde_json::from_str::<Block>(r#"{"type":"image","src":"a.svg","alt":"A","label":5}"#).is_err());
    }

    #[test]
    fn a_practice_block_of_pack_format_1_is_refused_with_a_reason() {
        let error = serde_json::from_str::<Block>(r#"{"type":"practice","exercise":"vietqr"}"#).unwrap_err().to_string();
        assert!(error.contains("pack format 1"), "{error}");
        let error = serde_json::from_str::<Block>(r#"{"type":"practice","kind":"message_inbox","steps":[]}"#).unwrap_err().to_string();
        assert!(error.contains("missing field `instruction` for type `practice`"), "{error}");
    }
}
