//! The proxy: routes a request to an instance of the module enabled for the tenant.
//!
//! # Header behaviour
//! Request, gateway → module:
//! - all client headers are forwarded, except hop-by-hop ones (`Connection` and the headers
//!   it names, `Keep-Alive`, `Proxy-*`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`),
//!   `Host`, `Content-Length`, `Expect`, `Authorization` (Okapi moves a Bearer token into
//!   `X-Okapi-Token` and drops the header), `X-Okapi-Module-Id` and the headers only Okapi and
//!   its auth module exchange (`X-Okapi-Permissions-Required`/`-Desired`,
//!   `X-Okapi-Module-Permissions`, `X-Okapi-Extra-Permissions`, `X-Okapi-Module-Tokens`,
//!   `X-Okapi-Filter`);
//! - `X-Okapi-Url`: the gateway's base URL;
//! - `X-Okapi-Tenant`: the tenant (header; else the `tenant` claim of the token; else
//!   `supertenant`, as in Okapi);
//! - `X-Okapi-Token`: passed through (from `X-Okapi-Token` or `Authorization: Bearer`; both
//!   present and different → 400); if absent, a dummy unsigned JWT
//!   `{"sub":"test_gateway","user_id":<user id if known>,"tenant":<tenant>}`;
//! - `X-Okapi-User-Id`: passed through; if absent, the `user_id` claim of the token (what the
//!   auth filter would return);
//! - `X-Okapi-Request-Id`: Okapi's chain: a new `NNNNNN/<first path segment>` (6 random
//!   digits; for `/_/x` paths the segment after `/_`), appended with `;` to an incoming id;
//! - `X-Okapi-Permissions`: the gateway plays the auth filter: a JSON array of the handler's
//!   `permissionsDesired` that the caller holds. The caller "holds" everything unless it sent
//!   its own `X-Okapi-Permissions` (JSON array, or comma list), which then stands for what
//!   the auth filter would grant; the result is the intersection, in `permissionsDesired`
//!   order, and is always set (possibly `[]`). `permissionsRequired` are *not* included
//!   (mod-authtoken checks them and returns only the desired ones it grants);
//! - `X-Okapi-Match-Path-Pattern`, `X-Okapi-request-ip`, `X-Okapi-request-timestamp`,
//!   `X-Okapi-request-method`: as in Okapi.
//!
//! Response, module → client: status and all headers (`Content-Type`, `Location`, ...) are
//! passed through, except hop-by-hop ones and the internal auth headers. A body with a
//! `Content-Length` is streamed with that length; a chunked body is streamed chunked
//! (Okapi re-chunks everything; keeping the length is friendlier to clients).
//! Request bodies (chunked or not) are read into memory, then sent with a length.
//!
//! Errors (Okapi's texts, `text/plain`): unknown tenant → 400 `No such Tenant <t>`; no
//! handler → 404 `No suitable module found for path and tenant` (since OKAPI-1039 Okapi no
//! longer echoes the path in the body; the detailed `... for path <p> for tenant <t>` goes to
//! the log); no instance registered → 404 `No running module instance found for <id>`;
//! transport failure → 500 `proxyClient failure: <module> <url>: <msg>`.

use std::collections::HashSet;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use actix_web::body::SizedStream;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::registry::SUPERTENANT;
use super::{text_response, SharedState};

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
];

/// Headers only Okapi and its auth module exchange; never forwarded either way.
const INTERNAL_AUTH: &[&str] = &[
    "x-okapi-module-tokens",
    "x-okapi-module-permissions",
    "x-okapi-permissions-required",
    "x-okapi-permissions-desired",
    "x-okapi-extra-permissions",
    "x-okapi-filter",
];

