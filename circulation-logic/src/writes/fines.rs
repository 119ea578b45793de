//! Charging a fee or fine circulation works out itself: the account, then the action that
//! charges it (mod-circulation's `FeeFineFacade.createAccount`). Written after the loan is
//! closed or renewed, best effort: nothing is undone, the caller logs a failure.
use crate::domain::feesfines::charge_action;
use crate::downstream::Peers;
use crate::okapi::CallError;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Who charged the fee: the staff member's "Last, First" (`source`) and the service point's id
/// (`createdAt`), each when known.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ChargedBy<'a> {
    pub source: Option<&'a str>,
    pub service_point_id: Option<&'a str>,
}

/// `POST /accounts` with `account`, then `POST /feefineactions` with its charge at `at`; the
/// action written.
pub(crate) async fn charge(
    peers: Peers<'_>,
    account: &Value,
    by: ChargedBy<'_>,
    at: DateTime<Utc>,
) -> Result<Value, CallError> {
    let feesfines = peers.feesfines();
    feesfines.create_account(account).await?;
    let action = charge_action(account, by.source, by.service_point_id, at);
    feesfines.create_action(&action).await?;
    Ok(action)
}
