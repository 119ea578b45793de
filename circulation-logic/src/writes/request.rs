//! Filling a request: the request closed as filled, then the rest of its queue renumbered.
//! Undone by writing the request and the positions back as they were read.
use super::undo::Undo;
use crate::domain::Fulfilment;
use crate::downstream::Peers;
use crate::okapi::CallError;

/// Writes `f`; the undo steps of what may have been written (oldest first), with the error on
/// failure.
pub(crate) async fn fulfil(
    peers: Peers<'_>,
    f: &Fulfilment,
) -> Result<Vec<Undo>, (Vec<Undo>, CallError)> {
    let storage = peers.storage();
    let mut steps = vec![Undo::RestoreRequest(f.before.clone())];
    if let Err(e) = storage.update_request("fulfil request", &f.after).await {
        return Err((steps, e));
    }
    if !f.resequenced.is_empty() {
        let written = storage
            .update_requests("resequence request queue", &f.resequenced)
            .await;
        if let Err(e) = written {
            steps.push(Undo::RestoreQueue(f.resequenced_before.clone()));
            return Err((steps, e));
        }
    }
    Ok(steps)
}

/// The undo of a fulfilment written in full.
pub(crate) fn undo_fulfilment(f: &Fulfilment) -> Vec<Undo> {
    let mut steps = vec![Undo::RestoreRequest(f.before.clone())];
    if !f.resequenced.is_empty() {
        steps.push(Undo::RestoreQueue(f.resequenced_before.clone()));
    }
    steps
}
