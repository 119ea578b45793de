//! `POST /scheduled-request-expiration` (called by Okapi's `_timer` every 2 minutes): closes open
//! requests whose expiration date has passed and closes the gaps they leave in their queues.
//!
//! In one transaction:
//! 1. at most [`BATCH`] open requests whose date has passed are closed: `Open - Not yet filled`,
//!    `Open - In transit` and `Open - Awaiting delivery` by `requestExpirationDate` (→ `Closed -
//!    Unfilled`), `Open - Awaiting pickup` by `holdShelfExpirationDate` (→ `Closed - Pickup
//!    expired`). The dates are compared as text with the current UTC time written
//!    `yyyy-MM-ddTHH:mm:ss.SSS+0000`, as FOLIO does. A closed request loses its `position` and
//!    gets a new `metadata.updatedDate`;
//! 2. every open queue that lost a request (per `itemId`, or per `instanceId` when title-level
//!    requests are enabled in the circulation settings) is numbered again 1..n in its old
//!    position order, requests without a position last.
use super::State;
use crate::db::{self, requests, settings};
use crate::error::StorageError;
use crate::records::dates;
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use chrono::Utc;

const PATH: &str = "/scheduled-request-expiration";
/// How many requests one call closes at most.
const BATCH: i64 = 150;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::post().to(expire));
}

pub(crate) fn served_routes() -> Vec<(&'static str, String)> {
    vec![("POST", PATH.into())]
}

/// Closes the expired requests and renumbers their queues; 204.
async fn expire(tenant: TenantId, state: State) -> Result<HttpResponse, StorageError> {
    let now = Utc::now();
    // The text FOLIO compares the stored dates with.
    let cutoff = now.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string();
    let updated_date = dates::iso_millis_offset(now);
    db::in_tenant_job(&state.pool, &tenant, move |c| {
        let property = requests::queue_property(settings::tlr_enabled(c)?.unwrap_or(false));
        let queues = requests::close_expired(c, &cutoff, &updated_date, property, BATCH)?;
        requests::renumber_queues(c, property, requests::Queues::Named(&queues))?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
