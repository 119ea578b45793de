//! Check-out by barcode (`POST /circulation/check-out-by-barcode` and its dry run): gather
//! (downstream reads in dependency waves) → validate (FOLIO's errors, in FOLIO's order, all
//! collected) → due date → writes (in the safe order) → notices and events → extended loan.
mod gather;
mod plan;
mod records;
mod request;
mod validate;

pub(crate) use records::CheckOutRecords;
pub(crate) use request::CheckOutRequest;

use crate::config::Settings;
use crate::domain::{extended_loan, CheckOutAction, LoanExtras, NewLoan};
use crate::downstream::Peers;
use crate::due_date::parse_utc;
use crate::error::Failure;
use crate::events::{self, CheckOutLog};
use crate::flows::due::{self, DueInput};
use crate::writes;
use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures::channel::oneshot;
use gather::{DueRequest, ForDisplay, Gatherer};
use plan::Plan;
use serde_json::{json, Value};
use shared_types::errors::Error;
use validate::validate;

/// A successful check-out (or dry run).
pub(crate) struct Success {
    pub status: StatusCode,
    pub body: Value,
    pub location: Option<String>,
}

pub(crate) async fn check_out(
    peers: Peers<'_>,
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
            Failure::refused(
                Error::new(format!("Invalid {what}: {text}"))
                    .with_parameter(what, Some(text.to_string())),
            )
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
    let gatherer = Gatherer { peers };
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
    let (decided, display) = peers
        .fan
        .join2(decided, gatherer.display_records(display_out))
        .await;
    let granted = |p: &str| peers.okapi.has_permission(p);
    match decided? {
        Decided::DryRun(success) => {
            display?;
            Ok(success)
        }
        Decided::Refused(mut g) => {
            let (holdings, instance) = display?;
            g.holdings = holdings.or(g.holdings.take());
            g.instance = instance;
            Err(Failure::Refused(validate(
                &req, &g, &granted, loan_date, now,
            )))
        }
        Decided::Written(mut w) => {
            (w.g.holdings, w.g.instance) = match display {
                Ok((holdings, instance)) => (holdings.or(w.g.holdings.take()), instance),
                // A check-out either answers in full or is not there.
                Err(e) => return Err(w.plan.revert(peers, w.session_id.clone(), e).await),
            };
            let (loan_id, user_id) = (w.stored.id(), w.stored.user_id().unwrap_or_default());
            peers
                .fan
                .join2(
                    writes::notices::schedule(
                        peers,
                        w.policies.notice_policy.as_ref(),
                        loan_id,
                        user_id,
                        w.due_date,
                    ),
                    writes::notices::schedule_first_reminder(
                        peers,
                        &w.overdue_fine_policy,
                        loan_id,
                        user_id,
                        w.due_date,
                        w.stored.checkout_service_point_id().unwrap_or_default(),
                        w.tz,
                    ),
                )
                .await;
            let log = CheckOutLog {
                action: w.action,
                tz: w.tz,
                user_barcode: req.user_barcode.as_deref(),
                item_barcode: req.item_barcode.as_deref(),
                proxy_barcode: req.proxy_user_barcode.as_deref(),
                holdings_record_id: w.g.item.as_ref().and_then(|i| i.field("holdingsRecordId")),
                instance_id: w.g.holdings.as_ref().and_then(|h| h.field("instanceId")),
            };
            events::publish(
                peers,
                vec![
                    events::item_checked_out(&w.stored, w.policies.grace_period()),
                    events::check_out_log_record(&w.stored, log),
                ],
            );
            let names = [
                (
                    "loanPolicy",
                    w.policies.loan_policy_name().map(str::to_string),
                ),
                ("overdueFinePolicy", w.overdue_fine_policy.name()),
                ("lostItemPolicy", w.lost_item_policy_name),
            ];
            let body = extended_loan(
                &w.stored,
                LoanExtras {
                    item: w.g.in_context(),
                    item_status: "Checked out",
                    borrower: w.g.user.as_ref(),
                    patron_group: w.g.group.as_ref(),
                    policy_names: names,
                    changed_by_hold: w.changed_by_hold,
                    changed_by_expiry: w.changed_by_expiry,
                },
            );
            Ok(Success {
                status: writes::created_status(w.session_id.is_some()),
                location: Some(format!("/circulation/loans/{}", w.stored.id())),
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
    Refused(Box<CheckOutRecords>),
    Written(Box<Written>),
}

/// A check-out written, with what its answer and events need.
struct Written {
    g: CheckOutRecords,
    plan: Plan,
    stored: crate::domain::Loan,
    session_id: Option<String>,
    policies: crate::domain::Policies,
    overdue_fine_policy: crate::domain::OverdueFinePolicy,
    lost_item_policy_name: Option<String>,
    due_date: DateTime<Utc>,
    changed_by_hold: bool,
    changed_by_expiry: bool,
    tz: Tz,
    action: CheckOutAction,
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
    let peers = gatherer.peers;
    let Dates {
        now,
        loan_date,
        override_due,
    } = dates;
    let mut g = gatherer.gather(req, due_request, display_in).await?;
    let granted = |p: &str| peers.okapi.has_permission(p);
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
    let user_id = user.id().to_string();

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
    let item_id = item.id();
    let filled = g
        .queue
        .first_fulfillable(item_id)
        .filter(|r| r.requester_id() == Some(user_id.as_str()));
    let changed_by_recall = g.queue.has_recall_for(item_id, filled);
    if changed_by_recall {
        let (recalled, expiry) = due::recall_due(
            peers,
            DueInput {
                policy: &p.loan,
                schedule: p.schedule.as_ref(),
                loan_date,
                tz,
                service_point_id: &service_point,
                queue: &g.queue,
                item_id,
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
    let action = match req.overrides.any() {
        true => CheckOutAction::CheckedOutThroughOverride,
        false => CheckOutAction::CheckedOut,
    };
    let loan = NewLoan {
        id: &loan_id,
        user_id: &user_id,
        proxy_user_id: g.proxy.as_ref().map(|x| x.id()).filter(|id| !id.is_empty()),
        item_id,
        item_location_id: item.effective_location_id(),
        action,
        action_comment: req.overrides.comment.as_deref(),
        loan_date,
        due_date,
        service_point_id: &service_point,
        loan_policy_id: &p.loan_policy_id,
        overdue_fine_policy_id: &p.overdue_fine_policy_id,
        lost_item_policy_id: &p.lost_item_policy_id,
        patron_group_id: g.group.as_ref().map(|x| x.id()).filter(|id| !id.is_empty()),
        is_dcb: item.is_dcb() || user.is_dcb(),
        changed_by_recall,
        in_use_since: (for_use_at_location && p.for_use_at_location()).then_some(now),
    }
    .to_loan();
    // A title-level request gets the item it is filled with.
    let fulfilment = filled.map(|r| {
        g.queue
            .fulfil(r)
            .with_item(item_id, item.holdings_record_id())
    });
    let plan = Plan {
        loan,
        item_before: item.clone(),
        item_after: item.checked_out(),
        fulfilment,
        item_barcode: req.item_barcode.clone(),
    };
    // The check-out lock, when the tenant has it on: held from here until the writes are done.
    let lock_id = match g.lock.enabled {
        true => {
            let lock_id = writes::lock::acquire(peers, g.lock, &user_id).await?;
            // Under the lock, the item limit once more, against the loans as they are now.
            if let Some(count) = gatherer.recount_item_limit(req, &g).await.transpose() {
                let mut again = g.clone();
                match count {
                    Ok(count) => again.item_limit_count = Some(count),
                    Err(e) => {
                        writes::lock::release(peers, lock_id).await;
                        return Err(e.into());
                    }
                }
                if !validate(req, &again, &granted, loan_date, now).is_empty() {
                    writes::lock::release(peers, lock_id).await;
                    return Ok(Decided::Refused(Box::new(again)));
                }
            }
            Some(lock_id)
        }
        false => None,
    };
    let written = plan.execute(peers, &user_id).await;
    if let Some(lock_id) = lock_id {
        writes::lock::release(peers, lock_id).await;
    }
    let (stored, session_id) = written?;
    let stored = stored.with_dates_of(&plan.loan);
    let Some(policies) = g.policies.take() else {
        return Err(Failure::Server("check-out: policies missing".into()));
    };
    Ok(Decided::Written(Box::new(Written {
        g,
        plan,
        stored,
        session_id,
        policies,
        overdue_fine_policy: overdue,
        lost_item_policy_name: lost.name(),
        due_date,
        changed_by_hold,
        changed_by_expiry,
        tz,
        action,
    })))
}
