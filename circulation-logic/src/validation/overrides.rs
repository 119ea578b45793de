//! Block overrides (`overrideBlocks`): in place of a block it overrides, the override is
//! checked, up to the first that fails: permission, comment, then the due date.
use super::error;
use crate::due_date::parse_utc;
use chrono::{DateTime, Utc};
use shared_types::errors::Error;

pub(crate) const PATRON_BLOCK_PERMISSION: &str = "circulation.override-patron-block.post";
pub(crate) const ITEM_LIMIT_PERMISSION: &str = "circulation.override-item-limit-block.post";
pub(crate) const ITEM_NOT_LOANABLE_PERMISSION: &str =
    "circulation.override-item-not-loanable-block.post";

/// What a request asks to override.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Overrides {
    pub patron_block: bool,
    pub item_limit_block: bool,
    /// `Some(dueDate?)` when `itemNotLoanableBlock` is present.
    pub item_not_loanable_block: Option<Option<String>>,
    /// As sent: only an absent or null comment is refused.
    pub comment: Option<String>,
}

impl Overrides {
    pub(crate) fn any(&self) -> bool {
        self.patron_block || self.item_limit_block || self.item_not_loanable_block.is_some()
    }
}

/// An override of block `name` asked for without its permission.
pub(crate) fn insufficient_permissions(
    name: &str,
    permission: &str,
    granted: super::Granted,
) -> Option<Error> {
    if granted(permission) {
        return None;
    }
    let mut e = error(
        "Insufficient override permissions",
        &[],
        Some("INSUFFICIENT_OVERRIDE_PERMISSIONS"),
    );
    e.overridable_block =
        Some(serde_json::json!({"name": name, "missingPermissions": [permission]}));
    Some(e)
}

/// The checks of the override of block `name`. As in FOLIO, every override checks the due
/// date whenever `itemNotLoanableBlock` is requested, whichever block it overrides itself.
pub(crate) fn override_allowed(
    overrides: &Overrides,
    name: &str,
    permission: &str,
    granted: super::Granted,
    loan_date: DateTime<Utc>,
) -> Option<Error> {
    if let Some(e) = insufficient_permissions(name, permission, granted) {
        return Some(e);
    }
    if overrides.comment.is_none() {
        return Some(error(
            "Override should be performed with the comment specified",
            &[("comment", None)],
            None,
        ));
    }
    match &overrides.item_not_loanable_block {
        Some(None) => Some(error(
            "Override should be performed with due date specified",
            &[("dueDate", None)],
            None,
        )),
        // An unreadable date was already refused with the request.
        Some(Some(raw)) if parse_utc(raw).is_none_or(|d| d <= loan_date) => Some(error(
            "Due date should be later than loan date",
            &[("dueDate", Some(raw))],
            None,
        )),
        _ => None,
    }
}
