//! Builds the actix application, bound to a listener so tests can use port 0.
use crate::config::Settings;
use crate::okapi::http_client;
use crate::state::{AppState, WorkerHttp};
use actix_web::middleware::Logger;
use actix_web::{dev::Server, web, App, HttpResponse, HttpServer};
use std::net::TcpListener;

pub fn run(listener: TcpListener, settings: Settings) -> std::io::Result<Server> {
    let state = web::Data::new(AppState::new(settings));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // Built here, on the worker's thread: see `WorkerHttp`.
            .app_data(WorkerHttp(http_client(state.settings.okapi_timeout_ms)))
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
