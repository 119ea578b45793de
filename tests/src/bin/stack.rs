//! `stack`: the project's main job. Starts the whole system (throwaway PostgreSQL, the storage and
//! logic modules as processes, stand-ins, gateway), enables tenant `diku` with reference and
//! sample data, prints `READY <url>`, and on SIGINT/SIGTERM stops everything it started.
use circulation_tests::stack::{Stack, StackConfig};
use circulation_tests::standins::Latency;
use clap::Parser;
use std::time::Duration;

#[derive(Parser)]
#[command(about = "Run FOLIO circulation (Rust) with an Okapi-compatible gateway on one machine")]
struct Args {
    /// Gateway port.
    #[arg(long, default_value_t = 9130)]
    port: u16,
    #[arg(long, default_value_t = 1)]
    storage_instances: usize,
    #[arg(long, default_value_t = 1)]
    logic_instances: usize,
    /// Delay added by the gateway to every proxied request (Okapi + auth filter cost).
    #[arg(long, default_value_t = 0)]
    hop_overhead_ms: u64,
    /// Fixed latency of every stand-in answer.
    #[arg(long, default_value_t = 0)]
    standin_latency_ms: u64,
    /// Upper bound of a uniformly distributed stand-in latency (with --standin-latency-ms as lower bound).
    #[arg(long)]
    standin_latency_max_ms: Option<u64>,
    /// Seed of the stand-in latency distribution.
    #[arg(long, default_value_t = 42)]
    standin_latency_seed: u64,
    #[arg(long, default_value_t = 100)]
    patrons: usize,
    #[arg(long, default_value_t = 500)]
    items: usize,
    /// Start without sample data (reference data is still loaded).
    #[arg(long)]
    no_sample_data: bool,
    /// Run without the Kafka-protocol broker (the modules then publish no Kafka events).
    #[arg(long)]
    no_kafka: bool,
}

fn latency(args: &Args) -> Latency {
    let min = Duration::from_millis(args.standin_latency_ms);
    match args.standin_latency_max_ms {
        Some(max) => Latency::Uniform {
            min,
            max: Duration::from_millis(max.max(args.standin_latency_ms)),
            seed: args.standin_latency_seed,
        },
        None if args.standin_latency_ms > 0 => Latency::Fixed(min),
        None => Latency::None,
    }
}

#[tokio::main]
async fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Args::parse();
    let config = StackConfig {
        port: args.port,
        storage_instances: args.storage_instances,
        logic_instances: args.logic_instances,
        hop_overhead: Duration::from_millis(args.hop_overhead_ms),
        standin_latency: latency(&args),
        sample_data: (!args.no_sample_data).then_some((args.patrons, args.items)),
        logic_env: Vec::new(),
        kafka: !args.no_kafka,
    };
    let stack = match Stack::start(config).await {
        Ok(stack) => stack,
        Err(e) => {
            eprintln!("stack failed to start: {e}");
            std::process::exit(1);
        }
    };
    log::info!("started in {:?}", stack.started_in);
    if let Some(broker) = &stack.broker {
        println!("KAFKA {}", broker.address());
    }
    println!("READY {}", stack.url());

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    eprintln!("stopping");
    stack.stop().await;
}
