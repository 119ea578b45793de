//! The overdue fine of a loan that was overdue when it was checked in (or renewed), charged as
//! mod-circulation's `OverdueFineService` does, after the loan is written. Best effort: when no
//! fine is due, or it cannot be charged, the flow goes on and the reason is logged.
//! (mod-circulation answers the check-in with the failure of a fee/fine call, after everything
//! else is written.)
//!
//! The reads, in order: for an item that was lost, the loan's lost item policy; the loan's
//! overdue fine policy (by its stored id; none or unknown: no fine); the loan policy the rules
//! choose now (its grace period) beside the calendar's open days of the item location's primary
//! service point (unless the policy counts closed days); then, for a fine above zero, the
//! automatic "Overdue fine" type, the owner of that service point, the staff member and the
//! service point the loan was checked in at. Without a type or an owner nothing is charged.
//! Writes: the account and its charge ([`writes::fines`]), then the loan's due-date notices
//! upon or after the due date are deleted.
//!
//! Before it, the lost item fees of an item that was lost, refunded and cancelled as
//! mod-circulation's `LostItemFeeRefundService` does ([`refund_lost_item_fees`]).
use crate::domain::feesfines::{
    actual_cost_cancel_request, Account, ActedBy, CancelReason, OVERDUE_FINE_TYPE,
};
use crate::domain::scheduled_notices::OVERDUE_NOTICES;
use crate::domain::{ItemInContext, ItemStatus, Loan, Location, NewAccount, User};
use crate::downstream::Peers;
use crate::due_date::local_date;
use crate::error::Failure;
use crate::fines::lost_item::{
    fee_types_refunded, latest, paid_or_transferred, refunded, within_refund_period,
    LOST_ITEM_ACTUAL_COST_FEE_TYPE,
};
use crate::fines::overdue::{
    beyond_grace, fine_for, lost_item_charged, open_minutes, overdue_at, period_minutes,
    whole_minutes,
};
use crate::flows::policies::current_loan_policy;
use crate::okapi::CallError;
use crate::writes;
use crate::writes::fines::{ChargedBy, Closed};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Why the loan's overdue fine is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FineOccasion {
    /// A check-in closed it; "Found by library" (a claimed-returned item) is never fined.
    CheckIn { found_by_library: bool },
    /// A renewal of an overdue loan; a policy that `forgiveOverdueFine` does not fine it.
    Renewal,
}

/// The loan and what its fine is worked out from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OverdueLoan<'a> {
    pub occasion: FineOccasion,
    /// Closed by the check-in (its `returnDate` and `checkinServicePointId` set), or as it was
    /// before the renewal (then the return is `now` and no service point is named).
    pub loan: &'a Loan,
    /// The item with its instance, effective location and material type.
    pub item: ItemInContext<'a>,
    pub item_status_before: &'a ItemStatus,
    /// The borrower: the rules choose the loan policy (its grace period) by the patron group.
    pub borrower: Option<&'a User>,
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

/// A fine charged: the account's id and amount in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChargedFine {
    pub account_id: String,
    pub cents: i64,
}

/// Charges the loan's overdue fine when one is due; what was charged, if anything. Failures
/// are logged under `flow`.
pub(crate) async fn charge_overdue_fine(
    peers: Peers<'_>,
    flow: &str,
    o: OverdueLoan<'_>,
) -> Option<ChargedFine> {
    let outcome = async {
        let Some(cents) = fine_due(peers, &o).await? else {
            return Ok(None);
        };
        charge(peers, flow, &o, cents).await
    };
    let what = format!("overdue fine of loan {} not charged", o.loan.id());
    logged(flow, &what, outcome.await)
}

/// What a best-effort step did; its failure logged under `flow` as "`what`: why".
fn logged<T>(flow: &str, what: &str, outcome: Result<Option<T>, Failure>) -> Option<T> {
    outcome.unwrap_or_else(|e| {
        log::warn!("{}: {what}: {e}", flow.to_lowercase());
        None
    })
}

