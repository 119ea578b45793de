//! What a stand-in handler sees of a request, and the FOLIO-shaped answers it builds.
use std::sync::{Arc, RwLock};

use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::server::Shared;
use super::store::TenantData;
use shared_types::okapi;

/// What a handler sees of the request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) tenant: Arc<RwLock<TenantData>>,
    pub(crate) tenant_id: &'a str,
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

impl Ctx<'_> {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, TenantData> {
        self.tenant.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, TenantData> {
        self.tenant.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Announces a change of a record of `path` (inventory's and users' records) when a
    /// broker is named; an item's event names its instance (through its holdings).
    pub(crate) fn changed(&self, path: &str, old: Option<&Value>, new: Option<&Value>) {
        let Some(events) = &self.shared.events else {
            return;
        };
        let instance = new
            .or(old)
            .and_then(|item| item.get("holdingsRecordId"))
            .and_then(Value::as_str)
            .and_then(|holdings| {
                self.read()
                    .store("/holdings-storage/holdings")
                    .and_then(|s| s.get(holdings))
                    .and_then(|h| h.get("instanceId"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        let now = chrono::Utc::now().timestamp_millis();
        if let Some((topic, key, value)) =
            super::events::change_event(self.tenant_id, path, old, new, instance.as_deref(), now)
        {
            events.send(topic, key, value);
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A call back through the gateway the request came from (`X-Okapi-Url`), with its Okapi
    /// headers, as a FOLIO module calls another: the body of a 2xx answer; otherwise the 500
    /// answer naming the call (logged under `module`).
    pub(crate) async fn call_back(
        &self,
        module: &str,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<String, HttpResponse> {
        let fail = |msg: String| {
            log::warn!("{module}: {msg}");
            text(StatusCode::INTERNAL_SERVER_ERROR, &msg)
        };
        let Some(okapi_url) = self.header(okapi::URL) else {
            return Err(text(
                StatusCode::BAD_REQUEST,
                &format!("X-Okapi-Url header is required to call {path_and_query}"),
            ));
        };
        let url = format!("{}{path_and_query}", okapi_url.trim_end_matches('/'));
        let call = format!("{method} {url}");
        let mut req = self
            .shared
            .http
            .request(method, &url)
            .header("Accept", "application/json, text/plain");
        for name in [
            okapi::TENANT,
            okapi::TOKEN,
            okapi::REQUEST_ID,
            okapi::URL,
            okapi::USER_ID,
        ] {
            if let Some(v) = self.header(name) {
                req = req.header(name, v);
            }
        }
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| fail(format!("{call} failed: {e}")))?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| fail(format!("{call} failed: {e}")))?;
        if !status.is_success() {
            return Err(fail(format!("{call} answered {status}: {text}")));
        }
        Ok(text)
    }

    /// The body as a JSON object, or the 400 answer.
    pub(crate) fn json_object(&self) -> Result<Map<String, Value>, HttpResponse> {
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(text(
                StatusCode::BAD_REQUEST,
                "Json content error: expected a JSON object",
            )),
            Err(e) => Err(text(
                StatusCode::BAD_REQUEST,
                &format!("Json content error: {e}"),
            )),
        }
    }

    /// `offset` and `limit` (default 10), or the 400 answer.
    pub(crate) fn paging(&self) -> Result<(usize, usize), HttpResponse> {
        let num = |name: &str, default: usize| -> Result<usize, HttpResponse> {
            match self.param(name) {
                None => Ok(default),
                Some(v) => v.trim().parse::<i64>().ok().filter(|n| *n >= 0).map_or_else(
                    || {
                        Err(text(
                            StatusCode::BAD_REQUEST,
                            &format!("'{name}' parameter is incorrect. parameter value {{{v}}} is not valid: must be an integer, greater than or equal to 0"),
                        ))
                    },
                    |n| Ok(usize::try_from(n).unwrap_or(usize::MAX)),
                ),
            }
        };
        Ok((num("offset", 0)?, num("limit", 10)?))
    }
}

pub(crate) fn text(status: StatusCode, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body(body.to_string())
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body.to_string())
}

pub(crate) fn not_found() -> HttpResponse {
    text(StatusCode::NOT_FOUND, "Not found")
}

pub(crate) fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// FOLIO's 422 envelope with one error.
pub(crate) fn unprocessable(message: &str, key: &str, value: &str) -> HttpResponse {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({"errors": [{"message": message, "type": "1", "code": "-1",
            "parameters": [{"key": key, "value": value}]}]}),
    )
}

pub(crate) fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

pub(crate) fn now_iso() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// Percent-encodes a query-string component (RFC 3986 unreserved characters stay).
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
