//! Packs: layout, media URLs, versions that change exactly when a lesson changes, reproducible output.
use super::*;
use crate::content::fixtures::{edit, other_lesson, svg, tree, EN, VI};
use crate::content::tree::SourceFiles;

const VI_PATH: &str = "cashless-payment/pay-by-vietqr/vi.md";
const MEDIA: &str = "cashless-payment/pay-by-vietqr/media";

/// The version a media URL carries: the first 12 hex digits of the file's SHA-256.
fn short_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()[..12].to_owned()
}

fn build(files: SourceFiles) -> PackFiles {
    let tree = ContentTree::from_files(files);
    assert!(!tree.report.has_errors(), "{:#?}", tree.report.problems);
    pack_files(&tree)
}

fn catalogue(packs: &PackFiles) -> Catalogue {
    serde_json::from_slice(&packs.files["catalogue.json"]).unwrap()
}

fn pack(packs: &PackFiles, name: &str) -> TopicPack {
    serde_json::from_slice(&packs.files[&format!("packs/{name}.json")]).unwrap()
}

/// (vi version, en version) of the fixture lesson.
fn versions(packs: &PackFiles) -> (String, String) {
    let catalogue = catalogue(packs);
    let lesson = catalogue.topics[0].lessons.iter().find(|l| l.id == "pay-by-vietqr").unwrap();
    (lesson.locales["vi"].version.clone(), lesson.locales["en"].version.clone())
}

#[test]
fn a_build_writes_the_catalogue_one_pack_per_topic_and_locale_and_the_used_media() {
    let packs = build(tree());
    let paths: Vec<&str> = packs.files.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "catalogue.json",
            "media/cashless-payment/icon.svg",
            "media/cashless-payment/pay-by-vietqr/icon.svg",
            "media/cashless-payment/pay-by-vietqr/qr-stand.svg",
            "media/cashless-payment/pay-by-vietqr/step2.mp3",
            "media/data-safety/icon.svg",
            "packs/cashless-payment.en.json",
            "packs/cashless-payment.vi.json",
        ]
    );
    assert_eq!(packs.files["media/cashless-payment/pay-by-vietqr/qr-stand.svg"], svg("qr").as_bytes());
}

#[test]
fn the_catalogue_lists_topics_lessons_and_per_locale_versions_and_sizes() {
    let packs = build(tree());
    let catalogue = catalogue(&packs);
    assert_eq!(catalogue.format, PACK_FORMAT);
    let ids: Vec<&str> = catalogue.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["cashless-payment", "data-safety"]);
    let topic = &catalogue.topics[0];
    // The topic as its topic.md says, its icon a versioned URL like a lesson's.
    assert_eq!((topic.order, topic.colour.as_str(), topic.colour()), (2, "#2e7d32", "#2e7d32"));
    let topic_icon = format!("/content/media/cashless-payment/icon.svg?v={}", short_sha256(svg("cashless").as_bytes()));
    assert_eq!(topic.icon.as_deref(), Some(topic_icon.as_str()));
    assert_eq!(topic.text("en"), TopicText { title: "Topic cashless-payment".into(), summary: "Summary cashless-payment".into() });
    assert_eq!(topic.text("hmn").title, "Chủ đề cashless-payment", "a language without a title falls back to Vietnamese");
    // A topic without lessons is still listed (its lessons may come with the next build).
    assert!(catalogue.topics[1].lessons.is_empty() && catalogue.topics[1].packs.is_empty());
    assert_eq!(
        topic.packs["vi"],
        PackEntry {
            url: "/content/packs/cashless-payment.vi.json".into(),
            version: pack(&packs, "cashless-payment.vi").version,
            bytes: packs.files["packs/cashless-payment.vi.json"].len() as u64,
        }
    );
    let lesson = &topic.lessons[0];
    assert_eq!((lesson.id.as_str(), lesson.order, lesson.minutes), ("pay-by-vietqr", 2, 6));
    let icon = format!("/content/media/cashless-payment/pay-by-vietqr/icon.svg?v={}", short_sha256(svg("icon").as_bytes()));
    assert_eq!(lesson.icon.as_deref(), Some(icon.as_str()));
    assert_eq!(lesson.locales.keys().collect::<Vec<_>>(), ["en", "vi"]);
    let vi = &lesson.locales["vi"];
    assert_eq!((vi.title.as_str(), vi.summary.as_str(), vi.status), ("Trả tiền bằng mã VietQR", "Quét mã QR để trả tiền.", Status::Draft));
    assert_eq!(lesson.locales["en"].status, Status::Draft);
    assert_eq!(vi.version.len(), 12);
    assert!(vi.version.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(vi.version, lesson.locales["en"].version);
    assert_eq!(vi.media_bytes, (svg("icon").len() + svg("qr").len() + "ID3 audio".len()) as u64);
    // One step of each language has the lesson's own audio (the language picker's "with a voice").
    assert_eq!((vi.audio_steps, lesson.locales["en"].audio_steps), (1, 1));
    let packed = pack(&packs, "cashless-payment.vi");
    assert_eq!(vi.bytes, serde_json::to_vec(&packed.lessons[0]).unwrap().len() as u64);
}

