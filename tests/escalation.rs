//! Functional and hierarchical escalation through the desk and PostgreSQL: a network
//! ticket starts with L1, Eskalasi offers the routed L2 team first, a misrouted ticket goes
//! back (and is counted), a vendor hand-over records the vendor's reference, "ke atasan"
//! brings the supervisors the card, and an old or foreign button moves nothing.

mod support;

use sigap::ingest::Env;
use sigap::store::technicians;
use sqlx::PgPool;
use support::desk::{BOSSES, Person, WAR_ROOM, env_with, last_choices, p1_ticket, said_to};
use support::{Chat, now};

const ANDI: Person = Person {
    user_id: 501,
    name: "Andi",
};
const RINA: Person = Person {
    user_id: 502,
    name: "Rina",
};
const STRANGER: Person = Person {
    user_id: 999,
    name: "Tamu",
};

async fn team(pool: &PgPool, id: i64) -> (Option<String>, Option<i64>, Option<String>) {
    sqlx::query_as("SELECT team, assignee_id, vendor_ref FROM tickets WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn events(pool: &PgPool, id: i64) -> Vec<(String, serde_json::Value)> {
    sqlx::query_as("SELECT kind, data FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// The L2 network team has its own group.
const NETWORK_ROOM: i64 = -1005550001111;

async fn setup(pool: &PgPool) -> (Env, i64) {
    let env = env_with(|s| {
        if let Some(t) = s.teams.teams.iter_mut().find(|t| t.key == "l2-jaringan") {
            t.chat = Some(NETWORK_ROOM);
        }
    });
    let mut c = pool.acquire().await.unwrap();
    technicians::add(&mut c, ANDI.user_id, "Andi", "l1").await.unwrap();
    technicians::add(&mut c, RINA.user_id, "Rina", "l2-jaringan")
        .await
        .unwrap();
    let mut budi = Chat::new(pool, "budi");
    budi.env = env.clone();
    let id = p1_ticket(&mut budi).await;
    (env, id)
}

#[sqlx::test]
async fn eskalasi_moves_between_teams_and_a_misrouted_ticket_goes_back(pool: PgPool) {
    let (env, id) = setup(&pool).await;
    let at = now();
    assert_eq!(
        team(&pool, id).await.0.as_deref(),
        Some("l1"),
        "every ticket starts at the desk"
    );

    ANDI.press(&pool, &env, &format!("tk:{id}:a"), at).await;
    ANDI.press(&pool, &env, &format!("tk:{id}:e"), at).await;
    let offered = last_choices(&pool, WAR_ROOM).await;
    assert_eq!(
        offered[0],
        format!("tk:{id}:t:l2-jaringan"),
        "the routed team first: {offered:?}"
    );
    assert!(offered.contains(&format!("tk:{id}:t:l3-vendor")));
    assert!(
        !offered.iter().any(|o| o.ends_with(":t:l1")),
        "never back down by Eskalasi"
    );
    assert_eq!(offered.last(), Some(&format!("tk:{id}:u")));

    // A stranger's press and a button for a lower level change nothing.
    STRANGER.press(&pool, &env, &format!("tk:{id}:t:l2-jaringan"), at).await;
    ANDI.press(&pool, &env, &format!("tk:{id}:t:l1"), at).await;
    assert_eq!(team(&pool, id).await.0.as_deref(), Some("l1"));

    ANDI.press(&pool, &env, &format!("tk:{id}:t:l2-jaringan"), at).await;
    assert_eq!(team(&pool, id).await, (Some("l2-jaringan".into()), None, None));
    assert!(said_to(&pool, WAR_ROOM).await.contains("ke L2 Jaringan"));
    // The team's own group gets the card, with its buttons.
    assert!(said_to(&pool, NETWORK_ROOM).await.contains("Tim: l2-jaringan"));
    assert!(last_choices(&pool, NETWORK_ROOM).await.contains(&format!("tk:{id}:a")));
    let reporter: String =
        sqlx::query_scalar("SELECT string_agg(payload->>'text', ' ') FROM outbox WHERE chat_id = 'budi'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(reporter.contains("diteruskan ke tim lanjutan"), "{reporter}");

    // Rina finds it is not a network fault: back to L1, counted as misrouted.
    RINA.press(&pool, &env, &format!("tk:{id}:r"), at).await;
    assert_eq!(team(&pool, id).await.0.as_deref(), Some("l1"));
    let kinds: Vec<(String, serde_json::Value)> = events(&pool, id).await;
    let moves: Vec<_> = kinds
        .iter()
        .filter(|(k, _)| k == "escalated" || k == "returned")
        .collect();
    assert_eq!(moves.len(), 2, "{kinds:?}");
    assert_eq!(
        moves[0].1,
        serde_json::json!({"from_team": "l1", "to_team": "l2-jaringan"})
    );
    assert_eq!(moves[1].0, "returned");
    assert_eq!(
        moves[1].1,
        serde_json::json!({"from_team": "l2-jaringan", "to_team": "l1"})
    );
    // Sent back once; the button is gone and a second press does nothing.
    RINA.press(&pool, &env, &format!("tk:{id}:r"), at).await;
    assert_eq!(events(&pool, id).await.len(), kinds.len());
}

#[sqlx::test]
async fn a_vendor_gets_its_reference_and_the_supervisors_get_the_card(pool: PgPool) {
    let (env, id) = setup(&pool).await;
    let at = now();
    ANDI.press(&pool, &env, &format!("tk:{id}:e"), at).await;
    ANDI.press(&pool, &env, &format!("tk:{id}:t:l3-vendor"), at).await;
    assert!(said_to(&pool, WAR_ROOM).await.contains("nomor referensi dari vendor"));
    ANDI.reply(&pool, &env, "TLK-2611-88731", at).await;
    assert_eq!(
        team(&pool, id).await,
        (Some("l3-vendor".into()), None, Some("TLK-2611-88731".into()))
    );

    ANDI.press(&pool, &env, &format!("tk:{id}:u"), at).await;
    let bosses = said_to(&pool, BOSSES).await;
    assert!(
        bosses.contains("Andi meneruskan") && bosses.contains("TLK-2611-88731"),
        "{bosses}"
    );
    let up = events(&pool, id)
        .await
        .into_iter()
        .filter(|(k, d)| k == "escalated_up" && d["reason"] == "technician")
        .count();
    assert_eq!(up, 1);
}
