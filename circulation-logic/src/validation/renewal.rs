//! The refusals of a renewal (mod-circulation's renewal validators), each with FOLIO's
//! message, parameters, code and the block that could override it.
use super::{error, overridable, Granted};
use crate::domain::{Item, ItemStatus, Policies, Request, User};
use chrono::{DateTime, Utc};
use shared_types::errors::Error;

pub(crate) const RENEWAL_BLOCK_PERMISSION: &str = "circulation.override-renewal-block.post";

/// The loan policy's id and name, the parameters most renewal refusals carry.
fn with_policy(message: &str, code: &str, p: &Policies) -> Error {
    error(
        message,
        &[
            ("loanPolicyId", Some(&p.loan_policy_id)),
            ("loanPolicyName", p.loan_policy_name()),
        ],
        Some(code),
    )
}

fn renewal_block(e: Error, granted: Granted) -> Error {
    overridable(e, "renewalBlock", RENEWAL_BLOCK_PERMISSION, granted)
}

fn due_date_required_block(e: Error, granted: Granted) -> Error {
    overridable(
        e,
        "renewalDueDateRequiredBlock",
        RENEWAL_BLOCK_PERMISSION,
        granted,
    )
}

/// A required property of the request (`item barcode`, `user barcode`; by id: `item ID`,
/// `user ID`, without a code).
pub(crate) fn required(
    value: Option<&str>,
    key: &str,
    what: &str,
    code: Option<&str>,
) -> Option<Error> {
    value.is_none().then(|| {
        error(
            format!("Renewal request must have {what}"),
            &[(key, None)],
            code,
        )
    })
}

/// No item has the id (renewal by id; unlike the barcode's, without a code).
pub(crate) fn item_id_not_found(item_id: &str) -> Error {
    error(
        format!("No item with ID {item_id} exists"),
        &[("itemId", Some(item_id))],
        None,
    )
}

pub(crate) fn user_not_found(user_id: &str) -> Error {
    error(
        "user is not found",
        &[("userId", Some(user_id))],
        Some("USER_NOT_FOUND"),
    )
}

/// The loan is another user's; `key` names what the request gave (`userBarcode`, `userId`).
pub(crate) fn checked_out_to_different_user(key: &str, value: &str) -> Error {
    error(
        "Cannot renew item checked out to different user",
        &[(key, Some(value))],
        Some("ITEM_CHECKED_OUT_TO_DIFFERENT_USER"),
    )
}

/// The borrower is active and not expired (and the record says whether).
pub(crate) fn borrower_active(user: &User, now: DateTime<Utc>) -> Option<Error> {
    let (message, reason, code) = match user.is_active(now) {
        Some(true) => return None,
        Some(false) => (
            "Cannot renew loan when user is inactive or expired",
            "User is inactive.",
            "USER_IS_INACTIVE_OR_EXPIRED",
        ),
        None => (
            "Cannot determine if user is active.",
            "Cannot determine if user active.",
            "USER_STATUS_CANNOT_BE_DETERMINED",
        ),
    };
    Some(error(message, &[("reason", Some(reason))], Some(code)))
}

/// A loan with billed reminder fees, under a policy that does not renew those (FOLIO answers
/// this refusal alone).
pub(crate) fn reminder_fees() -> Error {
    let message = "Renewals not allowed for loans with reminders.";
    error(
        message,
        &[("reason", Some(message))],
        Some("RENEWAL_BLOCKED_BY_REMINDER_FEES"),
    )
}

pub(crate) fn loanable(p: &Policies, granted: Granted) -> Option<Error> {
    (!p.loan.loanable).then(|| {
        due_date_required_block(
            with_policy("item is not loanable", "ITEM_NOT_LOANABLE", p),
            granted,
        )
    })
}

/// A recall waits for the item.
pub(crate) fn no_recall(recall: Option<&Request>, granted: Granted) -> Option<Error> {
    let recall = recall?;
    Some(renewal_block(
        error(
            "items cannot be renewed when there is an active recall request",
            &[("requestId", Some(recall.id()))],
            Some("RENEWAL_BLOCKED_BY_RECALL"),
        ),
        granted,
    ))
}

