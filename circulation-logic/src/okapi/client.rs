//! The Okapi client: one `reqwest::Client` per process, and a per-request [`Okapi`] handle that
//! sends every call to the incoming `X-Okapi-Url`, forwards the Okapi headers and times the hop.
use super::timing::HopLog;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use reqwest::{Method, Url};
use serde_json::Value;
use shared_types::okapi;
use std::time::Instant;

/// The process-wide HTTP client (connection pool), timeouts from `OKAPI_TIMEOUT_MS`.
pub(crate) fn build_http_client(timeout_ms: u64) -> reqwest::Client {
    okapi::http_client(timeout_ms)
}

/// A downstream answer that the caller interprets itself.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub(crate) fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The same status, content type and body, as FOLIO's "forward on failure".
    pub(crate) fn forward(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY);
        HttpResponse::build(status)
            .content_type(
                self.content_type
                    .clone()
                    .unwrap_or_else(|| "text/plain".to_string()),
            )
            .body(self.body.clone())
    }
}

/// Why a downstream call gave no usable answer. Every variant names the call.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum CallError {
    #[error("{name}: no answer within {timeout_ms} ms")]
    Timeout { name: String, timeout_ms: u64 },
    #[error("{name}: cannot reach the gateway: {detail}")]
    Unreachable { name: String, detail: String },
    #[error("{name}: not found")]
    NotFound { name: String },
    #[error("{name}: failed with status {}: {}", reply.status, reply.body)]
    Failed { name: String, reply: Reply },
    #[error("{name}: unreadable answer: {detail}")]
    BadBody { name: String, detail: String },
}

impl CallError {
    pub(crate) fn name(&self) -> &str {
        match self {
            CallError::Timeout { name, .. }
            | CallError::Unreachable { name, .. }
            | CallError::NotFound { name }
            | CallError::Failed { name, .. }
            | CallError::BadBody { name, .. } => name,
        }
    }

    /// Timeouts and server faults become a 5xx naming the call; a refusal (4xx) from a
    /// downstream module is forwarded as FOLIO does.
    pub(crate) fn to_response(&self) -> HttpResponse {
        let text = |status: StatusCode, message: String| {
            HttpResponse::build(status)
                .content_type("text/plain")
                .body(message)
        };
        match self {
            CallError::Timeout { .. } => text(
                StatusCode::GATEWAY_TIMEOUT,
                format!("downstream call {self}"),
            ),
            CallError::Unreachable { .. } | CallError::BadBody { .. } => {
                text(StatusCode::BAD_GATEWAY, format!("downstream call {self}"))
            }
            CallError::NotFound { .. } => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("downstream call {self}"),
            ),
            CallError::Failed { reply, .. } if reply.status >= 500 => {
                text(StatusCode::BAD_GATEWAY, format!("downstream call {self}"))
            }
            CallError::Failed { reply, .. } => reply.forward(),
        }
    }
}

