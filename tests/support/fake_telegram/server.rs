//! The HTTP side: the one axum route, the token check, file downloads, the Bot API's answer
//! envelope, and requests' parameters (JSON/multipart decoding).

use super::polling::get_updates;
use super::{Call, Shared, TOKEN};
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use tokio::time::Instant;

/// An HTTP answer in the Bot API's envelope.
#[derive(Clone)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) body: Value,
}

impl Reply {
    pub(super) fn ok(result: Value) -> Reply {
        Reply {
            status: 200,
            body: json!({ "ok": true, "result": result }),
        }
    }

    pub(super) fn error(status: u16, description: &str) -> Reply {
        Reply {
            status,
            body: json!({ "ok": false, "error_code": status, "description": description }),
        }
    }

    pub(super) fn retry_after(seconds: u32) -> Reply {
        let mut r = Reply::error(429, &format!("Too Many Requests: retry after {seconds}"));
        r.body["parameters"] = json!({ "retry_after": seconds });
        r
    }
}

pub(super) fn bad(description: &str) -> Reply {
    Reply::error(400, description)
}

pub(super) type Answer = Result<Value, Reply>;

pub(super) async fn serve(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrived = Instant::now();
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = path.strip_prefix("file/") {
        return download(&method, file);
    }
    let (bot, name) = path.split_once('/').unwrap_or((path, ""));
    let name = name.to_ascii_lowercase();
    let params = parse_params(&headers, uri.query(), &body);
    let reply = if bot.strip_prefix("bot") != Some(TOKEN) {
        wrong_token(bot)
    } else {
        match &params {
            Err(r) => r.clone(),
            Ok(p) if name == "getupdates" => get_updates(&shared, p, arrived).await,
            Ok(p) => shared.lock().answer(&name, p, arrived),
        }
    };
    shared.record(Call {
        method: name,
        body: params.unwrap_or(Value::Null),
        at: arrived,
        outcome: reply.status,
    });
    respond(reply)
}

fn respond(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(reply.body)).into_response()
}

/// Telegram: a token shaped like one but unknown is 401 "Unauthorized"; anything else in
/// its place is 404 "Not Found". teloxide reads both as `ApiError::InvalidToken`.
fn wrong_token(segment: &str) -> Reply {
    let token = segment.strip_prefix("bot").unwrap_or("");
    let shaped = token
        .split_once(':')
        .is_some_and(|(id, secret)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !secret.is_empty());
    if shaped {
        Reply::error(401, "Unauthorized")
    } else {
        Reply::error(404, "Not Found")
    }
}

/// `GET /file/bot{token}/{file_path}`: a few bytes that name the file.
fn download(method: &Method, rest: &str) -> Response {
    match rest.split_once('/') {
        Some((bot, path)) if bot.strip_prefix("bot") == Some(TOKEN) && method == Method::GET => {
            // teloxide sends the file path as one segment, its '/' as %2F.
            let bytes = file_bytes(&percent_decode(path));
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        _ => respond(Reply::error(404, "Not Found")),
    }
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        let hex = |b: Option<u8>| b.and_then(|b| char::from(b).to_digit(16));
        if b == b'%' {
            let mut ahead = bytes.clone();
            if let (Some(h), Some(l)) = (hex(ahead.next()), hex(ahead.next())) {
                out.push((h * 16 + l) as u8);
                bytes = ahead;
                continue;
            }
        }
        out.push(b);
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn file_bytes(path: &str) -> Vec<u8> {
    format!("fake telegram file {path}").into_bytes()
}

// ---------------------------------------------------------------------------------------
// Requests' parameters

/// The parameters as one JSON object, from the query string and a JSON, urlencoded or
/// multipart body (teloxide uses JSON, and multipart for methods that may upload files).
fn parse_params(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Result<Value, Reply> {
    let mut params = Map::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        params.insert(k.to_string(), typed(&k, &v));
    }
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if body.is_empty() {
    } else if ctype.starts_with("multipart/form-data") {
        multipart(ctype, body, &mut params)?;
    } else if ctype.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.to_string(), typed(&k, &v));
        }
    } else {
        // (Not Telegram's wording: teloxide always sends valid JSON.)
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => params.extend(m),
            Ok(Value::Null) => {}
            _ => return Err(bad("Bad Request: the request body is not a JSON object")),
        }
    }
    Ok(Value::Object(params))
}

/// Fields that are strings even when they look like numbers or JSON.
const STRING_FIELDS: [&str; 16] = [
    "text",
    "caption",
    "photo",
    "document",
    "file_id",
    "url",
    "secret_token",
    "callback_query_id",
    "inline_message_id",
    "description",
    "short_description",
    "name",
    "data",
    "language_code",
    "parse_mode",
    "ip_address",
];

/// A form field's text as the JSON value teloxide serialised it from.
fn typed(name: &str, value: &str) -> Value {
    if STRING_FIELDS.contains(&name) {
        return Value::String(value.to_owned());
    }
    match serde_json::from_str::<Value>(value) {
        Ok(v @ (Value::Object(_) | Value::Array(_) | Value::Number(_) | Value::Bool(_))) => v,
        _ => Value::String(value.to_owned()),
    }
}

/// Just enough of multipart/form-data for reqwest's forms: text fields, and file parts
/// (teloxide names them by a random id and puts `attach://{id}` in the field).
fn multipart(ctype: &str, body: &[u8], params: &mut Map<String, Value>) -> Result<(), Reply> {
    let boundary = ctype
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .ok_or_else(|| bad("Bad Request: multipart boundary missing"))?;
    let delimiter = format!("--{boundary}");
    let mut files = Map::new();
    for part in split_bytes(body, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break; // the closing delimiter
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let Some(name) = disposition(&head, "name") else {
            continue;
        };
        match disposition(&head, "filename") {
            Some(file_name) => {
                files.insert(name, json!({ "file_name": file_name, "size": content.len() }));
            }
            None => {
                let value = typed(&name, &String::from_utf8_lossy(content));
                params.insert(name, value);
            }
        }
    }
    for value in params.values_mut() {
        let attached = value.as_str().and_then(|s| s.strip_prefix("attach://"));
        if let Some(file) = attached.and_then(|id| files.get(id)) {
            *value = file.clone();
        }
    }
    Ok(())
}

fn disposition(head: &str, key: &str) -> Option<String> {
    let needle = format!("{key}=\"");
    head.lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
        .find_map(|l| {
            // `name="` must not match inside `filename="`.
            let start = l
                .match_indices(&needle)
                .find(|(i, _)| *i == 0 || matches!(l.as_bytes()[i - 1], b' ' | b';'))?
                .0
                + needle.len();
            let end = l[start..].find('"')?;
            Some(l[start..start + end].to_owned())
        })
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut hay: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(i) = find_bytes(hay, needle) {
        parts.push(&hay[..i]);
        hay = &hay[i + needle.len()..];
    }
    parts.push(hay);
    parts
}

/// A chat id given as a number or a numeric string ("@channel" names are not supported).
pub(super) fn as_chat_id(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}
