//! mod-notify stand-in: `POST /patron-notice` keeps each notice in memory per tenant instead of
//! rendering and sending it. Tests read them with [`super::Standins::sent_notices`] or
//! `GET /patron-notice/sent` (stand-in only).

use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use serde_json::{json, Value};

use super::descriptor::{handler, module_descriptor};
use super::request::{json_response, text, unprocessable, Ctx};

/// What mod-notify's `patron-notice.json` requires.
const REQUIRED: [&str; 4] = [
    "recipientId",
    "templateId",
    "deliveryChannel",
    "outputFormat",
];

pub(crate) fn handle(ctx: &Ctx<'_>) -> Option<HttpResponse> {
    if !ctx.path.starts_with("/patron-notice") {
        return None;
    }
    let m = ctx.method;
    Some(match ctx.path {
        "/patron-notice" if *m == Method::POST => send(ctx),
        "/patron-notice/sent" if *m == Method::GET => {
            let notices = ctx.read().notices.clone();
            let n = notices.len();
            json_response(
                StatusCode::OK,
                &json!({"notices": notices, "totalRecords": n}),
            )
        }
        _ => text(StatusCode::NOT_FOUND, "Not found"),
    })
}

fn send(ctx: &Ctx<'_>) -> HttpResponse {
    let notice = match ctx.json_object() {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Some(missing) = REQUIRED
        .iter()
        .find(|k| notice.get(**k).and_then(Value::as_str).is_none())
    {
        return unprocessable("may not be null", missing, "null");
    }
    ctx.write().notices.push(Value::Object(notice));
    HttpResponse::Ok().finish()
}

/// `mod-notify-standin-1.0.0`: interface `patron-notice 1.0`.
pub fn descriptor() -> Value {
    module_descriptor(
        "mod-notify-standin-1.0.0",
        "Notify (in-memory stand-in)",
        vec![
            (
                "patron-notice",
                "1.0",
                vec![handler(&["POST"], "/patron-notice")],
            ),
            (
                "patron-notice-standin",
                "1.0",
                vec![handler(&["GET"], "/patron-notice/sent")],
            ),
        ],
    )
}
