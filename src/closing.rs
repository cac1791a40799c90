//! Closing with the reporter, applied in the transaction of their message: "Ya" closes the
//! ticket and opens the survey, "Belum" reopens it for the same technician; a low score, or
//! "Belum" a second time, goes to the supervisors. Also the automatic close when the
//! reporter does not answer, run by the SLA worker.

use crate::desk;
use crate::domain::sla::Mark;
use crate::domain::survey::{Answer, Step};
use crate::domain::{Outbound, Status};
use crate::i18n::Msg;
use crate::ingest::{Env, IngestError};
use crate::intake::Reply;
use crate::intake::followup::{self, FollowUp};
use crate::store::followup::{self as store, Answered, Confirmed};
use crate::store::outbox::{self, Queued};
use crate::store::{sla, teams};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A score at or under this goes to the supervisors.
const LOW_SCORE: u8 = 2;
/// Reopened this many times: the supervisors look at it.
const REOPENS_FOR_SUPERVISOR: i32 = 2;
/// Tickets closed per transaction by the automatic close.
const AUTOCLOSE_BATCH: i64 = 200;

/// Applies the reporter's answer; returns what to tell them.
pub async fn apply(
    conn: &mut PgConnection,
    env: &Env,
    reporter_id: i64,
    f: &FollowUp,
    at: DateTime<Utc>,
) -> Result<Vec<Reply>, IngestError> {
    let Some(step) = &f.step else {
        return confirm(conn, env, reporter_id, f, at).await;
    };
    let answered = store::answer(
        conn,
        f.ticket_id,
        reporter_id,
        step,
        &f.answer,
        &env.settings.survey,
        at,
    )
    .await?;
    Ok(match answered {
        Answered::Recorded { number, next, score } => {
            if let Some(s) = score.filter(|s| *s <= LOW_SCORE) {
                tell_supervisors(
                    conn,
                    env,
                    (f.ticket_id, "survey", at),
                    Msg::new("closing-low-score")
                        .arg("number", number.as_str())
                        .arg("score", i64::from(s)),
                )
                .await?;
            }
            match followup::ask(f.ticket_id, &number, &next) {
                Some(question) => vec![question],
                None => vec![Reply::text(Msg::new("survey-thanks").arg("number", number.as_str()))],
            }
        }
        Answered::Already { number } => vec![Reply::text(Msg::new("survey-already").arg("number", number.as_str()))],
        Answered::NotFound => vec![Reply::key("choice-stale")],
    })
}

async fn confirm(
    conn: &mut PgConnection,
    env: &Env,
    reporter_id: i64,
    f: &FollowUp,
    at: DateTime<Utc>,
) -> Result<Vec<Reply>, IngestError> {
    let fixed = f.answer == Answer::Fixed;
    Ok(match store::confirm(conn, f.ticket_id, reporter_id, fixed, at).await? {
        Confirmed::Closed { number } => {
            desk::announce(conn, env, f.ticket_id).await?;
            let mut out = vec![Reply::text(Msg::new("closing-closed").arg("number", number.as_str()))];
            out.extend(followup::ask(f.ticket_id, &number, &Step::Score));
            out
        }
        Confirmed::Reopened {
            number,
            times,
            waited_since,
        } => {
            if let Some(since) = waited_since.filter(|_| env.settings.sla.pause_while_waiting) {
                pause_resolution_clock(conn, env, f.ticket_id, since, at).await?;
            }
            desk::announce(conn, env, f.ticket_id).await?;
            desk::notify_holder(
                conn,
                env,
                f.ticket_id,
                Msg::new("closing-reopened-desk").arg("number", number.as_str()),
            )
            .await?;
            if times >= REOPENS_FOR_SUPERVISOR {
                tell_supervisors(
                    conn,
                    env,
                    (f.ticket_id, "reopened", at),
                    Msg::new("closing-reopened-again")
                        .arg("number", number.as_str())
                        .arg("times", i64::from(times)),
                )
                .await?;
            }
            vec![Reply::text(Msg::new("closing-reopened").arg("number", number.as_str()))]
        }
        Confirmed::NotWaiting { number: Some(number) } => {
            vec![Reply::text(
                Msg::new("closing-not-waiting").arg("number", number.as_str()),
            )]
        }
        Confirmed::NotWaiting { number: None } => vec![Reply::key("choice-stale")],
    })
}

/// The time the ticket waited for the reporter does not count: its resolution due time and
/// the marks not yet told move on by that much counted time. Marks put aside while it waited
/// come back; one that is still past is told at the next tick.
async fn pause_resolution_clock(
    conn: &mut PgConnection,
    env: &Env,
    ticket_id: i64,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), IngestError> {
    let calendar = env.calendar.current();
    let waited = calendar.counted(since, until);
    let Some((due, marks)) = sla::resolution_plan(conn, ticket_id).await? else {
        return Ok(());
    };
    let moved: Vec<Mark> = marks
        .into_iter()
        .map(|m| Mark {
            at: calendar.add(m.at, waited),
            ..m
        })
        .collect();
    sla::set_resolution_due(conn, ticket_id, calendar.add(due, waited)).await?;
    sla::plan(conn, ticket_id, &moved).await?;
    Ok(())
}

/// Hierarchical escalation by the reporter's answer: the supervisors are told, on record.
async fn tell_supervisors(
    conn: &mut PgConnection,
    env: &Env,
    (ticket_id, reason, at): (i64, &str, DateTime<Utc>),
    msg: Msg,
) -> Result<(), IngestError> {
    let Some(chat) = env.settings.sla.supervisor_chat else {
        return Ok(());
    };
    teams::record_up(conn, ticket_id, None, reason, None, at).await?;
    let k = env.knowledge.current();
    let r = env
        .locales
        .renderer(&env.settings.language, &k.catalog, env.settings.timezone);
    let q = Queued::send(Outbound::text(r.render(&msg)), None);
    outbox::push_all(conn, "telegram", &chat.to_string(), None, &[q]).await?;
    Ok(())
}

/// Closes the tickets whose reporter did not answer in time, and tells them so.
pub async fn autoclose(conn: &mut PgConnection, env: &Env, now: DateTime<Utc>) -> Result<usize, IngestError> {
    let closed = store::autoclose(conn, now, AUTOCLOSE_BATCH).await?;
    let k = env.knowledge.current();
    for t in &closed {
        let r = env.locales.renderer(&t.locale, &k.catalog, env.settings.timezone);
        let text = r.render(&Msg::new("closing-auto").arg("number", t.number.as_str()));
        let about = desk::status_about(&r, &t.number, Status::Closed);
        outbox::push_all(
            conn,
            &t.channel,
            &t.chat_id,
            None,
            &[Queued::send(Outbound::text(text).about(about), Some(t.id))],
        )
        .await?;
        desk::announce(conn, env, t.id).await?;
    }
    Ok(closed.len())
}
