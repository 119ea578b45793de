//! The policies the circulation rules choose for a loan, with the records read for them.
use super::record::{flag, record_view};
use crate::error::Failure;
use crate::fines::overdue::{Amount, FineInterval, FineRate};
use crate::rules::AppliedRuleConditions;
use shared_types::policy::{FixedDueDateSchedule, LoanPolicy, Period};

record_view!(
    /// An overdue fine policy (`/overdue-fines-policies`, mod-feesfines).
    OverdueFinePolicy
);

impl OverdueFinePolicy {
    pub(crate) fn name(&self) -> Option<String> {
        name_of(&self.0)
    }

    /// Loans with billed reminder fees may be renewed (`reminderFeesPolicy`; not said: no).
    pub(crate) fn allows_renewal_with_reminders(&self) -> bool {
        self.0
            .pointer("/reminderFeesPolicy/allowRenewalOfItemsWithReminderFees")
            .and_then(|v| v.as_bool())
            == Some(true)
    }

    /// The policy bills reminder fees: it has a reminder schedule (mod-circulation's
    /// `isReminderFeesPolicy`).
    pub(crate) fn has_reminder_fees(&self) -> bool {
        self.0
            .pointer("/reminderFeesPolicy/reminderSchedule")
            .and_then(|v| v.as_array())
            .is_some_and(|schedule| !schedule.is_empty())
    }

    /// The rate an overdue loan is fined at: `overdueRecallFine` and `maxOverdueRecallFine`
    /// when a recall changed the due date, else `overdueFine` and `maxOverdueFine`. None unless
    /// the quantity, a known interval and the maximum are all there (mod-circulation's
    /// `getCalculationParameters`).
    pub(crate) fn fine_rate(&self, recalled: bool) -> Option<FineRate> {
        let (fine, max) = match recalled {
            true => ("overdueRecallFine", "maxOverdueRecallFine"),
            false => ("overdueFine", "maxOverdueFine"),
        };
        let fine = self.0.get(fine)?;
        Some(FineRate {
            per_interval: Amount::from_json(fine.get("quantity")?)?,
            interval: FineInterval::from_id(fine.get("intervalId")?.as_str()?)?,
            max: Amount::from_json(self.0.get(max)?)?,
        })
    }

    /// Closed days count towards the overdue period (`countClosed`; not said: no).
    pub(crate) fn counts_closed_days(&self) -> bool {
        flag(&self.0, "countClosed") == Some(true)
    }

    /// The loan policy's grace period is ignored when a recall changed the due date
    /// (`gracePeriodRecall`; not said: no).
    pub(crate) fn ignores_grace_period_for_recalls(&self) -> bool {
        flag(&self.0, "gracePeriodRecall") == Some(true)
    }

    /// A renewal forgives the overdue fine (`forgiveOverdueFine`; not said: no).
    pub(crate) fn forgives_fine_on_renewal(&self) -> bool {
        flag(&self.0, "forgiveOverdueFine") == Some(true)
    }
}

/// A fee/fine policy's name as read (not there: none).
fn name_of(policy: &serde_json::Value) -> Option<String> {
    policy
        .get("name")
        .and_then(|n| n.as_str())
        .map(str::to_string)
}

record_view!(
    /// A lost item fee policy (`/lost-item-fees-policies`, mod-feesfines).
    LostItemPolicy
);

impl LostItemPolicy {
    pub(crate) fn name(&self) -> Option<String> {
        name_of(&self.0)
    }

