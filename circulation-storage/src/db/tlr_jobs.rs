//! The TLR feature toggle jobs (table `tlr_feature_toggle_job`): claiming the next one.
use super::store;
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
use serde_json::{json, Value};
use uuid::Uuid;

const TABLE: &str = "tlr_feature_toggle_job";

#[derive(QueryableByName)]
struct JobRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

/// Marks the newest open job `in-progress` and returns it, unless a job is in progress already.
pub(crate) fn claim_next(c: &mut PgConnection) -> Result<Option<(Uuid, Value)>, StorageError> {
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
    save(c, id, &jsonb)?;
    Ok(Some((id, jsonb)))
}

/// Stores the job's new state.
pub(crate) fn save(c: &mut PgConnection, id: Uuid, job: &Value) -> Result<(), StorageError> {
    store::update(c, TABLE, id, job)?;
    Ok(())
}
