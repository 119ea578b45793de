//! mod-patron-blocks stand-in: `/patron-block-limits`, `/patron-block-conditions` and
//! `GET /automated-patron-blocks/{userId}`.
//!
//! The real module keeps a user summary built from pub-sub events; the stand-in computes the
//! same figures on each request from the patron's open loans, read back through the gateway
//! (`GET <X-Okapi-Url>/loan-storage/loans?query=userId=="<id>" and status.name=="Open"&limit=10000`).
//! Each tenant starts with FOLIO's six conditions, configured as in mod-patron-blocks'
//! `ramls/examples/patron-block-conditions.sample` (with messages); no limits are defined until
//! a test or the sample data POSTs them.

use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::collections::{find_records, Collection};
use super::descriptor::{handler, module_descriptor};
use super::request::{is_uuid, json_response, not_found, text, url_encode, Ctx};
use super::store::TenantData;

pub(crate) const LIMITS: &str = "/patron-block-limits";
pub(crate) const CONDITIONS: &str = "/patron-block-conditions";

pub(crate) const COLLECTIONS: &[Collection] = &[
    Collection {
        path: LIMITS,
        key: "patronBlockLimits",
    },
    Collection {
        path: CONDITIONS,
        key: "patronBlockConditions",
    },
];

/// FOLIO's condition ids.
pub const MAX_ITEMS_CHARGED_OUT: &str = "3d7c52dc-c732-4223-8bf8-e5917801386f";
pub const MAX_LOST_ITEMS: &str = "72b67965-5b73-4840-bc0b-be8f3f6e047e";
pub const MAX_OVERDUE_ITEMS: &str = "584fbd4f-6a34-4730-a6ca-73a6a6a9d845";
pub const MAX_OVERDUE_RECALLS: &str = "e5b45031-a202-4abb-917b-e1df9346fe2c";
pub const MAX_OUTSTANDING_FEE_FINE_BALANCE: &str = "cf7a0d5f-a327-4ca1-aa9e-dc55ec006b8a";
pub const RECALL_OVERDUE_BY_MAX_DAYS: &str = "08530ac4-07f2-48e6-9dda-a97bc2bf7053";

/// The six conditions as configured in mod-patron-blocks' example.
pub fn reference_conditions() -> Vec<Value> {
    let c = |id: &str, name: &str, b: bool, rn: bool, rq: bool, vt: &str, msg: &str| {
        json!({"id": id, "name": name, "blockBorrowing": b, "blockRenewals": rn,
               "blockRequests": rq, "valueType": vt, "message": msg})
    };
    vec![
        c(
            MAX_ITEMS_CHARGED_OUT,
            "Maximum number of items charged out",
            false,
            true,
            false,
            "Integer",
            "The maximum number of charged out items has been reached",
        ),
        c(
            MAX_LOST_ITEMS,
            "Maximum number of lost items",
            true,
            true,
            true,
            "Integer",
            "The maximum number of lost items has been reached",
        ),
        c(
            MAX_OVERDUE_ITEMS,
            "Maximum number of overdue items",
            true,
            true,
            true,
            "Integer",
            "The maximum number of overdue items has been reached",
        ),
        c(
            MAX_OVERDUE_RECALLS,
            "Maximum number of overdue recalls",
            true,
            false,
            false,
            "Integer",
            "The maximum number of overdue recalls has been reached",
        ),
        c(
            MAX_OUTSTANDING_FEE_FINE_BALANCE,
            "Maximum outstanding fee/fine balance",
            true,
            false,
            false,
            "Double",
            "The maximum outstanding fee/fine balance has been reached",
        ),
        c(
            RECALL_OVERDUE_BY_MAX_DAYS,
            "Recall overdue by maximum number of days",
            true,
            false,
            false,
            "Integer",
            "The recall overdue by maximum number of days has been reached",
        ),
    ]
}

pub(crate) fn seed(tenant: &mut TenantData) {
    let store = tenant.store_mut(CONDITIONS);
    for c in reference_conditions() {
        let id = c["id"].as_str().unwrap_or_default().to_string();
        store.put(id, c);
    }
}