/// Request headers the gateway drops or sets itself.
const REPLACED: &[&str] = &[
    "host",
    "content-length",
    "expect",
    "authorization",
    "x-okapi-module-id",
    "x-okapi-url",
    "x-okapi-tenant",
    "x-okapi-token",
    "x-okapi-user-id",
    "x-okapi-request-id",
    "x-okapi-permissions",
    "x-okapi-match-path-pattern",
    "x-okapi-request-ip",
    "x-okapi-request-timestamp",
    "x-okapi-request-method",
];

/// Default service: everything that is not admin API.
pub(crate) async fn proxy(req: HttpRequest, body: web::Bytes, state: SharedState) -> HttpResponse {
    let path = req.path().to_string();
    forward(state, req, body, path, None).await
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Proxies `req` to the handler of `path` (the request path, or the rest of an
/// `/_/invoke/tenant/{t}/...` path with the tenant given).
pub(crate) async fn forward(
    state: SharedState,
    req: HttpRequest,
    body: web::Bytes,
    path: String,
    tenant_from_path: Option<String>,
) -> HttpResponse {
    let started = Instant::now();
    let method = req.method().as_str().to_string();

    // token: X-Okapi-Token or Authorization: Bearer
    let x_token = header(&req, "x-okapi-token").map(str::to_string);
    let bearer = header(&req, "authorization").map(|a| {
        a.strip_prefix("Bearer ")
            .map(str::trim)
            .unwrap_or(a)
            .to_string()
    });
    let token = match (x_token, bearer) {
        (Some(t), Some(b)) if t != b => {
            return text_response(
                StatusCode::BAD_REQUEST,
                "Different tokens in Authentication and X-Okapi-Token. Use only one of them",
            )
        }
        (Some(t), _) => Some(t),
        (None, b) => b,
    };
    let mut claims: Option<Value> = None;
    let tenant = if let Some(t) = tenant_from_path {
        t
    } else if let Some(t) = header(&req, "x-okapi-tenant") {
        t.to_string()
    } else {
        match token.as_deref().map(decode_token) {
            Some(Err(e)) => {
                return text_response(StatusCode::BAD_REQUEST, format!("Invalid Token: {e}"))
            }
            Some(Ok(c)) => {
                let t = c
                    .get("tenant")
                    .and_then(Value::as_str)
                    .unwrap_or(SUPERTENANT)
                    .to_string();
                claims = Some(c);
                t
            }
            None => SUPERTENANT.to_string(),
        }
    };
    let request_id = chain_request_id(header(&req, "x-okapi-request-id"), &path);

    // routing index of the tenant
    let routes = {
        let cached = state
            .registry
            .read()
            .expect("registry lock")
            .cached_routes(&tenant);
        match cached {
            None => None,
            Some(Some(rt)) => Some(rt),
            Some(None) => state
                .registry
                .write()
                .expect("registry lock")
                .routes(&tenant),
        }
    };
    let Some(routes) = routes else {
        log::warn!("{request_id} {tenant} {method} {path}: 400 No such Tenant {tenant}");
        return text_response(StatusCode::BAD_REQUEST, format!("No such Tenant {tenant}"));
    };
    let module_id_header = header(&req, "x-okapi-module-id");
    let Some(route) = routes.lookup(&path, &method, module_id_header).cloned() else {
        log::warn!(
            "{request_id} {tenant} {method} {path}: 404 No suitable module found for path {path} for tenant {tenant}"
        );
        return text_response(
            StatusCode::NOT_FOUND,
            "No suitable module found for path and tenant",
        );
    };

    if !state.hop_overhead.is_zero() {
        tokio::time::sleep(state.hop_overhead).await;
    }

    let instances = state
        .registry
        .write()
        .expect("registry lock")
        .instances_round_robin(&route.module_id);
    if instances.is_empty() {
        let msg = format!("No running module instance found for {}", route.module_id);
        log::warn!("{request_id} {tenant} {method} {path}: 404 {msg}");
        return text_response(StatusCode::NOT_FOUND, msg);
    }

    // headers to the module
    let mut out = copy_request_headers(&req);
    let user_id = match header(&req, "x-okapi-user-id") {
        Some(u) => Some(u.to_string()),
        None => {
            if claims.is_none() {
                claims = token.as_deref().and_then(|t| decode_token(t).ok());
            }
            claims
                .as_ref()
                .and_then(|c| c.get("user_id"))
                .and_then(Value::as_str)
                .map(str::to_string)
        }
    };
    let token = token.unwrap_or_else(|| dummy_token(&tenant, user_id.as_deref()));
    let granted = header(&req, "x-okapi-permissions").map(parse_permissions);
    let permissions: Vec<&String> = route
        .entry
        .permissions_desired
        .iter()
        .filter(|p| granted.as_ref().is_none_or(|g| g.contains(p.as_str())))
        .collect();
    let permissions = serde_json::to_string(&permissions).expect("string list");
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            out.insert(HeaderName::from_static(name), v);
        }
    };
    set("x-okapi-url", &state.base_url);
    set("x-okapi-tenant", &tenant);
    set("x-okapi-token", &token);
    if let Some(u) = &user_id {
        set("x-okapi-user-id", u);
    }
    set("x-okapi-request-id", &request_id);
    set("x-okapi-permissions", &permissions);
    if let Some(p) = &route.entry.path_pattern {
        set("x-okapi-match-path-pattern", p);
    }
    set("x-okapi-request-ip", &peer);
    set("x-okapi-request-timestamp", &now_ms.to_string());
    set("x-okapi-request-method", &method);

    let path_and_query = match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let req_method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let send_body = !body.is_empty() || matches!(method.as_str(), "POST" | "PUT" | "PATCH");

    let mut last_error = None;
    for (attempt, instance) in instances.iter().enumerate() {
        let url = format!("{instance}{path_and_query}");
        let mut rb = state
            .client
            .request(req_method.clone(), &url)
            .headers(out.clone());
        if send_body {
            rb = rb.body(body.clone());
        }
        match rb.send().await {
            Ok(resp) => {
                log::info!(
                    "{request_id} {tenant} {method} {path} -> {} {instance} {} {:.1}ms",
                    route.module_id,
                    resp.status().as_u16(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
                return relay_response(resp, &method);
            }
            Err(e) if e.is_connect() && attempt + 1 < instances.len() => {
                log::warn!(
                    "{request_id} {tenant} {method} {path}: {} instance {instance} refused ({e}); trying next",
                    route.module_id
                );
                last_error = Some(e);
            }
            Err(e) => {
                last_error = Some(e);
                let msg = format!(
                    "proxyClient failure: {} {instance}: {}: {method} {url}",
                    route.module_id,
                    error_chain(last_error.as_ref().expect("set"))
                );
                log::warn!(
                    "{request_id} {tenant} {method} {path} -> {} {instance} 500 {:.1}ms {msg}",
                    route.module_id,
                    started.elapsed().as_secs_f64() * 1000.0
                );
                return text_response(StatusCode::INTERNAL_SERVER_ERROR, msg);
            }
        }
    }
    // unreachable in practice: the last attempt always returns
    text_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "proxyClient failure: {}: {}",
            route.module_id,
            last_error.map(|e| e.to_string()).unwrap_or_default()
        ),
    )
}

