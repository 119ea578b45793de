//! The business events a flow publishes through mod-pubsub, as mod-circulation does:
//! `ITEM_CHECKED_OUT`, `ITEM_CHECKED_IN`, `LOAN_DUE_DATE_CHANGED` and `LOG_RECORD` (the circulation
//! log). Published after the answer is
//! decided, fire-and-forget: an event never changes the answer.
use crate::domain::{CheckOutAction, Item, Loan, Request, User};
use crate::downstream::Peers;
use crate::fanout::Fan;
use crate::okapi::{Okapi, PolicyCache};
use chrono_tz::Tz;
use serde_json::{json, Value};
use shared_types::policy::Period;

/// An event to publish: its type and payload.
pub(crate) type Event = (&'static str, Value);

/// `ITEM_CHECKED_OUT`: the loan and, when the loan policy has one, its grace period.
pub(crate) fn item_checked_out(loan: &Loan, grace: Option<Period>) -> Event {
    let mut payload = json!({
        "userId": loan.field("userId"),
        "loanId": loan.field("id"),
        "dueDate": loan.field("dueDate"),
    });
    if let Some(grace) = grace {
        payload["gracePeriod"] =
            json!({"duration": grace.duration, "intervalId": grace.interval_id.as_str()});
    }
    ("ITEM_CHECKED_OUT", payload)
}

/// What a check-out's log record says beside the loan.
pub(crate) struct CheckOutLog<'a> {
    pub action: CheckOutAction,
    pub tz: Tz,
    pub user_barcode: Option<&'a str>,
    pub item_barcode: Option<&'a str>,
    pub proxy_barcode: Option<&'a str>,
    pub holdings_record_id: Option<&'a Value>,
    pub instance_id: Option<&'a Value>,
}

/// The circulation log's `LOG_RECORD` of a check-out.
pub(crate) fn check_out_log_record(loan: &Loan, log: CheckOutLog<'_>) -> Event {
    let event_type = match log.action {
        CheckOutAction::CheckedOutThroughOverride => "CHECK_OUT_THROUGH_OVERRIDE_EVENT",
        CheckOutAction::CheckedOut => "CHECK_OUT_EVENT",
    };
    let mut payload = json!({
        "logEventType": event_type,
        "servicePointId": loan.field("checkoutServicePointId"),
        "loanId": loan.field("id"),
        "isLoanClosed": false,
        "dueDate": loan.field("dueDate"),
        "zoneId": log.tz.name(),
        "userId": loan.field("userId"),
        "userBarcode": log.user_barcode,
        "itemId": loan.field("itemId"),
        "itemBarcode": log.item_barcode,
        "itemStatusName": "Checked out",
        "holdingsRecordId": log.holdings_record_id,
        "instanceId": log.instance_id,
        "requests": [],
    });
    if let Some(proxy) = log.proxy_barcode {
        payload["proxyBarcode"] = json!(proxy);
    }
    payload["payload"] = payload.clone();
    ("LOG_RECORD", payload)
}

/// What a check-in's log record says.
pub(crate) struct CheckInLog<'a> {
    pub(crate) service_point_id: &'a str,
    pub(crate) loan: Option<&'a Loan>,
    pub(crate) borrower_barcode: Option<&'a str>,
    pub(crate) item: &'a Item,
    pub(crate) item_barcode: &'a str,
    pub(crate) instance_id: Option<&'a str>,
    /// The in-transit destination's name.
    pub(crate) destination: Option<&'a str>,
    pub(crate) tz: Tz,
    pub(crate) claimed_returned_resolution: Option<&'a str>,
    /// The request the check-in moved: as read, and its new status.
    pub(crate) request: Option<(&'a Request, &'a str)>,
}

/// The events of a check-in: `ITEM_CHECKED_IN` when it closed a loan, and the circulation
/// log's `CHECK_IN_EVENT` (a flat record, unlike check-out's).
pub(crate) fn check_in_events(log: CheckInLog<'_>) -> Vec<Event> {
    let mut events = Vec::new();
    let mut record = json!({
        "logEventType": "CHECK_IN_EVENT",
        "servicePointId": log.service_point_id,
        "itemId": log.item.id(),
        "itemBarcode": log.item_barcode,
        "itemStatusName": log.item.status_name(),
        "holdingsRecordId": log.item.field("holdingsRecordId"),
        "instanceId": log.instance_id,
        "requests": [],
    });
    if let Some(loan) = log.loan {
        events.push((
            "ITEM_CHECKED_IN",
            json!({
                "userId": loan.field("userId"),
                "loanId": loan.field("id"),
                "returnDate": loan.field("returnDate"),
            }),
        ));
        for key in ["systemReturnDate", "returnDate", "dueDate", "userId"] {
            if let Some(v) = loan.field(key) {
                record[key] = v.clone();
            }
        }
        record["loanId"] = json!(loan.id());
        record["isLoanClosed"] = json!(true);
        record["zoneId"] = json!(log.tz.name());
        if let Some(barcode) = log.borrower_barcode {
            record["userBarcode"] = json!(barcode);
        }
    }
    if let Some(destination) = log.destination {
        record["destinationServicePoint"] = json!(destination);
    }
    if let Some(resolution) = log.claimed_returned_resolution {
        record["claimedReturnedResolution"] = json!(resolution);
    }
    if let Some((request, new_status)) = log.request {
        let mut entry = json!({
            "id": request.id(),
            "oldRequestStatus": request.status(),
            "newRequestStatus": new_status,
            "requestType": request.field("requestType"),
        });
        if let Some(pickup) = request.pickup_service_point_id() {
            entry["pickUpServicePoint"] = json!(pickup);
        }
        record["requests"] = json!([entry]);
    }
    events.push(("LOG_RECORD", record));
    events
}

/// `LOAN_DUE_DATE_CHANGED` of a loan given a new due date.
pub(crate) fn loan_due_date_changed(loan: &Loan) -> Event {
    (
        "LOAN_DUE_DATE_CHANGED",
        json!({
            "userId": loan.field("userId"),
            "loanId": loan.field("id"),
            "dueDate": loan.field("dueDate"),
            "dueDateChangedByRecall": loan.field("dueDateChangedByRecall").cloned().unwrap_or(json!(false)),
        }),
    )
}

/// Publishes `events` without holding up the answer. A `LOG_RECORD` names the logged-in user
/// ("Last, First") as its source.
pub(crate) fn publish(okapi: &Okapi, fan: Fan, events: Vec<Event>) {
    let okapi = okapi.clone();
    actix_web::rt::spawn(async move {
        // Nothing here reads configuration: no cache.
        let cache = PolicyCache::new(0);
        let peers = Peers {
            okapi: &okapi,
            cache: &cache,
            fan,
        };
        let source = match okapi.user_id.as_deref() {
            Some(id) => peers
                .users()
                .by_id("logged-in user", id)
                .await
                .ok()
                .flatten()
                .and_then(|u: User| u.source_name()),
            None => None,
        };
        for (event_type, mut payload) in events {
            if let (Some(source), "LOG_RECORD") = (&source, event_type) {
                payload["source"] = json!(source);
                // Check-out's record repeats itself under `payload`; check-in's is flat.
                if let Some(inner) = payload.get_mut("payload").filter(|p| p.is_object()) {
                    inner["source"] = json!(source);
                }
            }
            if let Err(e) = peers.pubsub().publish(event_type, &payload).await {
                log::warn!("{event_type} not published: {e}");
            }
        }
    });
}