/// The fine in cents, or `None` when there is none to charge.
async fn fine_due(peers: Peers<'_>, o: &OverdueLoan<'_>) -> Result<Option<i64>, Failure> {
    let Some(due) = o.loan.due_date() else {
        return Ok(None);
    };
    let returned = o.loan.return_date().unwrap_or(o.now);
    if !overdue_at(due, returned)
        || o.occasion
            == (FineOccasion::CheckIn {
                found_by_library: true,
            })
    {
        return Ok(None);
    }
    let feesfines = peers.feesfines();
    if matches!(
        o.item_status_before,
        ItemStatus::DeclaredLost | ItemStatus::AgedToLost
    ) {
        let lost_policy = match o.loan.lost_item_policy_id() {
            Some(id) => feesfines.lost_item_policy(id).await?,
            None => None,
        };
        let charged = lost_policy.is_some_and(|p| {
            let period = p.fee_refund_period();
            lost_item_charged(
                p.charges_overdue_fine_on_return(),
                period.as_ref(),
                o.loan.lost_date(),
                o.now,
            )
        });
        if !charged {
            return Ok(None);
        }
    }
    let policy = match o.loan.overdue_fine_policy_id() {
        Some(id) => feesfines.overdue_fine_policy(id).await?,
        None => None,
    };
    let Some(policy) = policy else {
        return Ok(None);
    };
    if o.occasion == FineOccasion::Renewal && policy.forgives_fine_on_renewal() {
        return Ok(None);
    }
    // Without a whole rate the fine is zero: checked before the reads it would make useless.
    let recalled = o.loan.due_date_changed_by_recall();
    let Some(rate) = policy.fine_rate(recalled) else {
        return Ok(None);
    };
    let location = o.item.location;
    let service_point = location.and_then(Location::primary_service_point);
    let (loan_policy, minutes) = peers
        .fan
        .join2(
            async {
                let (Some(user), Some(item)) = (o.borrower, o.item.item) else {
                    return Err(Failure::Server(
                        "Unable to apply circulation rules without the borrower and the item"
                            .into(),
                    ));
                };
                let units = location.map(Location::units).unwrap_or_default();
                current_loan_policy(peers, user, item, units).await
            },
            async {
                match service_point.filter(|_| !policy.counts_closed_days()) {
                    Some(sp) => {
                        let (from, to) = (local_date(due, o.tz), local_date(returned, o.tz));
                        let days = peers.calendar().open_days(sp, from, to).await?;
                        Ok::<_, CallError>(open_minutes(&days, due, returned, o.tz))
                    }
                    None => Ok(whole_minutes(due, returned)),
                }
            },
        )
        .await;
    let grace = loan_policy?
        .loans_policy
        .and_then(|lp| lp.grace_period)
        .map_or(0, |p| period_minutes(&p));
    let minutes = beyond_grace(
        minutes?,
        grace,
        recalled && policy.ignores_grace_period_for_recalls(),
    );
    let fine = fine_for(minutes, &rate);
    Ok(fine.is_positive().then(|| fine.cents()))
}

