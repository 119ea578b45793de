//! The check-out lock (mod-circulation's `checkoutLockFeature`): when the tenant's setting turns
//! it on, a check-out holds a per-patron lock in `check-out-lock-storage` from after the
//! validation until its writes are done, so two check-outs for one patron cannot both pass the
//! item limit.
use crate::domain::LockSettings;
use crate::downstream::Peers;
use crate::error::Failure;
use serde_json::Value;
use shared_types::errors::Error;
use std::time::Duration;

/// Takes the patron's lock, trying `attempts` times `retry_interval_ms` apart; the lock's id,
/// or the 422 `unable to acquire lock`.
pub(crate) async fn acquire(
    peers: Peers<'_>,
    settings: LockSettings,
    user_id: &str,
) -> Result<String, Failure> {
    for attempt in 0..settings.attempts.max(1) {
        if attempt > 0 {
            // A back-off between attempts, as mod-circulation's retry does.
            tokio::time::sleep(Duration::from_millis(settings.retry_interval_ms)).await;
        }
        match peers.storage().acquire_lock(user_id, settings.ttl_ms).await {
            Ok(reply) => {
                if let Some(id) = reply
                    .json()
                    .as_ref()
                    .and_then(|l| l.get("id"))
                    .and_then(Value::as_str)
                {
                    return Ok(id.to_string());
                }
            }
            Err(e) => log::info!(
                "check-out: lock not acquired (attempt {}): {e}",
                attempt + 1
            ),
        }
    }
    Err(Failure::refused(
        Error::new("unable to acquire lock").with_parameter("", Some(String::new())),
    ))
}

/// Releases the lock (awaited, so that the patron's next check-out finds it free; a failure
/// is only logged: the lock expires after its TTL anyway).
pub(crate) async fn release(peers: Peers<'_>, lock_id: String) {
    if let Err(e) = peers.storage().release_lock(&lock_id).await {
        log::warn!("check-out: lock {lock_id} not released: {e}");
    }
}
