//! How a module calls other modules: a per-request [`Okapi`] handle that sends every call to
//! the incoming `X-Okapi-Url` with the Okapi headers forwarded, times each hop ([`timing`]),
//! and names the call in every failure ([`CallError`]). Each module maps a failure to its own
//! answer.
pub mod timing;

use crate::okapi;
use reqwest::{Method, Url};
use serde_json::Value;
use std::time::Instant;
use timing::HopLog;

pub use crate::okapi::http_client;

/// A downstream answer that the caller interprets itself.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// Why a downstream call gave no usable answer. Every variant names the call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
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
    pub fn name(&self) -> &str {
        match self {
            CallError::Timeout { name, .. }
            | CallError::Unreachable { name, .. }
            | CallError::NotFound { name }
            | CallError::Failed { name, .. }
            | CallError::BadBody { name, .. } => name,
        }
    }

    /// The status a module answers with: 504 for a timeout, 502 for an unreachable gateway, an
    /// unreadable answer or a server fault, 500 when a record that must exist is missing, and a
    /// downstream refusal (4xx) forwarded as it is.
    pub fn status(&self) -> u16 {
        match self {
            CallError::Timeout { .. } => 504,
            CallError::Unreachable { .. } | CallError::BadBody { .. } => 502,
            CallError::NotFound { .. } => 500,
            CallError::Failed { reply, .. } if reply.status >= 500 => 502,
            CallError::Failed { reply, .. } => reply.status,
        }
    }
}

/// The Okapi context of one incoming request.
#[derive(Clone)]
pub struct Okapi {
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

impl Okapi {
    /// The context of an incoming request from its headers (`raw` answers a header's value as
    /// sent); `Err` is the text of a 400 (no gateway URL or tenant).
    pub fn from_headers<'r>(
        http: &reqwest::Client,
        timeout_ms: u64,
        raw: impl Fn(&str) -> Option<&'r str>,
    ) -> Result<Okapi, String> {
        let header = |name: &str| {
            raw(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let base = header(okapi::URL).ok_or("Missing X-Okapi-Url header")?;
        let tenant = header(okapi::TENANT).ok_or("Missing X-Okapi-Tenant header")?;
        let forwarded = [
            okapi::TENANT,
            okapi::TOKEN,
            okapi::USER_ID,
            okapi::REQUEST_ID,
        ]
        .into_iter()
        .filter_map(|name| header(name).map(|v| (name, v)))
        .collect();
        let permissions = header(okapi::PERMISSIONS)
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
            user_id: header(okapi::USER_ID),
            request_id: header(okapi::REQUEST_ID),
            permissions,
            hops: HopLog::new(),
        })
    }

    #[cfg(test)]
    /// A context for tests.
    pub fn new(http: reqwest::Client, base: &str, tenant: &str) -> Okapi {
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

    /// The Okapi headers a message about this request carries (FOLIO's Kafka producers
    /// propagate them): the ones forwarded on every call, and the gateway's URL.
    pub fn message_headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .forwarded
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        headers.push((okapi::URL.to_ascii_lowercase(), self.base.clone()));
        headers
    }

    pub fn has_permission(&self, permission: &str) -> bool {
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
    pub async fn call(
        &self,
        name: &str,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Reply, CallError> {
        self.call_with(name, method, path, query, body, &[]).await
    }

    /// [`Okapi::call`] with headers of its own (`If-Match`, say).
    pub async fn call_with(
        &self,
        name: &str,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        headers: &[(&str, &str)],
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
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
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
    pub async fn get(
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
    pub async fn get_opt(&self, name: &str, path: &str) -> Result<Option<Value>, CallError> {
        match self.get(name, path, &[]).await {
            Ok(v) => Ok(Some(v)),
            Err(CallError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GET of a collection: the records under `key`.
    pub async fn get_list(
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
    pub async fn write(
        &self,
        name: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, CallError> {
        self.write_with(name, method, path, body, &[]).await
    }

    /// [`Okapi::write`] with headers of its own.
    pub async fn write_with(
        &self,
        name: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, CallError> {
        let reply = self
            .call_with(name, method, path, &[], body, headers)
            .await?;
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
pub fn cql_quote(value: &str) -> String {
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
    use super::{cql_quote, http_client, CallError, Okapi, Reply, Url};

    #[test]
    fn call_urls_from_the_parsed_base() {
        let http = http_client(1000);
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
            assert_eq!(error.status(), status, "{error}");
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
