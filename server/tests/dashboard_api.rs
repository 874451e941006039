//! The team dashboard, its CSV export and the province view over real HTTP and a real SQLite file.
//! Two teams are seeded through the real join and push endpoints with a small data set whose every
//! indicator is counted by hand below; a catalogue with two topics maps lessons to topics. The same
//! two teams then record learning sessions (`seed_sessions`), counted by hand as well.
use std::collections::BTreeMap;
use std::net::SocketAddr;

use hocso_core::content::{
    Block, Catalogue, CatalogueLesson, CatalogueLocale, CatalogueTopic, Lesson, LessonMeta, PackEntry, PackedLesson, Status, Step, TopicPack,
};
use hocso_core::practice::parse_drill_text;
use hocso_core::progress::{EventKind, ProgressEvent, Score};
use hocso_core::sessions::{AgeBand, Attendee, Gender, SessionDetails};
use hocso_core::sync::JoinResponse;
use hocso_server::store::Store;
use hocso_server::ServeConfig;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

mod common;

const VNEID: &str = "what-is-vneid"; // topic public-services
const VIETQR: &str = "pay-by-vietqr"; // topic cashless-payment

struct Server {
    addr: SocketAddr,
    store: Store,
    client: reqwest::Client,
    database: String,
    _dist: tempfile::TempDir,
    _db: tempfile::TempDir,
}

/// The version of VIETQR the server publishes (in Vietnamese), as the seeded events name it.
const VIETQR_VERSION: &str = "v1";
const VIETQR_PACK: &str = "/content/packs/cashless-payment.vi.json";

/// VIETQR's one drill, published: four screens (0 to 3).
fn vietqr_pack() -> TopicPack {
    let text = "kind: transfer_confirm\ninstruction: Trả tiền.\nscreen: scan\nright: scan\n\
        screen: confirm\nname: NGUYEN VAN MAO\naccount: 0123 456 789\nright: cancel\nwrong: confirm => Sai tên.\n\
        screen: amount\namount: 50.000\nright: type_amount\nwrong: wrong_amount => Đếm lại.\nscreen: passcode\nright: enter_passcode\n";
    let (drill, problems) = parse_drill_text(text);
    assert_eq!(problems, vec![]);
    let step = Step { title: "Luyện tập".into(), blocks: vec![Block::Practice(drill.unwrap())] };
    let lesson = Lesson { meta: LessonMeta { id: VIETQR.into(), ..LessonMeta::default() }, steps: vec![step], quiz: vec![] };
    let lessons = vec![PackedLesson { version: VIETQR_VERSION.into(), lesson }];
    TopicPack { format: 2, topic: "cashless-payment".into(), locale: "vi".into(), version: "p1".into(), lessons }
}

fn catalogue() -> Catalogue {
    let lesson = |id: &str| CatalogueLesson { id: id.into(), order: 1, minutes: 5, icon: None, locales: BTreeMap::new() };
    let topic = |id: &str, lesson_id: &str| CatalogueTopic {
        id: id.into(),
        order: 0,
        colour: "#2e7d32".into(),
        icon: None,
        locales: BTreeMap::new(),
        packs: BTreeMap::new(),
        lessons: vec![lesson(lesson_id)],
    };
    let mut cashless = topic("cashless-payment", VIETQR);
    let text = |t: &str| t.to_owned();
    let vi = CatalogueLocale {
        title: text("Trả tiền bằng mã VietQR"),
        summary: String::new(),
        status: Status::Draft,
        version: VIETQR_VERSION.into(),
        bytes: 1,
        media_bytes: 0,
        drills: 1,
        audio_steps: 0,
    };
    cashless.lessons[0].locales.insert("vi".into(), vi);
    cashless.packs.insert("vi".into(), PackEntry { url: VIETQR_PACK.into(), version: "p1".into(), bytes: 1 });
    Catalogue { format: 2, topics: vec![topic("public-services", VNEID), cashless] }
}

async fn start() -> Server {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    std::fs::create_dir_all(dist.path().join("content")).unwrap();
    std::fs::write(dist.path().join("content/catalogue.json"), serde_json::to_vec(&catalogue()).unwrap()).unwrap();
    std::fs::create_dir_all(dist.path().join("content/packs")).unwrap();
    let pack = dist.path().join(VIETQR_PACK.trim_start_matches('/'));
    std::fs::write(pack, serde_json::to_vec(&vietqr_pack()).unwrap()).unwrap();
    let db = tempfile::tempdir().unwrap();
    let database = common::database_url(&db.path().join("hocso.db")).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = ServeConfig::new(addr, dist.path().to_owned(), database.clone());
    let store = Store::open(&database).await.unwrap();
    let app = hocso_server::router(&config, store.clone());
    tokio::spawn(hocso_server::serve_connections(listener, app, config.connections, std::future::pending()));
    Server { addr, store, client: reqwest::Client::new(), database, _dist: dist, _db: db }
}

/// A joined phone and the next `seq` it will use.
struct Phone {
    id: String,
    token: String,
    seq: u64,
}

impl Phone {
    fn event(&mut self, learner: &str, lesson: &str, at: i64, kind: EventKind) -> ProgressEvent {
        self.seq += 1;
        ProgressEvent {
            id: ProgressEvent::event_id(&self.id, self.seq),
            device_id: self.id.clone(),
            seq: self.seq,
            learner_id: learner.into(),
            lesson_id: lesson.into(),
            lesson_version: VIETQR_VERSION.into(),
            at,
            kind,
        }
    }

    fn completed(&mut self, learner: &str, lesson: &str, at: i64, correct: u32, out_of: u32) -> ProgressEvent {
        self.event(learner, lesson, at, EventKind::LessonCompleted { score: Score { correct, out_of } })
    }

