//! Builds the actix application and server, bound to a listener so tests can use port 0.
use crate::config::{DbConfig, KafkaConfig};
use crate::db;
use crate::error::StorageError;
use crate::events;
use crate::routes::{self, AppState};
use actix_web::middleware::Logger;
use actix_web::{dev::Server, web, App, HttpServer};
use std::net::TcpListener;

/// Largest accepted body (request batches can be long).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

pub fn run(
    listener: TcpListener,
    db_config: &DbConfig,
    kafka: &KafkaConfig,
    okapi_timeout_ms: u64,
) -> std::io::Result<Server> {
    let pool = db::build_pool(db_config, kafka.bootstrap_servers().is_some());
    events::start(&pool, kafka);
    let state = web::Data::new(AppState {
        pool,
        http: shared_types::okapi::http_client(okapi_timeout_ms),
        okapi_timeout_ms,
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                StorageError::BadRequest(format!("Invalid query parameters: {e}")).into()
            }))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|e, _| StorageError::BadRequest(e.to_string()).into()),
            )
            // One line per request: request id, tenant, request line, status, duration.
            .wrap(Logger::new(
                "%{x-okapi-request-id}i %{x-okapi-tenant}i \"%r\" %s %b %Dms",
            ))
            .configure(routes::configure)
    })
    // Small requests and responses: without TCP_NODELAY, Nagle + delayed ACK stall them ~40 ms.
    .tcp_nodelay(true)
    .listen(listener)?
    .run();
    Ok(server)
}
