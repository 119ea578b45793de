//! The refusals of a check-in (mod-circulation's `CheckInByBarcodeRequest` and check-in
//! validators), checked one after another: the first that fails is the answer.
use super::error;
use crate::domain::{Item, ItemStatus};
use shared_types::errors::Error;

/// The resolutions a claimed-returned item can be checked in with.
pub(crate) const RESOLUTIONS: [&str; 2] = ["Found by library", "Returned by patron"];

/// A check-in is done by a logged-in user (`X-Okapi-User-Id`).
pub(crate) fn logged_in_user(user_id: Option<&str>) -> Option<Error> {
    user_id
        .is_none()
        .then(|| error("No logged-in user present", &[("userId", None)], None))
}

/// A required property of the request: `item barcode`, `service point id`, `check in date`.
pub(crate) fn required(value: Option<&str>, key: &str, what: &str) -> Option<Error> {
    value.is_none().then(|| {
        error(
            format!("Checkin request must have {what}"),
            &[(key, None)],
            None,
        )
    })
}

/// A claimed-returned resolution FOLIO knows.
pub(crate) fn known_resolution(resolution: Option<&str>) -> Option<Error> {
    let value = resolution?;
    (!RESOLUTIONS.contains(&value)).then(|| {
        error(
            "Unrecognized value provided for property",
            &[("claimedReturnedResolution", Some(value))],
            None,
        )
    })
}

/// An intellectual item is never checked in (worded with the title and material type, `null`
/// for what is missing).
pub(crate) fn not_intellectual_item(
    item: &Item,
    barcode: &str,
    title: Option<&str>,
    material_type: Option<&str>,
) -> Option<Error> {
    (item.status() == ItemStatus::IntellectualItem).then(|| {
        error(
            format!(
                "{} ({}) (Barcode: {barcode}) has the item status Intellectual item and cannot be checked in",
                title.unwrap_or("null"),
                material_type.unwrap_or("null"),
            ),
            &[("itemBarcode", Some(barcode))],
            None,
        )
    })
}

/// A claimed-returned item needs a resolution.
pub(crate) fn claimed_returned_resolved(item: &Item, resolution: Option<&str>) -> Option<Error> {
    (item.status() == ItemStatus::ClaimedReturned && resolution.is_none()).then(|| {
        error(
            "Item is claimed returned, a resolution is required to check in",
            &[("claimedReturnedResolution", None)],
            None,
        )
    })
}
