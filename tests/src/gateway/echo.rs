//! A zero-latency echo module for gateway tests and the gateway benchmark.
//!
//! Any request is answered with `200 application/json`
//! `{"module", "method", "path", "query", "headers": {lower-case name: value}, "body"}`.
//! Request headers steer the answer: `X-Echo-Status: <code>` sets the status,
//! `X-Echo-Location: <url>` adds a `Location` header, and the query parameter
//! `chunks=<n>` sends the body chunked in `n` pieces (no `Content-Length`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

/// A running echo module.
pub struct EchoModule {
    url: String,
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl EchoModule {
    /// Starts an echo module named `name` on a free port with one worker.
    pub async fn start(name: &str) -> std::io::Result<EchoModule> {
        EchoModule::start_with_workers(name, 1).await
    }

    pub async fn start_with_workers(name: &str, workers: usize) -> std::io::Result<EchoModule> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let name = web::Data::new(name.to_string());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(name.clone())
                .app_data(web::PayloadConfig::new(256 * 1024 * 1024))
                .default_service(web::to(echo))
        })
        // Small requests and responses: without TCP_NODELAY, Nagle + delayed ACK stall them ~40 ms.
        .tcp_nodelay(true)
        .workers(workers)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        Ok(EchoModule { url, handle, task })
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

async fn echo(req: HttpRequest, body: web::Bytes, name: web::Data<String>) -> HttpResponse {
    let mut headers = BTreeMap::new();
    for (k, v) in req.headers() {
        headers.insert(
            k.as_str().to_string(),
            Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
        );
    }
    let answer = json!({
        "module": name.as_str(),
        "method": req.method().as_str(),
        "path": req.path(),
        "query": req.query_string(),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    })
    .to_string();
    let status = req
        .headers()
        .get("x-echo-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u16>().ok())
        .and_then(|v| StatusCode::from_u16(v).ok())
        .unwrap_or(StatusCode::OK);
    let mut builder = HttpResponse::build(status);
    builder.content_type("application/json");
    if let Some(loc) = req.headers().get("x-echo-location") {
        builder.insert_header(("Location", loc.clone()));
    }
    let chunks = web::Query::<BTreeMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("chunks").and_then(|c| c.parse::<usize>().ok()))
        .unwrap_or(0);
    if chunks > 0 {
        let bytes = web::Bytes::from(answer);
        let size = bytes.len().div_ceil(chunks).max(1);
        let pieces: Vec<Result<web::Bytes, std::io::Error>> = (0..bytes.len())
            .step_by(size)
            .map(|i| Ok(bytes.slice(i..(i + size).min(bytes.len()))))
            .collect();
        builder.streaming(futures::stream::iter(pieces))
    } else {
        builder.body(answer)
    }
}
