//! The one actix server behind every stand-in: per-tenant state, the injected latency, and
//! the dispatch of each request to the module that answers it.
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;
use shared_types::okapi;

use super::collections::{collection, collections, record};
use super::events::ChangeEvents;
use super::latency::{Delayer, Latency};
use super::request::{not_found, text, Ctx};
use super::store::TenantData;
use super::{calendar, feesfines, notify, patron_blocks, pubsub, settings, timer};

/// How to start the stand-in server.
#[derive(Debug, Clone)]
pub struct StandinConfig {
    /// TCP port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    pub latency: Latency,
    /// A Kafka-protocol broker (`host:port`) to publish inventory's and users' change events to.
    pub kafka: Option<String>,
}

impl Default for StandinConfig {
    fn default() -> Self {
        StandinConfig {
            port: 0,
            latency: Latency::None,
            kafka: None,
        }
    }
}

/// State shared by all workers of one stand-in server.
pub(crate) struct Shared {
    tenants: RwLock<HashMap<String, Arc<RwLock<TenantData>>>>,
    delayer: Delayer,
    /// Whether to record how long each answer took from arrival ([`Standins::observe_delays`]).
    observe: AtomicBool,
    observed: Mutex<Vec<Duration>>,
    pub(crate) http: reqwest::Client,
    /// Where changes of inventory's and users' records are announced, when a broker is named.
    pub(crate) events: Option<Arc<ChangeEvents>>,
}

impl Shared {
    fn new(latency: Latency, kafka: Option<&str>) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Shared {
            tenants: RwLock::new(HashMap::new()),
            delayer: Delayer::new(latency),
            observe: AtomicBool::new(false),
            observed: Mutex::new(Vec::new()),
            http,
            events: kafka.and_then(ChangeEvents::connect),
        }
    }

    pub(crate) fn tenant(&self, id: &str) -> Arc<RwLock<TenantData>> {
        if let Some(t) = self
            .tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
        {
            return t.clone();
        }
        self.tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(RwLock::new(TenantData::new())))
            .clone()
    }

    fn existing_tenant(&self, id: &str) -> Option<Arc<RwLock<TenantData>>> {
        self.tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }
}

/// A running stand-in server.
pub struct Standins {
    url: String,
    handle: ServerHandle,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Standins {
    /// Binds 127.0.0.1:`cfg.port` and serves every stand-in module there.
    /// Must be called inside a tokio runtime.
    pub async fn start(cfg: StandinConfig) -> std::io::Result<Standins> {
        let shared = Arc::new(Shared::new(cfg.latency, cfg.kafka.as_deref()));
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
                .default_service(web::to(dispatch))
        })
        // Small requests and responses: without TCP_NODELAY, Nagle + delayed ACK stall them ~40 ms.
        .tcp_nodelay(true)
        .workers(4)
        .disable_signals()
        .bind(("127.0.0.1", cfg.port))?;
        let port = server
            .addrs()
            .first()
            .map(|a| a.port())
            .ok_or_else(|| std::io::Error::other("no bound address"))?;
        let server = server.run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        Ok(Standins {
            url: format!("http://127.0.0.1:{port}"),
            handle,
            shared,
            task,
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The events POSTed to `/pubsub/publish` for a tenant, oldest first.
    pub fn published_events(&self, tenant: &str) -> Vec<Value> {
        self.shared
            .existing_tenant(tenant)
            .map(|t| t.read().unwrap_or_else(|e| e.into_inner()).events.clone())
            .unwrap_or_default()
    }

    /// The notices POSTed to `/patron-notice` for a tenant, oldest first.
    pub fn sent_notices(&self, tenant: &str) -> Vec<Value> {
        self.shared
            .existing_tenant(tenant)
            .map(|t| t.read().unwrap_or_else(|e| e.into_inner()).notices.clone())
            .unwrap_or_default()
    }

    /// Forgets the events published for a tenant.
    pub fn clear_published_events(&self, tenant: &str) {
        if let Some(t) = self.shared.existing_tenant(tenant) {
            t.write().unwrap_or_else(|e| e.into_inner()).events.clear();
        }
    }

    /// Forgets everything a tenant holds (it starts again with the seeded conditions and the
    /// default locale on its next request).
    pub fn reset_tenant(&self, tenant: &str) {
        self.shared
            .tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
    }

    /// Starts (`true`) or stops recording, for every answer, the time from the request's
    /// arrival until the answer was released (handler work plus the modelled latency).
    pub fn observe_delays(&self, on: bool) {
        self.shared.observe.store(on, Ordering::Relaxed);
    }

    /// The recorded times (see [`Standins::observe_delays`]), oldest first; clears them.
    pub fn observed_delays(&self) -> Vec<Duration> {
        std::mem::take(
            &mut *self
                .shared
                .observed
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    /// Stops the server gracefully.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// Answers every request, [`Latency`] after it arrived: the handler runs first and the answer
/// is held until the deadline, so that handler work is not added on top of the modelled
/// latency; the wait is precise to tens of µs ([`timer::sleep_until`]).
async fn dispatch(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let arrived = Instant::now();
    let path = req.path().trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    if path == "/admin/health" {
        return text(StatusCode::OK, "OK");
    }
    let delay = shared.delayer.next_delay();
    let response = handle(&req, &body, &shared, path).await;
    if !delay.is_zero() {
        timer::sleep_until(arrived + delay).await;
    }
    if shared.observe.load(Ordering::Relaxed) {
        shared
            .observed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(arrived.elapsed());
    }
    response
}

async fn handle(req: &HttpRequest, body: &[u8], shared: &Shared, path: &str) -> HttpResponse {
    let tenant_id = match req
        .headers()
        .get(okapi::TENANT)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => return text(StatusCode::BAD_REQUEST, "Tenant must be set"),
        Some(t) if !okapi::is_valid_tenant_id(t) => {
            return text(StatusCode::BAD_REQUEST, &format!("Invalid tenant id: {t}"))
        }
        Some(t) => t.to_string(),
    };
    let params = match web::Query::<Vec<(String, String)>>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => {
            return text(
                StatusCode::BAD_REQUEST,
                &format!("Invalid query string: {e}"),
            )
        }
    };
    let ctx = Ctx {
        shared,
        tenant: shared.tenant(&tenant_id),
        tenant_id: &tenant_id,
        method: req.method(),
        path,
        params,
        headers: req.headers(),
        body,
    };
    if let Some(r) = pubsub::handle(&ctx) {
        return r;
    }
    if let Some(r) = notify::handle(&ctx) {
        return r;
    }
    if let Some(r) = settings::handle(&ctx) {
        return r;
    }
    if let Some(r) = calendar::handle(&ctx) {
        return r;
    }
    if path.starts_with("/automated-patron-blocks/") {
        return patron_blocks::automated_blocks(&ctx).await;
    }
    if let Some(r) = feesfines::handle(&ctx) {
        return r;
    }
    if path == feesfines::ACTUAL_COST_CANCEL && ctx.method == actix_web::http::Method::POST {
        return feesfines::cancel_actual_cost(&ctx).await;
    }
    for c in collections() {
        if path == c.path {
            return collection(&ctx, c);
        }
        if let Some(id) = path
            .strip_prefix(c.path)
            .and_then(|rest| rest.strip_prefix('/'))
        {
            if !id.contains('/') {
                return record(&ctx, c, id);
            }
        }
    }
    not_found()
}
