//! The one mapping from storage errors to FOLIO/RMB responses:
//! 400/404/500 as text/plain, 422 as `{"errors":[...]}`.
use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use shared_types::errors::{Error as FolioError, Errors};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{}", .0.errors.first().map(|e| e.message.as_str()).unwrap_or("Unprocessable entity"))]
    Unprocessable(Errors),
    /// The record changed since the version the client named (`If-Match`): RMB's optimistic
    /// locking answer, 409 text.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
    /// A downstream module (through the gateway) failed or could not be reached; the text
    /// names the call.
    #[error("{0}")]
    BadGateway(String),
    /// A downstream call got no answer in time; the text names the call.
    #[error("{0}")]
    GatewayTimeout(String),
    /// A database constraint refused the write; callers turn known ones into FOLIO messages.
    #[error("constraint {constraint} violated: {detail}")]
    Constraint {
        kind: ConstraintKind,
        constraint: String,
        detail: String,
        table: String,
        /// PostgreSQL's own message (`duplicate key value violates unique constraint "..."`).
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    Unique,
    ForeignKey,
}

impl StorageError {
    pub fn not_found() -> Self {
        StorageError::NotFound("Not found".into())
    }

    pub fn unprocessable(error: FolioError) -> Self {
        StorageError::Unprocessable(Errors::single(error))
    }

    /// Every error found at once, as one 422; none is success.
    pub fn refuse_all(errors: Vec<FolioError>) -> Result<(), StorageError> {
        match errors.is_empty() {
            true => Ok(()),
            false => Err(StorageError::Unprocessable(Errors {
                errors,
                total_records: None,
            })),
        }
    }

    /// A 422 the way RMB's `createValidationErrorMessage` reports one failed property:
    /// message, key and value, with `type` "1" and `code` "-1".
    pub fn invalid(message: impl Into<String>, key: &str, value: Option<String>) -> Self {
        StorageError::unprocessable(
            FolioError::new(message)
                .with_type("1")
                .with_code("-1")
                .with_parameter(key, value),
        )
    }

    /// An upsert PUT's constraint violation: 400 text with PostgreSQL's message and detail.
    pub fn constraint_as_bad_request(self) -> Self {
        match self {
            StorageError::Constraint {
                message, detail, ..
            } => StorageError::BadRequest(format!("{message} {detail}")),
            other => other,
        }
    }

    /// A constraint violation where the endpoint declares no 422: RMB's sentence about the
    /// endpoint's `table` as 400 text.
    pub fn constraint_as_rmb_text(self, table: &str) -> Self {
        match self {
            StorageError::Constraint {
                kind,
                detail,
                message,
                ..
            } => StorageError::BadRequest(rmb_constraint(kind, &message, &detail, table).0),
            other => other,
        }
    }
}

/// RMB's wording for a constraint violation on `table` (`PgUtil.responseUniqueViolation` /
/// `responseForeignKeyViolation`): (message, key, value).
fn rmb_constraint(
    kind: ConstraintKind,
    message: &str,
    detail: &str,
    table: &str,
) -> (String, String, Option<String>) {
    let parsed = detail
        .strip_prefix("Key (")
        .and_then(|rest| rest.split_once(")=("))
        .filter(|(field, _)| !field.contains('='));
    let tail = |suffix: &str| -> Option<(String, String, String)> {
        let (field, rest) = parsed?;
        // `<value>) is not present in table "<ref>".`
        let (value, after) = rest.rsplit_once(&format!(") {suffix} \""))?;
        let reference = after.strip_suffix("\".")?;
        Some((field.to_string(), value.to_string(), reference.to_string()))
    };
    match kind {
        ConstraintKind::Unique => {
            match parsed.and_then(|(f, rest)| Some((f, rest.strip_suffix(") already exists.")?))) {
                Some((key, value)) => (
                    format!("{key} value already exists in table {table}: {value}"),
                    key.to_string(),
                    Some(value.to_string()),
                ),
                None => (format!("{message} {detail}"), table.to_string(), None),
            }
        }
        ConstraintKind::ForeignKey => {
            if let Some((field, value, reference)) = tail("is not present in table") {
                (
                    format!(
                        "Cannot set {table}.{field} = {value} because it does not exist in {reference}.id."
                    ),
                    format!("{table}.{field}"),
                    Some(value),
                )
            } else if let Some((field, value, reference)) = tail("is still referenced from table") {
                (
                    format!(
                        "Cannot delete {table}.{field} = {value} because id is still referenced from table {reference}."
                    ),
                    format!("{table}.{field}"),
                    Some(value),
                )
            } else {
                (format!("{message} {detail}"), table.to_string(), None)
            }
        }
    }
}

