//! Loans (mod-circulation-storage `loan.json`, `loans.json`, `loans-history-item.json`,
//! `loans-history-items.json`).
use serde::{Deserialize, Serialize};

use crate::metadata::{JsonMap, Metadata};

/// `loan.json` (`additionalProperties: false`; required `itemId`, `loanDate`, `action`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Loan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Required for open loans only (closed loans can be anonymised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_user_id: Option<String>,
    pub item_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_effective_location_id_at_check_out: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LoanStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_use_at_location: Option<ForUseAtLocation>,
    /// A plain string in the schema (no date-time format): returned unchanged.
    pub loan_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// A plain string in the schema (no date-time format): returned unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_return_date: Option<String>,
    /// Last action, any string (commonly `checkedout`, `checkedin`, `renewed`, ...).
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_comment: Option<String>,
    /// Last item status used in relation to this loan, any string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan_policy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_service_point_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkin_service_point_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron_group_id_at_checkout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date_changed_by_recall: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_dcb: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_lost_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_returned_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_fine_policy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_item_policy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aged_to_lost_delayed_billing: Option<AgedToLostDelayedBilling>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminders: Option<Reminders>,
}

impl Loan {
    /// `loan.json` has no `readonly` properties.
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &[];

    /// `status.name` is "Open" (compared case-insensitively, as mod-circulation does).
    pub fn is_open(&self) -> bool {
        self.status.as_ref().is_some_and(LoanStatus::is_open)
    }

    /// `status.name` is "Closed" (case-insensitive).
    pub fn is_closed(&self) -> bool {
        self.status.as_ref().is_some_and(LoanStatus::is_closed)
    }
}

/// `loan.status` (`additionalProperties: false`). The name can be any string; "Open" and
/// "Closed" are the values in use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoanStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl LoanStatus {
    pub const OPEN: &'static str = "Open";
    pub const CLOSED: &'static str = "Closed";

    pub fn open() -> Self {
        LoanStatus {
            name: Some(Self::OPEN.into()),
        }
    }

    pub fn closed() -> Self {
        LoanStatus {
            name: Some(Self::CLOSED.into()),
        }
    }

    pub fn is_open(&self) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(Self::OPEN))
    }

    pub fn is_closed(&self) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(Self::CLOSED))
    }
}

/// `loan.forUseAtLocation` (unknown properties allowed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForUseAtLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ForUseAtLocationStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_shelf_expiration_date: Option<String>,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `loan.forUseAtLocation.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ForUseAtLocationStatus {
    #[serde(rename = "In use")]
    InUse,
    #[serde(rename = "Held")]
    Held,
    #[serde(rename = "Returned")]
    Returned,
}

/// `loan.agedToLostDelayedBilling` (unknown properties allowed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedToLostDelayedBilling {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_item_has_been_billed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_lost_item_should_be_billed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aged_to_lost_date: Option<String>,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `loan.reminders` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reminders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_fee_billed: Option<LastFeeBilled>,
}

