//! The business events a flow publishes through mod-pubsub, as mod-circulation does:
//! `ITEM_CHECKED_OUT`, `ITEM_CHECKED_IN`, `LOAN_DUE_DATE_CHANGED` and `LOG_RECORD` (the circulation
//! log: check-out, check-in and the renewal's loan records). Published after the answer is
//! decided, fire-and-forget: an event never changes the answer.
use crate::domain::{CheckOutAction, Item, Loan, Request, User};
use crate::downstream::Peers;
use crate::okapi::PolicyCache;
use chrono::{DateTime, Offset, Utc};
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

/// What a renewal's log records say beside the loans before and after.
pub(crate) struct RenewalLog<'a> {
    pub(crate) borrower: &'a User,
    pub(crate) item: &'a Item,
    pub(crate) instance_id: Option<&'a str>,
    pub(crate) tz: Tz,
    pub(crate) logged_in_user_id: Option<&'a str>,
    pub(crate) now: DateTime<Utc>,
}

/// The circulation log's two `LOAN` records of a renewal, as mod-circulation publishes them
/// beside `LOAN_DUE_DATE_CHANGED`: "Changed due date", then the loan's own action ("Renewed"
/// or "Renewed through override"), each saying the new and the previous due date in the
/// tenant's time zone.
pub(crate) fn renewal_log_records(
    before: &Loan,
    renewed: &Loan,
    log: RenewalLog<'_>,
) -> Vec<Event> {
    let in_zone = |d: Option<DateTime<Utc>>| {
        d.map(|d| log_date_time(d, log.tz))
            .unwrap_or_else(|| "null".into())
    };
    let description = format!(
        "New due date: {} (from {})",
        in_zone(renewed.due_date()),
        in_zone(before.due_date())
    );
    let renewed_action = match renewed.field("action").and_then(Value::as_str) {
        Some("renewedThroughOverride") => "Renewed through override",
        _ => "Renewed",
    };
    ["Changed due date", renewed_action]
        .into_iter()
        .map(|action| {
            let mut context = json!({
                "userId": renewed.field("userId"),
                "itemBarcode": log.item.barcode(),
                "itemId": log.item.id(),
                "instanceId": log.instance_id,
                "holdingsRecordId": log.item.holdings_record_id(),
                "action": action,
                "date": log_date_time(log.now, chrono_tz::UTC),
                "description": description,
                "loanId": renewed.id(),
            });
            if let Some(barcode) = log.borrower.barcode() {
                context["userBarcode"] = json!(barcode);
            }
            if let Some(comment) = renewed.field("actionComment") {
                context["actionComment"] = comment.clone();
            }
            let service_point = renewed
                .field("checkinServicePointId")
                .or_else(|| renewed.field("checkoutServicePointId"));
            if let Some(sp) = service_point {
                context["servicePointId"] = sp.clone();
            }
            if let Some(user) = log.logged_in_user_id {
                context["updatedByUserId"] = json!(user);
            }
            (
                "LOG_RECORD",
                json!({"logEventType": "LOAN", "payload": context}),
            )
        })
        .collect()
}

/// A date-time as mod-circulation writes it in log descriptions: milliseconds and the zone's
/// offset (`Z`, or `-0500`).
fn log_date_time(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    let offset = match local.offset().fix().local_minus_utc() {
        0 => "Z".to_string(),
        _ => local.format("%z").to_string(),
    };
    format!("{}{offset}", local.format("%Y-%m-%dT%H:%M:%S%.3f"))
}

/// Publishes `events` without holding up the answer: to mod-pubsub, and to the native Kafka
/// topics when a broker is configured. A `LOG_RECORD` names the logged-in user ("Last,
/// First") as its source.
pub(crate) fn publish(peers: Peers<'_>, events: Vec<Event>) {
    let okapi = peers.okapi.clone();
    let fan = peers.fan;
    let kafka = peers.kafka.cloned();
    actix_web::rt::spawn(async move {
        // Nothing here reads configuration: no cache.
        let cache = PolicyCache::new(0);
        let peers = Peers {
            okapi: &okapi,
            cache: &cache,
            fan,
            kafka: kafka.as_ref(),
        };
        let headers = okapi.message_headers();
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
            // Loan records name who changed the loan by id instead (`updatedByUserId`).
            let loan_record = payload.get("logEventType") == Some(&json!("LOAN"));
            if let (Some(source), "LOG_RECORD", false) = (&source, event_type, loan_record) {
                payload["source"] = json!(source);
                // Check-out's record repeats itself under `payload`; check-in's is flat.
                if let Some(inner) = payload.get_mut("payload").filter(|p| p.is_object()) {
                    inner["source"] = json!(source);
                }
            }
            if let Err(e) = peers.pubsub().publish(event_type, &payload).await {
                log::warn!("{event_type} not published: {e}");
            }
            if let Some(kafka) = &kafka {
                let key = ["userId", "loanId"]
                    .iter()
                    .find_map(|k| payload.get(*k).and_then(Value::as_str))
                    .unwrap_or(&okapi.tenant)
                    .to_string();
                let sent = kafka
                    .publish(&okapi.tenant, event_type, &key, &payload, &headers)
                    .await;
                if let Err(e) = sent {
                    log::warn!("{event_type} not sent to Kafka: {e}");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::log_date_time;
    use chrono::TimeZone;

    #[test]
    fn log_dates_carry_the_zones_offset() {
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 12, 8, 15, 30, 0)
            .unwrap();
        assert_eq!(log_date_time(t, chrono_tz::UTC), "2026-12-08T15:30:00.000Z");
        assert_eq!(
            log_date_time(t, chrono_tz::America::New_York),
            "2026-12-08T10:30:00.000-0500"
        );
    }
}
