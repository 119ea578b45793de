//! `compare`: side-by-side performance runs of check-out, renewal and check-in by barcode through
//! the gateway, with sequential vs concurrent downstream calls, at several stand-in latencies. Real
//! PostgreSQL, the modules as processes, 8 concurrent clients by default. Each run checks items
//! out (loans from ten days ago), renews them, then checks the same items in. Prints latency percentiles, requests per second,
//! downstream calls per request (from `Server-Timing`), the critical-path bound of each flow
//! at each latency (the longest chain of calls made one after another, from the calls' start
//! offsets in `Server-Timing`) beside its p50 and p99, check-out + check-in cycles per second
//! and CPU per request by process.
use circulation_tests::stack::{Stack, StackConfig};
use circulation_tests::standins::Latency;
use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Check-outs per strategy and latency.
    #[arg(long, default_value_t = 400)]
    checkouts: usize,
    /// Stand-in latencies to run at, in ms (comma separated).
    #[arg(long, value_delimiter = ',', default_value = "0,10")]
    latencies_ms: Vec<u64>,
    /// Gateway delay per proxied request, in ms.
    #[arg(long, default_value_t = 0)]
    hop_overhead_ms: u64,
    /// Check-outs run before the measured ones at each latency and not counted (connections
    /// opened, caches and PostgreSQL's plans warm, as in a module that has been up a while).
    #[arg(long, default_value_t = 100)]
    warmup: usize,
    /// Strategies to compare (comma separated).
    #[arg(long, value_delimiter = ',', default_value = "sequential,concurrent")]
    strategies: Vec<String>,
    /// Renew each run's loans after the check-outs (and measure it).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    renew: bool,
    /// Check the items in again after each run's check-outs (and measure it).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    check_in: bool,
    /// Run a Kafka-protocol broker: storage publishes its domain events through its outbox and
    /// the logic module its business events (false: pubsub only, no outbox).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    kafka: bool,
}

/// The flows a run measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    CheckOut,
    Renew,
    CheckIn,
}

impl Flow {
    fn name(self) -> &'static str {
        match self {
            Flow::CheckOut => "check-out",
            Flow::Renew => "renew",
            Flow::CheckIn => "check-in",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Flow::CheckOut => "/circulation/check-out-by-barcode",
            Flow::Renew => "/circulation/renew-by-barcode",
            Flow::CheckIn => "/circulation/check-in-by-barcode",
        }
    }

    fn body(self, item: &str, patron: &str, service_point: &str) -> serde_json::Value {
        match self {
            // Loans from ten days ago, so that a renewal right after moves the due date.
            Flow::CheckOut => json!({"itemBarcode": item, "userBarcode": patron,
                "servicePointId": service_point, "loanDate": ten_days_ago()}),
            Flow::Renew => json!({"itemBarcode": item, "userBarcode": patron}),
            Flow::CheckIn => json!({"itemBarcode": item, "servicePointId": service_point,
                                    "checkInDate": "2030-03-10T12:00:00.000Z"}),
        }
    }
}

fn ten_days_ago() -> String {
    (chrono::Utc::now() - chrono::Duration::days(10))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The staff member checking items in (check-in needs a logged-in user).
const STAFF: &str = "8f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";

/// What one check-out told us.
struct Sample {
    micros: u64,
    status: u16,
    hops: usize,
    /// The critical path of its downstream calls ([`critical_chain`]): calls, ms.
    chain: (usize, f64),
    /// The start of the answer's body when the check-out failed (shown after the table row).
    failure: Option<String>,
}

/// One downstream call of an answer's `Server-Timing` (`name;dur=1.2;start=0.3`), in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Call {
    start: f64,
    dur: f64,
}

/// The downstream calls of a `Server-Timing` header (`total` aside).
fn parse_server_timing(header: &str) -> Vec<Call> {
    header
        .split(',')
        .filter_map(|entry| {
            let mut params = entry.trim().split(';');
            let name = params.next().unwrap_or_default().trim();
            if name.is_empty() || name == "total" {
                return None;
            }
            let mut call = Call {
                start: 0.0,
                dur: 0.0,
            };
            for param in params {
                match param.trim().split_once('=') {
                    Some(("dur", v)) => call.dur = v.parse().unwrap_or(0.0),
                    Some(("start", v)) => call.start = v.parse().unwrap_or(0.0),
                    _ => {}
                }
            }
            Some(call)
        })
        .collect()
}

/// The critical path of one answer's downstream calls: a call follows every call that had
/// ended when it started; the longest such chain, as (calls in it, their time in ms). The
/// answer cannot come sooner than that chain's time.
fn critical_chain(calls: &[Call]) -> (usize, f64) {
    let mut calls = calls.to_vec();
    calls.sort_by(|a, b| a.start.total_cmp(&b.start));
    // Per call: the longest chain ending with it, as (calls, ms).
    let mut chains: Vec<(usize, f64)> = Vec::with_capacity(calls.len());
    for (i, call) in calls.iter().enumerate() {
        let before = (0..i)
            .filter(|&j| calls[j].start + calls[j].dur <= call.start)
            .map(|j| chains[j])
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        chains.push((before.0 + 1, before.1 + call.dur));
    }
    chains
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0))
}