    fn started(&mut self, learner: &str, lesson: &str, at: i64) -> ProgressEvent {
        self.event(learner, lesson, at, EventKind::LessonStarted)
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.bytes)))
    }

    fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).unwrap()
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.addr)
    }

    async fn join(&self, code: &str, device_id: &str, device_name: &str) -> Phone {
        let response = self
            .client
            .post(self.url("/devices/join"))
            .json(&json!({"code": code, "device_name": device_name, "device_id": device_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let joined: JoinResponse = response.json().await.unwrap();
        Phone { id: joined.device_id, token: joined.device_token, seq: 0 }
    }

    async fn push(&self, phone: &Phone, events: Vec<ProgressEvent>, profiles: Value) {
        let response = self
            .client
            .post(self.url("/sync/push"))
            .bearer_auth(&phone.token)
            .json(&json!({"events": events, "profiles": profiles}))
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert_eq!(status, 200, "{}", response.text().await.unwrap());
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        Answer { status: response.status(), headers: response.headers().clone(), bytes: response.bytes().await.unwrap().to_vec() }
    }
}

/// Vietnam time (UTC+7) in 2025, January or February, written by hand: 2025-01-01 00:00 in
/// Vietnam is 2024-12-31 17:00 UTC = 1_735_664_400_000 ms.
fn vn(month: i64, day: i64, hour: i64, minute: i64) -> i64 {
    let day_of_year = if month == 1 { day - 1 } else { 31 + day - 1 };
    1_735_664_400_000 + day_of_year * 86_400_000 + hour * 3_600_000 + minute * 60_000
}

fn profile(id: &str, nickname: &str) -> Value {
    // Edited at 2025-01-01 00:00 in Vietnam: the server refuses times before 2024.
    json!({"id": id, "nickname": nickname, "avatar": "buffalo", "colour": "#2e7d32", "updated_at": vn(1, 1, 0, 0), "deleted": false})
}

struct Seeded {
    server: Server,
    leader_a: Phone,
    member_a: Phone,
    leader_b: Phone,
    /// Wall-clock bounds of the seeding pushes, for `last_sync_at`.
    pushed_between: (i64, i64),
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Team A "Tổ Tả Van" (commune Tả Van): learners mai, lan (phone-a1) and hoa (phone-a2), a leader
/// phone that never pushes, and a removed phone.
///   January:  mai completes VNEID 2/3 (10th); lan completes VIETQR 1/2 (20th).
///   February: mai completes VNEID again 3/3 on the 1st at 03:00 Vietnam time (still 31 January in
///             UTC); mai completes VIETQR 2/2 (5th); hoa starts VNEID (12th); lan views a step (14th).
/// Team B "Tổ Bản Hồ, thôn 2" (commune Bản Hồ): sua completes VNEID 1/3 (15 January); pao starts
/// VIETQR (2 February).
async fn seed() -> Seeded {
    let server = start().await;
    let a = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let b = server.store.create_team("Tổ Bản Hồ, thôn 2", "Bản Hồ").await.unwrap();
    let leader_a = server.join(&a.leader_code, "lead-a", "Máy tổ trưởng").await;
    let mut member_a = server.join(&a.join_code, "phone-a1", "Điện thoại chị Mai").await;
    let mut phone_a2 = server.join(&a.join_code, "phone-a2", "Máy nhà văn hoá").await;
    server.join(&a.join_code, "phone-lost", "Máy bị mất").await;
    server.store.revoke_device("phone-lost").await.unwrap();
    let leader_b = server.join(&b.leader_code, "lead-b", "Máy tổ trưởng B").await;
    let mut member_b = server.join(&b.join_code, "phone-b1", "Máy bản Hồ").await;

    let before = now_ms();
    let events = vec![
        member_a.started("learner-mai", VNEID, vn(1, 10, 9, 0)),
        member_a.event("learner-mai", VNEID, vn(1, 10, 9, 5), EventKind::QuestionAnswered { question: 1, chosen: vec![2], correct: false }),
        member_a.completed("learner-mai", VNEID, vn(1, 10, 9, 10), 2, 3),
        member_a.started("learner-lan", VIETQR, vn(1, 20, 14, 0)),
        member_a.completed("learner-lan", VIETQR, vn(1, 20, 14, 20), 1, 2),
        member_a.completed("learner-mai", VNEID, vn(2, 1, 3, 0), 3, 3),
        member_a.completed("learner-mai", VIETQR, vn(2, 5, 10, 0), 2, 2),
        member_a.event("learner-lan", VNEID, vn(2, 14, 16, 0), EventKind::StepViewed { step: 2 }),
        // The VietQR drill: mai misses screen 1 twice and screen 2 once, lan screen 1 once; both finish it.
        member_a.event("learner-mai", VIETQR, vn(2, 5, 9, 50), EventKind::DrillStarted { drill: 0 }),
        member_a.event("learner-mai", VIETQR, vn(2, 5, 9, 51), EventKind::DrillStepAnswered { drill: 0, step: 1, correct: false }),
        member_a.event("learner-mai", VIETQR, vn(2, 5, 9, 52), EventKind::DrillStepAnswered { drill: 0, step: 1, correct: false }),
        member_a.event("learner-mai", VIETQR, vn(2, 5, 9, 53), EventKind::DrillStepAnswered { drill: 0, step: 1, correct: true }),
        member_a.event("learner-mai", VIETQR, vn(2, 5, 9, 54), EventKind::DrillStepAnswered { drill: 0, step: 2, correct: false }),
        member_a.event("learner-mai", VIETQR, vn(2, 5, 9, 55), EventKind::DrillCompleted { drill: 0, mistakes: 3 }),
        member_a.event("learner-lan", VIETQR, vn(1, 20, 14, 10), EventKind::DrillStepAnswered { drill: 0, step: 1, correct: false }),
        member_a.event("learner-lan", VIETQR, vn(1, 20, 14, 11), EventKind::DrillCompleted { drill: 0, mistakes: 1 }),
    ];
    server.push(&member_a, events, json!([profile("learner-mai", "Mai"), profile("learner-lan", "Lan")])).await;
    let events = vec![phone_a2.started("learner-hoa", VNEID, vn(2, 12, 8, 0))];
    server.push(&phone_a2, events, json!([profile("learner-hoa", "Hoa")])).await;
    let events = vec![member_b.completed("learner-sua", VNEID, vn(1, 15, 10, 0), 1, 3), member_b.started("learner-pao", VIETQR, vn(2, 2, 9, 0))];
    server.push(&member_b, events, json!([profile("learner-sua", "Súa")])).await;
    let after = now_ms();
    Seeded { server, leader_a, member_a, leader_b, pushed_between: (before, after) }
}

fn assert_error(answer: &Answer, status: u16, code: &str) -> String {
    let body = answer.json();
    assert_eq!(answer.status.as_u16(), status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.len() > 10, "a clear sentence: {body}");
    message
}

#[tokio::test]
async fn the_leader_sees_the_hand_counted_indicators_of_the_team() {
    let s = seed().await;
    let answer = s.server.get("/team/dashboard", Some(&s.leader_a.token)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let d = answer.json();
    assert_eq!(d["team"]["name"], "Tổ Tả Van");
    assert_eq!(d["team"]["commune"], "Tả Van");
    assert_eq!(d["period"], json!({"from": null, "to": null, "timezone": "UTC+07:00"}));
    assert_eq!(d["people_reached"], 3, "mai, lan, hoa");
    assert_eq!(d["learners_completed"], 2, "mai and lan; hoa only started");
    assert_eq!(d["completions"], 4);
    assert_eq!(
        d["topics"],
        json!([
            {"topic": "public-services", "lessons_completed": 1, "completions": 2},
            {"topic": "cashless-payment", "lessons_completed": 2, "completions": 2},
        ])
    );
    assert_eq!(
        d["months"],
        json!([
            {"month": "2025-01", "active_learners": 2, "completions": 2, "sessions": 0, "attendees": 0},
            {"month": "2025-02", "active_learners": 3, "completions": 2, "sessions": 0, "attendees": 0},
        ]),
        "mai's completion at 03:00 on 1 February in Vietnam counts in February"
    );
    assert_eq!(
        d["lessons"],
        json!([
            {"lesson_id": VNEID, "topic": "public-services", "learners_completed": 1, "completions": 2,
             "first_try_correct": 5, "first_try_questions": 6, "first_try_correct_percent": 83.3,
             "drills_done": 0, "most_missed_drill_step": null},
            {"lesson_id": VIETQR, "topic": "cashless-payment", "learners_completed": 2, "completions": 2,
             "first_try_correct": 3, "first_try_questions": 4, "first_try_correct_percent": 75.0,
             "drills_done": 2, "most_missed_drill_step": {"drill": 0, "step": 1, "learners": 2, "wrong": 3}},
        ])
    );

    let devices = d["devices"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> =
        devices.iter().map(|d| (d["id"].as_str().unwrap(), d["name"].as_str().unwrap(), d["role"].as_str().unwrap())).collect();
    assert_eq!(
        summary,
        [("lead-a", "Máy tổ trưởng", "leader"), ("phone-a1", "Điện thoại chị Mai", "member"), ("phone-a2", "Máy nhà văn hoá", "member"),],
        "the removed phone is not listed"
    );
    assert_eq!(devices[0]["last_sync_at"], Value::Null, "the leader's phone never pushed");
    let (before, after) = s.pushed_between;
    for device in &devices[1..] {
        let at = device["last_sync_at"].as_i64().unwrap();
        assert!((before..=after).contains(&at), "{at} within the seeding pushes");
    }

    // Counts, not personal data: no learner id and no nickname leaves the server here.
    let text = answer.text();
    for private in ["learner-", "\"Mai\"", "\"Lan\"", "\"Hoa\""] {
        assert!(!text.contains(private), "{private} in {text}");
    }
}

#[tokio::test]
async fn dates_filter_inclusively_by_the_day_in_vietnam() {
    let s = seed().await;
    let token = Some(s.leader_a.token.as_str());

    let january = s.server.get("/team/dashboard?from=2025-01-01&to=2025-01-31", token).await.json();
    assert_eq!(january["period"], json!({"from": "2025-01-01", "to": "2025-01-31", "timezone": "UTC+07:00"}));
    assert_eq!((january["people_reached"].as_u64(), january["learners_completed"].as_u64()), (Some(2), Some(2)));
    assert_eq!(january["completions"], 2, "the completion at 03:00 on 1 February (Vietnam) is not January's");
    assert_eq!(january["months"], json!([{"month": "2025-01", "active_learners": 2, "completions": 2, "sessions": 0, "attendees": 0}]));
    let percents: Vec<&Value> = january["lessons"].as_array().unwrap().iter().map(|l| &l["first_try_correct_percent"]).collect();
    assert_eq!(percents, [&json!(66.7), &json!(50.0)]);

    let february = s.server.get("/team/dashboard?from=2025-02-01&to=2025-02-28", token).await.json();
    assert_eq!((february["people_reached"].as_u64(), february["learners_completed"].as_u64()), (Some(3), Some(1)));
    assert_eq!(february["completions"], 2);
    assert_eq!(
        february["topics"],
        json!([
            {"topic": "public-services", "lessons_completed": 1, "completions": 1},
            {"topic": "cashless-payment", "lessons_completed": 1, "completions": 1},
        ])
    );
    assert_eq!(february["months"], json!([{"month": "2025-02", "active_learners": 3, "completions": 2, "sessions": 0, "attendees": 0}]));

    // One day, both ends inclusive; open ends.
    let first = s.server.get("/team/dashboard?from=2025-02-01&to=2025-02-01", token).await.json();
    assert_eq!((first["people_reached"].as_u64(), first["completions"].as_u64()), (Some(1), Some(1)));
    let from_only = s.server.get("/team/dashboard?from=2025-02-06", token).await.json();
    assert_eq!((from_only["people_reached"].as_u64(), from_only["completions"].as_u64()), (Some(2), Some(0)), "hoa and lan");
    let to_only = s.server.get("/team/dashboard?to=2025-01-19", token).await.json();
    assert_eq!((to_only["people_reached"].as_u64(), to_only["completions"].as_u64()), (Some(1), Some(1)), "mai");
    let empty_fields = s.server.get("/team/dashboard?from=&to=", token).await.json();
    assert_eq!(empty_fields["completions"], 4, "empty dates mean no limit");
    let none = s.server.get("/team/dashboard?from=2025-03-01", token).await.json();
    assert_eq!((none["people_reached"].as_u64(), none["months"].clone()), (Some(0), json!([])));
    assert_eq!(none["lessons"][0]["first_try_correct_percent"], Value::Null);
}

#[tokio::test]
async fn a_teams_leader_never_sees_another_teams_numbers() {
    let s = seed().await;
    let b = s.server.get("/team/dashboard", Some(&s.leader_b.token)).await.json();
    assert_eq!(b["team"]["name"], "Tổ Bản Hồ, thôn 2");
    assert_eq!((b["people_reached"].as_u64(), b["learners_completed"].as_u64(), b["completions"].as_u64()), (Some(2), Some(1), Some(1)));
    assert_eq!(
        b["topics"],
        json!([
            {"topic": "public-services", "lessons_completed": 1, "completions": 1},
            {"topic": "cashless-payment", "lessons_completed": 0, "completions": 0},
        ])
    );
    assert_eq!(
        b["months"],
        json!([
            {"month": "2025-01", "active_learners": 1, "completions": 1, "sessions": 0, "attendees": 0},
            {"month": "2025-02", "active_learners": 1, "completions": 0, "sessions": 0, "attendees": 0},
        ])
    );
    assert_eq!(b["lessons"][0]["first_try_correct_percent"], 33.3);
    let devices: Vec<&str> = b["devices"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(devices, ["lead-b", "phone-b1"]);

    let a = s.server.get("/team/dashboard", Some(&s.leader_a.token)).await.json();
    assert_eq!((a["people_reached"].as_u64(), a["completions"].as_u64()), (Some(3), Some(4)), "team B's learners are not team A's");
    let csv = s.server.get("/team/export.csv", Some(&s.leader_a.token)).await.text();
    assert!(!csv.contains("Bản Hồ"), "{csv}");
}

#[tokio::test]
async fn only_the_leaders_device_sees_the_dashboard_and_the_export() {
    let s = seed().await;
    let admin = s.server.store.create_admin_token("Sở GD&ĐT Lào Cai").await.unwrap().1;
    for path in ["/team/dashboard", "/team/export.csv"] {
        let message = assert_error(&s.server.get(path, Some(&s.member_a.token)).await, 403, "leader_only");
        assert!(message.contains("leader code"), "{message}");
        assert_error(&s.server.get(path, None).await, 401, "missing_token");
        assert_error(&s.server.get(path, Some("hs_nobody")).await, 401, "invalid_token");
        assert_error(&s.server.get(path, Some(&admin)).await, 403, "team_token_required");
    }
    s.server.store.revoke_device("lead-a").await.unwrap();
    assert_error(&s.server.get("/team/dashboard", Some(&s.leader_a.token)).await, 401, "token_revoked");
}

#[tokio::test]
async fn the_csv_export_opens_in_excel_with_vietnamese_intact() {
    let s = seed().await;
    let answer = s.server.get("/team/export.csv?from=2025-01-01&to=2025-01-31", Some(&s.leader_a.token)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(answer.headers["content-disposition"], "attachment; filename=\"hocso-to-ta-van-2025-01-01-2025-01-31.csv\"");
    assert!(answer.bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte order mark for Excel");
    assert_eq!(
        answer.text().trim_start_matches('\u{feff}'),
        "team,commune,topic,lesson_id,learners_completed,completions,first_try_correct_percent\r\n\
         Tổ Tả Van,Tả Van,public-services,what-is-vneid,1,1,66.7\r\n\
         Tổ Tả Van,Tả Van,cashless-payment,pay-by-vietqr,1,1,50.0\r\n"
    );

    // A comma in the team's name is quoted; a lesson nobody completed has no percentage.
    let answer = s.server.get("/team/export.csv", Some(&s.leader_b.token)).await;
    let disposition = answer.headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"hocso-to-ban-ho-thon-2-start-20"), "{disposition}");
    assert_eq!(
        answer.text().trim_start_matches('\u{feff}'),
        "team,commune,topic,lesson_id,learners_completed,completions,first_try_correct_percent\r\n\
         \"Tổ Bản Hồ, thôn 2\",Bản Hồ,public-services,what-is-vneid,1,1,33.3\r\n\
         \"Tổ Bản Hồ, thôn 2\",Bản Hồ,cashless-payment,pay-by-vietqr,0,0,\r\n"
    );
}

#[tokio::test]
async fn the_admin_sees_every_team_and_their_sums() {
    let s = seed().await;
    let (_, admin) = s.server.store.create_admin_token("Sở GD&ĐT Lào Cai").await.unwrap();
    let answer = s.server.get("/admin/teams", Some(&admin)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let view = answer.json();
    let teams = view["teams"].as_array().unwrap();
    let names: Vec<&str> = teams.iter().map(|t| t["team"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Tổ Bản Hồ, thôn 2", "Tổ Tả Van"], "by commune: Bản Hồ, then Tả Van");
    let counts = |t: &Value| ["people_reached", "learners_completed", "completions", "devices"].map(|k| t[k].as_u64().unwrap());
    assert_eq!(counts(&teams[0]), [2, 1, 1, 2]);
    assert_eq!(counts(&teams[1]), [3, 2, 4, 3], "the removed phone is not counted");
    assert_eq!(
        teams[1]["topics"],
        json!([
            {"topic": "public-services", "lessons_completed": 1, "completions": 2},
            {"topic": "cashless-payment", "lessons_completed": 2, "completions": 2},
        ])
    );
    assert_eq!(counts(&view["totals"]), [5, 3, 5, 5]);
    assert_eq!(
        view["totals"]["topics"],
        json!([
            {"topic": "public-services", "lessons_completed": 2, "completions": 3},
            {"topic": "cashless-payment", "lessons_completed": 2, "completions": 2},
        ])
    );
    let (before, after) = s.pushed_between;
    let last = view["totals"]["last_sync_at"].as_i64().unwrap();
    assert!((before..=after).contains(&last));
    assert_eq!(last, teams.iter().map(|t| t["last_sync_at"].as_i64().unwrap()).max().unwrap());

    let january = s.server.get("/admin/teams?from=2025-01-01&to=2025-01-31", Some(&admin)).await.json();
    assert_eq!(counts(&january["totals"]), [3, 3, 3, 5], "mai, lan, sua; devices are not filtered by date");
    assert_eq!(january["period"]["from"], "2025-01-01");

    // Scoped: device tokens cannot read it, the admin token reads nothing of the sync API.
    assert_error(&s.server.get("/admin/teams", Some(&s.leader_a.token)).await, 403, "admin_only");
    assert_error(&s.server.get("/admin/teams", Some(&s.member_a.token)).await, 403, "admin_only");
    assert_error(&s.server.get("/admin/teams", None).await, 401, "missing_token");
    assert_error(&s.server.get("/admin/teams", Some("hsa_guess")).await, 401, "invalid_token");
    assert_error(&s.server.get("/sync/pull", Some(&admin)).await, 401, "invalid_token");
}

#[tokio::test]
async fn bad_dates_are_refused_with_a_clear_message() {
    let s = seed().await;
    let (_, admin) = s.server.store.create_admin_token("Huyện Sa Pa").await.unwrap();
    for (path, token) in [("/team/dashboard", &s.leader_a.token), ("/team/export.csv", &s.leader_a.token), ("/admin/teams", &admin)] {
        let server = &s.server;
        let get = |query: &str| {
            let url = format!("{path}?{query}");
            async move { server.get(&url, Some(token)).await }
        };
        let message = assert_error(&get("from=01/02/2025").await, 400, "invalid_date");
        assert_eq!(message, "from must be a date written YYYY-MM-DD (for example 2025-03-01), not \"01/02/2025\"");
        let message = assert_error(&get("to=2025-02-30").await, 400, "invalid_date");
        assert!(message.starts_with("to must be a date written YYYY-MM-DD"), "{message}");
        let message = assert_error(&get("from=2025-03-01&to=2025-02-01").await, 400, "invalid_date");
        assert_eq!(message, "from (2025-03-01) is after to (2025-02-01): swap them");
        assert_error(&get("since=2025-01-01").await, 400, "invalid_query");
    }
}

#[tokio::test]
async fn hocso_admin_create_token_prints_a_working_token_and_revoke_token_stops_it() {
    let s = seed().await;
    let hocso = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_hocso"))
            .args(args)
            .args(["--database", &s.server.database])
            .output()
            .expect("the hocso binary runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let printed = hocso(&["admin", "create-token", "--name", "Sở GD&ĐT Lào Cai"]);
    let token = printed.split_whitespace().find(|w| w.starts_with("hsa_")).expect(&printed).to_owned();
    let id = printed.split_whitespace().find(|w| w.starts_with("a-")).expect(&printed).to_owned();
    assert!(printed.contains("shown only now"), "{printed}");
    assert_eq!(s.server.get("/admin/teams", Some(&token)).await.status, 200);
    let hash: String = sqlx::query_scalar("SELECT token_hash FROM admin_tokens WHERE id = $1")
        .bind(&id)
        .fetch_one(&common::pool(&s.server.database).await)
        .await
        .unwrap();
    assert_ne!(hash, token, "only the hash is stored");
    assert_eq!(hash, hocso_server::store::sha256_hex(&token));

    assert!(hocso(&["admin", "list-tokens"]).contains(&format!("{id}  province  Sở GD&ĐT Lào Cai")));
    assert!(hocso(&["admin", "revoke-token", "--id", &id]).contains("revoked"));
    assert_error(&s.server.get("/admin/teams", Some(&token)).await, 401, "token_revoked");
    assert!(hocso(&["admin", "list-tokens"]).contains("(revoked)"));
}

// ---- Practice drills: the screen the most learners got wrong (issue #13) -------------------------

impl Phone {
    fn drill_wrong(&mut self, learner: &str, version: &str, minute: i64, (drill, step): (u32, u32)) -> ProgressEvent {
        let mut event = self.event(learner, VIETQR, vn(2, 20, 10, minute), EventKind::DrillStepAnswered { drill, step, correct: false });
        event.lesson_version = version.into();
        event
    }
}

/// A team with a member phone and the leader's, on a server of its own.
async fn drill_team() -> (Server, Phone, Phone) {
    let server = start().await;
    let team = server.store.create_team("Tổ Sín Chải", "Sín Chải").await.unwrap();
    let leader = server.join(&team.leader_code, "lead-s", "Máy tổ trưởng").await;
    let member = server.join(&team.join_code, "phone-s1", "Máy nhà văn hoá").await;
    (server, leader, member)
}

fn vietqr_drills(dashboard: &Value) -> Value {
    let row = dashboard["lessons"].as_array().unwrap().iter().find(|l| l["lesson_id"] == VIETQR).unwrap();
    json!([row["drills_done"], row["most_missed_drill_step"]])
}

#[tokio::test]
async fn three_learners_wrong_once_outweigh_one_learner_wrong_ten_times() {
    let (server, leader, mut phone) = drill_team().await;
    let mut events: Vec<ProgressEvent> = (0..10).map(|minute| phone.drill_wrong("learner-a", VIETQR_VERSION, minute, (0, 1))).collect();
    for (minute, learner) in [(20, "learner-b"), (21, "learner-c"), (22, "learner-d")] {
        events.push(phone.drill_wrong(learner, VIETQR_VERSION, minute, (0, 2)));
    }
    server.push(&phone, events, json!([])).await;
    let d = server.get("/team/dashboard", Some(&leader.token)).await.json();
    assert_eq!(vietqr_drills(&d), json!([0, {"drill": 0, "step": 2, "learners": 3, "wrong": 3}]), "{d}");
    // As many learners on both screens: the one with more wrong answers.
    let events = vec![phone.drill_wrong("learner-e", VIETQR_VERSION, 30, (0, 1)), phone.drill_wrong("learner-f", VIETQR_VERSION, 31, (0, 1))];
    server.push(&phone, events, json!([])).await;
    let d = server.get("/team/dashboard", Some(&leader.token)).await.json();
    assert_eq!(vietqr_drills(&d), json!([0, {"drill": 0, "step": 1, "learners": 3, "wrong": 12}]));
}

#[tokio::test]
async fn an_older_versions_screens_and_lessons_not_published_are_left_out_of_the_most_missed() {
    let (server, leader, mut phone) = drill_team().await;
    let mut events = vec![phone.drill_wrong("learner-a", VIETQR_VERSION, 0, (0, 3))];
    // Four learners on screen 2 of the lesson before it was changed: another screen.
    for (minute, learner) in [(1, "learner-b"), (2, "learner-c"), (3, "learner-d"), (4, "learner-e")] {
        events.push(phone.drill_wrong(learner, "v0", minute, (0, 2)));
    }
    // A drill done on that version is a drill done.
    let mut done = phone.event("learner-b", VIETQR, vn(2, 20, 10, 5), EventKind::DrillCompleted { drill: 0, mistakes: 1 });
    done.lesson_version = "v0".into();
    events.push(done);
    // A lesson the server does not publish: no row, nothing counted.
    events.push(phone.event("learner-a", "retired-lesson", vn(2, 20, 10, 6), EventKind::DrillStepAnswered { drill: 0, step: 0, correct: false }));
    server.push(&phone, events, json!([])).await;
    let d = server.get("/team/dashboard", Some(&leader.token)).await.json();
    assert_eq!(vietqr_drills(&d), json!([1, {"drill": 0, "step": 3, "learners": 1, "wrong": 1}]), "{d}");
    assert!(d["lessons"].as_array().unwrap().iter().all(|l| l["lesson_id"] != "retired-lesson"), "{d}");
}

#[tokio::test]
async fn drill_indices_the_lesson_does_not_have_change_nothing_on_the_dashboard() {
    let s = seed().await;
    let token = Some(s.leader_a.token.as_str());
    let before = s.server.get("/team/dashboard", token).await;
    assert_eq!(before.status, 200);
    let mut phone = Phone { id: s.member_a.id.clone(), token: s.member_a.token.clone(), seq: s.member_a.seq };
    // Within the sync protocol's bounds (20 drills of 40 screens), but not in the lesson (one
    // drill of four screens): stored, and counted nowhere.
    let mut events = Vec::new();
    for (minute, learner) in ["learner-x", "learner-y", "learner-z"].iter().enumerate() {
        for at in [(19, 0), (0, 39), (1, 1), (0, 4)] {
            events.push(phone.drill_wrong(learner, VIETQR_VERSION, minute as i64, at));
        }
        events.push(phone.event(learner, VIETQR, vn(2, 20, 11, 0), EventKind::DrillCompleted { drill: 19, mistakes: 4 }));
    }
    let answer = s.server.try_push(&phone, events).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    // Beyond them: refused with a sentence, nothing stored.
    let stored = s.server.store.event_count().await.unwrap();
    let hostile = phone.drill_wrong("learner-x", VIETQR_VERSION, 50, (4_000_000_000, 4_000_000_000));
    let answer = s.server.try_push(&phone, vec![hostile]).await;
    let message = assert_error(&answer, 422, "invalid_event");
    assert!(message.contains("at most 20 drills"), "{message}");
    assert_eq!(s.server.store.event_count().await.unwrap(), stored);

    // Every lesson row as before (the pushing phone's learners are "reached", as for any event).
    let after = s.server.get("/team/dashboard", token).await;
    assert_eq!(after.status, 200, "{}", after.text());
    assert_eq!(after.json()["lessons"], before.json()["lessons"]);
    assert_eq!(vietqr_drills(&after.json()), json!([2, {"drill": 0, "step": 1, "learners": 2, "wrong": 3}]));
}

// ---- Learning sessions (issue #7) ----------------------------------------------------------------

fn attendee(id: &str, nickname: &str, village: &str, gender: Option<Gender>, age_band: Option<AgeBand>, learner: Option<&str>) -> Attendee {
    Attendee { id: id.into(), nickname: nickname.into(), village: village.into(), gender, age_band, learner: learner.map(Into::into) }
}

fn details(date: &str, place: &str, village: &str, lessons: &[&str]) -> SessionDetails {
    SessionDetails { date: date.into(), place: place.into(), village: village.into(), lessons: lessons.iter().map(|l| (*l).into()).collect() }
}

impl Phone {
    /// A session event recorded by the team member `member` at minute `minute` of `day` (Vietnam).
    fn session(&mut self, member: &str, lesson: &str, (month, day): (i64, i64), minute: i64, kind: EventKind) -> ProgressEvent {
        self.event(member, lesson, vn(month, day, 9, minute), kind)
    }
}

impl Server {
    async fn try_push(&self, phone: &Phone, events: Vec<ProgressEvent>) -> Answer {
        let response = self.client.post(self.url("/sync/push")).bearer_auth(&phone.token).json(&json!({"events": events})).send().await.unwrap();
        Answer { status: response.status(), headers: response.headers().clone(), bytes: response.bytes().await.unwrap().to_vec() }
    }
}

/// `seed()` plus sessions, every number below counted by hand. Team A's member tuan runs them from
/// the leader's phone lead-a (only a leader's phone sends session events); tuan never learns
/// anything himself, so he is not "reached".
///   s1, dated 2025-02-08 (typed in that day), "Nhà văn hoá, thôn Bản Phố" in Bản Phố, lessons VIETQR
///     then VNEID. Attendees: a1 bà Lự (Bản Phố, female, 60+), a2 anh Páo (Bản Phố, male, 18–35),
///     a3 chị Mai (Bản Phố, female, 18–35, linked to learner-mai, who also completed lessons), a4 em
///     Dế (Nậm Cang, nothing else said); a5 added then removed. Group quiz: VIETQR q0 counted 2/5/1,
///     recounted 1/6/1 (right: option 1) → 6 of 8; VIETQR q1 3/4 (right: 0) → 3 of 7; VNEID q0
///     4/0/0/0 (right: 0) → 4 of 4. Closed; then a6 added and VIETQR q1 recounted: both ignored.
///   s2, dated 2025-01-25 but typed in on 20 February, first in "Nam Cang" then corrected to "Sân
///     trường Nậm Cang" in Nậm Cang, lesson VNEID. Attendees: a4 again, b1 chị Sểnh (Nậm Cang,
///     female, under 18), b2 anh Chá (Lao Chải, other, 36–59). VNEID q0 1/2/0/0 (right: 0) → 1 of 3.
///     Not closed.
/// Team B's leader phone records a session with the same id "s1" (2025-02-10, Bản Hồ, VIETQR) with
/// c1 and c2 of Bản Hồ and VIETQR q0 0/5 (right: 1): nothing of it may reach team A.
async fn seed_sessions() -> Seeded {
    let mut s = seed().await;
    let (tuan, p) = ("learner-tuan", &mut s.leader_a);
    let s1 = || "s1".to_owned();
    let feb8 = (2, 8);
    let mut events = vec![
        p.session(
            tuan,
            VIETQR,
            feb8,
            0,
            EventKind::SessionDetails {
                session: s1(), details: details("2025-02-08", "Nhà văn hoá, thôn Bản Phố", "Bản Phố", &[VIETQR, VNEID])
            },
        ),
        p.session(
            tuan,
            VIETQR,
            feb8,
            1,
            EventKind::AttendeeAdded {
                session: s1(),
                attendee: attendee("a1", "bà Lự", "Bản Phố", Some(Gender::Female), Some(AgeBand::From60), None),
            },
        ),
        p.session(
            tuan,
            VIETQR,
            feb8,
            2,
            EventKind::AttendeeAdded {
                session: s1(),
                attendee: attendee("a2", "anh Páo", "Bản Phố", Some(Gender::Male), Some(AgeBand::From18To35), None),
            },
        ),
        p.session(
            tuan,
            VIETQR,
            feb8,
            3,
            EventKind::AttendeeAdded {
                session: s1(),
                attendee: attendee("a3", "chị Mai", "Bản Phố", Some(Gender::Female), Some(AgeBand::From18To35), Some("learner-mai")),
            },
        ),
        p.session(tuan, VIETQR, feb8, 4, EventKind::AttendeeAdded { session: s1(), attendee: attendee("a4", "em Dế", "Nậm Cang", None, None, None) }),
        p.session(
            tuan,
            VIETQR,
            feb8,
            5,
            EventKind::AttendeeAdded {
                session: s1(),
                attendee: attendee("a5", "ông Sình", "Bản Phố", Some(Gender::Male), Some(AgeBand::From60), None),
            },
        ),
        p.session(tuan, VIETQR, feb8, 6, EventKind::AttendeeRemoved { session: s1(), attendee: "a5".into() }),
        p.session(tuan, VIETQR, feb8, 10, EventKind::GroupAnswered { session: s1(), question: 0, counts: vec![2, 5, 1], correct_options: vec![1] }),
        p.session(tuan, VIETQR, feb8, 11, EventKind::GroupAnswered { session: s1(), question: 0, counts: vec![1, 6, 1], correct_options: vec![1] }),
        p.session(tuan, VIETQR, feb8, 12, EventKind::GroupAnswered { session: s1(), question: 1, counts: vec![3, 4], correct_options: vec![0] }),
        p.session(tuan, VNEID, feb8, 20, EventKind::GroupAnswered { session: s1(), question: 0, counts: vec![4, 0, 0, 0], correct_options: vec![0] }),
        p.session(tuan, VIETQR, feb8, 30, EventKind::SessionClosed { session: s1() }),
        p.session(
            tuan,
            VIETQR,
            feb8,
            31,
            EventKind::AttendeeAdded { session: s1(), attendee: attendee("a6", "cô Nhung", "Bản Phố", Some(Gender::Female), None, None) },
        ),
        p.session(tuan, VIETQR, feb8, 32, EventKind::GroupAnswered { session: s1(), question: 1, counts: vec![0, 7], correct_options: vec![0] }),
    ];
    let s2 = || "s2".to_owned();
    let feb20 = (2, 20);
    events.extend([
        p.session(
            tuan,
            VNEID,
            feb20,
            0,
            EventKind::SessionDetails { session: s2(), details: details("2025-01-25", "Sân trường", "Nam Cang", &[VNEID]) },
        ),
        p.session(tuan, VNEID, feb20, 1, EventKind::AttendeeAdded { session: s2(), attendee: attendee("a4", "em Dế", "Nậm Cang", None, None, None) }),
        p.session(
            tuan,
            VNEID,
            feb20,
            2,
            EventKind::AttendeeAdded {
                session: s2(),
                attendee: attendee("b1", "chị Sểnh", "Nậm Cang", Some(Gender::Female), Some(AgeBand::Under18), None),
            },
        ),
        p.session(
            tuan,
            VNEID,
            feb20,
            3,
            EventKind::AttendeeAdded {
                session: s2(),
                attendee: attendee("b2", "anh Chá", "Lao Chải", Some(Gender::Other), Some(AgeBand::From36To59), None),
            },
        ),
        p.session(
            tuan,
            VNEID,
            feb20,
            4,
            EventKind::SessionDetails { session: s2(), details: details("2025-01-25", "Sân trường Nậm Cang", "Nậm Cang", &[VNEID]) },
        ),
        p.session(tuan, VNEID, feb20, 5, EventKind::GroupAnswered { session: s2(), question: 0, counts: vec![1, 2, 0, 0], correct_options: vec![0] }),
    ]);
    s.server.push(&s.leader_a, events, json!([])).await;

    let (chu, p) = ("learner-chu", &mut s.leader_b);
    let feb10 = (2, 10);
    let events = vec![
        p.session(
            chu,
            VIETQR,
            feb10,
            0,
            EventKind::SessionDetails { session: s1(), details: details("2025-02-10", "Nhà văn hoá Bản Hồ", "Bản Hồ", &[VIETQR]) },
        ),
        p.session(
            chu,
            VIETQR,
            feb10,
            1,
            EventKind::AttendeeAdded { session: s1(), attendee: attendee("c1", "bà Mỷ", "Bản Hồ", Some(Gender::Female), None, None) },
        ),
        p.session(
            chu,
            VIETQR,
            feb10,
            2,
            EventKind::AttendeeAdded {
                session: s1(),
                attendee: attendee("c2", "anh Lử", "Bản Hồ", Some(Gender::Male), Some(AgeBand::From18To35), None),
            },
        ),
        p.session(chu, VIETQR, feb10, 3, EventKind::GroupAnswered { session: s1(), question: 0, counts: vec![0, 5], correct_options: vec![1] }),
    ];
    s.server.push(&s.leader_b, events, json!([])).await;
    s
}

#[tokio::test]
async fn the_dashboard_counts_sessions_attendees_and_the_rooms_answers_by_hand() {
    let s = seed_sessions().await;
    let answer = s.server.get("/team/dashboard", Some(&s.leader_a.token)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let d = answer.json();
    assert_eq!(d["sessions_held"], 2);
    assert_eq!(d["attendees"], 6, "a1 a2 a3 a4 b1 b2: a4 came twice, a5 was removed, a6 came after closing");
    assert_eq!(d["people_reached"], 8, "mai lan hoa (learners) + a1 a2 a4 b1 b2; a3 is mai; tuan only ran sessions");
    assert_eq!((d["learners_completed"].as_u64(), d["completions"].as_u64()), (Some(2), Some(4)), "unchanged by sessions");
    assert_eq!(
        d["months"],
        json!([
            {"month": "2025-01", "active_learners": 2, "completions": 2, "sessions": 1, "attendees": 3},
            {"month": "2025-02", "active_learners": 3, "completions": 2, "sessions": 1, "attendees": 4},
        ]),
        "s2 is January's by its date though typed in February; tuan is not an active learner"
    );
    assert_eq!(
        d["villages"],
        json!([
            {"village": "Bản Phố", "sessions": 1, "attendees": 3},
            {"village": "Lao Chải", "sessions": 0, "attendees": 1},
            {"village": "Nậm Cang", "sessions": 1, "attendees": 2},
        ]),
        "sessions by their own village (s2's corrected one), attendees by theirs"
    );
    assert_eq!(
        d["group_quiz"],
        json!([
            {"lesson_id": VNEID, "topic": "public-services", "questions": 2, "right_hands": 5, "total_hands": 7, "right_percent": 71.4},
            {"lesson_id": VIETQR, "topic": "cashless-payment", "questions": 2, "right_hands": 9, "total_hands": 15, "right_percent": 60.0},
        ]),
        "the recount replaces the first count; the recount after closing is ignored"
    );
    assert_eq!(d["attendees_by_gender"], json!({"female": 3, "male": 1, "other": 1, "unknown": 1}));
    assert_eq!(d["attendees_by_age_band"], json!({"under_18": 1, "from_18_to_35": 2, "from_36_to_59": 1, "from_60": 1, "unknown": 1}));
    let text = answer.text();
    for private in ["learner-", "bà Lự", "em Dế", "anh Chá", "\"a1\""] {
        assert!(!text.contains(private), "{private} in {text}");
    }

    let january = s.server.get("/team/dashboard?from=2025-01-01&to=2025-01-31", Some(&s.leader_a.token)).await.json();
    assert_eq!(
        [&january["sessions_held"], &january["attendees"], &january["people_reached"]],
        [&json!(1), &json!(3), &json!(5)],
        "s2 only; mai lan + a4 b1 b2"
    );
    assert_eq!(
        january["villages"],
        json!([{"village": "Lao Chải", "sessions": 0, "attendees": 1}, {"village": "Nậm Cang", "sessions": 1, "attendees": 2}])
    );
    assert_eq!(
        january["group_quiz"],
        json!([{"lesson_id": VNEID, "topic": "public-services", "questions": 1, "right_hands": 1, "total_hands": 3, "right_percent": 33.3}])
    );
    let february = s.server.get("/team/dashboard?from=2025-02-01&to=2025-02-28", Some(&s.leader_a.token)).await.json();
    assert_eq!(
        [&february["sessions_held"], &february["attendees"], &february["people_reached"]],
        [&json!(1), &json!(4), &json!(6)],
        "s1 only; mai hoa lan + a1 a2 a4 (a3 is mai)"
    );
    assert_eq!(february["attendees_by_gender"], json!({"female": 2, "male": 1, "other": 0, "unknown": 1}));
    let march = s.server.get("/team/dashboard?from=2025-03-01", Some(&s.leader_a.token)).await.json();
    assert_eq!((march["sessions_held"].as_u64(), march["villages"].clone(), march["group_quiz"].clone()), (Some(0), json!([]), json!([])));
    assert_eq!(march["attendees_by_age_band"], json!({"under_18": 0, "from_18_to_35": 0, "from_36_to_59": 0, "from_60": 0, "unknown": 0}));
}

#[tokio::test]
async fn a_teams_sessions_stay_in_that_team() {
    let s = seed_sessions().await;
    let b = s.server.get("/team/dashboard", Some(&s.leader_b.token)).await.json();
    assert_eq!(
        [&b["sessions_held"], &b["attendees"], &b["people_reached"]],
        [&json!(1), &json!(2), &json!(4)],
        "team B's own \"s1\" (same id as team A's): sua pao + c1 c2"
    );
    assert_eq!(b["villages"], json!([{"village": "Bản Hồ", "sessions": 1, "attendees": 2}]));
    assert_eq!(
        b["group_quiz"],
        json!([{"lesson_id": VIETQR, "topic": "cashless-payment", "questions": 1, "right_hands": 5, "total_hands": 5, "right_percent": 100.0}])
    );
    let a = s.server.get("/team/dashboard", Some(&s.leader_a.token)).await.json();
    assert_eq!((a["sessions_held"].as_u64(), a["attendees"].as_u64()), (Some(2), Some(6)));
    let csv = s.server.get("/team/sessions.csv", Some(&s.leader_a.token)).await.text();
    assert!(!csv.contains("Bản Hồ"), "{csv}");
}

const SESSIONS_HEADER: &str = "date,place,village,lessons,attendees,female,male,other,unknown_gender,\
    under_18,from_18_to_35,from_36_to_59,from_60,closed,group_quiz_right_percent\r\n";

#[tokio::test]
async fn the_sessions_csv_has_one_row_per_session_in_the_period() {
    let s = seed_sessions().await;
    let answer = s.server.get("/team/sessions.csv", Some(&s.leader_a.token)).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.headers["content-type"], "text/csv; charset=utf-8");
    let disposition = answer.headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"hocso-to-ta-van-sessions-start-20"), "{disposition}");
    assert!(answer.bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte order mark for Excel");
    assert_eq!(
        answer.text().trim_start_matches('\u{feff}'),
        format!(
            "{SESSIONS_HEADER}\
             2025-01-25,Sân trường Nậm Cang,Nậm Cang,what-is-vneid,3,1,0,1,1,1,0,1,0,no,33.3\r\n\
             2025-02-08,\"Nhà văn hoá, thôn Bản Phố\",Bản Phố,pay-by-vietqr; what-is-vneid,4,2,1,0,1,0,2,0,1,yes,68.4\r\n"
        ),
        "oldest date first; s1's right hands: (6 + 3 + 4) / (8 + 7 + 4)"
    );

    let answer = s.server.get("/team/sessions.csv?from=2025-02-01&to=2025-02-28", Some(&s.leader_a.token)).await;
    assert_eq!(answer.headers["content-disposition"], "attachment; filename=\"hocso-to-ta-van-sessions-2025-02-01-2025-02-28.csv\"");
    let text = answer.text();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("\r\n2025-02-08,"), "{text}");
    let march = s.server.get("/team/sessions.csv?from=2025-03-01", Some(&s.leader_a.token)).await;
    assert_eq!(march.text().trim_start_matches('\u{feff}'), SESSIONS_HEADER, "no session: the header only");

    let admin = s.server.store.create_admin_token("Sở GD&ĐT Lào Cai").await.unwrap().1;
    assert_error(&s.server.get("/team/sessions.csv", Some(&s.member_a.token)).await, 403, "leader_only");
    assert_error(&s.server.get("/team/sessions.csv", None).await, 401, "missing_token");
    assert_error(&s.server.get("/team/sessions.csv", Some(&admin)).await, 403, "team_token_required");
    assert_error(&s.server.get("/team/sessions.csv?from=2025-02-30", Some(&s.leader_a.token)).await, 400, "invalid_date");
}

#[tokio::test]
async fn the_admin_sees_each_teams_sessions_and_their_sums() {
    let s = seed_sessions().await;
    let (_, admin) = s.server.store.create_admin_token("Sở GD&ĐT Lào Cai").await.unwrap();
    let counts = |t: &Value| ["people_reached", "sessions_held", "attendees", "completions"].map(|k| t[k].as_u64().unwrap());
    let view = s.server.get("/admin/teams", Some(&admin)).await.json();
    assert_eq!(view["teams"][0]["team"]["name"], "Tổ Bản Hồ, thôn 2");
    assert_eq!(counts(&view["teams"][0]), [4, 1, 2, 1]);
    assert_eq!(counts(&view["teams"][1]), [8, 2, 6, 4], "the same people_reached as team A's dashboard");
    assert_eq!(counts(&view["totals"]), [12, 3, 8, 5]);
    let january = s.server.get("/admin/teams?from=2025-01-01&to=2025-01-31", Some(&admin)).await.json();
    assert_eq!(counts(&january["teams"][0]), [1, 0, 0, 1], "sua only");
    assert_eq!(counts(&january["teams"][1]), [5, 1, 3, 2]);
    assert_eq!(counts(&january["totals"]), [6, 1, 3, 3]);
}

#[tokio::test]
async fn session_events_with_over_long_text_or_counts_are_refused_and_nothing_is_stored() {
    let s = seed_sessions().await;
    let mut phone = Phone { id: s.leader_a.id.clone(), token: s.leader_a.token.clone(), seq: s.leader_a.seq };
    let stored_before = s.server.store.event_count().await.unwrap();
    let day = (2, 25);
    let long = "Nguyễn Thị Hồng Nhung ".repeat(3); // 66 characters
    let cases: Vec<(EventKind, &str)> = vec![
        (
            EventKind::AttendeeAdded { session: "s3".into(), attendee: attendee("d1", &long, "Bản Phố", None, None, None) },
            "attendee nickname is 66 characters long; at most 64",
        ),
        (
            EventKind::AttendeeAdded { session: "s3".into(), attendee: attendee("d1", "Nhung", &long, None, None, None) },
            "attendee village is 66 characters long",
        ),
        (
            EventKind::SessionDetails { session: "s3".into(), details: details("2025-02-25", &long, "Bản Phố", &[VNEID]) },
            "place is 66 characters long",
        ),
        (
            EventKind::SessionDetails { session: "s3".into(), details: details("2025-02-25", "Nhà văn hoá", "Bản Phố", &[VNEID; 21]) },
            "21 lessons in one session; at most 20",
        ),
        (EventKind::GroupAnswered { session: "s3".into(), question: 0, counts: vec![1; 11], correct_options: vec![0] }, "at most 10 options"),
    ];
    for (kind, expected) in cases {
        let events = vec![phone.started("learner-mai", VNEID, vn(2, 25, 8, 0)), phone.session("learner-tuan", VNEID, day, 0, kind)];
        let answer = s.server.try_push(&phone, events).await;
        let message = assert_error(&answer, 422, "invalid_event");
        assert!(message.contains(expected), "{message}");
        assert_eq!(s.server.store.event_count().await.unwrap(), stored_before, "nothing of the push is stored");
    }

    // 64 Vietnamese characters (more than 64 bytes) are fine.
    let nickname: String = long.chars().take(64).collect();
    let kind = EventKind::AttendeeAdded { session: "s1".into(), attendee: attendee("d2", &nickname, "Bản Phố", None, None, None) };
    let event = phone.session("learner-tuan", VNEID, day, 1, kind);
    let answer = s.server.try_push(&phone, vec![event]).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
}

// ---- Reports never overflow, never panic, never count erased placeholders (issue #12) ----------

impl Server {
    /// Rows written straight into the events table, as an older server (or an erasure) left them:
    /// `(device, seq, learner, lesson, at, kind)`; `kind` is SQL, so a test can store a wrong type.
    async fn insert_raw(&self, rows: &[(&str, i64, &str, &str, i64, &str)]) {
        let pool = common::pool(&self.database).await;
        for (device, seq, learner, lesson, at, kind) in rows {
            sqlx::query(&format!(
                "INSERT INTO events (id, team_id, device_id, seq, learner_id, lesson_id, lesson_version, at, kind, received_at)
                 SELECT $1, team_id, id, $2, $3, $4, '', $5, {kind}, 0 FROM devices WHERE id = $6"
            ))
            .bind(format!("{device}:{seq}"))
            .bind(seq)
            .bind(learner)
            .bind(lesson)
            .bind(at)
            .bind(device)
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;
    }

    /// Every report of both teams, as text, with the periods the tests above use.
    async fn every_report(&self, s: &Seeded, admin: &str) -> Vec<String> {
        let mut reports = Vec::new();
        for query in ["", "?from=2025-01-01&to=2025-01-31", "?from=1970-01-01&to=9999-12-31", "?to=1970-01-01", "?from=9999-12-31"] {
            for token in [&s.leader_a.token, &s.leader_b.token] {
                for path in ["/team/dashboard", "/team/export.csv", "/team/sessions.csv"] {
                    let answer = self.get(&format!("{path}{query}"), Some(token)).await;
                    assert_eq!(answer.status, 200, "{path}{query}: {}", answer.text());
                    reports.push(answer.text());
                }
            }
            let answer = self.get(&format!("/admin/teams{query}"), Some(admin)).await;
            assert_eq!(answer.status, 200, "/admin/teams{query}: {}", answer.text());
            reports.push(answer.text());
        }
        reports
    }
}

/// `SQL` for a kind column as the server stores it.
fn kind_sql(kind: &EventKind) -> String {
    format!("'{}'", serde_json::to_string(kind).unwrap().replace('\'', "''"))
}

#[tokio::test]
async fn events_at_impossible_times_are_left_out_and_break_no_report() {
    let s = seed_sessions().await;
    let admin = s.server.store.create_admin_token("Sở GD&ĐT Lào Cai").await.unwrap().1;
    let before = s.server.every_report(&s, &admin).await;
    let completed = kind_sql(&EventKind::LessonCompleted { score: Score { correct: 1, out_of: 1 } });
    let started = kind_sql(&EventKind::LessonStarted);
    // The first millisecond of 10000-01-01 in Vietnam, and the last before 1970-01-01 there.
    let (after_9999, before_1970) = (253_402_300_800_000 - 7 * 3_600_000, -7 * 3_600_000 - 1);
    s.server
        .insert_raw(&[
            ("phone-a1", 1001, "learner-mai", VNEID, i64::MAX, &completed),
            ("phone-a1", 1002, "learner-mai", VNEID, i64::MAX - 1, &started),
            ("phone-a1", 1003, "learner-lan", VIETQR, i64::MIN, &completed),
            ("phone-a1", 1004, "learner-new", VIETQR, after_9999, &completed),
            ("phone-a1", 1005, "learner-new", VIETQR, before_1970, &started),
            ("phone-b1", 1001, "learner-sua", VNEID, i64::MAX, &completed),
            ("phone-b1", 1002, "learner-old", VNEID, i64::MIN + 1, &started),
        ])
        .await;
    assert_eq!(s.server.every_report(&s, &admin).await, before, "the same answers, and no panic");

    // The last millisecond of 9999 is still a date: counted in its month.
    s.server.insert_raw(&[("phone-a1", 1006, "learner-new", VIETQR, after_9999 - 1, &completed)]).await;
    let d = s.server.get("/team/dashboard?from=9999-12-31", Some(&s.leader_a.token)).await.json();
    assert_eq!((d["completions"].as_u64(), d["months"][0]["month"].as_str()), (Some(1), Some("9999-12")));
}

#[tokio::test]
async fn erased_placeholders_are_never_counted() {
    let s = seed_sessions().await;
    let admin = s.server.store.create_admin_token("Sở GD&ĐT Lào Cai").await.unwrap().1;
    let before = s.server.every_report(&s, &admin).await;
    let erased = r#"'{"type":"erased"}'"#;
    s.server
        .insert_raw(&[
            ("phone-a1", 2001, "", "", vn(1, 10, 9, 0), erased),
            ("phone-a1", 2002, "", "", vn(2, 8, 9, 0), erased),
            ("phone-a2", 2001, "", "", 0, erased),
            ("phone-b1", 2001, "", "", vn(1, 15, 10, 0), erased),
            ("lead-b", 2001, "", "", i64::MAX, erased),
        ])
        .await;
    assert_eq!(s.server.every_report(&s, &admin).await, before, "no person, completion, month or session more");
}

#[tokio::test]
async fn a_damaged_row_is_a_500_with_a_sentence_not_a_dropped_connection() {
    // PostgreSQL refuses a BLOB in a text column: only a SQLite file can be damaged this way.
    if common::sqlite_only("a BLOB stored in the text column `kind`") {
        return;
    }
    let s = seed_sessions().await;
    // A session event whose kind is a BLOB, not text: it matches the session filter but cannot be read as text.
    s.server
        .insert_raw(&[("phone-a1", 3001, "learner-tuan", VNEID, vn(2, 8, 9, 0), r#"CAST('{"type":"session_closed","session":"s9"}' AS BLOB)"#)])
        .await;
    for path in ["/team/dashboard", "/team/sessions.csv"] {
        let answer = s.server.get(path, Some(&s.leader_a.token)).await;
        assert_error(&answer, 500, "internal");
    }
    // The server goes on answering, team B's reports included.
    assert_eq!(s.server.get("/team/dashboard", Some(&s.leader_b.token)).await.status, 200);
}