/// Declared lost and aged-to-lost items are not renewed.
pub(crate) fn not_lost(item: &Item, granted: Granted) -> Option<Error> {
    let (message, code) = match item.status() {
        ItemStatus::DeclaredLost => ("item is Declared lost", "ITEM_DECLARED_LOST_NOT_RENEWABLE"),
        ItemStatus::AgedToLost => ("item is Aged to lost", "ITEM_AGED_TO_LOST_NOT_RENEWABLE"),
        _ => return None,
    };
    Some(renewal_block(
        error(message, &[("itemId", Some(item.id()))], Some(code)),
        granted,
    ))
}

/// The policy's renewal limit (not checked for a policy that does not renew at all).
pub(crate) fn within_renewal_limit(p: &Policies, renewals: u32, granted: Granted) -> Option<Error> {
    let policy = p.loan.renewals_policy.as_ref()?;
    if !p.loan.renewable || policy.unlimited == Some(true) {
        return None;
    }
    let allowed = policy.number_allowed.unwrap_or(0.0);
    (f64::from(renewals) >= allowed).then(|| {
        renewal_block(
            with_policy(
                "loan at maximum renewal number",
                "LOAN_RENEWAL_LIMIT_REACHED",
                p,
            ),
            granted,
        )
    })
}

pub(crate) fn renewable(p: &Policies, granted: Granted) -> Option<Error> {
    (!p.loan.renewable).then(|| {
        due_date_required_block(
            with_policy("loan is not renewable", "LOAN_NOT_RENEWABLE", p),
            granted,
        )
    })
}

/// With a hold first in the queue: the policy must renew items with requests, and a fixed
/// profile must not name renewal periods.
pub(crate) fn hold_first(p: &Policies, granted: Granted) -> Vec<Error> {
    let holds = p
        .loan
        .request_management
        .as_ref()
        .and_then(|r| r.holds.as_ref());
    let mut errors = Vec::new();
    if holds.and_then(|h| h.renew_items_with_request) != Some(true) {
        errors.push(due_date_required_block(
            with_policy(
                "Items with this loan policy cannot be renewed when there is an active, pending hold request",
                "RENEWAL_BLOCKED_BY_HOLD_REQUEST",
                p,
            ),
            granted,
        ));
    }
    let fixed = p.loan.loans_policy.as_ref().and_then(|l| l.profile())
        == Some(shared_types::policy::LoanProfile::Fixed);
    if fixed
        && holds
            .and_then(|h| h.alternate_renewal_loan_period)
            .is_some()
    {
        errors.push(due_date_required_block(
            with_policy(
                "Item's loan policy has fixed profile but alternative renewal period for holds is specified",
                "FIXED_LOAN_POLICY_HAS_ALTERNATE_RENEWAL_PERIOD_FOR_HOLDS",
                p,
            ),
            granted,
        ));
    }
    let renewal_period = p.loan.renewals_policy.as_ref().and_then(|r| r.period);
    if fixed && renewal_period.is_some() {
        errors.push(due_date_required_block(
            with_policy(
                "Item's loan policy has fixed profile but renewal period is specified",
                "FIXED_LOAN_POLICY_HAS_RENEWAL_PERIOD",
                p,
            ),
            granted,
        ));
    }
    errors
}

/// Claimed-returned items are not renewed (not overridable).
pub(crate) fn not_claimed_returned(item: &Item) -> Option<Error> {
    (item.status() == ItemStatus::ClaimedReturned).then(|| {
        error(
            "item is Claimed returned",
            &[("itemId", Some(item.id()))],
            Some("ITEM_CLAIMED_RETURNED_NOT_RENEWABLE"),
        )
    })
}

/// A renewal date that cannot be proposed.
pub(crate) fn due_date_refused(message: &str, code: &str, p: &Policies, granted: Granted) -> Error {
    due_date_required_block(with_policy(message, code, p), granted)
}