fn error_chain(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn connection_tokens(req: &HttpRequest) -> HashSet<String> {
    req.headers()
        .get_all("connection")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn copy_request_headers(req: &HttpRequest) -> HeaderMap {
    let named = connection_tokens(req);
    let mut out = HeaderMap::new();
    for (name, value) in req.headers().iter() {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n)
            || INTERNAL_AUTH.contains(&n)
            || REPLACED.contains(&n)
            || named.contains(n)
        {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            out.append(n, v);
        }
    }
    out
}

fn relay_response(resp: reqwest::Response, method: &str) -> HttpResponse {
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut builder = HttpResponse::build(status);
    let named: HashSet<String> = resp
        .headers()
        .get_all("connection")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    for (name, value) in resp.headers() {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n)
            || INTERNAL_AUTH.contains(&n)
            || n == "content-length"
            || named.contains(n)
        {
            continue;
        }
        builder.append_header((n, value.as_bytes()));
    }
    if method == "HEAD"
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || status.is_informational()
    {
        return builder.finish();
    }
    let length = resp.content_length();
    let stream = futures::stream::unfold(Some(resp), |state| async move {
        let mut resp = state?;
        match resp.chunk().await {
            Ok(Some(bytes)) => Some((Ok(bytes), Some(resp))),
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    });
    match length {
        Some(len) => builder.body(SizedStream::new(len, Box::pin(stream))),
        None => builder.streaming(stream),
    }
}

/// Okapi's request id chain: `NNNNNN/<segment>`, appended with `;` to an incoming id.
pub fn chain_request_id(incoming: Option<&str>, path: &str) -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 1_000_000;
    let p = path.as_bytes();
    let start = if path.starts_with("/_/") { 2 } else { 0 };
    let mut end = (start + 1).min(p.len());
    while end < p.len() && p[end] != b'/' && p[end] != b'?' {
        end += 1;
    }
    let new_id = format!("{n:06}{}", &path[start.min(path.len())..end]);
    match incoming {
        Some(cur) if !cur.is_empty() => format!("{cur};{new_id}"),
        _ => new_id,
    }
}

