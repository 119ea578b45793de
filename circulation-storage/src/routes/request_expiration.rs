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
use crate::db;
use crate::error::StorageError;
use crate::records::dates;
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Jsonb, Nullable, Text, Uuid as SqlUuid};
use serde_json::Value;
use std::collections::HashMap;

const PATH: &str = "/scheduled-request-expiration";
/// How many requests one call closes at most.
pub const BATCH: i64 = 150;

/// The statuses of a request that is still in its queue.
pub const OPEN_STATUSES: [&str; 4] = [
    "Open - Not yet filled",
    "Open - Awaiting pickup",
    "Open - In transit",
    "Open - Awaiting delivery",
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::post().to(expire));
}

pub fn served_routes() -> Vec<(&'static str, String)> {
    vec![("POST", PATH.into())]
}

#[derive(QueryableByName)]
struct SettingRow {
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

/// `titleLevelRequestsFeatureEnabled` of the TLR circulation setting (named `generalTlr`, or else
/// `TLR`); `None` when there is no such setting. A setting without a `value` object is an error
/// (`TLR settings not found`), a missing flag means false.
pub fn tlr_enabled(conn: &mut PgConnection) -> Result<Option<bool>, StorageError> {
    for name in ["generalTlr", "TLR"] {
        let setting: Option<SettingRow> = diesel::sql_query(
            "SELECT jsonb FROM circulation_settings WHERE jsonb->>'name' = $1 LIMIT 1",
        )
        .bind::<Text, _>(name)
        .get_result(conn)
        .optional()?;
        let Some(setting) = setting else { continue };
        let Some(value) = setting.jsonb.get("value").and_then(Value::as_object) else {
            return Err(StorageError::Internal("TLR settings not found".into()));
        };
        return match value.get("titleLevelRequestsFeatureEnabled") {
            None | Some(Value::Null) => Ok(Some(false)),
            Some(Value::Bool(enabled)) => Ok(Some(*enabled)),
            Some(other) => Err(StorageError::Internal(format!(
                "titleLevelRequestsFeatureEnabled is not a boolean: {other}"
            ))),
        };
    }
    Ok(None)
}

/// The property that names a request's queue.
pub fn queue_property(tlr_enabled: bool) -> &'static str {
    if tlr_enabled {
        "instanceId"
    } else {
        "itemId"
    }
}

#[derive(QueryableByName)]
struct ClosedRow {
    #[diesel(sql_type = Nullable<Text>)]
    queue: Option<String>,
}

#[derive(QueryableByName)]
pub struct QueueRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: uuid::Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    pub queue: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub position: Option<i32>,
}

/// New positions for the open requests of some queues, given in the order the database returned
/// them: per queue 1..n by old position, requests without one last (a stable sort, so ties keep
/// the database's order).
pub fn renumber(rows: Vec<QueueRow>) -> Vec<(uuid::Uuid, i32)> {
    let mut order: Vec<Option<String>> = Vec::new();
    let mut queues: HashMap<Option<String>, Vec<QueueRow>> = HashMap::new();
    for row in rows {
        let queue = queues.entry(row.queue.clone()).or_default();
        if queue.is_empty() {
            order.push(row.queue.clone());
        }
        queue.push(row);
    }
    let mut positions = Vec::new();
    for key in order {
        let mut queue = queues.remove(&key).unwrap_or_default();
        queue.sort_by_key(|r| (r.position.is_none(), r.position));
        positions.extend(
            queue
                .iter()
                .zip(1..)
                .map(|(request, position)| (request.id, position)),
        );
    }
    positions
}