/// Charges `cents` when the automatic fee/fine type and the owner of the location's primary
/// service point exist, and deletes the due-date notices the fine replaces.
async fn charge(
    peers: Peers<'_>,
    flow: &str,
    o: &OverdueLoan<'_>,
    cents: i64,
) -> Result<Option<ChargedFine>, Failure> {
    let feesfines = peers.feesfines();
    let service_point = o.item.location.and_then(Location::primary_service_point);
    let (fee_fine, owner, staff, checked_in_at) = peers
        .fan
        .join4(
            feesfines.automatic_fee_fine(OVERDUE_FINE_TYPE),
            async {
                match service_point {
                    Some(sp) => feesfines.owner_for_service_point(sp).await,
                    None => Ok(None),
                }
            },
            staff_member(peers),
            async {
                match o.loan.checkin_service_point_id() {
                    Some(id) => peers.inventory().service_point(id).await,
                    None => Ok(None),
                }
            },
        )
        .await;
    let charged = match (fee_fine?, owner?) {
        (Some(fee_fine), Some(owner)) => {
            let account_id = uuid::Uuid::new_v4().to_string();
            let account = NewAccount {
                id: &account_id,
                owner: &owner,
                fee_fine: &fee_fine,
                cents,
                loan: o.loan,
                item: o.item,
            }
            .to_json();
            let source = staff?.and_then(|u| u.name_or_username());
            let checked_in_at = checked_in_at?;
            let by = ChargedBy {
                source: source.as_deref(),
                service_point_id: checked_in_at.as_ref().map(|sp| sp.id()),
            };
            writes::fines::charge(peers, &account, by, o.now).await?;
            Some(ChargedFine { account_id, cents })
        }
        (fee_fine, _) => {
            let missing = match fee_fine {
                None => format!("no automatic fee/fine type \"{OVERDUE_FINE_TYPE}\""),
                Some(_) => format!(
                    "no fee/fine owner for service point {}",
                    service_point.unwrap_or("(none)")
                ),
            };
            log::info!(
                "{}: overdue fine of loan {} not charged: {missing}",
                flow.to_lowercase(),
                o.loan.id()
            );
            None
        }
    };
    // As mod-circulation, also when nothing could be charged.
    let storage = peers.storage();
    let delete =
        storage.delete_scheduled_notices("delete overdue notices", o.loan.id(), OVERDUE_NOTICES);
    if let Err(e) = delete.await {
        log::warn!(
            "{}: overdue notices of loan {} not deleted: {e}",
            flow.to_lowercase(),
            o.loan.id()
        );
    }
    Ok(charged)
}

/// The staff member acting (`X-Okapi-User-Id`), when there is one and it is found.
async fn staff_member(peers: Peers<'_>) -> Result<Option<User>, CallError> {
    match peers.okapi.user_id.as_deref() {
        Some(id) => peers.users().by_id("staff member", id).await,
        None => Ok(None),
    }
}

/// A lost item back in the library: checked in, or renewed through an override.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LostItemBack<'a> {
    /// Returned (a check-in) or renewed: what the cancellations say.
    pub reason: CancelReason,
    pub item_id: &'a str,
    /// Only a "Declared lost", "Aged to lost" or "Lost and paid" item has fees to refund.
    pub item_status_before: &'a ItemStatus,
    /// The loan the check-in closed, or the loan renewed; without one, the item's last loan
    /// (a "Lost and paid" item's loan was closed when its fees were paid).
    pub loan: Option<&'a Loan>,
    /// The service point of the check-in, or the one the renewal names.
    pub service_point_id: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// What the refund did: each account closed (by id) and whether the loan's open actual cost
/// record was cancelled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RefundedFees {
    pub accounts: Vec<(String, Closed)>,
    pub actual_cost_cancelled: bool,
}

/// Refunds what was paid or transferred of a lost item's fees and cancels what remains, when
/// the loan's lost item policy still refunds them; what was done, if anything. Failures are
/// logged under `flow` (mod-circulation fails the check-in or renewal after everything else
/// was written).
///
/// The reads, in order: the item's last loan (when none is given); the loan's lost item policy
/// (none or unknown: no refund period, the processing fee kept, a set-cost fee); the loan's
/// accounts of the fee types refunded; for an actual-cost fee, its actual cost record; then
/// the actions of the accounts refunded beside the staff member. Writes: per account, its
/// refund and its cancellation ([`writes::fines::refund_and_cancel`], accounts side by side),
/// then, under an actual-cost policy, the loan's most recent open actual cost record is
/// cancelled.
pub(crate) async fn refund_lost_item_fees(
    peers: Peers<'_>,
    flow: &str,
    back: LostItemBack<'_>,
) -> Option<RefundedFees> {
    if !matches!(
        back.item_status_before,
        ItemStatus::DeclaredLost | ItemStatus::AgedToLost | ItemStatus::LostAndPaid
    ) {
        return None;
    }
    let what = format!("lost item fees of item {} not refunded", back.item_id);
    logged(flow, &what, refund(peers, flow, &back).await)
}

