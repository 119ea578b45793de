//! Statements on `patron_action_session` beyond the generic ones of [`super::store`].
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

#[derive(QueryableByName)]
pub(crate) struct ExpiredSession {
    #[diesel(sql_type = Text)]
    pub(crate) patron_id: String,
    #[diesel(sql_type = Text)]
    pub(crate) action_type: String,
}

/// Groups sessions by patron and action type (only `action_type` when given), keeps the groups
/// whose newest session was created before `since`, oldest first, at most `limit`.
pub(crate) fn expired(
    conn: &mut PgConnection,
    action_type: Option<&str>,
    since: &str,
    limit: i64,
) -> Result<Vec<ExpiredSession>, StorageError> {
    Ok(diesel::sql_query(
        "SELECT jsonb->>'patronId' AS patron_id, jsonb->>'actionType' AS action_type \
         FROM patron_action_session \
         WHERE jsonb->>'patronId' IS NOT NULL AND jsonb->>'actionType' IS NOT NULL \
           AND ($1::text IS NULL OR jsonb->>'actionType' = $1) \
         GROUP BY jsonb->>'patronId', jsonb->>'actionType' \
         HAVING max((jsonb->'metadata'->>'createdDate')::timestamptz) < $2::timestamptz \
         ORDER BY max((jsonb->'metadata'->>'createdDate')::timestamptz) \
         LIMIT $3",
    )
    .bind::<Nullable<Text>, _>(action_type)
    .bind::<Text, _>(since)
    .bind::<BigInt, _>(limit)
    .load(conn)?)
}