#[test]
fn packs_hold_parsed_lessons_with_media_as_versioned_url_paths() {
    let vi = edit(VI, "đen trắng.", "đen trắng. [Mẫu](media/form.png) [Bài](../pay-bills)");
    let files = tree()
        .with(VI_PATH, vi)
        .with(&format!("{MEDIA}/form.png"), "PNG form")
        .with("cashless-payment/pay-bills/vi.md", other_lesson("pay-bills", "cashless-payment", 1))
        .with("cashless-payment/pay-bills/en.md", other_lesson("pay-bills", "cashless-payment", 1));
    let packs = build(files);
    let pack = pack(&packs, "cashless-payment.vi");
    assert_eq!((pack.topic.as_str(), pack.locale.as_str(), pack.format), ("cashless-payment", "vi", PACK_FORMAT));
    let ids: Vec<&str> = pack.lessons.iter().map(|l| l.lesson.meta.id.as_str()).collect();
    assert_eq!(ids, ["pay-bills", "pay-by-vietqr"], "in the topic's order");
    let lesson = &pack.lessons[1].lesson;
    let url = |name: &str, bytes: &[u8]| format!("/content/media/cashless-payment/pay-by-vietqr/{name}?v={}", short_sha256(bytes));
    assert_eq!(lesson.meta.icon, Some(url("icon.svg", svg("icon").as_bytes())));
    assert_eq!(lesson.steps[0].blocks[1], Block::Image { src: url("qr-stand.svg", svg("qr").as_bytes()), alt: "Mã VietQR ở quầy hàng".into() });
    assert_eq!(lesson.steps[1].audio(), Some(url("step2.mp3", b"ID3 audio").as_str()));
    let Block::Paragraph { content } = &lesson.steps[0].blocks[0] else { panic!() };
    let hrefs: Vec<&str> = content
        .iter()
        .filter_map(|i| match i {
            Inline::Link { href, .. } => Some(href.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(hrefs, [url("form.png", b"PNG form").as_str(), "../pay-bills"]);
    assert!(packs.files.contains_key("media/cashless-payment/pay-by-vietqr/form.png"));
}

#[test]
fn a_changed_lesson_file_gets_a_new_version_and_nothing_else_does() {
    let before = build(tree());
    let after = build(tree().with(VI_PATH, edit(VI, "đen trắng.", "đen và trắng.")));
    let (vi_before, en_before) = versions(&before);
    let (vi_after, en_after) = versions(&after);
    assert_ne!(vi_before, vi_after);
    assert_eq!(en_before, en_after);
    assert_ne!(pack(&before, "cashless-payment.vi").version, pack(&after, "cashless-payment.vi").version);
    assert_eq!(pack(&before, "cashless-payment.en").version, pack(&after, "cashless-payment.en").version);
}

#[test]
fn a_changed_media_file_gets_a_new_version_for_every_file_that_uses_it() {
    let before = versions(&build(tree()));
    let after_packs = build(tree().with(&format!("{MEDIA}/qr-stand.svg"), svg("new qr")));
    let after = versions(&after_packs);
    assert_ne!(before.0, after.0);
    assert_ne!(before.1, after.1);
    // And its URL changes, so phones that kept the old picture download the new one.
    let src = |packs: &PackFiles| match &pack(packs, "cashless-payment.vi").lessons[0].lesson.steps[0].blocks[1] {
        Block::Image { src, .. } => src.clone(),
        other => panic!("{other:?}"),
    };
    assert_ne!(src(&build(tree())), src(&after_packs));
    assert!(src(&after_packs).ends_with(&format!("qr-stand.svg?v={}", short_sha256(svg("new qr").as_bytes()))));
}

#[test]
fn other_lessons_and_unused_files_do_not_change_a_version() {
    let before = versions(&build(tree()));
    let other = other_lesson("pay-bills", "cashless-payment", 1);
    let with_other = tree().with("cashless-payment/pay-bills/vi.md", other.clone()).with("cashless-payment/pay-bills/en.md", other);
    assert_eq!(before, versions(&build(with_other)));
    let with_unused = tree().with(&format!("{MEDIA}/draft.svg"), svg("draft"));
    let packs = build(with_unused);
    assert_eq!(before, versions(&packs));
    assert!(!packs.files.contains_key("media/cashless-payment/pay-by-vietqr/draft.svg"), "unused media is not published");
}

#[test]
fn the_output_is_byte_for_byte_reproducible() {
    assert_eq!(build(tree()), build(tree()));
}

fn write_tree(files: &SourceFiles, dir: &Path) {
    for (path, contents) in &files.files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
    }
}

/// Every file under `dir` with its contents, sorted.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let files = SourceFiles::read(dir).unwrap();
    files.files.into_iter().collect()
}

#[test]
fn build_packs_writes_to_disk_replacing_an_earlier_build_and_keeping_other_files() {
    let content = tempfile::tempdir().unwrap();
    write_tree(&tree(), content.path());
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("packs")).unwrap();
    std::fs::write(out.path().join("packs/removed-topic.vi.json"), "{}").unwrap();
    std::fs::write(out.path().join("keep.txt"), "not ours").unwrap();

    let summary = build_packs(content.path(), out.path()).unwrap();
    assert_eq!(summary.report.error_count(), 0);
    assert_eq!(summary.files.len(), 8, "catalogue, 2 packs, 3 lesson media, 2 topic icons");
    let first = snapshot(out.path());
    assert!(!out.path().join("packs/removed-topic.vi.json").exists());
    assert!(out.path().join("keep.txt").exists());
    assert_eq!(
        first.iter().map(|(p, b)| (p.clone(), b.len() as u64)).filter(|(p, _)| p != "keep.txt").collect::<Vec<_>>(),
        summary.files.iter().map(|f| (f.path.clone(), f.bytes)).collect::<Vec<_>>()
    );

    build_packs(content.path(), out.path()).unwrap();
    assert_eq!(first, snapshot(out.path()), "a second build writes the same bytes");
}