/// What the real module's user summary would say.
#[derive(Debug, Default, Clone, PartialEq)]
struct Summary {
    open_loans: f64,
    lost: f64,
    overdue: f64,
    overdue_recalls: f64,
    max_recall_overdue_days: f64,
    fee_fine_balance: f64,
}

fn summarize(loans: &[Value], now: DateTime<Utc>) -> Summary {
    let mut s = Summary::default();
    for loan in loans {
        s.open_loans += 1.0;
        let item_status = loan.get("itemStatus").and_then(Value::as_str).unwrap_or("");
        let lost = matches!(item_status, "Declared lost" | "Aged to lost");
        if lost {
            s.lost += 1.0;
        }
        let claimed = item_status == "Claimed returned";
        let due = loan
            .get("dueDate")
            .and_then(Value::as_str)
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.with_timezone(&Utc));
        if let Some(due) = due {
            if due < now && !lost && !claimed {
                s.overdue += 1.0;
                if loan.get("dueDateChangedByRecall").and_then(Value::as_bool) == Some(true) {
                    s.overdue_recalls += 1.0;
                    let days = (now - due).num_days() as f64;
                    s.max_recall_overdue_days = s.max_recall_overdue_days.max(days);
                }
            }
        }
    }
    s
}

/// Blocks for the limits of the patron's group, as mod-patron-blocks computes them.
fn blocks(limits: &[Value], conditions: &[Value], summary: &Summary) -> Vec<Value> {
    let mut out = Vec::new();
    for limit in limits {
        let Some(cond_id) = limit.get("conditionId").and_then(Value::as_str) else {
            continue;
        };
        let Some(value) = limit.get("value").and_then(Value::as_f64) else {
            continue;
        };
        let Some(cond) = conditions
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(cond_id))
        else {
            continue;
        };
        let metric = match cond_id {
            MAX_ITEMS_CHARGED_OUT => summary.open_loans,
            MAX_LOST_ITEMS => summary.lost,
            MAX_OVERDUE_ITEMS => summary.overdue,
            MAX_OVERDUE_RECALLS => summary.overdue_recalls,
            MAX_OUTSTANDING_FEE_FINE_BALANCE => summary.fee_fine_balance,
            RECALL_OVERDUE_BY_MAX_DAYS => summary.max_recall_overdue_days,
            _ => continue,
        };
        let (borrow_exceeded, other_exceeded) = if cond_id == MAX_ITEMS_CHARGED_OUT {
            (metric >= value, metric > value)
        } else {
            (metric > value, metric > value)
        };
        let flag = |k: &str| cond.get(k).and_then(Value::as_bool).unwrap_or(false);
        let block_borrowing = flag("blockBorrowing") && borrow_exceeded;
        let block_renewals = flag("blockRenewals") && other_exceeded;
        let block_requests = flag("blockRequests") && other_exceeded;
        if block_borrowing || block_renewals || block_requests {
            out.push(json!({
                "patronBlockConditionId": cond_id,
                "blockBorrowing": block_borrowing,
                "blockRenewals": block_renewals,
                "blockRequests": block_requests,
                "message": cond.get("message").and_then(Value::as_str).unwrap_or(""),
            }));
        }
    }
    out
}

