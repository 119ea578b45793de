//! What every request of a process (or of one of its workers) shares: settings, the policy
//! cache, the Kafka producer and the worker's HTTP client.
use crate::config::Settings;
use crate::downstream::kafka::KafkaEvents;
use crate::okapi::PolicyCache;
use std::sync::Arc;

pub(crate) struct AppState {
    pub settings: Settings,
    /// Rules and policies, per tenant, for `POLICY_CACHE_SECONDS` (or until a rules change
    /// arrives on Kafka).
    pub cache: Arc<PolicyCache>,
    /// The Kafka producer, when `KAFKA_HOST` is set.
    pub kafka: Option<Arc<KafkaEvents>>,
}

impl AppState {
    pub(crate) fn new(settings: Settings) -> AppState {
        AppState {
            cache: Arc::new(PolicyCache::new(settings.policy_cache_seconds)),
            kafka: KafkaEvents::connect(&settings.kafka).map(Arc::new),
            settings,
        }
    }
}

/// The HTTP client (connection pool) of one worker. The app factory runs on each worker's
/// thread, so the connections a worker opens are driven by its own runtime: a downstream call
/// and its answer never hop to another thread.
pub(crate) struct WorkerHttp(pub reqwest::Client);
