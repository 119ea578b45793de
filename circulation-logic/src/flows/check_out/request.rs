//! The check-out request body, read leniently as mod-circulation does (unknown fields ignored).
use crate::validation::overrides::Overrides;
use serde_json::Value;

/// `POST /circulation/check-out-by-barcode`'s body.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CheckOutRequest {
    /// As sent: FOLIO neither trims nor requires them; `None` (absent or JSON null) is worded
    /// `null` in its errors.
    pub item_barcode: Option<String>,
    pub user_barcode: Option<String>,
    /// As sent; refused when absent or empty (FOLIO's `isEmpty`: spaces pass).
    pub service_point_id: Option<String>,
    /// Blank means not proxied.
    pub proxy_user_barcode: Option<String>,
    /// Blank means now.
    pub loan_date: Option<String>,
    pub force_loan_policy_id: Option<String>,
    pub overrides: Overrides,
}

/// A string field as sent.
fn raw(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A string field that is not blank.
fn text(v: &Value, key: &str) -> Option<String> {
    raw(v, key).filter(|s| !s.trim().is_empty())
}

impl CheckOutRequest {
    pub(crate) fn from_json(body: &Value) -> CheckOutRequest {
        let overrides = body.get("overrideBlocks").filter(|o| o.is_object());
        let present = |key: &str| {
            overrides
                .and_then(|o| o.get(key))
                .is_some_and(|v| !v.is_null())
        };
        CheckOutRequest {
            item_barcode: raw(body, "itemBarcode"),
            user_barcode: raw(body, "userBarcode"),
            service_point_id: raw(body, "servicePointId"),
            proxy_user_barcode: text(body, "proxyUserBarcode"),
            loan_date: text(body, "loanDate"),
            force_loan_policy_id: text(body, "forceLoanPolicyId"),
            overrides: Overrides {
                patron_block: present("patronBlock"),
                item_limit_block: present("itemLimitBlock"),
                item_not_loanable_block: if present("itemNotLoanableBlock") {
                    Some(
                        overrides
                            .and_then(|o| o.get("itemNotLoanableBlock"))
                            .and_then(|b| text(b, "dueDate")),
                    )
                } else {
                    None
                },
                comment: overrides.and_then(|o| raw(o, "comment")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_overrides() {
        let r = CheckOutRequest::from_json(&json!({
            "itemBarcode": "i", "userBarcode": "u", "servicePointId": "",
            "overrideBlocks": {"patronBlock": {}, "itemNotLoanableBlock": {"dueDate": "2030-01-01T00:00:00Z"}, "comment": "ok"}
        }));
        assert_eq!(r.service_point_id.as_deref(), Some(""));
        assert!(r.overrides.patron_block);
        assert!(!r.overrides.item_limit_block);
        assert_eq!(
            r.overrides.item_not_loanable_block,
            Some(Some("2030-01-01T00:00:00Z".into()))
        );
        assert_eq!(r.overrides.comment.as_deref(), Some("ok"));
    }

    #[test]
    fn barcodes_and_comment_as_sent() {
        let r = CheckOutRequest::from_json(&json!({
            "itemBarcode": "  ", "userBarcode": null, "loanDate": " ",
            "overrideBlocks": {"comment": ""}
        }));
        assert_eq!(r.item_barcode.as_deref(), Some("  "));
        assert_eq!(r.user_barcode, None);
        assert_eq!(r.service_point_id, None);
        assert_eq!(r.loan_date, None);
        assert_eq!(r.overrides.comment.as_deref(), Some(""));
    }
}