/// The proposed due date must be later than the current one.
pub(crate) fn changes_due_date(
    proposed: DateTime<Utc>,
    current: DateTime<Utc>,
    p: &Policies,
    granted: Granted,
) -> Option<Error> {
    (proposed.timestamp_millis() <= current.timestamp_millis()).then(|| {
        due_date_required_block(
            with_policy(
                "renewal would not change the due date",
                "RENEWAL_WOULD_NOT_CHANGE_DUE_DATE",
                p,
            ),
            granted,
        )
    })
}

/// What a renewal through an override (`renewalBlock` or `renewalDueDateRequiredBlock`)
/// decides on.
pub(crate) struct OverrideRenewal<'a> {
    pub(crate) policies: &'a Policies,
    /// The renewal date the policy proposes (`None`: it cannot be determined).
    pub(crate) proposed: Option<DateTime<Utc>>,
    pub(crate) current_due: DateTime<Utc>,
    /// `renewalDueDateRequiredBlock.dueDate`.
    pub(crate) requested_due: Option<DateTime<Utc>>,
    pub(crate) renewals: u32,
    pub(crate) recalled: bool,
    pub(crate) item_lost: bool,
    pub(crate) reminders_billed: bool,
}

/// The override's comment is required.
pub(crate) fn override_comment(comment: Option<&str>) -> Option<Error> {
    comment.is_none_or(|c| c.trim().is_empty()).then(|| {
        error(
            "Override renewal request must have a comment",
            &[("comment", None)],
            Some("OVERRIDE_RENEWAL_COMMENT_REQUIRED"),
        )
    })
}

