//! Level 0 through the real ingest path and PostgreSQL: offers and answers recorded,
//! contacts ended once, the articles tried kept on the ticket, the figures computed in SQL.

mod support;

use chrono::Duration;
use sigap::domain::Content;
use sigap::ingest::Outcome;
use sigap::knowledge::{Article, draft_article};
use sigap::store::{kb, tickets};
use sqlx::PgPool;
use std::path::Path;
use support::{Chat, choice_ids, count, now, text};

fn period() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    (now() - Duration::days(1), now() + Duration::days(1))
}

#[sqlx::test]
async fn berhasil_ends_the_contact_without_a_ticket_and_counts_as_deflected(pool: PgPool) {
    let mut chat = Chat::new(&pool, "ok");
    chat.name = Some("Sinta".into());
    let r = chat.say("gk bisa login SIMPEG, lupa password").await;
    assert!(text(&r).contains("Lupa kata sandi"), "{r:?}");
    assert!(!text(&r).contains('{'), "agency placeholders are filled: {r:?}");
    let confirm = chat.inbound(Content::Choice { id: "kb:yes".into() });
    let (first, r) = chat.deliver(&confirm).await;
    assert_eq!(first, Outcome::Handled { ticket: None });
    assert!(text(&r).contains("Tidak ada tiket"), "{r:?}");
    let (again, r) = chat.deliver(&confirm).await;
    assert_eq!(again, Outcome::Duplicate, "a repeated tap is a no-op");
    assert!(r.is_empty());
    let r = chat.press("kb:yes").await;
    assert!(text(&r).contains("tidak berlaku"), "a stale button later: {r:?}");

    assert_eq!(count(&pool, "tickets").await, 0);
    let (outcome, article): (String, Option<String>) = sqlx::query_as("SELECT outcome, article_id FROM contacts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (outcome.as_str(), article.as_deref()),
        ("level0", Some("sandi-aplikasi-web"))
    );
    let mut conn = pool.acquire().await.unwrap();
    let (from, to) = period();
    let stats = kb::article_stats(&mut conn, from, to).await.unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!((stats[0].offers, stats[0].helped, stats[0].not_helped), (1, 1, 0));
    let d = kb::deflection(&mut conn, from, to).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].service.as_deref(), Some("reset-password"));
    assert_eq!((d[0].contacts, d[0].level0), (1, 1));
}

#[sqlx::test]
async fn belum_makes_a_ticket_that_records_the_article_tried(pool: PgPool) {
    let mut chat = Chat::new(&pool, "no");
    chat.name = Some("Andi".into());
    let r = chat
        .say("kotak surat email dinas saya penuh, tidak bisa terima email")
        .await;
    assert!(choice_ids(&r).contains(&"kb:no".to_owned()), "{r:?}");
    chat.say("sudah saya hapus yang lama tapi tetap penuh").await;
    let r = chat.say("Bidang Anggaran").await;
    assert!(
        text(&r).contains("Sudah dicoba: "),
        "the summary says what was tried: {r:?}"
    );
    let r = chat.press("c:yes").await;
    assert!(text(&r).contains("-2611-0001"), "{r:?}");

    let (tried, description): (Vec<String>, String) = sqlx::query_as("SELECT kb_tried, description FROM tickets")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tried, ["kotak-surat-penuh"]);
    assert!(
        description.contains("tetap penuh"),
        "the words given instead of a tap are kept"
    );
    let (outcome, ticket): (String, Option<i64>) = sqlx::query_as("SELECT outcome, ticket_id FROM contacts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(outcome, "ticket");
    assert!(ticket.is_some());

    let mut conn = pool.acquire().await.unwrap();
    let (from, to) = period();
    let stats = kb::article_stats(&mut conn, from, to).await.unwrap();
    assert_eq!((stats[0].offers, stats[0].helped, stats[0].not_helped), (1, 0, 1));
    let d = kb::deflection(&mut conn, from, to).await.unwrap();
    assert_eq!((d[0].contacts, d[0].level0), (1, 0));
    assert_eq!(d[0].share(), 0.0);
}

#[sqlx::test]
async fn cancelled_reports_are_recorded_but_are_not_contacts_to_deflect(pool: PgPool) {
    let mut chat = Chat::new(&pool, "cancel");
    chat.name = Some("Tari".into());
    chat.say("printer di ruang TU tidak bisa mencetak").await;
    let r = chat.say("/batal").await;
    assert!(text(&r).contains("dibatalkan"), "{r:?}");
    let r = chat.say("/batal").await;
    assert!(text(&r).contains("Tidak ada laporan"), "{r:?}");
    assert_eq!(count(&pool, "contacts").await, 1);
    let mut conn = pool.acquire().await.unwrap();
    let (from, to) = period();
    let d = kb::deflection(&mut conn, from, to).await.unwrap();
    assert_eq!((d[0].contacts, d[0].cancelled), (0, 1));
    // The offer was made and never answered: counted as offered, neither helped nor not.
    let stats = kb::article_stats(&mut conn, from, to).await.unwrap();
    assert_eq!((stats[0].offers, stats[0].helped, stats[0].not_helped), (1, 0, 0));
}

#[sqlx::test]
async fn a_resolved_ticket_becomes_an_article_draft(pool: PgPool) {
    let mut chat = Chat::new(&pool, "draft");
    chat.name = Some("Rudi".into());
    chat.say("scanner di ruang arsip tidak terdeteksi di komputer").await;
    let mut r = chat.last.clone();
    for _ in 0..8 {
        if choice_ids(&r).contains(&"c:yes".to_owned()) {
            break;
        }
        r = match choice_ids(&r).iter().find(|c| *c == "kb:no").or(choice_ids(&r).first()) {
            Some(id) => chat.press(&id.clone()).await,
            None => chat.say("Bagian Arsip").await,
        };
    }
    let r = chat.press("c:yes").await;
    let number = text(&r)
        .split_whitespace()
        .find(|w| w.starts_with("INC-"))
        .expect("a ticket number")
        .to_owned();
    let mut conn = pool.acquire().await.unwrap();
    let open = tickets::resolution(&mut conn, &number).await.unwrap();
    assert!(matches!(open, Some(Err(_))), "no note before it is resolved");
    let note = "Driver scanner dipasang ulang.\nKabel USB dipindah ke port belakang.";
    let id = tickets::resolve(&mut conn, &number, note, None, now()).await.unwrap();
    assert!(id.is_some());
    let again = tickets::resolve(&mut conn, &number, "lagi", None, now()).await.unwrap();
    assert!(again.is_none(), "a resolved ticket is not resolved twice");
    let t = tickets::resolution(&mut conn, &number).await.unwrap().unwrap().unwrap();
    let (id, md) = draft_article(&t, now().date_naive());
    let a = Article::parse(Path::new(&format!("{id}.md")), &md).unwrap();
    assert!(a.draft && !a.self_service);
    assert_eq!(
        a.body,
        "1. Driver scanner dipasang ulang.\n2. Kabel USB dipindah ke port belakang."
    );
    assert!(tickets::resolution(&mut conn, "INC-2611-9999").await.unwrap().is_none());
    let events: Vec<String> = sqlx::query_scalar("SELECT kind FROM ticket_events ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(events, ["created", "resolved"]);
}
