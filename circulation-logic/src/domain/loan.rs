//! Loans (`/loan-storage/loans`): the view of a stored loan, and a new loan as a check-out
//! creates it.
use super::record::{record_view, text};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared_types::dates::iso_millis_z;

record_view!(
    /// A loan.
    Loan
);

impl Loan {
    pub(crate) fn item_id(&self) -> Option<&str> {
        text(&self.0, &["itemId"])
    }

    pub(crate) fn user_id(&self) -> Option<&str> {
        text(&self.0, &["userId"])
    }

    pub(crate) fn due_date(&self) -> Option<DateTime<Utc>> {
        text(&self.0, &["dueDate"]).and_then(crate::due_date::parse_utc)
    }

    /// The version storage keeps of the loan as read (its `metadata.updatedDate`), which a
    /// write of the changed loan names so that it cannot overwrite a change made since.
    pub(crate) fn version(&self) -> Option<&str> {
        text(&self.0, &["metadata", "updatedDate"])
    }

    pub(crate) fn renewal_count(&self) -> u32 {
        self.0
            .get("renewalCount")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0) as u32
    }

    /// A reminder fee has been billed for this loan (`reminders.lastFeeBilled.number` > 0).
    pub(crate) fn has_billed_reminders(&self) -> bool {
        self.0
            .pointer("/reminders/lastFeeBilled/number")
            .and_then(serde_json::Value::as_i64)
            .is_some_and(|n| n > 0)
    }

    /// The loan renewed: due at `due_date` under `loan_policy_id`, one more renewal; the
    /// override comment and the reminders go (mod-circulation's `Loan.renew`). A due date a
    /// recall had shortened is no longer the recall's (a renewal is refused while a recall
    /// waits).
    pub(crate) fn renewed(&self, due_date: DateTime<Utc>, loan_policy_id: &str) -> Loan {
        let mut loan = self.0.clone();
        let count = self.renewal_count() + 1;
        if let Some(o) = loan.as_object_mut() {
            o.insert("action".into(), json!("renewed"));
            o.remove("actionComment");
            o.remove("reminders");
            o.insert("loanPolicyId".into(), json!(loan_policy_id));
            o.insert("dueDate".into(), json!(iso_millis_z(due_date)));
            o.insert("renewalCount".into(), json!(count));
            if o.get("dueDateChangedByRecall") == Some(&json!(true)) {
                o.insert("dueDateChangedByRecall".into(), json!(false));
            }
        }
        Loan(loan)
    }

    /// The loan renewed through a renewal-block override (mod-circulation's
    /// `Loan.overrideRenewal`): due at `due_date` under the loan's own policy, one more renewal,
    /// the override's comment; the reminders and aged-to-lost billing go and the item is
    /// checked out again.
    pub(crate) fn renewed_through_override(&self, due_date: DateTime<Utc>, comment: &str) -> Loan {
        let mut loan = self.0.clone();
        let count = self.renewal_count() + 1;
        if let Some(o) = loan.as_object_mut() {
            o.insert("action".into(), json!("renewedThroughOverride"));
            o.insert("actionComment".into(), json!(comment));
            o.remove("reminders");
            o.remove("agedToLostDelayedBilling");
            o.insert("dueDate".into(), json!(iso_millis_z(due_date)));
            o.insert("renewalCount".into(), json!(count));
            o.insert("itemStatus".into(), json!("Checked out"));
        }
        Loan(loan)
    }

    /// A renewal recorded as done through an override, with its comment (when given).
    pub(crate) fn through_override(mut self, comment: Option<&str>) -> Loan {
        if let Some(o) = self.0.as_object_mut() {
            o.insert("action".into(), json!("renewedThroughOverride"));
            if let Some(comment) = comment {
                o.insert("actionComment".into(), json!(comment));
            }
        }
        self
    }

    /// The patron group the borrower had when checking out.
    pub(crate) fn patron_group_id_at_checkout(&self) -> Option<&str> {
        text(&self.0, &["patronGroupIdAtCheckout"])
    }

    pub(crate) fn loan_policy_id(&self) -> Option<&str> {
        text(&self.0, &["loanPolicyId"])
    }

    pub(crate) fn overdue_fine_policy_id(&self) -> Option<&str> {
        text(&self.0, &["overdueFinePolicyId"])
    }

    pub(crate) fn lost_item_policy_id(&self) -> Option<&str> {
        text(&self.0, &["lostItemPolicyId"])
    }

    /// The loan closed by a check-in: returned at `return_date` (as the request said), recorded
    /// `now`, at `service_point_id`, the item now in `item_status`. The override comment of the
    /// check-out and the aged-to-lost billing state go (the date it aged to lost stays, as
    /// mod-circulation's `removeAgedToLostBillingInfo` keeps it); every other field is kept.
    pub(crate) fn closed_by_check_in(
        &self,
        action: CheckInAction,
        return_date: DateTime<Utc>,
        now: DateTime<Utc>,
        service_point_id: &str,
        item_status: &str,
    ) -> Loan {
        let mut loan = self.0.clone();
        if let Some(o) = loan.as_object_mut() {
            o.insert("status".into(), json!({"name": "Closed"}));
            o.insert("action".into(), json!(action.name()));
            o.remove("actionComment");
            if let Some(billing) = o
                .get_mut("agedToLostDelayedBilling")
                .and_then(|b| b.as_object_mut())
            {
                billing.remove("lostItemHasBeenBilled");
                billing.remove("dateLostItemShouldBeBilled");
            }
            o.insert("returnDate".into(), json!(iso_millis_z(return_date)));
            o.insert("systemReturnDate".into(), json!(iso_millis_z(now)));
            o.insert("checkinServicePointId".into(), json!(service_point_id));
            o.insert("itemStatus".into(), json!(item_status));
        }
        Loan(loan)
    }

    /// The loan's last action (`action`) and its comment.
    pub(crate) fn action(&self) -> Option<&str> {
        text(&self.0, &["action"])
    }

    pub(crate) fn action_comment(&self) -> Option<&str> {
        self.string("actionComment")
    }

    /// A proxy who borrowed for the patron.
    pub(crate) fn proxy_user_id(&self) -> Option<&str> {
        text(&self.0, &["proxyUserId"])
    }

    pub(crate) fn checkout_service_point_id(&self) -> Option<&str> {
        text(&self.0, &["checkoutServicePointId"])
    }

    pub(crate) fn checkin_service_point_id(&self) -> Option<&str> {
        text(&self.0, &["checkinServicePointId"])
    }

    /// When the item was returned (a closed loan's).
    pub(crate) fn return_date(&self) -> Option<DateTime<Utc>> {
        text(&self.0, &["returnDate"]).and_then(crate::due_date::parse_utc)
    }

    /// A recall shortened the due date (`dueDateChangedByRecall`).
    pub(crate) fn due_date_changed_by_recall(&self) -> bool {
        self.0.get("dueDateChangedByRecall") == Some(&json!(true))
    }

    /// When the item was lost: the later of `declaredLostDate` and
    /// `agedToLostDelayedBilling.agedToLostDate`.
    pub(crate) fn lost_date(&self) -> Option<DateTime<Utc>> {
        let declared = text(&self.0, &["declaredLostDate"]).and_then(crate::due_date::parse_utc);
        let aged = text(&self.0, &["agedToLostDelayedBilling", "agedToLostDate"])
            .and_then(crate::due_date::parse_utc);
        declared.max(aged)
    }

    /// The loan as storage answered, with `loanDate` and `dueDate` as this module wrote them in
    /// `written` (UTC, milliseconds, `Z`) rather than as storage echoes them.
    pub(crate) fn with_dates_of(mut self, written: &Loan) -> Loan {
        for key in ["loanDate", "dueDate"] {
            if let (Some(o), Some(v)) = (self.0.as_object_mut(), written.0.get(key)) {
                o.insert(key.to_string(), v.clone());
            }
        }
        self
    }
}

