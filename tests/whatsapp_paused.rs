//! The WhatsApp sender under tokio's paused clock: 25 hours of silence, a day's window and
//! Meta's backoffs play out in virtual time. The sender's clock, its limiter and the fake's
//! window and counters all read tokio's clock.

mod support;

use sigap::channels::whatsapp::{self, Client};
use sigap::domain::{About, Channel, Content, Inbound, OutChoice, Outbound};
use sigap::ingest::{self, Env};
use sigap::store::outbox::{self, Queued};
use sigap::workers::sender::Sender;
use sqlx::PgPool;
use std::time::Duration;
use support::fake_graph::{self as fake, FakeWhatsApp, Sent, WindowMode};
use support::paused::{drop_database, paused_pool};
use tokio_util::sync::CancellationToken;

const ANI: &str = "6281234560101";

fn env(wa: &FakeWhatsApp) -> Env {
    let mut s = sigap::config::Settings::default();
    support::whatsapp::configure(&mut s, wa);
    sigap::app::load_env(s).unwrap()
}

/// The sender as `serve` runs it, on an HTTP client without the idle-connection sweep (a
/// periodic timer would race virtual time ahead).
fn sender(pool: &PgPool, env: &Env) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let http = reqwest::Client::builder().pool_idle_timeout(None).build().unwrap();
    let client = Client::with_http(&env.settings.whatsapp, env.locales.clone(), "id", http).expect("configured");
    let stop = CancellationToken::new();
    let run = Sender::new(pool.clone(), client, &env.outbox_ready).run(stop.clone());
    (stop, tokio::spawn(async move { run.await.unwrap() }))
}

/// A person writes (through the engine, as the webhook would hand it over).
async fn writes(pool: &PgPool, env: &Env, wa: &FakeWhatsApp, who: &str, n: u32, text: &str) {
    wa.user_wrote(who);
    let m = Inbound {
        channel: Channel::WhatsApp,
        message_id: format!("wamid.P{who}{n}"),
        chat_id: who.into(),
        sender_id: who.into(),
        sender_name: Some("Ani".into()),
        received_at: chrono::Utc::now(),
        content: Content::Text { text: text.into() },
        pressed: None,
    };
    ingest::handle(pool, env, &m).await.unwrap();
    env.outbox_ready.ring();
}

/// A webhook call's payload handled as the webhook hands it over (body and parsed form).
async fn webhook_call(pool: &PgPool, env: &Env, payload: &serde_json::Value) -> whatsapp::Processed {
    let body = serde_json::to_vec(payload).unwrap();
    whatsapp::process(pool, env, serde_json::from_slice(&body).unwrap(), &body)
        .await
        .unwrap()
}

async fn queue(pool: &PgPool, env: &Env, who: &str, messages: Vec<Outbound>) {
    let q: Vec<Queued> = messages.into_iter().map(|m| Queued::send(m, None)).collect();
    let mut c = pool.acquire().await.unwrap();
    outbox::push_all(&mut c, "whatsapp", who, None, &q).await.unwrap();
    env.outbox_ready.ring();
}

fn status_push(number: &str) -> Outbound {
    Outbound::text(format!("Tiket {number} sedang ditangani oleh Andi.")).about(About::Status {
        number: number.into(),
        status: "Dalam Penanganan".into(),
    })
}

fn confirm(number: &str) -> Outbound {
    Outbound {
        choices: vec![
            OutChoice {
                id: "fu:7:y".into(),
                label: "Ya, sudah normal".into(),
            },
            OutChoice {
                id: "fu:7:n".into(),
                label: "Belum".into(),
            },
        ],
        ..Outbound::text(format!("Tiket {number} selesai. Sudah normal?"))
    }
    .about(About::Confirm { number: number.into() })
}

fn to(sent: &[Sent], who: &str) -> Vec<Sent> {
    sent.iter().filter(|s| s.to == who).cloned().collect()
}