/// `loan.reminders.lastFeeBilled` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LastFeeBilled {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// `loans.json`: `{"loans": [...], "totalRecords": N}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Loans {
    pub loans: Vec<Loan>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `loans-history-item.json`: a snapshot of a loan written by the audit trigger (unknown
/// properties allowed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoansHistoryItem {
    pub id: String,
    /// `I`, `U` or `D`.
    pub operation: String,
    pub creation_date: String,
    pub loan: Loan,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `loans-history-items.json`: `{"loansHistory": [...], "totalRecords": N}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoansHistoryItems {
    pub loans_history: Vec<LoansHistoryItem>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::test_support::*;
    use serde_json::json;

    fn full_loan() -> serde_json::Value {
        json!({
            "id": "cf23adf0-61ba-4887-bf82-956c4aae2260",
            "userId": "df7f4993-8c14-4a0f-ab63-93975ab01c76",
            "proxyUserId": "346ad017-dac1-417d-9ed8-0ac7eeb886aa",
            "itemId": "cb20f34f-b773-462f-a091-b233cc96b9e6",
            "itemEffectiveLocationIdAtCheckOut": "07f83048-6737-4c6a-a3bc-c49cd9beaa38",
            "status": {"name": "Open"},
            "forUseAtLocation": {
                "status": "Held",
                "statusDate": "2024-01-01T10:00:00.000Z",
                "holdShelfExpirationDate": "2024-01-08T10:00:00.000Z",
                "somethingNew": {"kept": true}
            },
            "loanDate": "2017-03-01T23:11:00-01:00",
            "dueDate": "2017-03-15T23:11:00-01:00",
            "returnDate": "2017-03-10T10:00:00Z",
            "systemReturnDate": "2017-03-10T10:00:01.000Z",
            "action": "checkedin",
            "actionComment": "comment",
            "itemStatus": "Available",
            "renewalCount": 2,
            "loanPolicyId": "d9cd0bed-1b49-4b5e-a7bd-064b8d177231",
            "checkoutServicePointId": "8bb53832-c9fb-47ef-986d-5b1a498a8b30",
            "checkinServicePointId": "8bb53832-c9fb-47ef-986d-5b1a498a8b30",
            "patronGroupIdAtCheckout": "3684a786-6671-4268-8ed0-9db82ebca60b",
            "dueDateChangedByRecall": false,
            "isDcb": false,
            "declaredLostDate": "2017-03-11T10:00:00Z",
            "claimedReturnedDate": "2017-03-12T10:00:00Z",
            "overdueFinePolicyId": "cd3f6cac-fa17-4079-9fae-2fb28e521412",
            "lostItemPolicyId": "ed892c0e-52e0-4cd9-8133-c0ef07b4a709",
            "metadata": {
                "createdDate": "2017-03-01T23:11:00.000+00:00",
                "createdByUserId": "79ff2a8b-d9c3-5b39-ad4a-0a84025ab085"
            },
            "agedToLostDelayedBilling": {
                "lostItemHasBeenBilled": false,
                "dateLostItemShouldBeBilled": "2017-04-01T00:00:00Z",
                "agedToLostDate": "2017-03-20T00:00:00Z"
            },
            "reminders": {"lastFeeBilled": {"number": 1, "date": "2017-03-16T00:00:00Z"}}
        })
    }

    #[test]
    fn examples_parse() {
        {
            let v = spec_file("mod-circulation-storage/ramls/examples/loan.json");
            let loan: Loan = round_trip(&v, "examples/loan.json");
            assert!(loan.is_open());
        }
        {
            let v = spec_file("mod-circulation-storage/ramls/examples/loans.json");
            round_trip::<Loans>(&v, "examples/loans.json");
        }
        // The example uses `createdDate` where the schema requires `creationDate`.
        stale_example_rejected::<LoansHistoryItems>(
            "mod-circulation-storage/ramls/examples/loans-history-items.json",
            "missing field `creationDate`",
        );
        for (path, v) in spec_dir("mod-circulation-storage/sample-data/loans") {
            round_trip::<Loan>(&v, &path.display().to_string());
        }
    }

    #[test]
    fn full_loan_round_trip() {
        let loan: Loan = round_trip(&full_loan(), "full loan");
        assert_eq!(
            loan.for_use_at_location.as_ref().unwrap().status,
            Some(ForUseAtLocationStatus::Held)
        );
        assert!(loan
            .for_use_at_location
            .as_ref()
            .unwrap()
            .extra
            .contains_key("somethingNew"));
        assert!(loan.is_open());
        assert!(!loan.is_closed());
    }

    #[test]
    fn history_item_round_trip() {
        let v = json!({
            "id": "29abc628-3712-48ba-b01f-f8b00c15dd61",
            "operation": "U",
            "creationDate": "2017-03-01T22:34:11+00",
            "loan": full_loan(),
            "someAuditField": 1
        });
        let item: LoansHistoryItem = round_trip(&v, "history item");
        assert!(item.extra.contains_key("someAuditField"));
        rejects_missing::<LoansHistoryItem>(&v, "creationDate");
        rejects_unknown::<LoansHistoryItem>(&v, &["loan"]);
        let list = json!({"loansHistory": [v], "totalRecords": 1});
        round_trip::<LoansHistoryItems>(&list, "history items");
    }

    #[test]
    fn unknown_fields_rejected() {
        let v = full_loan();
        rejects_unknown::<Loan>(&v, &[]);
        rejects_unknown::<Loan>(&v, &["status"]);
        rejects_unknown::<Loan>(&v, &["reminders"]);
        rejects_unknown::<Loan>(&v, &["reminders", "lastFeeBilled"]);
        rejects_unknown::<Loan>(&v, &["metadata"]);
    }

    #[test]
    fn required_fields() {
        let v = full_loan();
        for field in ["itemId", "loanDate", "action"] {
            rejects_missing::<Loan>(&v, field);
        }
        let mut no_user = v.clone();
        no_user.as_object_mut().unwrap().remove("userId");
        assert!(serde_json::from_value::<Loan>(no_user).is_ok());
    }

    #[test]
    fn invalid_enum_and_types_rejected() {
        let mut v = full_loan();
        v["forUseAtLocation"]["status"] = json!("Lost");
        assert!(serde_json::from_value::<Loan>(v).is_err());
        let mut v = full_loan();
        v["renewalCount"] = json!("two");
        assert!(serde_json::from_value::<Loan>(v).is_err());
    }

    #[test]
    fn nulls_are_absent() {
        let mut v = full_loan();
        v["proxyUserId"] = serde_json::Value::Null;
        let loan: Loan = serde_json::from_value(v).unwrap();
        assert_eq!(loan.proxy_user_id, None);
        let out = serde_json::to_value(&loan).unwrap();
        assert!(out.get("proxyUserId").is_none());
    }
}
