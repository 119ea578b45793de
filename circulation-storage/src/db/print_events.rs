//! The log of pick-slip printing (table `print_events`) and what it tells the requests.
use super::store;
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz};
use serde_json::Value;
use uuid::Uuid;

const TABLE: &str = "print_events";

/// Stores the events, then tells each listed request how often it has been printed in all, by
/// whom and when last (`printDetails`).
pub(crate) fn record(
    conn: &mut PgConnection,
    events: &[(Uuid, Value)],
    request_ids: &[String],
    requester_id: &str,
    printed_at: &str,
) -> Result<(), StorageError> {
    for (id, event) in events {
        store::insert(conn, TABLE, *id, event)?;
    }
    diesel::sql_query(
        "WITH print_counts AS ( \
           SELECT jsonb->>'requestId' AS request_id, count(*) AS print_count \
           FROM print_events WHERE jsonb->>'requestId' = ANY($1) \
           GROUP BY jsonb->>'requestId') \
         UPDATE request SET jsonb = request.jsonb || jsonb_build_object('printDetails', \
           jsonb_build_object('printCount', print_counts.print_count, 'requesterId', $2::text, \
             'isPrinted', true, 'printEventDate', $3::text)) \
         FROM print_counts WHERE request.id = print_counts.request_id::uuid",
    )
    .bind::<Array<Text>, _>(request_ids)
    .bind::<Text, _>(requester_id)
    .bind::<Text, _>(printed_at)
    .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
pub(crate) struct PrintStatus {
    #[diesel(sql_type = Text)]
    pub(crate) request_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) requester_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) requester_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub(crate) request_count: i64,
    #[diesel(sql_type = Timestamptz)]
    pub(crate) last_printed: DateTime<Utc>,
}

/// Per request id that has events: how often it was printed, and who printed it last and when.
pub(crate) fn status(
    conn: &mut PgConnection,
    request_ids: Vec<String>,
) -> Result<Vec<PrintStatus>, StorageError> {
    Ok(diesel::sql_query(
        "SELECT request_id, requester_id, requester_name, request_count, last_printed FROM ( \
           SELECT jsonb->>'requestId' AS request_id, jsonb->>'requesterId' AS requester_id, \
             jsonb->>'requesterName' AS requester_name, \
             (jsonb->>'printEventDate')::timestamptz AS last_printed, \
             count(*) OVER (PARTITION BY jsonb->>'requestId') AS request_count, \
             row_number() OVER (PARTITION BY jsonb->>'requestId' \
               ORDER BY (jsonb->>'printEventDate')::timestamptz DESC) AS rank \
           FROM print_events WHERE jsonb->>'requestId' = ANY($1)) ranked \
         WHERE rank = 1",
    )
    .bind::<Array<Text>, _>(request_ids)
    .load::<PrintStatus>(conn)?)
}
