//! Benchmark (a program, not a test): loans created per second through
//! `POST /loan-storage/loans` by N concurrent clients, with latency percentiles.
//! The storage module runs as its own process on a throwaway PostgreSQL.
use circulation_tests::http::FolioClient;
use circulation_tests::pg::TempPostgres;
use circulation_tests::process::ModuleProcess;
use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::json;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Loans each client creates.
    #[arg(long, default_value_t = 500)]
    loans_per_client: usize,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse();
    let pg = TempPostgres::start().map_err(|e| e.to_string())?;
    let mut env = pg.env();
    env.push(("RUST_LOG".into(), "warn".into()));
    let storage = ModuleProcess::start("circulation-storage", &env, &[]).await?;
    let client = FolioClient::new(&storage.url, "bench");
    let enabled = client
        .post(
            "/_/tenant",
            &json!({"module_to": "mod-circulation-storage-rs-0.1.0"}),
        )
        .await;
    if enabled.status != 201 {
        return Err(format!(
            "enable tenant: {} {}",
            enabled.status, enabled.body
        ));
    }

    let started = Instant::now();
    let workers = (0..args.clients).map(|_| {
        let client = client.clone();
        let count = args.loans_per_client;
        tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(count);
            for _ in 0..count {
                let body = json!({
                    "itemId": uuid::Uuid::new_v4().to_string(),
                    "userId": uuid::Uuid::new_v4().to_string(),
                    "loanDate": "2026-11-23T10:00:00Z",
                    "dueDate": "2026-12-23T10:00:00Z",
                    "action": "checkedout",
                    "status": {"name": "Open"}
                });
                let t = Instant::now();
                let reply = client.post("/loan-storage/loans", &body).await;
                latencies.push(t.elapsed().as_micros() as u64);
                assert_eq!(reply.status, 201, "{}", reply.body);
            }
            latencies
        })
    });
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
    for worker in futures::future::join_all(workers).await {
        for micros in worker.map_err(|e| e.to_string())? {
            histogram.record(micros).map_err(|e| e.to_string())?;
        }
    }
    let elapsed = started.elapsed();
    let total = histogram.len();
    let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "POST /loan-storage/loans: {total} loans by {} clients in {:.2} s = {:.0} loans/s; latency p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        args.clients,
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        ms(0.50),
        ms(0.95),
        ms(0.99),
        histogram.max() as f64 / 1000.0
    );
    drop(storage);
    drop(pg);
    Ok(())
}