impl From<DieselError> for StorageError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StorageError::not_found(),
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or_default().to_string();
                let detail = info.details().unwrap_or(info.message()).to_string();
                let table = info.table_name().unwrap_or_default().to_string();
                let message = info.message().to_string();
                match kind {
                    DatabaseErrorKind::UniqueViolation => StorageError::Constraint {
                        kind: ConstraintKind::Unique,
                        constraint,
                        detail,
                        table,
                        message,
                    },
                    DatabaseErrorKind::ForeignKeyViolation => StorageError::Constraint {
                        kind: ConstraintKind::ForeignKey,
                        constraint,
                        detail,
                        table,
                        message,
                    },
                    _ => {
                        if message.starts_with("relation ") && message.ends_with("does not exist") {
                            // The tenant's schema (or table) is missing: the tenant is not enabled.
                            StorageError::BadRequest("Tenant not enabled for this module".into())
                        } else {
                            StorageError::Internal(format!("Database error: {message}"))
                        }
                    }
                }
            }
            other => StorageError::Internal(format!("Database error: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StorageError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StorageError::Unavailable(format!("Database unavailable: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for StorageError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        StorageError::Internal(format!("Internal Server Error: {e}"))
    }
}

impl StorageError {
    /// The 422 RMB answers for a constraint violation nobody gave a better message for.
    fn generic_constraint_errors(
        kind: ConstraintKind,
        message: &str,
        detail: &str,
        table: &str,
    ) -> Errors {
        let (message, key, value) = rmb_constraint(kind, message, detail, table);
        Errors::single(
            FolioError::new(message)
                .with_type("1")
                .with_code("-1")
                .with_parameter(key, value),
        )
    }
}

/// `Key (expr)=(value) ...` → (expr, value).
pub fn split_key_detail(detail: &str) -> (String, String) {
    let rest = detail.strip_prefix("Key (").unwrap_or(detail);
    match rest.find(")=(") {
        Some(pos) => {
            let key = rest[..pos].to_string();
            let after = &rest[pos + 3..];
            let value = after.rfind(')').map(|end| &after[..end]).unwrap_or(after);
            (key, value.to_string())
        }
        None => (String::new(), detail.to_string()),
    }
}

impl ResponseError for StorageError {
    fn status_code(&self) -> StatusCode {
        match self {
            StorageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            StorageError::NotFound(_) => StatusCode::NOT_FOUND,
            StorageError::Unprocessable(_) | StorageError::Constraint { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            StorageError::Conflict(_) => StatusCode::CONFLICT,
            StorageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            StorageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            StorageError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            StorageError::GatewayTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            StorageError::Unprocessable(errors) => HttpResponse::UnprocessableEntity().json(errors),
            StorageError::Constraint {
                kind,
                detail,
                table,
                message,
                ..
            } => HttpResponse::UnprocessableEntity().json(Self::generic_constraint_errors(
                *kind, message, detail, table,
            )),
            StorageError::Internal(message) => {
                log::error!("{message}");
                HttpResponse::InternalServerError()
                    .content_type("text/plain")
                    .body(message.clone())
            }
            other => HttpResponse::build(other.status_code())
                .content_type("text/plain")
                .body(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{rmb_constraint, split_key_detail, ConstraintKind};

    #[test]
    fn splits_postgres_key_detail() {
        let (k, v) = split_key_detail(
            "Key (lower(f_unaccent(jsonb ->> 'name'::text)))=(foo bar) already exists.",
        );
        assert_eq!(k, "lower(f_unaccent(jsonb ->> 'name'::text))");
        assert_eq!(v, "foo bar");
    }

    #[test]
    fn words_constraints_as_rmb() {
        let (m, k, v) = rmb_constraint(
            ConstraintKind::ForeignKey,
            "insert or update violates foreign key constraint",
            "Key (loanspolicy_fixedduedatescheduleid)=(abc) is not present in table \"fixed_due_date_schedule\".",
            "loan_policy",
        );
        assert_eq!(m, "Cannot set loan_policy.loanspolicy_fixedduedatescheduleid = abc because it does not exist in fixed_due_date_schedule.id.");
        assert_eq!(k, "loan_policy.loanspolicy_fixedduedatescheduleid");
        assert_eq!(v.as_deref(), Some("abc"));
        let (m, _, _) = rmb_constraint(
            ConstraintKind::ForeignKey,
            "update or delete violates foreign key constraint",
            "Key (id)=(abc) is still referenced from table \"request\".",
            "cancellation_reason",
        );
        assert_eq!(m, "Cannot delete cancellation_reason.id = abc because id is still referenced from table request.");
        let (m, k, _) = rmb_constraint(
            ConstraintKind::Unique,
            "duplicate key value",
            "Key (lower(f_unaccent(jsonb ->> 'name'::text)))=(foo) already exists.",
            "staff_slips",
        );
        assert_eq!(m, "lower(f_unaccent(jsonb ->> 'name'::text)) value already exists in table staff_slips: foo");
        assert_eq!(k, "lower(f_unaccent(jsonb ->> 'name'::text))");
    }
}
