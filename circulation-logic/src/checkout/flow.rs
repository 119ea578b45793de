//! One check-out from body to answer: gather → validate (one 422 with every error) → due date
//! → writes → best-effort writes → extended loan.
use super::due::{self, DueInput};
use super::gather::{is_dcb_item, DueRequest, ForDisplay, Gathered, Gatherer};
use super::lock;
use super::notices;
use super::validate::{first_fulfillable, validate};
use super::write::{self, Plan};
use super::{s, CheckOutRequest, Failure};
use crate::config::Settings;
use crate::due_date::parse_utc;
use crate::fanout::Fan;
use crate::okapi::{Okapi, PolicyCache};
use actix_web::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use futures::channel::oneshot;
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
    settings: &Settings,
    body: &Value,
    dry_run: bool,
) -> Result<Success, Failure> {
    let mut req = CheckOutRequest::from_json(body);
    if dry_run {
        // FOLIO's dry run reads only the barcodes and the overrides.
        req.service_point_id = Some(uuid::Uuid::new_v4().to_string());
        req.force_loan_policy_id = None;
        req.loan_date = None;
    }
    let now = Utc::now();
    // FOLIO fails with a 500 here; a date that cannot be read is the client's error, so a 422
    // naming the field.
    let parse = |text: &str, what: &str| {
        parse_utc(text).ok_or_else(|| {
            Failure::Refused(vec![shared_types::errors::Error::new(format!(
                "Invalid {what}: {text}"
            ))
            .with_parameter(what, Some(text.to_string()))])
        })
    };
    let loan_date = match &req.loan_date {
        Some(text) => parse(text, "loanDate")?,
        None => now,
    };
    let override_due = match req.overrides.item_not_loanable_block.clone().flatten() {
        Some(text) => Some(parse(&text, "overrideBlocks.itemNotLoanableBlock.dueDate")?),
        None => None,
    };
    let due_request = match (dry_run, override_due) {
        (false, None) => Some(DueRequest {
            loan_date,
            service_point_id: req.service_point_id.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    let gatherer = Gatherer { okapi, fan, cache };
    let (display_in, display_out) = oneshot::channel();
    // Boxed: a large state machine (see `Gatherer::gather`).
    let decided = Box::pin(decide(
        &gatherer,
        &req,
        dry_run,
        Dates {
            now,
            loan_date,
            override_due,
        },
        settings.for_use_at_location,
        due_request,
        display_in,
    ));
    let (decided, display) = fan
        .join2(decided, gatherer.display_records(display_out))
        .await;
    match decided? {
        Decided::DryRun(success) => {
            display?;
            Ok(success)
        }
        Decided::Refused(mut g) => {
            let (holdings, instance) = display?;
            g.holdings = holdings.or(g.holdings.take());
            g.instance = instance;
            let granted = |p: &str| okapi.has_permission(p);
            Err(Failure::Refused(validate(
                &req, &g, &granted, loan_date, now,
            )))
        }
        Decided::Written(mut w) => {
            (w.g.holdings, w.g.instance) = match display {
                Ok((holdings, instance)) => (holdings.or(w.g.holdings.take()), instance),
                // A check-out either answers in full or is not there.
                Err(e) => return Err(write::revert(okapi, &w.plan, w.session_id.clone(), e).await),
            };
            let (loan_id, user_id) = (
                id_of(&w.stored),
                s(&w.stored, &["userId"]).unwrap_or_default(),
            );
            fan.join2(
                notices::schedule(
                    okapi,
                    fan,
                    w.notice_policy.as_ref(),
                    loan_id,
                    user_id,
                    w.due_date,
                ),
                notices::schedule_first_reminder(
                    okapi,
                    &w.overdue_fine_policy,
                    loan_id,
                    user_id,
                    w.due_date,
                    s(&w.stored, &["checkoutServicePointId"]).unwrap_or_default(),
                    w.tz,
                ),
            )
            .await;
            publish_events(okapi, &req, &w.g, &w.stored, w.grace_period, w.tz, w.action);
            let body = super::response::extended_loan(
                &w.stored,
                &w.g,
                w.names,
                w.changed_by_hold,
                w.changed_by_expiry,
            );
            Ok(Success {
                status: write::status(w.session_id.is_some()),
                location: Some(format!("/circulation/loans/{}", id_of(&w.stored))),
                body,
            })
        }
    }
}

/// The times a check-out runs with.
struct Dates {
    now: DateTime<Utc>,
    loan_date: DateTime<Utc>,
    override_due: Option<DateTime<Utc>>,
}

/// How the part of a check-out that decides it ended. Holdings and instance are read beside
/// it: only the answer and the wording of the errors show them.
enum Decided {
    DryRun(Success),
    /// The validation failed; the errors are worded once the instance (its title) is there.
    Refused(Box<Gathered>),
    Written(Box<Written>),
}

/// A check-out written, with what its answer and events need.
struct Written {
    g: Gathered,
    plan: Plan,
    stored: Value,
    session_id: Option<String>,
    names: [(&'static str, Option<String>); 3],
    grace_period: Option<shared_types::policy::Period>,
    notice_policy: Option<Value>,
    overdue_fine_policy: Value,
    due_date: DateTime<Utc>,
    changed_by_hold: bool,
    changed_by_expiry: bool,
    tz: Tz,
    action: &'static str,
}

fn id_of(v: &Value) -> &str {
    s(v, &["id"]).unwrap_or_default()
}

/// Gather, validate, due date, writes.
async fn decide(
    gatherer: &Gatherer<'_>,
    req: &CheckOutRequest,
    dry_run: bool,
    dates: Dates,
    for_use_at_location: bool,
    due_request: Option<DueRequest>,
    display_in: oneshot::Sender<Option<ForDisplay>>,
) -> Result<Decided, Failure> {
    let okapi = gatherer.okapi;
    let Dates {
        now,
        loan_date,
        override_due,
    } = dates;
    let mut g = gatherer.gather(req, due_request, display_in).await?;
    let granted = |p: &str| okapi.has_permission(p);
    if !validate(req, &g, &granted, loan_date, now).is_empty() {
        return Ok(Decided::Refused(Box::new(g)));
    }
    let (Some(user), Some(item), Some(p)) = (&g.user, &g.item, &g.policies) else {
        return Err(Failure::Server(
            "check-out: records missing after validation".into(),
        ));
    };
    let overdue = p.overdue_fine_policy.clone()?;
    let lost = p.lost_item_policy.clone()?;
    if dry_run {
        return Ok(Decided::DryRun(Success {
            status: StatusCode::CREATED,
            body: json!({
                "loanPolicyId": p.loan_policy_id,
                "overdueFinePolicyId": p.overdue_fine_policy_id,
                "lostItemPolicyId": p.lost_item_policy_id,
                "patronNoticePolicyId": p.notice_policy_id,
            }),
            location: None,
        }));
    }
    let tz = g.timezone.unwrap_or(chrono_tz::UTC);
    let service_point = req.service_point_id.clone().unwrap_or_default();
    let user_id = s(user, &["id"]).unwrap_or_default().to_string();

    // Due date (computed while gathering, reported only now that validation has passed).
    let (mut due_date, changed_by_hold, mut changed_by_expiry) = match (override_due, g.due.take())
    {
        (Some(d), _) => (d, false, false),
        (None, Some(due)) => {
            let due = due?;
            (due.due_date, due.changed_by_hold, due.changed_by_expiry)
        }
        (None, None) => {
            return Err(Failure::Server(
                "check-out: due date missing after validation".into(),
            ))
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
        "isDcb": is_dcb_item(item) || s(user, &["type"]) == Some("dcb"),
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
    // Only a patron group that was found (FOLIO keeps the group record's id).
    set(
        &mut loan,
        "patronGroupIdAtCheckout",
        g.group.as_ref().and_then(|group| s(group, &["id"])),
    );
    if changed_by_recall {
        loan["dueDateChangedByRecall"] = json!(true);
    }
    let policy_for_use_at_location = p
        .loan
        .loans_policy
        .as_ref()
        .and_then(|lp| lp.for_use_at_location);
    if for_use_at_location && policy_for_use_at_location == Some(true) {
        loan["forUseAtLocation"] = json!({"status": "In use", "statusDate": format_date_time(now)});
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
    // The check-out lock, when the tenant has it on: held from here until the writes are done.
    let lock_id = match g.lock.enabled {
        true => {
            let lock_id = lock::acquire(okapi, g.lock, &user_id).await?;
            // Under the lock, the item limit once more, against the loans as they are now.
            if let Some(count) = gatherer.recount_item_limit(req, &g).await.transpose() {
                let mut again = g.clone();
                match count {
                    Ok(count) => again.item_limit_count = Some(count),
                    Err(e) => {
                        lock::release(okapi, lock_id).await;
                        return Err(e.into());
                    }
                }
                if !validate(req, &again, &granted, loan_date, now).is_empty() {
                    lock::release(okapi, lock_id).await;
                    return Ok(Decided::Refused(Box::new(again)));
                }
            }
            Some(lock_id)
        }
        false => None,
    };
    let written = write::execute(okapi, gatherer.fan, &plan, &user_id).await;
    if let Some(lock_id) = lock_id {
        lock::release(okapi, lock_id).await;
    }
    let (stored, session_id) = written?;
    // Date-times as this module writes them (UTC, milliseconds, `Z`), not as storage echoes them.
    let mut stored = stored;
    for key in ["loanDate", "dueDate"] {
        if let (Some(o), Some(v)) = (stored.as_object_mut(), plan.loan.get(key)) {
            o.insert(key.to_string(), v.clone());
        }
    }

    let name = |policy: &Value| {
        policy
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let names = [
        ("loanPolicy", p.loan_policy_name().map(str::to_string)),
        ("overdueFinePolicy", name(&overdue)),
        ("lostItemPolicy", name(&lost)),
    ];
    let grace_period = p.loan.loans_policy.as_ref().and_then(|lp| lp.grace_period);
    let notice_policy = p.notice_policy.clone();
    Ok(Decided::Written(Box::new(Written {
        g,
        plan,
        stored,
        session_id,
        names,
        grace_period,
        notice_policy,
        overdue_fine_policy: overdue,
        due_date,
        changed_by_hold,
        changed_by_expiry,
        tz,
        action,
    })))
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
