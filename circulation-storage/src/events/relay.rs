//! The outbox relay: one thread per instance. Woken by this instance's writes (or every half
//! second), it takes each tenant's oldest rows under the tenant's lock (so any number of
//! instances can run one: a row is never sent twice on purpose, and one key's rows leave in
//! order), sends them, waits for the broker's acknowledgements, and deletes them in the same
//! transaction. A failure rolls back: the rows stay and are sent again later (at least once;
//! the event id names the row, for consumers that drop repeats).
use super::envelope::{headers, payload, OutboxRow};
use crate::config::KafkaConfig;
use crate::db::{outbox, PgPool};
use crate::error::StorageError;
use diesel::Connection;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use shared_types::kafka::TopicProducer;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Rows taken per transaction.
const BATCH: i64 = 500;
/// How often the relay looks without being woken.
const IDLE_LOOK: Duration = Duration::from_millis(500);
/// How long a woken relay lets further writes gather before it takes a batch: fewer, larger
/// transactions for a few ms of publish lag (figures in docs/storage.md).
const GATHER: Duration = Duration::from_millis(5);

/// The wake-ups of the relays running in this process (one, but for tests that start several
/// modules in one process).
static RELAYS: Mutex<Vec<SyncSender<()>>> = Mutex::new(Vec::new());

pub(super) fn nudge() {
    if let Ok(relays) = RELAYS.lock() {
        for relay in relays.iter() {
            // Full: a wake-up is already pending, which is as good.
            let _ = relay.try_send(());
        }
    }
}

/// Starts the relay when Kafka is configured (and says once which it is); the pool's
/// connections write outbox rows only then (see [`crate::db::build_pool`]).
pub fn start(pool: &PgPool, kafka: &KafkaConfig) -> bool {
    let Some(servers) = kafka.bootstrap_servers() else {
        log::info!("Kafka not configured (KAFKA_HOST unset): no domain events are published");
        return false;
    };
    // One request in flight per connection: a retried batch cannot overtake the next one.
    let settings = [
        ("message.timeout.ms", "5000"),
        ("max.in.flight.requests.per.connection", "1"),
        ("linger.ms", "1"),
    ];
    let client = kafka.client(&[]).unwrap_or_default();
    let producer = match TopicProducer::create(&client, &settings, kafka.replication_factor) {
        Ok(p) => p,
        Err(e) => {
            log::error!(
                "Kafka clients for {servers} not created: {e}; no domain events are published"
            );
            return false;
        }
    };
    let (sender, receiver) = sync_channel(1);
    if let Ok(mut relays) = RELAYS.lock() {
        relays.push(sender);
    }
    log::info!(
        "domain events to Kafka at {servers} (topics {}.<tenant>.circulation.*)",
        kafka.env
    );
    let relay = Relay {
        pool: pool.clone(),
        config: kafka.clone(),
        producer,
    };
    std::thread::Builder::new()
        .name("outbox-relay".into())
        .spawn(move || relay.run(receiver))
        .is_ok()
}

struct Relay {
    pool: PgPool,
    config: KafkaConfig,
    /// Creates a topic when first sent to, and again after a failure.
    producer: TopicProducer,
}

impl Relay {
    fn run(mut self, wake: Receiver<()>) {
        let mut backoff = Duration::ZERO;
        let mut last_warning: Option<Instant> = None;
        loop {
            // Woken, or time to look anyway; a wake-up that came meanwhile is served too.
            let _ = wake.recv_timeout(IDLE_LOOK.max(backoff));
            // A burst of writes gathers into one batch: fewer transactions per event.
            std::thread::sleep(GATHER);
            while wake.try_recv().is_ok() {}
            match self.relay_all() {
                Ok(()) => backoff = Duration::ZERO,
                Err(e) => {
                    backoff =
                        (backoff * 2).clamp(Duration::from_millis(200), Duration::from_secs(5));
                    // One line per ten seconds while the broker or the database is away.
                    if last_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                        log::warn!("domain events not published yet (kept in the outbox): {e}");
                        last_warning = Some(Instant::now());
                    }
                }
            }
        }
    }

    /// Every tenant's outbox, until each is empty (or held by another instance's relay).
    fn relay_all(&mut self) -> Result<(), StorageError> {
        let mut conn = self.pool.get()?;
        let schemas = outbox::schemas(&mut conn)?;
        for schema in schemas {
            while self.relay_batch(&mut conn, &schema)? == BATCH as usize {}
        }
        Ok(())
    }

    /// One batch of one tenant: taken, sent, acknowledged, deleted — in one transaction.
    fn relay_batch(
        &mut self,
        conn: &mut diesel::PgConnection,
        schema: &str,
    ) -> Result<usize, StorageError> {
        let Some(tenant) = outbox::tenant_of_schema(schema).map(str::to_string) else {
            return Ok(0);
        };
        conn.transaction(|conn| {
            let Some(rows) = outbox::take(conn, schema, BATCH)? else {
                return Ok(0);
            };
            if rows.is_empty() {
                return Ok(0);
            }
            let began = Instant::now();
            self.send(&tenant, &rows)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            outbox::delete(conn, schema, &ids)?;
            // Publish lag: from the change (its row's stamp) to the broker's acknowledgement.
            let oldest = rows.iter().map(|r| r.created_at).min().unwrap_or_default();
            log::debug!(
                "{tenant}: {} domain events published in {:?}, lag up to {} ms",
                rows.len(),
                began.elapsed(),
                (chrono::Utc::now() - oldest).num_milliseconds()
            );
            Ok(rows.len())
        })
    }

    /// Sends the rows in order and waits until the broker has every one.
    fn send(&self, tenant: &str, rows: &[OutboxRow]) -> Result<(), StorageError> {
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in rows {
            let topic = self.config.circulation_topic(tenant, &row.topic);
            futures::executor::block_on(self.producer.ensure(&topic))
                .map_err(|e| unavailable(&format!("creating {topic}"), e))?;
            let value = payload(row, tenant).to_string();
            let mut message_headers = OwnedHeaders::new();
            for (key, v) in headers(row, tenant, self.config.okapi_url.as_deref()) {
                message_headers = message_headers.insert(Header {
                    key,
                    value: Some(v.as_bytes()),
                });
            }
            let record = FutureRecord::to(&topic)
                .key(&row.key)
                .payload(&value)
                .headers(message_headers);
            let delivery = self
                .producer
                .producer()
                .send_result(record)
                .map_err(|(e, _)| unavailable(&format!("sending to {topic}"), e))?;
            deliveries.push(delivery);
        }
        for delivery in futures::executor::block_on(futures::future::join_all(deliveries)) {
            let failure = match delivery {
                Ok(Ok(_)) => continue,
                Ok(Err((e, _))) => unavailable("delivery", e),
                Err(_) => StorageError::Unavailable("delivery cancelled".into()),
            };
            // A broker that lost its topics (restarted without storage) needs them again.
            self.producer.forget_topics();
            return Err(failure);
        }
        Ok(())
    }
}

fn unavailable(what: &str, e: rdkafka::error::KafkaError) -> StorageError {
    StorageError::Unavailable(format!("Kafka {what}: {e}"))
}
