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
use super::request_expiration::{
    queue_property, renumber, set_positions, tlr_enabled, QueueRow, OPEN_STATUSES,
};
use super::State;
use crate::db::{self, store, PgPool};
use crate::error::StorageError;
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::{Array, Jsonb, Text, Uuid as SqlUuid};
use serde_json::{json, Value};

const PATH: &str = "/tlr-feature-toggle-job/start";
const TABLE: &str = "tlr_feature_toggle_job";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::post().to(start));
}

pub fn served_routes() -> Vec<(&'static str, String)> {
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

#[derive(QueryableByName)]
struct JobRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

/// Runs the next open job, if there is one and none is running; returns its id.
pub async fn run(pool: &PgPool, tenant: &TenantId) -> Result<Option<uuid::Uuid>, StorageError> {
    let claimed = db::in_tenant_job(pool, tenant, claim).await?;
    let Some((id, job)) = claimed else {
        return Ok(None);
    };
    let processing = job.clone();
    let result = db::in_tenant_job(pool, tenant, move |c| {
        let count = renumber_all(c)?;
        let mut done = processing;
        done["status"] = json!("done");
        done["numberOfUpdatedRequests"] = json!(count);
        store::update(c, TABLE, id, &done)?;
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
            store::update(c, TABLE, id, &failed)?;
            Ok(())
        })
        .await?;
    }
    Ok(Some(id))
}

/// Marks the newest open job `in-progress`, unless a job is in progress already.
fn claim(c: &mut PgConnection) -> Result<Option<(uuid::Uuid, Value)>, StorageError> {
    // One claim at a time per tenant, so two instances cannot both start a job.
    diesel::sql_query("LOCK TABLE tlr_feature_toggle_job IN SHARE ROW EXCLUSIVE MODE")
        .execute(c)?;
    let running: Option<JobRow> = diesel::sql_query(
        "SELECT id, jsonb FROM tlr_feature_toggle_job WHERE jsonb->>'status' = $1 LIMIT 1",
    )
    .bind::<Text, _>("in-progress")
    .get_result(c)
    .optional()?;
    if running.is_some() {
        return Ok(None);
    }
    let open: Option<JobRow> = diesel::sql_query(
        "SELECT id, jsonb FROM tlr_feature_toggle_job WHERE jsonb->>'status' = $1 \
         ORDER BY jsonb->'metadata'->>'createdDate' DESC NULLS LAST LIMIT 1",
    )
    .bind::<Text, _>("open")
    .get_result(c)
    .optional()?;
    let Some(JobRow { id, mut jsonb }) = open else {
        return Ok(None);
    };
    jsonb["status"] = json!("in-progress");
    store::update(c, TABLE, id, &jsonb)?;
    Ok(Some((id, jsonb)))
}

/// Numbers every open queue again; returns how many open requests there are.
fn renumber_all(c: &mut PgConnection) -> Result<usize, StorageError> {
    let Some(enabled) = tlr_enabled(c)? else {
        return Err(StorageError::Internal("TLR settings not found".into()));
    };
    let property = queue_property(enabled);
    let open: Vec<QueueRow> = diesel::sql_query(
        "SELECT id, jsonb->>$1 AS queue, (jsonb->>'position')::int AS position FROM request \
         WHERE jsonb->>'status' = ANY($2) FOR UPDATE",
    )
    .bind::<Text, _>(property)
    .bind::<Array<Text>, _>(&OPEN_STATUSES[..])
    .load(c)?;
    if open.iter().any(|r| r.queue.is_none()) {
        return Err(StorageError::Internal(
            "element cannot be mapped to a null key".into(),
        ));
    }
    if let Some(unplaced) = open.iter().find(|r| r.position.is_none()) {
        return Err(StorageError::Internal(format!(
            "open request {} has no position",
            unplaced.id
        )));
    }
    let count = open.len();
    set_positions(c, &renumber(open))?;
    Ok(count)
}
