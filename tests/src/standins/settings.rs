//! mod-settings stand-in: `GET|PUT /locale` (POST accepted too) and `/settings/entries` CRUD
//! with CQL. A tenant starts with en-US / USD / UTC, as mod-settings does. mod-settings answers
//! errors as JSON `{"errors":[{"message","type","code"}]}`, so this stand-in does too.

use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::descriptor::{handler, module_descriptor};
use super::request::{is_uuid, json_response, no_content, Ctx};
use super::store::Store;

pub(crate) const ENTRIES: &str = "/settings/entries";

pub(crate) fn default_locale() -> Value {
    json!({"locale": "en-US", "currency": "USD", "timezone": "UTC"})
}

fn error(status: StatusCode, message: &str, code: &str) -> HttpResponse {
    json_response(
        status,
        &json!({"errors": [{"message": message, "type": "1", "code": code}]}),
    )
}

fn bad_request(message: &str) -> HttpResponse {
    error(StatusCode::BAD_REQUEST, message, "validationError")
}

fn body_object(ctx: &Ctx<'_>) -> Result<Map<String, Value>, HttpResponse> {
    match serde_json::from_slice::<Value>(ctx.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_request("Expected a JSON object")),
        Err(e) => Err(bad_request(&format!("Failed to decode: {e}"))),
    }
}

pub(crate) fn handle(ctx: &Ctx<'_>) -> Option<HttpResponse> {
    if ctx.path == "/locale" {
        return Some(locale(ctx));
    }
    if ctx.path == ENTRIES {
        return Some(entries(ctx));
    }
    let id = ctx.path.strip_prefix("/settings/entries/")?;
    if id.contains('/') {
        return None;
    }
    Some(entry(ctx, &id.to_lowercase()))
}

fn locale(ctx: &Ctx<'_>) -> HttpResponse {
    match *ctx.method {
        Method::GET => json_response(StatusCode::OK, &ctx.read().locale),
        Method::PUT | Method::POST => {
            let obj = match body_object(ctx) {
                Ok(o) => o,
                Err(r) => return r,
            };
            for key in ["locale", "currency", "timezone"] {
                if !obj.get(key).is_some_and(Value::is_string) {
                    return bad_request(&format!("Missing or invalid property: {key}"));
                }
            }
            for key in obj.keys() {
                if !matches!(
                    key.as_str(),
                    "locale" | "currency" | "timezone" | "numberingSystem"
                ) {
                    return bad_request(&format!("Unrecognized field \"{key}\""));
                }
            }
            ctx.write().locale = Value::Object(obj);
            no_content()
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            "notAllowed",
        ),
    }
}

fn validate_entry(obj: &Map<String, Value>) -> Result<(), HttpResponse> {
    for key in ["scope", "key"] {
        if !obj.get(key).is_some_and(Value::is_string) {
            return Err(bad_request(&format!("Missing or invalid property: {key}")));
        }
    }
    if !obj.contains_key("value") {
        return Err(bad_request("Missing property: value"));
    }
    Ok(())
}

fn entries(ctx: &Ctx<'_>) -> HttpResponse {
    match *ctx.method {
        Method::GET => {
            let (offset, limit) = match ctx.paging() {
                Ok(p) => p,
                Err(_) => return bad_request("Invalid offset or limit"),
            };
            let tenant = ctx.read();
            let empty = Store::default();
            let store = tenant.store(ENTRIES).unwrap_or(&empty);
            match store.search(ctx.param("query"), offset, limit) {
                Ok((page, total)) => json_response(
                    StatusCode::OK,
                    &json!({"items": page, "resultInfo": {"totalRecords": total, "diagnostics": []}}),
                ),
                Err(msg) => bad_request(&msg),
            }
        }
        Method::POST => {
            let mut obj = match body_object(ctx) {
                Ok(o) => o,
                Err(r) => return r,
            };
            if let Err(r) = validate_entry(&obj) {
                return r;
            }
            let id = match obj.get("id") {
                None => uuid::Uuid::new_v4().to_string(),
                Some(Value::String(s)) if is_uuid(s) => s.to_lowercase(),
                Some(_) => return bad_request("Invalid property: id"),
            };
            obj.insert("id".into(), Value::String(id.clone()));
            let mut tenant = ctx.write();
            let store = tenant.store_mut(ENTRIES);
            let clash = store.get(&id).is_some()
                || store.values().any(|e| {
                    e.get("scope") == obj.get("scope")
                        && e.get("key") == obj.get("key")
                        && e.get("userId") == obj.get("userId")
                });
            if clash {
                return bad_request("Setting already exists with that id or scope/key/userId");
            }
            store.put(id, Value::Object(obj));
            no_content()
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            "notAllowed",
        ),
    }
}

fn entry(ctx: &Ctx<'_>, id: &str) -> HttpResponse {
    let not_found = || {
        error(
            StatusCode::NOT_FOUND,
            &format!("Setting {id} not found"),
            "notFound",
        )
    };
    match *ctx.method {
        Method::GET => match ctx.read().store(ENTRIES).and_then(|s| s.get(id)) {
            Some(v) => json_response(StatusCode::OK, v),
            None => not_found(),
        },
        Method::PUT => {
            let mut obj = match body_object(ctx) {
                Ok(o) => o,
                Err(r) => return r,
            };
            if let Err(r) = validate_entry(&obj) {
                return r;
            }
            obj.insert("id".into(), Value::String(id.to_string()));
            let mut tenant = ctx.write();
            let store = tenant.store_mut(ENTRIES);
            if store.get(id).is_none() {
                return not_found();
            }
            store.put(id.to_string(), Value::Object(obj));
            no_content()
        }
        Method::DELETE => match ctx.write().store_mut(ENTRIES).remove(id) {
            Some(_) => no_content(),
            None => not_found(),
        },
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            "notAllowed",
        ),
    }
}

/// `mod-settings-standin-1.0.0`: interfaces `settings 1.2` and `locale 1.0`.
pub fn descriptor() -> Value {
    module_descriptor(
        "mod-settings-standin-1.0.0",
        "Settings and locale (in-memory stand-in)",
        vec![
            (
                "settings",
                "1.2",
                vec![
                    handler(&["GET", "POST"], ENTRIES),
                    handler(&["GET", "PUT", "DELETE"], "/settings/entries/{id}"),
                ],
            ),
            (
                "locale",
                "1.0",
                vec![handler(&["GET", "PUT", "POST"], "/locale")],
            ),
        ],
    )
}
