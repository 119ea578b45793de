//! FOLIO's Kafka settings (`KAFKA_HOST`, `KAFKA_PORT`, `ENV`, `REPLICATION_FACTOR`,
//! `KAFKA_PRODUCER_TENANT_COLLECTION`, each also a flag), the circulation topics' names and
//! creating a topic as FOLIO's modules do, for both modules (feature `kafka`).
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// Partitions of a topic a module creates, as FOLIO's.
pub const PARTITIONS: i32 = 10;

/// Where domain events go, from FOLIO's variables (each also a flag). Without `KAFKA_HOST` the
/// module publishes nothing and writes no outbox rows.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KafkaConfig {
    #[arg(id = "kafka_host", long = "kafka-host", env = "KAFKA_HOST")]
    pub host: Option<String>,
    #[arg(
        id = "kafka_port",
        long = "kafka-port",
        env = "KAFKA_PORT",
        default_value_t = 9092
    )]
    pub port: u16,
    /// The topics' first part (`{ENV}.{tenant}.circulation.loan`).
    #[arg(id = "env", long = "env", env = "ENV", default_value = "folio")]
    pub env: String,
    /// Replicas of a topic this module creates.
    #[arg(
        id = "replication_factor",
        long = "replication-factor",
        env = "REPLICATION_FACTOR",
        default_value_t = 1,
        value_parser = clap::value_parser!(i32).range(1..)
    )]
    pub replication_factor: i32,
    /// Replaces the tenant in topic names (one topic for all tenants).
    #[arg(
        id = "kafka_producer_tenant_collection",
        long = "kafka-producer-tenant-collection",
        env = "KAFKA_PRODUCER_TENANT_COLLECTION"
    )]
    pub tenant_collection: Option<String>,
    /// The gateway URL the events name in `x-okapi-url` (for consumers calling back).
    #[arg(id = "okapi_url", long = "okapi-url", env = "OKAPI_URL")]
    pub okapi_url: Option<String>,
}

impl KafkaConfig {
    /// `host:port` of the broker, when one is configured.
    pub fn bootstrap_servers(&self) -> Option<String> {
        let host = self
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())?;
        Some(format!("{host}:{}", self.port))
    }

    /// `{ENV}.{tenant}.circulation.{name}`; `KAFKA_PRODUCER_TENANT_COLLECTION` replaces the
    /// tenant.
    pub fn circulation_topic(&self, tenant: &str, name: &str) -> String {
        let tenant = self.tenant_collection.as_deref().unwrap_or(tenant);
        format!("{}.{tenant}.circulation.{name}", self.env)
    }

    /// A client configuration for the broker, with `settings` added; `None` without a broker.
    pub fn client(&self, settings: &[(&str, &str)]) -> Option<ClientConfig> {
        let servers = self.bootstrap_servers()?;
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", servers);
        for (key, value) in settings {
            config.set(*key, *value);
        }
        Some(config)
    }
}

/// Creates `topic` with FOLIO's partitions unless it exists, then makes `producer` learn of it
/// (instead of holding its first messages until its next metadata refresh). Every wait is
/// bounded: with the broker away this fails within seconds.
pub async fn ensure_topic(
    admin: &AdminClient<DefaultClientContext>,
    producer: &FutureProducer,
    topic: &str,
    replication_factor: i32,
) -> Result<(), KafkaError> {
    let new = NewTopic::new(
        topic,
        PARTITIONS,
        TopicReplication::Fixed(replication_factor),
    );
    let options = AdminOptions::new()
        .operation_timeout(Some(Duration::from_secs(5)))
        .request_timeout(Some(Duration::from_secs(5)));
    for result in admin.create_topics(&[new], &options).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, code)) => return Err(KafkaError::AdminOp(code)),
        }
    }
    producer
        .client()
        .fetch_metadata(Some(topic), Duration::from_secs(5))
        .map(|_| ())
}

/// A producer of FOLIO's topics that creates a topic the first time it sends to it, and again
/// after a send failed (a broker restarted empty has lost its topics).
pub struct TopicProducer {
    producer: FutureProducer,
    admin: AdminClient<DefaultClientContext>,
    replication_factor: i32,
    known: Mutex<HashSet<String>>,
}

impl TopicProducer {
    /// A producer (`client` with `producer_settings` added) and an admin client for the broker
    /// `client` names.
    pub fn create(
        client: &ClientConfig,
        producer_settings: &[(&str, &str)],
        replication_factor: i32,
    ) -> Result<TopicProducer, KafkaError> {
        let mut producer = client.clone();
        for (key, value) in producer_settings {
            producer.set(*key, *value);
        }
        Ok(TopicProducer {
            producer: producer.create()?,
            admin: client.create()?,
            replication_factor,
            known: Mutex::new(HashSet::new()),
        })
    }

    pub fn producer(&self) -> &FutureProducer {
        &self.producer
    }

    /// Makes sure `topic` exists (see [`ensure_topic`]), once until [`Self::forget_topics`].
    pub async fn ensure(&self, topic: &str) -> Result<(), KafkaError> {
        if self
            .known
            .lock()
            .map(|t| t.contains(topic))
            .unwrap_or(false)
        {
            return Ok(());
        }
        ensure_topic(&self.admin, &self.producer, topic, self.replication_factor).await?;
        if let Ok(mut known) = self.known.lock() {
            known.insert(topic.to_string());
        }
        Ok(())
    }

    /// After a failed send: every topic is made sure of again.
    pub fn forget_topics(&self) {
        if let Ok(mut known) = self.known.lock() {
            known.clear();
        }
    }

    /// Sends one message to its topic (created when absent); resolved once the broker has it.
    pub async fn send(&self, record: FutureRecord<'_, str, str>) -> Result<(), KafkaError> {
        self.ensure(record.topic).await?;
        let sent = self.producer.send(record, Duration::from_secs(5)).await;
        if sent.is_err() {
            self.forget_topics();
        }
        sent.map(|_| ()).map_err(|(e, _)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::KafkaConfig;
    use clap::Parser;

    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        kafka: KafkaConfig,
    }

    fn parse(args: &[&str]) -> Result<KafkaConfig, clap::Error> {
        Args::try_parse_from([&["module"], args].concat()).map(|a| a.kafka)
    }

    #[test]
    fn settings_and_topics() {
        let error = parse(&["--kafka-port", "x"]).unwrap_err().to_string();
        assert!(error.contains("--kafka-port"), "{error}");
        let error = parse(&["--replication-factor", "0"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("--replication-factor"), "{error}");
        let kafka = parse(&["--kafka-host", "broker", "--kafka-port", "29092"]).unwrap();
        assert_eq!(kafka.bootstrap_servers().as_deref(), Some("broker:29092"));
        assert_eq!(
            kafka.circulation_topic("diku", "loan"),
            "folio.diku.circulation.loan"
        );
        assert_eq!(parse(&[]).unwrap().bootstrap_servers(), None);
        let collected =
            parse(&["--env", "prod", "--kafka-producer-tenant-collection", "ALL"]).unwrap();
        assert_eq!(
            collected.circulation_topic("diku", "check-in"),
            "prod.ALL.circulation.check-in"
        );
    }
}
