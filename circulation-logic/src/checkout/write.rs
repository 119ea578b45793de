//! The writes of a check-out, in the order that keeps the data true without a distributed
//! transaction (DESIGN.md "Writes without a distributed transaction"):
//! 1. `POST` the loan: the storage's unique index on open loans per item decides among
//!    simultaneous check-outs; the loser has written nothing and answers 422.
//! 2. `PUT` the item with status "Checked out".
//! 3. Fulfil the request and re-sequence the queue.
//!
//! Beside 2 and 3 (once the loan exists) the best-effort patron action session is written
//! (failure → 200 instead of 201). If 2 or 3 fails, what was done is undone in reverse order
//! (session, request, item, loan), the undo is logged, and the answer is a 5xx naming the
//! failed call. The pubsub events come last and never change the answer.
use super::gather::{is_dcb_item, CIRCULATION_ITEMS};
use super::{s, Failure};
use crate::fanout::Fan;
use crate::okapi::{CallError, Okapi};
use actix_web::http::StatusCode;
use reqwest::Method;
use serde_json::{json, Value};
use shared_types::errors::Error;

const SESSIONS: &str = "/patron-action-session-storage/patron-action-sessions";

/// The request the check-out fulfils, before and after, and the rest of the queue.
#[derive(Debug, Clone)]
pub struct Fulfilment {
    pub before: Value,
    pub after: Value,
    /// The other requests with their new positions, when any position changed.
    pub resequenced: Vec<Value>,
    /// The same requests as read (for the undo).
    pub resequenced_before: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub loan: Value,
    pub item_before: Value,
    pub item_after: Value,
    pub fulfilment: Option<Fulfilment>,
    pub item_barcode: Option<String>,
}

impl Plan {
    /// Where the item is written: inventory, or mod-dcb's circulation items for a DCB item.
    pub fn item_path(&self) -> String {
        let base = match is_dcb_item(&self.item_before) {
            true => CIRCULATION_ITEMS,
            false => "/item-storage/items",
        };
        format!("{base}/{}", id(&self.item_before))
    }
}

/// The item as PUT back: the record read, status "Checked out" (no date), no in-transit
/// destination.
pub fn checked_out_item(item: &Value) -> Value {
    let mut out = item.clone();
    if let Some(o) = out.as_object_mut() {
        o.insert("status".into(), json!({"name": "Checked out"}));
        o.remove("inTransitDestinationServicePointId");
    }
    out
}

/// Closes `request` as filled and renumbers the rest of `queue` (in queue order) from 1.
pub fn fulfil(request: &Value, queue: &[Value]) -> Fulfilment {
    let mut after = request.clone();
    if let Some(o) = after.as_object_mut() {
        o.insert("status".into(), json!("Closed - Filled"));
        o.remove("position");
    }
    let rest: Vec<&Value> = queue
        .iter()
        .filter(|r| s(r, &["id"]) != s(request, &["id"]))
        .collect();
    let mut resequenced = Vec::new();
    let mut resequenced_before = Vec::new();
    for (i, r) in rest.iter().enumerate() {
        let position = (i + 1) as i64;
        if r.get("position").and_then(Value::as_i64) != Some(position) {
            let mut changed = (*r).clone();
            changed["position"] = json!(position);
            resequenced.push(changed);
            resequenced_before.push((*r).clone());
        }
    }
    Fulfilment {
        before: request.clone(),
        after,
        resequenced,
        resequenced_before,
    }
}

fn id(v: &Value) -> String {
    s(v, &["id"]).unwrap_or_default().to_string()
}

/// A failure after the loan exists: 504 for a timeout, else 502; names the call and the undo.
fn failed_after_undo(error: &CallError, undone: &[String], not_undone: &[String]) -> Failure {
    let status = match error {
        CallError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    };
    let mut message = format!("Check-out failed: downstream call {error}");
    if !undone.is_empty() {
        message.push_str(&format!("; undone: {}", undone.join(", ")));
    }
    if !not_undone.is_empty() {
        message.push_str(&format!("; could not undo: {}", not_undone.join(", ")));
    }
    Failure::Forward(crate::okapi::Reply {
        status: status.as_u16(),
        content_type: Some("text/plain".into()),
        body: message,
    })
}

/// Undo steps, most recent first.
enum Undo {
    DeleteLoan(String),
    DeleteSession(String),
    /// The item record's path and the record as read.
    RestoreItem(String, Value),
    RestoreRequest(Value),
    RestoreQueue(Vec<Value>),
}