fn parse_permissions(value: &str) -> HashSet<String> {
    match serde_json::from_str::<Vec<String>>(value) {
        Ok(list) => list.into_iter().collect(),
        Err(_) => value
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    }
}

/// A dummy, unsigned JWT carrying tenant and user id (modules behind the gateway decode the
/// payload without checking a signature, as behind Okapi without mod-authtoken).
pub fn dummy_token(tenant: &str, user_id: Option<&str>) -> String {
    let header = serde_json::json!({"alg": "none", "typ": "JWT"});
    let mut payload = serde_json::json!({"sub": "test_gateway", "tenant": tenant});
    if let Some(u) = user_id {
        payload["user_id"] = Value::String(u.to_string());
    }
    format!(
        "{}.{}.unsigned",
        base64url(header.to_string().as_bytes()),
        base64url(payload.to_string().as_bytes())
    )
}

/// Decodes the payload of a JWT without validation (Okapi's `OkapiToken`).
pub fn decode_token(token: &str) -> Result<Value, String> {
    let mut parts = token.splitn(3, '.');
    let _header = parts.next();
    let payload = parts.next();
    if parts.next().is_none() {
        return Err("Missing . separator for token".to_string());
    }
    let bytes = shared_types::okapi::base64url_decode(payload.unwrap_or_default())
        .ok_or_else(|| "Illegal base64 character in token".to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids() {
        let id = chain_request_id(None, "/circulation/check-out-by-barcode");
        assert_eq!(id.len(), 6 + "/circulation".len());
        assert!(id.ends_with("/circulation"));
        let id = chain_request_id(Some("123456/circulation"), "/item-storage/items?x=1");
        assert!(id.starts_with("123456/circulation;"));
        assert!(id.ends_with("/item-storage"));
        assert!(chain_request_id(None, "/_/tenant").ends_with("/tenant"));
    }

    #[test]
    fn tokens() {
        let t = dummy_token("diku", Some("u1"));
        let c = decode_token(&t).unwrap();
        assert_eq!(c["tenant"], "diku");
        assert_eq!(c["user_id"], "u1");
        assert!(decode_token("nodots").is_err());
        for n in 0..10 {
            let data: Vec<u8> = (0..n).collect();
            assert_eq!(
                shared_types::okapi::base64url_decode(&base64url(&data)).unwrap(),
                data
            );
        }
    }
}
