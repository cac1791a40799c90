//! `GET /api/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD`: the report's figures as JSON, for the
//! dashboard. Days are in the agency's time zone, as for `sigap report`.

use super::WebState;
use crate::report::Period;
use crate::store::report;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn kpis(State(s): State<WebState>, RawQuery(query): RawQuery) -> Response {
    // Read by hand so that any malformed query gets our JSON error, not the extractor's text.
    let (mut from, mut to) = (None, None);
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "from" => from = Some(v.into_owned()),
            "to" => to = Some(v.into_owned()),
            _ => {}
        }
    }
    let period = match (from, to) {
        (Some(from), Some(to)) => Period::parse(&from, &to, s.env.settings.timezone),
        (None, _) => Err(crate::report::PeriodError::Missing("from")),
        (Some(_), None) => Err(crate::report::PeriodError::Missing("to")),
    };
    let period = match period {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let figures = async {
        let mut conn = s.pool.acquire().await?;
        report::kpis(&mut conn, period.start(), period.end()).await
    };
    match figures.await {
        Ok(k) => Json(k).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "kpis: database error");
            error(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
