//! `POST /anonymize-storage-loans`: remove the borrower from a list of closed loans.
use super::State;
use crate::db;
use crate::error::StorageError;
use crate::records::{self, ids, shape};
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::{Array, Uuid as SqlUuid};
use serde_json::{json, Value};
use shared_types::errors::Error as FolioError;
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/anonymize-storage-loans", web::post().to(post));
}

/// Valid ids are all reported as anonymized (only the closed loans among them change); the
/// others are listed under the reason `invalidLoanIds`. No valid id at all → 422.
async fn post(
    tenant: TenantId,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let request = records::parse_body(&body)?;
    shape::anonymize_storage_loans_request(&request)?;
    let given: Vec<String> = request
        .get("loanIds")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .map(|id| id.as_str().map_or_else(|| id.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let (valid, invalid): (Vec<&String>, Vec<&String>) = given
        .iter()
        .partition(|id| ids::parse_loose_uuid(id).is_some());
    if valid.is_empty() {
        return Err(StorageError::unprocessable(
            FolioError::new("Please provide valid loanIds")
                .with_type("1")
                .with_code("-1")
                .with_parameter("loanIds", Some(format!("[{}]", given.join(", ")))),
        ));
    }
    let loan_ids: Vec<Uuid> = valid
        .iter()
        .filter_map(|id| ids::parse_loose_uuid(id))
        .collect();
    db::in_tenant_job(&state.pool, &tenant, move |c| {
        anonymize_closed(c, &loan_ids)
    })
    .await?;
    let mut not_anonymized = Vec::new();
    if !invalid.is_empty() {
        not_anonymized.push(json!({"reason": "invalidLoanIds", "loanIds": invalid}));
    }
    Ok(HttpResponse::Ok().json(json!({
        "anonymizedLoans": valid,
        "notAnonymizedLoans": not_anonymized,
    })))
}

/// The history first (it finds the loans by their still-closed status), then the loans.
fn anonymize_closed(conn: &mut PgConnection, loan_ids: &[Uuid]) -> Result<(), StorageError> {
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
