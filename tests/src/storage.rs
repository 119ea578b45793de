//! Runs circulation-storage for tests: in this process on a free port (real HTTP, real
//! PostgreSQL), or as its own process from the built binary (for `stack`).
use crate::http::FolioClient;
use crate::pg::TempPostgres;
use circulation_storage::config::{DbConfig, KafkaConfig};
use serde_json::{json, Value};
use std::net::TcpListener;

pub fn db_config(pg: &TempPostgres) -> DbConfig {
    DbConfig {
        host: pg.db_host(),
        port: pg.port,
        username: pg.user.clone(),
        password: pg.password.clone(),
        database: pg.database.clone(),
        max_pool_size: 10,
        query_timeout_ms: 60_000,
    }
}

/// Starts the storage module inside the current actix runtime; returns its base URL.
pub fn start_in_process(pg: &TempPostgres) -> std::io::Result<String> {
    start_in_process_with(pg, &KafkaConfig::default())
}

/// [`start_in_process`] publishing domain events to the broker `kafka` names.
pub fn start_in_process_with(pg: &TempPostgres, kafka: &KafkaConfig) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let server = circulation_storage::app::run(listener, &db_config(pg), kafka, 10_000)?;
    actix_web::rt::spawn(server);
    Ok(url)
}

/// The module id our tenant calls name.
pub const MODULE_ID: &str = concat!("mod-circulation-storage-rs-", env!("CARGO_PKG_VERSION"));

/// A storage module in this process on the shared throwaway database, and a client (acting as a
/// fixed logged-in user) for `tenant`, freshly enabled with or without reference data. No
/// gateway stands behind it, so the client sends no `X-Okapi-Url` (and the module skips its
/// calls to other modules).
pub async fn enabled_client(tenant: &str, load_reference: bool) -> FolioClient {
    let url = start_in_process(crate::pg::shared()).expect("storage starts");
    let mut client = FolioClient::new(&url, tenant);
    client.okapi_url = None;
    client.user_id = Some("9c6ab3b2-2f4c-4a8a-8a31-8d6b1f2e7a10".into());
    enable_tenant(&client, load_reference).await;
    client
}

/// Enables the storage module for the client's tenant from scratch (purged first, so a reused
/// external database starts empty) and returns the finished tenant job.
pub async fn enable_tenant(client: &FolioClient, load_reference: bool) -> Value {
    let purge = json!({"module_from": MODULE_ID, "purge": true});
    let purged = client.post("/_/tenant", &purge).await;
    assert_eq!(purged.status, 204, "purge: {}", purged.body);
    let enable = json!({"module_to": MODULE_ID,
                        "parameters": [{"key": "loadReference", "value": load_reference.to_string()}]});
    let reply = client.post("/_/tenant", &enable).await;
    assert_eq!(reply.status, 201, "enable: {}", reply.body);
    let job = client
        .get(reply.location.as_deref().expect("job location"))
        .await;
    assert_eq!(job.json()["complete"], true, "{}", job.body);
    job.json()
}
