//! One check-out from body to answer: gather → validate (one 422 with every error) → due date
//! → writes → best-effort writes → extended loan.
use super::due::{self, DueInput};
use super::gather::{Gathered, Gatherer};
use super::validate::{first_fulfillable, parse_date_time, validate};
use super::write::{self, Plan};
use super::{s, CheckOutRequest, Failure};
use crate::fanout::Fan;
use crate::okapi::{Okapi, PolicyCache};
use actix_web::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

/// A successful check-out (or dry run).
pub struct Success {
    pub status: StatusCode,
    pub body: Value,
    pub location: Option<String>,
}

pub fn format_date_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub async fn check_out(
    okapi: &Okapi,
    fan: Fan,
    cache: &PolicyCache,
    body: &Value,
    dry_run: bool,
) -> Result<Success, Failure> {
    let mut req = CheckOutRequest::from_json(body);
    if dry_run {
        req.service_point_id = Some(uuid::Uuid::new_v4().to_string());
    }
    let now = Utc::now();
    let loan_date = match &req.loan_date {
        Some(text) => parse_date_time(text)
            .ok_or_else(|| Failure::Server(format!("Invalid loanDate: {text}")))?,
        None => now,
    };
    let gatherer = Gatherer { okapi, fan, cache };
    let g = gatherer.gather(&req).await?;
    let granted = |p: &str| okapi.has_permission(p);
    let errors = validate(&req, &g, &granted, loan_date, now);
    if !errors.is_empty() {
        return Err(Failure::Refused(errors));
    }
    let (Some(user), Some(item), Some(p)) = (&g.user, &g.item, &g.policies) else {
        return Err(Failure::Server(
            "check-out: records missing after validation".into(),
        ));
    };
    let overdue = p.overdue_fine_policy.clone()?;
    let lost = p.lost_item_policy.clone()?;
    if dry_run {
        return Ok(Success {
            status: StatusCode::CREATED,
            body: json!({
                "loanPolicyId": p.loan_policy_id,
                "overdueFinePolicyId": p.overdue_fine_policy_id,
                "lostItemPolicyId": p.lost_item_policy_id,
                "patronNoticePolicyId": p.notice_policy_id,
            }),
            location: None,
        });
    }
    let tz = g.timezone.unwrap_or(chrono_tz::UTC);
    let service_point = req.service_point_id.clone().unwrap_or_default();
    let user_id = s(user, &["id"]).unwrap_or_default().to_string();

    // Due date.
    let override_due = req
        .overrides
        .item_not_loanable_block
        .clone()
        .flatten()
        .and_then(|d| parse_date_time(&d));
    let (mut due_date, changed_by_hold, mut changed_by_expiry) = match override_due {
        Some(d) => (d, false, false),
        None => {
            let due = due::due_date(
                okapi,
                DueInput {
                    policy: &p.loan,
                    schedule: p.schedule.as_ref(),
                    loan_date,
                    tz,
                    service_point_id: &service_point,
                    queue: &g.queue,
                    user,
                },
            )
            .await?;
            (due.due_date, due.changed_by_hold, due.changed_by_expiry)
        }
    };

    // The request this check-out fills, and recall truncation for what is left of the queue.
    let item_id = s(item, &["id"]).unwrap_or_default();
    let filled = first_fulfillable(&g.queue, item_id)
        .filter(|r| s(r, &["requesterId"]) == Some(user_id.as_str()));
    let remaining: Vec<&Value> = g
        .queue
        .iter()
        .filter(|r| filled.is_none_or(|f| s(f, &["id"]) != s(r, &["id"])))
        .collect();
    let changed_by_recall = due::has_recall_for(&remaining, item_id);
    if changed_by_recall {
        let (recalled, expiry) = due::recall_due(
            okapi,
            DueInput {
                policy: &p.loan,
                schedule: p.schedule.as_ref(),
                loan_date,
                tz,
                service_point_id: &service_point,
                queue: &g.queue,
                user,
            },
            due_date,
            now,
        )
        .await?;
        due_date = recalled;
        changed_by_expiry |= expiry;
    }

    // The loan and the other writes.
    let loan_id = uuid::Uuid::new_v4().to_string();
    let action = if req.overrides.any() {
        "checkedOutThroughOverride"
    } else {
        "checkedout"
    };
    let mut loan = json!({
        "id": loan_id,
        "userId": user_id,
        "itemId": s(item, &["id"]),
        "status": {"name": "Open"},
        "action": action,
        "loanDate": format_date_time(loan_date),
        "dueDate": format_date_time(due_date),
        "checkoutServicePointId": service_point,
        "loanPolicyId": p.loan_policy_id,
        "itemStatus": "Checked out",
        "isDcb": false,
    });
    let set = |loan: &mut Value, key: &str, v: Option<&str>| {
        if let Some(v) = v {
            loan[key] = json!(v);
        }
    };
    set(
        &mut loan,
        "proxyUserId",
        g.proxy.as_ref().and_then(|x| s(x, &["id"])),
    );
    set(
        &mut loan,
        "itemEffectiveLocationIdAtCheckOut",
        s(item, &["effectiveLocationId"]),
    );
    set(
        &mut loan,
        "overdueFinePolicyId",
        Some(&p.overdue_fine_policy_id)
            .filter(|x| !x.is_empty())
            .map(|x| x.as_str()),
    );
    set(
        &mut loan,
        "lostItemPolicyId",
        Some(&p.lost_item_policy_id)
            .filter(|x| !x.is_empty())
            .map(|x| x.as_str()),
    );
    set(
        &mut loan,
        "patronGroupIdAtCheckout",
        s(user, &["patronGroup"]),
    );
    if changed_by_recall {
        loan["dueDateChangedByRecall"] = json!(true);
    }
    if action == "checkedOutThroughOverride" {
        set(&mut loan, "actionComment", req.overrides.comment.as_deref());
    }
    let fulfilment = filled.map(|r| {
        let mut f = write::fulfil(r, &g.queue);
        // A title-level request gets the item it is filled with.
        if f.after.get("itemId").is_none() {
            f.after["itemId"] = json!(s(item, &["id"]));
            f.after["holdingsRecordId"] = json!(s(item, &["holdingsRecordId"]));
        }
        f
    });
    let plan = Plan {
        loan,
        item_before: item.clone(),
        item_after: write::checked_out_item(item),
        fulfilment,
        item_barcode: req.item_barcode.clone(),
    };
    let stored = write::execute(okapi, &plan).await?;
    // Date-times as this module writes them (UTC, milliseconds, `Z`), not as storage echoes them.
    let mut stored = stored;
    for key in ["loanDate", "dueDate"] {
        if let (Some(o), Some(v)) = (stored.as_object_mut(), plan.loan.get(key)) {
            o.insert(key.to_string(), v.clone());
        }
    }

    // Best effort.
    let session = write::record_session(okapi, &user_id, &loan_id).await;
    publish_events(
        okapi,
        &req,
        &g,
        &stored,
        p.loan.loans_policy.as_ref().and_then(|lp| lp.grace_period),
        tz,
        action,
    );

    let names = [
        ("loanPolicy", Some(p.loan.name.clone())),
        (
            "overdueFinePolicy",
            overdue
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string),
        ),
        (
            "lostItemPolicy",
            lost.get("name").and_then(Value::as_str).map(str::to_string),
        ),
    ];
    let body = super::response::extended_loan(
        &stored,
        &g,
        &okapi.tenant,
        names,
        changed_by_hold,
        changed_by_expiry,
    );
    Ok(Success {
        status: write::status(session),
        body,
        location: Some(format!("/circulation/loans/{loan_id}")),
    })
}

