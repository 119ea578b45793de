//! Undo steps and the answer of a flow that failed after some of its writes.
use crate::domain::{Item, Loan, Request};
use crate::downstream::Peers;
use crate::error::Failure;
use crate::okapi::{CallError, Reply};
use actix_web::http::StatusCode;

/// What can be undone, most recent last.
pub(crate) enum Undo {
    DeleteLoan(String),
    /// The loan as read.
    RestoreLoan(Loan),
    DeleteSession(String),
    /// The item as read.
    RestoreItem(Item),
    /// The request as read.
    RestoreRequest(Request),
    /// The requests of a queue with their positions as read.
    RestoreQueue(Vec<Request>),
}

impl Undo {
    /// Runs this undo: what it did, or the error.
    async fn run(self, peers: Peers<'_>) -> (String, Result<(), CallError>) {
        match self {
            Undo::DeleteLoan(loan_id) => (
                format!("deleted loan {loan_id}"),
                peers
                    .storage()
                    .delete_loan("undo: delete loan", &loan_id)
                    .await
                    .map(|_| ()),
            ),
            Undo::RestoreLoan(loan) => (
                format!("restored loan {}", loan.id()),
                peers
                    .storage()
                    .update_loan("undo: restore loan", &loan)
                    .await
                    .map(|_| ()),
            ),
            Undo::DeleteSession(session_id) => (
                format!("deleted patron action session {session_id}"),
                peers
                    .storage()
                    .delete_session("undo: delete patron action session", &session_id)
                    .await
                    .map(|_| ()),
            ),
            Undo::RestoreItem(item) => {
                let inventory = peers.inventory();
                // Optimistic locking: restore over the version now stored.
                let current = match item.version() {
                    Some(_) => inventory
                        .item_as_stored("undo: read item", &item)
                        .await
                        .ok()
                        .flatten(),
                    None => None,
                };
                let body = item.restored(current.as_ref().and_then(Item::version));
                (
                    format!(
                        "restored item {} to status {}",
                        item.id(),
                        item.status_name().unwrap_or("?")
                    ),
                    inventory
                        .update_item("undo: restore item", &body)
                        .await
                        .map(|_| ()),
                )
            }
            Undo::RestoreRequest(request) => (
                format!("restored request {}", request.id()),
                peers
                    .storage()
                    .update_request("undo: restore request", &request)
                    .await
                    .map(|_| ()),
            ),
            Undo::RestoreQueue(requests) => (
                format!("restored {} queue positions", requests.len()),
                peers
                    .storage()
                    .update_requests("undo: restore queue", &requests)
                    .await
                    .map(|_| ()),
            ),
        }
    }
}

/// Undoes `steps`, newest first: what was undone and what could not be.
async fn undo(peers: Peers<'_>, steps: Vec<Undo>) -> (Vec<String>, Vec<String>) {
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for step in steps.into_iter().rev() {
        match step.run(peers).await {
            (what, Ok(())) => done.push(what),
            (what, Err(e)) => failed.push(format!("{what} ({e})")),
        }
    }
    (done, failed)
}

/// Undoes `steps` of the flow `flow` (e.g. "Check-out") and logs what was (not) undone,
/// saying `why`.
pub(crate) async fn undo_logged(
    peers: Peers<'_>,
    flow: &str,
    steps: Vec<Undo>,
    why: &str,
) -> (Vec<String>, Vec<String>) {
    let (done, not_done) = undo(peers, steps).await;
    log::warn!(
        "{} {} failed at {why}: undone [{}]{}",
        flow.to_lowercase(),
        peers.okapi.request_id.as_deref().unwrap_or("-"),
        done.join(", "),
        if not_done.is_empty() {
            String::new()
        } else {
            format!(", NOT undone [{}]", not_done.join(", "))
        }
    );
    (done, not_done)
}

/// Undoes `steps` after `error`. A refusal (4xx, such as inventory's 409 when another request
/// changed the item first) is then forwarded as it is, as FOLIO forwards it; anything else is
/// [`undo_and_fail`]'s 5xx.
pub(crate) async fn undo_and_forward_refusal(
    peers: Peers<'_>,
    flow: &str,
    steps: Vec<Undo>,
    error: CallError,
) -> Failure {
    match error {
        CallError::Failed { reply, .. } if reply.status < 500 => {
            undo_logged(peers, flow, steps, "a refused write").await;
            Failure::Forward(reply)
        }
        error => undo_and_fail(peers, flow, steps, error).await,
    }
}

/// Undoes `steps` after `error`; the answer is a 504 for a timeout, else a 502, naming the
/// call and the undo.
pub(crate) async fn undo_and_fail(
    peers: Peers<'_>,
    flow: &str,
    steps: Vec<Undo>,
    error: CallError,
) -> Failure {
    let (undone, not_undone) = undo_logged(peers, flow, steps, error.name()).await;
    let status = match error {
        CallError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    };
    let mut message = format!("{flow} failed: downstream call {error}");
    if !undone.is_empty() {
        message.push_str(&format!("; undone: {}", undone.join(", ")));
    }
    if !not_undone.is_empty() {
        message.push_str(&format!("; could not undo: {}", not_undone.join(", ")));
    }
    Failure::Forward(Reply {
        status: status.as_u16(),
        content_type: Some("text/plain".into()),
        body: message,
    })
}
