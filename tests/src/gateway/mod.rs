//! An Okapi-compatible test gateway.
//!
//! It speaks the subset of Okapi's admin API the harness needs (module descriptors,
//! discovery by URL, tenants, install with the `_tenant` 2.0 protocol) and proxies every
//! other request to an instance of the module that the tenant has enabled, routing and
//! adding headers as Okapi does. Registration happens over HTTP, as with a real Okapi.
//!
//! Admin API (served regardless of `X-Okapi-Tenant`; Okapi would require `supertenant`):
//! - `POST/GET /_/proxy/modules`, `GET/DELETE /_/proxy/modules/{id}`
//! - `POST/GET /_/discovery/modules`, `GET /_/discovery/modules/{srvcId}[/{instId}]`,
//!   `DELETE /_/discovery/modules/{srvcId}[/{instId}]`
//! - `POST/GET /_/proxy/tenants`, `GET/DELETE /_/proxy/tenants/{t}`
//! - `POST /_/proxy/tenants/{t}/install` (query `tenantParameters`, `simulate`, `invoke`,
//!   `depCheck`, `purge`), `POST/GET /_/proxy/tenants/{t}/modules`,
//!   `DELETE /_/proxy/tenants/{t}/modules/{id}`
//! - `GET /_/proxy/health`, `GET /_/version`, and `/_/invoke/tenant/{t}/<path>` (proxy with
//!   the tenant taken from the path).
//!
//! Differences from Okapi, on purpose: instances are chosen round robin (Okapi: at random);
//! an instance that refuses the connection is skipped and the next one tried (like a
//! Kubernetes Service; Okapi answers 500); there is no auth module: the gateway itself plays
//! the auth filter (see [`proxy`]); `hop_overhead` delays every proxied request to model
//! Okapi plus the auth-filter call.
//!
//! Runtime: [`Gateway::start`] spawns the actix server with `tokio::spawn`; actix-server runs
//! its workers on their own threads, so it works from `#[tokio::test]` (current-thread or
//! multi-thread), `#[tokio::main]`, `#[actix_web::test]` and `#[actix_web::main]`.

mod admin;
mod echo;
mod install;
pub mod proxy;
pub mod registry;
pub mod routing;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix_web::{web, App, HttpServer};

pub use echo::EchoModule;
pub use registry::SUPERTENANT;

/// Gateway settings.
#[derive(Debug, Clone, Default)]
pub struct GatewayConfig {
    /// Port on 127.0.0.1; 0 = any free port.
    pub port: u16,
    /// Delay added to each proxied request: models Okapi's own hop and its auth filter.
    pub hop_overhead: Duration,
}

/// Shared state of one gateway.
pub(crate) struct State {
    pub registry: RwLock<registry::Registry>,
    pub client: reqwest::Client,
    pub base_url: String,
    pub hop_overhead: Duration,
}

/// A running gateway.
pub struct Gateway {
    url: String,
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Connect timeout of the gateway's HTTP client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Overall timeout of a proxied request (Okapi has none; a hung module should fail a test).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(180);

impl Gateway {
    /// Binds 127.0.0.1:`config.port` and spawns the server on the current tokio runtime.
    pub async fn start(config: GatewayConfig) -> std::io::Result<Gateway> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        let port = listener.local_addr()?.port();
        let url = format!("http://127.0.0.1:{port}");
        let client = http_client().map_err(std::io::Error::other)?;
        let state = web::Data::new(State {
            registry: RwLock::new(registry::Registry::new()),
            client,
            base_url: url.clone(),
            hop_overhead: config.hop_overhead,
        });
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(2, 8);
        let server = HttpServer::new(move || {
            // One client per worker (this factory runs on each worker's thread): a pooled
            // connection is then always driven by the worker that uses it, instead of
            // bouncing every proxied request and answer between threads.
            let worker_client = http_client().unwrap_or_else(|_| state.client.clone());
            App::new()
                .app_data(state.clone())
                .app_data(proxy::WorkerClient(worker_client))
                .app_data(web::PayloadConfig::new(256 * 1024 * 1024))
                .configure(admin::configure)
                .default_service(web::to(proxy::proxy))
        })
        // Small requests and responses: without TCP_NODELAY, Nagle + delayed ACK stall them ~40 ms.
        .tcp_nodelay(true)
        .workers(workers)
        .backlog(4096)
        .disable_signals()
        .shutdown_timeout(2)
        .listen(listener)?
        .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        log::info!("test gateway listening on {url} ({workers} workers)");
        Ok(Gateway { url, handle, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Stops the server (in-flight requests get up to 2 s).
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// The gateway's HTTP client to module instances.
fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .tcp_nodelay(true)
        // Below the modules' keep-alive (actix-web closes a connection idle for 5 s): a pooled
        // connection is dropped here before the server can close it under a request being sent.
        .pool_idle_timeout(Duration::from_secs(4))
        .build()
}

pub(crate) type SharedState = web::Data<State>;

pub(crate) fn text_response(
    status: actix_web::http::StatusCode,
    msg: impl Into<String>,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((actix_web::http::header::CONTENT_TYPE, "text/plain"))
        .body(msg.into())
}

pub(crate) fn state_arc(state: &SharedState) -> Arc<State> {
    state.clone().into_inner()
}
