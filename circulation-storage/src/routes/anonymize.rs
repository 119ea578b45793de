//! `POST /anonymize-storage-loans`: remove the borrower from a list of closed loans.
use super::State;
use crate::db::{self, loans};
use crate::error::StorageError;
use crate::records::{self, ids, shape};
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use shared_types::errors::Error as FolioError;
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
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
        loans::anonymize_closed(c, &loan_ids)
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
