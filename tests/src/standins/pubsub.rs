//! mod-pubsub stand-in: `POST /pubsub/publish` keeps events in memory per tenant; the
//! registration calls a module makes on `POST /_/tenant` are accepted. Tests read the events
//! with [`super::Standins::published_events`] or `GET /pubsub/published` (stand-in only;
//! `DELETE /pubsub/published` clears them).

use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use serde_json::{json, Value};

use super::descriptor::{handler, module_descriptor};
use super::request::{json_response, no_content, text, Ctx};

pub(crate) fn handle(ctx: &Ctx<'_>) -> Option<HttpResponse> {
    if !ctx.path.starts_with("/pubsub/") {
        return None;
    }
    let m = ctx.method;
    Some(match ctx.path {
        "/pubsub/publish" if *m == Method::POST => publish(ctx),
        "/pubsub/published" if *m == Method::GET => {
            let events = ctx.read().events.clone();
            let n = events.len();
            json_response(
                StatusCode::OK,
                &json!({"events": events, "totalRecords": n}),
            )
        }
        "/pubsub/published" if *m == Method::DELETE => {
            ctx.write().events.clear();
            no_content()
        }
        "/pubsub/event-types"
        | "/pubsub/event-types/declare/publisher"
        | "/pubsub/event-types/declare/subscriber"
            if *m == Method::POST =>
        {
            match ctx.json_object() {
                Ok(o) => HttpResponse::Created()
                    .content_type("application/json")
                    .body(Value::Object(o).to_string()),
                Err(r) => r,
            }
        }
        "/pubsub/event-types" if *m == Method::GET => json_response(
            StatusCode::OK,
            &json!({"eventDescriptors": [], "totalRecords": 0}),
        ),
        "/pubsub/messaging-modules" if *m == Method::DELETE => no_content(),
        p if p.starts_with("/pubsub/event-types/") && *m == Method::DELETE => no_content(),
        _ => text(StatusCode::NOT_FOUND, "Not found"),
    })
}

fn publish(ctx: &Ctx<'_>) -> HttpResponse {
    let event = match ctx.json_object() {
        Ok(o) => o,
        Err(r) => return r,
    };
    if event.get("eventType").and_then(Value::as_str).is_none() {
        return text(StatusCode::BAD_REQUEST, "eventType is required");
    }
    ctx.write().events.push(Value::Object(event));
    no_content()
}

/// `mod-pubsub-standin-1.0.0`.
pub fn descriptor() -> Value {
    module_descriptor(
        "mod-pubsub-standin-1.0.0",
        "Pub-sub (in-memory stand-in)",
        vec![
            (
                "pubsub-event-types",
                "0.1",
                vec![
                    handler(&["GET", "POST"], "/pubsub/event-types"),
                    handler(
                        &["GET", "PUT", "DELETE"],
                        "/pubsub/event-types/{eventTypeName}",
                    ),
                ],
            ),
            (
                "pubsub-publishers",
                "0.1",
                vec![
                    handler(&["POST"], "/pubsub/event-types/declare/publisher"),
                    handler(
                        &["DELETE"],
                        "/pubsub/event-types/{eventTypeName}/publishers",
                    ),
                ],
            ),
            (
                "pubsub-subscribers",
                "0.1",
                vec![
                    handler(&["POST"], "/pubsub/event-types/declare/subscriber"),
                    handler(
                        &["DELETE"],
                        "/pubsub/event-types/{eventTypeName}/subscribers",
                    ),
                ],
            ),
            (
                "pubsub-publish",
                "0.1",
                vec![handler(&["POST"], "/pubsub/publish")],
            ),
            (
                "pubsub-messaging-modules",
                "0.1",
                vec![handler(&["DELETE"], "/pubsub/messaging-modules")],
            ),
            (
                "pubsub-standin",
                "1.0",
                vec![handler(&["GET", "DELETE"], "/pubsub/published")],
            ),
        ],
    )
}
