//! Fees/fines records (mod-feesfines): the fee/fine owners and fee/fine types circulation looks
//! up, the account and its charge action it creates for an automatic fee or fine (as
//! mod-circulation's `StoredAccount` and `StoredFeeFineAction` write them), and the accounts,
//! actions and actual cost records of a lost item's fees with the refund and cancel requests
//! that close them (mod-feesfines' actions API).
use super::inventory::{Instance, Item, Location, MaterialType};
use super::loan::Loan;
use super::record::{record_view, text};
use super::representation::ItemInContext;
use crate::due_date::parse_utc;
use crate::fines::lost_item::LostFee;
use crate::fines::overdue::{cents_as_number, cents_as_text, Amount};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use shared_types::dates::iso_millis_z;

/// The automatic fee/fine type of overdue fines (mod-feesfines' reference data has it with
/// id `9523cb96-e752-40c2-89da-60f3961a488d`).
pub(crate) const OVERDUE_FINE_TYPE: &str = "Overdue fine";

record_view!(
    /// A fee/fine owner (`/owners`): the service points whose fees and fines it owns.
    FeeFineOwner
);

impl FeeFineOwner {
    /// The owner's name (`owner`).
    pub(crate) fn name(&self) -> Option<&str> {
        text(&self.0, &["owner"])
    }
}

record_view!(
    /// A fee/fine type (`/feefines`).
    FeeFine
);

impl FeeFine {
    /// `feeFineType`, e.g. "Overdue fine".
    pub(crate) fn fee_fine_type(&self) -> Option<&str> {
        text(&self.0, &["feeFineType"])
    }
}

/// Why the paid part of a lost item's fee is refunded (`paymentMethod` of the refund;
/// mod-circulation's `AccountRefundReason`).
pub(crate) const REFUND_REASON_LOST_ITEM_FOUND: &str = "Lost item found";

/// Why what remains of a lost item's fees is cancelled: the item was returned (checked in) or
/// renewed (mod-circulation's `AccountCancelReason` and `ActualCostFeeCancelReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelReason {
    ItemReturned,
    ItemRenewed,
}

impl CancelReason {
    /// The account's `cancellationReason`, which mod-feesfines makes its payment status and
    /// the cancelling action's type.
    pub(crate) fn for_account(self) -> &'static str {
        match self {
            CancelReason::ItemReturned => "Cancelled item returned",
            CancelReason::ItemRenewed => "Cancelled item renewed",
        }
    }

    /// An actual cost record's `additionalInfoForStaff`.
    pub(crate) fn for_actual_cost(self) -> &'static str {
        match self {
            CancelReason::ItemReturned => "Lost item was returned",
            CancelReason::ItemRenewed => "Lost item was renewed",
        }
    }
}

record_view!(
    /// An account (`/accounts`): a fee or fine charged to a patron.
    Account
);

impl Account {
    /// `feeFineType`, e.g. "Lost item fee".
    pub(crate) fn fee_fine_type(&self) -> Option<&str> {
        text(&self.0, &["feeFineType"])
    }

    /// The loan it was charged for.
    pub(crate) fn loan_id(&self) -> Option<&str> {
        text(&self.0, &["loanId"])
    }

    /// Still to be paid, or settled otherwise (`status.name` "Open").
    pub(crate) fn is_open(&self) -> bool {
        text(&self.0, &["status", "name"]) == Some("Open")
    }

    /// What is left to pay (`remaining`).
    pub(crate) fn remaining(&self) -> Option<Amount> {
        self.0.get("remaining").and_then(Amount::from_json)
    }

    /// `paymentStatus.name`, e.g. "Outstanding", "Paid fully", "Cancelled item returned".
    pub(crate) fn payment_status(&self) -> Option<&str> {
        text(&self.0, &["paymentStatus", "name"])
    }

    /// When it was charged (`metadata.createdDate`).
    pub(crate) fn created(&self) -> Option<DateTime<Utc>> {
        text(&self.0, &["metadata", "createdDate"]).and_then(parse_utc)
    }

    /// What the choice of the lost item fees refunded looks at.
    pub(crate) fn as_lost_fee(&self) -> LostFee<'_> {
        LostFee {
            fee_fine_type: self.fee_fine_type(),
            created: self.created(),
            payment_status: self.payment_status(),
        }
    }
}

