//! Statements on `loan` and its history `audit_loan` beyond the generic ones of [`super::store`]:
//! removing the borrower from closed loans. The history goes first: it finds the loans by their
//! still-closed status.
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use uuid::Uuid;

/// Removes the borrower from those of the listed loans that are closed, and from their history.
pub(crate) fn anonymize_closed(
    conn: &mut PgConnection,
    loan_ids: &[Uuid],
) -> Result<(), StorageError> {
    diesel::sql_query(
        "UPDATE audit_loan SET jsonb = jsonb #- '{loan,userId}' \
         WHERE lower(f_unaccent(jsonb->'loan'->>'id')) IN (SELECT id::text FROM loan WHERE id = ANY($1) \
         AND jsonb->'status'->>'name' = 'Closed') AND jsonb->'loan'->'userId' IS NOT NULL",
    )
    .bind::<Array<SqlUuid>, _>(loan_ids)
    .execute(conn)?;
    diesel::sql_query(
        "UPDATE loan SET jsonb = jsonb - 'userId' WHERE id = ANY($1) \
         AND jsonb->'status'->>'name' = 'Closed' AND jsonb->'userId' IS NOT NULL",
    )
    .bind::<Array<SqlUuid>, _>(loan_ids)
    .execute(conn)?;
    Ok(())
}

/// Removes the user from all their closed loans and from those loans' history.
pub(crate) fn anonymize_closed_of_user(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<(), StorageError> {
    let user = user_id.to_string();
    diesel::sql_query(
        "UPDATE audit_loan SET jsonb = jsonb #- '{loan,userId}' WHERE lower(f_unaccent(jsonb->'loan'->>'id')) IN \
         (SELECT id::text FROM loan WHERE lower(jsonb->>'userId') = $1 AND lower(jsonb->'status'->>'name') = 'closed')",
    )
    .bind::<Text, _>(&user)
    .execute(conn)?;
    diesel::sql_query(
        "UPDATE loan SET jsonb = jsonb - 'userId' WHERE lower(jsonb->>'userId') = $1 AND lower(jsonb->'status'->>'name') = 'closed'",
    )
    .bind::<Text, _>(&user)
    .execute(conn)?;
    Ok(())
}
