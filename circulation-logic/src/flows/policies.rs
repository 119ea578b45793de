//! The policies of a loan: the circulation rules applied in-process to the item, its location
//! and the borrower's group, then the five policy records (through the cache) and the fixed
//! due date schedule.
use crate::domain::{Item, LoanPolicyRecord, LocationUnits, Policies, User};
use crate::downstream::Peers;
use crate::error::Failure;
use crate::okapi::CallError;
use crate::rules::{self, AppliedRuleConditions, MatchInput, PolicyType};
use serde_json::json;
use shared_types::policy::LoanPolicy;
use std::sync::Arc;

/// The tenant's circulation rules, parsed (both cached).
pub(crate) async fn circulation_rules(peers: Peers<'_>) -> Result<Arc<rules::Rules>, Failure> {
    let document = peers.storage().rules().await?.unwrap_or_default();
    let text = document
        .get("rulesAsText")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    if text.trim().is_empty() {
        return Err(Failure::Server(
            "Cannot apply blank circulation rules".into(),
        ));
    }
    peers
        .cache
        .parsed_rules(&peers.okapi.tenant, text)
        .map_err(|e| Failure::Server(e.message))
}

/// What the rules match on, refused as mod-circulation does when a part is missing.
fn match_input(user: &User, item: &Item, units: LocationUnits) -> Result<MatchInput, Failure> {
    let input = MatchInput {
        item_type_id: item.material_type_id().unwrap_or_default().into(),
        loan_type_id: item.loan_type_id().unwrap_or_default().into(),
        patron_group_id: user.patron_group_id().unwrap_or_default().into(),
        location_id: item.effective_location_id().unwrap_or_default().into(),
        library_id: units.library_id,
        campus_id: units.campus_id,
        institution_id: units.institution_id,
    };
    let missing = if input.patron_group_id.is_empty() {
        "Unable to apply circulation rules to a user with null value as patronGroupId"
    } else if input.location_id.is_empty() {
        "Unable to apply circulation rules to an item with null value as locationId"
    } else if input.loan_type_id.is_empty() {
        "Unable to apply circulation rules to an item which loan type can not be determined"
    } else if input.item_type_id.is_empty() {
        "Unable to apply circulation rules to an item with null value as materialTypeId"
    } else {
        return Ok(input);
    };
    Err(Failure::Server(missing.into()))
}

/// The id of the policy of `kind` the rules give `user` borrowing `item` at a location in
/// `units`.
pub(crate) fn policy_id(
    rules: &rules::Rules,
    kind: PolicyType,
    user: &User,
    item: &Item,
    units: LocationUnits,
) -> Result<String, Failure> {
    Ok(rules.find(kind, &match_input(user, item, units)?).policy_id)
}

/// The loan policy a forced id names when it does not exist: not loanable, and (as in FOLIO)
/// nameless.
fn missing_forced_policy(id: &str) -> (LoanPolicyRecord, LoanPolicy) {
    (
        LoanPolicyRecord::from_json(json!({"id": id})),
        LoanPolicy {
            id: Some(id.to_string()),
            name: String::new(),
            description: None,
            loanable: false,
            loans_policy: None,
            renewable: false,
            renewals_policy: None,
            request_management: None,
            metadata: None,
        },
    )
}

/// A policy the rules named that could not be found: a 500, deferred until after the 422 gate.
fn deferred<T>(found: Result<Option<T>, CallError>, what: &str, id: &str) -> Result<T, Failure> {
    match found {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(Failure::Server(format!(
            "{what} {id} could not be found, please check circulation rules"
        ))),
        Err(e) => Err(Failure::Call(e)),
    }
}

/// The loan policy the rules choose now for `user` and `item` at a location in `units` (as
/// mod-circulation's `LoanPolicyRepository.lookupPolicy(loan)` does for the grace period of an
/// overdue fine): a policy the rules name that does not exist is a 500.
pub(crate) async fn current_loan_policy(
    peers: Peers<'_>,
    user: &User,
    item: &Item,
    units: LocationUnits,
) -> Result<LoanPolicy, Failure> {
    let input = match_input(user, item, units);
    let rules = circulation_rules(peers).await?;
    let id = rules.find(PolicyType::Loan, &input?).policy_id;
    match peers.storage().loan_policy(&id).await? {
        Some(record) => typed_loan_policy(&record, &id),
        None => Err(loan_policy_not_found(&id)),
    }
}

fn loan_policy_not_found(id: &str) -> Failure {
    Failure::Server(format!(
        "Loan policy {id} could not be found, please check circulation rules"
    ))
}

fn typed_loan_policy(record: &LoanPolicyRecord, id: &str) -> Result<LoanPolicy, Failure> {
    serde_json::from_value(record.json().clone())
        .map_err(|e| Failure::Server(format!("Loan policy {id} cannot be read: {e}")))
}

/// The policies for `user` borrowing `item` at a location in `units`. Even with a forced loan
/// policy the rules pick the other policies.
pub(crate) async fn policies_for(
    peers: Peers<'_>,
    rules: Result<Arc<rules::Rules>, Failure>,
    user: &User,
    item: &Item,
    units: LocationUnits,
    forced_loan_policy_id: Option<&str>,
) -> Result<Policies, Failure> {
    let input = match_input(user, item, units);
    let rules = rules?;
    let input = input?;
    let loan = rules.find(PolicyType::Loan, &input);
    // A forced loan policy has no rule, so no rule conditions (no item limit).
    let (loan_id, conditions) = match forced_loan_policy_id {
        Some(id) => (id.to_string(), AppliedRuleConditions::default()),
        None => (loan.policy_id, loan.applied_rule_conditions),
    };
    let overdue_id = rules.find(PolicyType::OverdueFine, &input).policy_id;
    let lost_id = rules.find(PolicyType::LostItem, &input).policy_id;
    let notice_id = rules.find(PolicyType::Notice, &input).policy_id;
    let skip_fees = overdue_id.is_empty();
    let (storage, feesfines) = (peers.storage(), peers.feesfines());
    let (loan, overdue, lost, notice) = peers
        .fan
        .join4(
            storage.loan_policy(&loan_id),
            async {
                match skip_fees {
                    true => Ok(Some(Default::default())),
                    false => feesfines.overdue_fine_policy(&overdue_id).await,
                }
            },
            async {
                match skip_fees {
                    true => Ok(Some(Default::default())),
                    false => feesfines.lost_item_policy(&lost_id).await,
                }
            },
            // Only for the due-date notices: a notice policy that cannot be read does not
            // stop the check-out.
            async {
                match notice_id.is_empty() {
                    true => None,
                    false => storage.notice_policy(&notice_id).await.ok().flatten(),
                }
            },
        )
        .await;
    let (loan_policy, typed) = match loan? {
        Some(record) => {
            let typed = typed_loan_policy(&record, &loan_id)?;
            (record, typed)
        }
        None if forced_loan_policy_id.is_some() => missing_forced_policy(&loan_id),
        None => return Err(loan_policy_not_found(&loan_id)),
    };
    let schedule = match typed
        .loans_policy
        .as_ref()
        .and_then(|lp| lp.fixed_due_date_schedule_id.as_deref())
    {
        Some(id) => storage.fixed_due_date_schedule(id).await?,
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
        notice_policy_id: notice_id,
        notice_policy: notice,
        schedule,
    })
}
