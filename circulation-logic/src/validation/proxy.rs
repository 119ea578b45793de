//! A proxy must not be the borrower, and must hold an active relationship with the borrower.
use super::error;
use crate::domain::{ProxyRelationship, User};
use chrono::{DateTime, Utc};
use shared_types::errors::Error;

pub(crate) fn proxy_relationship(
    user: &User,
    proxy: &User,
    relationships: &[ProxyRelationship],
    proxy_barcode: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Error> {
    let proxy_id = Some(proxy.id()).filter(|id| !id.is_empty());
    if proxy_id.is_some() && proxy.id() == user.id() {
        return Some(error(
            "User cannot be proxy for themselves",
            &[("proxyUserId", proxy_id)],
            Some("USER_CANNOT_BE_PROXY_FOR_THEMSELVES"),
        ));
    }
    (!relationships.iter().any(|r| r.is_active(now))).then(|| {
        error(
            "Cannot check out item via proxy when relationship is invalid",
            &[("proxyUserBarcode", proxy_barcode)],
            None,
        )
    })
}