/// `action` of a loan a check-out creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckOutAction {
    CheckedOut,
    CheckedOutThroughOverride,
}

impl CheckOutAction {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CheckOutAction::CheckedOut => "checkedout",
            CheckOutAction::CheckedOutThroughOverride => "checkedOutThroughOverride",
        }
    }
}

/// `action` of a loan a check-in closes (a claimed-returned item's by its resolution).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckInAction {
    CheckedIn,
    FoundByLibrary,
    ReturnedByPatron,
}

impl CheckInAction {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CheckInAction::CheckedIn => "checkedin",
            CheckInAction::FoundByLibrary => "checkedInFoundByLibrary",
            CheckInAction::ReturnedByPatron => "checkedInReturnedByPatron",
        }
    }
}

/// What a new loan is made of.
#[derive(Debug, Clone)]
pub(crate) struct NewLoan<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub proxy_user_id: Option<&'a str>,
    pub item_id: &'a str,
    pub item_location_id: Option<&'a str>,
    pub action: CheckOutAction,
    pub action_comment: Option<&'a str>,
    pub loan_date: DateTime<Utc>,
    pub due_date: DateTime<Utc>,
    pub service_point_id: &'a str,
    pub loan_policy_id: &'a str,
    /// `""` when the rules gave none.
    pub overdue_fine_policy_id: &'a str,
    pub lost_item_policy_id: &'a str,
    /// Only a patron group that was found (FOLIO keeps the group record's id).
    pub patron_group_id: Option<&'a str>,
    pub is_dcb: bool,
    pub changed_by_recall: bool,
    /// The loan starts "In use" at this time (a policy `forUseAtLocation`).
    pub in_use_since: Option<DateTime<Utc>>,
}

