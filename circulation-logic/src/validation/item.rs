//! The item must be found, not checked out, not in a status that forbids a loan, and without
//! an open loan.
use super::error;
use crate::domain::{Item, ItemStatus};
use shared_types::errors::Error;

pub(crate) fn item_found(item: Option<&Item>, barcode: Option<&str>) -> Option<Error> {
    item.is_none().then(|| {
        error(
            format!(
                "No item with barcode {} could be found",
                barcode.unwrap_or("null")
            ),
            &[("itemBarcode", barcode)],
            None,
        )
    })
}

pub(crate) fn already_checked_out(barcode: Option<&str>) -> Error {
    error(
        "Item is already checked out",
        &[("itemBarcode", barcode)],
        None,
    )
}

pub(crate) fn has_open_loan(barcode: Option<&str>) -> Error {
    error(
        "Cannot check out item that already has an open loan",
        &[("itemBarcode", barcode)],
        Some("ITEM_HAS_OPEN_LOAN"),
    )
}

/// "Checked out", or one of the statuses that cannot be checked out (worded with the title
/// and material type, `null` for what is missing).
pub(crate) fn item_status_allows_check_out(
    item: &Item,
    barcode: Option<&str>,
    title: Option<&str>,
    material_type: Option<&str>,
) -> Option<Error> {
    match item.status() {
        ItemStatus::CheckedOut => Some(already_checked_out(barcode)),
        ItemStatus::DeclaredLost
        | ItemStatus::ClaimedReturned
        | ItemStatus::IntellectualItem
        | ItemStatus::AgedToLost => {
            let status = item.status_name().unwrap_or("");
            let barcode = item.barcode().or(barcode);
            Some(error(
                format!(
                    "{} ({}) (Barcode: {}) has the item status {status} and cannot be checked out",
                    title.unwrap_or("null"),
                    material_type.unwrap_or("null"),
                    barcode.unwrap_or("null")
                ),
                &[("itemBarcode", barcode)],
                None,
            ))
        }
        _ => None,
    }
}

/// The item has no open loan.
pub(crate) fn no_open_loan(open_loans: usize, barcode: Option<&str>) -> Option<Error> {
    (open_loans > 0).then(|| has_open_loan(barcode))
}

/// No item has the barcode (check-in and renewal; check-out words it otherwise).
pub(crate) fn item_not_found(barcode: &str) -> Error {
    error(
        format!("No item with barcode {barcode} exists"),
        &[("itemBarcode", Some(barcode))],
        Some("ITEM_BARCODE_NOT_FOUND"),
    )
}
