//! The borrower and the proxy must be found and active.
use super::error;
use crate::domain::User;
use chrono::{DateTime, Utc};
use shared_types::errors::Error;

/// The user the barcode `key` (`userBarcode`, `proxyUserBarcode`) names was found.
pub(crate) fn user_found(user: Option<&User>, key: &str, barcode: Option<&str>) -> Option<Error> {
    user.is_none().then(|| {
        error(
            "Could not find user with matching barcode",
            &[(key, barcode)],
            Some("USER_BARCODE_NOT_FOUND"),
        )
    })
}

/// The borrower is active and not expired (and the record says whether).
pub(crate) fn borrower_active(
    user: &User,
    barcode: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Error> {
    let message = match user.is_active(now) {
        None => "Cannot determine if user is active or not",
        Some(false) => "Cannot check out to inactive user",
        Some(true) => return None,
    };
    Some(error(message, &[("userBarcode", barcode)], None))
}

/// The proxying user is active and not expired (and the record says whether).
pub(crate) fn proxy_active(
    proxy: &User,
    barcode: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Error> {
    let message = match proxy.is_active(now) {
        None => "Cannot determine if proxying user is active or not",
        Some(false) => "Cannot check out via inactive proxying user",
        Some(true) => return None,
    };
    Some(error(message, &[("proxyUserBarcode", barcode)], None))
}