#[test]
fn build_packs_refuses_content_with_errors_and_writes_nothing() {
    let content = tempfile::tempdir().unwrap();
    write_tree(&tree().with(VI_PATH, edit(VI, "- [x] Tên", "- [ ] Tên")), content.path());
    let out = tempfile::tempdir().unwrap();
    let Err(BuildError::Invalid(report)) = build_packs(content.path(), out.path()) else { panic!("expected Invalid") };
    assert_eq!(report.error_count(), 1);
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
}

#[test]
fn topics_are_listed_in_their_order_and_a_new_topic_folder_is_a_new_catalogue_entry() {
    let files = tree()
        .with("phone-safety/topic.md", crate::content::fixtures::topic_file("phone-safety", 1))
        .with("phone-safety/media/icon.svg", svg("phone"))
        .with("phone-safety/screen-lock/vi.md", other_lesson("screen-lock", "phone-safety", 1));
    let catalogue = catalogue(&build(files));
    let ids: Vec<&str> = catalogue.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["phone-safety", "cashless-payment", "data-safety"]);
    assert_eq!(catalogue.topics[0].lessons[0].id, "screen-lock");
    assert_eq!(catalogue.topics[0].packs["vi"].url, "/content/packs/phone-safety.vi.json");
}

#[test]
fn a_catalogue_from_before_topic_files_still_reads_and_a_bad_colour_is_never_drawn() {
    let old = r#"{"format":2,"topics":[{"id":"data-safety","packs":{},"lessons":[]}]}"#;
    let catalogue: Catalogue = serde_json::from_str(old).unwrap();
    let topic = &catalogue.topics[0];
    assert_eq!((topic.text("vi").title.as_str(), topic.colour()), ("data-safety", crate::content::DEFAULT_TOPIC_COLOUR));
    let tampered = CatalogueTopic { colour: "red; background: url(//x.example)".into(), ..topic.clone() };
    assert_eq!(tampered.colour(), crate::content::DEFAULT_TOPIC_COLOUR);
}

