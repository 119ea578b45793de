//! Builds the actix application, bound to a listener so tests can use port 0.
use crate::config::Settings;
use crate::okapi::{build_http_client, PolicyCache};
use actix_web::middleware::Logger;
use actix_web::{dev::Server, web, App, HttpResponse, HttpServer};
use std::net::TcpListener;

pub struct AppState {
    pub settings: Settings,
    /// Rules and policies, per tenant, for `POLICY_CACHE_SECONDS`.
    pub cache: PolicyCache,
}

impl AppState {
    pub fn new(settings: Settings) -> AppState {
        AppState {
            cache: PolicyCache::new(settings.policy_cache_seconds),
            settings,
        }
    }
}

/// The HTTP client (connection pool) of one worker. The app factory runs on each worker's
/// thread, so the connections a worker opens are driven by its own runtime: a downstream call
/// and its answer never hop to another thread (a shared client would hand about half of them
/// to the other worker, two thread wake-ups per call).
pub struct WorkerHttp(pub reqwest::Client);

pub fn run(listener: TcpListener, settings: Settings) -> std::io::Result<Server> {
    let state = web::Data::new(AppState::new(settings));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(WorkerHttp(build_http_client(
                state.settings.okapi_timeout_ms,
            )))
            .app_data(web::PayloadConfig::new(1 << 20))
            .wrap(Logger::new(
                "%{x-okapi-request-id}i %{x-okapi-tenant}i \"%r\" %s %b %Dms",
            ))
            .route("/admin/health", web::get().to(health))
            .configure(crate::routes::configure)
    })
    // Small requests and responses: without TCP_NODELAY, Nagle + delayed ACK stall them ~40 ms.
    .tcp_nodelay(true)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The module holds no state, so it is healthy whenever it answers.
async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("OK")
}
