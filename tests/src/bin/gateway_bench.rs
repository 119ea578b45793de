//! Measures the latency the test gateway adds per hop: N requests with C concurrent clients
//! against a zero-latency echo module, first directly, then through the gateway. Besides
//! latency it reports the process CPU time per request (all in one process: client, gateway,
//! echo module), so the difference is the gateway's CPU cost per hop, a figure that stays
//! meaningful on a busy machine where latencies are noisy.
//!
//! `cargo run --release -p circulation-tests --bin gateway_bench -- -n 20000 -c 16`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use circulation_tests::gateway::{EchoModule, Gateway, GatewayConfig};
use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::json;

#[derive(Parser, Debug)]
#[command(about = "Latency added by the Okapi-compatible test gateway")]
struct Args {
    /// Measured requests per run.
    #[arg(short = 'n', long, default_value_t = 10_000)]
    requests: usize,
    /// Concurrent clients.
    #[arg(short = 'c', long, default_value_t = 8)]
    concurrency: usize,
    /// Unmeasured requests before each run.
    #[arg(long, default_value_t = 500)]
    warmup: usize,
    /// The gateway's hop_overhead in milliseconds (0 = pure proxy cost).
    #[arg(long, default_value_t = 0)]
    hop_overhead_ms: u64,
    /// Worker threads of the echo module.
    #[arg(long, default_value_t = 1)]
    echo_workers: usize,
}

struct Run {
    hist: Histogram<u64>,
    errors: usize,
    elapsed: Duration,
    /// CPU time (user + system) the whole process used during the run.
    cpu: Duration,
}

/// CPU time (user + system) used by this process so far.
fn process_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

async fn run(client: &reqwest::Client, url: &str, n: usize, c: usize) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = process_cpu();
    let started = Instant::now();
    let tasks: Vec<_> = (0..c.max(1))
        .map(|_| {
            let client = client.clone();
            let url = url.to_string();
            let next = next.clone();
            tokio::spawn(async move {
                let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("hist");
                let mut errors = 0;
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let t = Instant::now();
                    let ok = match client
                        .get(&url)
                        .header("X-Okapi-Tenant", "diku")
                        .send()
                        .await
                    {
                        Ok(resp) => resp.status().is_success() && resp.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if ok {
                        hist.saturating_record(t.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                    }
                }
                (hist, errors)
            })
        })
        .collect();
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("hist");
    let mut errors = 0;
    for task in tasks {
        let (h, e) = task.await.expect("client task");
        hist.add(h).expect("same bounds");
        errors += e;
    }
    Run {
        hist,
        errors,
        elapsed: started.elapsed(),
        cpu: process_cpu().saturating_sub(cpu_before),
    }
}

/// Process CPU time per request of a run, in µs.
fn cpu_per_request(r: &Run) -> f64 {
    r.cpu.as_secs_f64() * 1e6 / (r.hist.len() as usize + r.errors).max(1) as f64
}

fn report(name: &str, r: &Run) {
    let n = r.hist.len();
    println!(
        "{name:<8} n={n} errors={} p50={:.0}µs p90={:.0}µs p99={:.0}µs max={:.0}µs mean={:.0}µs throughput={:.0} req/s cpu={:.1}µs/req",
        r.errors,
        r.hist.value_at_quantile(0.50) as f64,
        r.hist.value_at_quantile(0.90) as f64,
        r.hist.value_at_quantile(0.99) as f64,
        r.hist.max() as f64,
        r.hist.mean(),
        n as f64 / r.elapsed.as_secs_f64(),
        cpu_per_request(r)
    );
}

async fn admin(client: &reqwest::Client, gw: &str, path: &str, body: serde_json::Value) {
    let resp = client
        .post(format!("{gw}{path}"))
        .json(&body)
        .send()
        .await
        .expect("admin call");
    assert!(
        resp.status().is_success(),
        "{path}: {}",
        resp.text().await.unwrap_or_default()
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse();
    let echo = EchoModule::start_with_workers("bench", args.echo_workers)
        .await
        .expect("echo module");
    let gw = Gateway::start(GatewayConfig {
        port: 0,
        hop_overhead: Duration::from_millis(args.hop_overhead_ms),
    })
    .await
    .expect("gateway");
    let client = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(args.concurrency.max(1) * 2)
        .build()
        .expect("client");
    let g = gw.url();
    admin(
        &client,
        &g,
        "/_/proxy/modules",
        json!({"id": "mod-bench-1.0.0", "provides": [{"id": "bench", "version": "1.0",
            "handlers": [{"methods": ["GET"], "pathPattern": "/bench/{id}",
                          "permissionsDesired": ["bench.override"]}]}]}),
    )
    .await;
    admin(
        &client,
        &g,
        "/_/discovery/modules",
        json!({"srvcId": "mod-bench-1.0.0", "instId": "b1", "url": echo.url()}),
    )
    .await;
    admin(&client, &g, "/_/proxy/tenants", json!({"id": "diku"})).await;
    admin(
        &client,
        &g,
        "/_/proxy/tenants/diku/install",
        json!([{"id": "mod-bench-1.0.0", "action": "enable"}]),
    )
    .await;

    println!(
        "gateway_bench: {} requests, {} concurrent clients, hop_overhead {} ms, {} CPUs",
        args.requests,
        args.concurrency,
        args.hop_overhead_ms,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let direct_url = format!("{}/bench/item-1", echo.url());
    let gateway_url = format!("{g}/bench/item-1");
    run(&client, &direct_url, args.warmup, args.concurrency).await;
    let direct = run(&client, &direct_url, args.requests, args.concurrency).await;
    run(&client, &gateway_url, args.warmup, args.concurrency).await;
    let via = run(&client, &gateway_url, args.requests, args.concurrency).await;
    report("direct", &direct);
    report("gateway", &via);
    let diff =
        |q: f64| via.hist.value_at_quantile(q) as f64 - direct.hist.value_at_quantile(q) as f64;
    println!(
        "added per hop: p50 {:+.0}µs  p99 {:+.0}µs  mean {:+.0}µs  cpu {:+.1}µs",
        diff(0.5),
        diff(0.99),
        via.hist.mean() - direct.hist.mean(),
        cpu_per_request(&via) - cpu_per_request(&direct)
    );
    gw.stop().await;
    echo.stop().await;
}
