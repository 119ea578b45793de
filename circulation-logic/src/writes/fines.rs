//! Charging a fee or fine circulation works out itself: the account, then the action that
//! charges it (mod-circulation's `FeeFineFacade.createAccount`); closing a lost item's fee:
//! the refund of what was paid, then the cancellation of what remains (`FeeFineFacade`'s
//! `refundAccountIfNeeded` and `cancelAccountIfNeeded`). Written after the loan is closed or
//! renewed, best effort: nothing is undone, the caller logs a failure.
use crate::domain::feesfines::{
    charge_action, remaining_after_action, Account, ActedBy, CancelReason,
    REFUND_REASON_LOST_ITEM_FOUND,
};
use crate::downstream::Peers;
use crate::fines::lost_item::cancels;
use crate::fines::overdue::Amount;
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

/// What closing a lost item's fee did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Closed {
    pub refunded: bool,
    pub cancelled: bool,
}

/// Refunds `paid` (what was paid or transferred) when it is above zero, "Lost item found"
/// (`POST /accounts/{id}/refund`), then cancels what remains after it (or, without a refund,
/// the account's `remaining`) when it is above zero, for `reason`
/// (`POST /accounts/{id}/cancel`).
pub(crate) async fn refund_and_cancel(
    peers: Peers<'_>,
    account: &Account,
    paid: Amount,
    by: ActedBy<'_>,
    reason: CancelReason,
) -> Result<Closed, CallError> {
    let feesfines = peers.feesfines();
    let mut closed = Closed::default();
    let mut remaining = account.remaining();
    if paid.is_positive() {
        let request = by.refund_request(paid.cents(), REFUND_REASON_LOST_ITEM_FOUND);
        let answer = feesfines.refund_account(account.id(), &request).await?;
        remaining = remaining_after_action(&answer);
        closed.refunded = true;
    }
    if cancels(remaining) {
        let request = by.cancel_request(reason.for_account());
        feesfines.cancel_account(account.id(), &request).await?;
        closed.cancelled = true;
    }
    Ok(closed)
}
