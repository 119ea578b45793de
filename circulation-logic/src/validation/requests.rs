//! An item requested by another patron cannot be checked out to this one.
use super::error;
use crate::domain::{Item, RequestQueue, User};
use shared_types::errors::Error;

/// Refused when the request the check-out would fill belongs to someone else.
pub(crate) fn not_requested_by_another_patron(
    user: &User,
    item: &Item,
    queue: &RequestQueue,
    title: Option<&str>,
    user_barcode: Option<&str>,
    item_barcode: Option<&str>,
) -> Option<Error> {
    let request = queue.first_fulfillable(item.id())?;
    if request.requester_id() == Some(user.id()).filter(|id| !id.is_empty()) {
        return None;
    }
    Some(error(
        format!(
            "{} (Barcode: {}) cannot be checked out to user {} because it has been requested by another patron",
            title.unwrap_or("null"),
            item.barcode().or(item_barcode).unwrap_or("null"),
            user.personal_name()
        ),
        &[("userBarcode", user_barcode)],
        None,
    ))
}
