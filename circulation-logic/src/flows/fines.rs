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
use crate::domain::feesfines::OVERDUE_FINE_TYPE;
use crate::domain::scheduled_notices::OVERDUE_NOTICES;
use crate::domain::{ItemInContext, ItemStatus, Loan, Location, NewAccount, User};
use crate::downstream::Peers;
use crate::due_date::local_date;
use crate::error::Failure;
use crate::fines::overdue::{
    beyond_grace, fine_for, lost_item_charged, open_minutes, overdue_at, period_minutes,
    whole_minutes,
};
use crate::flows::policies::current_loan_policy;
use crate::okapi::CallError;
use crate::writes::{self, fines::ChargedBy};
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
    match outcome.await {
        Ok(charged) => charged,
        Err(e) => {
            log::warn!(
                "{}: overdue fine of loan {} not charged: {e}",
                flow.to_lowercase(),
                o.loan.id()
            );
            None
        }
    }
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
            async {
                match peers.okapi.user_id.as_deref() {
                    Some(id) => peers.users().by_id("staff member", id).await,
                    None => Ok(None),
                }
            },
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
