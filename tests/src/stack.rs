//! The whole system on one machine: throwaway PostgreSQL, the two modules as separate
//! processes, the stand-ins for other FOLIO modules, and the Okapi-compatible gateway with
//! everything registered and tenant `diku` enabled — the way a sysop would set up Okapi.
use crate::gateway::{Gateway, GatewayConfig};
use crate::http::FolioClient;
use crate::kafka::Broker;
use crate::pg::TempPostgres;
use crate::process::ModuleProcess;
use crate::sample_data::SampleData;
use crate::standins::{self, Latency, StandinConfig, Standins};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const STORAGE_DESCRIPTOR: &str =
    include_str!("../../descriptors/ModuleDescriptor-circulation-storage.json");
pub const LOGIC_DESCRIPTOR: &str =
    include_str!("../../descriptors/ModuleDescriptor-circulation-logic.json");
pub const TENANT: &str = "diku";

#[derive(Debug, Clone)]
pub struct StackConfig {
    /// Gateway port (0 = any free port).
    pub port: u16,
    pub storage_instances: usize,
    pub logic_instances: usize,
    pub hop_overhead: Duration,
    pub standin_latency: Latency,
    /// Sample data sizes; `None` skips sample data.
    pub sample_data: Option<(usize, usize)>,
    /// Extra environment for the logic module (e.g. FAN_OUT).
    pub logic_env: Vec<(String, String)>,
    /// Start a Kafka-protocol broker and name it to the modules (`KAFKA_HOST`, `KAFKA_PORT`).
    pub kafka: bool,
}

impl Default for StackConfig {
    fn default() -> Self {
        StackConfig {
            port: 0,
            storage_instances: 1,
            logic_instances: 1,
            hop_overhead: Duration::ZERO,
            standin_latency: Latency::None,
            sample_data: Some((20, 50)),
            logic_env: Vec::new(),
            kafka: true,
        }
    }
}

pub struct Stack {
    pub gateway: Gateway,
    pub standins: Standins,
    pub storage: Vec<ModuleProcess>,
    pub logic: Vec<ModuleProcess>,
    pub sample: Option<SampleData>,
    pub started_in: Duration,
    /// The broker, unless started without one.
    pub broker: Option<Broker>,
    // Last: the database outlives the modules using it.
    pub pg: TempPostgres,
}

pub fn descriptor(text: &str) -> Value {
    serde_json::from_str(text).expect("descriptor JSON")
}

