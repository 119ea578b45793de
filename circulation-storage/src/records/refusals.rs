//! RMB's refusals of a body that the schema checks share: a missing required property and a
//! property the schema does not know.
use crate::error::StorageError;
use shared_types::errors::Error as FolioError;

/// Bean validation's refusal of a missing required property.
pub(crate) fn must_not_be_null(key: &str) -> StorageError {
    StorageError::unprocessable(
        FolioError::new("must not be null")
            .with_type("1")
            .with_code("jakarta.validation.constraints.NotNull.message")
            .with_parameter(key, Some("null".into())),
    )
}

/// Jackson's refusal of a property the schema does not have (`additionalProperties: false`).
pub(crate) fn unrecognized(field: &str) -> StorageError {
    StorageError::unprocessable(
        FolioError::new(format!("Unrecognized field \"{field}\""))
            .with_type("1")
            .with_code("-1")
            .with_parameter("", Some(String::new())),
    )
}
