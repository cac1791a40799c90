//! The one route: the token, injected failures, the body checked against the API's limits,
//! the number's throughput and the pair pace, the 24-hour window, then acceptance.

use super::{Request, Sent, Shared, State, TOKEN, WINDOW, WindowMode};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::time::{Duration, Instant};

pub(super) fn components(body: &Value) -> Vec<Value> {
    body["template"]["components"].as_array().cloned().unwrap_or_default()
}

type Refusal = (u16, i64, String, String);

fn error(status: u16, code: i64, message: &str, details: &str) -> Refusal {
    (status, code, message.to_owned(), details.to_owned())
}

fn answer((status, code, message, details): Refusal) -> (StatusCode, Json<Value>) {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(json!({"error": {
            "message": message, "type": "OAuthException", "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": "AbCdEfGh123"
        }})),
    )
}

/// The API's message for an error code, as Meta writes it.
fn refusal(code: i64) -> Refusal {
    match code {
        131_047 => error(
            400,
            code,
            "(#131047) Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        131_056 => error(
            400,
            code,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
        ),
        130_429 => error(
            429,
            code,
            "(#130429) Rate limit hit",
            "Cloud API message throughput has been reached.",
        ),
        131_026 => error(
            400,
            code,
            "(#131026) Message Undeliverable",
            "Unable to deliver message.",
        ),
        131_000 => error(
            500,
            code,
            "(#131000) Something went wrong",
            "Message failed to send due to an unknown error.",
        ),
        190 => error(
            401,
            code,
            "Error validating access token",
            "The access token could not be decrypted",
        ),
        c => error(400, c, &format!("(#{c}) Error"), "injected"),
    }
}

pub(super) async fn messages(
    AxumState(shared): AxumState<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    let now = Instant::now();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let to = body["to"].as_str().unwrap_or_default().to_owned();
    let kind = body["type"].as_str().unwrap_or_default().to_owned();
    let mut st = shared.lock();
    let outcome = handle(&mut st, &headers, &body, &to, &kind, now);
    let (status, code, injected) = match &outcome {
        Ok(_) => (200, None, false),
        Err((r, injected)) => (r.0, Some(r.1), *injected),
    };
    st.requests.push(Request {
        to,
        kind,
        status,
        code,
        injected,
        at: now,
    });
    drop(st);
    shared.changed.notify_waiters();
    match outcome {
        Ok(reply) => (StatusCode::OK, Json(reply)),
        Err((r, _)) => answer(r),
    }
}

fn handle(
    st: &mut State,
    headers: &HeaderMap,
    body: &Value,
    to: &str,
    kind: &str,
    now: Instant,
) -> Result<Value, (Refusal, bool)> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth != Some(&format!("Bearer {TOKEN}")) {
        return Err((refusal(190), false));
    }
    if let Some(i) = st
        .inject
        .iter()
        .position(|(who, _, _)| who.as_deref().is_none_or(|w| w == to))
    {
        if st.inject[i].2 > 0 {
            st.inject[i].2 -= 1;
        } else {
            let (_, code, _) = st.inject.remove(i).expect("found");
            return Err((refusal(code), true));
        }
    }
    validate(st, body, kind).map_err(|r| (r, false))?;
    // The number's throughput over the last second, then the pace for this person.
    while st
        .overall
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        st.overall.pop_front();
    }
    if st.overall.len() >= st.throughput {
        st.rate_errors += 1;
        return Err((refusal(130_429), false));
    }
    let (count, window) = st.pair;
    let mine = st.per.entry(to.to_owned()).or_default();
    while mine.front().is_some_and(|t| now.duration_since(*t) >= window) {
        mine.pop_front();
    }
    if mine.len() >= count {
        st.rate_errors += 1;
        return Err((refusal(131_056), false));
    }
    let open = st.wrote.get(to).is_some_and(|t| now.duration_since(*t) < WINDOW);
    let refused_later = !open && kind != "template" && st.window_mode == WindowMode::AsStatus;
    if !open && kind != "template" && !refused_later {
        return Err((refusal(131_047), false));
    }
    let wamid = format!("wamid.HBgNFAKE{:06}", st.next_id);
    st.next_id += 1;
    st.overall.push_back(now);
    let mine = st.per.entry(to.to_owned()).or_default();
    mine.push_back(now);
    let pair_now = mine.len();
    st.peak_pair = st.peak_pair.max(pair_now);
    st.peak_second = st.peak_second.max(st.overall.len());
    if refused_later {
        st.statuses
            .push(super::payloads::status(&wamid, to, "failed", Some(131_047)));
    } else {
        st.sent.push(Sent {
            to: to.to_owned(),
            wamid: wamid.clone(),
            kind: kind.to_owned(),
            body: body.clone(),
            at: now,
        });
    }
    let mut message = json!({"id": wamid});
    if kind == "template" {
        message["message_status"] = json!("accepted");
    }
    Ok(json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [message]}))
}

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn invalid(details: &str) -> Refusal {
    error(400, 100, "(#100) Invalid parameter", details)
}