    /// A lost item returned is charged its overdue fine (`lostItemReturned` "Charge", in any
    /// case).
    pub(crate) fn charges_overdue_fine_on_return(&self) -> bool {
        self.0
            .get("lostItemReturned")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case("charge"))
    }

    /// How long after the item was lost its fees are still refunded (`feesFinesShallRefunded`).
    pub(crate) fn fee_refund_period(&self) -> Option<Period> {
        serde_json::from_value(self.0.get("feesFinesShallRefunded")?.clone()).ok()
    }

    /// The lost item processing fee is refunded when the item comes back
    /// (`returnedLostItemProcessingFee`; not said: no).
    pub(crate) fn refunds_processing_fee_when_returned(&self) -> bool {
        flag(&self.0, "returnedLostItemProcessingFee") == Some(true)
    }

    /// The lost item fee is the item's actual cost (`chargeAmountItem.chargeType`
    /// "actualCost"), billed later by staff, rather than a set cost.
    pub(crate) fn charges_actual_cost(&self) -> bool {
        self.0
            .pointer("/chargeAmountItem/chargeType")
            .and_then(|v| v.as_str())
            == Some("actualCost")
    }
}

record_view!(
    /// A loan policy as read (its typed form is [`Policies::loan`]).
    LoanPolicyRecord
);

impl LoanPolicyRecord {
    /// The policy's name; none for a forced policy that does not exist.
    pub(crate) fn name(&self) -> Option<&str> {
        self.0.get("name").and_then(|n| n.as_str())
    }

    /// The renewals the policy allows: `None` for unlimited (`renewalsPolicy.unlimited`), else
    /// `numberAllowed` (0 when missing).
    pub(crate) fn renewal_limit(&self) -> Option<i64> {
        let renewals = self.0.get("renewalsPolicy");
        let field = |key: &str| renewals.and_then(|r| r.get(key));
        if field("unlimited").and_then(|u| u.as_bool()) == Some(true) {
            return None;
        }
        Some(field("numberAllowed").and_then(|n| n.as_i64()).unwrap_or(0))
    }
}

record_view!(
    /// A patron notice policy as read; parsed when notices are scheduled, so that one that
    /// cannot be read only costs the notices.
    NoticePolicy
);

/// The policies the rules chose, with the records read for them.
#[derive(Debug, Clone)]
pub(crate) struct Policies {
    pub loan_policy_id: String,
    pub loan_policy: LoanPolicyRecord,
    pub loan: LoanPolicy,
    pub conditions: AppliedRuleConditions,
    /// Deferred: a missing overdue / lost policy is a 500, but only after the 422 gate.
    pub overdue_fine_policy: Result<OverdueFinePolicy, Failure>,
    pub lost_item_policy: Result<LostItemPolicy, Failure>,
    pub overdue_fine_policy_id: String,
    pub lost_item_policy_id: String,
    pub notice_policy_id: String,
    /// `None` when it could not be read (then no due-date notices are scheduled).
    pub notice_policy: Option<NoticePolicy>,
    pub schedule: Option<FixedDueDateSchedule>,
}

impl Policies {
    /// Policies for unit tests: the loan policy given (its id `lp`), every other one empty.
    #[cfg(test)]
    pub(crate) fn for_test(loan: serde_json::Value) -> Policies {
        Policies {
            loan_policy_id: "lp".into(),
            loan_policy: LoanPolicyRecord::from_json(loan.clone()),
            loan: serde_json::from_value(loan).expect("a loan policy"),
            conditions: AppliedRuleConditions::default(),
            overdue_fine_policy: Ok(Default::default()),
            lost_item_policy: Ok(Default::default()),
            overdue_fine_policy_id: String::new(),
            lost_item_policy_id: String::new(),
            notice_policy_id: String::new(),
            notice_policy: None,
            schedule: None,
        }
    }

    pub(crate) fn loan_policy_name(&self) -> Option<&str> {
        self.loan_policy.name()
    }

    /// The loan policy's item limit, when it has one.
    pub(crate) fn item_limit(&self) -> Option<i32> {
        self.loan.loans_policy.as_ref().and_then(|lp| lp.item_limit)
    }

    pub(crate) fn grace_period(&self) -> Option<Period> {
        self.loan
            .loans_policy
            .as_ref()
            .and_then(|lp| lp.grace_period)
    }

    /// Loans under this policy are for use at the location.
    pub(crate) fn for_use_at_location(&self) -> bool {
        self.loan
            .loans_policy
            .as_ref()
            .and_then(|lp| lp.for_use_at_location)
            == Some(true)
    }
}
