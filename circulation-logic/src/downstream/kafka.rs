//! Kafka: the business events on FOLIO's native circulation topics
//! (`{ENV}.{tenant}.circulation.<EVENT_TYPE>`, e.g. `ITEM_CHECKED_OUT`), beside mod-pubsub, as
//! mod-patron-blocks consumes them. Sent after the answer is decided and not waited for by it,
//! as FOLIO's producers do; a failure is logged.
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::Value;
use shared_types::kafka::{ensure_topic, KafkaConfig};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// The process's producer and the topics it knows exist.
pub(crate) struct KafkaEvents {
    config: KafkaConfig,
    producer: FutureProducer,
    admin: AdminClient<DefaultClientContext>,
    topics: Mutex<HashSet<String>>,
}

impl KafkaEvents {
    /// The producer when Kafka is configured (said once at start either way).
    pub(crate) fn connect(config: &KafkaConfig) -> Option<KafkaEvents> {
        let Some(servers) = config.bootstrap_servers() else {
            log::info!("Kafka not configured (KAFKA_HOST unset): events go to mod-pubsub only");
            return None;
        };
        let producer = config.client(&[("message.timeout.ms", "5000"), ("linger.ms", "1")])?;
        let admin = config.client(&[])?;
        let created = producer
            .create()
            .and_then(|producer| Ok((producer, admin.create()?)));
        match created {
            Ok((producer, admin)) => {
                log::info!("events also to Kafka at {servers}");
                Some(KafkaEvents {
                    config: config.clone(),
                    producer,
                    admin,
                    topics: Mutex::new(HashSet::new()),
                })
            }
            Err(e) => {
                log::error!(
                    "Kafka clients for {servers} not created: {e}; events go to mod-pubsub only"
                );
                None
            }
        }
    }

    /// Sends one event to `{ENV}.{tenant}.circulation.{event_type}`, keyed by `key`, with the
    /// request's Okapi headers and `folio.tenantId`; resolved once the broker has it.
    pub(crate) async fn publish(
        &self,
        tenant: &str,
        event_type: &str,
        key: &str,
        payload: &Value,
        okapi_headers: &[(String, String)],
    ) -> Result<(), KafkaError> {
        let topic = self.config.circulation_topic(tenant, event_type);
        let known = self
            .topics
            .lock()
            .map(|t| t.contains(&topic))
            .unwrap_or(false);
        if !known {
            ensure_topic(
                &self.admin,
                &self.producer,
                &topic,
                self.config.replication_factor,
            )
            .await?;
            if let Ok(mut topics) = self.topics.lock() {
                topics.insert(topic.clone());
            }
        }
        let mut headers = OwnedHeaders::new().insert(Header {
            key: "folio.tenantId",
            value: Some(tenant.as_bytes()),
        });
        for (name, value) in okapi_headers {
            headers = headers.insert(Header {
                key: name.as_str(),
                value: Some(value.as_bytes()),
            });
        }
        let value = payload.to_string();
        let record = FutureRecord::to(&topic)
            .key(key)
            .payload(&value)
            .headers(headers);
        let sent = self.producer.send(record, Duration::from_secs(5)).await;
        if sent.is_err() {
            // A broker that lost its topics (restarted empty) needs them again.
            if let Ok(mut topics) = self.topics.lock() {
                topics.clear();
            }
        }
        sent.map(|_| ()).map_err(|(e, _)| e)
    }
}
