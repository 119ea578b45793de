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
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
    /// A database constraint refused the write; callers turn known ones into FOLIO messages.
    #[error("constraint {constraint} violated: {detail}")]
    Constraint {
        kind: ConstraintKind,
        constraint: String,
        detail: String,
        table: String,
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

    /// A 422 the way RMB reports one failed property: message, key and value.
    pub fn invalid(message: impl Into<String>, key: &str, value: Option<String>) -> Self {
        StorageError::unprocessable(FolioError::new(message).with_parameter(key, value))
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
                match kind {
                    DatabaseErrorKind::UniqueViolation => StorageError::Constraint {
                        kind: ConstraintKind::Unique,
                        constraint,
                        detail,
                        table,
                    },
                    DatabaseErrorKind::ForeignKeyViolation => StorageError::Constraint {
                        kind: ConstraintKind::ForeignKey,
                        constraint,
                        detail,
                        table,
                    },
                    _ => {
                        let message = info.message().to_string();
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
    /// The generic RMB wording for constraint violations nobody gave a better message for.
    fn generic_constraint_errors(kind: ConstraintKind, detail: &str, table: &str) -> Errors {
        // PostgreSQL details look like: Key (lower(f_unaccent(jsonb ->> 'name'::text)))=(foo) already exists.
        let (key, value) = split_key_detail(detail);
        let message = match kind {
            ConstraintKind::Unique => {
                format!("{key} value already exists in table {table}: {value}")
            }
            ConstraintKind::ForeignKey => detail.to_string(),
        };
        Errors::single(
            FolioError::new(message)
                .with_type("1")
                .with_code("-1")
                .with_parameter(key, Some(value)),
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
            StorageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            StorageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            StorageError::Unprocessable(errors) => HttpResponse::UnprocessableEntity().json(errors),
            StorageError::Constraint {
                kind,
                detail,
                table,
                ..
            } => HttpResponse::UnprocessableEntity()
                .json(Self::generic_constraint_errors(*kind, detail, table)),
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
    use super::split_key_detail;

    #[test]
    fn splits_postgres_key_detail() {
        let (k, v) = split_key_detail(
            "Key (lower(f_unaccent(jsonb ->> 'name'::text)))=(foo bar) already exists.",
        );
        assert_eq!(k, "lower(f_unaccent(jsonb ->> 'name'::text))");
        assert_eq!(v, "foo bar");
    }
}
