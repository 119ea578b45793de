//! The loan policy must allow loans.
use super::overrides::ITEM_NOT_LOANABLE_PERMISSION;
use super::{error, overridable, Granted};
use crate::domain::Policies;
use shared_types::errors::Error;

pub(crate) fn item_loanable(
    policies: &Policies,
    item_barcode: Option<&str>,
    granted: Granted,
) -> Option<Error> {
    if policies.loan.loanable {
        return None;
    }
    Some(overridable(
        error(
            "Item is not loanable",
            &[
                ("itemBarcode", item_barcode),
                ("loanPolicyId", Some(&policies.loan_policy_id)),
                ("loanPolicyName", policies.loan_policy_name()),
            ],
            Some("ITEM_NOT_LOANABLE"),
        ),
        "itemNotLoanableBlock",
        ITEM_NOT_LOANABLE_PERMISSION,
        granted,
    ))
}