record_view!(
    /// A fee/fine action (`/feefineactions`): a charge, payment, transfer, refund, cancellation…
    /// of one account.
    FeeFineAction
);

impl FeeFineAction {
    pub(crate) fn account_id(&self) -> Option<&str> {
        text(&self.0, &["accountId"])
    }

    /// `typeAction`, e.g. "Paid fully", "Transferred partially".
    pub(crate) fn type_action(&self) -> Option<&str> {
        text(&self.0, &["typeAction"])
    }

    /// `amountAction`.
    pub(crate) fn amount(&self) -> Option<Amount> {
        self.0.get("amountAction").and_then(Amount::from_json)
    }
}

record_view!(
    /// An actual cost record (`/actual-cost-record-storage/actual-cost-records`, circulation
    /// storage): a lost item whose actual cost staff bill later.
    ActualCostRecord
);

impl ActualCostRecord {
    /// When it was recorded (`metadata.createdDate`).
    pub(crate) fn created(&self) -> Option<DateTime<Utc>> {
        text(&self.0, &["metadata", "createdDate"]).and_then(parse_utc)
    }
}

/// Who acts on an account: the staff member's "Last, First" (or username) and, when known, the
/// service point (mod-feesfines writes them as the action's `source` and `createdAt`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ActedBy<'a> {
    pub user_name: &'a str,
    pub service_point_id: Option<&'a str>,
}

impl ActedBy<'_> {
    fn request(self, fields: Value) -> Value {
        let mut o = Map::new();
        o.insert("notifyPatron".into(), json!(true));
        put(&mut o, "servicePointId", self.service_point_id);
        put(&mut o, "userName", Some(self.user_name));
        if let Value::Object(fields) = fields {
            o.extend(fields);
        }
        Value::Object(o)
    }

    /// The body of `POST /accounts/{id}/refund` (`defaultActionRequest.json`): `cents` as two
    /// decimals, the reason as the payment method, the patron notified.
    pub(crate) fn refund_request(self, cents: i64, reason: &str) -> Value {
        self.request(json!({"amount": cents_as_text(cents), "paymentMethod": reason}))
    }

    /// The body of `POST /accounts/{id}/cancel` (`cancelActionRequest.json`), the patron
    /// notified.
    pub(crate) fn cancel_request(self, reason: &str) -> Value {
        self.request(json!({"cancellationReason": reason}))
    }
}

/// What an account action left to pay (`remainingAmount` of `actionSuccessResponse.json`, a
/// decimal in a string).
pub(crate) fn remaining_after_action(answer: &Value) -> Option<Amount> {
    answer.get("remainingAmount").and_then(Amount::from_json)
}

/// The body of `POST /actual-cost-fee-fine/cancel`: the record and the reason, for staff.
pub(crate) fn actual_cost_cancel_request(record_id: &str, reason: &str) -> Value {
    json!({"actualCostRecordId": record_id, "additionalInfoForStaff": reason})
}

/// What an account for an automatic fee or fine on a loan is made of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewAccount<'a> {
    pub id: &'a str,
    pub owner: &'a FeeFineOwner,
    pub fee_fine: &'a FeeFine,
    pub cents: i64,
    pub loan: &'a Loan,
    pub item: ItemInContext<'a>,
}

fn put(o: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        o.insert(key.to_string(), json!(v));
    }
}

