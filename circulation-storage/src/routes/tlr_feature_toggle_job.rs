//! `POST /tlr-feature-toggle-job/start` (called by Okapi's `_timer` every 5 minutes): answers 202
//! at once, then runs one TLR feature toggle job in the background.
//!
//! Turning title-level requests on or off changes what a request queue is (all requests of an
//! instance, or of an item), so every open queue has to be numbered again. The job:
//! 1. does nothing while another job is `in-progress`; otherwise takes an `open` job (the newest)
//!    and marks it `in-progress`;
//! 2. reads the TLR setting (no setting: the job fails with `TLR settings not found`), groups
//!    every open request by `instanceId` (TLR on) or `itemId`, and numbers each group 1..n in its
//!    old position order;
//! 3. marks the job `done` with `numberOfUpdatedRequests` (all open requests); on any failure
//!    `failed`, with the message added to `errors`.
//!
//! The job's state lives in its record only, so any instance may run it.
use super::State;
use crate::db::{self, requests, settings, tlr_jobs, PgPool};
use crate::error::StorageError;
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use serde_json::{json, Value};

const PATH: &str = "/tlr-feature-toggle-job/start";

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::post().to(start));
}

pub(crate) fn served_routes() -> Vec<(&'static str, String)> {
    vec![("POST", PATH.into())]
}

async fn start(tenant: TenantId, state: State) -> HttpResponse {
    let pool = state.pool.clone();
    actix_web::rt::spawn(async move {
        match run(&pool, &tenant).await {
            Ok(Some(id)) => log::info!("TLR feature toggle job {id} of {tenant:?} finished"),
            Ok(None) => {}
            Err(e) => log::error!("TLR feature toggle job of {tenant:?} failed: {e}"),
        }
    });
    HttpResponse::Accepted().finish()
}

/// Runs the next open job, if there is one and none is running; returns its id.
pub(crate) async fn run(
    pool: &PgPool,
    tenant: &TenantId,
) -> Result<Option<uuid::Uuid>, StorageError> {
    let claimed = db::in_tenant_job(pool, tenant, tlr_jobs::claim_next).await?;
    let Some((id, job)) = claimed else {
        return Ok(None);
    };
    let processing = job.clone();
    let result = db::in_tenant_job(pool, tenant, move |c| {
        let count = renumber_all(c)?;
        let mut done = processing;
        done["status"] = json!("done");
        done["numberOfUpdatedRequests"] = json!(count);
        tlr_jobs::save(c, id, &done)?;
        Ok(())
    })
    .await;
    if let Err(e) = result {
        let message = e.to_string();
        db::in_tenant_job(pool, tenant, move |c| {
            let mut failed = job;
            failed["status"] = json!("failed");
            match failed.get_mut("errors").and_then(Value::as_array_mut) {
                Some(errors) => errors.push(json!(message)),
                None => failed["errors"] = json!([message]),
            }
            tlr_jobs::save(c, id, &failed)?;
            Ok(())
        })
        .await?;
    }
    Ok(Some(id))
}

/// Numbers every open queue again; returns how many open requests there are.
fn renumber_all(c: &mut PgConnection) -> Result<usize, StorageError> {
    let Some(enabled) = settings::tlr_enabled(c)? else {
        return Err(StorageError::Internal("TLR settings not found".into()));
    };
    requests::renumber_queues(c, requests::queue_property(enabled), requests::Queues::All)
}
