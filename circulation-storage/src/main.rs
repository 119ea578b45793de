use circulation_storage::{app, config};
use clap::Parser;
use std::net::TcpListener;

// glibc's malloc showed as the top user-space cost under load (many small JSON allocations).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args = config::Args::parse();
    let db_config = &args.db;
    let listener = TcpListener::bind((args.bind.as_str(), args.port))?;
    log::info!(
        "circulation-storage listening on {} (database {}:{}/{})",
        listener.local_addr()?,
        db_config.host,
        db_config.port,
        db_config.database
    );
    app::run(listener, db_config, &args.kafka, args.okapi_timeout_ms)?.await
}
