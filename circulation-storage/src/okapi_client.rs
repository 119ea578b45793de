//! Calls from the storage module to other modules, always back through the gateway named by the
//! incoming `X-Okapi-Url`, with the incoming Okapi headers forwarded. Today only inventory's
//! service points are read (to check a request policy's allowed pickup service points).
//!
//! One `reqwest::Client` serves the whole process (its connection pool); every call has a
//! connect and a total timeout (`OKAPI_TIMEOUT_MS`, default 10 s).
use crate::error::StorageError;
use actix_web::HttpRequest;
use serde_json::Value;
use shared_types::okapi;
use std::collections::BTreeSet;
use std::time::Duration;

/// FOLIO asks for at most this many ids in one `id==(...)` query.
const ID_BATCH_SIZE: usize = 88;

/// The process-wide HTTP client for downstream calls.
pub fn build_http_client() -> reqwest::Client {
    let timeout_ms = std::env::var("OKAPI_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(10_000)
        .max(1);
    let timeout = Duration::from_millis(timeout_ms);
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(timeout)
        .timeout(timeout)
        // Below an actix-web gateway's 5 s keep-alive, so a pooled connection is never reused
        // just as the server closes it.
        .pool_idle_timeout(Duration::from_secs(4))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// The Okapi context of one incoming request: where the gateway is and what to forward.
pub struct Okapi {
    http: reqwest::Client,
    base: String,
    forwarded: Vec<(&'static str, String)>,
}

impl Okapi {
    /// `None` when the request carries no `X-Okapi-Url` (a direct call, not through a gateway).
    pub fn from_request(req: &HttpRequest, http: &reqwest::Client) -> Option<Okapi> {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let base = header(okapi::URL)?;
        let forwarded = okapi::FORWARDED
            .iter()
            .filter_map(|name| header(name).map(|value| (*name, value)))
            .collect();
        Some(Okapi {
            http: http.clone(),
            base: base.trim_end_matches('/').to_string(),
            forwarded,
        })
    }

    /// GET `path` with `query` parameters; the JSON body of a 200. Anything else is a 5xx naming
    /// the call: 504 for a timeout, 502 otherwise (unreachable, a non-200 answer, bad JSON).
    async fn get_json(
        &self,
        name: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Value, StorageError> {
        let failed = |detail: String| {
            log::warn!("downstream call {name} failed: {detail}");
            StorageError::BadGateway(format!("downstream call {name}: {detail}"))
        };
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| failed(format!("X-Okapi-Url {} is not a URL: {e}", self.base)))?;
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        let mut request = self.http.get(url).header("Accept", "application/json");
        for (header, value) in &self.forwarded {
            request = request.header(*header, value);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                log::warn!("downstream call {name} timed out");
                StorageError::GatewayTimeout(format!("downstream call {name}: no answer in time"))
            } else {
                failed(format!("cannot reach the gateway: {e}"))
            }
        })?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| failed(format!("unreadable answer: {e}")))?;
        if status != 200 {
            return Err(failed(format!("failed with status {status}: {body}")));
        }
        serde_json::from_str(&body).map_err(|e| failed(format!("unreadable answer: {e}")))
    }

    /// The service points with these ids that inventory has (in batches, as FOLIO queries them:
    /// `id==(a or b ...)` with `limit` the batch size).
    pub async fn service_points(&self, ids: &BTreeSet<String>) -> Result<Vec<Value>, StorageError> {
        let ids: Vec<&String> = ids.iter().filter(|id| !id.trim().is_empty()).collect();
        let mut found = Vec::new();
        for batch in ids.chunks(ID_BATCH_SIZE) {
            let query = format!(
                "id==({})",
                batch
                    .iter()
                    .map(|id| id.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
            let body = self
                .get_json(
                    "GET /service-points",
                    "/service-points",
                    &[("query", query), ("limit", batch.len().to_string())],
                )
                .await?;
            let Some(records) = body.get("servicepoints").and_then(Value::as_array) else {
                log::warn!("downstream call GET /service-points: no servicepoints array");
                return Err(StorageError::BadGateway(
                    "downstream call GET /service-points: unreadable answer: no servicepoints array"
                        .into(),
                ));
            };
            found.extend(records.iter().cloned());
        }
        Ok(found)
    }
}
