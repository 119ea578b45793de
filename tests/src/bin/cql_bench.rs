//! Benchmark (a program, not a test): a user's open loans as mod-circulation asks for them,
//! `GET /loan-storage/loans?query=status.name=="Open" and userId=="<id>"&limit=10000`, on a
//! table of 100 000 loans (bulk-inserted through SQL), for random users; p50/p99 printed.
//! The storage module runs in this process on a throwaway PostgreSQL.
use circulation_tests::http::{encode, FolioClient};
use circulation_tests::pg::TempPostgres;
use circulation_tests::{bulk, storage};
use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::json;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Loans in the table.
    #[arg(long, default_value_t = 100_000)]
    loans: i64,
    /// Distinct users the loans belong to.
    #[arg(long, default_value_t = 10_000)]
    users: i64,
    /// Requests to time.
    #[arg(long, default_value_t = 5_000)]
    requests: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
}

#[actix_web::main]
async fn main() -> Result<(), String> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse();
    let pg = TempPostgres::start().map_err(|e| e.to_string())?;
    let url = storage::start_in_process(&pg).map_err(|e| e.to_string())?;
    let tenant = "bench";
    let setup = FolioClient::new(&url, tenant);
    let enabled = setup
        .post(
            "/_/tenant",
            &json!({"module_to": "mod-circulation-storage-rs-0.1.0"}),
        )
        .await;
    if enabled.status != 201 {
        return Err(format!("enable: {} {}", enabled.status, enabled.body));
    }
    let job = setup
        .get(enabled.location.as_deref().unwrap_or_default())
        .await;
    if job.json()["complete"] != true {
        return Err(format!("tenant job: {}", job.body));
    }

    let t = Instant::now();
    let mut conn = bulk::connect_tenant(&pg, tenant);
    bulk::insert_loans(&mut conn, args.loans, args.users).map_err(|e| e.to_string())?;
    bulk::analyze(&mut conn, "loan").map_err(|e| e.to_string())?;
    println!(
        "inserted {} loans for {} users in {:.1} s",
        args.loans,
        args.users,
        t.elapsed().as_secs_f64()
    );

    let per_client = args.requests / args.clients.max(1);
    let started = Instant::now();
    let workers = (0..args.clients).map(|w| {
        let client = FolioClient::new(&url, tenant);
        let users = args.users;
        tokio::task::spawn_local(async move {
            let mut seed = 0x5EED_u64 + w as u64;
            let mut latencies = Vec::with_capacity(per_client);
            let mut records = 0usize;
            for _ in 0..per_client {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let user = bulk::user_id((seed >> 33) as i64 % users);
                let query = format!("status.name==\"Open\" and userId==\"{user}\"");
                let path = format!("/loan-storage/loans?query={}&limit=10000", encode(&query));
                let t = Instant::now();
                let reply = client.get(&path).await;
                latencies.push(t.elapsed().as_micros() as u64);
                assert_eq!(reply.status, 200, "{}", reply.body);
                records += reply.json()["loans"].as_array().map_or(0, Vec::len);
            }
            (latencies, records)
        })
    });
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
    let mut records = 0;
    for worker in futures::future::join_all(workers).await {
        let (latencies, n) = worker.map_err(|e| e.to_string())?;
        records += n;
        for micros in latencies {
            histogram.record(micros).map_err(|e| e.to_string())?;
        }
    }
    let elapsed = started.elapsed();
    let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "GET open loans of a user (limit 10000) on {} loans: {} requests by {} clients in {:.2} s = {:.0} req/s, {:.1} loans per answer; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        args.loans,
        histogram.len(),
        args.clients,
        elapsed.as_secs_f64(),
        histogram.len() as f64 / elapsed.as_secs_f64(),
        records as f64 / histogram.len().max(1) as f64,
        ms(0.5),
        ms(0.99),
        ms(1.0)
    );
    Ok(())
}