async fn refund(
    peers: Peers<'_>,
    flow: &str,
    back: &LostItemBack<'_>,
) -> Result<Option<RefundedFees>, Failure> {
    let last;
    let loan =
        match back.loan {
            Some(loan) => loan,
            None => {
                last = peers.storage().last_loan_for_item(back.item_id).await?;
                match &last {
                None => return Err(Failure::Server(
                    "Item is lost however there is no aged to lost nor declared lost loan found"
                        .into(),
                )),
                Some(loan) if loan.lost_date().is_none() => return Err(Failure::Server(format!(
                    "Last loan for lost item is neither aged to lost nor declared lost (loan {})",
                    loan.id()
                ))),
                Some(loan) => loan,
            }
            }
        };
    let feesfines = peers.feesfines();
    let policy = match loan.lost_item_policy_id() {
        Some(id) => feesfines.lost_item_policy(id).await?,
        None => None,
    }
    .unwrap_or_default();
    let period = policy.fee_refund_period();
    if !within_refund_period(period.as_ref(), loan.lost_date(), back.now) {
        log::info!(
            "{}: lost item fees of loan {} not refunded: the refund period has passed",
            flow.to_lowercase(),
            loan.id()
        );
        return Ok(None);
    }
    let actual_cost = policy.charges_actual_cost();
    let types = fee_types_refunded(actual_cost, policy.refunds_processing_fee_when_returned());
    let accounts = feesfines.accounts_of_loan(loan.id(), &types).await?;
    let closed = close_accounts(peers, back, &accounts, &types).await?;
    let mut actual_cost_cancelled = false;
    if actual_cost {
        let storage = peers.storage();
        if let Some(record) = storage.open_actual_cost_record_of_loan(loan.id()).await? {
            let request = actual_cost_cancel_request(record.id(), back.reason.for_actual_cost());
            feesfines.cancel_actual_cost(&request).await?;
            actual_cost_cancelled = true;
        }
    }
    Ok(Some(RefundedFees {
        accounts: closed,
        actual_cost_cancelled,
    }))
}

/// The newest of the accounts and the other fee charged with it, refunded and cancelled.
async fn close_accounts(
    peers: Peers<'_>,
    back: &LostItemBack<'_>,
    accounts: &[Account],
    types: &[&str],
) -> Result<Vec<(String, Closed)>, Failure> {
    let fees: Vec<_> = accounts.iter().map(Account::as_lost_fee).collect();
    let Some(newest) = latest(&fees, types) else {
        return Ok(Vec::new());
    };
    let reference = if fees[newest].fee_fine_type == Some(LOST_ITEM_ACTUAL_COST_FEE_TYPE) {
        let storage = peers.storage();
        let record = storage
            .actual_cost_record_of_account(accounts[newest].id())
            .await?;
        record.and_then(|r| r.created())
    } else {
        fees[newest].created
    };
    let chosen: Vec<&Account> = refunded(&fees, types, newest, reference)
        .into_iter()
        .map(|i| &accounts[i])
        .collect();
    let ids: Vec<&str> = chosen.iter().map(|a| a.id()).collect();
    let (actions, staff) = peers
        .fan
        .join2(
            peers.feesfines().actions_of_accounts(&ids),
            staff_member(peers),
        )
        .await;
    let actions = actions?;
    let Some(name) = staff?.and_then(|u| u.name_or_username()) else {
        return Err(Failure::Server(format!(
            "no staff member {} to refund and cancel them",
            peers.okapi.user_id.as_deref().unwrap_or("(none)")
        )));
    };
    let by = ActedBy {
        user_name: &name,
        service_point_id: back.service_point_id,
    };
    let closes = chosen
        .iter()
        .map(|account| {
            let paid = paid_or_transferred(
                actions
                    .iter()
                    .filter(|a| a.account_id() == Some(account.id()))
                    .map(|a| (a.type_action(), a.amount())),
            );
            async move {
                let closed =
                    writes::fines::refund_and_cancel(peers, account, paid, by, back.reason).await?;
                Ok::<_, CallError>((account.id().to_string(), closed))
            }
        })
        .collect();
    let mut done = Vec::new();
    for closed in peers.fan.all(closes).await {
        done.push(closed?);
    }
    Ok(done)
}
