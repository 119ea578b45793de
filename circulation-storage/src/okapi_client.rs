//! Calls from the storage module to other modules, always back through the gateway named by the
//! incoming `X-Okapi-Url`, with the incoming Okapi headers forwarded (the client shared with the
//! logic module, `shared_types::okapi_client`). Today only inventory's service points are read
//! (to check a request policy's allowed pickup service points).
use crate::error::StorageError;
use actix_web::HttpRequest;
use serde_json::Value;
use shared_types::okapi_client::{self, CallError};
use std::collections::BTreeSet;

/// FOLIO asks for at most this many ids in one `id==(...)` query.
const ID_BATCH_SIZE: usize = 88;

/// The Okapi context of one incoming request.
pub struct Okapi(okapi_client::Okapi);

/// A failed call as this module answers it: 504 for a timeout, else 502, naming the call.
fn failed(e: CallError) -> StorageError {
    log::warn!("downstream call {e}");
    match e {
        CallError::Timeout { name, .. } => {
            StorageError::GatewayTimeout(format!("downstream call {name}: no answer in time"))
        }
        e => StorageError::BadGateway(format!("downstream call {e}")),
    }
}

impl Okapi {
    /// `None` when the request carries no `X-Okapi-Url` (a direct call, not through a gateway).
    pub fn from_request(
        req: &HttpRequest,
        http: &reqwest::Client,
        timeout_ms: u64,
    ) -> Option<Okapi> {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        okapi_client::Okapi::from_headers(http, timeout_ms, header)
            .ok()
            .map(Okapi)
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
            let limit = batch.len().to_string();
            let name = "GET /service-points";
            let body = self
                .0
                .get(
                    name,
                    "/service-points",
                    &[("query", &query), ("limit", &limit)],
                )
                .await
                .map_err(failed)?;
            let Some(records) = body.get("servicepoints").and_then(Value::as_array) else {
                return Err(failed(CallError::BadBody {
                    name: name.into(),
                    detail: "no servicepoints array".into(),
                }));
            };
            found.extend(records.iter().cloned());
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{test::TestRequest, web, App, HttpResponse, HttpServer};
    use shared_types::okapi;
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

    /// A gateway that records each call (query string, x-okapi headers) and knows one
    /// service point.
    async fn recording_gateway() -> (String, Seen, actix_web::dev::ServerHandle) {
        let seen: Seen = Arc::default();
        let kept = seen.clone();
        let server = HttpServer::new(move || {
            let kept = kept.clone();
            App::new().default_service(web::to(move |req: HttpRequest| {
                let kept = kept.clone();
                async move {
                    let headers = req
                        .headers()
                        .iter()
                        .filter(|(k, _)| k.as_str().starts_with("x-okapi"))
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
                        .collect();
                    kept.lock()
                        .unwrap()
                        .push((req.query_string().to_string(), headers));
                    HttpResponse::Ok().json(serde_json::json!({
                        "servicepoints": [{"id": "a", "pickupLocation": true}],
                        "totalRecords": 1}))
                }
            }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let url = format!("http://{}", server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        (url, seen, handle)
    }

    #[actix_web::test]
    async fn asks_for_the_ids_and_forwards_the_okapi_headers() {
        let (url, seen, handle) = recording_gateway().await;
        let req = TestRequest::default()
            .insert_header((okapi::URL, url.as_str()))
            .insert_header((okapi::TENANT, "diku"))
            .insert_header((okapi::TOKEN, "t0ken"))
            .insert_header((okapi::REQUEST_ID, "123456/request-policy-storage"))
            .to_http_request();
        let okapi = Okapi::from_request(&req, &okapi::http_client(1000), 1000).expect("a gateway");
        let ids: BTreeSet<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let found = okapi.service_points(&ids).await.unwrap();
        assert_eq!(found.len(), 1);
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1);
        let (query, headers) = &seen[0];
        assert_eq!(query, "query=id%3D%3D%28a+or+b%29&limit=2");
        for (name, value) in [
            (okapi::URL, url.as_str()),
            (okapi::TENANT, "diku"),
            (okapi::TOKEN, "t0ken"),
            (okapi::REQUEST_ID, "123456/request-policy-storage"),
        ] {
            assert!(
                headers.contains(&(name.to_string(), value.to_string())),
                "{name}: {headers:?}"
            );
        }
        handle.stop(true).await;
        let none = TestRequest::default().to_http_request();
        assert!(Okapi::from_request(&none, &okapi::http_client(1000), 1000).is_none());
    }
}