#[test]
fn a_translation_without_drills_in_a_language_not_yet_reviewed_carries_the_originals() {
    const HMN: &str = "cashless-payment/pay-by-vietqr/hmn.md";
    let none = edit(EN, "```practice\nkind: transfer_confirm\ninstruction: Scan the QR code at the counter.\nscreen: scan\nright: scan\n```\n\n", "");
    let packs = build(tree().with(HMN, none.clone()));
    let vi_lesson = pack(&packs, "cashless-payment.vi").lessons.into_iter().find(|l| l.lesson.meta.id == "pay-by-vietqr").unwrap().lesson;
    let hmn_lesson = pack(&packs, "cashless-payment.hmn").lessons.into_iter().find(|l| l.lesson.meta.id == "pay-by-vietqr").unwrap().lesson;
    assert_eq!(hmn_lesson.drills(), vi_lesson.drills(), "the Vietnamese drill, as it is");
    assert_eq!(hmn_lesson.drill_steps(), vi_lesson.drill_steps(), "in the same step, so events mean the same");
    let hmn_version = |packs: &PackFiles| {
        let catalogue = catalogue(packs);
        let topic = catalogue.topics.iter().find(|t| t.id == "cashless-payment").unwrap();
        let lesson = topic.lessons.iter().find(|l| l.id == "pay-by-vietqr").unwrap().clone();
        assert_eq!(lesson.locales["hmn"].drills, 1);
        lesson.locales["hmn"].version.clone()
    };
    // The carried drill is part of the Hmong lesson's version: editing it in vi.md reaches Hmong phones.
    let before = hmn_version(&packs);
    let changed = build(tree().with(HMN, none).with(VI_PATH, edit(VI, "right: scan", "right: scan => Tốt.")));
    assert_ne!(hmn_version(&changed), before);
}

#[test]
fn the_studio_preview_gets_the_packed_lesson_with_its_own_media_urls() {
    const HMN: &str = "cashless-payment/pay-by-vietqr/hmn.md";
    let none = edit(EN, "```practice\nkind: transfer_confirm\ninstruction: Scan the QR code at the counter.\nscreen: scan\nright: scan\n```\n\n", "");
    let files = tree().with(HMN, none);
    let content = ContentTree::from_files(files.clone());
    let folder = content.lessons.iter().find(|l| l.id == "pay-by-vietqr").unwrap();
    let packed = pack(&build(files), "cashless-payment.hmn").lessons.into_iter().find(|l| l.lesson.meta.id == "pay-by-vietqr").unwrap().lesson;
    let preview = device_lesson(&folder.files["hmn"], folder, &|name| format!("blob:{name}"));
    assert_eq!(preview.drills(), packed.drills(), "the translation carries the original's drill, as on phones");
    assert_eq!(preview.meta.icon.as_deref(), Some("blob:icon.svg"));
    assert_eq!(preview.steps[1].audio(), Some("blob:step2.mp3"));
    // Everything but the media URLs is what the pack holds.
    let packed_with = |url: &dyn Fn(&str) -> String| device_lesson(&folder.files["hmn"], folder, url);
    let via_pack_urls = packed_with(&|name| media_url(folder, name));
    assert_eq!(via_pack_urls, packed);
}