pub(crate) async fn automated_blocks(ctx: &Ctx<'_>) -> HttpResponse {
    let user_id = match ctx.path.strip_prefix("/automated-patron-blocks/") {
        Some(id) if !id.contains('/') => id.to_lowercase(),
        _ => return not_found(),
    };
    if *ctx.method != Method::GET {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    if !is_uuid(&user_id) {
        return text(
            StatusCode::BAD_REQUEST,
            &format!("Invalid user UUID: \"{user_id}\""),
        );
    }
    let (limits, conditions) = {
        let tenant = ctx.read();
        let group = tenant
            .store("/users")
            .and_then(|s| s.get(&user_id))
            .and_then(|u| u.get("patronGroup"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let limits = match group {
            Some(g) => find_records(&tenant, LIMITS, |l| {
                l.get("patronGroupId").and_then(Value::as_str) == Some(g.as_str())
            }),
            None => Vec::new(),
        };
        (limits, find_records(&tenant, CONDITIONS, |_| true))
    };
    if limits.is_empty() {
        return json_response(StatusCode::OK, &json!({"automatedPatronBlocks": []}));
    }
    let loans = match open_loans(ctx, &user_id).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let summary = summarize(&loans, Utc::now());
    json_response(
        StatusCode::OK,
        &json!({"automatedPatronBlocks": blocks(&limits, &conditions, &summary)}),
    )
}

async fn open_loans(ctx: &Ctx<'_>, user_id: &str) -> Result<Vec<Value>, HttpResponse> {
    let query = format!("userId==\"{user_id}\" and status.name==\"Open\"");
    let path = format!(
        "/loan-storage/loans?query={}&limit=10000",
        url_encode(&query)
    );
    let body = ctx
        .call_back("automated-patron-blocks", reqwest::Method::GET, &path, None)
        .await?;
    let value: Value = serde_json::from_str(&body).map_err(|e| {
        let msg = format!("GET {path} answered invalid JSON: {e}");
        log::warn!("automated-patron-blocks: {msg}");
        text(StatusCode::INTERNAL_SERVER_ERROR, &msg)
    })?;
    Ok(value
        .get("loans")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

/// `mod-patron-blocks-standin-1.0.0`.
pub fn descriptor() -> Value {
    module_descriptor(
        "mod-patron-blocks-standin-1.0.0",
        "Patron blocks (in-memory stand-in)",
        vec![
            (
                "automated-patron-blocks",
                "0.1",
                vec![handler(&["GET"], "/automated-patron-blocks/{userId}")],
            ),
            (
                "patron-block-conditions",
                "0.1",
                vec![
                    handler(&["GET"], CONDITIONS),
                    handler(&["GET", "PUT"], "/patron-block-conditions/{id}"),
                ],
            ),
            (
                "patron-block-limits",
                "0.1",
                vec![
                    handler(&["GET", "POST"], LIMITS),
                    handler(&["GET", "PUT", "DELETE"], "/patron-block-limits/{id}"),
                ],
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loan(due: &str, status: &str, recall: bool) -> Value {
        json!({"dueDate": due, "itemStatus": status, "dueDateChangedByRecall": recall})
    }

    #[test]
    fn charged_out_blocks_borrowing_at_the_limit() {
        let mut conds = reference_conditions();
        conds[0]["blockBorrowing"] = json!(true);
        let limits = vec![json!({"conditionId": MAX_ITEMS_CHARGED_OUT, "value": 2})];
        let now = Utc::now();
        let loans = vec![
            loan("2999-01-01T00:00:00Z", "Checked out", false),
            loan("2999-01-01T00:00:00Z", "Checked out", false),
        ];
        let b = blocks(&limits, &conds, &summarize(&loans, now));
        assert_eq!(b.len(), 1);
        assert_eq!(b[0]["blockBorrowing"], json!(true));
        assert_eq!(b[0]["blockRenewals"], json!(false));
        let b = blocks(&limits, &conds, &summarize(&loans[..1], now));
        assert!(b.is_empty());
    }

    #[test]
    fn overdue_items_block_above_the_limit() {
        let conds = reference_conditions();
        let limits = vec![json!({"conditionId": MAX_OVERDUE_ITEMS, "value": 1})];
        let loans = vec![
            loan("2000-01-01T00:00:00Z", "Checked out", false),
            loan("2000-01-01T00:00:00.000+00:00", "Checked out", true),
        ];
        let s = summarize(&loans, Utc::now());
        assert_eq!(s.overdue, 2.0);
        assert_eq!(s.overdue_recalls, 1.0);
        let b = blocks(&limits, &conds, &s);
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0]["message"],
            json!("The maximum number of overdue items has been reached")
        );
    }
}
