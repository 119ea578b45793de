//! Benchmark (a program, not a test): loans created per second through
//! `POST /loan-storage/loans` by N concurrent clients, with latency percentiles.
//! The storage module runs as its own process on a throwaway PostgreSQL. With `--events`, a
//! Kafka-protocol broker runs too and the module publishes each loan's event through its
//! outbox: a reader on the loan topic measures events per second and the publish lag (from the
//! change's commit-time stamp to the event read back).
use circulation_tests::http::FolioClient;
use circulation_tests::kafka::Broker;
use circulation_tests::pg::TempPostgres;
use circulation_tests::process::ModuleProcess;
use clap::Parser;
use hdrhistogram::Histogram;
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::FutureProducer;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::json;
use shared_types::kafka::ensure_topic;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Loans each client creates.
    #[arg(long, default_value_t = 500)]
    loans_per_client: usize,
    /// Publish domain events (outbox + relay) to a broker started for the run, and measure them.
    #[arg(long)]
    events: bool,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse();
    let pg = TempPostgres::start().map_err(|e| e.to_string())?;
    let mut env = pg.env();
    let module_log = std::env::var("MODULE_LOG").unwrap_or_else(|_| "warn".into());
    env.push(("RUST_LOG".into(), module_log));
    let broker = match args.events {
        true => Some(Broker::start().map_err(|e| e.to_string())?),
        false => None,
    };
    if let Some(broker) = &broker {
        env.extend(broker.env());
    }
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

    let expected = args.clients * args.loans_per_client;
    let reader = broker
        .as_ref()
        .map(|b| tokio::spawn(read_events(b.address(), expected)));
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
    if let Some(reader) = reader {
        let (lags, span) = reader.await.map_err(|e| e.to_string())??;
        let mut lag =
            Histogram::<u64>::new_with_bounds(1, 600_000, 3).map_err(|e| e.to_string())?;
        for ms in &lags {
            lag.record((*ms).max(1)).map_err(|e| e.to_string())?;
        }
        println!(
            "events: {} of {expected} read back, {:.0} events/s (first change to last event read); publish lag p50 {} ms, p99 {} ms, max {} ms",
            lags.len(),
            lags.len() as f64 / span.as_secs_f64().max(1e-9),
            lag.value_at_quantile(0.50),
            lag.value_at_quantile(0.99),
            lag.max()
        );
    }
    drop(storage);
    drop(broker);
    drop(pg);
    Ok(())
}

/// Reads the loan topic from its start while the loans are written: per event, the time from
/// its stamp (taken in the writing transaction) to its arrival here, in ms; and the time from
/// the reader's start to the last event.
async fn read_events(address: String, expected: usize) -> Result<(Vec<u64>, Duration), String> {
    let topic = "folio.bench.circulation.loan";
    let config = |extra: &[(&str, &str)]| {
        let mut c = rdkafka::ClientConfig::new();
        c.set("bootstrap.servers", &address);
        for (k, v) in extra {
            c.set(*k, *v);
        }
        c
    };
    // The topic first (as the module creates it), so the reader can be assigned before any event.
    let admin: AdminClient<DefaultClientContext> =
        config(&[]).create().map_err(|e| e.to_string())?;
    let producer: FutureProducer = config(&[]).create().map_err(|e| e.to_string())?;
    ensure_topic(&admin, &producer, topic, 1)
        .await
        .map_err(|e| e.to_string())?;
    let consumer: StreamConsumer =
        config(&[("group.id", "bench"), ("enable.auto.commit", "false")])
            .create()
            .map_err(|e| e.to_string())?;
    let mut partitions = TopicPartitionList::new();
    for p in 0..shared_types::kafka::PARTITIONS {
        partitions
            .add_partition_offset(topic, p, Offset::Beginning)
            .map_err(|e| e.to_string())?;
    }
    consumer.assign(&partitions).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut last = started;
    let mut lags = Vec::with_capacity(expected);
    while lags.len() < expected {
        let next = tokio::time::timeout(Duration::from_secs(30), consumer.recv()).await;
        let Ok(next) = next else { break };
        let Ok(message) = next else { continue };
        let now = chrono::Utc::now().timestamp_millis();
        let stamp = message
            .payload()
            .and_then(|p| serde_json::from_slice::<serde_json::Value>(p).ok())
            .and_then(|v| v["timestamp"].as_i64())
            .unwrap_or(now);
        lags.push((now - stamp).max(0) as u64);
        last = Instant::now();
    }
    Ok((lags, last - started))
}