/// A paused-clock database, a fake Graph API with the templates approved and the sender
/// running, after Ani wrote once and was answered (free text: the window is open).
struct Scene {
    pool: PgPool,
    admin: sqlx::postgres::PgConnectOptions,
    name: String,
    wa: FakeWhatsApp,
    env: Env,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Scene {
    async fn ani_greeted() -> Scene {
        let (pool, admin, name) = paused_pool().await;
        let wa = FakeWhatsApp::start().await;
        support::whatsapp::approve_templates(&wa);
        let env = env(&wa);
        tokio::time::pause();
        let (stop, task) = sender(&pool, &env);
        writes(&pool, &env, &wa, ANI, 1, "halo").await;
        wa.wait_until("the greeting's answer", |s| (!to(s, ANI).is_empty()).then_some(()))
            .await;
        Scene {
            pool,
            admin,
            name,
            wa,
            env,
            stop,
            task,
        }
    }

    async fn end(self) {
        self.stop.cancel();
        self.task.await.unwrap();
        drop_database(self.pool, &self.admin, &self.name).await;
    }
}

#[tokio::test]
async fn after_25_hours_of_silence_pushes_go_as_templates() {
    let scene = Scene::ani_greeted().await;
    let (pool, env, wa) = (scene.pool.clone(), &scene.env, &scene.wa);
    assert!(
        to(&wa.sent(), ANI).iter().all(|s| s.template().is_none()),
        "within the window: free text"
    );

    tokio::time::advance(Duration::from_secs(25 * 3600)).await;
    let before = to(&wa.sent(), ANI).len();
    queue(
        &pool,
        env,
        ANI,
        vec![status_push("INC-2611-0007"), confirm("INC-2611-0007")],
    )
    .await;
    let later = wa
        .wait_until("two templates", |s| {
            let mine = to(s, ANI);
            (mine.len() >= before + 2).then(|| mine[before..].to_vec())
        })
        .await;
    assert_eq!(later[0].template().as_deref(), Some("sigap_status"));
    assert_eq!(later[0].text(), "template:sigap_status(INC-2611-0007|Dalam Penanganan)");
    assert_eq!(later[1].template().as_deref(), Some("sigap_konfirmasi"));
    assert_eq!(
        later[1].buttons().into_iter().map(|(id, _)| id).collect::<Vec<_>>(),
        ["fu:7:y", "fu:7:n"],
        "the quick replies answer as the buttons would"
    );
    assert!(
        wa.requests().iter().all(|r| r.code.is_none()),
        "no free-form send was even tried: {:?}",
        wa.requests()
    );

    scene.end().await;
}

#[tokio::test]
async fn a_window_refusal_now_or_in_a_status_is_sent_again_as_a_template() {
    // Our records say Ani wrote an hour ago; Meta's say otherwise: refused at once.
    let scene = Scene::ani_greeted().await;
    let (pool, env, wa) = (scene.pool.clone(), &scene.env, &scene.wa);
    tokio::time::advance(Duration::from_secs(3600)).await;
    wa.forget_user(ANI);
    queue(&pool, env, ANI, vec![status_push("INC-2611-0008")]).await;
    let resent = wa
        .wait_until("a template after 131047", |s| {
            to(s, ANI).into_iter().find(|m| m.template().is_some())
        })
        .await;
    assert_eq!(resent.template().as_deref(), Some("sigap_status"));
    assert!(
        wa.requests().iter().any(|r| r.code == Some(131_047)),
        "the free-form try was refused first"
    );

    // Accepted, then reported failed by a status webhook.
    wa.set_window_mode(WindowMode::AsStatus);
    let templates_before = to(&wa.sent(), ANI).iter().filter(|m| m.template().is_some()).count();
    queue(&pool, env, ANI, vec![status_push("INC-2611-0009")]).await;
    let failed = wa
        .wait_until("the failed status", |_| {
            let s = wa.take_statuses();
            (!s.is_empty()).then_some(s)
        })
        .await;
    let payload = fake::payload(&[], vec![], failed.clone());
    let handled = webhook_call(&pool, env, &payload).await;
    assert_eq!(handled.statuses, 1);
    env.outbox_ready.ring();
    let again = wa
        .wait_until("the template resend", |s| {
            let t: Vec<Sent> = to(s, ANI).into_iter().filter(|m| m.template().is_some()).collect();
            (t.len() > templates_before).then(|| t[templates_before].clone())
        })
        .await;
    assert_eq!(again.text(), "template:sigap_status(INC-2611-0009|Dalam Penanganan)");
    let (st, err): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT delivery_status, delivery_error FROM outbox WHERE platform_id = $1")
            .bind(failed[0]["id"].as_str().unwrap())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(st.as_deref(), Some("failed"));
    assert!(err.unwrap_or_default().contains("131047"));
    // The same status again (Meta retries) does not send a third copy.
    webhook_call(&pool, env, &payload).await;
    let templates: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE op = 'template'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(templates, 1);
    assert!(env.metrics.render().contains(r#"code="131047""#));

    scene.end().await;
}

#[tokio::test]
async fn a_long_message_refused_halfway_goes_on_without_repeating_a_part() {
    let scene = Scene::ani_greeted().await;
    let (pool, env, wa) = (scene.pool.clone(), &scene.env, &scene.wa);
    let before = to(&wa.sent(), ANI).len();
    // Three parts; Meta paces the second one and then the third fails for a moment.
    let long: String = (0..900).map(|i| format!("baris {i:04} ")).collect();
    assert_eq!(whatsapp::message_count(&Outbound::text(long.clone())), 3);
    wa.fail_after(ANI, 1, 131_056);
    wa.fail_after(ANI, 2, 131_000);
    queue(
        &pool,
        env,
        ANI,
        vec![Outbound::text(long.clone()), Outbound::text("sesudahnya")],
    )
    .await;
    let mine = wa
        .wait_until("every part and the next message", |s| {
            let mine = to(s, ANI);
            (mine.len() >= before + 4).then(|| mine[before..].to_vec())
        })
        .await;
    let texts: Vec<String> = mine.iter().map(Sent::text).collect();
    assert_eq!(
        texts.concat().replace(' ', ""),
        format!("{long}sesudahnya").replace(' ', "")
    );
    assert_eq!(
        texts.len(),
        4,
        "each part once: {:?}",
        texts.iter().map(String::len).collect::<Vec<_>>()
    );
    assert_eq!(wa.requests().iter().filter(|r| r.injected).count(), 2);
    let (parts, sent): (i32, bool) =
        sqlx::query_as("SELECT parts_sent, sent_at IS NOT NULL FROM outbox ORDER BY id DESC OFFSET 1 LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((parts, sent), (2, true));
    scene.end().await;
}

#[tokio::test]
async fn pair_and_throughput_refusals_back_off_and_everything_arrives_within_the_limits() {
    const PEOPLE: usize = 120;
    const EACH: usize = 3;
    let (pool, admin, name) = paused_pool().await;
    let wa = FakeWhatsApp::start().await;
    let env = env(&wa);
    let people: Vec<String> = (0..PEOPLE).map(|i| format!("62812000{i:05}")).collect();
    tokio::time::pause();
    for p in &people {
        wa.user_wrote(p);
        // Their last message, as the webhook would have recorded it.
        let mut c = pool.acquire().await.unwrap();
        sigap::store::inbound::record(
            &mut c,
            &Inbound {
                channel: Channel::WhatsApp,
                message_id: format!("wamid.in.{p}"),
                chat_id: p.clone(),
                sender_id: p.clone(),
                sender_name: None,
                received_at: chrono::Utc::now(),
                content: Content::Text { text: "halo".into() },
                pressed: None,
            },
        )
        .await
        .unwrap();
    }
    // The first person is paced by Meta once, and the whole number once.
    wa.fail_next(Some(&people[0]), 131_056, 1);
    wa.fail_next(Some(&people[1]), 130_429, 1);
    for p in &people {
        let texts = (0..EACH)
            .map(|i| Outbound::text(format!("pesan {i} untuk Anda")))
            .collect();
        queue(&pool, &env, p, texts).await;
    }
    let (stop, task) = sender(&pool, &env);
    let started = tokio::time::Instant::now();
    let all = wa
        .wait_until("every message", |s| (s.len() >= PEOPLE * EACH).then(|| s.to_vec()))
        .await;
    let took = started.elapsed();
    // Order per person held through the backoff.
    for p in &people {
        let mine: Vec<String> = to(&all, p).iter().map(Sent::text).collect();
        let want: Vec<String> = (0..EACH).map(|i| format!("pesan {i} untuk Anda")).collect();
        assert_eq!(mine, want, "{p}");
    }
    let first = to(&all, &people[0]);
    assert!(
        first[0].at - started >= Duration::from_secs(6),
        "131056: the first person waited"
    );
    assert!(
        to(&all, &people[2])[0].at - started < Duration::from_secs(6),
        "others were not held by one person's pace"
    );
    assert!(wa.peak_per_second() <= 80, "throughput kept: {}", wa.peak_per_second());
    assert!(
        wa.peak_per_recipient() <= 30,
        "pair pace kept: {}",
        wa.peak_per_recipient()
    );
    assert_eq!(wa.rate_errors_not_injected(), 0, "no refusal beyond the two injected");
    assert!(
        took >= Duration::from_secs(4),
        "360 messages at 80/s take over 4 s: {took:?}"
    );

    stop.cancel();
    task.await.unwrap();
    drop_database(pool, &admin, &name).await;
}
