//! The per-patron check-out locks, in the plain table
//! `check_out_lock (id, user_id UNIQUE, creation_date)`.
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

#[derive(QueryableByName)]
pub(crate) struct Lock {
    #[diesel(sql_type = SqlUuid)]
    pub(crate) id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub(crate) user_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub(crate) creation_date: DateTime<Utc>,
}

/// The columns, with the zone-less `creation_date` read in the session's time zone.
const COLUMNS: &str =
    "id, user_id, (creation_date AT TIME ZONE current_setting('TimeZone')) AS creation_date";

/// Drops the user's lock if it is older than `ttl_ms`, then takes a new one. A lock still held
/// fails the insert with the unique index's [`StorageError::Constraint`] (an error, so the
/// caller's transaction rolls back).
pub(crate) fn acquire(
    conn: &mut PgConnection,
    user_id: Uuid,
    ttl_ms: i64,
) -> Result<Lock, StorageError> {
    diesel::sql_query(
        "DELETE FROM check_out_lock WHERE user_id = $1 \
         AND creation_date + $2 * interval '1 millisecond' < current_timestamp",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<BigInt, _>(ttl_ms)
    .execute(conn)?;
    Ok(diesel::sql_query(format!(
        "INSERT INTO check_out_lock (id, user_id) VALUES ($1, $2) RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(user_id)
    .get_result::<Lock>(conn)?)
}

/// One page of the user's locks, oldest first.
pub(crate) fn of_user(
    conn: &mut PgConnection,
    user_id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<Lock>, StorageError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM check_out_lock WHERE user_id = $1 \
         ORDER BY creation_date OFFSET $2 LIMIT $3"
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<BigInt, _>(offset)
    .bind::<BigInt, _>(limit)
    .load::<Lock>(conn)?)
}

pub(crate) fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<Lock>, StorageError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM check_out_lock WHERE id = $1"
    ))
    .bind::<SqlUuid, _>(id)
    .get_result::<Lock>(conn)
    .optional()?)
}

/// Deletes the lock, if it is still there.
pub(crate) fn release(conn: &mut PgConnection, id: Uuid) -> Result<(), StorageError> {
    diesel::sql_query("DELETE FROM check_out_lock WHERE id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)?;
    Ok(())
}
