//! `GET /patron-action-session-storage/expired-session-patron-ids`: the patrons whose latest
//! check-in or check-out session is older than a limit (their notices are due).
use super::{integer_parameters, Params, State};
use crate::db::{self, sessions};
use crate::error::StorageError;
use crate::records::dates;
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

const PATH: &str = "/patron-action-session-storage/expired-session-patron-ids";
const ACTION_TYPES: [&str; 2] = ["Check-out", "Check-in"];

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::get().to(expired));
}

pub(crate) fn served_routes() -> Vec<(&'static str, String)> {
    vec![("GET", PATH.into())]
}

/// Groups sessions by patron and action type, keeps the groups whose newest session was created
/// before `session_inactivity_time_limit`, oldest first, at most `limit` (default 10).
async fn expired(
    tenant: TenantId,
    params: Params,
    state: State,
) -> Result<HttpResponse, StorageError> {
    // This GET has a `limit` but no `offset`.
    let limit = integer_parameters(&params, &[("limit", 10)])?[0];
    // `required: true` in the RAML: RMB's method validator refuses an absent value (400 text).
    let Some(limit_text) = params.get("session_inactivity_time_limit") else {
        return Err(StorageError::BadRequest(
            "\n 'sessionInactivityTimeLimit' parameter is incorrect. \
             parameter value {null} is not valid: must not be null"
                .into(),
        ));
    };
    let Some(inactive_since) = dates::parse_date_time(limit_text) else {
        return Err(StorageError::invalid(
            "Date cannot be parsed",
            "session_inactivity_time_limit",
            Some(limit_text.clone()),
        ));
    };
    let action_type = match params.get("action_type").map(String::as_str) {
        None => None,
        Some(t) if t.trim().is_empty() => None,
        Some(t) if ACTION_TYPES.contains(&t) => Some(t.to_string()),
        // FOLIO reports the date parameter's value under `action_type`; kept as it is.
        Some(_) => {
            return Err(StorageError::invalid(
                "Invalid action type value",
                "action_type",
                Some(limit_text.clone()),
            ))
        }
    };
    let since = dates::iso_millis_offset(inactive_since);
    let rows = db::read(&state.pool, &tenant, move |c| {
        sessions::expired(c, action_type.as_deref(), &since, limit)
    })
    .await?;
    let sessions: Vec<Value> = rows
        .iter()
        .map(|r| json!({"patronId": r.patron_id, "actionType": r.action_type}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"expiredSessions": sessions})))
}