async fn undo(okapi: &Okapi, steps: Vec<Undo>) -> (Vec<String>, Vec<String>) {
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for step in steps.into_iter().rev() {
        let (what, result) = match step {
            Undo::DeleteLoan(loan_id) => (
                format!("deleted loan {loan_id}"),
                okapi
                    .write(
                        "undo: delete loan",
                        Method::DELETE,
                        &format!("/loan-storage/loans/{loan_id}"),
                        None,
                    )
                    .await
                    .map(|_| ()),
            ),
            Undo::DeleteSession(session_id) => (
                format!("deleted patron action session {session_id}"),
                okapi
                    .write(
                        "undo: delete patron action session",
                        Method::DELETE,
                        &format!("{SESSIONS}/{session_id}"),
                        None,
                    )
                    .await
                    .map(|_| ()),
            ),
            Undo::RestoreItem(path, item) => {
                let item_id = id(&item);
                let mut body = item.clone();
                // Optimistic locking: restore over the version now stored.
                if body.get("_version").is_some() {
                    if let Ok(Some(current)) = okapi.get_opt("undo: read item", &path).await {
                        if let Some(v) = current.get("_version") {
                            body["_version"] = v.clone();
                        }
                    }
                }
                if let Some(status) = body.get_mut("status").and_then(Value::as_object_mut) {
                    status.remove("date");
                }
                (
                    format!(
                        "restored item {item_id} to status {}",
                        s(&item, &["status", "name"]).unwrap_or("?")
                    ),
                    okapi
                        .write("undo: restore item", Method::PUT, &path, Some(&body))
                        .await
                        .map(|_| ()),
                )
            }
            Undo::RestoreRequest(request) => {
                let request_id = id(&request);
                (
                    format!("restored request {request_id}"),
                    okapi
                        .write(
                            "undo: restore request",
                            Method::PUT,
                            &format!("/request-storage/requests/{request_id}"),
                            Some(&request),
                        )
                        .await
                        .map(|_| ()),
                )
            }
            Undo::RestoreQueue(requests) => (
                format!("restored {} queue positions", requests.len()),
                okapi
                    .write(
                        "undo: restore queue",
                        Method::POST,
                        "/request-storage-batch/requests",
                        Some(&json!({ "requests": requests })),
                    )
                    .await
                    .map(|_| ()),
            ),
        };
        match result {
            Ok(()) => done.push(what),
            Err(e) => failed.push(format!("{what} ({e})")),
        }
    }
    (done, failed)
}

/// Undoes `steps` and logs what was (not) undone, saying `why`.
async fn undo_logged(okapi: &Okapi, steps: Vec<Undo>, why: &str) -> (Vec<String>, Vec<String>) {
    let (done, not_done) = undo(okapi, steps).await;
    log::warn!(
        "check-out {} failed at {why}: undone [{}]{}",
        okapi.request_id.as_deref().unwrap_or("-"),
        done.join(", "),
        if not_done.is_empty() {
            String::new()
        } else {
            format!(", NOT undone [{}]", not_done.join(", "))
        }
    );
    (done, not_done)
}

async fn undo_and_fail(okapi: &Okapi, steps: Vec<Undo>, error: CallError) -> Failure {
    let (done, not_done) = undo_logged(okapi, steps, error.name()).await;
    failed_after_undo(&error, &done, &not_done)
}

/// The writes. Returns the loan as storage stored it, and the patron action session's id when
/// it was recorded.
pub async fn execute(
    okapi: &Okapi,
    fan: Fan,
    plan: &Plan,
    patron_id: &str,
) -> Result<(Value, Option<String>), Failure> {
    let loan_id = id(&plan.loan);

    // 1. The loan: the write that can lose a race goes first.
    let reply = match okapi
        .call(
            "create loan",
            Method::POST,
            "/loan-storage/loans",
            &[],
            Some(&plan.loan),
        )
        .await
    {
        Ok(reply) => reply,
        Err(e) => {
            // A timeout may still have created it: the id is ours, so delete it.
            return Err(undo_and_fail(okapi, vec![Undo::DeleteLoan(loan_id)], e).await);
        }
    };
    if reply.status == 422 && reply.body.contains("more than one open loan") {
        let barcode = plan.item_barcode.clone();
        return Err(Failure::Refused(vec![
            Error::new("Item is already checked out")
                .with_parameter("itemBarcode", barcode.clone()),
            Error::new("Cannot check out item that already has an open loan")
                .with_parameter("itemBarcode", barcode)
                .with_code("ITEM_HAS_OPEN_LOAN"),
        ]));
    }
    if !reply.is_success() {
        if reply.status >= 500 {
            return Err(CallError::Failed {
                name: "create loan".into(),
                reply,
            }
            .into());
        }
        return Err(Failure::Forward(reply));
    }
    let stored = reply.json().unwrap_or_else(|| plan.loan.clone());

    // 2-3 beside the session: the session only needs the loan, and is undone with the rest.
    let (after_loan, session) = fan
        .join2(
            item_and_request(okapi, plan),
            record_session(okapi, patron_id, &loan_id),
        )
        .await;
    if let Err((done, error)) = after_loan {
        let mut steps = vec![Undo::DeleteLoan(loan_id)];
        steps.extend(done);
        if let Some(session_id) = session {
            steps.push(Undo::DeleteSession(session_id));
        }
        return Err(undo_and_fail(okapi, steps, error).await);
    }
    Ok((stored, session))
}