impl Stack {
    pub async fn start(config: StackConfig) -> Result<Stack, String> {
        let started = Instant::now();
        let pg = TempPostgres::start().map_err(|e| e.to_string())?;
        let quiet = (
            "RUST_LOG".to_string(),
            std::env::var("MODULE_LOG").unwrap_or_else(|_| "warn".into()),
        );

        let broker = match config.kafka {
            true => Some(Broker::start().map_err(|e| e.to_string())?),
            false => None,
        };
        let kafka_env = broker.as_ref().map(Broker::env).unwrap_or_default();
        let mut storage_env = pg.env();
        storage_env.extend(kafka_env.iter().cloned());
        storage_env.push(quiet.clone());
        let mut storage = Vec::new();
        for _ in 0..config.storage_instances.max(1) {
            storage.push(ModuleProcess::start("circulation-storage", &storage_env, &[]).await?);
        }
        let mut logic_env = config.logic_env.clone();
        logic_env.extend(kafka_env);
        logic_env.push(quiet);
        let mut logic = Vec::new();
        for _ in 0..config.logic_instances.max(1) {
            logic.push(ModuleProcess::start("circulation-logic", &logic_env, &[]).await?);
        }
        let standins = Standins::start(StandinConfig {
            port: 0,
            latency: config.standin_latency.clone(),
            kafka: broker.as_ref().map(Broker::address),
        })
        .await
        .map_err(|e| format!("stand-ins: {e}"))?;
        let gateway = Gateway::start(GatewayConfig {
            port: config.port,
            hop_overhead: config.hop_overhead,
        })
        .await
        .map_err(|e| format!("gateway: {e}"))?;

        let admin = FolioClient::new(&gateway.url(), "supertenant");
        let mut modules: Vec<(Value, Vec<String>)> = vec![
            (
                descriptor(STORAGE_DESCRIPTOR),
                storage.iter().map(|p| p.url.clone()).collect(),
            ),
            (
                descriptor(LOGIC_DESCRIPTOR),
                logic.iter().map(|p| p.url.clone()).collect(),
            ),
        ];
        for d in standins::descriptors() {
            modules.push((d, vec![standins.url()]));
        }
        for (md, urls) in &modules {
            let id = md["id"].as_str().unwrap_or_default().to_string();
            expect(
                admin.post("/_/proxy/modules", md).await,
                201,
                &format!("register {id}"),
            )?;
            for (n, url) in urls.iter().enumerate() {
                let instance = json!({"srvcId": id, "instId": format!("{id}-{n}"), "url": url});
                expect(
                    admin.post("/_/discovery/modules", &instance).await,
                    201,
                    &format!("discover {id}"),
                )?;
            }
        }
        expect(
            admin
                .post("/_/proxy/tenants", &json!({"id": TENANT, "name": "Datalogisk Institut", "description": "demo tenant"}))
                .await,
            201,
            "create tenant",
        )?;
        let install: Vec<Value> = modules
            .iter()
            .map(|(md, _)| json!({"id": md["id"], "action": "enable"}))
            .collect();
        expect(
            admin
                .post(
                    &format!(
                        "/_/proxy/tenants/{TENANT}/install?tenantParameters=loadReference%3Dtrue"
                    ),
                    &Value::Array(install),
                )
                .await,
            200,
            "install modules",
        )?;

        let sample = match config.sample_data {
            Some((patrons, items)) => {
                let data = SampleData::generate(patrons, items);
                let client = FolioClient::new(&gateway.url(), TENANT);
                data.load(&client.http, &gateway.url(), TENANT)
                    .await
                    .map_err(|e| format!("sample data: {e}"))?;
                Some(data)
            }
            None => None,
        };
        Ok(Stack {
            gateway,
            standins,
            storage,
            logic,
            sample,
            started_in: started.elapsed(),
            broker,
            pg,
        })
    }

    pub fn url(&self) -> String {
        self.gateway.url()
    }

    /// CPU used so far by each part of the stack: the logic and storage processes, PostgreSQL
    /// (none for an external server), and this process (gateway, stand-ins and whatever load
    /// generator runs in it).
    pub fn cpu_by_part(&self) -> Vec<(&'static str, Duration)> {
        let sum = |modules: &[ModuleProcess]| {
            modules
                .iter()
                .filter_map(|m| crate::cpu::process_cpu(m.pid(), false))
                .sum::<Duration>()
        };
        let mut parts = vec![("logic", sum(&self.logic)), ("storage", sum(&self.storage))];
        if let Some(pid) = self.pg.server_pid() {
            parts.push(("postgres", crate::cpu::tree_cpu(pid)));
        }
        let harness = crate::cpu::process_cpu(std::process::id(), false).unwrap_or_default();
        parts.push(("harness", harness));
        parts
    }

    /// A client of tenant `diku` through the gateway.
    pub fn client(&self) -> FolioClient {
        FolioClient::new(&self.url(), TENANT)
    }

    /// Stops every process and server and removes the database directory.
    pub async fn stop(self) {
        let Stack {
            gateway,
            standins,
            mut storage,
            mut logic,
            broker,
            pg,
            ..
        } = self;
        // Callers first: a logic module still publishing a check-out's events would otherwise
        // log that it cannot reach a gateway that is already gone.
        for p in logic.iter_mut().chain(storage.iter_mut()) {
            p.stop();
        }
        gateway.stop().await;
        standins.stop().await;
        drop(broker);
        drop(pg);
    }
}

fn expect(
    reply: crate::http::Reply,
    status: u16,
    what: &str,
) -> Result<crate::http::Reply, String> {
    if reply.status == status {
        Ok(reply)
    } else {
        Err(format!(
            "{what}: expected {status}, got {} {}",
            reply.status, reply.body
        ))
    }
}
