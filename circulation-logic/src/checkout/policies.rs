//! The policies of a check-out: the circulation rules applied in-process to the item, its
//! location and the borrower's group, the five policy records (through the cache), the fixed
//! due date schedule, and the open loans that count against the loan policy's item limit.
use super::gather::{Gathered, Gatherer};
use super::{s, CheckOutRequest, Failure};
use crate::okapi::{cql_quote, CallError};
use crate::rules::{self, AppliedRuleConditions, MatchInput, PolicyType};
use serde_json::Value;
use shared_types::policy::{FixedDueDateSchedule, LoanPolicy};
use std::sync::Arc;

/// The policies the rules chose, with the records read for them.
#[derive(Debug, Clone)]
pub struct Policies {
    pub loan_policy_id: String,
    pub loan_policy: Value,
    pub loan: LoanPolicy,
    pub conditions: AppliedRuleConditions,
    /// Deferred: a missing overdue / lost policy is a 500, but only after the 422 gate.
    pub overdue_fine_policy: Result<Value, Failure>,
    pub lost_item_policy: Result<Value, Failure>,
    pub overdue_fine_policy_id: String,
    pub lost_item_policy_id: String,
    pub request_policy_id: String,
    pub notice_policy_id: String,
    /// `None` when it could not be read (then no due-date notices are scheduled).
    pub notice_policy: Option<Value>,
    pub schedule: Option<FixedDueDateSchedule>,
}

impl Policies {
    /// The loan policy's name; none for a forced policy that does not exist.
    pub fn loan_policy_name(&self) -> Option<&str> {
        self.loan_policy.get("name").and_then(Value::as_str)
    }
}