async fn run(
    stack: &Stack,
    flow: Flow,
    strategy: &str,
    first_item: usize,
    checkouts: usize,
    clients: usize,
) -> Result<(Vec<Sample>, Duration), String> {
    let sample = stack.sample.as_ref().ok_or("no sample data")?;
    let service_point = sample.default_service_point_id().to_string();
    let jobs: Arc<Vec<(String, String)>> = Arc::new(
        (0..checkouts)
            .map(|n| {
                (
                    sample.item_barcode(first_item + n),
                    sample.patron_barcode(n),
                )
            })
            .collect(),
    );
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..clients).map(|_| {
        let client = stack.client();
        let jobs = jobs.clone();
        let next = next.clone();
        let strategy = strategy.to_string();
        let service_point = service_point.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((item, patron)) = jobs.get(n) else {
                    break;
                };
                let body = flow.body(item, patron, &service_point);
                let t = Instant::now();
                let response = client
                    .http
                    .post(format!("{}{}", client.base, flow.path()))
                    .header("X-Okapi-Tenant", &client.tenant)
                    .header("X-Okapi-User-Id", STAFF)
                    .header("X-Circulation-Fan-Out", &strategy)
                    .json(&body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status().as_u16();
                let timing = response
                    .headers()
                    .get("server-timing")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let body = response.bytes().await.unwrap_or_default();
                let micros = t.elapsed().as_micros() as u64;
                let calls = parse_server_timing(&timing);
                let failure = (!matches!(status, 200 | 201))
                    .then(|| String::from_utf8_lossy(&body).chars().take(300).collect());
                samples.push(Sample {
                    micros,
                    status,
                    hops: calls.len(),
                    chain: critical_chain(&calls),
                    failure,
                });
            }
            Ok::<_, String>(samples)
        })
    });
    let mut all = Vec::new();
    for worker in futures::future::join_all(workers).await {
        all.extend(worker.map_err(|e| e.to_string())??);
    }
    Ok((all, started.elapsed()))
}

