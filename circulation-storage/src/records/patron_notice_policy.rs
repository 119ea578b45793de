//! Patron notice policies: FOLIO's own wording for a duplicate name (sic).
use crate::error::StorageError;
use serde_json::Value;
use shared_types::errors::Error as FolioError;

pub const NAME_UNIQUE_INDEX: &str = "patron_notice_policy_name_idx_unique";

pub fn constraint_message(e: StorageError, policy: &Value) -> StorageError {
    match &e {
        StorageError::Constraint { constraint, .. } if constraint == NAME_UNIQUE_INDEX => {
            let name = policy
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            StorageError::unprocessable(
                FolioError::new(format!("'{name}' name in not unique"))
                    .with_parameter("name", Some(name.to_string())),
            )
        }
        _ => e,
    }
}

/// A notice policy named in the circulation rules cannot be deleted (400, as FOLIO answers).
pub fn refuse_if_in_use(
    conn: &mut diesel::PgConnection,
    id: uuid::Uuid,
) -> Result<(), StorageError> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct InUse {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        in_use: bool,
    }
    let row: InUse = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM circulation_rules WHERE strpos(lower(jsonb->>'rulesAsText'), $1) > 0) AS in_use",
    )
    .bind::<diesel::sql_types::Text, _>(id.to_string())
    .get_result(conn)?;
    if row.in_use {
        Err(StorageError::BadRequest(
            "Cannot delete in use notice policy".into(),
        ))
    } else {
        Ok(())
    }
}
