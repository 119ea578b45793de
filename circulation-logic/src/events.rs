//! The business events a flow publishes through mod-pubsub, as mod-circulation does:
//! `ITEM_CHECKED_OUT` and `LOG_RECORD` (the circulation log). Published after the answer is
//! decided, fire-and-forget: an event never changes the answer.
use crate::domain::{CheckOutAction, Item, Loan, User};
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

/// The events of a check-in that closed `loan`: `ITEM_CHECKED_IN`, `LOAN_CLOSED` and the
/// circulation log's `CHECK_IN_EVENT`.
pub(crate) fn check_in_events(loan: &Loan, item: &Item, item_barcode: &str) -> Vec<Event> {
    let checked_in = json!({
        "userId": loan.field("userId"),
        "loanId": loan.field("id"),
        "returnDate": loan.field("returnDate"),
    });
    let closed = json!({"userId": loan.field("userId"), "loanId": loan.field("id")});
    let mut log = json!({
        "logEventType": "CHECK_IN_EVENT",
        "servicePointId": loan.field("checkinServicePointId"),
        "loanId": loan.field("id"),
        "isLoanClosed": true,
        "returnDate": loan.field("returnDate"),
        "userId": loan.field("userId"),
        "itemId": loan.field("itemId"),
        "itemBarcode": item_barcode,
        "itemStatusName": item.status_name(),
        "holdingsRecordId": item.field("holdingsRecordId"),
        "destinationServicePoint": item.in_transit_destination(),
        "requests": [],
    });
    log["payload"] = log.clone();
    vec![
        ("ITEM_CHECKED_IN", checked_in),
        ("LOAN_CLOSED", closed),
        ("LOG_RECORD", log),
    ]
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
                payload["payload"]["source"] = json!(source);
            }
            if let Err(e) = peers.pubsub().publish(event_type, &payload).await {
                log::warn!("check-out: {event_type} not published: {e}");
            }
        }
    });
}