impl NewAccount<'_> {
    /// The account (`accountdata.json`): open and outstanding for its whole amount, with the
    /// item's title, barcode, call number, location, material type and contributors, and the
    /// loan's dates and policies. Values the records lack are left out.
    pub(crate) fn to_json(self) -> Value {
        let item = self.item.item.map(Item::json);
        let amount = cents_as_number(self.cents);
        let mut o = Map::new();
        put(&mut o, "id", Some(self.id));
        put(
            &mut o,
            "ownerId",
            Some(self.owner.id()).filter(|i| !i.is_empty()),
        );
        put(
            &mut o,
            "feeFineId",
            Some(self.fee_fine.id()).filter(|i| !i.is_empty()),
        );
        o.insert("amount".into(), json!(amount));
        o.insert("remaining".into(), json!(amount));
        put(&mut o, "feeFineType", self.fee_fine.fee_fine_type());
        put(&mut o, "feeFineOwner", self.owner.name());
        put(&mut o, "title", self.item.title());
        put(&mut o, "barcode", item.and_then(|i| text(i, &["barcode"])));
        put(
            &mut o,
            "callNumber",
            item.and_then(|i| text(i, &["effectiveCallNumberComponents", "callNumber"])),
        );
        put(
            &mut o,
            "location",
            self.item.location.and_then(Location::name),
        );
        put(
            &mut o,
            "materialType",
            self.item.material_type.and_then(MaterialType::name),
        );
        put(
            &mut o,
            "materialTypeId",
            self.item
                .material_type
                .map(MaterialType::id)
                .filter(|i| !i.is_empty())
                .or_else(|| self.item.item.and_then(Item::material_type_id)),
        );
        put(&mut o, "loanId", Some(self.loan.id()));
        put(&mut o, "userId", self.loan.user_id());
        put(&mut o, "itemId", self.item.item.map(Item::id));
        let date = |d: Option<DateTime<Utc>>| d.map(iso_millis_z);
        put(&mut o, "dueDate", date(self.loan.due_date()).as_deref());
        put(
            &mut o,
            "returnedDate",
            date(self.loan.return_date()).as_deref(),
        );
        o.insert("paymentStatus".into(), json!({"name": "Outstanding"}));
        o.insert("status".into(), json!({"name": "Open"}));
        let contributors: Vec<Value> = self
            .item
            .instance
            .map(Instance::json)
            .and_then(|i| i.get("contributors"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|c| json!({"name": c.get("name").cloned().unwrap_or(Value::Null)}))
                    .collect()
            })
            .unwrap_or_default();
        o.insert("contributors".into(), Value::Array(contributors));
        put(&mut o, "loanPolicyId", self.loan.loan_policy_id());
        put(
            &mut o,
            "overdueFinePolicyId",
            self.loan.overdue_fine_policy_id(),
        );
        put(
            &mut o,
            "lostItemFeePolicyId",
            self.loan.lost_item_policy_id(),
        );
        Value::Object(o)
    }
}