/// Undoes a check-out [`execute`] wrote in full, because a read done beside the writes failed
/// (`why`: a downstream call, or a refusal such as missing holdings): session, request and
/// queue, item, loan. Then the 5xx naming the call, or the refusal once all is undone.
pub async fn revert(
    okapi: &Okapi,
    plan: &Plan,
    session_id: Option<String>,
    why: Failure,
) -> Failure {
    let mut steps = vec![
        Undo::DeleteLoan(id(&plan.loan)),
        Undo::RestoreItem(plan.item_path(), plan.item_before.clone()),
    ];
    if let Some(f) = &plan.fulfilment {
        steps.push(Undo::RestoreRequest(f.before.clone()));
        if !f.resequenced.is_empty() {
            steps.push(Undo::RestoreQueue(f.resequenced_before.clone()));
        }
    }
    if let Some(session_id) = session_id {
        steps.push(Undo::DeleteSession(session_id));
    }
    match why {
        Failure::Call(error) => undo_and_fail(okapi, steps, error).await,
        refusal => {
            let (_, not_done) = undo_logged(okapi, steps, "a refusal after the writes").await;
            match not_done.is_empty() {
                true => refusal,
                false => Failure::Server(format!(
                    "Check-out refused after its writes; could not undo: {}",
                    not_done.join(", ")
                )),
            }
        }
    }
}

/// The item (2), then the request and the queue (3). On failure: the steps to undo (oldest
/// first, the loan excluded) and the error.
async fn item_and_request(okapi: &Okapi, plan: &Plan) -> Result<(), (Vec<Undo>, CallError)> {
    let mut steps = Vec::new();
    let item_path = plan.item_path();
    if let Err(e) = okapi
        .write(
            "update item status",
            Method::PUT,
            &item_path,
            Some(&plan.item_after),
        )
        .await
    {
        if matches!(e, CallError::Timeout { .. }) {
            steps.push(Undo::RestoreItem(
                plan.item_path(),
                plan.item_before.clone(),
            ));
        }
        return Err((steps, e));
    }
    steps.push(Undo::RestoreItem(
        plan.item_path(),
        plan.item_before.clone(),
    ));

    if let Some(f) = &plan.fulfilment {
        let path = format!("/request-storage/requests/{}", id(&f.before));
        if let Err(e) = okapi
            .write("fulfil request", Method::PUT, &path, Some(&f.after))
            .await
        {
            steps.push(Undo::RestoreRequest(f.before.clone()));
            return Err((steps, e));
        }
        steps.push(Undo::RestoreRequest(f.before.clone()));
        if !f.resequenced.is_empty() {
            if let Err(e) = okapi
                .write(
                    "resequence request queue",
                    Method::POST,
                    "/request-storage-batch/requests",
                    Some(&json!({ "requests": f.resequenced })),
                )
                .await
            {
                steps.push(Undo::RestoreQueue(f.resequenced_before.clone()));
                return Err((steps, e));
            }
        }
    }
    Ok(())
}

/// Best effort: the patron action session. Its id, or `None` when it could not be written.
async fn record_session(okapi: &Okapi, patron_id: &str, loan_id: &str) -> Option<String> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "id": session_id,
        "patronId": patron_id,
        "loanId": loan_id,
        "actionType": "Check-out",
    });
    match okapi
        .write("patron action session", Method::POST, SESSIONS, Some(&body))
        .await
    {
        Ok(_) => Some(session_id),
        Err(e) => {
            log::warn!("check-out: patron action session not recorded: {e}");
            None
        }
    }
}

fn event(okapi: &Okapi, event_type: &str, payload: &Value) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "eventType": event_type,
        "eventMetadata": {
            "tenantId": okapi.tenant,
            "eventTTL": 1,
            "publishedBy": "mod-circulation",
        },
        "eventPayload": payload.to_string(),
    })
}

/// Fire-and-forget: publishes the events without holding up the answer.
pub fn publish(okapi: &Okapi, events: Vec<(&'static str, Value)>) {
    let okapi = okapi.clone();
    actix_web::rt::spawn(async move {
        // LOG_RECORD names the logged-in user ("Last, First") as its source.
        let source = match okapi.user_id.clone() {
            Some(id) => okapi
                .get_opt("logged-in user", &format!("/users/{id}"))
                .await
                .ok()
                .flatten()
                .and_then(|u| {
                    let last = s(&u, &["personal", "lastName"])?.to_string();
                    Some(match s(&u, &["personal", "firstName"]) {
                        Some(first) => format!("{last}, {first}"),
                        None => last,
                    })
                }),
            None => None,
        };
        for (event_type, mut payload) in events {
            if let (Some(source), "LOG_RECORD") = (&source, event_type) {
                payload["source"] = json!(source);
                payload["payload"]["source"] = json!(source);
            }
            let body = event(&okapi, event_type, &payload);
            if let Err(e) = okapi
                .write(
                    &format!("publish {event_type}"),
                    Method::POST,
                    "/pubsub/publish",
                    Some(&body),
                )
                .await
            {
                log::warn!("check-out: {event_type} not published: {e}");
            }
        }
    });
}

/// `201`, or `200` when a best-effort write failed.
pub fn status(session_recorded: bool) -> StatusCode {
    if session_recorded {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}
