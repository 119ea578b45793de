//! The lost item fees of a lost item that came back (checked in, or renewed through an
//! override), refunded and cancelled as mod-circulation decides it (`LostItemFeeRefundService`,
//! `LostItemFeeRefundContext`, `FeeFineFacade`, `Account`, `LostItemPolicy.shouldRefundFees`).
//! Pure: the caller reads the policy, the accounts and their actions, and writes.
//!
//! 1. [`within_refund_period`]: nothing is refunded once the policy's fee refund period has
//!    passed since the item was lost.
//! 2. [`fee_types_refunded`]: the lost item fee (set cost or actual cost) and, when the policy
//!    refunds it, the lost item processing fee.
//! 3. [`latest`] and [`refunded`]: of the loan's accounts of those types, the newest one, and
//!    the newest of the other type when it is not cancelled and was created no later than a
//!    minute after it (after its actual cost record, for an actual cost fee).
//! 4. Each account: whatever was paid or transferred ([`paid_or_transferred`]) is refunded,
//!    then whatever remains is cancelled ([`cancels`]).
use super::overdue::Amount;
use crate::due_date::add_period;
use chrono::{DateTime, Utc};
use shared_types::policy::Period;

/// `feeFineType` of a set-cost lost item fee (mod-circulation's `FeeFine.LOST_ITEM_FEE_TYPE`).
pub(crate) const LOST_ITEM_FEE_TYPE: &str = "Lost item fee";
/// `feeFineType` of an actual-cost lost item fee.
pub(crate) const LOST_ITEM_ACTUAL_COST_FEE_TYPE: &str = "Lost item fee (actual cost)";
/// `feeFineType` of the lost item processing fee.
pub(crate) const LOST_ITEM_PROCESSING_FEE_TYPE: &str = "Lost item processing fee";

/// How long after the loss fees are still refunded: a period that is absent or not above zero
/// has no limit; otherwise the loss date plus the period must not be before `now` (to the
/// millisecond). A lost date that is not known, under a limit, is not within it.
pub(crate) fn within_refund_period(
    refund_period: Option<&Period>,
    lost_date: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match refund_period.filter(|p| p.duration > 0) {
        None => true,
        Some(period) => lost_date
            .and_then(|lost| add_period(lost, period).ok())
            .is_some_and(|until| until.timestamp_millis() >= now.timestamp_millis()),
    }
}

/// The fee/fine types refunded: the actual-cost lost item fee when the policy charges the
/// actual cost, else the set-cost one; the processing fee only when the policy refunds it
/// (`returnedLostItemProcessingFee`).
pub(crate) fn fee_types_refunded(
    actual_cost: bool,
    refunds_processing_fee: bool,
) -> Vec<&'static str> {
    let mut types = vec![if actual_cost {
        LOST_ITEM_ACTUAL_COST_FEE_TYPE
    } else {
        LOST_ITEM_FEE_TYPE
    }];
    if refunds_processing_fee {
        types.push(LOST_ITEM_PROCESSING_FEE_TYPE);
    }
    types
}

/// What the choice of accounts looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LostFee<'a> {
    pub fee_fine_type: Option<&'a str>,
    /// `metadata.createdDate`: an account without one is never chosen.
    pub created: Option<DateTime<Utc>>,
    /// `paymentStatus.name`.
    pub payment_status: Option<&'a str>,
}

/// The newest account (by creation) of one of `types`; the first of equals.
pub(crate) fn latest(accounts: &[LostFee<'_>], types: &[&str]) -> Option<usize> {
    accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.fee_fine_type.is_some_and(|t| types.contains(&t)))
        .filter_map(|(i, a)| a.created.map(|c| (i, c)))
        .fold(
            None,
            |best: Option<(usize, DateTime<Utc>)>, (i, c)| match best {
                Some((_, b)) if b >= c => best,
                _ => Some((i, c)),
            },
        )
        .map(|(i, _)| i)
}