/// Removes every position from the listed requests, then gives them their new ones (two
/// statements, so the unique (itemId, position) index never sees two requests on one place).
pub fn set_positions(
    conn: &mut PgConnection,
    positions: &[(uuid::Uuid, i32)],
) -> Result<(), StorageError> {
    if positions.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = positions.iter().map(|(id, _)| *id).collect();
    let numbers: Vec<i32> = positions.iter().map(|(_, n)| *n).collect();
    diesel::sql_query("UPDATE request SET jsonb = jsonb - 'position' WHERE id = ANY($1)")
        .bind::<Array<SqlUuid>, _>(&ids)
        .execute(conn)?;
    diesel::sql_query(
        "UPDATE request SET jsonb = jsonb_set(request.jsonb, '{position}', to_jsonb(v.position)) \
         FROM unnest($1::uuid[], $2::int[]) AS v(id, position) WHERE request.id = v.id",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Array<Integer>, _>(&numbers)
    .execute(conn)?;
    Ok(())
}

/// Closes the expired requests and renumbers their queues; 204.
async fn expire(tenant: TenantId, state: State) -> Result<HttpResponse, StorageError> {
    let now = Utc::now();
    // The text FOLIO compares the stored dates with.
    let cutoff = now.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string();
    let updated_date = dates::format_date_time(now);
    db::in_tenant_job(&state.pool, &tenant, move |c| {
        let property = queue_property(tlr_enabled(c)?.unwrap_or(false));
        let closed: Vec<ClosedRow> = diesel::sql_query(
            "UPDATE request SET jsonb = jsonb_set( \
               (request.jsonb - 'position') || jsonb_build_object('status', \
                 CASE WHEN request.jsonb->>'status' = 'Open - Awaiting pickup' \
                   THEN 'Closed - Pickup expired' ELSE 'Closed - Unfilled' END), \
               '{metadata,updatedDate}', to_jsonb($2::text)) \
             WHERE id IN (SELECT id FROM request WHERE \
               (jsonb->>'status' = 'Open - Not yet filled' AND jsonb->>'requestExpirationDate' < $1) OR \
               (jsonb->>'status' = 'Open - Awaiting delivery' AND jsonb->>'requestExpirationDate' < $1) OR \
               (jsonb->>'status' = 'Open - In transit' AND jsonb->>'requestExpirationDate' < $1) OR \
               (jsonb->>'status' = 'Open - Awaiting pickup' AND jsonb->>'holdShelfExpirationDate' < $1) \
               LIMIT $3 FOR UPDATE) \
             RETURNING request.jsonb->>$4 AS queue",
        )
        .bind::<Text, _>(&cutoff)
        .bind::<Text, _>(&updated_date)
        .bind::<diesel::sql_types::BigInt, _>(BATCH)
        .bind::<Text, _>(property)
        .load(c)?;
        let mut queues: Vec<String> = closed.into_iter().filter_map(|r| r.queue).collect();
        queues.sort();
        queues.dedup();
        if queues.is_empty() {
            return Ok(());
        }
        let open: Vec<QueueRow> = diesel::sql_query(
            "SELECT id, jsonb->>$1 AS queue, (jsonb->>'position')::int AS position FROM request \
             WHERE jsonb->>'status' = ANY($2) AND jsonb->>$1 = ANY($3) \
             ORDER BY jsonb->>'position' ASC FOR UPDATE",
        )
        .bind::<Text, _>(property)
        .bind::<Array<Text>, _>(&OPEN_STATUSES[..])
        .bind::<Array<Text>, _>(&queues)
        .load(c)?;
        set_positions(c, &renumber(open))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::{renumber, QueueRow};

    fn row(n: u128, queue: &str, position: Option<i32>) -> QueueRow {
        QueueRow {
            id: uuid::Uuid::from_u128(n),
            queue: Some(queue.into()),
            position,
        }
    }

    #[test]
    fn renumbers_each_queue_by_position_with_the_unplaced_last() {
        // As the database orders them: by position as text ("10" before "2"), nulls last.
        let rows = vec![
            row(1, "a", Some(10)),
            row(2, "b", Some(3)),
            row(3, "a", Some(2)),
            row(4, "a", None),
            row(5, "a", None),
            row(6, "b", None),
        ];
        let mut got = renumber(rows);
        got.sort();
        let want: Vec<(uuid::Uuid, i32)> = [(1, 2), (2, 1), (3, 1), (4, 3), (5, 4), (6, 2)]
            .into_iter()
            .map(|(id, p)| (uuid::Uuid::from_u128(id), p))
            .collect();
        assert_eq!(got, want);
    }
}
