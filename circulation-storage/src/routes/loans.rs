//! Loan extras beyond CRUD: loan history (from the audit trigger) and anonymisation.
use super::crud::{collection_body, filter_for, query_failure};
use super::{paging, Params, State};
use crate::cql::sql::TableConfig;
use crate::db::{self, loans, store};
use crate::error::StorageError;
use crate::records::ids;
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};

const LOAN_HISTORY: TableConfig = TableConfig {
    table: "audit_loan",
    uuid_fields: &[("id", "id")],
    case_sensitive_fields: &[],
    indexes: crate::records::indexes::AUDIT_LOAN,
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/loan-storage/loan-history", web::get().to(history))
        .route(
            "/loan-storage/loans/anonymize/{userId}",
            web::post().to(anonymize),
        );
}

/// Newest first unless the client sorts itself.
fn history_query(query: Option<&str>) -> String {
    let query = query
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .unwrap_or("cql.allRecords=1");
    if query.to_lowercase().contains(" sortby ") {
        query.to_string()
    } else {
        format!("{query} sortBy createdDate/sort.descending")
    }
}

async fn history(
    tenant: TenantId,
    params: Params,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let (limit, offset) = paging(&params)?;
    let query = history_query(params.get("query").map(String::as_str));
    let filter = filter_for(Some(&query), &LOAN_HISTORY)?;
    let (records, total) = db::read_cql(&state.pool, &tenant, move |c, statements| {
        store::search(c, statements, LOAN_HISTORY.table, &filter, limit, offset)
    })
    .await
    .map_err(|e| query_failure(e, Some(&query)))?;
    Ok(HttpResponse::Ok().json(collection_body("loansHistory", records, total)))
}

/// Removes the user from their closed loans and from those loans' history.
async fn anonymize(
    tenant: TenantId,
    user_id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let Some(user_id) = ids::parse_loose_uuid(&user_id) else {
        return Err(StorageError::invalid(
            "Invalid user ID, should be a UUID",
            "userId",
            Some(user_id.into_inner()),
        ));
    };
    db::in_tenant(&state.pool, &tenant, move |c| {
        loans::anonymize_closed_of_user(c, user_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::history_query;

    #[test]
    fn history_sorts_newest_first_by_default() {
        assert_eq!(
            history_query(None),
            "cql.allRecords=1 sortBy createdDate/sort.descending"
        );
        assert_eq!(
            history_query(Some("loan.id==\"x\"")),
            "loan.id==\"x\" sortBy createdDate/sort.descending"
        );
        assert_eq!(history_query(Some("a==b sortBy x")), "a==b sortBy x");
    }
}