fn check(ok: bool, details: &str) -> Result<(), Refusal> {
    if ok { Ok(()) } else { Err(invalid(details)) }
}

fn validate(st: &State, body: &Value, kind: &str) -> Result<(), Refusal> {
    check(
        body["messaging_product"] == "whatsapp",
        "messaging_product must be whatsapp",
    )?;
    check(chars(&body["to"]) > 0, "to is required")?;
    match kind {
        "text" => check(
            (1..=4096).contains(&chars(&body["text"]["body"])),
            "text.body must be 1-4096 characters",
        ),
        "interactive" => interactive(&body["interactive"]),
        "template" => template(st, &body["template"]),
        other => Err(invalid(&format!("unsupported message type `{other}`"))),
    }
}

fn interactive(i: &Value) -> Result<(), Refusal> {
    match i["type"].as_str() {
        Some("button") => {
            check(
                (1..=1024).contains(&chars(&i["body"]["text"])),
                "body.text must be 1-1024 characters",
            )?;
            let buttons = i["action"]["buttons"].as_array().cloned().unwrap_or_default();
            check((1..=3).contains(&buttons.len()), "buttons must have 1-3 elements")?;
            let mut seen = std::collections::HashSet::new();
            for b in &buttons {
                let (id, title) = (&b["reply"]["id"], &b["reply"]["title"]);
                check(b["type"] == "reply", "button type must be reply")?;
                check((1..=20).contains(&chars(title)), "button title must be 1-20 characters")?;
                check((1..=256).contains(&chars(id)), "button id must be 1-256 characters")?;
                check(
                    seen.insert(id.to_string()) && seen.insert(format!("t{title}")),
                    "button ids and titles must be unique",
                )?;
            }
            Ok(())
        }
        Some("list") => {
            check(
                (1..=4096).contains(&chars(&i["body"]["text"])),
                "body.text must be 1-4096 characters",
            )?;
            check(
                (1..=20).contains(&chars(&i["action"]["button"])),
                "action.button must be 1-20 characters",
            )?;
            let sections = i["action"]["sections"].as_array().cloned().unwrap_or_default();
            check((1..=10).contains(&sections.len()), "sections must have 1-10 elements")?;
            let rows: Vec<Value> = sections
                .iter()
                .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
                .collect();
            check((1..=10).contains(&rows.len()), "a list holds 1-10 rows in all")?;
            for r in &rows {
                check(
                    (1..=24).contains(&chars(&r["title"])),
                    "row title must be 1-24 characters",
                )?;
                check((1..=200).contains(&chars(&r["id"])), "row id must be 1-200 characters")?;
                check(
                    chars(&r["description"]) <= 72,
                    "row description must be at most 72 characters",
                )?;
            }
            if sections.len() > 1 {
                check(
                    sections.iter().all(|s| (1..=24).contains(&chars(&s["title"]))),
                    "section titles are required",
                )?;
            }
            Ok(())
        }
        _ => Err(invalid("interactive.type must be button or list")),
    }
}

fn template(st: &State, t: &Value) -> Result<(), Refusal> {
    let name = t["name"].as_str().unwrap_or_default();
    let Some((params, quick)) = st.templates.get(name).copied() else {
        return Err(error(
            404,
            132_001,
            "(#132001) Template name does not exist in the translation",
            &format!("template name ({name}) does not exist in {}", t["language"]["code"]),
        ));
    };
    let comps = t["components"].as_array().cloned().unwrap_or_default();
    let body: Vec<Value> = comps
        .iter()
        .filter(|c| c["type"] == "body")
        .flat_map(|c| c["parameters"].as_array().cloned().unwrap_or_default())
        .collect();
    let buttons = comps.iter().filter(|c| c["sub_type"] == "quick_reply").count();
    if body.len() != params || buttons != quick {
        return Err(error(
            400,
            132_000,
            "(#132000) Number of parameters does not match the expected number of params",
            &format!(
                "body: {} expected, {} given; buttons: {quick} expected, {buttons} given",
                params,
                body.len()
            ),
        ));
    }
    for p in &body {
        let text = p["text"].as_str().unwrap_or_default();
        if text.contains(['\n', '\t']) || text.contains("     ") {
            return Err(error(
                400,
                132_018,
                "(#132018) There was an issue with the parameters in your template.",
                "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
            ));
        }
    }
    Ok(())
}