/// The accounts refunded: the `latest` one, and the newest of the other types when its payment
/// status is known and not "Cancelled…" and it was created no more than 60 whole seconds after
/// `reference` (the latest account's creation, or for an actual-cost fee its actual cost
/// record's; none known: no second account).
pub(crate) fn refunded(
    accounts: &[LostFee<'_>],
    types: &[&str],
    latest: usize,
    reference: Option<DateTime<Utc>>,
) -> Vec<usize> {
    let Some(first) = accounts.get(latest) else {
        return Vec::new();
    };
    let others: Vec<&str> = types
        .iter()
        .copied()
        .filter(|t| first.fee_fine_type != Some(*t))
        .collect();
    let associated = self::latest(accounts, &others).filter(|i| {
        let a = &accounts[*i];
        let eligible = a
            .payment_status
            .is_some_and(|s| !s.starts_with("Cancelled"));
        let close = match (reference, a.created) {
            // Whole seconds, truncated towards zero (`ChronoUnit.SECONDS.between`).
            (Some(r), Some(c)) => (c.timestamp_millis() - r.timestamp_millis()) / 1000 <= 60,
            _ => false,
        };
        eligible && close
    });
    std::iter::once(latest).chain(associated).collect()
}

/// Paid or transferred, as the account's actions say: the amounts of the actions whose type
/// begins with "Paid" or "Transferred" (in any case), summed.
pub(crate) fn paid_or_transferred<'a>(
    actions: impl IntoIterator<Item = (Option<&'a str>, Option<Amount>)>,
) -> Amount {
    actions
        .into_iter()
        .filter(|(kind, _)| {
            kind.map(str::to_lowercase)
                .is_some_and(|k| k.starts_with("paid") || k.starts_with("transferred"))
        })
        .filter_map(|(_, amount)| amount)
        .fold(Amount::ZERO, Amount::plus)
}

/// Whether what remains (after the refund, if one was made) is cancelled: only an amount above
/// zero.
pub(crate) fn cancels(remaining: Option<Amount>) -> bool {
    remaining.is_some_and(Amount::is_positive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fines::test_support::{amount, at};
    use shared_types::policy::IntervalId;

    fn fee<'a>(kind: &'a str, created: &str, status: &'a str) -> LostFee<'a> {
        LostFee {
            fee_fine_type: Some(kind),
            created: Some(at(created)),
            payment_status: Some(status),
        }
    }

    #[test]
    fn the_refund_period_runs_from_the_loss() {
        // LostItemPolicy.shouldRefundFees: a zero period has no limit; the end itself counts.
        let lost = Some(at("2030-01-01T10:00:00Z"));
        let minutes = |duration| Period {
            duration,
            interval_id: IntervalId::Minutes,
        };
        let now = at("2030-01-01T10:01:00Z");
        assert!(within_refund_period(None, lost, now));
        assert!(within_refund_period(Some(&minutes(0)), None, now));
        assert!(within_refund_period(Some(&minutes(1)), lost, now));
        assert!(!within_refund_period(
            Some(&minutes(1)),
            lost,
            at("2030-01-01T10:01:00.001Z")
        ));
        assert!(!within_refund_period(Some(&minutes(1)), None, now));
        let months = Period {
            duration: 6,
            interval_id: IntervalId::Months,
        };
        assert!(within_refund_period(
            Some(&months),
            lost,
            at("2030-07-01T10:00:00Z")
        ));
    }

    #[test]
    fn the_processing_fee_only_when_the_policy_refunds_it() {
        // fetchAccountsAndActionsForLoan: one lost item fee type, the processing fee if refunded.
        assert_eq!(
            fee_types_refunded(false, true),
            vec!["Lost item fee", "Lost item processing fee"]
        );
        assert_eq!(fee_types_refunded(false, false), vec!["Lost item fee"]);
        assert_eq!(
            fee_types_refunded(true, true),
            vec!["Lost item fee (actual cost)", "Lost item processing fee"]
        );
    }

    #[test]
    fn the_latest_fee_and_the_other_fee_charged_with_it() {
        let types = fee_types_refunded(false, true);
        let accounts = [
            // An earlier loss of the same loan, cancelled then.
            fee(
                LOST_ITEM_FEE_TYPE,
                "2030-01-01T10:00:00Z",
                "Cancelled item returned",
            ),
            fee(
                LOST_ITEM_PROCESSING_FEE_TYPE,
                "2030-01-01T10:00:00Z",
                "Outstanding",
            ),
            fee(LOST_ITEM_FEE_TYPE, "2030-02-01T10:00:00Z", "Outstanding"),
            fee(
                LOST_ITEM_PROCESSING_FEE_TYPE,
                "2030-02-01T10:00:00.500Z",
                "Paid fully",
            ),
            fee("Overdue fine", "2030-03-01T10:00:00Z", "Outstanding"),
            LostFee {
                fee_fine_type: Some(LOST_ITEM_FEE_TYPE),
                created: None,
                payment_status: Some("Outstanding"),
            },
        ];
        let newest = latest(&accounts, &types);
        assert_eq!(newest, Some(3));
        let reference = accounts[3].created;
        assert_eq!(refunded(&accounts, &types, 3, reference), vec![3, 2]);
        // Only the lost item fee refunded: the processing fee is not looked at.
        let one_type = fee_types_refunded(false, false);
        assert_eq!(latest(&accounts, &one_type), Some(2));
        assert_eq!(
            refunded(&accounts, &one_type, 2, accounts[2].created),
            vec![2]
        );
        assert_eq!(latest(&accounts[4..], &types), None);
    }

    #[test]
    fn a_cancelled_or_later_fee_is_not_refunded_with_the_latest() {
        let types = fee_types_refunded(true, true);
        let record_created = Some(at("2030-01-01T10:00:00Z"));
        // The actual cost fee is billed days after the loss; its record is as old as the
        // processing fee.
        let accounts = [
            fee(
                LOST_ITEM_PROCESSING_FEE_TYPE,
                "2030-01-01T10:00:30Z",
                "Outstanding",
            ),
            fee(
                LOST_ITEM_ACTUAL_COST_FEE_TYPE,
                "2030-01-03T10:00:00Z",
                "Outstanding",
            ),
        ];
        assert_eq!(latest(&accounts, &types), Some(1));
        assert_eq!(refunded(&accounts, &types, 1, record_created), vec![1, 0]);
        // 61 seconds after the record: not the same loss.
        let late = [
            fee(
                LOST_ITEM_PROCESSING_FEE_TYPE,
                "2030-01-01T10:01:01Z",
                "Outstanding",
            ),
            accounts[1],
        ];
        assert_eq!(refunded(&late, &types, 1, record_created), vec![1]);
        // 60.9 seconds count as 60.
        let just = [
            fee(
                LOST_ITEM_PROCESSING_FEE_TYPE,
                "2030-01-01T10:01:00.900Z",
                "Outstanding",
            ),
            accounts[1],
        ];
        assert_eq!(refunded(&just, &types, 1, record_created), vec![1, 0]);
        assert_eq!(refunded(&accounts, &types, 1, None), vec![1]);
        let cancelled = [
            fee(
                LOST_ITEM_PROCESSING_FEE_TYPE,
                "2030-01-01T10:00:30Z",
                "Cancelled item renewed",
            ),
            accounts[1],
        ];
        assert_eq!(refunded(&cancelled, &types, 1, record_created), vec![1]);
        let unknown_status = [
            LostFee {
                payment_status: None,
                ..accounts[0]
            },
            accounts[1],
        ];
        assert_eq!(
            refunded(&unknown_status, &types, 1, record_created),
            vec![1]
        );
    }

    #[test]
    fn payments_and_transfers_are_refunded_remains_cancelled() {
        // Account.getPaidAndTransferredAmount: only "Paid…" and "Transferred…" actions count.
        let actions = [
            (Some("Lost item fee"), Some(amount("15.99"))),
            (Some("Paid partially"), Some(amount("4.00"))),
            (Some("Transferred fully"), Some(amount("6.0"))),
            (Some("paid fully"), Some(amount("0.01"))),
            (Some("Waived partially"), Some(amount("1.00"))),
            (Some("Refunded fully"), Some(amount("1.00"))),
            (None, Some(amount("1.00"))),
            (Some("Paid partially"), None),
        ];
        assert_eq!(paid_or_transferred(actions), amount("10.01"));
        assert_eq!(paid_or_transferred([]), Amount::ZERO);
        assert!(cancels(Some(amount("5.99"))));
        assert!(!cancels(Some(amount("0.00"))));
        assert!(!cancels(None));
    }
}
