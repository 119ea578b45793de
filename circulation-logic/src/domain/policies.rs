//! The policies the circulation rules choose for a loan, with the records read for them.
use super::record::record_view;
use crate::error::Failure;
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
