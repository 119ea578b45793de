//! What every request of a process (or of one of its workers) shares: settings, the policy
//! cache and the worker's HTTP client.
use crate::config::Settings;
use crate::okapi::PolicyCache;

pub(crate) struct AppState {
    pub settings: Settings,
    /// Rules and policies, per tenant, for `POLICY_CACHE_SECONDS`.
    pub cache: PolicyCache,
}

impl AppState {
    pub(crate) fn new(settings: Settings) -> AppState {
        AppState {
            cache: PolicyCache::new(settings.policy_cache_seconds),
            settings,
        }
    }
}

/// The HTTP client (connection pool) of one worker. The app factory runs on each worker's
/// thread, so the connections a worker opens are driven by its own runtime: a downstream call
/// and its answer never hop to another thread.
pub(crate) struct WorkerHttp(pub reqwest::Client);