impl NewLoan<'_> {
    /// The open loan as it is created in storage.
    pub(crate) fn to_loan(&self) -> Loan {
        let mut loan = json!({
            "id": self.id,
            "userId": self.user_id,
            "itemId": self.item_id,
            "status": {"name": "Open"},
            "action": self.action.name(),
            "loanDate": iso_millis_z(self.loan_date),
            "dueDate": iso_millis_z(self.due_date),
            "checkoutServicePointId": self.service_point_id,
            "loanPolicyId": self.loan_policy_id,
            "itemStatus": "Checked out",
            "isDcb": self.is_dcb,
        });
        let mut set = |key: &str, v: Option<&str>| {
            if let Some(v) = v {
                loan[key] = json!(v);
            }
        };
        set("proxyUserId", self.proxy_user_id);
        set("itemEffectiveLocationIdAtCheckOut", self.item_location_id);
        set(
            "overdueFinePolicyId",
            Some(self.overdue_fine_policy_id).filter(|x| !x.is_empty()),
        );
        set(
            "lostItemPolicyId",
            Some(self.lost_item_policy_id).filter(|x| !x.is_empty()),
        );
        set("patronGroupIdAtCheckout", self.patron_group_id);
        if self.action == CheckOutAction::CheckedOutThroughOverride {
            set("actionComment", self.action_comment);
        }
        if self.changed_by_recall {
            loan["dueDateChangedByRecall"] = json!(true);
        }
        if let Some(since) = self.in_use_since {
            loan["forUseAtLocation"] =
                json!({"status": "In use", "statusDate": iso_millis_z(since)});
        }
        Loan(loan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_by_check_in_keeps_the_date_it_aged_to_lost() {
        let loan = Loan::from_json(json!({
            "id": "l", "status": {"name": "Open"}, "actionComment": "c",
            "agedToLostDelayedBilling": {"lostItemHasBeenBilled": true,
                "dateLostItemShouldBeBilled": "2030-01-02T00:00:00.000Z",
                "agedToLostDate": "2030-01-01T00:00:00.000Z"}
        }));
        let at = DateTime::parse_from_rfc3339("2030-02-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let closed = loan.closed_by_check_in(CheckInAction::CheckedIn, at, at, "sp", "Available");
        assert_eq!(
            closed.field("agedToLostDelayedBilling"),
            Some(&json!({"agedToLostDate": "2030-01-01T00:00:00.000Z"}))
        );
        assert!(closed.field("actionComment").is_none());
        assert_eq!(
            closed.field("returnDate"),
            Some(&json!("2030-02-01T12:00:00.000Z"))
        );
    }

    #[test]
    fn renewed_counts_and_drops_comment_reminders_and_the_recall_flag() {
        let loan = Loan::from_json(json!({
            "id": "l", "action": "checkedOutThroughOverride", "actionComment": "ok",
            "reminders": {"lastFeeBilled": {"number": 1}}, "renewalCount": 2,
            "dueDateChangedByRecall": true, "dueDate": "2030-01-01T00:00:00.000Z"
        }));
        let due = DateTime::parse_from_rfc3339("2030-02-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let renewed = loan.renewed(due, "p");
        assert_eq!(
            renewed.json(),
            &json!({"id": "l", "action": "renewed", "renewalCount": 3, "loanPolicyId": "p",
                    "dueDateChangedByRecall": false, "dueDate": "2030-02-01T12:00:00.000Z"})
        );
    }
}