/// The Okapi context of one incoming request.
#[derive(Clone)]
pub(crate) struct Okapi {
    http: reqwest::Client,
    base: String,
    /// `base` parsed once per incoming request (`None`: not a URL), not once per call.
    base_url: Option<Url>,
    forwarded: Vec<(&'static str, String)>,
    timeout_ms: u64,
    pub tenant: String,
    pub user_id: Option<String>,
    pub request_id: Option<String>,
    pub permissions: Vec<String>,
    pub hops: HopLog,
}

fn header(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl Okapi {
    /// Reads the Okapi headers; `Err` is the text of a 400 (no gateway URL or tenant).
    pub(crate) fn from_headers(
        http: &reqwest::Client,
        timeout_ms: u64,
        req: &HttpRequest,
    ) -> Result<Okapi, String> {
        let base = header(req, okapi::URL).ok_or("Missing X-Okapi-Url header")?;
        let tenant = header(req, okapi::TENANT).ok_or("Missing X-Okapi-Tenant header")?;
        let forwarded = [
            okapi::TENANT,
            okapi::TOKEN,
            okapi::USER_ID,
            okapi::REQUEST_ID,
        ]
        .into_iter()
        .filter_map(|name| header(req, name).map(|v| (name, v)))
        .collect();
        let permissions = header(req, okapi::PERMISSIONS)
            .and_then(|p| serde_json::from_str::<Vec<String>>(&p).ok())
            .unwrap_or_default();
        let base = base.trim_end_matches('/').to_string();
        Ok(Okapi {
            http: http.clone(),
            base_url: Url::parse(&base).ok(),
            base,
            forwarded,
            timeout_ms,
            tenant,
            user_id: header(req, okapi::USER_ID),
            request_id: header(req, okapi::REQUEST_ID),
            permissions,
            hops: HopLog::new(),
        })
    }

    #[cfg(test)]
    /// A context for tests.
    pub(crate) fn new(http: reqwest::Client, base: &str, tenant: &str) -> Okapi {
        let base = base.trim_end_matches('/').to_string();
        Okapi {
            http,
            base_url: Url::parse(&base).ok(),
            base,
            forwarded: vec![(okapi::TENANT, tenant.to_string())],
            timeout_ms: 10_000,
            tenant: tenant.to_string(),
            user_id: None,
            request_id: None,
            permissions: Vec::new(),
            hops: HopLog::new(),
        }
    }

    pub(crate) fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, CallError> {
        let mut url = match &self.base_url {
            Some(base) => {
                let mut url = base.clone();
                let (path_only, query) = path.split_once('?').unwrap_or((path, ""));
                url.set_path(&format!("{}{path_only}", base.path().trim_end_matches('/')));
                url.set_query(Some(query).filter(|q| !q.is_empty()));
                url
            }
            None => Url::parse(&format!("{}{}", self.base, path)).map_err(|e| {
                CallError::Unreachable {
                    name: path.to_string(),
                    detail: e.to_string(),
                }
            })?,
        };
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Any call; the answer is returned whatever its status (timeouts and transport errors
    /// are errors). The hop is recorded under `name`.
    pub(crate) async fn call(
        &self,
        name: &str,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Reply, CallError> {
        let url = self.url(path, query)?;
        let mut builder = self
            .http
            .request(method, url)
            .header("accept", "application/json, text/plain");
        for (k, v) in &self.forwarded {
            builder = builder.header(*k, v);
        }
        builder = builder.header(okapi::URL, &self.base);
        if let Some(body) = body {
            builder = builder
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let began = Instant::now();
        let outcome = async {
            let response = builder.send().await?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = response.text().await?;
            Ok::<Reply, reqwest::Error>(Reply {
                status,
                content_type,
                body,
            })
        }
        .await;
        self.hops.record(name, began, began.elapsed());
        outcome.map_err(|e| {
            if e.is_timeout() {
                CallError::Timeout {
                    name: name.to_string(),
                    timeout_ms: self.timeout_ms,
                }
            } else {
                CallError::Unreachable {
                    name: name.to_string(),
                    detail: e.to_string(),
                }
            }
        })
    }

    /// GET expecting 200 JSON; 404 → [`CallError::NotFound`].
    pub(crate) async fn get(
        &self,
        name: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, CallError> {
        let reply = self.call(name, Method::GET, path, query, None).await?;
        match reply.status {
            200..=299 => serde_json::from_str(&reply.body).map_err(|e| CallError::BadBody {
                name: name.to_string(),
                detail: e.to_string(),
            }),
            404 => Err(CallError::NotFound {
                name: name.to_string(),
            }),
            _ => Err(CallError::Failed {
                name: name.to_string(),
                reply,
            }),
        }
    }

    /// GET of a record by id where 404 means "there is none".
    pub(crate) async fn get_opt(&self, name: &str, path: &str) -> Result<Option<Value>, CallError> {
        match self.get(name, path, &[]).await {
            Ok(v) => Ok(Some(v)),
            Err(CallError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GET of a collection: the records under `key`.
    pub(crate) async fn get_list(
        &self,
        name: &str,
        path: &str,
        query: &[(&str, &str)],
        key: &str,
    ) -> Result<Vec<Value>, CallError> {
        let value = self.get(name, path, query).await?;
        Ok(value
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// A write expecting a 2xx; anything else is [`CallError::Failed`].
    pub(crate) async fn write(
        &self,
        name: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, CallError> {
        let reply = self.call(name, method, path, &[], body).await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(CallError::Failed {
                name: name.to_string(),
                reply,
            })
        }
    }
}

/// CQL string literal for `==` and `=`: quotes and backslashes escaped, and the masking
/// characters `*`, `?`, `^` escaped as CQL requires for exact values.
pub(crate) fn cql_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '*' | '?' | '^') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::{build_http_client, cql_quote, CallError, Okapi, Reply, Url};

    #[test]
    fn call_urls_from_the_parsed_base() {
        let http = build_http_client(1000);
        for base in ["http://gw:9130", "http://gw:9130/", "http://gw:9130/okapi"] {
            let okapi = Okapi::new(http.clone(), base, "diku");
            let prefix = base.trim_end_matches('/');
            let cases = [
                ("/loan-storage/loans", &[("query", "a==\"b c\"")][..]),
                ("/locations/x?includeShadowLocations=true", &[][..]),
                ("/users/1", &[][..]),
            ];
            for (path, query) in cases {
                let mut want = Url::parse(&format!("{prefix}{path}")).unwrap();
                if !query.is_empty() {
                    want.query_pairs_mut().extend_pairs(query);
                }
                assert_eq!(okapi.url(path, query).unwrap(), want, "{base} {path}");
            }
        }
    }

    #[test]
    fn failures_name_the_call_with_the_right_status() {
        let reply = |status: u16| Reply {
            status,
            content_type: Some("application/json".into()),
            body: "{}".into(),
        };
        let cases = [
            (
                CallError::Timeout {
                    name: "item by barcode".into(),
                    timeout_ms: 5,
                },
                504,
            ),
            (
                CallError::Unreachable {
                    name: "item by barcode".into(),
                    detail: "refused".into(),
                },
                502,
            ),
            (
                CallError::Failed {
                    name: "item by barcode".into(),
                    reply: reply(500),
                },
                502,
            ),
            (
                CallError::Failed {
                    name: "item by barcode".into(),
                    reply: reply(422),
                },
                422,
            ),
            (
                CallError::NotFound {
                    name: "item by barcode".into(),
                },
                500,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(error.to_response().status().as_u16(), status, "{error}");
            assert_eq!(error.name(), "item by barcode");
            assert!(error.to_string().starts_with("item by barcode"));
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(cql_quote("12345 67890"), "\"12345 67890\"");
        assert_eq!(cql_quote("a\"b*"), "\"a\\\"b\\*\"");
    }
}