/// The due date of a renewal through an override, as mod-circulation decides it: the
/// requested date where the policy gives none (not loanable, not renewable, no date); else,
/// for the cases an override is for (limit reached, recall, lost item, unchanged date,
/// reminder fees), the proposed date when it moves the due date on, the requested one
/// otherwise; any other loan is refused.
/// (The refusal is boxed: an error is large beside a date.)
pub(crate) fn override_due_date(o: &OverrideRenewal<'_>) -> Result<DateTime<Utc>, Box<Error>> {
    let p = o.policies;
    let due_date_required = || {
        error(
            "New due date must be specified when due date calculation fails",
            &[("dueDate", Some("null"))],
            Some("OVERRIDE_RENEWAL_DUE_DATE_REQUIRED"),
        )
    };
    if !p.loan.loanable || !p.loan.renewable {
        return o.requested_due.ok_or_else(|| Box::new(due_date_required()));
    }
    let Some(proposed) = o.proposed else {
        return o.requested_due.ok_or_else(|| Box::new(due_date_required()));
    };
    let later = |d: DateTime<Utc>| d.timestamp_millis() > o.current_due.timestamp_millis();
    let policy = p.loan.renewals_policy.as_ref();
    let limit_reached = policy.and_then(|r| r.unlimited) != Some(true)
        && f64::from(o.renewals) >= policy.and_then(|r| r.number_allowed).unwrap_or(0.0);
    let overridable_case =
        limit_reached || o.recalled || o.item_lost || !later(proposed) || o.reminders_billed;
    if !overridable_case {
        return Err(Box::new(with_policy(
            "Override renewal does not match any of expected cases: item is not loanable, \
             item is not renewable, reached number of renewals limit,renewal date falls outside \
             of the date ranges in the loan policy, items cannot be renewed when there is an \
             active recall request, item is Declared lost, item is Aged to lost, renewal would \
             not change the due date, loan has reminder fees",
            "OVERRIDE_RENEWAL_NOT_ALLOWED_FOR_CURRENT_LOAN",
            p,
        )));
    }
    let due = match (later(proposed), o.requested_due) {
        (true, _) => proposed,
        (false, Some(requested)) => requested,
        (false, None) => {
            return Err(Box::new(error(
                "New due date is required when renewal would not change the due date",
                &[("dueDate", Some("null"))],
                Some("OVERRIDE_RENEWAL_DUE_DATE_REQUIRED_WHEN_DUE_DATE_UNCHANGED"),
            )))
        }
    };
    match later(due) {
        true => Ok(due),
        false => Err(Box::new(with_policy(
            "renewal would not change the due date",
            "RENEWAL_WOULD_NOT_CHANGE_DUE_DATE",
            p,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use serde_json::json;

    fn policies(loanable: bool, renewable: bool, allowed: u32) -> Policies {
        Policies::for_test(json!({
            "id": "lp", "name": "Three renewals", "loanable": loanable, "renewable": renewable,
            "loansPolicy": {"profileId": "Rolling"},
            "renewalsPolicy": {"numberAllowed": allowed, "unlimited": false}
        }))
    }

    fn case(
        p: &Policies,
        proposed_days: Option<i64>,
        requested_days: Option<i64>,
    ) -> OverrideRenewal<'_> {
        let now = Utc::now();
        OverrideRenewal {
            policies: p,
            proposed: proposed_days.map(|d| now + Duration::days(d)),
            current_due: now,
            requested_due: requested_days.map(|d| now + Duration::days(d)),
            renewals: 0,
            recalled: false,
            item_lost: false,
            reminders_billed: false,
        }
    }

    fn code(e: impl Into<Box<Error>>) -> String {
        e.into().code.unwrap_or_default()
    }

    #[test]
    fn a_comment_is_required() {
        assert!(override_comment(Some("ok")).is_none());
        let e = override_comment(Some("  ")).unwrap();
        assert_eq!(e.message, "Override renewal request must have a comment");
        assert_eq!(
            code(override_comment(None).unwrap()),
            "OVERRIDE_RENEWAL_COMMENT_REQUIRED"
        );
    }

    #[test]
    fn not_renewable_takes_the_requested_date_or_asks_for_one() {
        let p = policies(true, false, 3);
        let c = case(&p, Some(7), Some(3));
        assert_eq!(override_due_date(&c), Ok(c.requested_due.unwrap()));
        let e = override_due_date(&case(&p, Some(7), None)).unwrap_err();
        assert_eq!(
            e.message,
            "New due date must be specified when due date calculation fails"
        );
        assert_eq!(code(e), "OVERRIDE_RENEWAL_DUE_DATE_REQUIRED");
        // No date from the policy is the same case.
        let p = policies(true, true, 3);
        assert_eq!(
            code(override_due_date(&case(&p, None, None)).unwrap_err()),
            "OVERRIDE_RENEWAL_DUE_DATE_REQUIRED"
        );
    }

    #[test]
    fn at_the_limit_the_proposed_date_wins_when_later() {
        let p = policies(true, true, 3);
        let mut c = case(&p, Some(7), Some(30));
        c.renewals = 3;
        assert_eq!(override_due_date(&c), Ok(c.proposed.unwrap()));
    }

    #[test]
    fn an_unchanged_date_needs_a_later_requested_one() {
        let p = policies(true, true, 3);
        let e = override_due_date(&case(&p, Some(0), None)).unwrap_err();
        assert_eq!(
            code(e),
            "OVERRIDE_RENEWAL_DUE_DATE_REQUIRED_WHEN_DUE_DATE_UNCHANGED"
        );
        let c = case(&p, Some(-1), Some(5));
        assert_eq!(override_due_date(&c), Ok(c.requested_due.unwrap()));
        let e = override_due_date(&case(&p, Some(-1), Some(-2))).unwrap_err();
        assert_eq!(e.message, "renewal would not change the due date");
        assert_eq!(code(e), "RENEWAL_WOULD_NOT_CHANGE_DUE_DATE");
    }

    #[test]
    fn a_renewable_loan_is_not_overridden() {
        let p = policies(true, true, 3);
        let e = override_due_date(&case(&p, Some(7), Some(9))).unwrap_err();
        assert!(e
            .message
            .starts_with("Override renewal does not match any of expected cases"));
        assert_eq!(code(e), "OVERRIDE_RENEWAL_NOT_ALLOWED_FOR_CURRENT_LOAN");
        // A recall, a lost item or billed reminders make it a case.
        for flag in 0..3 {
            let mut c = case(&p, Some(7), None);
            match flag {
                0 => c.recalled = true,
                1 => c.item_lost = true,
                _ => c.reminders_billed = true,
            }
            assert_eq!(override_due_date(&c), Ok(c.proposed.unwrap()));
        }
    }
}