/// The action that charges a new account (`feefineactiondata.json`): its whole amount, the
/// balance it leaves, typed with the fee/fine type, at `at`; `source` the staff member's
/// "Last, First" and `createdAt` the service point's id, when known; nobody notified.
pub(crate) fn charge_action(
    account: &Value,
    source: Option<&str>,
    created_at: Option<&str>,
    at: DateTime<Utc>,
) -> Value {
    let mut o = Map::new();
    put(&mut o, "id", Some(&uuid::Uuid::new_v4().to_string()));
    for (to, from) in [("userId", "userId"), ("accountId", "id")] {
        put(&mut o, to, account.get(from).and_then(Value::as_str));
    }
    put(&mut o, "source", source.filter(|s| !s.trim().is_empty()));
    put(&mut o, "createdAt", created_at);
    put(&mut o, "transactionInformation", Some("-"));
    for (to, from) in [("balance", "remaining"), ("amountAction", "amount")] {
        if let Some(v) = account.get(from) {
            o.insert(to.into(), v.clone());
        }
    }
    o.insert("notify".into(), json!(false));
    put(
        &mut o,
        "typeAction",
        account.get("feeFineType").and_then(Value::as_str),
    );
    put(&mut o, "dateAction", Some(&iso_millis_z(at)));
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> (Item, Instance, Location, MaterialType, Loan) {
        (
            Item::from_json(json!({"id": "i", "barcode": "b1", "materialTypeId": "mt",
                "effectiveCallNumberComponents": {"callNumber": "QA76"}})),
            Instance::from_json(
                json!({"title": "Nod", "contributors": [{"name": "Barnes, Adrian", "primary": true}]}),
            ),
            Location::from_json(json!({"id": "loc", "name": "Main Library"})),
            MaterialType::from_json(json!({"id": "mt", "name": "book"})),
            Loan::from_json(json!({"id": "l", "userId": "u", "itemId": "i",
                "dueDate": "2030-03-25T23:59:59.000+00:00", "returnDate": "2030-03-27T12:00:00.000Z",
                "loanPolicyId": "lp", "overdueFinePolicyId": "op", "lostItemPolicyId": "ip"})),
        )
    }

    #[test]
    fn the_account_carries_item_loan_owner_and_type() {
        let (item, instance, location, material_type, loan) = records();
        let owner = FeeFineOwner::from_json(json!({"id": "o", "owner": "Main Desk"}));
        let fee_fine = FeeFine::from_json(
            json!({"id": "f", "feeFineType": OVERDUE_FINE_TYPE, "automatic": true}),
        );
        let account = NewAccount {
            id: "a",
            owner: &owner,
            fee_fine: &fee_fine,
            cents: 250,
            loan: &loan,
            item: ItemInContext {
                item: Some(&item),
                holdings: None,
                instance: Some(&instance),
                location: Some(&location),
                material_type: Some(&material_type),
            },
        }
        .to_json();
        assert_eq!(
            account,
            json!({"id": "a", "ownerId": "o", "feeFineId": "f", "amount": 2.5, "remaining": 2.5,
                "feeFineType": "Overdue fine", "feeFineOwner": "Main Desk", "title": "Nod",
                "barcode": "b1", "callNumber": "QA76", "location": "Main Library",
                "materialType": "book", "materialTypeId": "mt", "loanId": "l", "userId": "u",
                "itemId": "i", "dueDate": "2030-03-25T23:59:59.000Z",
                "returnedDate": "2030-03-27T12:00:00.000Z",
                "paymentStatus": {"name": "Outstanding"}, "status": {"name": "Open"},
                "contributors": [{"name": "Barnes, Adrian"}], "loanPolicyId": "lp",
                "overdueFinePolicyId": "op", "lostItemFeePolicyId": "ip"})
        );
        let at = DateTime::parse_from_rfc3339("2030-03-27T12:00:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let action = charge_action(&account, Some("Berg, Ada"), Some("sp"), at);
        assert!(action["id"].is_string());
        let mut rest = action.clone();
        rest.as_object_mut().unwrap().remove("id");
        assert_eq!(
            rest,
            json!({"userId": "u", "accountId": "a", "source": "Berg, Ada", "createdAt": "sp",
                "transactionInformation": "-", "balance": 2.5, "amountAction": 2.5,
                "notify": false, "typeAction": "Overdue fine",
                "dateAction": "2030-03-27T12:00:05.000Z"})
        );
        let unknown = charge_action(&account, Some(" "), None, at);
        assert!(unknown.get("source").is_none() && unknown.get("createdAt").is_none());
    }

    #[test]
    fn refund_and_cancel_requests_as_mod_circulation_sends_them() {
        // RefundAccountRequest and CancelAccountRequest: the patron is notified.
        let by = ActedBy {
            user_name: "Berg, Ada",
            service_point_id: Some("sp"),
        };
        assert_eq!(
            by.refund_request(999, REFUND_REASON_LOST_ITEM_FOUND),
            json!({"amount": "9.99", "notifyPatron": true, "servicePointId": "sp",
                "userName": "Berg, Ada", "paymentMethod": "Lost item found"})
        );
        let nowhere = ActedBy {
            service_point_id: None,
            ..by
        };
        assert_eq!(
            nowhere.cancel_request(CancelReason::ItemRenewed.for_account()),
            json!({"notifyPatron": true, "userName": "Berg, Ada",
                "cancellationReason": "Cancelled item renewed"})
        );
        assert_eq!(
            remaining_after_action(&json!({"accountId": "a", "remainingAmount": "5.99"})),
            Amount::parse("5.99")
        );
        assert_eq!(
            actual_cost_cancel_request("r", CancelReason::ItemReturned.for_actual_cost()),
            json!({"actualCostRecordId": "r", "additionalInfoForStaff": "Lost item was returned"})
        );
    }

    #[test]
    fn accounts_and_actions_as_read() {
        let account = Account::from_json(json!({"id": "a", "feeFineType": "Lost item fee",
            "remaining": 10.5, "paymentStatus": {"name": "Paid partially"},
            "metadata": {"createdDate": "2030-01-01T10:00:00.000+00:00"}}));
        assert_eq!(account.remaining(), Amount::parse("10.5"));
        let fee = account.as_lost_fee();
        assert_eq!(fee.fee_fine_type, Some("Lost item fee"));
        assert_eq!(fee.payment_status, Some("Paid partially"));
        assert_eq!(fee.created, parse_utc("2030-01-01T10:00:00Z"));
        let action = FeeFineAction::from_json(
            json!({"accountId": "a", "typeAction": "Paid partially", "amountAction": 4.0}),
        );
        assert_eq!(action.account_id(), Some("a"));
        assert_eq!(action.type_action(), Some("Paid partially"));
        assert_eq!(action.amount(), Amount::parse("4"));
    }
}