/// The row of one run; and, with latency, the line comparing its p50 and p99 with the
/// critical-path bound (the median answer's longest chain of calls made one after another:
/// what the answer waited for at least).
fn report(
    latency_ms: u64,
    flow: Flow,
    strategy: &str,
    samples: &[Sample],
    elapsed: Duration,
) -> Result<Option<String>, String> {
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 120_000_000, 3).map_err(|e| e.to_string())?;
    for s in samples {
        histogram.record(s.micros).map_err(|e| e.to_string())?;
    }
    let ok = samples
        .iter()
        .filter(|s| s.status == 201 || s.status == 200)
        .count();
    let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    let hops = samples.iter().map(|s| s.hops).sum::<usize>() as f64 / samples.len().max(1) as f64;
    println!(
        "| {latency_ms:>3} ms | {:<9} | {strategy:<10} | {:>5} | {:>5} | {:>7.1} | {:>7.2} | {:>7.2} | {:>7.2} | {:>7.2} | {:>5.1} |",
        flow.name(),
        samples.len(),
        ok,
        samples.len() as f64 / elapsed.as_secs_f64(),
        ms(0.50),
        ms(0.95),
        ms(0.99),
        histogram.max() as f64 / 1000.0,
        hops,
    );
    // The median answer's critical path: its calls one after another, and their time.
    let mut chains: Vec<(usize, f64)> = samples.iter().map(|s| s.chain).collect();
    chains.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (depth, bound_ms) = chains.get(chains.len() / 2).copied().unwrap_or((0, 0.0));
    let bound = (latency_ms > 0 && bound_ms > 0.0).then(|| {
        format!(
            "  {latency_ms:>3} ms {:<9} {strategy:<10}: {depth} calls one after another, {bound_ms:.1} ms; p50 {:.1} ms = {:.2}x, p99 {:.1} ms = {:.2}x",
            flow.name(),
            ms(0.50),
            ms(0.50) / bound_ms,
            ms(0.99),
            ms(0.99) / bound_ms,
        )
    });
    // A failed request is a finding, not noise: say what it was.
    for s in samples.iter().filter(|s| s.failure.is_some()).take(3) {
        eprintln!(
            "  failed {}: status {}: {}",
            flow.name(),
            s.status,
            s.failure.as_deref().unwrap_or_default()
        );
    }
    Ok(bound)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse();
    println!(
        "check-out{}{} by barcode through the gateway: {} clients, {} per run after {} not counted, hop overhead {} ms",
        if args.renew { ", renewal" } else { "" },
        if args.check_in { " and check-in" } else { "" },
        args.clients, args.checkouts, args.warmup, args.hop_overhead_ms
    );
    println!("| latency | flow      | strategy   |     n |    ok | per s   | p50 ms  | p95 ms  | p99 ms  | max ms  | calls |");
    println!("|---------|-----------|------------|-------|-------|---------|---------|---------|---------|---------|-------|");
    let mut cpu_lines = Vec::new();
    let mut cycle_lines = Vec::new();
    let mut bound_lines = Vec::new();
    let mut flows = vec![Flow::CheckOut];
    if args.renew {
        flows.push(Flow::Renew);
    }
    if args.check_in {
        flows.push(Flow::CheckIn);
    }
    for &latency_ms in &args.latencies_ms {
        let latency = if latency_ms == 0 {
            Latency::None
        } else {
            Latency::Fixed(Duration::from_millis(latency_ms))
        };
        let measured = args.checkouts * args.strategies.len();
        let items = measured + args.warmup + 1;
        let stack = Stack::start(StackConfig {
            hop_overhead: Duration::from_millis(args.hop_overhead_ms),
            standin_latency: latency,
            sample_data: Some((args.checkouts.max(1), items)),
            kafka: args.kafka,
            ..StackConfig::default()
        })
        .await?;
        if args.warmup > 0 {
            for &flow in &flows {
                run(
                    &stack,
                    flow,
                    "concurrent",
                    measured,
                    args.warmup,
                    args.clients,
                )
                .await?;
            }
        }
        for (i, strategy) in args.strategies.iter().enumerate() {
            let first = i * args.checkouts;
            let mut cycle = Duration::ZERO;
            for &flow in &flows {
                let counted = flow != Flow::Renew;
                let cpu_before = stack.cpu_by_part();
                let (samples, elapsed) =
                    run(&stack, flow, strategy, first, args.checkouts, args.clients).await?;
                let cpu_after = stack.cpu_by_part();
                if counted {
                    cycle += elapsed;
                }
                bound_lines.extend(report(latency_ms, flow, strategy, &samples, elapsed)?);
                cpu_lines.push(cpu_per_request(
                    latency_ms,
                    flow,
                    strategy,
                    &cpu_before,
                    &cpu_after,
                    samples.len(),
                ));
            }
            if args.check_in {
                cycle_lines.push(format!(
                    "  {latency_ms:>3} ms {strategy:<10}: {:.1} check-out + check-in cycles/s",
                    args.checkouts as f64 / cycle.as_secs_f64()
                ));
            }
        }
        stack.stop().await;
    }
    println!();
    println!("CPU per request (ms), by process; harness = gateway + stand-ins + clients:");
    for line in cpu_lines {
        println!("{line}");
    }
    if !bound_lines.is_empty() {
        println!();
        println!("Critical path (the median answer's longest chain of calls made one after another, and their time):");
        for line in bound_lines {
            println!("{line}");
        }
    }
    if !cycle_lines.is_empty() {
        println!();
        for line in cycle_lines {
            println!("{line}");
        }
    }
    Ok(())
}

/// `  0 ms check-out concurrent: logic 1.20, storage 0.80, postgres 1.10, harness 2.00, total 5.10`.
fn cpu_per_request(
    latency_ms: u64,
    flow: Flow,
    strategy: &str,
    before: &[(&str, Duration)],
    after: &[(&str, Duration)],
    checkouts: usize,
) -> String {
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / checkouts.max(1) as f64;
    let mut total = 0.0;
    let mut parts = Vec::new();
    for ((name, b), (_, a)) in before.iter().zip(after) {
        let ms = per(a.saturating_sub(*b));
        total += ms;
        parts.push(format!("{name} {ms:.2}"));
    }
    format!(
        "  {latency_ms:>3} ms {:<9} {strategy:<10}: {}, total {total:.2}",
        flow.name(),
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::{critical_chain, parse_server_timing, Call};

    #[test]
    fn reads_server_timing() {
        let calls = parse_server_timing("user;dur=1.5;start=0.2, item;dur=2, total;dur=9");
        assert_eq!(
            calls,
            vec![
                Call {
                    start: 0.2,
                    dur: 1.5
                },
                Call {
                    start: 0.0,
                    dur: 2.0
                }
            ]
        );
        assert!(parse_server_timing("").is_empty());
    }

    #[test]
    fn the_critical_chain_follows_calls_made_one_after_another() {
        let call = |start, dur| Call { start, dur };
        // Two side by side (the longer counts), then one after both, then one after that.
        let calls = [
            call(0.0, 10.0),
            call(0.1, 12.0),
            call(12.2, 10.0),
            call(22.3, 5.0),
        ];
        let (depth, ms) = critical_chain(&calls);
        assert_eq!(depth, 3);
        assert!((ms - 27.0).abs() < 1e-9, "{ms}");
        // All side by side: the longest.
        assert_eq!(critical_chain(&[call(0.0, 5.0), call(0.0, 7.0)]), (1, 7.0));
        assert_eq!(critical_chain(&[]), (0, 0.0));
    }
}
