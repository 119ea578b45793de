//! Kafka: the business events on FOLIO's native circulation topics
//! (`{ENV}.{tenant}.circulation.<EVENT_TYPE>`, e.g. `ITEM_CHECKED_OUT`), beside mod-pubsub, as
//! mod-patron-blocks consumes them — sent after the answer is decided and not waited for by it,
//! as FOLIO's producers do; a failure is logged — and the circulation rules' changes
//! (`{ENV}.{tenant}.circulation.rules`, published by circulation-storage), which drop this
//! instance's cache of the tenant's rules and policies at once, as mod-circulation's
//! `CirculationRulesUpdateEventHandler` does (each instance reads every change: no group).
use crate::okapi::PolicyCache;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;
use shared_types::kafka::{KafkaConfig, TopicProducer};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The process's producer and the tenants whose rules it watches.
pub(crate) struct KafkaEvents {
    config: KafkaConfig,
    producer: TopicProducer,
    watched: Mutex<HashSet<String>>,
}

impl KafkaEvents {
    /// The producer when Kafka is configured (said once at start either way).
    pub(crate) fn connect(config: &KafkaConfig) -> Option<KafkaEvents> {
        let Some(servers) = config.bootstrap_servers() else {
            log::info!("Kafka not configured (KAFKA_HOST unset): events go to mod-pubsub only");
            return None;
        };
        let settings = [("message.timeout.ms", "5000"), ("linger.ms", "1")];
        let created =
            TopicProducer::create(&config.client(&[])?, &settings, config.replication_factor);
        match created {
            Ok(producer) => {
                log::info!("events also to Kafka at {servers}");
                Some(KafkaEvents {
                    config: config.clone(),
                    producer,
                    watched: Mutex::new(HashSet::new()),
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
            .payload(value.as_str())
            .headers(headers);
        self.producer.send(record).await
    }
}

impl KafkaEvents {
    /// From the tenant's first request on, a thread reads the tenant's rules topic and drops
    /// the tenant's cached rules and policies on every change made after it started.
    pub(crate) fn watch_rules(self: &Arc<Self>, tenant: &str, cache: &Arc<PolicyCache>) {
        // Called on every request: no allocation once the tenant is watched.
        let first = self
            .watched
            .lock()
            .map(|mut w| !w.contains(tenant) && w.insert(tenant.to_string()))
            .unwrap_or(false);
        if !first {
            return;
        }
        let (events, tenant, cache) = (self.clone(), tenant.to_string(), cache.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("rules-{tenant}"))
            .spawn(move || events.read_rules(&tenant, &cache));
        if let Err(e) = spawned {
            log::warn!("rules changes not watched: {e}");
        }
    }

    fn read_rules(&self, tenant: &str, cache: &PolicyCache) {
        let topic = self.config.circulation_topic(tenant, "rules");
        let started = chrono::Utc::now().timestamp_millis();
        loop {
            match self.rules_consumer(&topic) {
                Ok(consumer) => {
                    log::info!("watching {topic}: a rules change drops the cache of {tenant}");
                    loop {
                        let Some(Ok(message)) = consumer.poll(Duration::from_millis(500)) else {
                            continue;
                        };
                        // Changes from before this instance watched were read then anyway.
                        let at = message.timestamp().to_millis().unwrap_or(i64::MAX);
                        if at >= started {
                            cache.invalidate_tenant(tenant);
                            log::info!("{tenant}: circulation rules changed, cache dropped");
                        }
                    }
                }
                Err(e) => {
                    log::warn!("{topic} not watched yet: {e}");
                    std::thread::sleep(Duration::from_secs(5));
                }
            }
        }
    }

    /// A consumer of every partition of the topic from its start (created when absent), in no
    /// group: every instance reads every change.
    fn rules_consumer(&self, topic: &str) -> Result<BaseConsumer, KafkaError> {
        futures::executor::block_on(self.producer.ensure(topic))?;
        let group = format!("circulation-logic-rules-{}", uuid::Uuid::new_v4());
        let consumer: BaseConsumer = self
            .config
            .client(&[("group.id", &group), ("enable.auto.commit", "false")])
            .unwrap_or_default()
            .create()?;
        let mut partitions = TopicPartitionList::new();
        for partition in 0..shared_types::kafka::PARTITIONS {
            partitions.add_partition_offset(topic, partition, Offset::Beginning)?;
        }
        consumer.assign(&partitions)?;
        Ok(consumer)
    }
}
