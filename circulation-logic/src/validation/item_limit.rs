//! The loan policy's item limit: the borrower's open loans of the limited material type /
//! loan type (as the matched rule's conditions say) must stay below it.
use super::overrides::ITEM_LIMIT_PERMISSION;
use super::{error, overridable, Granted};
use crate::rules::AppliedRuleConditions;
use shared_types::errors::Error;

/// Item-limit message suffix and code from the matched rule's conditions.
pub(crate) fn item_limit_wording(
    m: bool,
    t: bool,
    g: bool,
) -> Option<(&'static str, &'static str)> {
    Some(match (m, t, g) {
        (true, true, true) => (
            "for combination of patron group, material type and loan type",
            "ITEM_LIMIT_PATRON_GROUP_MATERIAL_TYPE_LOAN_TYPE",
        ),
        (true, true, false) => (
            "for combination of material type and loan type",
            "ITEM_LIMIT_MATERIAL_TYPE_LOAN_TYPE",
        ),
        (true, false, true) => (
            "for combination of patron group and material type",
            "ITEM_LIMIT_PATRON_GROUP_MATERIAL_TYPE",
        ),
        (false, true, true) => (
            "for combination of patron group and loan type",
            "ITEM_LIMIT_PATRON_GROUP_LOAN_TYPE",
        ),
        (true, false, false) => ("for material type", "ITEM_LIMIT_MATERIAL_TYPE"),
        (false, true, false) => ("for loan type", "ITEM_LIMIT_LOAN_TYPE"),
        (false, false, _) => return None,
    })
}

/// Refused when `count` open loans reach the limit.
pub(crate) fn within_item_limit(
    limit: i32,
    count: usize,
    c: AppliedRuleConditions,
    item_barcode: Option<&str>,
    granted: Granted,
) -> Option<Error> {
    let (suffix, code) = item_limit_wording(
        c.material_type_match,
        c.loan_type_match,
        c.patron_group_match,
    )?;
    if count < limit.max(0) as usize {
        return None;
    }
    let n = limit.to_string();
    Some(overridable(
        error(
            format!("Patron has reached maximum limit of {limit} items {suffix}"),
            &[("itemBarcode", item_barcode), ("itemLimit", Some(&n))],
            Some(code),
        ),
        "itemLimitBlock",
        ITEM_LIMIT_PERMISSION,
        granted,
    ))
}
