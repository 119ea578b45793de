//! Writing an item's new status; undone by writing the item back as it was read.
use super::undo::Undo;
use crate::domain::Item;
use crate::downstream::Peers;
use crate::okapi::CallError;

/// `PUT`s `after` (the item `before` with its new status). On failure, the undo to run: a
/// timeout may still have written it.
pub(crate) async fn update_status(
    peers: Peers<'_>,
    before: &Item,
    after: &Item,
) -> Result<Undo, (Option<Undo>, CallError)> {
    match peers
        .inventory()
        .update_item("update item status", after)
        .await
    {
        Ok(_) => Ok(Undo::RestoreItem(before.clone())),
        Err(e @ CallError::Timeout { .. }) => Err((Some(Undo::RestoreItem(before.clone())), e)),
        Err(e) => Err((None, e)),
    }
}
