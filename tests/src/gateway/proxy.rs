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

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use actix_web::body::SizedStream;
use actix_web::http::header::HeaderName as InHeaderName;
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

/// The HTTP client of one gateway worker (see [`super::Gateway::start`]): the connections it
/// opens are driven by that worker's runtime, so proxying a request never hands it to
/// another thread.
pub(crate) struct WorkerClient(pub(crate) reqwest::Client);

/// Request header names the proxy reads (parsed once, not per lookup).
struct Names {
    token: InHeaderName,
    authorization: InHeaderName,
    tenant: InHeaderName,
    request_id: InHeaderName,
    module_id: InHeaderName,
    user_id: InHeaderName,
    permissions: InHeaderName,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| Names {
        token: InHeaderName::from_static("x-okapi-token"),
        authorization: InHeaderName::from_static("authorization"),
        tenant: InHeaderName::from_static("x-okapi-tenant"),
        request_id: InHeaderName::from_static("x-okapi-request-id"),
        module_id: InHeaderName::from_static("x-okapi-module-id"),
        user_id: InHeaderName::from_static("x-okapi-user-id"),
        permissions: InHeaderName::from_static("x-okapi-permissions"),
    })
}

fn header<'a>(req: &'a HttpRequest, name: &InHeaderName) -> Option<&'a str> {
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
    let names = names();
    let method = req.method().as_str();

    // token: X-Okapi-Token or Authorization: Bearer
    let x_token = header(&req, &names.token);
    let bearer = header(&req, &names.authorization)
        .map(|a| a.strip_prefix("Bearer ").map(str::trim).unwrap_or(a));
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
    let mut claims: Option<Rc<Result<Value, String>>> = None;
    let tenant: Cow<'_, str> = if let Some(t) = tenant_from_path {
        Cow::Owned(t)
    } else if let Some(t) = header(&req, &names.tenant) {
        Cow::Borrowed(t)
    } else {
        match token {
            None => Cow::Borrowed(SUPERTENANT),
            Some(t) => {
                let decoded = decode_token_cached(t);
                let tenant = match &*decoded {
                    Err(e) => {
                        return text_response(
                            StatusCode::BAD_REQUEST,
                            format!("Invalid Token: {e}"),
                        )
                    }
                    Ok(c) => c
                        .get("tenant")
                        .and_then(Value::as_str)
                        .unwrap_or(SUPERTENANT)
                        .to_string(),
                };
                claims = Some(decoded);
                Cow::Owned(tenant)
            }
        }
    };
    let tenant = &*tenant;
    let request_id = chain_request_id(header(&req, &names.request_id), &path);

    // routing index of the tenant
    let routes = {
        let cached = state
            .registry
            .read()
            .expect("registry lock")
            .cached_routes(tenant);
        match cached {
            None => None,
            Some(Some(rt)) => Some(rt),
            Some(None) => state
                .registry
                .write()
                .expect("registry lock")
                .routes(tenant),
        }
    };
    let Some(routes) = routes else {
        log::warn!("{request_id} {tenant} {method} {path}: 400 No such Tenant {tenant}");
        return text_response(StatusCode::BAD_REQUEST, format!("No such Tenant {tenant}"));
    };
    let module_id_header = header(&req, &names.module_id);
    let Some(route) = routes.lookup(&path, method, module_id_header) else {
        log::warn!(
            "{request_id} {tenant} {method} {path}: 404 No suitable module found for path {path} for tenant {tenant}"
        );
        return text_response(
            StatusCode::NOT_FOUND,
            "No suitable module found for path and tenant",
        );
    };

    if !state.hop_overhead.is_zero() {
        crate::standins::timer::sleep_until(started + state.hop_overhead).await;
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
    let user_id: Option<&str> = match header(&req, &names.user_id) {
        Some(u) => Some(u),
        None => {
            if claims.is_none() {
                claims = token.map(decode_token_cached);
            }
            claims
                .as_deref()
                .and_then(|c| c.as_ref().ok())
                .and_then(|c| c.get("user_id"))
                .and_then(Value::as_str)
        }
    };
    let dummy;
    let token = match token {
        Some(t) => t,
        None => {
            dummy = dummy_token(tenant, user_id);
            &dummy
        }
    };
    let permissions: Cow<'_, str> = match header(&req, &names.permissions) {
        None => Cow::Borrowed(&route.permissions_desired_json),
        Some(value) => {
            let granted = parse_permissions(value);
            let permissions: Vec<&String> = route
                .entry
                .permissions_desired
                .iter()
                .filter(|p| granted.contains(p.as_str()))
                .collect();
            Cow::Owned(serde_json::to_string(&permissions).expect("string list"))
        }
    };
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
    set("x-okapi-tenant", tenant);
    set("x-okapi-token", token);
    if let Some(u) = user_id {
        set("x-okapi-user-id", u);
    }
    set("x-okapi-request-id", &request_id);
    set("x-okapi-permissions", &permissions);
    if let Some(p) = &route.entry.path_pattern {
        set("x-okapi-match-path-pattern", p);
    }
    set("x-okapi-request-ip", &peer);
    set("x-okapi-request-timestamp", &now_ms.to_string());
    set("x-okapi-request-method", method);

    let query = req.uri().query();
    let req_method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let send_body = !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH");
    let client = match req.app_data::<WorkerClient>() {
        Some(c) => &c.0,
        None => &state.client,
    };

    let mut last_error = None;
    let mut out = Some(out);
    for (attempt, instance) in instances.iter().enumerate() {
        let last = attempt + 1 == instances.len();
        let headers = if last {
            out.take().unwrap_or_default()
        } else {
            out.clone().unwrap_or_default()
        };
        let rb = match target_url(instance, &path, query) {
            Some(url) => client.request(req_method.clone(), url),
            None => client.request(req_method.clone(), concat_url(instance, &path, query)),
        };
        let mut rb = rb.headers(headers);
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
                return relay_response(resp, method);
            }
            Err(e) if e.is_connect() && !last => {
                log::warn!(
                    "{request_id} {tenant} {method} {path}: {} instance {instance} refused ({e}); trying next",
                    route.module_id
                );
                last_error = Some(e);
            }
            Err(e) => {
                last_error = Some(e);
                let url = concat_url(instance, &path, query);
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

/// The URL of the proxied request as text: instance URL, path and query, concatenated.
fn concat_url(instance: &str, path: &str, query: Option<&str>) -> String {
    match query {
        Some(q) => format!("{instance}{path}?{q}"),
        None => format!("{instance}{path}"),
    }
}

/// The parsed URL of the proxied request, without parsing scheme, host and port again for
/// every request: for an instance URL that is just `scheme://host[:port]` the parsed base
/// is kept per thread and only path and query are set (the same URL parser, so the result
/// equals parsing [`concat_url`]). `None` for other instance URLs (the caller parses the
/// concatenation then).
fn target_url(instance: &str, path: &str, query: Option<&str>) -> Option<reqwest::Url> {
    thread_local! {
        static BASES: RefCell<HashMap<String, Option<reqwest::Url>>> = RefCell::new(HashMap::new());
    }
    if !path.starts_with('/') || path.contains(['?', '#']) {
        return None;
    }
    let mut url = BASES.with(|bases| {
        let mut bases = bases.borrow_mut();
        if let Some(base) = bases.get(instance) {
            return base.clone();
        }
        let base = reqwest::Url::parse(instance).ok().filter(|u| {
            u.path() == "/"
                && !instance.ends_with('/')
                && u.query().is_none()
                && u.fragment().is_none()
                && !u.cannot_be_a_base()
                && instance.starts_with(u.scheme())
        });
        if bases.len() >= 256 {
            bases.clear();
        }
        bases.insert(instance.to_string(), base.clone());
        base
    })?;
    url.set_path(path);
    url.set_query(query);
    Some(url)
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

/// The lower-case header names listed in the `Connection` headers (none: no allocation).
fn connection_tokens<'a>(values: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    values
        .filter_map(|v| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Hop-by-hop and internal auth headers, never forwarded either way.
fn hop_or_internal(name: &str) -> bool {
    HOP_BY_HOP.contains(&name) || INTERNAL_AUTH.contains(&name)
}

fn copy_request_headers(req: &HttpRequest) -> HeaderMap {
    let named = connection_tokens(
        req.headers()
            .get_all(actix_web::http::header::CONNECTION)
            .map(|v| v.as_bytes()),
    );
    let mut out = HeaderMap::with_capacity(req.headers().len() + 10);
    for (name, value) in req.headers().iter() {
        let n = name.as_str();
        if hop_or_internal(n) || REPLACED.contains(&n) || named.iter().any(|t| t == n) {
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
    let named = connection_tokens(
        resp.headers()
            .get_all(reqwest::header::CONNECTION)
            .iter()
            .map(|v| v.as_bytes()),
    );
    for (name, value) in resp.headers() {
        let n = name.as_str();
        if hop_or_internal(n) || n == "content-length" || named.iter().any(|t| t == n) {
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
    let n = random_u64() % 1_000_000;
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

/// A per-thread xorshift64* generator seeded from std's random hasher keys (no syscall
/// per request; the request id digits need no cryptographic quality).
fn random_u64() -> u64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(
            std::collections::hash_map::RandomState::new().build_hasher().finish() | 1,
        );
    }
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
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
    static HEADER: OnceLock<String> = OnceLock::new();
    let header = HEADER.get_or_init(|| {
        base64url(
            serde_json::json!({"alg": "none", "typ": "JWT"})
                .to_string()
                .as_bytes(),
        )
    });
    // serde_json's objects keep their keys sorted: sub, tenant, user_id.
    let quoted = |s: &str| serde_json::to_string(s).expect("string");
    let payload = match user_id {
        Some(u) => format!(
            r#"{{"sub":"test_gateway","tenant":{},"user_id":{}}}"#,
            quoted(tenant),
            quoted(u)
        ),
        None => format!(r#"{{"sub":"test_gateway","tenant":{}}}"#, quoted(tenant)),
    };
    format!("{header}.{}.unsigned", base64url(payload.as_bytes()))
}

/// [`decode_token`] with a small per-thread cache (callers send the same token again and
/// again).
fn decode_token_cached(token: &str) -> Rc<Result<Value, String>> {
    thread_local! {
        static DECODED: RefCell<HashMap<String, Rc<Result<Value, String>>>> =
            RefCell::new(HashMap::new());
    }
    DECODED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(hit) = cache.get(token) {
            return hit.clone();
        }
        let decoded = Rc::new(decode_token(token));
        if cache.len() >= 1024 {
            cache.clear();
        }
        cache.insert(token.to_string(), decoded.clone());
        decoded
    })
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
    fn target_urls_equal_parsing_the_concatenation() {
        let cases = [
            ("http://127.0.0.1:9130", "/a/b", Some("x=1&y=%20z")),
            ("http://127.0.0.1:9130", "/a/../b/./c", None),
            ("http://LOCALHOST:80", "//double/slash", Some("")),
            (
                "http://127.0.0.1:1",
                "/%7Bid%7D/caf%C3%A9/{x}|",
                Some("q=a|b\"c\""),
            ),
            ("http://127.0.0.1:1", "/", None),
        ];
        for (instance, path, query) in cases {
            let fast = target_url(instance, path, query).expect("fast path");
            let parsed = reqwest::Url::parse(&concat_url(instance, path, query)).unwrap();
            assert_eq!(fast, parsed, "{instance} {path} {query:?}");
            assert_eq!(fast.as_str(), parsed.as_str());
        }
        // instance URLs with a path, a trailing slash or a query are parsed whole
        for instance in [
            "http://h:1/prefix",
            "http://h:1/",
            "http://h:1?x",
            "not a url",
        ] {
            assert!(target_url(instance, "/a", None).is_none(), "{instance}");
        }
        assert!(target_url("http://h:1", "/a?b", None).is_none());
    }

    #[test]
    fn dummy_tokens_are_what_serde_json_builds() {
        let old = |tenant: &str, user_id: Option<&str>| {
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
        };
        for (t, u) in [
            ("diku", None),
            ("diku", Some("u1")),
            ("we\"ird\\t\u{e9}", Some("a\nb")),
        ] {
            assert_eq!(dummy_token(t, u), old(t, u));
        }
    }

    #[test]
    fn cached_token_decoding() {
        let t = dummy_token("diku", Some("u2"));
        for _ in 0..2 {
            let c = decode_token_cached(&t);
            assert_eq!(c.as_ref().as_ref().unwrap()["user_id"], "u2");
        }
        assert!(decode_token_cached("x").is_err());
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
