//! A reporter's conversation through the real ingest path and PostgreSQL.

mod support;

use sigap::domain::{Attachment, Content};
use sigap::ingest::Outcome;
use sqlx::PgPool;
use support::{Chat, choice_ids, count, text, wib};

const WIFI: &str = "wifi di ruang rapat lantai 3 mati sejak jam 9, semua peserta rapat ga bisa konek";

#[sqlx::test]
async fn the_issue_example_becomes_a_p1_ticket(pool: PgPool) {
    let mut chat = Chat::new(&pool, "budi");
    let r = chat.say(WIFI).await;
    // Understood: service, place, time, scope; only the reporter is unknown.
    assert!(text(&r).contains("Internet mati"), "{r:?}");
    assert!(text(&r).contains("nama"), "asks the name first time: {r:?}");
    let r = chat.say("Budi Santoso").await;
    assert!(text(&r).contains("unit kerja"), "{r:?}");
    let r = chat.say("Bagian Umum Setda").await;
    let summary = text(&r);
    for part in [
        "Internet mati",
        "ruang rapat lantai 3",
        "Senin 23 Nov 09.00 WIB",
        "Prioritas 1 (Tinggi)",
        "Budi Santoso",
    ] {
        assert!(summary.contains(part), "summary lacks {part}: {summary}");
    }
    assert_eq!(choice_ids(&r), ["c:yes", "c:edit", "c:no"]);
    let r = chat.press("c:yes").await;
    let done = text(&r);
    assert!(done.contains("INC-2611-0001"), "{done}");
    assert!(done.contains("10 menit") && done.contains("8 jam"), "{done}");
    assert!(
        done.contains("Senin 23 Nov 18.00 WIB"),
        "resolution due 8 h after 10:00: {done}"
    );

    let t = sqlx::query!(
        r#"SELECT number, ticket_type, category, service, location, occurred_at, scope, urgency, impact,
                  priority, status, response_due, resolution_due, created_at, reporter_name, reporter_unit
           FROM tickets"#
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(t.number, "INC-2611-0001");
    assert_eq!((t.ticket_type.as_str(), t.category.as_str()), ("insiden", "jaringan"));
    assert_eq!(t.service.as_deref(), Some("internet-mati"));
    assert_eq!(t.location.as_deref(), Some("ruang rapat lantai 3"));
    assert_eq!(t.occurred_at, Some(wib(2026, 11, 23, 9, 0)));
    assert_eq!(
        (t.scope.as_str(), t.urgency.as_str(), t.impact.as_str(), t.priority),
        ("group", "tinggi", "menengah", 1)
    );
    assert_eq!(t.status, "new");
    assert_eq!((t.response_due - t.created_at).num_minutes(), 10);
    assert_eq!((t.resolution_due - t.created_at).num_hours(), 8);
    assert_eq!(t.reporter_name.as_deref(), Some("Budi Santoso"));
    assert_eq!(t.reporter_unit.as_deref(), Some("Bagian Umum Setda"));
    let events: Vec<String> = sqlx::query_scalar("SELECT kind FROM ticket_events")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(events, ["created"]);

    // The next report does not ask the name and unit again, and numbers go on.
    let r = chat
        .say("printer di ruang TU lantai 2 tidak bisa mencetak, kertas macet terus")
        .await;
    assert!(!text(&r).contains("nama"), "{r:?}");
    let mut guard = 0;
    let mut r = r;
    while !choice_ids(&r).contains(&"c:yes".to_owned()) {
        let next = walk_on(&r).unwrap_or_else(|| "x:skip".into());
        r = chat.press(&next).await;
        guard += 1;
        assert!(guard < 8, "never reached the summary: {r:?}");
    }
    assert!(!text(&r).contains("unit kerja"));
    let r = chat.say("benar").await;
    assert!(text(&r).contains("INC-2611-0002"), "{r:?}");
}

#[sqlx::test]
async fn a_repeated_delivery_is_handled_once(pool: PgPool) {
    let mut chat = Chat::new(&pool, "dup");
    chat.name = Some("Rina".into());
    let r = chat.say("email dinas saya penuh, tidak bisa terima email").await;
    assert!(text(&r).contains("Kotak surat"), "Level 0 first: {r:?}");
    chat.press("kb:no").await;
    chat.say("Bidang Anggaran").await;
    let confirm = chat.inbound(Content::Choice { id: "c:yes".into() });
    let (first, r1) = chat.deliver(&confirm).await;
    let (second, r2) = chat.deliver(&confirm).await;
    assert!(
        matches!(first, Outcome::Handled { ticket: Some(_) }),
        "{first:?} {r1:?}"
    );
    assert_eq!(second, Outcome::Duplicate);
    assert!(r2.is_empty(), "a duplicate says nothing: {r2:?}");
    assert_eq!(count(&pool, "tickets").await, 1);
    assert_eq!(count(&pool, "inbound_messages").await, 4);
}

#[sqlx::test]
async fn messages_of_one_chat_at_once_are_serialised(pool: PgPool) {
    // Each chat gets two messages at the same moment; with the conversation row locked,
    // the second sees the first's state, so both end up in the draft. Without the lock
    // one would overwrite the other.
    let mut handles = Vec::new();
    for i in 0..12 {
        let pool = pool.clone();
        handles.push(tokio::spawn(async move {
            let mut chat = Chat::new(&pool, &format!("race-{i}"));
            chat.name = Some("Tes".into());
            chat.say("/lapor").await;
            let a = chat.inbound(Content::Text {
                text: "printer merek Epson rusak total".into(),
            });
            let b = chat.inbound(Content::Text {
                text: "di ruang arsip lantai dua".into(),
            });
            let env = chat.env.clone();
            let (ra, rb) = tokio::join!(
                sigap::ingest::handle_at(&pool, &env, &a, support::now()),
                sigap::ingest::handle_at(&pool, &env, &b, support::now()),
            );
            ra.unwrap();
            rb.unwrap();
            chat.state().await.to_string()
        }));
    }
    for h in handles {
        let state = h.await.unwrap();
        assert!(
            state.contains("Epson") && state.contains("arsip"),
            "an update was lost: {state}"
        );
    }
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM conversations")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(versions.iter().all(|&v| v == 3), "{versions:?}");
}

#[sqlx::test]
async fn bad_input_gets_a_polite_answer_and_changes_nothing(pool: PgPool) {
    let mut chat = Chat::new(&pool, "odd");
    let cases: &[(&str, &str)] = &[
        ("", "kosong"),
        ("   ", "kosong"),
        ("🙏🙏🙏", "belum memahami"),
        ("asdfghjkl qwertyuiop zxcvbnm", "belum memahami"),
        ("my computer is broken, can you help me please", "Bahasa Indonesia"),
        ("/hapussemua", "tidak dikenal"),
        ("halo min", "ceritakan masalah"),
        ("terima kasih", "terima kasih"),
    ];
    for (input, expect) in cases {
        let r = chat.say(input).await;
        assert_eq!(r.len(), 1, "{input:?} → {r:?}");
        assert!(r[0].text.contains(expect), "{input:?} → {}", r[0].text);
        assert_eq!(chat.state().await["state"], "idle", "{input:?}");
    }
    let r = chat.send(Content::Unsupported { what: "sticker".into() }).await;
    assert!(text(&r).contains("hanya bisa membaca"), "{r:?}");
    let r = chat.press("c:yes").await;
    assert!(text(&r).contains("tidak berlaku"), "a stale button: {r:?}");
    assert_eq!(count(&pool, "tickets").await, 0);
}

#[sqlx::test]
async fn hostile_and_huge_text_is_kept_verbatim(pool: PgPool) {
    let mut chat = Chat::new(&pool, "hostile");
    chat.name = Some("X".into());
    let sql = "printer rusak'); DROP TABLE tickets; -- <script>alert(1)</script>";
    chat.say(sql).await;
    let stored: serde_json::Value = sqlx::query_scalar("SELECT payload FROM inbound_messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored["content"]["text"], sql);
    assert_eq!(count(&pool, "tickets").await, 0, "the tickets table is still there");

    let mut chat = Chat::new(&pool, "long");
    let huge = "komputer saya lambat sekali. ".repeat(400);
    assert!(huge.len() > 10_000);
    let r = chat.say(&huge).await;
    assert!(!r.is_empty());
    let kept: serde_json::Value = sqlx::query_scalar("SELECT payload FROM inbound_messages WHERE chat_id = 'long'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        kept["content"]["text"].as_str().unwrap().len(),
        huge.len(),
        "never a lost report"
    );
    assert_eq!(chat.state().await["state"], "reporting");
}

#[sqlx::test]
async fn answers_that_fit_no_choice_and_stale_buttons_keep_the_state(pool: PgPool) {
    let mut chat = Chat::new(&pool, "confused");
    chat.name = Some("Dewi".into());
    let r = chat.say("laptop saya hang terus sejak kemarin").await;
    assert!(
        choice_ids(&r).contains(&"kb:no".to_owned()),
        "a self-help article first: {r:?}"
    );
    let r = chat.press("kb:no").await;
    assert!(text(&r).contains("Di mana"), "a laptop is somewhere: {r:?}");
    chat.say("ruang sekretariat lantai 1").await;
    chat.say("Dinas Kesehatan").await;
    let r = chat.replies().await;
    assert!(r.is_empty());
    let before = chat.state().await;
    assert_eq!(before["asking"]["q"], "confirm", "{before}");
    let r = chat.say("mungkin nanti saja deh entahlah").await;
    assert!(text(&r).contains("pilih salah satu"), "{r:?}");
    assert_eq!(choice_ids(&r), ["c:yes", "c:edit", "c:no"]);
    let r = chat.press("u:stop").await;
    assert!(text(&r).contains("tidak berlaku"), "{r:?}");
    let after = chat.state().await;
    assert_eq!(before["asking"], after["asking"]);
    assert_eq!(before["draft"]["said"], after["draft"]["said"]);
    assert_eq!(count(&pool, "tickets").await, 0);
}

#[sqlx::test]
async fn batal_cancels_and_status_shows_only_own_tickets(pool: PgPool) {
    let mut a = Chat::new(&pool, "a");
    a.name = Some("Ana".into());
    let r = a.say("lupa password SIMPEG").await;
    assert!(choice_ids(&r).contains(&"kb:no".to_owned()), "{r:?}");
    let r = a.say("sudah saya coba, tapi belum berhasil").await;
    assert!(
        text(&r).contains("unit kerja"),
        "a typed 'not yet' goes on to the ticket: {r:?}"
    );
    a.say("Bagian Kepegawaian").await;
    let r = a.say("ya").await;
    let number = text(&r)
        .split_whitespace()
        .find(|w| w.starts_with("AKS-"))
        .unwrap()
        .to_owned();
    assert_eq!(number, "AKS-2611-0001");

    let mut b = Chat::new(&pool, "b");
    b.name = Some("Bayu".into());
    let r = b.say("/status").await;
    assert!(text(&r).contains("belum punya tiket"), "{r:?}");
    let r = b.say(&format!("/status {number}")).await;
    assert!(text(&r).contains("tidak ditemukan"), "someone else's ticket: {r:?}");
    b.say("monitor saya bergaris-garis").await;
    let r = b.say("/batal").await;
    assert!(text(&r).contains("dibatalkan"), "{r:?}");
    assert_eq!(b.state().await["state"], "idle");
    let r = b.say("/batal").await;
    assert!(text(&r).contains("Tidak ada laporan"), "{r:?}");

    let r = a.say("/status").await;
    assert!(text(&r).contains(&number) && text(&r).contains("Baru"), "{r:?}");
    let r = a.say(&format!("/status {}", number.to_lowercase())).await;
    assert!(
        text(&r).contains("Permintaan akses") || text(&r).contains("Reset"),
        "{r:?}"
    );
    assert!(text(&r).contains("belum ada"), "{r:?}");
    assert_eq!(count(&pool, "tickets").await, 1);
}

#[sqlx::test]
async fn a_request_asks_what_it_needs_not_incident_questions(pool: PgPool) {
    let mut chat = Chat::new(&pool, "req");
    chat.name = Some("Yanti".into());
    let r = chat.say("min tolong reset password, akun saya terkunci").await;
    assert!(choice_ids(&r).contains(&"kb:no".to_owned()), "{r:?}");
    let r = chat.press("kb:no").await;
    assert!(text(&r).contains("Akun aplikasi apa"), "asks which application: {r:?}");
    let r = chat.say("e-Office").await;
    assert!(text(&r).contains("unit kerja"), "{r:?}");
    let r = chat.say("Sekretariat DPRD").await;
    let s = text(&r);
    assert!(!s.contains("Sejak kapan") && !s.contains("terhenti"), "{s}");
    assert!(s.contains("e-Office") && s.contains("Prioritas 3"), "{s}");
    let r = chat.press("c:yes").await;
    assert!(text(&r).contains("AKS-2611-0001"), "{r:?}");
}

#[sqlx::test]
async fn one_field_can_be_changed_from_the_summary(pool: PgPool) {
    let mut chat = Chat::new(&pool, "edit");
    chat.name = Some("Eko".into());
    chat.say("internet di kantor kecamatan Sukamaju mati total sejak pagi, semua pegawai tidak bisa kerja")
        .await;
    let r = chat.say("Kecamatan Sukamaju").await;
    assert!(text(&r).contains("kecamatan Sukamaju"), "{r:?}");
    let r = chat.say("ubah").await;
    assert!(choice_ids(&r).contains(&"e:where".to_owned()), "{r:?}");
    let r = chat.press("e:where").await;
    assert!(text(&r).contains("Di mana"), "{r:?}");
    let r = chat.say("Kantor Kelurahan Mekarsari").await;
    let s = text(&r);
    assert!(s.contains("Lokasi: Kantor Kelurahan Mekarsari"), "{s}");
    assert!(s.contains("Prioritas 1"), "{s}");
    assert_eq!(choice_ids(&r), ["c:yes", "c:edit", "c:no"]);
}

#[sqlx::test]
async fn photos_and_locations_are_kept_with_the_report(pool: PgPool) {
    let mut chat = Chat::new(&pool, "media");
    chat.name = Some("Lina".into());
    let photo = Attachment {
        kind: "photo".into(),
        file_id: "AgACAgUAAxkBAAIB".into(),
        file_name: None,
        mime_type: Some("image/jpeg".into()),
    };
    let r = chat
        .send(Content::Media {
            attachment: photo.clone(),
            caption: Some("layar biru muncul terus di komputer loket 2".into()),
        })
        .await;
    assert!(!r.is_empty());
    let r = chat
        .send(Content::Location {
            latitude: -6.914744,
            longitude: 107.60981,
            label: Some("Samsat Kota Bandung".into()),
        })
        .await;
    assert!(!r.is_empty());
    let mut r = r;
    for _ in 0..6 {
        if choice_ids(&r).first().map(String::as_str) == Some("c:yes") {
            break;
        }
        r = match walk_on(&r) {
            Some(id) => chat.press(&id).await,
            None => chat.say("Samsat").await,
        };
    }
    assert!(text(&r).contains("Lampiran: 1"), "{r:?}");
    chat.press("c:yes").await;
    let (attachments, location): (serde_json::Value, Option<String>) =
        sqlx::query_as("SELECT attachments, location FROM tickets")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(attachments[0]["file_id"], "AgACAgUAAxkBAAIB");
    assert_eq!(
        location.as_deref(),
        Some("Samsat Kota Bandung"),
        "the shared location is the place"
    );
}

#[sqlx::test]
async fn a_reporter_can_switch_to_english_and_back(pool: PgPool) {
    let mut chat = Chat::new(&pool, "lang");
    chat.name = Some("Maria".into());
    let r = chat.say("/bahasa klingon").await;
    assert!(text(&r).contains("/bahasa en"), "{r:?}");
    let r = chat.say("/bahasa en").await;
    assert!(
        text(&r).contains("reply in English"),
        "the confirmation is in the new language: {r:?}"
    );
    let r = chat
        .say("printer di ruang TU tidak bisa mencetak sejak tadi pagi")
        .await;
    assert!(text(&r).contains("Did it work?"), "{r:?}");
    let r = chat.press("kb:no").await;
    assert!(text(&r).contains("Which unit or office"), "{r:?}");
    let r = chat.say("Bagian Umum").await;
    assert!(
        text(&r).contains("Summary of your report") && text(&r).contains("Priority 2 (Medium)"),
        "{r:?}"
    );
    let r = chat.press("c:yes").await;
    assert!(
        text(&r).contains("has been created") && text(&r).contains("1 hour"),
        "{r:?}"
    );
    let r = chat.say("/bahasa id").await;
    assert!(text(&r).contains("Bahasa Indonesia"), "{r:?}");
    let locale: String = sqlx::query_scalar("SELECT locale FROM reporters")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(locale, "id");
}

/// The answer that moves a report on towards a ticket: "not yet" to a self-help article,
/// else the first choice.
fn walk_on(r: &[sigap::domain::Outbound]) -> Option<String> {
    let ids = choice_ids(r);
    ids.iter().find(|id| *id == "kb:no").or(ids.first()).cloned()
}
