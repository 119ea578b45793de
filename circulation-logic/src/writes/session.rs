//! The patron action session (for the patron's notices): best effort, so a failure only makes
//! the answer a 200 instead of a 201. Undone by deleting it.
use crate::downstream::Peers;
use serde_json::json;

/// Records the action `action_type` ("Check-out", "Check-in") of `patron_id` on `loan_id`; the
/// session's id, or `None` when it could not be written.
pub(crate) async fn record(
    peers: Peers<'_>,
    flow: &str,
    action_type: &str,
    patron_id: &str,
    loan_id: &str,
) -> Option<String> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "id": session_id,
        "patronId": patron_id,
        "loanId": loan_id,
        "actionType": action_type,
    });
    match peers.storage().create_session(&body).await {
        Ok(_) => Some(session_id),
        Err(e) => {
            log::warn!(
                "{}: patron action session not recorded: {e}",
                flow.to_lowercase()
            );
            None
        }
    }
}
