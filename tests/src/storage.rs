//! Runs circulation-storage for tests: in this process on a free port (real HTTP, real
//! PostgreSQL), or as its own process from the built binary (for `stack`).
use crate::pg::TempPostgres;
use circulation_storage::config::DbConfig;
use std::net::TcpListener;

pub fn db_config(pg: &TempPostgres) -> DbConfig {
    DbConfig {
        host: pg.host.clone(),
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
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let server = circulation_storage::app::run(listener, &db_config(pg))?;
    actix_web::rt::spawn(server);
    Ok(url)
}