impl Gatherer<'_> {
    /// Library, campus and institution ids for the rules (`c`, `b`, `a`). The location names
    /// them, so unlike mod-circulation no location-unit records are read: they would add a
    /// wave to the critical path and nothing in a check-out uses their contents.
    pub(super) fn location_units(location: Option<&Value>) -> (String, String, String) {
        let id = |key: &str| {
            location
                .and_then(|l| s(l, &[key]))
                .unwrap_or_default()
                .to_string()
        };
        (id("libraryId"), id("campusId"), id("institutionId"))
    }

    pub(super) async fn policies(
        &self,
        req: &CheckOutRequest,
        user: &Value,
        item: &Value,
        (library_id, campus_id, institution_id): (String, String, String),
        rules: Result<Arc<rules::Rules>, Failure>,
    ) -> Result<Policies, Failure> {
        let input = MatchInput {
            item_type_id: s(item, &["materialTypeId"]).unwrap_or_default().into(),
            loan_type_id: s(item, &["temporaryLoanTypeId"])
                .or(s(item, &["permanentLoanTypeId"]))
                .unwrap_or_default()
                .into(),
            patron_group_id: s(user, &["patronGroup"]).unwrap_or_default().into(),
            location_id: s(item, &["effectiveLocationId"]).unwrap_or_default().into(),
            library_id,
            campus_id,
            institution_id,
        };
        // Even with a forced loan policy the rules pick the other policies.
        let rules = rules?;
        if input.patron_group_id.is_empty() {
            return Err(Failure::Server(
                "Unable to apply circulation rules to a user with null value as patronGroupId"
                    .into(),
            ));
        }
        if input.location_id.is_empty() {
            return Err(Failure::Server(
                "Unable to apply circulation rules to an item with null value as locationId".into(),
            ));
        }
        if input.loan_type_id.is_empty() {
            return Err(Failure::Server(
                "Unable to apply circulation rules to an item which loan type can not be determined"
                    .into(),
            ));
        }
        if input.item_type_id.is_empty() {
            return Err(Failure::Server(
                "Unable to apply circulation rules to an item with null value as materialTypeId"
                    .into(),
            ));
        }
        let loan = rules.find(PolicyType::Loan, &input);
        // A forced loan policy has no rule, so no rule conditions (no item limit).
        let (loan_id, conditions) = match &req.force_loan_policy_id {
            Some(id) => (id.clone(), AppliedRuleConditions::default()),
            None => (loan.policy_id, loan.applied_rule_conditions),
        };
        let overdue_id = rules.find(PolicyType::OverdueFine, &input).policy_id;
        let lost_id = rules.find(PolicyType::LostItem, &input).policy_id;
        let request_id = rules.find(PolicyType::Request, &input).policy_id;
        let notice_id = rules.find(PolicyType::Notice, &input).policy_id;
        let forced = req.force_loan_policy_id.is_some();
        let overdue_path = format!("/overdue-fines-policies/{overdue_id}");
        let lost_path = format!("/lost-item-fees-policies/{lost_id}");
        let loan_path = format!("/loan-policy-storage/loan-policies/{loan_id}");
        let skip_fees = overdue_id.is_empty();
        let notice_path =
            format!("/patron-notice-policy-storage/patron-notice-policies/{notice_id}");
        let (loan, overdue, lost, notice) = self
            .fan
            .join4(
                self.cache.get(self.okapi, "loan policy", &loan_path),
                async {
                    if skip_fees {
                        Ok(Some(Value::Null))
                    } else {
                        self.cache
                            .get(self.okapi, "overdue fine policy", &overdue_path)
                            .await
                    }
                },
                async {
                    if skip_fees {
                        Ok(Some(Value::Null))
                    } else {
                        self.cache
                            .get(self.okapi, "lost item policy", &lost_path)
                            .await
                    }
                },
                // Only for the due-date notices: a notice policy that cannot be read does not
                // stop the check-out.
                async {
                    match notice_id.is_empty() {
                        true => None,
                        false => self
                            .cache
                            .get(self.okapi, "patron notice policy", &notice_path)
                            .await
                            .ok()
                            .flatten(),
                    }
                },
            )
            .await;
        let (loan_policy, typed) = match loan? {
            Some(v) => {
                let typed: LoanPolicy = serde_json::from_value(v.clone()).map_err(|e| {
                    Failure::Server(format!("Loan policy {loan_id} cannot be read: {e}"))
                })?;
                (v, typed)
            }
            // A forced policy that does not exist: not loanable, and (as in FOLIO) nameless.
            None if forced => (
                serde_json::json!({"id": loan_id}),
                LoanPolicy {
                    id: Some(loan_id.clone()),
                    name: String::new(),
                    description: None,
                    loanable: false,
                    loans_policy: None,
                    renewable: false,
                    renewals_policy: None,
                    request_management: None,
                    metadata: None,
                },
            ),
            None => {
                return Err(Failure::Server(format!(
                    "Loan policy {loan_id} could not be found, please check circulation rules"
                )))
            }
        };
        let deferred = |r: Result<Option<Value>, CallError>, what: &str, id: &str| match r {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(Failure::Server(format!(
                "{what} {id} could not be found, please check circulation rules"
            ))),
            Err(e) => Err(Failure::Call(e)),
        };
        let schedule = match typed
            .loans_policy
            .as_ref()
            .and_then(|lp| lp.fixed_due_date_schedule_id.clone())
        {
            Some(id) => {
                let path =
                    format!("/fixed-due-date-schedule-storage/fixed-due-date-schedules/{id}");
                match self
                    .cache
                    .get(self.okapi, "fixed due date schedule", &path)
                    .await?
                {
                    Some(v) => serde_json::from_value(v).ok(),
                    None => None,
                }
            }
            None => None,
        };
        Ok(Policies {
            loan_policy_id: loan_id,
            loan_policy,
            loan: typed,
            conditions,
            overdue_fine_policy: deferred(overdue, "Overdue fine policy", &overdue_id),
            lost_item_policy: deferred(lost, "Lost item policy", &lost_id),
            overdue_fine_policy_id: overdue_id,
            lost_item_policy_id: lost_id,
            request_policy_id: request_id,
            notice_policy_id: notice_id,
            notice_policy: notice,
            schedule,
        })
    }

    /// The item-limit count again (under the check-out lock), when the limit applies.
    pub async fn recount_item_limit(
        &self,
        req: &CheckOutRequest,
        g: &Gathered,
    ) -> Result<Option<usize>, CallError> {
        let (Some(user), Some(item), Some(p), Some(_)) =
            (&g.user, &g.item, &g.policies, g.item_limit_count)
        else {
            return Ok(None);
        };
        if req.overrides.item_limit_block {
            return Ok(None);
        }
        self.count_for_item_limit(user, item, p.conditions)
            .await
            .map(Some)
    }

    /// Open loans of the borrower whose items match the limited material type / loan type,
    /// not counting items that are "Claimed returned".
    pub(super) async fn count_for_item_limit(
        &self,
        user: &Value,
        item: &Value,
        c: AppliedRuleConditions,
    ) -> Result<usize, CallError> {
        let user_id = s(user, &["id"]).unwrap_or_default();
        let q = format!("status.name==\"Open\" and userId=={}", cql_quote(user_id));
        let loans = self
            .okapi
            .get_list(
                "open loans of borrower",
                "/loan-storage/loans",
                &[("query", &q), ("limit", "10000")],
                "loans",
            )
            .await?;
        let ids: Vec<String> = loans
            .iter()
            .filter_map(|l| s(l, &["itemId"]).map(str::to_string))
            .collect();
        let batches: Vec<_> = ids
            .chunks(50)
            .map(|chunk| {
                let q = format!(
                    "id==({})",
                    chunk
                        .iter()
                        .map(|i| cql_quote(i))
                        .collect::<Vec<_>>()
                        .join(" or ")
                );
                async move {
                    self.okapi
                        .get_list(
                            "items of borrower loans",
                            "/item-storage/items",
                            &[("query", &q), ("limit", "2147483647")],
                            "items",
                        )
                        .await
                }
            })
            .collect();
        let mut count = 0;
        let material = s(item, &["materialTypeId"]);
        let loan_type = s(item, &["temporaryLoanTypeId"]).or(s(item, &["permanentLoanTypeId"]));
        for batch in self.fan.all(batches).await {
            for other in batch? {
                if s(&other, &["status", "name"]) == Some("Claimed returned") {
                    continue;
                }
                if c.material_type_match && s(&other, &["materialTypeId"]) != material {
                    continue;
                }
                let other_type =
                    s(&other, &["temporaryLoanTypeId"]).or(s(&other, &["permanentLoanTypeId"]));
                if c.loan_type_match && other_type != loan_type {
                    continue;
                }
                count += 1;
            }
        }
        Ok(count)
    }
}