fn publish_events(
    okapi: &Okapi,
    req: &CheckOutRequest,
    g: &Gathered,
    loan: &Value,
    grace: Option<shared_types::policy::Period>,
    tz: Tz,
    action: &str,
) {
    let mut checked_out = json!({
        "userId": loan.get("userId"),
        "loanId": loan.get("id"),
        "dueDate": loan.get("dueDate"),
    });
    if let Some(grace) = grace {
        checked_out["gracePeriod"] =
            json!({"duration": grace.duration, "intervalId": grace.interval_id.as_str()});
    }
    let item = g.item.as_ref();
    let mut log_payload = json!({
        "logEventType": if action == "checkedOutThroughOverride" { "CHECK_OUT_THROUGH_OVERRIDE_EVENT" } else { "CHECK_OUT_EVENT" },
        "servicePointId": loan.get("checkoutServicePointId"),
        "loanId": loan.get("id"),
        "isLoanClosed": false,
        "dueDate": loan.get("dueDate"),
        "zoneId": tz.name(),
        "userId": loan.get("userId"),
        "userBarcode": req.user_barcode,
        "itemId": loan.get("itemId"),
        "itemBarcode": req.item_barcode,
        "itemStatusName": "Checked out",
        "holdingsRecordId": item.and_then(|i| i.get("holdingsRecordId")),
        "instanceId": g.holdings.as_ref().and_then(|h| h.get("instanceId")),
        "requests": [],
    });
    if let Some(proxy) = &req.proxy_user_barcode {
        log_payload["proxyBarcode"] = json!(proxy);
    }
    log_payload["payload"] = log_payload.clone();
    write::publish(
        okapi,
        vec![
            ("ITEM_CHECKED_OUT", checked_out),
            ("LOG_RECORD", log_payload),
        ],
    );
}
